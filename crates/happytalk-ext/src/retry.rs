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
use happytalk_api::{ResponseInfo, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;

use crate::error::{
    ConfigurationError, Error, TransportError, TransportErrorKind, UndecodableResponse,
    why_undecodable,
};
use crate::telemetry::CallTrace;

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

/// A failed attempt: the error, and why it may be retried (if it may).
pub(crate) struct Failure {
    pub(crate) error: Error,
    retry: Option<&'static str>,
    retry_after: Option<Duration>,
}

impl Failure {
    fn new(error: Error, class: RetryClass, info: Option<&ResponseInfo>) -> Self {
        let retry = retry_reason(&error, class);
        let retry_after = info
            .and_then(ResponseInfo::retry_after)
            .and_then(parse_retry_after);
        Self {
            error,
            retry,
            retry_after,
        }
    }

    /// The cap on the call's total time ran out during the attempt: the call ends.
    pub(crate) fn out_of_time(policy: &RetryPolicy) -> Self {
        Self {
            error: out_of_time(policy),
            retry: None,
            retry_after: None,
        }
    }

    /// Whether the failed attempt may have reached HappyTalk: all but a connection never made.
    fn may_have_arrived(&self) -> bool {
        !matches!(&self.error, Error::Transport(transport)
            if transport.kind() == TransportErrorKind::Connect)
    }

    /// Why this failure may be retried, as a tracing event says it.
    #[cfg(feature = "tracing")]
    pub(crate) fn retry_reason(&self) -> &'static str {
        self.retry.unwrap_or("not retryable")
    }
}

/// Why `error` may pass on another attempt of an operation of `class`, or `None` when it must
/// not be retried.
fn retry_reason(error: &Error, class: RetryClass) -> Option<&'static str> {
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
fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
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

/// One attempt of the generated call `call` makes: HappyTalk's answer and its status, or a
/// [`Failure`]. For the attempts that run inside a timer or after a first failure; a call's
/// first attempt is awaited in place by `Client::call` (one future less to move).
pub(crate) async fn attempt<T: DeserializeOwned, Call>(
    call: impl FnOnce() -> Call,
    class: RetryClass,
) -> Result<(T, StatusCode), Failure>
where
    Call: Future<Output = Result<ResponseValue<T>, happytalk_api::Error<T>>>,
{
    let (result, info) = happytalk_api::with_response_info(call()).await;
    match answered(result) {
        Ok(answer) => Ok(answer),
        Err(error) => Err(failure(error, info, class).await),
    }
}

/// The generated call's `result`, read top-down: one of HappyTalk's documented answers,
/// whatever status carried it (success and refusal alike: its code decides, later), with its
/// status; or the error for [`failure`].
#[expect(
    clippy::result_large_err,
    reason = "the generated client's own error, handed on once to `failure`, never stored"
)]
pub(crate) fn answered<T>(
    result: Result<ResponseValue<T>, happytalk_api::Error<T>>,
) -> Result<(T, StatusCode), happytalk_api::Error<T>> {
    match result {
        Ok(value) | Err(happytalk_api::Error::ErrorResponse(value)) => {
            let status = value.status();
            Ok((value.into_inner(), status))
        }
        Err(error) => Err(error),
    }
}

/// What a generated call that brought no documented answer comes to, with what arrived with
/// the response (`info`: the status the generated error does not keep). Reads what it needs of
/// an undocumented answer's body.
pub(crate) async fn failure<T: DeserializeOwned>(
    error: happytalk_api::Error<T>,
    info: Option<ResponseInfo>,
    class: RetryClass,
) -> Failure {
    use happytalk_api::Error as Generated;
    let error: Error = match error {
        // A documented answer is never a failure (see `answered`).
        Generated::ErrorResponse(_) => TransportError::request(
            "a documented answer was taken for a failure (a bug of happytalk-ext)".to_owned(),
        )
        .into(),
        Generated::InvalidResponsePayload(body, error) => UndecodableResponse::new(
            info.as_ref().map(ResponseInfo::status),
            why_undecodable::<T>(&body, &error),
            &body,
        )
        .into(),
        Generated::UnexpectedResponse(response) => {
            let status = response.status();
            let body = body_start(response).await;
            UndecodableResponse::new(
                Some(status),
                "the API documents no answer with this status",
                &body,
            )
            .into()
        }
        Generated::CommunicationError(error)
        | Generated::ResponseBodyError(error)
        | Generated::InvalidUpgrade(error) => TransportError::from(error).into(),
        Generated::InvalidRequest(message) | Generated::Custom(message) => {
            TransportError::request(message).into()
        }
    };
    Failure::new(error, class, info.as_ref())
}

