//! The other direction: the mock posting a customer's message to your receiver, as HappyTalk
//! posts to your receiving domain (`POST {receiver}/message/{uuid}`, the spec's
//! `x-inbound.message`). Bodies are the spec's examples of each shape with your values in them,
//! built with the generated type, so a spec change reaches them.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use happytalk_api::{AutoEnd, inbound, types};

/// How long a receiver may take to answer unless the delivery says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a receiver's answer is kept (the rest is read and dropped).
const ANSWER_KEPT: usize = 64 * 1024;

/// A customer message to post to a receiver.
///
/// ```
/// use happytalk_mock::Delivery;
///
/// let text = Delivery::text("1234567", "배송이 언제 오나요?");
/// let image = Delivery::image("1234567", "https://files.example.com/a.png", 640, 480);
/// let file = Delivery::file("1234567", "영수증", "다운로드", "https://files.example.com/r.pdf");
/// let last = Delivery::text("1234567", "감사합니다").msgid("fixed-1").auto_end(true);
/// # let _ = (text, image, file, last);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub(crate) room_id: String,
    pub(crate) uuid: Option<String>,
    msgid: Option<String>,
    auto_end: bool,
    timeout: Duration,
    body: DeliveryBody,
}

#[derive(Clone, Debug, PartialEq)]
enum DeliveryBody {
    Text(String),
    Image {
        url: String,
        width: i64,
        height: i64,
    },
    File {
        text: String,
        link_name: String,
        url: String,
    },
    Raw(serde_json::Value),
}

impl Delivery {
    fn new(room_id: impl Into<String>, body: DeliveryBody) -> Self {
        Self {
            room_id: room_id.into(),
            uuid: None,
            msgid: None,
            auto_end: false,
            timeout: DEFAULT_TIMEOUT,
            body,
        }
    }

    /// A text message into `room_id`, from the room's customer.
    pub fn text(room_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(room_id, DeliveryBody::Text(text.into()))
    }

    /// An image (`content` blank, `image` with its size and address).
    pub fn image(
        room_id: impl Into<String>,
        url: impl Into<String>,
        width: i64,
        height: i64,
    ) -> Self {
        let url = url.into();
        Self::new(room_id, DeliveryBody::Image { url, width, height })
    }

    /// A file (`content` an object with the message and a download link).
    pub fn file(
        room_id: impl Into<String>,
        text: impl Into<String>,
        link_name: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        let (text, link_name, url) = (text.into(), link_name.into(), url.into());
        Self::new(
            room_id,
            DeliveryBody::File {
                text,
                link_name,
                url,
            },
        )
    }

    /// Any JSON body, posted as it is, byte for byte (a shape HappyTalk may add, a broken
    /// body): [`msgid`](Self::msgid) and [`auto_end`](Self::auto_end) do not change it. The
    /// path takes [`uuid`](Self::uuid) if set, else the body's `uuid`, else the room's
    /// customer.
    pub fn raw(room_id: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(room_id, DeliveryBody::Raw(body))
    }

