//! A local HappyTalk (해피톡) for your tests: every operation of the spec on a loopback port,
//! answering as HappyTalk documents with no setup, with counselling rooms that have a life and
//! a KakaoTalk channel with sessions (카카오 상담톡), scriptable per operation, room, customer or
//! sender key, and recording every request it receives.
//!
//! Both families of hosts share its port: a path only one family serves is at the root, a path
//! both serve (`/v1/chat/write`) is the Biz family's at the root and every family's under its
//! name (`/kakao/v1/chat/write`). [`MockHappyTalk::environment`] points each family where it
//! must ([`MockHappyTalk::uri_of`]).
//!
//! ```
//! use happytalk_ext::{ChatMessage, Client, EndRoom, OpenRoom};
//! use happytalk_mock::MockHappyTalk;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockHappyTalk::start().await;
//! let client = Client::new(mock.environment(), mock.credentials()).unwrap();
//! let room = client.open_room(OpenRoom::new("cust-0001")).await.unwrap().room_id;
//! let sent = client.send_message(&ChatMessage::text("cust-0001", &room, "안녕하세요")).await;
//! assert_eq!(sent.unwrap(), room);
//! client.end_room(EndRoom::new("cust-0001", &room)).await.unwrap();
//! assert!(mock.room(&room).unwrap().ended);
//! mock.assert_no_violations();
//! # }
//! ```
//!
//! # What it does with no setup
//!
//! Routes, checks and answers come from the spec's tables (`happytalk_api::OPERATIONS`, the
//! result codes with their roles, the generated request types), not from code of its own per
//! operation:
//!
//! - Every operation checks `HT-Client-Id` and `HT-Client-Secret` against
//!   [`MockHappyTalk::credentials`], then its query and body field by field, in the spec's
//!   order (lengths in characters): a missing field, a value of the wrong kind and a length out
//!   of range get the family's code for each (-801, -800, -802 with `field` on the Biz host;
//!   `"405"` on the Kakao host); bad credentials -500 or `"403"`.
//! - Rooms have a life (the state the mock keeps): `POST /v1/chat/open` opens one (ids count
//!   up from [`FIRST_ROOM`]) and answers the spec's success example with it, or -704 while the
//!   customer's room is in progress, unless `is_room_create_force` is `T`. A message
//!   (`/v1/chat/write`) and an end (`/v1/chat/end`) need the room: an unknown one is -702,
//!   another customer's -703, an ended one -700. A test that starts mid-conversation adds its
//!   room with [`MockHappyTalk::add_room`]; [`MockHappyTalk::room`] shows whether it ended.
//! - `POST /v1/chat/isCounselor` answers what [`MockHappyTalk::set_previous_counselor`] set for
//!   the customer (by default: no previous counsellor).
//! - `GET /kakaoWebhook/v3/bzmc/sm` answers from a store you fill
//!   ([`MockHappyTalk::add_system_message`]): the active (`A`) messages of a sender key, or the
//!   one `id`; an unknown `id` is `"508"`, an unknown sender key `"507"`.
//! - Any other operation of the spec answers the example its spec names `success`.
//! - A method the spec does not declare on a path gets 405 with an `Allow` header naming the
//!   ones it does; an unknown path 404; a body over 64 KiB 413. Nothing a client sends makes
//!   it panic.
//!
//! # Scripting
//!
//! [`MockHappyTalk::on`] adds a rule: for an operation, a room, a customer, a sender key or
//! every request, answer any result code under any status, a -90x notice, an HTML page, an
//! empty or truncated body, a dropped connection, or a delay; once, N times or always. Rules are tried in the order they were
//! added; a used-up rule no longer matches, so "fail twice, then succeed" is two lines.
//!
//! ```
//! # use happytalk_mock::{MockHappyTalk, Match, Reply};
//! # use happytalk_api::BizResultCode;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockHappyTalk::start().await;
//! mock.on(Match::room("1234567")).times(2).reply(Reply::code(BizResultCode::SystemError).status(500));
//! mock.on(Match::Any).once().reply(Reply::drop_connection());
//! # }
//! ```
//!
//! # Inspection
//!
//! [`MockHappyTalk::received`] lists every request in order, with its decoded chat message or
//! query, its headers (the secret redacted in `Debug`) and how it broke the documented contract
//! ([`Received::violations`]). [`MockHappyTalk::assert_no_violations`] fails a test that sent
//! something HappyTalk would refuse.
//!
//! # The other direction
//!
//! HappyTalk posts each customer message to your receiving domain (`POST /message/{uuid}`);
//! [`MockHappyTalk::set_receiver`] and [`MockHappyTalk::deliver`] do the same to your
//! receiver, with the body the spec documents for a text, an image or a file (or any JSON), the
//! room's customer and a fresh `msgid`; [`redeliver`] posts the same message again. Each gives
//! the receiver's answer ([`Delivered`]). [`deliver_to`] posts to any URL, with no mock.
//!
//! # Raw stubs
//!
//! For per-operation `when`/`then` stubs on an [`httpmock`](https://docs.rs/httpmock) server,
//! the `httpmock` module (feature `httpmock`) has progenitor's typed helpers, generated from
//! the same spec.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

