//! A receiver of HappyTalk's inbound messages for axum (feature `axum`): an [`axum::Router`]
//! serving the spec's inbound path (`POST /message/{uuid}`) that decodes each message and calls
//! your async handler with it. Nest it under a secret prefix of your own:
//!
//! ```no_run
//! use happytalk_ext::inbound::{DuplicateFilter, InboundMessage};
//! use happytalk_ext::receiver::Receiver;
//! use std::time::Duration;
//!
//! # async fn run() -> std::io::Result<()> {
//! let receiver = Receiver::new(|message: InboundMessage| async move {
//!     println!("{}: {:?}", message.uuid, message.text());
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
//! - **503** (or the status of [`Receiver::failure_status`]) when your handler returns `Err`: a
//!   status that says "try again later", on the assumption that HappyTalk redelivers. The
//!   message's `msgid` is forgotten by the duplicate filter, so a redelivery is handled. The
//!   body is a fixed sentence, never your error's text (the sender is not yours to inform);
//!   [`Receiver::on_failed`] hears the error.
//! - **400** with the reason (`` `msgid` is missing ``, the path's uuid is not the body's, the body
//!   is not JSON) and **413** for a body over the cap (64 KiB unless set), without calling your
//!   handler. [`Receiver::on_refused`] hears about each.
//! - **405** with `Allow: POST` for another method, **404** for another path (axum's own).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use happytalk_api::inbound;

use crate::inbound::{DuplicateFilter, InboundDecoder, InboundError, InboundMessage};

/// What [`Receiver::on_refused`] calls.
type RefusalHook = dyn Fn(u16, &InboundError) + Send + Sync;

/// What [`Receiver::on_failed`] calls.
type FailureHook = dyn Fn(&str, &str) + Send + Sync;

/// The body of the answer when the handler failed.
const FAILED: &str = "the message was not handled: try again later";

/// Serves HappyTalk's inbound messages to an async handler; see the [module](self).
pub struct Receiver<H> {
    handler: H,
    decoder: InboundDecoder,
    duplicates: Option<Arc<DuplicateFilter>>,
    failure_status: StatusCode,
    on_refused: Option<Arc<RefusalHook>>,
    on_failed: Option<Arc<FailureHook>>,
}

impl Receiver<()> {
    /// A receiver that calls `handler` with a clone of `state` (a [`Client`](crate::Client) to
    /// answer with, a channel, a pool) and each message.
    ///
    /// ```
    /// use happytalk_ext::inbound::InboundMessage;
    /// use happytalk_ext::receiver::Receiver;
    /// use happytalk_ext::{ChatMessage, Client};
    ///
    /// fn echo(client: Client) -> axum::Router {
    ///     Receiver::with_state(client, |client: Client, message: InboundMessage| async move {
    ///         let echo = message.text().unwrap_or("(첨부)").to_owned();
    ///         let answer = ChatMessage::text(&message.uuid, &message.room_id, echo);
    ///         client.send_message(&answer).await.map(drop)
    ///     })
    ///     .into_router()
    /// }
    /// ```
    pub fn with_state<S, G, F, E>(
        state: S,
        handler: G,
    ) -> Receiver<impl Fn(InboundMessage) -> F + Clone + Send + Sync + 'static>
    where
        S: Clone + Send + Sync + 'static,
        G: Fn(S, InboundMessage) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        Receiver::new(move |message| handler(state.clone(), message))
    }
}

impl<H, F, E> Receiver<H>
where
    H: Fn(InboundMessage) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    /// A receiver that calls `handler` with each message.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            decoder: InboundDecoder::new(),
            duplicates: None,
            failure_status: StatusCode::SERVICE_UNAVAILABLE,
            on_refused: None,
            on_failed: None,
        }
    }

    /// Refuses bodies over `bytes` with 413 (64 KiB unless set).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.decoder = self.decoder.max_body(bytes);
        self
    }

    /// Handles each `msgid` once while `filter` remembers it: a redelivery is answered 200
    /// without calling the handler.
    pub fn skip_duplicates(mut self, filter: DuplicateFilter) -> Self {
        self.duplicates = Some(Arc::new(filter));
        self
    }

    /// The status answered when the handler fails (503 unless set; out of 400–599 it stays
    /// 503).
    pub fn failure_status(mut self, status: u16) -> Self {
        if let Ok(status) = StatusCode::from_u16(status)
            && (status.is_client_error() || status.is_server_error())
        {
            self.failure_status = status;
        }
        self
    }

    /// Calls `hook` with the status and the reason of every request refused before the
    /// handler (a log line, a metric).
    pub fn on_refused(mut self, hook: impl Fn(u16, &InboundError) + Send + Sync + 'static) -> Self {
        self.on_refused = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` with the `msgid` and your error's text each time the handler fails (the
    /// answer's body does not carry it).
    pub fn on_failed(mut self, hook: impl Fn(&str, &str) + Send + Sync + 'static) -> Self {
        self.on_failed = Some(Arc::new(hook));
        self
    }

    /// The router serving the spec's inbound method and path (the generator allows only
    /// methods axum routes, so none is lost).
    pub fn into_router(self) -> Router {
        let this = Arc::new(self);
        let handler = move |Path(uuid): Path<String>, request: Request| {
            let this = this.clone();
            async move { this.receive(&uuid, request.into_body()).await }
        };
        let method = Method::from_bytes(inbound::MESSAGE.method.as_bytes())
            .ok()
            .and_then(|method| MethodFilter::try_from(method).ok());
        match method {
            Some(method) => Router::new().route(inbound::MESSAGE.path, on(method, handler)),
            None => Router::new(),
        }
    }

    async fn receive(&self, uuid: &str, body: Body) -> Response {
        let decoded = match read_capped(body, self.decoder.limit()).await {
            Ok(bytes) => self.decoder.decode(uuid, &bytes),
            Err(refused) => Err(refused),
        };
        let message = match decoded {
            Ok(message) => message,
            Err(refused) => {
                let status = refused.status();
                if let Some(hook) = &self.on_refused {
                    hook(status, &refused);
                }
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                return (status, refused.to_string()).into_response();
            }
        };
        let msgid = message.msgid.clone();
        if let Some(filter) = &self.duplicates
            && !filter.first_time(&msgid)
        {
            return StatusCode::OK.into_response();
        }
        match (self.handler)(message).await {
            Ok(()) => StatusCode::OK.into_response(),
            Err(failed) => {
                if let Some(filter) = &self.duplicates {
                    filter.forget(&msgid);
                }
                if let Some(hook) = &self.on_failed {
                    hook(&msgid, &failed.to_string());
                }
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    status = self.failure_status.as_u16(),
                    msgid = msgid.as_str(),
                    "the handler of an inbound HappyTalk message failed"
                );
                (self.failure_status, FAILED).into_response()
            }
        }
    }
}

/// The body, read frame by frame up to `limit` bytes: never more than that (and one frame) in
/// memory, whatever the sender declares or sends.
async fn read_capped(body: Body, limit: usize) -> Result<Vec<u8>, InboundError> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| InboundError::unreadable(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(InboundError::too_large(limit));
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}
