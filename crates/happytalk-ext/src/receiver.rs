//! A receiver of what HappyTalk posts to you, for axum (feature `axum`): an [`axum::Router`]
//! serving every inbound path of the spec, every family's (the Biz `POST /message/{uuid}`, and
//! KakaoTalk's `POST /message`, `/expired_session` and `/reference`), that decodes each callback
//! and calls your async handler with it, a [`Callback`] to match on. Nest it under a secret
//! prefix of your own (the receive domain you register with HappyTalk and Kakao):
//!
//! ```no_run
//! use happytalk_ext::inbound::{Callback, DuplicateFilter};
//! use happytalk_ext::receiver::Receiver;
//! use std::time::Duration;
//!
//! # async fn run() -> std::io::Result<()> {
//! let receiver = Receiver::new(|callback: Callback| async move {
//!     match callback {
//!         Callback::Biz(message) => println!("{}: {:?}", message.uuid, message.text()),
//!         Callback::KakaoMessage(message) => println!("{}: {:?}", message.user_key, message.content),
//!         Callback::KakaoExpiredSession(ended) => println!("session {} ended", ended.session_id),
//!         _ => {}
//!     }
//!     Ok::<_, std::convert::Infallible>(())
//! })
//! .skip_duplicates(DuplicateFilter::new(100_000, Duration::from_secs(24 * 3600)));
//! // HappyTalk documents no signature: make the path unguessable (a long random segment).
//! let app = axum::Router::new().nest("/hooks/8d3f0c9e2b7a41d5", receiver.into_router());
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! What it answers (HappyTalk documents none, so these are this crate's choices):
//!
//! - **200**, no body, when your handler returns `Ok`, and when the message is a redelivery the
//!   duplicate filter caught (your handler is not called again).
//! - **503** (or the status of [`Receiver::failure_status`]) when your handler returns an error
//!   ([`HandlerError::retry`], what any error converts to): a status that says "try again
//!   later", on the assumption that HappyTalk redelivers. The callback's key is forgotten by
//!   the duplicate filter, so a redelivery is handled; so it is when your handler panics or its
//!   future is dropped (a timeout, a closed connection). The body is a fixed sentence, never
//!   your error's text (the sender is not yours to inform); [`Receiver::on_failed`] hears the
//!   error.
//! - **200** when your handler returns [`HandlerError::permanent`]: the message cannot be
//!   handled however often it comes (a room that has ended, a text your answer cannot carry),
//!   so HappyTalk should not send it again; the filter keeps its key and
//!   [`Receiver::on_failed`] hears it.
//! - The duplicate filter's key ([`Callback::duplicate_key`]): a Biz message's `msgid`, a KakaoTalk
//!   message's (`sender_key`, `serial_number`), an ended session's (`sender_key`, `session_id`);
//!   a reference is not filtered (handling it again changes nothing).
//! - **400** with the reason (`` `msgid` is missing ``, the path's uuid is not the body's, the body
//!   is not JSON) and **413** for a body over the cap (64 KiB unless set), without calling your
//!   handler. [`Receiver::on_refused`] hears about each.
//! - **405** with `Allow: POST` for another method, **404** for another path (axum's own;
//!   `on_refused` does not hear these).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use happytalk_api::Inbound;

use crate::inbound::{Callback, DuplicateStore, InboundDecoder, InboundError, StoreError};

/// What [`Receiver::on_refused`] calls.
type RefusalHook = dyn Fn(u16, &InboundError) + Send + Sync;

/// What [`Receiver::on_duplicate`] calls.
type DuplicateHook = dyn Fn(&Callback) + Send + Sync;

/// What [`Receiver::on_store_error`] calls.
type StoreHook = dyn Fn(&StoreError) + Send + Sync;

/// What [`Receiver::on_failed`] calls.
type FailureHook = dyn Fn(&str, &HandlerError) + Send + Sync;

/// The body of the answer when the handler failed.
const FAILED: &str = "the message was not handled: try again later";

/// Why a handler did not handle a message, and whether it is worth HappyTalk's sending it
/// again. Any error (anything `Display`) converts into a [`retry`](Self::retry), so `?` works
/// in a handler.
pub struct HandlerError {
    error: Box<dyn fmt::Display + Send + Sync>,
    permanent: bool,
}

impl HandlerError {
    /// A failure that may pass (a database down, a timeout): answered with the failure status,
    /// and a redelivery is handled.
    pub fn retry(error: impl fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            error: Box::new(error),
            permanent: false,
        }
    }

    /// A failure that will not pass however often the message comes: answered 200, so that
    /// HappyTalk does not send it again, and a redelivery is not handled.
    pub fn permanent(error: impl fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            error: Box::new(error),
            permanent: true,
        }
    }

    /// Whether it is a [`permanent`](Self::permanent) failure.
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }

    /// The error the handler gave.
    pub fn error(&self) -> &(dyn fmt::Display + Send + Sync) {
        &*self.error
    }
}

