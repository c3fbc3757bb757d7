//! [`with_response_info`] and [`response_info`]: what arrived with a response besides its
//! body, including the one case progenitor does not keep it (an answer whose body does not
//! decode, or could not be read).
//!
//! The route is a safe slot, written only when a body fails: `cargo xtask generate` has every
//! generated operation read its body through [`decode`] (the steps of progenitor's
//! `ResponseValue::from_response`, plus this), which puts the status and `Retry-After` of a
//! body that fails into a thread-local slot right before the operation returns the error. The
//! operation's future then completes in that same poll, on that thread, with nothing in
//! between; [`response_info`], called right after it completes, takes the slot. Every other
//! result carries its status itself (a `ResponseValue`, an unexpected `Response`), so a call
//! whose body decodes pays nothing here, and no pointer is shared.
//!
//! Why not another route: progenitor's `InvalidResponsePayload` keeps the body and the decoding
//! error but not the status, and its hooks can only fail a call, not add to its result. A
//! change upstream (the status in that variant) would remove the slot.

use std::cell::RefCell;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use progenitor_client::{Error, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;

/// What arrived with a response besides its body: the status and the `Retry-After` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseInfo {
    status: StatusCode,
    retry_after: Option<HeaderValue>,
}

impl ResponseInfo {
    /// The status and, for a response that is not a success, the `Retry-After` in `headers`.
    fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status,
            // Only a refusal asks to be retried later; a success needs no lookup.
            retry_after: match status.is_success() {
                true => None,
                false => headers.get(RETRY_AFTER).cloned(),
            },
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Retry-After` header of a response that is not a success (2xx), as sent, if any
    /// (seconds or an HTTP date; HappyTalk documents none). A success's is not read.
    pub fn retry_after(&self) -> Option<&HeaderValue> {
        self.retry_after.as_ref()
    }
}

thread_local! {
    /// What arrived with the body that failed last on this thread, until [`response_info`]
    /// takes it.
    static FAILED_BODY: RefCell<Option<ResponseInfo>> = const { RefCell::new(None) };
}

/// What every generated operation reads a body with (`cargo xtask generate` rewrites its calls
/// of progenitor's `ResponseValue::from_response`): the same steps, the same result, and when
/// the body cannot be read or does not decode, what arrived with it goes to the slot that
/// [`response_info`] takes. Written out rather than wrapped around `from_response`, so that a
/// body that decodes costs exactly what it did.
pub(crate) async fn decode<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let failed = |headers: &HeaderMap| FAILED_BODY.set(Some(ResponseInfo::new(status, headers)));
    let full = match response.bytes().await {
        Ok(full) => full,
        Err(error) => {
            failed(&headers);
            return Err(Error::ResponseBodyError(error));
        }
    };
    match serde_json::from_slice(&full) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(error) => {
            failed(&headers);
            Err(Error::InvalidResponsePayload(full, error))
        }
    }
}

/// What arrived with the response a generated call's `result` came from: its status and
/// `Retry-After`; `None` when no response arrived (a connection that failed, a request that
/// could not be built).
///
/// For a body that did not decode or could not be read, progenitor's error keeps no status;
/// it is taken from where the generated call left it, which holds **only until anything else
/// runs on this thread**: call this right after the call's future completed, before the next
/// `.await` (as `let result = call.await; let info = response_info(&result);` does), or use
/// [`with_response_info`], which does so. Called later, such a result may give `None`, or the
/// status of another call's failed body.
pub fn response_info<T, E>(result: &Result<ResponseValue<T>, Error<E>>) -> Option<ResponseInfo> {
    match result {
        Ok(value) => Some(ResponseInfo::new(value.status(), value.headers())),
        Err(Error::ErrorResponse(value)) => {
            Some(ResponseInfo::new(value.status(), value.headers()))
        }
        Err(Error::UnexpectedResponse(response)) => {
            Some(ResponseInfo::new(response.status(), response.headers()))
        }
        Err(Error::InvalidResponsePayload(..) | Error::ResponseBodyError(_)) => FAILED_BODY.take(),
        Err(
            Error::CommunicationError(_)
            | Error::InvalidRequest(_)
            | Error::InvalidUpgrade(_)
            | Error::Custom(_),
        ) => None,
    }
}

/// Runs one call of the generated client and also returns what arrived with its response
/// besides the body ([`ResponseInfo`]: the status and `Retry-After`; `None` when no response
/// arrived).
///
/// progenitor's [`Error::InvalidResponsePayload`](crate::Error::InvalidResponsePayload) keeps
/// the body but not the status; a caller that reports an undecodable response, or decides
/// whether to retry it, needs both. Each call gets its own, whether calls run one after
/// another, interleaved on one thread, or on a runtime that moves them between threads.
///
/// ```no_run
/// # async fn f(client: &happytalk_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use happytalk_api::{Error, types::SystemMessagesSenderKey};
///
/// let sender_key = SystemMessagesSenderKey::try_from("sender-key")?;
/// let call = client.system_messages(None, &sender_key);
/// let (result, info) = happytalk_api::with_response_info(call).await;
/// if let Err(Error::InvalidResponsePayload(body, _)) = result {
///     let status = info.map(|info| info.status());
///     eprintln!("HTTP {status:?} sent {} bytes that do not decode", body.len());
/// }
/// # Ok(())
/// # }
/// ```
pub fn with_response_info<T, E, F>(
    call: F,
) -> impl Future<Output = (Result<ResponseValue<T>, Error<E>>, Option<ResponseInfo>)>
where
    F: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    Recorded { call }
}

