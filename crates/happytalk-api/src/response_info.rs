//! [`with_response_info`] and [`poll_recording`]: what arrived with a response besides its
//! body, for the one case progenitor does not keep it (an answer whose body does not decode).
//!
//! The route is a safe slot: the [`ClientHooks::exec`](progenitor_client::ClientHooks::exec)
//! hook sees every response before it is decoded and records its status into the slot of the
//! call being polled. Calls are told apart by how deeply their polls nest on the thread: a
//! call polled through [`poll_recording`] occupies the next depth while it is polled, and reads
//! what was recorded at its depth right after. Polls nest strictly on one thread's stack, so the depth is the call's
//! for the length of the poll, on any runtime and across threads between polls; no pointer is
//! shared and no `unsafe` is needed.
//!
//! Why not another route: progenitor's `InvalidResponsePayload` keeps the body and the decoding
//! error but not the status, and its hooks can only fail a call, not add to its result. A
//! change upstream (the status in that variant) would remove the need for all of this; until
//! a release carries one, the slot costs a few hundred instructions a call (see the bench).

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use reqwest::StatusCode;
use reqwest::header::{HeaderValue, RETRY_AFTER};

/// What arrived with a response besides its body: the status and the `Retry-After` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseInfo {
    status: StatusCode,
    retry_after: Option<HeaderValue>,
}