impl<E: fmt::Display + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self::retry(error)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("error", &self.error.to_string())
            .field("permanent", &self.permanent)
            .finish()
    }
}

/// Serves HappyTalk's inbound messages to an async handler; see the [module](self).
pub struct Receiver<H> {
    handler: H,
    decoder: InboundDecoder,
    duplicates: Option<Arc<dyn DuplicateStore>>,
    /// Whether a store that cannot answer makes the callback wait for its redelivery (503)
    /// rather than be handled without deduplication.
    strict: bool,
    failure_status: StatusCode,
    on_refused: Option<Arc<RefusalHook>>,
    on_duplicate: Option<Arc<DuplicateHook>>,
    on_failed: Option<Arc<FailureHook>>,
    on_store_error: Option<Arc<StoreHook>>,
}

impl Receiver<()> {
    /// A receiver that calls `handler` with a clone of `state` (a [`Client`](crate::Client) to
    /// answer with, a channel, a pool) and each callback.
    ///
    /// ```
    /// use happytalk_ext::inbound::Callback;
    /// use happytalk_ext::receiver::Receiver;
    /// use happytalk_ext::{ChatMessage, Client, KakaoCustomer, KakaoMessage};
    ///
    /// fn echo(client: Client) -> axum::Router {
    ///     Receiver::with_state(client, |client: Client, callback: Callback| async move {
    ///         match callback {
    ///             Callback::Biz(message) => {
    ///                 let echo = message.text().unwrap_or("(첨부)").to_owned();
    ///                 let answer = ChatMessage::text(&message.uuid, &message.room_id, echo);
    ///                 client.send_message(&answer).await.map(drop)
    ///             }
    ///             Callback::KakaoMessage(message) => {
    ///                 let customer = KakaoCustomer::new(&message.sender_key, &message.user_key);
    ///                 let echo = message.content.unwrap_or_else(|| "(첨부)".to_owned());
    ///                 client.kakao_send(&customer, KakaoMessage::text(echo)).await.map(drop)
    ///             }
    ///             _ => Ok(()),
    ///         }
    ///     })
    ///     .into_router()
    /// }
    /// ```
    pub fn with_state<S, G, F, E>(
        state: S,
        handler: G,
    ) -> Receiver<impl Fn(Callback) -> F + Send + Sync + 'static>
    where
        S: Clone + Send + Sync + 'static,
        G: Fn(S, Callback) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError> + Send + 'static,
    {
        Receiver::new(move |message| handler(state.clone(), message))
    }
}