    /// From this customer rather than the room's.
    pub fn uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = Some(uuid.into());
        self
    }

    /// With this `msgid` rather than a fresh one (not for a [`raw`](Self::raw) body).
    pub fn msgid(mut self, msgid: impl Into<String>) -> Self {
        self.msgid = Some(msgid.into());
        self
    }

    /// Says the room was ended automatically (`auto_end` `Y`; not for a [`raw`](Self::raw)
    /// body, whose own `auto_end` says it).
    pub fn auto_end(mut self, ended: bool) -> Self {
        self.auto_end = ended;
        self
    }

    /// How long the receiver may take to answer (30 seconds unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether it says the room ended automatically (a raw body by its own `auto_end`).
    pub(crate) fn ends_room(&self) -> bool {
        match &self.body {
            DeliveryBody::Raw(raw) => {
                raw.get("auto_end").and_then(serde_json::Value::as_str)
                    == Some(AutoEnd::from_bool(true).as_str())
            }
            _ => self.auto_end,
        }
    }

    /// The path's uuid, the msgid and the body, for customer `uuid` (the room's, unless set).
    fn into_request(self, uuid: &str) -> Result<(String, String, Vec<u8>), DeliveryError> {
        let explicit = self.uuid.is_some();
        let uuid = self.uuid.unwrap_or_else(|| uuid.to_owned());
        let (shape, content, image) = match self.body {
            DeliveryBody::Raw(raw) => {
                let text = |key: &str| raw.get(key).and_then(serde_json::Value::as_str);
                let path_uuid = match text("uuid") {
                    Some(body_uuid) if !explicit => body_uuid.to_owned(),
                    _ => uuid,
                };
                // What the body carries: none is an empty msgid.
                let msgid = text("msgid").unwrap_or_default().to_owned();
                return Ok((path_uuid, msgid, json(&raw)?));
            }
            DeliveryBody::Text(text) => ("text", serde_json::Value::String(text), None),
            DeliveryBody::Image { url, width, height } => {
                let image = types::InboundImage {
                    url: Some(url),
                    width: Some(width),
                    height: Some(height),
                };
                (
                    "image",
                    serde_json::Value::String(String::new()),
                    Some(value(&image)?),
                )
            }
            DeliveryBody::File {
                text,
                link_name,
                url,
            } => {
                let link = types::InboundFileLink {
                    name: link_name,
                    url,
                };
                ("file", value(&types::InboundFile { text, link })?, None)
            }
        };
        let example = inbound::MESSAGE
            .example(shape)
            .ok_or_else(|| DeliveryError::Body(format!("the spec has no {shape} example")))?;
        let mut message: types::InboundMessage =
            serde_json::from_str(example).map_err(|e| DeliveryError::Body(e.to_string()))?;
        let msgid = self.msgid.unwrap_or_else(fresh_msgid);
        message.uuid = uuid.clone();
        message.room_id = self.room_id;
        message.msgid = msgid.clone();
        message.auto_end = AutoEnd::from_bool(self.auto_end);
        message.content = content;
        message.image = image;
        Ok((uuid, msgid, json(&message)?))
    }
}

fn json(body: &impl serde::Serialize) -> Result<Vec<u8>, DeliveryError> {
    serde_json::to_vec(body).map_err(|e| DeliveryError::Body(e.to_string()))
}

fn value(body: &impl serde::Serialize) -> Result<serde_json::Value, DeliveryError> {
    serde_json::to_value(body).map_err(|e| DeliveryError::Body(e.to_string()))
}

/// A fresh message id: this process's clock and a counter, never the same twice in a run.
fn fresh_msgid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis())
        .unwrap_or_default();
    format!("mock-{started}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// What the receiver answered to a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivered {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text (its first 64 KiB).
    pub body: String,
    /// The callback it was posted as (`inbound::MESSAGE`, `inbound::KAKAO_MESSAGE` or
    /// `inbound::KAKAO_EXPIRED_SESSION` of `happytalk_api`).
    pub callback: &'static happytalk_api::Inbound,
    /// The id a redelivery of it repeats, by which a receiver knows it again: a Biz message's
    /// `msgid` (fresh unless one was given; a raw body's own, or empty when it has none), a
    /// KakaoTalk message's serial number, or the id of the KakaoTalk session that ended.
    pub id: String,
    /// Where it was posted.
    pub url: String,
    /// The body as it was posted (for a redelivery).
    pub(crate) sent: Vec<u8>,
    /// How long the receiver could take (for a redelivery).
    pub(crate) timeout: Duration,
}