/// progenitor's typed [httpmock](https://docs.rs/httpmock) helpers, generated from the spec by
/// `cargo xtask generate`: `MockServerExt::send_message(|when, then| …)` and
/// `system_messages`, with `when`/`then` methods typed by the spec's bodies and parameters.
/// Printed by prettyplease, not rustfmt, so that every toolchain regenerates the same bytes.
#[cfg(feature = "httpmock")]
#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
pub mod httpmock;
mod delivery;
mod handlers;
mod kakao;
pub mod multipart;
mod script;
mod server;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use happytalk_api::{CounselorAvailability, HostFamily, operations, types};
use happytalk_ext::{Credentials, Environment};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use delivery::{
    DEFAULT_TIMEOUT, Delivered, Delivery, DeliveryError, KakaoDelivery, deliver_kakao_to,
    deliver_to, redeliver,
};
pub use kakao::KakaoSession;
pub use script::{Match, Reply};

/// The client id the mock accepts unless told otherwise.
pub const DEFAULT_CLIENT_ID: &str = "mock-client-id";
/// The client secret the mock accepts unless told otherwise.
pub const DEFAULT_CLIENT_SECRET: &str = "mock-client-secret";
/// The id of the first room the mock opens (the next ones count up).
pub const FIRST_ROOM: u64 = 1_000_001;
/// The customer of the room the standalone mock starts with (the docs' example).
pub const EXAMPLE_UUID: &str = "cust-0001";
/// The room the standalone mock starts with (the docs' example).
pub const EXAMPLE_ROOM: &str = "1234567";

/// A running local HappyTalk. It stops, and frees its port, when dropped.
pub struct MockHappyTalk {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

/// What the server shares with the test.
pub(crate) struct State {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) store: BTreeMap<String, Vec<types::SystemMessage>>,
    pub(crate) rules: Vec<script::ScriptedRule>,
    pub(crate) received: Vec<Received>,
    /// Every room opened (or added), by id.
    pub(crate) rooms: BTreeMap<String, Room>,
    /// The number of the next room opened.
    pub(crate) next_room: u64,
    /// The previous counsellor of a customer (by uuid), as `POST /v1/chat/isCounselor`
    /// answers it.
    pub(crate) previous_counselors: BTreeMap<String, (CounselorAvailability, Option<String>)>,
    /// Where customers' messages go (your receiving domain), once set.
    pub(crate) receiver: Option<String>,
    /// The KakaoTalk channel: its sessions, serial numbers, blocked customers and uploads.
    pub(crate) kakao: kakao::Channel,
}

impl State {
    /// Opens a room for `uuid` and gives its id.
    pub(crate) fn open_room(&mut self, uuid: &str) -> String {
        let room_id = self.next_room.to_string();
        self.next_room += 1;
        self.rooms.insert(
            room_id.clone(),
            Room {
                uuid: uuid.to_owned(),
                ended: false,
            },
        );
        room_id
    }
}

/// A counselling room of the mock.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Room {
    /// The customer it belongs to.
    pub uuid: String,
    /// Whether it has ended (`POST /v1/chat/end`).
    pub ended: bool,
}