impl<H, F, E> Receiver<H>
where
    H: Fn(Callback) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<HandlerError> + Send + 'static,
{
    /// A receiver that calls `handler` with each callback.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            decoder: InboundDecoder::new(),
            duplicates: None,
            strict: false,
            failure_status: StatusCode::SERVICE_UNAVAILABLE,
            on_refused: None,
            on_duplicate: None,
            on_failed: None,
            on_store_error: None,
        }
    }

    /// Refuses bodies over `bytes` with 413 (64 KiB unless set).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.decoder = self.decoder.max_body(bytes);
        self
    }

    /// Handles each callback once while `store` remembers its key
    /// ([`Callback::duplicate_key`]): a redelivery is answered 200 without calling the handler.
    /// The store is a [`DuplicateFilter`](crate::inbound::DuplicateFilter) (this process's
    /// memory) or, shared by every replica, a `RedisDuplicateStore` (feature `redis`).
    ///
    /// When the store cannot answer (Redis down), the callback is handled anyway (a possible
    /// duplicate is better than a lost customer message) and [`on_store_error`](Self::on_store_error)
    /// hears the fault; [`strict_duplicates`](Self::strict_duplicates) answers 503 instead.
    pub fn skip_duplicates(mut self, store: impl DuplicateStore) -> Self {
        self.duplicates = Some(Arc::new(store));
        self
    }

    /// With `true`, a callback that arrives while the duplicate store cannot answer is refused
    /// with the failure status (503 unless set), left to its redelivery, instead of being
    /// handled without deduplication. For a handler whose duplicate costs more than a delay
    /// (a payment, a message the customer must not read twice).
    pub fn strict_duplicates(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Calls `hook` each time the duplicate store fails (a claim or a release): a log line, an
    /// alert.
    pub fn on_store_error(mut self, hook: impl Fn(&StoreError) + Send + Sync + 'static) -> Self {
        self.on_store_error = Some(Arc::new(hook));
        self
    }

    /// The status answered when the handler fails and the message may be sent again (503
    /// unless set). A 2xx here would tell HappyTalk the message was taken.
    pub fn failure_status(mut self, status: StatusCode) -> Self {
        self.failure_status = status;
        self
    }

    /// Calls `hook` with the status and the reason of every request this receiver refuses
    /// before the handler (400, 413): a log line, a metric.
    pub fn on_refused(mut self, hook: impl Fn(u16, &InboundError) + Send + Sync + 'static) -> Self {
        self.on_refused = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` with each redelivery the duplicate filter caught (answered 200, the handler
    /// not called).
    pub fn on_duplicate(mut self, hook: impl Fn(&Callback) + Send + Sync + 'static) -> Self {
        self.on_duplicate = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` with the callback's [`id`](Callback::id) (a Biz `msgid`,
    /// `sender_key/serial_number`, …) and your handler's error each time the handler fails (the
    /// answer's body does not carry it).
    pub fn on_failed(mut self, hook: impl Fn(&str, &HandlerError) + Send + Sync + 'static) -> Self {
        self.on_failed = Some(Arc::new(hook));
        self
    }

    /// The router serving the spec's inbound methods and paths, every family's (the generator
    /// allows only methods axum routes, so none is lost), to nest or merge into your app's
    /// router of any state.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        let this = Arc::new(self);
        let mut router = Router::new();
        for callback in happytalk_api::INBOUND {
            let this = this.clone();
            let handler = move |Path(parameters): Path<HashMap<String, String>>,
                                request: Request| {
                let this = this.clone();
                async move {
                    // By the spec's name for it: a prefix you nest under may have parameters
                    // too.
                    let value = parameters
                        .get(callback.parameter())
                        .map_or("", String::as_str);
                    this.receive(callback, value, request.into_body()).await
                }
            };
            let method = Method::from_bytes(callback.method.as_bytes())
                .ok()
                .and_then(|method| MethodFilter::try_from(method).ok());
            if let Some(method) = method {
                router = router.route(callback.path, on(method, handler));
            }
        }
        router
    }

    async fn receive(&self, callback: &Inbound, path_value: &str, body: Body) -> Response {
        let decoded = match read_capped(body, self.decoder.limit()).await {
            Ok(bytes) => self.decoder.decode_callback(callback, path_value, &bytes),
            Err(refused) => Err(refused),
        };
        let callback = match decoded {
            Ok(callback) => callback,
            Err(refused) => {
                let status = refused.status();
                if let Some(hook) = &self.on_refused {
                    hook(status, &refused);
                }
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                return (status, refused.to_string()).into_response();
            }
        };
        let key = callback.duplicate_key();
        let id = callback.id();
        let store = self.duplicates.clone().filter(|_| key.is_some());
        let mut claimed = false;
        if let (Some(store), Some(key)) = (&store, &key) {
            match store.claim(key).await {
                Ok(true) => claimed = true,
                Ok(false) => {
                    if let Some(hook) = &self.on_duplicate {
                        hook(&callback);
                    }
                    return StatusCode::OK.into_response();
                }
                Err(fault) => {
                    self.store_failed(&fault);
                    if self.strict {
                        return (self.failure_status, FAILED).into_response();
                    }
                }
            }
        }
        // Until the handler has said, the claim on the key is undone by a drop: a panic or a
        // dropped future leaves the callback to its redelivery.
        let mut claim = Claim {
            store: store.filter(|_| claimed),
            key: key.unwrap_or_default(),
            keep: false,
        };
        let failed: HandlerError = match (self.handler)(callback).await {
            Ok(()) => {
                claim.keep = true;
                return StatusCode::OK.into_response();
            }
            Err(failed) => failed.into(),
        };
        claim.keep = failed.is_permanent();
        if !claim.keep
            && let Some(store) = claim.store.take()
            && let Err(fault) = store.release(&claim.key).await
        {
            self.store_failed(&fault);
        }
        if let Some(hook) = &self.on_failed {
            hook(&id, &failed);
        }
        #[cfg(feature = "tracing")]
        tracing::warn!(
            id = id.as_str(),
            permanent = failed.is_permanent(),
            "the handler of an inbound HappyTalk callback failed"
        );
        if failed.is_permanent() {
            StatusCode::OK.into_response()
        } else {
            (self.failure_status, FAILED).into_response()
        }
    }

    /// Tells the hook, and the log, that the duplicate store failed.
    fn store_failed(&self, fault: &StoreError) {
        if let Some(hook) = &self.on_store_error {
            hook(fault);
        }
        #[cfg(feature = "tracing")]
        tracing::warn!(error = %fault, "the duplicate store of a HappyTalk receiver failed");
    }
}

struct Claim {
    store: Option<Arc<dyn DuplicateStore>>,
    key: String,
    keep: bool,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let (false, Some(store)) = (self.keep, self.store.take()) else {
            return;
        };
        // From a destructor nothing can be awaited: a store that cannot release at once
        // releases in a task of its own.
        if !store.release_now(&self.key)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let key = std::mem::take(&mut self.key);
            runtime.spawn(async move {
                let _ = store.release(&key).await;
            });
        }
    }
}

/// The body, read up to `limit` bytes: never more than that (and one frame) in memory,
/// whatever the sender declares or sends.
async fn read_capped(body: Body, limit: usize) -> Result<axum::body::Bytes, InboundError> {
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(InboundError::too_large(limit))
        }
        Err(error) => Err(InboundError::unreadable(error.to_string())),
    }
}