impl Delivered {
    /// Whether the receiver took it (a 2xx answer).
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A delivery that could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryError {
    /// No receiver was set ([`MockHappyTalk::set_receiver`](crate::MockHappyTalk::set_receiver)).
    NoReceiver,
    /// The room is not the mock's, and no uuid was given.
    UnknownRoom(String),
    /// The room has ended: its customer can no longer write in it.
    RoomEnded(String),
    /// The body could not be made.
    Body(String),
    /// An end of a KakaoTalk session the mock does not have open.
    NoKakaoSession {
        /// The channel's sender profile key.
        sender_key: String,
        /// The customer's key.
        user_key: String,
    },
    /// The receiver could not be reached, or its answer read.
    Transport(String),
    /// The receiver did not answer within the delivery's timeout.
    Timeout(Duration),
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoReceiver => f.write_str("no receiver is set: call set_receiver(url) first"),
            Self::UnknownRoom(room) => write!(
                f,
                "room {room:?} is not the mock's (open or add it), and no uuid was given"
            ),
            Self::RoomEnded(room) => write!(f, "room {room:?} has ended: open a new one"),
            Self::Body(why) => write!(f, "the body could not be made: {why}"),
            Self::Transport(why) => write!(f, "the receiver could not be reached: {why}"),
            Self::Timeout(after) => write!(f, "the receiver did not answer within {after:?}"),
            Self::NoKakaoSession {
                sender_key,
                user_key,
            } => write!(
                f,
                "the KakaoTalk customer {user_key:?} of {sender_key:?} has no open session: deliver their message first"
            ),
        }
    }
}

impl std::error::Error for DeliveryError {}

/// Posts `delivery` from customer `uuid` to the receiver at `base_url` (your receiving domain,
/// with its path prefix): what `happytalk mock deliver` does.
pub async fn deliver_to(
    base_url: &str,
    uuid: &str,
    delivery: Delivery,
) -> Result<Delivered, DeliveryError> {
    let timeout = delivery.timeout;
    let (path_uuid, msgid, body) = delivery.into_request(uuid)?;
    let url = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        inbound::MESSAGE.path_for(&path_uuid)
    );
    post_as(&inbound::MESSAGE, url, msgid, body, timeout).await
}

/// Posts `delivered`'s body again, as a redelivery: the same callback, id and bytes.
pub async fn redeliver(delivered: &Delivered) -> Result<Delivered, DeliveryError> {
    post_as(
        delivered.callback,
        delivered.url.clone(),
        delivered.id.clone(),
        delivered.sent.clone(),
        delivered.timeout,
    )
    .await
}