/// Starts a [`MockHappyTalk`] on a given port or with other credentials.
#[derive(Debug)]
pub struct Builder {
    port: u16,
    client_id: String,
    client_secret: String,
}

impl Builder {
    /// Listen on this port of 127.0.0.1 (default 0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accept these credentials instead of [`DEFAULT_CLIENT_ID`] and [`DEFAULT_CLIENT_SECRET`].
    pub fn credentials(mut self, client_id: &str, client_secret: &str) -> Self {
        client_id.clone_into(&mut self.client_id);
        client_secret.clone_into(&mut self.client_secret);
        self
    }

    /// Binds the port and starts serving.
    pub async fn start(self) -> std::io::Result<MockHappyTalk> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            client_id: self.client_id,
            client_secret: self.client_secret,
            store: BTreeMap::new(),
            rules: Vec::new(),
            received: Vec::new(),
            rooms: BTreeMap::new(),
            next_room: FIRST_ROOM,
            previous_counselors: BTreeMap::new(),
            receiver: None,
            kakao: kakao::Channel::default(),
        }));
        let task = tokio::spawn(server::accept(listener, state.clone()));
        Ok(MockHappyTalk {
            address,
            state,
            task,
        })
    }
}

impl MockHappyTalk {
    /// A mock on an ephemeral loopback port, accepting the default credentials.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound (use [`MockHappyTalk::builder`] to handle that).
    pub async fn start() -> Self {
        Self::builder()
            .start()
            .await
            .expect("a loopback port for the HappyTalk mock")
    }

    /// A builder, for a given port or other credentials.
    pub fn builder() -> Builder {
        Builder {
            port: 0,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
        }
    }