/// The first few KiB of a body: enough for a snippet, without reading a large page whole. A
/// failure to read further changes nothing, as only the snippet is kept.
async fn body_start(mut response: reqwest::Response) -> Vec<u8> {
    const ENOUGH: usize = 4 * 1024;
    let mut body = Vec::new();
    while body.len() < ENOUGH {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// The cap on a call's total time under `policy`.
pub(crate) fn cap(policy: &RetryPolicy) -> Duration {
    policy.max_elapsed
}

/// Whether a call's first attempt needs a timer for the cap: not when the HTTP client's own
/// timeout of one exchange (`attempt_timeout`, when known) already ends it within the cap (the
/// default: 30 s within 60 s). Most calls then pay for no timer at all.
pub(crate) fn first_attempt_needs_timer(
    policy: &RetryPolicy,
    attempt_timeout: Option<Duration>,
) -> bool {
    attempt_timeout.is_none_or(|timeout| timeout > policy.max_elapsed)
}

/// The error of a call that reached the cap on its total time.
fn out_of_time(policy: &RetryPolicy) -> Error {
    TransportError::out_of_time(policy.max_elapsed).into()
}

/// Whether a first attempt's `failure` is worth another attempt that `policy` allows.
pub(crate) fn worth_retrying(policy: &RetryPolicy, failure: &Failure) -> bool {
    failure.retry.is_some() && policy.max_attempts > 1
}

/// The attempts after a first `failure` worth retrying, within what is left of the cap since
/// `started`: wait (backon's exponential bounds, full jitter, at least a `Retry-After`), try
/// again, until an attempt succeeds, fails for good, the attempts run out, or the next wait
/// would reach the cap. Returns the result, the attempts made in all (the first included) and
/// whether an attempt before the last may have reached HappyTalk.
///
/// The caller boxes this future: only a failure worth retrying gets here, and its state would
/// otherwise weigh on every call's future.
pub(crate) async fn retry<T, Fut>(
    policy: &RetryPolicy,
    started: Instant,
    trace: &CallTrace,
    failure: Failure,
    mut attempt: impl FnMut() -> Fut,
) -> (Result<T, Error>, u32, bool)
where
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut attempts = 1;
    let mut arrived = false;
    let left = policy.max_elapsed.saturating_sub(started.elapsed());
    let retried = retry_within_cap(
        policy,
        started,
        trace,
        failure,
        (&mut attempts, &mut arrived),
        &mut attempt,
    );
    let result = match tokio::time::timeout(left, retried).await {
        Ok(result) => result,
        Err(_) => Err(out_of_time(policy)),
    };
    (result, attempts, arrived)
}

/// [`retry`] without the cap's timer. Counts the attempts, and notes whether one before the
/// last may have reached HappyTalk, in `made`.
async fn retry_within_cap<T, Fut>(
    policy: &RetryPolicy,
    started: Instant,
    trace: &CallTrace,
    mut failure: Failure,
    made: (&mut u32, &mut bool),
    attempt: &mut impl FnMut() -> Fut,
) -> Result<T, Error>
where
    Fut: Future<Output = Result<T, Failure>>,
{
    let bounds = ExponentialBuilder::new()
        .with_min_delay(policy.initial_delay)
        .with_max_delay(policy.max_delay)
        .with_factor(2.0)
        .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
        .build();
    for bound in bounds {
        if failure.retry.is_none() {
            break;
        }
        let Some(left) = policy.max_elapsed.checked_sub(started.elapsed()) else {
            break;
        };
        let wait = full_jitter(bound).max(failure.retry_after.unwrap_or_default());
        // An attempt that could only start as the cap runs out would be cut off at once: end
        // now, with the failure this attempt actually met.
        if wait >= left {
            break;
        }
        trace.retrying(*made.0, wait, &failure);
        tokio::time::sleep(wait).await;
        *made.0 += 1;
        *made.1 |= failure.may_have_arrived();
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(next) => failure = next,
        }
    }
    Err(failure.error)
}

