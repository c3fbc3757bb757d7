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
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    started: std::time::Instant,
}

impl CallTrace {
    /// `happytalk.send_message`: sending into room `room_id` through `host`.
    pub(crate) fn send_message(host: &str, room_id: &str) -> Self {
        #[cfg(feature = "tracing")]
        return Self::new(tracing::info_span!(
            "happytalk.send_message",
            operation = "send_chat_message",
            host,
            room_id,
            http.status = tracing::field::Empty,
            code = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            error = tracing::field::Empty,
        ));
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
        return Self::new(tracing::info_span!(
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
        ));
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (host, sender_key, id);
            Self {}
        }
    }

    #[cfg(feature = "tracing")]
    fn new(span: tracing::Span) -> Self {
        Self {
            span,
            started: std::time::Instant::now(),
        }
    }

    /// `future`, run inside the call's span (so the HTTP spans of `happytalk-api` nest in it).
    pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        return tracing::Instrument::instrument(future, self.span.clone());
        #[cfg(not(feature = "tracing"))]
        future
    }

    /// An event: attempt `attempt` failed with `failure` and the next starts after `wait`.
    pub(crate) fn retrying(&self, attempt: u32, wait: Duration, failure: &Failure) {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            parent: &self.span,
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
        {
            let span = &self.span;
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
            span.record("duration_ms", self.started.elapsed().as_millis() as u64);
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