    /// `http://127.0.0.1:PORT`: the base URL of every path the spec's families do not share.
    /// A path two families serve (`/v1/chat/write`) is, here, the first family's (in
    /// [`HostFamily::ALL`]); every family is also served under its name
    /// (`http://127.0.0.1:PORT/kakao`), as [`uri_of`](Self::uri_of) gives.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The base URL of `family`'s host on this mock: [`uri`](Self::uri) when the root serves
    /// every path of the family as the family's, else `uri()/FAMILY`.
    pub fn uri_of(&self, family: HostFamily) -> String {
        let shadowed = happytalk_api::OPERATIONS
            .iter()
            .filter(|operation| operation.host == family)
            .any(|operation| {
                server::operations_at(None, operation.path)
                    .first()
                    .is_some_and(|(found, _)| found.host != family)
            });
        match shadowed {
            true => format!("{}/{}", self.uri(), family.name()),
            false => self.uri(),
        }
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The [`Environment`] whose hosts, of every family, are this mock (each at
    /// [`uri_of`](Self::uri_of)).
    pub fn environment(&self) -> Environment {
        HostFamily::ALL.iter().fold(
            Environment::custom(&self.uri()).expect("a loopback URL is a valid base URL"),
            |environment, family| {
                environment
                    .with_base_url(*family, &self.uri_of(*family))
                    .expect("a loopback URL is a valid base URL")
            },
        )
    }

    /// The credentials this mock accepts.
    pub fn credentials(&self) -> Credentials {
        let state = self.state();
        Credentials::new(&state.client_id, &state.client_secret)
    }

    /// Adds a system message to the store of `sender_key` (which becomes known even if the
    /// message is not active).
    pub fn add_system_message(&self, sender_key: &str, message: types::SystemMessage) {
        self.state()
            .store
            .entry(sender_key.to_owned())
            .or_default()
            .push(message);
    }

    /// Makes `sender_key` known, with no system message (a lookup answers `"200"` and no data
    /// instead of `"507"`).
    pub fn add_sender_key(&self, sender_key: &str) {
        self.state().store.entry(sender_key.to_owned()).or_default();
    }

    /// Fills the store with the example of HappyTalk's docs (the spec's `success` example of
    /// the lookup): sender key `example-senderKey`, system message 175.
    pub fn add_docs_example(&self) {
        let examples = operations::SYSTEM_MESSAGES
            .success_example
            .and_then(|answer| serde_json::from_str::<types::SystemMessageResult>(answer).ok())
            .and_then(|answer| answer.data)
            .unwrap_or_default();
        for example in examples {
            self.add_system_message("example-senderKey", example);
        }
    }

    /// Adds an open room `room_id` of customer `uuid`, as if it had been opened: for a test that
    /// starts in the middle of a conversation.
    pub fn add_room(&self, uuid: &str, room_id: &str) {
        self.state().rooms.insert(
            room_id.to_owned(),
            Room {
                uuid: uuid.to_owned(),
                ended: false,
            },
        );
    }

    /// A customer of the KakaoTalk channel `sender_key` writes: their session opens (what sends
    /// to them need), unless one is open already. Gives the session's id.
    pub fn open_kakao_session(&self, sender_key: &str, user_key: &str) -> String {
        self.state().kakao.open_session(sender_key, user_key)
    }

    /// The latest KakaoTalk session of the customer `user_key` of `sender_key`, if they ever
    /// wrote.
    pub fn kakao_session(&self, sender_key: &str, user_key: &str) -> Option<KakaoSession> {
        let key = (sender_key.to_owned(), user_key.to_owned());
        self.state().kakao.sessions.get(&key).cloned()
    }

    /// Whether the customer `user_key` of `sender_key` is blocked.
    pub fn kakao_blocked(&self, sender_key: &str, user_key: &str) -> bool {
        let key = (sender_key.to_owned(), user_key.to_owned());
        self.state().kakao.blocked.contains(&key)
    }

    /// Takes `url` as a medium stored by an upload, so that a send may carry it (the docs'
    /// examples name Kakao's own URLs).
    pub fn add_kakao_media(&self, url: &str) {
        self.state().kakao.media.insert(url.to_owned(), None);
    }

    /// The file uploaded to `url` (a URL an upload answered), exactly as it arrived.
    pub fn kakao_media(&self, url: &str) -> Option<multipart::Part> {
        self.state().kakao.media.get(url).cloned().flatten()
    }

    /// The room `room_id`, if it was opened or added.
    pub fn room(&self, room_id: &str) -> Option<Room> {
        self.state().rooms.get(room_id).cloned()
    }

    /// Every room, by id.
    pub fn rooms(&self) -> BTreeMap<String, Room> {
        self.state().rooms.clone()
    }

    /// What `POST /v1/chat/isCounselor` answers for customer `uuid`: the previous counsellor's
    /// availability and name (by default: none, unavailable).
    pub fn set_previous_counselor(
        &self,
        uuid: &str,
        availability: CounselorAvailability,
        name: Option<&str>,
    ) {
        self.state()
            .previous_counselors
            .insert(uuid.to_owned(), (availability, name.map(str::to_owned)));
    }

    /// Where [`deliver`](Self::deliver) posts customers' messages: your receiving domain, with
    /// its path prefix (the message goes to `{url}/message/{uuid}`).
    pub fn set_receiver(&self, url: &str) {
        self.state().receiver = Some(url.to_owned());
    }

    /// Posts a customer's message to the receiver, as HappyTalk does: from the room's customer
    /// (unless the delivery names one), into a room the mock knows and has not ended. A
    /// delivery that says `auto_end` ends the room, as HappyTalk's automatic end does.
    ///
    /// ```
    /// # use happytalk_mock::{Delivery, DeliveryError, MockHappyTalk};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = MockHappyTalk::start().await;
    /// mock.add_room("cust-0001", "1234567");
    /// let unset = mock.deliver(Delivery::text("1234567", "여보세요")).await;
    /// assert_eq!(unset.unwrap_err(), DeliveryError::NoReceiver);
    /// # }
    /// ```
    pub async fn deliver(&self, delivery: Delivery) -> Result<Delivered, DeliveryError> {
        let (receiver, uuid) = {
            let state = self.state();
            let receiver = state.receiver.clone().ok_or(DeliveryError::NoReceiver)?;
            let uuid = match (state.rooms.get(&delivery.room_id), &delivery.uuid) {
                (Some(room), _) if room.ended => {
                    return Err(DeliveryError::RoomEnded(delivery.room_id.clone()));
                }
                (Some(room), None) => room.uuid.clone(),
                (_, Some(uuid)) => uuid.clone(),
                (None, None) => return Err(DeliveryError::UnknownRoom(delivery.room_id.clone())),
            };
            (receiver, uuid)
        };
        let (room_id, ends) = (delivery.room_id.clone(), delivery.ends_room());
        let delivered = deliver_to(&receiver, &uuid, delivery).await?;
        if ends && let Some(room) = self.state().rooms.get_mut(&room_id) {
            room.ended = true;
        }
        Ok(delivered)
    }

    /// Posts a KakaoTalk callback to the receiver (the receive domain; the callback's path is
    /// appended), as Kakao does: a customer's message opens their session (what sends to them
    /// then need) and carries its id; an end closes the open session and posts
    /// `/expired_session` with its id ([`DeliveryError::NoKakaoSession`] when none is open).
    pub async fn deliver_kakao(&self, delivery: KakaoDelivery) -> Result<Delivered, DeliveryError> {
        let (receiver, delivery) = {
            let mut state = self.state();
            let receiver = state.receiver.clone().ok_or(DeliveryError::NoReceiver)?;
            let (sender_key, user_key) = (delivery.sender_key.clone(), delivery.user_key.clone());
            let session_id = match delivery.ends_session() {
                false => state.kakao.open_session(&sender_key, &user_key),
                true => state
                    .kakao
                    .sessions
                    .get_mut(&(sender_key.clone(), user_key.clone()))
                    .filter(|session| !session.ended)
                    .map(|session| {
                        session.ended = true;
                        session.session_id.clone()
                    })
                    .ok_or(DeliveryError::NoKakaoSession {
                        sender_key,
                        user_key,
                    })?,
            };
            (receiver, delivery.session_id(session_id))
        };
        deliver_kakao_to(&receiver, delivery).await
    }

    /// A rule for the requests `matcher` selects; say how often, then what to answer.
    pub fn on(&self, matcher: Match) -> RuleBuilder<'_> {
        RuleBuilder {
            mock: self,
            matcher,
            remaining: None,
        }
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state().received.clone()
    }

    /// The requests about room `room_id` (a body whose `room_id` is it: the messages sent
    /// into it, its end), in order.
    pub fn requests_for_room(&self, room_id: &str) -> Vec<Received> {
        self.received_where(|r| {
            r.body.as_ref().and_then(|b| b["room_id"].as_str()) == Some(room_id)
        })
    }

    /// The requests for `sender_key` (a query whose `senderKey` is it: the lookups), in order.
    pub fn requests_for_sender_key(&self, sender_key: &str) -> Vec<Received> {
        self.received_where(|r| r.sender_key.as_deref() == Some(sender_key))
    }

    fn received_where(&self, wanted: impl Fn(&Received) -> bool) -> Vec<Received> {
        let state = self.state();
        state
            .received
            .iter()
            .filter(|r| wanted(r))
            .cloned()
            .collect()
    }

    /// Panics, listing them, if any request broke HappyTalk's documented contract.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let state = self.state();
        let broken: Vec<String> = state
            .received
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.violations.is_empty())
            .map(|(n, r)| {
                format!(
                    "request {} ({} {}): {}",
                    n + 1,
                    r.method,
                    r.path,
                    r.violations.join("; ")
                )
            })
            .collect();
        assert!(
            broken.is_empty(),
            "requests broke HappyTalk's documented contract:\n{}",
            broken.join("\n")
        );
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves nothing half-done in it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for MockHappyTalk {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for MockHappyTalk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockHappyTalk")
            .field("uri", &self.uri())
            .finish_non_exhaustive()
    }
}

