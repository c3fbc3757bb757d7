//! Tracing of calls (feature `tracing`, on by default): one `happytalk.call` span per call and
//! a `WARN` event per retry. Without the feature a [`Trace`] is an empty value whose methods do
//! nothing, so the call path reads the same either way.
//!
//! What is recorded is chosen so that traces can be shipped anywhere: the operation, the host,
//! the HTTP status, HappyTalk's code, the attempts and the duration. Never a request value (a
//! message text, a customer `uuid`, a key), never the client secret, and never an error's
//! text, which can quote a value a user gave.

use std::time::Duration;

use happytalk_api::Operation;

use crate::error::Error;

/// The trace of one call: its span, when a subscriber wants one.
pub(crate) struct Trace {
    /// The span and when the call started; `None` when no subscriber wants the span, so that
    /// an untraced call neither records nor reads the clock.
    #[cfg(feature = "tracing")]
    live: Option<(tracing::Span, std::time::Instant)>,
    /// The operation called, whose success code a successful call records.
    #[cfg(feature = "tracing")]
    operation: &'static Operation,
}

impl Trace {
    /// Starts the trace of a call of `operation` on `host`. The span is built only when a
    /// subscriber may want it.
    pub(crate) fn start(operation: &'static Operation, host: &str) -> Self {
        #[cfg(feature = "tracing")]
        {
            let live = tracing::level_enabled!(tracing::Level::INFO)
                .then(|| {
                    tracing::info_span!(
                        "happytalk.call",
                        operation = operation.id,
                        host,
                        http.status = tracing::field::Empty,
                        code = tracing::field::Empty,
                        attempts = tracing::field::Empty,
                        duration_ms = tracing::field::Empty,
                        error = tracing::field::Empty,
                    )
                })
                .filter(|span| !span.is_disabled())
                .map(|span| (span, std::time::Instant::now()));
            Self { live, operation }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (operation, host);
            Self {}
        }
    }

    /// `future`, polled inside the call's span (the HTTP spans of `happytalk-api` then nest in
    /// it), or as it is when there is none.
    pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            let span = match &self.live {
                Some((span, _)) => span.clone(),
                None => tracing::Span::none(),
            };
            tracing::Instrument::instrument(future, span)
        }
        #[cfg(not(feature = "tracing"))]
        future
    }

    /// An event: attempt `attempt` failed with `error`, retried for `reason` after `wait`.
    /// Emitted inside the call's span (retries run in it), or in the caller's when no
    /// subscriber wants the call's span.
    pub(crate) fn retrying(&self, attempt: u32, wait: Duration, reason: &str, error: &Error) {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            reason,
            error = kind(error),
            "retrying a HappyTalk call",
        );
        #[cfg(not(feature = "tracing"))]
        let _ = (attempt, wait, reason, error);
    }

    /// Records how the call ended: the status of HappyTalk's successful answer, or the error.
    pub(crate) fn finish<T>(
        &self,
        outcome: &Result<(T, reqwest::StatusCode), Error>,
        attempts: u32,
    ) {
        #[cfg(feature = "tracing")]
        if let Some((span, started)) = &self.live {
            let status = match outcome {
                Ok((_, status)) => {
                    let code = self.operation.success_code();
                    span.record("code", tracing::field::display(code));
                    Some(*status)
                }
                Err(error) => {
                    span.record("error", kind(error));
                    match error {
                        Error::Api(api) => {
                            span.record("code", api.raw_code());
                            Some(api.status())
                        }
                        Error::UndecodableResponse(answer) => answer.status(),
                        _ => None,
                    }
                }
            };
            if let Some(status) = status {
                span.record("http.status", status.as_u16());
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
