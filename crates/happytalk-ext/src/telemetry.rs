//! Tracing of calls (feature `tracing`, on by default): one span per call and an event per
//! retry. Without the feature every function here compiles to nothing.
//!
//! What is recorded is chosen so that traces can be shipped anywhere: the operation, the host,
//! the room id or sender key (identifiers of HappyTalk objects), the HTTP status, HappyTalk's
//! code, the attempts and the duration. Never the client secret, the message text, the media
//! URL sent, or the customer `uuid` (personal data); never an error's text, which can quote a
//! value a user gave.

use std::time::Duration;

use happytalk_api::Operation;
use reqwest::StatusCode;

use crate::error::Error;
use crate::retry::Failure;

/// The span of a call: `call_span!(operation, host, "happytalk.name", field = value, …)`,
/// with the fields every call span has (`operation`, `host`, then `http.status`, `code`,
/// `attempts`, `duration_ms` and `error`, recorded when it ends) and the ones given, which
/// must be identifiers of HappyTalk objects, never personal data. Built only when a subscriber
/// may want it (see [`CallTrace::new`]).
macro_rules! call_span {
    ($operation:expr, $host:expr, $name:literal $(, $field:ident = $value:expr)* $(,)?) => {{
        let operation: &'static happytalk_api::Operation = $operation;
        #[cfg(feature = "tracing")]
        let trace = $crate::telemetry::CallTrace::new(operation, || {
            tracing::info_span!(
                $name,
                operation = operation.id,
                host = $host,
                $($field = $value,)*
                http.status = tracing::field::Empty,
                code = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                error = tracing::field::Empty,
            )
        });
        #[cfg(not(feature = "tracing"))]
        let trace = {
            let _ = ($host, $($value,)*);
            $crate::telemetry::CallTrace::untraced(operation)
        };
        trace
    }};
}

pub(crate) use call_span;

/// The trace of one call.
pub(crate) struct CallTrace {
    /// The call's span and when it started; `None` when no subscriber wants the span, so that
    /// an untraced call neither records nor reads the clock.
    #[cfg(feature = "tracing")]
    live: Option<(tracing::Span, std::time::Instant)>,
    /// The operation called.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    operation: &'static Operation,
}

impl CallTrace {
    /// The trace of a call of `operation` in `span`, made only when a subscriber may want it:
    /// with none, or none at INFO, the call does not even build a disabled span.
    #[cfg(feature = "tracing")]
    #[inline]
    pub(crate) fn new(operation: &'static Operation, span: impl FnOnce() -> tracing::Span) -> Self {
        if !tracing::level_enabled!(tracing::Level::INFO) {
            return Self {
                live: None,
                operation,
            };
        }
        let span = span();
        Self {
            live: (!span.is_disabled()).then(|| (span, std::time::Instant::now())),
            operation,
        }
    }

    /// The trace of a call without the `tracing` feature: nothing.
    #[cfg(not(feature = "tracing"))]
    pub(crate) fn untraced(operation: &'static Operation) -> Self {
        Self { operation }
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

    /// Records how the call ended: the status of HappyTalk's successful answer, or the error.
    /// Inlined: an untraced call only checks that there is no span.
    #[inline]
    pub(crate) fn finish(&self, outcome: Result<StatusCode, &Error>, attempts: u32) {
        #[cfg(feature = "tracing")]
        if let Some((span, started)) = &self.live {
            self.record_end(span, *started, outcome, attempts);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (outcome, attempts);
    }

    /// Records into the call's `span` how the call ended.
    #[cfg(feature = "tracing")]
    #[inline(never)]
    fn record_end(
        &self,
        span: &tracing::Span,
        started: std::time::Instant,
        outcome: Result<StatusCode, &Error>,
        attempts: u32,
    ) {
        let status = match outcome {
            Ok(status) => {
                span.record(
                    "code",
                    tracing::field::display(self.operation.success_code()),
                );
                Some(status)
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