/// A rule being added by [`MockHappyTalk::on`].
#[must_use = "a rule is added by `reply`"]
#[derive(Debug)]
pub struct RuleBuilder<'a> {
    mock: &'a MockHappyTalk,
    matcher: Match,
    remaining: Option<usize>,
}

impl RuleBuilder<'_> {
    /// Apply to the first matching request only.
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Apply to the first `n` matching requests.
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Answer `reply` (always, unless [`once`](Self::once) or [`times`](Self::times) said
    /// otherwise).
    pub fn reply(self, reply: Reply) {
        self.mock.state().rules.push(script::ScriptedRule {
            matcher: self.matcher,
            reply,
            remaining: self.remaining,
        });
    }
}

/// A request as the mock received it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Received {
    /// `POST`, `GET`, …
    pub method: String,
    /// The path, without the query (and without the family's prefix, `/kakao`, when it had
    /// one: the path as the family's host would see it).
    pub path: String,
    /// The family of the operation it is.
    pub family: Option<HostFamily>,
    /// The operation it is (its `operationId`), when the path and method are the spec's.
    pub operation: Option<&'static str>,
    /// The query string as sent.
    pub query: Option<String>,
    /// `senderKey` of the query, decoded.
    pub sender_key: Option<String>,
    /// `id` of the query, as sent.
    pub id: Option<String>,
    /// The chat message, when the body decodes as the spec's request (every rule met).
    pub chat_message: Option<types::ChatMessageRequest>,
    /// The body, when it is JSON; for an upload (a multipart form), its fields as an object:
    /// each text part as a string, each file as its file name.
    pub body: Option<serde_json::Value>,
    /// The files of an upload, each exactly as it arrived.
    pub files: Vec<multipart::Part>,
    /// The headers (names in lower case).
    pub headers: Headers,
    /// How the request broke HappyTalk's documented contract (empty when it did not).
    pub violations: Vec<String>,
}

