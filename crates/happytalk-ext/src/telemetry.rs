//! Tracing of calls (feature `tracing`, on by default): one span per call and an event per
//! retry. Without the feature every function here compiles to nothing.
//!
//! What is recorded is chosen so that traces can be shipped anywhere: the operation, the host,
//! the room id or sender key (identifiers of HappyTalk objects), the HTTP status, HappyTalk's
//! code, the attempts and the duration. Never the client secret, the message text, the media
//! URL sent, or the customer `uuid` (personal data); never an error's text, which can quote a
//! value a user gave.

use std::time::Duration;

use reqwest::StatusCode;

use crate::error::Error;
use crate::retry::Failure;

/// The trace of one call.
pub(crate) struct CallTrace {
    /// The call's span and when it started; `None` when no subscriber wants the span, so that
    /// an untraced call neither records nor reads the clock.
    #[cfg(feature = "tracing")]
    live: Option<(tracing::Span, std::time::Instant)>,
}

impl CallTrace {
    /// `happytalk.send_message`: sending into room `room_id` through `host`.
    pub(crate) fn send_message(host: &str, room_id: &str) -> Self {
        #[cfg(feature = "tracing")]
        return Self::new(|| {
            tracing::info_span!(
                "happytalk.send_message",
                operation = "send_chat_message",
                host,
                room_id,
                http.status = tracing::field::Empty,
                code = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                error = tracing::field::Empty,
            )
        });
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (host, room_id);
            Self {}
        }
    }

    /// `happytalk.system_messages`: looking up the system messages of `sender_key` (one, with
    /// `id`) through `host`.
    pub(crate) fn system_messages(host: &str, sender_key: &str, id: Option<i64>) -> Self {
        #[cfg(feature = "tracing")]
        return Self::new(|| {
            tracing::info_span!(
                "happytalk.system_messages",
                operation = "get_system_messages",
                host,
                sender_key,
                id,
                http.status = tracing::field::Empty,
                code = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                error = tracing::field::Empty,
            )
        });
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (host, sender_key, id);
            Self {}
        }
    }

    /// The trace of a call in `span`, made only when a subscriber may want it: with none, or
    /// none at INFO, the call does not even build a disabled span.
    #[cfg(feature = "tracing")]
    fn new(span: impl FnOnce() -> tracing::Span) -> Self {
        if !tracing::level_enabled!(tracing::Level::INFO) {
            return Self { live: None };
        }
        let span = span();
        Self {
            live: (!span.is_disabled()).then(|| (span, std::time::Instant::now())),
        }
    }

    /// The call's span, when a subscriber wants it.
    #[cfg(feature = "tracing")]
    pub(crate) fn span(&self) -> Option<&tracing::Span> {
        self.live.as_ref().map(|(span, _)| span)
    }

    /// An event: attempt `attempt` failed with `failure` and the next starts after `wait`. It is
    /// emitted inside the call's span (retries run in it), or in the caller's when no
    /// subscriber wants the call's span.
    pub(crate) fn retrying(&self, attempt: u32, wait: Duration, failure: &Failure) {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            reason = failure.retry_reason(),
            error = kind(&failure.error),
            "retrying a HappyTalk call",
        );
        #[cfg(not(feature = "tracing"))]
        let _ = (attempt, wait, failure);
    }

    /// Records how the call ended: the status and code of HappyTalk's answer, or the error.
    pub(crate) fn finish(&self, outcome: Result<(StatusCode, &str), &Error>, attempts: u32) {
        #[cfg(feature = "tracing")]
        if let Some((span, started)) = &self.live {
            let (status, code) = match outcome {
                Ok((status, code)) => (Some(status), Some(code)),
                Err(error) => {
                    span.record("error", kind(error));
                    match error {
                        Error::Api(api) => (Some(api.status()), Some(api.raw_code())),
                        Error::UndecodableResponse(answer) => (answer.status(), None),
                        _ => (None, None),
                    }
                }
            };
            if let Some(status) = status {
                span.record("http.status", status.as_u16());
            }
            if let Some(code) = code {
                span.record("code", code);
            }
            span.record("attempts", attempts);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (outcome, attempts);
    }
}

/// The kind of an error, as traces name it (never its text).
#[cfg(feature = "tracing")]
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Validation(_) => "validation",
        Error::Api(_) => "api",
        Error::Transport(_) => "transport",
        Error::UndecodableResponse(_) => "undecodable_response",
        Error::Configuration(_) => "configuration",
    }
}