/// Posts `body` to `url` as the spec's `callback` is posted.
async fn post_as(
    callback: &'static happytalk_api::Inbound,
    url: String,
    id: String,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<Delivered, DeliveryError> {
    let broken = |e: happytalk_ext::reqwest::Error| match e.is_timeout() {
        true => DeliveryError::Timeout(timeout),
        false => DeliveryError::Transport(happytalk_ext::with_causes(&e)),
    };
    let method = callback
        .method
        .parse()
        .map_err(|_| DeliveryError::Body("the spec's method is no HTTP method".to_owned()))?;
    let client = happytalk_ext::reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| DeliveryError::Transport(happytalk_ext::with_causes(&e)))?;
    let mut answer = client
        .request(method, &url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .map_err(broken)?;
    let status = answer.status().as_u16();
    let mut kept = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(broken)? {
        let room = ANSWER_KEPT.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(Delivered {
        status,
        body: String::from_utf8_lossy(&kept).into_owned(),
        callback,
        id,
        url,
        sent: body,
        timeout,
    })
}

/// A KakaoTalk callback to post to a receive domain, as Kakao does (through HappyTalk): a
/// customer's text (`POST {receive domain}/message`) or the end of their session
/// (`POST {receive domain}/expired_session`), each body made from the spec's example of it.
#[derive(Clone, Debug, PartialEq)]
pub struct KakaoDelivery {
    pub(crate) sender_key: String,
    pub(crate) user_key: String,
    pub(crate) session_id: Option<String>,
    serial_number: Option<String>,
    text: Option<String>,
    timeout: Duration,
}

impl KakaoDelivery {
    fn new(
        sender_key: impl Into<String>,
        user_key: impl Into<String>,
        text: Option<String>,
    ) -> Self {
        Self {
            sender_key: sender_key.into(),
            user_key: user_key.into(),
            session_id: None,
            serial_number: None,
            text,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The customer `user_key` of the channel `sender_key` writes `text`.
    pub fn text(
        sender_key: impl Into<String>,
        user_key: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self::new(sender_key, user_key, Some(text.into()))
    }

    /// The session of the customer `user_key` of `sender_key` ends.
    pub fn end(sender_key: impl Into<String>, user_key: impl Into<String>) -> Self {
        Self::new(sender_key, user_key, None)
    }

    /// Posts it as Kakao's serial number `digits` (a message; a fresh 19-digit one otherwise,
    /// like Kakao's, sent as a JSON number). Digits are sent as a JSON number, anything else as
    /// a string.
    pub fn serial_number(mut self, digits: impl Into<String>) -> Self {
        self.serial_number = Some(digits.into());
        self
    }

    /// The session's id (the mock's own when the mock delivers it; fresh otherwise).
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// How long to wait for the receiver (30 s unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether it ends the session.
    pub(crate) fn ends_session(&self) -> bool {
        self.text.is_none()
    }

    /// The callback, the id of what it carries (the serial number, or the session's id) and
    /// its body.
    fn into_request(
        self,
    ) -> Result<(&'static happytalk_api::Inbound, String, Vec<u8>), DeliveryError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_millis() as i64)
            .unwrap_or_default();
        let session_id = self
            .session_id
            .unwrap_or_else(|| fresh_number(now).to_string());
        let Some(text) = self.text else {
            let callback = &inbound::KAKAO_EXPIRED_SESSION;
            let mut ended: types::KakaoExpiredSession = example(callback)?;
            ended.user_key = self.user_key;
            ended.sender_key = self.sender_key;
            ended.session_id = session_id.clone();
            ended.time = Some(now);
            return Ok((callback, session_id, json(&ended)?));
        };
        let callback = &inbound::KAKAO_MESSAGE;
        let mut message: types::KakaoInboundMessage = example(callback)?;
        let serial = self
            .serial_number
            .unwrap_or_else(|| fresh_number(now).to_string());
        message.user_key = self.user_key;
        message.sender_key = self.sender_key;
        message.session_id = Some(session_id);
        message.time = Some(now);
        message.content = Some(text);
        message.serial_number = happytalk_api::SerialNumber::new(serial.clone());
        // As Kakao writes it: a JSON number (of any length: the digits as they are).
        let mut body = value(&message)?;
        if !serial.is_empty() && serial.bytes().all(|b| b.is_ascii_digit()) {
            let number = serde_json::from_str::<serde_json::Value>(&serial)
                .ok()
                .filter(serde_json::Value::is_u64);
            if let Some(number) = number {
                body["serial_number"] = number;
            }
        }
        Ok((callback, serial, json(&body)?))
    }
}

/// The spec's first example of `callback`, as its generated type.
fn example<T: serde::de::DeserializeOwned>(
    callback: &happytalk_api::Inbound,
) -> Result<T, DeliveryError> {
    let (_, example) = callback.examples.first().ok_or_else(|| {
        DeliveryError::Body(format!("the spec has no example of {}", callback.name))
    })?;
    serde_json::from_str(example).map_err(|e| DeliveryError::Body(e.to_string()))
}

/// A fresh 19-digit number like Kakao's serial numbers: the time in milliseconds and a count.
fn fresh_number(millis: i64) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    (millis.max(0) as u64) * 1_000_000 + NEXT.fetch_add(1, Ordering::Relaxed) % 1_000_000
}

/// Posts `delivery` to the receive domain `receive_domain` (the callback's path is appended, as
/// Kakao does), and gives the receiver's answer. [`redeliver`] sends it again, bytes and all.
pub async fn deliver_kakao_to(
    receive_domain: &str,
    delivery: KakaoDelivery,
) -> Result<Delivered, DeliveryError> {
    let timeout = delivery.timeout;
    let (callback, id, body) = delivery.into_request()?;
    let url = format!("{}{}", receive_domain.trim_end_matches('/'), callback.path);
    post_as(callback, url, id, body, timeout).await
}