pin_project_lite::pin_project! {
    /// `call`, then [`response_info`] of its result in the poll that completed it. A
    /// hand-written future rather than an `async` block: the block would hold `call` twice (as
    /// captured and as awaited), doubling the size of every call's future.
    struct Recorded<F> {
        #[pin]
        call: F,
    }
}

impl<T, E, F> Future for Recorded<F>
where
    F: Future<Output = Result<ResponseValue<T>, Error<E>>>,
{
    type Output = (F::Output, Option<ResponseInfo>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = ready!(self.project().call.poll(cx));
        let info = response_info(&result);
        Poll::Ready((result, info))
    }
}

#[cfg(test)]
mod tests {
    //! [`decode`] and [`response_info`] on hand-made responses: no network, no timing.

    use std::task::Waker;

    use super::*;

    type Answer = serde_json::Value;
    type Result = std::result::Result<ResponseValue<Answer>, Error<Answer>>;

    fn response(status: u16, body: &str) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder()
                .status(status)
                .header("retry-after", "7")
                .body(body.as_bytes().to_vec())
                .expect("a response"),
        )
    }

    /// What a generated call does with `response`: decode it, whatever its status.
    fn call(status: u16, body: &str) -> impl Future<Output = Result> {
        decode::<Answer, Answer>(response(status, body))
    }

    fn seen(info: Option<ResponseInfo>) -> Option<(u16, Option<String>)> {
        info.map(|info| {
            let retry_after = info.retry_after().map(|v| v.to_str().unwrap().to_owned());
            (info.status().as_u16(), retry_after)
        })
    }

    /// Polls `future` to its end; the hand-made bodies are ready at once.
    fn run<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("ready at once"),
        }
    }

    fn slot_is_empty() -> bool {
        FAILED_BODY.with_borrow(Option::is_none)
    }

    #[test]
    fn a_decoded_body_gives_its_own_status_and_leaves_the_slot_alone() {
        let (result, info) = run(with_response_info(call(200, "{}")));
        assert!(result.is_ok());
        // A success's `Retry-After` is not read.
        assert_eq!(seen(info), Some((200, None)));
        let (_, info) = run(with_response_info(call(503, "{}")));
        assert_eq!(seen(info), Some((503, Some("7".to_owned()))));
        assert!(slot_is_empty());
    }

    #[test]
    fn a_body_that_does_not_decode_gives_its_status_and_retry_after_once() {
        let (result, info) = run(with_response_info(call(503, "<html>busy</html>")));
        assert!(matches!(result, Err(Error::InvalidResponsePayload(..))));
        assert_eq!(seen(info), Some((503, Some("7".to_owned()))));
        assert!(slot_is_empty(), "taken");
        let (_, info) = run(with_response_info(call(200, "not json")));
        assert_eq!(seen(info), Some((200, None)));
    }

    #[test]
    fn a_failed_body_nobody_asked_about_is_not_the_next_calls() {
        // A call awaited without `with_response_info` leaves its failed body in the slot.
        let _ = run(call(429, "<html>slow down</html>"));
        assert!(!slot_is_empty());
        // The next call's own result says what arrived with it: a decoded body its own status,
        let (_, info) = run(with_response_info(call(200, "{}")));
        assert_eq!(seen(info), Some((200, None)));
        // and a failed body overwrites what was left before it is taken.
        let (_, info) = run(with_response_info(call(502, "<html>bad gateway</html>")));
        assert_eq!(seen(info), Some((502, Some("7".to_owned()))));
        assert!(slot_is_empty());
    }

    #[test]
    fn no_response_gives_nothing() {
        let result: Result = Err(Error::InvalidRequest("no URL".to_owned()));
        assert_eq!(response_info(&result), None);
    }
}