/// Request headers; `Debug` shows the secret credential (`HT-Client-Secret`, the spec's
/// sensitive `securitySchemes` entry) as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Headers(pub(crate) BTreeMap<String, String>);

impl Headers {
    /// The value of a header (its name in lower case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, value)| {
                let secret = happytalk_api::CREDENTIAL_HEADERS
                    .iter()
                    .any(|header| header.sensitive && header.name.eq_ignore_ascii_case(name));
                let shown = if secret { "<redacted>" } else { value.as_str() };
                (name, shown)
            }))
            .finish()
    }
}

/// Serves a mock on `port` of 127.0.0.1 with the docs' example system message, prints its
/// URL and credentials, and stops on Ctrl-C: the standalone sandbox (`happytalk-mock --port
/// 8080`, `happytalk mock serve`).
pub async fn serve_until_ctrl_c(port: u16) -> std::io::Result<()> {
    let mock = MockHappyTalk::builder().port(port).start().await?;
    mock.add_docs_example();
    mock.add_room(EXAMPLE_UUID, EXAMPLE_ROOM);
    println!("HappyTalk mock listening on {}", mock.uri());
    let prefixed: Vec<String> = HostFamily::ALL
        .iter()
        .filter(|family| mock.uri_of(**family) != mock.uri())
        .map(|family| format!(" --host-url {family}={}", mock.uri_of(*family)))
        .collect();
    println!(
        "  every host: --base-url {}{}",
        mock.uri(),
        prefixed.concat()
    );
    println!("  HT_CLIENT_ID={DEFAULT_CLIENT_ID} HT_CLIENT_SECRET={DEFAULT_CLIENT_SECRET}");
    println!("  system messages of sender key example-senderKey: the docs' example, id 175");
    println!(
        "  an open room {EXAMPLE_ROOM} of customer {EXAMPLE_UUID}; rooms opened count up from {FIRST_ROOM}"
    );
    // The KakaoTalk customer of the spec's example callback has written: sends to them work.
    let customer = happytalk_api::inbound::KAKAO_MESSAGE
        .example("text")
        .and_then(|example| serde_json::from_str::<types::KakaoInboundMessage>(example).ok());
    if let Some(customer) = customer {
        let session = mock.open_kakao_session(&customer.sender_key, &customer.user_key);
        println!(
            "  an open KakaoTalk session {session} of customer {} of sender key {}",
            customer.user_key, customer.sender_key
        );
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    let received = mock.received();
    let violations: usize = received.iter().map(|r| r.violations.len()).sum();
    let plural = |count: usize, noun: &str| match count {
        1 => format!("1 {noun}"),
        count => format!("{count} {noun}s"),
    };
    println!(
        "stopped after {} ({})",
        plural(received.len(), "request"),
        plural(violations, "contract violation")
    );
    Ok(())
}