/// A wait drawn uniformly from zero to `bound`.
fn full_jitter(bound: Duration) -> Duration {
    bound.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UndecodableResponse;

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

    /// Whether an attempt before the last may have reached HappyTalk: not when every earlier
    /// one failed to connect, as `end_room` needs to know before it counts a -700 as its own.
    #[tokio::test]
    async fn a_retry_says_whether_an_earlier_attempt_may_have_arrived() {
        let policy = RetryPolicy::standard().backoff(Duration::ZERO, Duration::ZERO);
        #[cfg(feature = "tracing")]
        let trace = CallTrace::new(&happytalk_api::operations::END_ROOM, tracing::Span::none);
        #[cfg(not(feature = "tracing"))]
        let trace = CallTrace::untraced(&happytalk_api::operations::END_ROOM);
        let failure = |kind| Failure::new(transport(kind), RetryClass::SafeToRepeat, None);
        for (first, second, arrived) in [
            (
                TransportErrorKind::Connect,
                TransportErrorKind::Connect,
                false,
            ),
            (
                TransportErrorKind::Timeout,
                TransportErrorKind::Connect,
                true,
            ),
            (TransportErrorKind::Connect, TransportErrorKind::Other, true),
        ] {
            let mut next = vec![Err(failure(second)), Ok(())].into_iter();
            let started = Instant::now();
            let (result, attempts, said) = retry(&policy, started, &trace, failure(first), || {
                std::future::ready(next.next().unwrap_or(Ok(())))
            })
            .await;
            assert!(result.is_ok());
            assert_eq!((attempts, said), (3, arrived), "{first:?} then {second:?}");
        }
    }

    #[test]
    fn a_write_acted_on_is_retried_only_when_no_connection_was_made() {
        let never_twice = RetryClass::NeverTwice;
        assert!(retry_reason(&transport(TransportErrorKind::Connect), never_twice).is_some());
        for kind in [
            TransportErrorKind::Timeout,
            TransportErrorKind::Other,
            TransportErrorKind::Request,
        ] {
            assert_eq!(
                retry_reason(&transport(kind), never_twice),
                None,
                "{kind:?}"
            );
        }
        for status in [200, 408, 429, 500, 503] {
            assert_eq!(retry_reason(&undecodable(status), never_twice), None);
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
            assert!(retry_reason(&transport(kind), class).is_some(), "{kind:?}");
        }
        assert_eq!(
            retry_reason(&transport(TransportErrorKind::Request), class),
            None
        );
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(
                retry_reason(&undecodable(status), class).is_some(),
                "{status}"
            );
        }
        for status in [200, 302, 400, 404, 418] {
            assert_eq!(retry_reason(&undecodable(status), class), None, "{status}");
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
    fn a_first_attempt_gets_a_timer_only_when_the_http_timeout_does_not_end_it_within_the_cap() {
        let policy = RetryPolicy::standard().max_elapsed(Duration::from_secs(60));
        // A reqwest::Client the user built: its timeout is unknown here.
        assert!(first_attempt_needs_timer(&policy, None));
        assert!(!first_attempt_needs_timer(
            &policy,
            Some(Duration::from_secs(30))
        ));
        assert!(!first_attempt_needs_timer(
            &policy,
            Some(Duration::from_secs(60))
        ));
        assert!(first_attempt_needs_timer(
            &policy,
            Some(Duration::from_secs(120))
        ));
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