impl ResponseInfo {
    /// What `response` says besides its body.
    pub(crate) fn of(response: &reqwest::Response) -> Self {
        let status = response.status();
        Self {
            status,
            // Only a refusal asks to be retried later; a success needs no lookup.
            retry_after: match status.is_success() {
                true => None,
                false => response.headers().get(RETRY_AFTER).cloned(),
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
    /// How many [`poll_recording`] polls are under way on this thread, nested; the innermost is the
    /// call an `exec` running now belongs to.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// What was recorded at each depth during the poll under way there.
    static RECORDED: RefCell<Vec<Option<ResponseInfo>>> = const { RefCell::new(Vec::new()) };
    /// Bit `d` set: something was recorded at depth `d` (below 64) during the poll under way
    /// there. A poll that recorded nothing (most of them) then reads one bit, not the list.
    static RECORDED_AT: Cell<u64> = const { Cell::new(0) };
}

/// The bit of `depth` in [`RECORDED_AT`], for the depths it covers.
fn bit(depth: usize) -> Option<u64> {
    1_u64.checked_shl(u32::try_from(depth).ok()?)
}

/// Records what arrived with a response for the call being polled; outside
/// [`with_response_info`] there is nowhere to record it, and nothing to do.
pub(crate) fn record(response: &reqwest::Response) {
    let depth = DEPTH.get();
    if depth == 0 {
        return;
    }
    let info = ResponseInfo::of(response);
    RECORDED.with_borrow_mut(|slots| {
        if slots.len() < depth {
            slots.resize(depth, None);
        }
        slots[depth - 1] = Some(info);
    });
    if let Some(bit) = bit(depth - 1) {
        RECORDED_AT.set(RECORDED_AT.get() | bit);
    }
}

/// Runs one call of the generated client and also returns what arrived with its response
/// besides the body ([`ResponseInfo`]: the status and `Retry-After`; `None` when no response
/// arrived).
///
/// progenitor's [`Error::InvalidResponsePayload`](crate::Error::InvalidResponsePayload) keeps
/// the body but not the status; a caller that reports an undecodable response, or decides
/// whether to retry it, needs both. The information is recorded per call, so concurrent calls
/// do not see each other's, on any runtime (see the module's source for how).
///
/// ```no_run
/// # async fn f(client: &happytalk_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use happytalk_api::{Error, types::GetSystemMessagesSenderKey};
///
/// let sender_key = GetSystemMessagesSenderKey::try_from("sender-key")?;
/// let call = client.get_system_messages(None, &sender_key);
/// let (result, info) = happytalk_api::with_response_info(call).await;
/// if let Err(Error::InvalidResponsePayload(body, _)) = result {
///     let status = info.map(|info| info.status());
///     eprintln!("HTTP {status:?} sent {} bytes that do not decode", body.len());
/// }
/// # Ok(())
/// # }
/// ```
pub fn with_response_info<F: Future>(
    call: F,
) -> impl Future<Output = (F::Output, Option<ResponseInfo>)> {
    Recorded { call, info: None }
}

pin_project_lite::pin_project! {
    /// `call`, then what [`record`] recorded for it. A hand-written future rather than an
    /// `async` block: the block would hold `call` twice (as captured and as awaited), doubling
    /// the size of every call's future.
    struct Recorded<F> {
        #[pin]
        call: F,
        info: Option<ResponseInfo>,
    }
}

impl<F: Future> Future for Recorded<F> {
    type Output = (F::Output, Option<ResponseInfo>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let output = ready!(poll_recording(this.call, cx, this.info));
        Poll::Ready((output, this.info.take()))
    }
}

/// [`with_response_info`] for a caller that polls the call where it lies, rather than moving
/// it into one more future: polls `call` once and, when its response arrived during this
/// poll, puts what arrived with it into `info`. Poll every time through this function, and
/// read `info` once `call` is ready.
///
/// ```no_run
/// # async fn f(client: &happytalk_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use happytalk_api::types::GetSystemMessagesSenderKey;
///
/// let sender_key = GetSystemMessagesSenderKey::try_from("sender-key")?;
/// let mut info = None;
/// let mut call = std::pin::pin!(client.get_system_messages(None, &sender_key));
/// let result =
///     std::future::poll_fn(|cx| happytalk_api::poll_recording(call.as_mut(), cx, &mut info))
///         .await;
/// println!("{:?} after HTTP {:?}", result.is_ok(), info.map(|info| info.status()));
/// # Ok(())
/// # }
/// ```
pub fn poll_recording<F: Future>(
    call: Pin<&mut F>,
    cx: &mut Context<'_>,
    info: &mut Option<ResponseInfo>,
) -> Poll<F::Output> {
    // The next depth is this call's for the length of the poll; it is given back on return
    // and on unwind alike.
    struct Leave(usize);
    impl Drop for Leave {
        fn drop(&mut self) {
            DEPTH.set(self.0);
        }
    }
    let depth = DEPTH.get();
    // Whatever a poll at this depth left (one that panicked, say) is not this call's.
    let bit = bit(depth);
    match bit {
        Some(bit) => RECORDED_AT.set(RECORDED_AT.get() & !bit),
        None => RECORDED.with_borrow_mut(|slots| {
            if let Some(slot) = slots.get_mut(depth) {
                *slot = None;
            }
        }),
    }
    let leave = Leave(depth);
    DEPTH.set(depth + 1);
    let output = call.poll(cx);
    drop(leave);
    if bit.is_none_or(|bit| RECORDED_AT.get() & bit != 0) {
        if let Some(bit) = bit {
            RECORDED_AT.set(RECORDED_AT.get() & !bit);
        }
        let recorded = RECORDED.with_borrow_mut(|slots| slots.get_mut(depth)?.take());
        if let Some(recorded) = recorded {
            *info = Some(recorded);
        }
    }
    output
}

#[cfg(test)]
mod tests {
    //! The slot's bookkeeping with hand-written calls that record directly: no network, no
    //! timing, so that every case is exact.

    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::task::Waker;

    use super::*;

    fn response(status: u16) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder()
                .status(status)
                .header("retry-after", "7")
                .body(Vec::<u8>::new())
                .expect("a response"),
        )
    }

    fn status(info: Option<ResponseInfo>) -> Option<u16> {
        info.map(|info| info.status().as_u16())
    }

    /// Polls `future` once with a waker that does nothing.
    fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    fn nothing_recording() -> bool {
        DEPTH.get() == 0
    }

    /// Nested recordings 70 deep: the depths past the bitmask's 64 are read from the list.
    #[test]
    fn recordings_nested_deeper_than_the_bitmask_keep_their_own() {
        fn nest(depth: u16, cx: &mut Context<'_>) -> Vec<u16> {
            let mut call = Box::pin(with_response_info(std::future::poll_fn(|cx| {
                let inner = if depth > 0 {
                    nest(depth - 1, cx)
                } else {
                    Vec::new()
                };
                record(&response(200 + depth));
                Poll::Ready(inner)
            })));
            let Poll::Ready((mut statuses, info)) = call.as_mut().poll(cx) else {
                panic!("ready at once");
            };
            statuses.push(status(info).expect("recorded"));
            statuses
        }
        let statuses = nest(70, &mut Context::from_waker(Waker::noop()));
        assert_eq!(statuses, (200..=270).collect::<Vec<u16>>());
        assert!(nothing_recording());
    }

    #[test]
    fn outside_a_recording_nothing_is_recorded_anywhere() {
        record(&response(503));
        assert!(nothing_recording());
        assert!(RECORDED.with_borrow(|slots| slots.iter().all(Option::is_none)));
    }

    #[test]
    fn a_recording_gives_the_last_thing_its_call_recorded_and_leaves_nothing_behind() {
        let mut polls = 0;
        let mut recorded = std::pin::pin!(with_response_info(std::future::poll_fn(|_| {
            polls += 1;
            match polls {
                1 => {
                    record(&response(503));
                    Poll::Pending
                }
                _ => {
                    record(&response(200));
                    Poll::Ready("answer")
                }
            }
        })));
        assert!(poll_once(recorded.as_mut()).is_pending());
        assert!(nothing_recording());
        let Poll::Ready((output, info)) = poll_once(recorded.as_mut()) else {
            panic!("ready on the second poll");
        };
        assert_eq!((output, status(info.clone())), ("answer", Some(200)));
        assert_eq!(info.and_then(|i| i.retry_after().cloned()), None);
        assert!(nothing_recording());
    }

    #[test]
    fn what_was_recorded_in_an_earlier_poll_is_kept_to_the_end() {
        let mut polls = 0;
        let mut recorded = std::pin::pin!(with_response_info(std::future::poll_fn(|_| {
            polls += 1;
            if polls == 1 {
                record(&response(429));
                return Poll::Pending;
            }
            Poll::Ready(())
        })));
        assert!(poll_once(recorded.as_mut()).is_pending());
        let Poll::Ready(((), info)) = poll_once(recorded.as_mut()) else {
            panic!("ready on the second poll");
        };
        let info = info.expect("recorded in the first poll");
        assert_eq!(info.status().as_u16(), 429);
        assert_eq!(info.retry_after(), Some(&HeaderValue::from_static("7")));
    }

    /// An outer recording whose call records 503 and polls an inner recording (its call
    /// records 429), in the order `inner_first` says, all in one poll.
    fn nested(inner_first: bool) -> (Option<u16>, Option<u16>) {
        let mut inner = Box::pin(with_response_info(std::future::poll_fn(|_| {
            record(&response(429));
            Poll::Ready(())
        })));
        let mut inner_info = None;
        let outer_info = {
            let mut outer = std::pin::pin!(with_response_info(std::future::poll_fn(|cx| {
                if !inner_first {
                    record(&response(503));
                }
                let Poll::Ready(((), recorded)) = inner.as_mut().poll(cx) else {
                    panic!("the inner call is ready at once");
                };
                inner_info = recorded;
                if inner_first {
                    record(&response(503));
                }
                Poll::Ready(())
            })));
            let Poll::Ready(((), outer_info)) = poll_once(outer.as_mut()) else {
                panic!("ready at once");
            };
            outer_info
        };
        assert!(nothing_recording());
        (status(outer_info), status(inner_info))
    }

    #[test]
    fn nested_recordings_keep_their_own_whichever_records_first() {
        assert_eq!(nested(false), (Some(503), Some(429)));
        assert_eq!(nested(true), (Some(503), Some(429)));
    }

    #[test]
    fn a_panicking_call_gives_the_enclosing_recording_back_its_depth() {
        let mut panicking = Box::pin(with_response_info(std::future::poll_fn(|_| -> Poll<()> {
            record(&response(429));
            panic!("a call that panics while it is polled")
        })));
        let mut outer = std::pin::pin!(with_response_info(std::future::poll_fn(|cx| {
            let caught = catch_unwind(AssertUnwindSafe(|| panicking.as_mut().poll(cx)));
            assert!(caught.is_err());
            record(&response(503));
            Poll::Ready(())
        })));
        let Poll::Ready(((), info)) = poll_once(outer.as_mut()) else {
            panic!("ready at once");
        };
        assert_eq!(status(info), Some(503));
        assert!(nothing_recording());
    }

    #[test]
    fn a_panicked_polls_leftover_is_not_the_next_calls() {
        let caught = catch_unwind(|| {
            let mut panicking =
                Box::pin(with_response_info(std::future::poll_fn(|_| -> Poll<()> {
                    record(&response(429));
                    panic!("a call that panics while it is polled")
                })));
            let _ = poll_once(panicking.as_mut());
        });
        assert!(caught.is_err());
        assert!(nothing_recording());
        let mut quiet = std::pin::pin!(with_response_info(std::future::ready(())));
        let Poll::Ready(((), info)) = poll_once(quiet.as_mut()) else {
            panic!("ready at once");
        };
        assert_eq!(info, None);
    }

    #[test]
    fn a_recording_dropped_while_pending_leaves_nothing_to_write_into() {
        let mut recorded = Box::pin(with_response_info(std::future::poll_fn(|_| -> Poll<()> {
            record(&response(503));
            Poll::Pending
        })));
        assert!(poll_once(recorded.as_mut()).is_pending());
        // Cancelled, as a timeout cancels a call.
        drop(recorded);
        assert!(nothing_recording());
        record(&response(500));
        assert!(nothing_recording());
    }
}
