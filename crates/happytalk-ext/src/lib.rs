//! The HappyTalk (해피톡) API client for Rust: send chat messages into counselling rooms and look
//! up Kakao BizMessage system messages.
//!
//! - One [`Client`] for every operation: each goes to the host of its family ([`HostFamily`]:
//!   chat to the Biz host, system messages to the Kakao host), in the [`Environment`] you pick
//!   (production, patch, or your own base URLs).
//! - [`ChatMessage`] cannot be built with the wrong field for its type, and is validated
//!   (lengths in characters, the URL) before any byte goes on the wire.
//! - Every failure is one [`Error`]: a validation error names the field and the rule; a
//!   HappyTalk failure code becomes a typed [`ApiError`] whether it arrived with HTTP 200 or
//!   4xx/5xx; transport and undecodable answers are told apart.
//! - Code tables ([`SystemMessageStatus`], [`SystemMessageType`], …) and result codes
//!   ([`BizResultCode`], [`KakaoResultCode`]) decode values HappyTalk has not documented yet as
//!   `Unknown`, keeping them, instead of failing the response. They, the system-message types
//!   and every limit are generated from the spec, in [`happytalk_api`], and re-exported here.
//! - The client secret never appears in `Debug`, `Display` or an error.
//! - Safe retries, on by default ([`RetryPolicy`], [`retry`]): reads are retried on what may
//!   pass on a second try; a message is resent only when it provably never left.
//! - With the default feature `tracing`, a span per call and an event per retry (see the
//!   repository README), never with the secret, the message text or the customer uuid.
//!
//! Every call goes through the generated [`happytalk_api`] client and one call path driven by
//! the spec's operation table (host family, retry class); this crate adds no HTTP code of its
//! own.
//!
//! ```no_run
//! use happytalk_ext::{BizResultCode, ChatMessage, Client, Credentials, Environment, Error};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::new(
//!     Environment::Patch,
//!     Credentials::new("my-client-id", std::env::var("HT_CLIENT_SECRET").unwrap_or_default()),
//! )?;
//!
//! // 메시지 발신
//! let message = ChatMessage::text("cust-0001", "1234567", "안녕하세요, 문의드립니다.");
//! match client.send_message(&message).await {
//!     Ok(room_id) => println!("sent into room {room_id}"),
//!     Err(Error::Api(e)) if e.code().counselling_unavailable() => {
//!         println!("no counsellor; the customer saw: {:?}", e.notice());
//!     }
//!     Err(Error::Api(e)) if *e.code() == BizResultCode::Unauthorized => {
//!         eprintln!("check the credentials: {e}");
//!     }
//!     Err(e) => return Err(e),
//! }
//!
//! // 시스템 메시지 조회
//! for system_message in client.system_messages("my-sender-key").await? {
//!     for message in system_message.messages.iter().flatten() {
//!         println!("{:?}: {:?}", message.message_type, message.content);
//!     }
//! }
//! let one = client.system_message("my-sender-key", 175).await?;
//! # let _ = one;
//! # Ok(())
//! # }
//! ```
//!
//! # TLS
//!
//! `https://` goes through rustls with the platform's root certificates (no OpenSSL), and
//! [`ClientBuilder::add_root_certificate`] adds a [`RootCertificate`] to trust. Pick the crypto
//! with a feature:
//!
//! - `rustls` (default): aws-lc-rs, reqwest's default provider.
//! - `rustls-ring`: the `ring` provider instead, set on this crate's own `reqwest::Client` (no
//!   process-wide default provider is installed). It spares a build of aws-lc-sys, whose C
//!   and assembly are about a third of a cold release build. Turn the default off to get it
//!   alone: `happytalk-ext = { …, default-features = false, features = ["rustls-ring"] }`.
//!
//! With no TLS feature, bring a `reqwest::Client` that has TLS
//! ([`ClientBuilder::http_client`]).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod call;
mod client;
mod error;
pub mod inbound;
pub mod kakao;
mod message;
#[cfg(feature = "axum")]
pub mod receiver;
pub mod retry;
mod room;
mod telemetry;
mod tls;

pub use client::{
    Client, ClientBuilder, Credentials, CustomHosts, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    Environment,
};
pub use error::{
    ApiError, ConfigurationError, Error, Rule, SERVER_TEXT_CHARS, TransportError,
    TransportErrorKind, UndecodableResponse, ValidationError, with_causes,
};
pub use happytalk_api::types::{Button, Comment, Message, SystemMessage};
pub use happytalk_api::{
    BizResultCode, ChatBubbleType, CommentStatus, CounselResultCode, CounselorAvailability,
    EndType, FileContent, HostFamily, InspectStatus, KakaoInboundType, KakaoResultCode,
    KstTimestamp, LinkType, PhoneOs, RawValue, ResultCode, SerialNumber, SystemMessageStatus,
    SystemMessageType, requests,
};
pub use kakao::{KakaoCustomer, KakaoMessage, KakaoSent, KakaoSessionEnding};
pub use message::{ChatMessage, MessageContent};
pub use retry::RetryPolicy;
pub use room::{EndRoom, OpenRoom, OpenedRoom, PreviousCounselor, RoomEnding};
pub use tls::RootCertificate;

/// The generated client and tables this crate is built on, for what it does not cover.
pub use happytalk_api;
/// The date and time crate of [`KstTimestamp::datetime`].
pub use happytalk_api::chrono;
/// The HTTP client crate, at the major version the generated client exposes.
pub use reqwest;

/// The README's example compiles.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
