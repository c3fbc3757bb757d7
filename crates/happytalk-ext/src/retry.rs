//! Retries: which failures are retried for which operation, how long to wait, and when to stop.
//!
//! The rules follow what each operation does to the world, as the spec declares it per
//! operation ([`RetryClass`], `x-retry`; never inferred from the HTTP method):
//!
//! - **Reads** ([`RetryClass::Read`]: the system-message lookup) and **writes that are safe to
//!   repeat** ([`RetryClass::SafeToRepeat`]): a failure that may pass on a second try is
//!   retried: a connection that could not be made, a timeout, a connection dropped before the
//!   answer was complete, and HTTP 408, 429 or 5xx whose body is not one of HappyTalk's
//!   documented answers (a proxy's error page, an empty body). No result code is retried: none
//!   is documented as temporary, and the ones closest to it (Kakao 509 "not in a state that
//!   can process the request") describe a state that a retry seconds later does not change.
//! - **Writes HappyTalk acts on** ([`RetryClass::NeverTwice`]: sending a message puts it in
//!   front of a customer) are retried only when the request provably never reached HappyTalk:
//!   no connection could be made (refused, DNS, TLS handshake), so not one byte of the request
//!   was written. Never after a timeout (a connect timeout included), a dropped connection or
//!   any answer, since the write may have happened; and never on -600 "System", whose docs say
//!   it *may* pass on retry: whether a second copy is acceptable is the caller's decision (see
//!   `BizResultCode::SystemError`).
//!
//! Waits grow exponentially from [`RetryPolicy::backoff`]'s initial delay up to its maximum,
//! with full jitter (each wait is drawn uniformly between zero and that bound, so clients that
//! failed together do not retry together). A `Retry-After` header is honoured (waited at least)
//! when it fits in the time left. [`RetryPolicy::max_elapsed`] caps the whole call, attempts
//! and waits included: when the next wait would reach it, the call ends with the last failure
//! instead of waiting, and an attempt still under way when it runs out ends the call with a
//! timeout error.

use std::time::{Duration, Instant, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
pub use happytalk_api::RetryClass;
use reqwest::header::HeaderValue;

use crate::error::{ConfigurationError, Error, TransportErrorKind};

/// When and how often a call is retried. See the [module docs](crate::retry) for what is
/// retried; this only sets how much.
///
/// ```
/// use std::time::Duration;
/// use happytalk_ext::RetryPolicy;
///
/// let patient = RetryPolicy::standard()
///     .max_attempts(5)
///     .backoff(Duration::from_millis(100), Duration::from_secs(2))
///     .max_elapsed(Duration::from_secs(10));
/// assert_eq!(patient.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryPolicy {
    /// The default: 3 attempts in all, waits drawn from 0–200 ms, then 0–400 ms (doubling, at
    /// most 5 s), and at most 60 s for the whole call (twice the default request timeout, so
    /// that a lookup that timed out once still gets its retry).
    pub fn standard() -> Self {
        Self {
            max_attempts: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(60),
        }
    }

    /// No retry: every call is one attempt.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// Attempts in all, the first included (1 means no retry; 0 is refused when the client is
    /// built).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The bound of the first wait, doubling after each retry up to `max`. Each wait is drawn
    /// uniformly between zero and the bound (full jitter).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_delay = initial;
        self.max_delay = max;
        self
    }

    /// The cap on a call's total time, attempts and waits included. When it runs out the call
    /// ends with a [`TransportErrorKind::Timeout`] error, abandoning an attempt under way (for
    /// a message, as after any timeout, it may have been delivered; it is not sent again).
    pub fn max_elapsed(mut self, cap: Duration) -> Self {
        self.max_elapsed = cap;
        self
    }

    /// Attempts in all, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn check(&self) -> Result<(), ConfigurationError> {
        if self.max_attempts == 0 {
            return Err(ConfigurationError(
                "the retry policy allows 0 attempts; use at least 1 (RetryPolicy::none() for \
                 no retry)"
                    .to_owned(),
            ));
        }
        if self.initial_delay > self.max_delay {
            return Err(ConfigurationError(format!(
                "the retry policy's initial wait ({:?}) is longer than its maximum ({:?})",
                self.initial_delay, self.max_delay
            )));
        }
        Ok(())
    }
}

/// Why `error` may pass on another attempt of an operation of `class`, or `None` when it must
/// not be retried.
pub(crate) fn reason(error: &Error, class: RetryClass) -> Option<&'static str> {
    // Whether a second request changes nothing a first one may have done.
    let repeatable = class != RetryClass::NeverTwice;
    match error {
        Error::Transport(transport) if transport.kind() == TransportErrorKind::Connect => {
            Some("no connection could be made; the request was not sent")
        }
        Error::Transport(transport) if repeatable => match transport.kind() {
            TransportErrorKind::Timeout => Some("no answer in time"),
            TransportErrorKind::Other => Some("the exchange broke off"),
            _ => None,
        },
        Error::UndecodableResponse(answer) if repeatable => match answer.status()?.as_u16() {
            408 => Some("HTTP 408 with an undocumented body"),
            429 => Some("HTTP 429 with an undocumented body"),
            500..=599 => Some("HTTP 5xx with an undocumented body"),
            _ => None,
        },
        _ => None,
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); anything else is ignored.
pub(crate) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

impl RetryPolicy {
    /// The cap on a call's total time.
    pub(crate) fn cap(&self) -> Duration {
        self.max_elapsed
    }

    /// The bounds of the waits before each retry: exponential from the initial delay, up to
    /// the maximum, one per retry the policy allows.
    pub(crate) fn waits(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::new()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }

    /// How long to wait before retrying a failed attempt of a call that started at `started`,
    /// and why it is retried; `None` when it is not: the failure may not be retried (`retry`,
    /// from [`reason`]), the retries have run out (`waits`, from [`waits`](Self::waits)), or
    /// the wait would reach the cap, so that the next attempt would be cut off at once (the
    /// call then ends with the failure it actually met). The wait is drawn with full jitter
    /// below the next bound, and is at least the `Retry-After` the server sent.
    pub(crate) fn wait_before_retry(
        &self,
        retry: Option<&'static str>,
        retry_after: Option<Duration>,
        started: Instant,
        waits: &mut impl Iterator<Item = Duration>,
    ) -> Option<(Duration, &'static str)> {
        let reason = retry?;
        let bound = waits.next()?;
        let left = self.max_elapsed.checked_sub(started.elapsed())?;
        let wait = full_jitter(bound).max(retry_after.unwrap_or_default());
        (wait < left).then_some((wait, reason))
    }
}

/// A wait drawn uniformly from zero to `bound`.
fn full_jitter(bound: Duration) -> Duration {
    bound.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;
    use crate::error::{TransportError, UndecodableResponse};

    fn transport(kind: TransportErrorKind) -> Error {
        TransportError::for_test(kind).into()
    }

    fn undecodable(status: u16) -> Error {
        UndecodableResponse::new(
            Some(StatusCode::from_u16(status).unwrap()),
            "bad",
            b"<html>",
        )
        .into()
    }

    #[test]
    fn a_write_acted_on_is_retried_only_when_no_connection_was_made() {
        let never_twice = RetryClass::NeverTwice;
        assert!(reason(&transport(TransportErrorKind::Connect), never_twice).is_some());
        for kind in [
            TransportErrorKind::Timeout,
            TransportErrorKind::Other,
            TransportErrorKind::Request,
        ] {
            assert_eq!(reason(&transport(kind), never_twice), None, "{kind:?}");
        }
        for status in [200, 408, 429, 500, 503] {
            assert_eq!(reason(&undecodable(status), never_twice), None);
        }
    }

    #[test]
    fn reads_and_repeatable_writes_are_retried_on_what_may_pass_and_nothing_else() {
        for class in [RetryClass::Read, RetryClass::SafeToRepeat] {
            reads_are_retried_on_what_may_pass(class);
        }
    }

    fn reads_are_retried_on_what_may_pass(class: RetryClass) {
        for kind in [
            TransportErrorKind::Connect,
            TransportErrorKind::Timeout,
            TransportErrorKind::Other,
        ] {
            assert!(reason(&transport(kind), class).is_some(), "{kind:?}");
        }
        assert_eq!(reason(&transport(TransportErrorKind::Request), class), None);
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(reason(&undecodable(status), class).is_some(), "{status}");
        }
        for status in [200, 302, 400, 404, 418] {
            assert_eq!(reason(&undecodable(status), class), None, "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let header = |text: &str| HeaderValue::from_str(text).unwrap();
        assert_eq!(
            parse_retry_after(&header("3")),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after(&header(" 0 ")), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(&header("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = parse_retry_after(&header(&later)).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        for junk in ["-1", "soon", "1.5", ""] {
            assert_eq!(parse_retry_after(&header(junk)), None, "{junk:?}");
        }
    }

    #[test]
    fn full_jitter_stays_within_its_bound() {
        let bound = Duration::from_millis(400);
        let waits: Vec<Duration> = (0..1000).map(|_| full_jitter(bound)).collect();
        assert!(waits.iter().all(|wait| *wait <= bound));
        // Uniform from zero: some waits are short, some long.
        assert!(waits.iter().any(|wait| *wait < bound / 4));
        assert!(waits.iter().any(|wait| *wait > bound * 3 / 4));
    }

    #[test]
    fn a_retry_waits_within_its_bound_and_the_cap_and_stops_when_they_run_out() {
        let policy = RetryPolicy::standard()
            .max_attempts(3)
            .backoff(Duration::from_millis(100), Duration::from_millis(150));
        let started = Instant::now();
        let mut waits = policy.waits();
        let reason = Some("why");
        let first = policy.wait_before_retry(reason, None, started, &mut waits);
        assert!(matches!(first, Some((wait, "why")) if wait <= Duration::from_millis(100)));
        // At least what the server asked for, even above the bound.
        let second =
            policy.wait_before_retry(reason, Some(Duration::from_secs(1)), started, &mut waits);
        assert_eq!(second, Some((Duration::from_secs(1), "why")));
        // Two retries for three attempts, then none.
        assert_eq!(
            policy.wait_before_retry(reason, None, started, &mut waits),
            None
        );
        // A failure that may not be retried is not.
        assert_eq!(
            policy.wait_before_retry(None, None, started, &mut policy.waits()),
            None
        );
        // A wait that would reach the cap ends the call instead.
        let capped = policy.clone().max_elapsed(Duration::from_millis(500));
        let asked = Some(Duration::from_secs(2));
        assert_eq!(
            capped.wait_before_retry(reason, asked, started, &mut capped.waits()),
            None
        );
    }

    #[test]
    fn a_policy_needs_one_attempt_and_ordered_bounds() {
        assert!(RetryPolicy::standard().check().is_ok());
        assert!(RetryPolicy::none().check().is_ok());
        let zero = RetryPolicy::standard().max_attempts(0).check().unwrap_err();
        assert!(zero.to_string().contains("0 attempts"), "{zero}");
        let upside_down = RetryPolicy::standard()
            .backoff(Duration::from_secs(2), Duration::from_secs(1))
            .check()
            .unwrap_err();
        assert!(upside_down.to_string().contains("longer than its maximum"));
    }
}
