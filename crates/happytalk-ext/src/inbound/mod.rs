//! Messages HappyTalk posts to *you* (메시지 수신, `POST {your receiving domain}/message/{uuid}`):
//! typed, open decoding that needs no web framework, and a filter for redelivered messages.
//!
//! ```
//! use happytalk_ext::inbound::{InboundContent, InboundDecoder};
//!
//! let body = r#"{"uuid": "cust_0001", "room_id": "1234567", "type": "text", "msgid": "1",
//!                "content": "배송이 언제 오나요?", "auto_end": "N"}"#;
//! let message = InboundDecoder::new().decode("cust_0001", body.as_bytes()).unwrap();
//! assert_eq!(message.content, InboundContent::Text("배송이 언제 오나요?".to_owned()));
//! assert!(!message.auto_end);
//!
//! let no_msgid = body.replace(r#""msgid": "1","#, "");
//! let refused = InboundDecoder::new().decode("cust_0001", no_msgid.as_bytes()).unwrap_err();
//! assert_eq!(refused.to_string(), "`msgid` is missing");
//! assert_eq!(refused.status(), 400);
//! ```
//!
//! What the docs leave out, and what is assumed here: HappyTalk documents no expected answer
//! (a receiver answers 2xx when it took the message), no redelivery policy (assume it
//! redelivers: the same `msgid` twice; see [`DuplicateFilter`]) and no signature (protect the
//! route by other means: an unguessable path prefix, a network allow-list, a body limit). The
//! `type` values are not documented either (the docs' tab labels are lost), so the content is
//! recognised by its shape.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use happytalk_api::{AutoEnd, Inbound, types};

use crate::error::Cut;

mod kakao;
mod store;
pub use kakao::{KakaoExpiredSession, KakaoInboundMessage, KakaoReference};
#[cfg(feature = "redis")]
pub use store::RedisDuplicateStore;
pub use store::{DuplicateStore, StoreError, StoreFuture};

/// A customer's message, as HappyTalk posted it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundMessage {
    /// 고객사 고객 식별 정보: the customer (also the path's last segment).
    pub uuid: String,
    /// 상담방 번호: the room it was written in.
    pub room_id: String,
    /// 메시지 아이디: a redelivered message carries the same one.
    pub msgid: String,
    /// 메시지 타입, as HappyTalk sent it (its values are not documented).
    pub message_type: String,
    /// 자동 종료 여부: whether the room was ended automatically (HappyTalk sent `Y`).
    pub auto_end: bool,
    /// `auto_end` as HappyTalk sent it: a value the docs do not list is kept here (and
    /// [`auto_end`](Self::auto_end) is `false`), not refused.
    pub auto_end_value: AutoEnd,
    /// What the customer sent.
    pub content: InboundContent,
}

impl InboundMessage {
    /// A message as a test of your handler would have it: of `type` `""`, not ended
    /// automatically (set the public fields for anything else).
    pub fn new(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        msgid: impl Into<String>,
        content: InboundContent,
    ) -> Self {
        Self {
            uuid: uuid.into(),
            room_id: room_id.into(),
            msgid: msgid.into(),
            message_type: String::new(),
            auto_end: false,
            auto_end_value: AutoEnd::from_bool(false),
            content,
        }
    }

    /// The text of a text message, or of a file's message.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            InboundContent::Text(text) | InboundContent::File { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// What a customer sent, recognised by its shape (HappyTalk's `type` values are not
/// documented).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboundContent {
    /// A plain message: `content` is the text.
    Text(String),
    /// An image: `content` is blank, `image` carries its size and address.
    Image {
        /// 가로, in pixels, if given.
        width: Option<i64>,
        /// 세로, in pixels, if given.
        height: Option<i64>,
        /// Where the image can be fetched.
        url: String,
    },
    /// A file: `content` is an object with the message and a download link.
    File {
        /// The message.
        text: String,
        /// The download button's label.
        link_name: String,
        /// The download link.
        url: String,
    },
    /// Any other shape (a template, a format HappyTalk adds later): the whole body, as JSON
    /// (its values as they came; serde_json's order of keys). Never refused.
    Other(serde_json::Value),
}

/// Decodes HappyTalk's inbound messages, with a cap on the body (64 KiB unless set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InboundDecoder {
    max_body: usize,
}

impl Default for InboundDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl InboundDecoder {
    /// The cap on a body unless set: 64 KiB.
    pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

    /// A decoder with the default cap.
    pub fn new() -> Self {
        Self {
            max_body: Self::DEFAULT_MAX_BODY,
        }
    }

    /// Refuses bodies over `bytes`.
    pub fn max_body(self, bytes: usize) -> Self {
        Self { max_body: bytes }
    }

    /// The cap on a body, in bytes.
    pub fn limit(&self) -> usize {
        self.max_body
    }

    /// The message in `body`, posted to the path of customer `path_uuid` (as the framework
    /// decoded it). A body over the cap, not JSON, without a required field, with a field of
    /// the wrong kind or for another customer than the path's is refused, naming the field.
    pub fn decode(&self, path_uuid: &str, body: &[u8]) -> Result<InboundMessage, InboundError> {
        let (wire, whole): (types::InboundMessage, _) = self.read(body)?;
        if wire.uuid != path_uuid {
            return Err(InboundError::new(InboundErrorKind::UuidMismatch {
                path: path_uuid.to_owned(),
                body: wire.uuid,
            }));
        }
        let content = content(&wire).unwrap_or(InboundContent::Other(whole));
        Ok(InboundMessage {
            uuid: wire.uuid,
            room_id: wire.room_id,
            msgid: wire.msgid,
            message_type: wire.type_,
            auto_end: wire.auto_end.as_bool() == Some(true),
            auto_end_value: wire.auto_end,
            content,
        })
    }

    /// The callback `inbound` (one of [`happytalk_api::INBOUND`]) in `body`, posted to its path
    /// with `path_value` as the path's parameter (`""` for a path without one): refused as
    /// [`decode`](Self::decode) refuses, naming the field.
    pub fn decode_callback(
        &self,
        inbound: &Inbound,
        path_value: &str,
        body: &[u8],
    ) -> Result<Callback, InboundError> {
        Ok(match inbound.name {
            name if name == happytalk_api::inbound::KAKAO_MESSAGE.name => {
                let wire = self.read_typed(body)?;
                let raw = String::from_utf8_lossy(body).into_owned();
                Callback::KakaoMessage(kakao::message(wire, raw))
            }
            name if name == happytalk_api::inbound::KAKAO_EXPIRED_SESSION.name => {
                Callback::KakaoExpiredSession(kakao::expired_session(self.read_typed(body)?))
            }
            name if name == happytalk_api::inbound::KAKAO_REFERENCE.name => {
                Callback::KakaoReference(kakao::reference(self.read_typed(body)?))
            }
            _ => Callback::Biz(self.decode(path_value, body)?),
        })
    }

    /// `body` as the generated type `T`, read once from the bytes; should that fail, the
    /// refusal of [`read`](Self::read), which names the field.
    fn read_typed<T: serde::de::DeserializeOwned>(&self, body: &[u8]) -> Result<T, InboundError> {
        if body.len() > self.max_body {
            return Err(InboundError::too_large(self.max_body));
        }
        // Only an object: serde would also read a struct from an array, by position.
        let object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let mut json = serde_json::Deserializer::from_slice(body);
        match T::deserialize(&mut json).and_then(|typed| json.end().map(|()| typed)) {
            Ok(typed) if object => Ok(typed),
            _ => self.read(body).map(|(typed, _)| typed),
        }
    }

    /// `body` as the generated type `T`, and as JSON: within the cap, one JSON object (nothing
    /// after it), each field of its kind; a refusal names the field.
    fn read<T: serde::de::DeserializeOwned>(
        &self,
        body: &[u8],
    ) -> Result<(T, serde_json::Value), InboundError> {
        if body.len() > self.max_body {
            return Err(InboundError::too_large(self.max_body));
        }
        // The whole body once, as JSON (nothing may follow it), then the typed read of that.
        let whole: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| InboundError::new(InboundErrorKind::NotJson(e.to_string())))?;
        if !whole.is_object() {
            return Err(InboundError::new(InboundErrorKind::NotJson(
                "it is JSON, but not an object".to_owned(),
            )));
        }
        let wire: T = serde_path_to_error::deserialize(&whole).map_err(|located| {
            let path = located.path().to_string();
            let text = located.into_inner().to_string();
            let missing = text
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next());
            InboundError::new(match missing {
                Some(field) => InboundErrorKind::MissingField(match path.as_str() {
                    "." => field.to_owned(),
                    parent => format!("{parent}.{field}"),
                }),
                None => InboundErrorKind::InvalidField(path, text),
            })
        })?;
        Ok((wire, whole))
    }
}

/// What a receiver's handler gets: which callback it is, decoded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Callback {
    /// A customer's message in a Biz counselling room (메시지 수신, `POST /message/{uuid}`).
    Biz(InboundMessage),
    /// A KakaoTalk customer's message (상담 메시지 수신, `POST /message`).
    KakaoMessage(KakaoInboundMessage),
    /// A KakaoTalk session ended (세션 종료 정보 수신, `POST /expired_session`).
    KakaoExpiredSession(KakaoExpiredSession),
    /// How a KakaoTalk chat began (메타 정보 수신, `POST /reference`).
    KakaoReference(KakaoReference),
}

impl Callback {
    /// The spec's callback it is (`happytalk_api::inbound::…`): its name, family and path.
    pub fn inbound(&self) -> &'static Inbound {
        use happytalk_api::inbound;
        match self {
            Self::Biz(_) => &inbound::MESSAGE,
            Self::KakaoMessage(_) => &inbound::KAKAO_MESSAGE,
            Self::KakaoExpiredSession(_) => &inbound::KAKAO_EXPIRED_SESSION,
            Self::KakaoReference(_) => &inbound::KAKAO_REFERENCE,
        }
    }

    /// What identifies it among the callbacks of its kind: a Biz message's `msgid`; a
    /// KakaoTalk message's `sender_key/serial_number` (the same serial number from another
    /// sender profile is another message); an ended session's, and a reference's,
    /// `sender_key/session_id`.
    pub fn id(&self) -> String {
        match self {
            Self::Biz(message) => message.msgid.clone(),
            Self::KakaoMessage(message) => {
                format!("{}/{}", message.sender_key, message.serial_number)
            }
            Self::KakaoExpiredSession(ended) => {
                format!("{}/{}", ended.sender_key, ended.session_id)
            }
            Self::KakaoReference(reference) => {
                format!("{}/{}", reference.sender_key, reference.session_id)
            }
        }
    }

    /// What a redelivery of it repeats, for the duplicate filter: its callback's name and its
    /// [`id`](Self::id) (`message/98765001`, `kakao_message/SENDER_KEY/1689884130894833200`).
    /// `None` for a reference, handled again if it comes again (it changes nothing).
    pub fn duplicate_key(&self) -> Option<String> {
        match self {
            Self::KakaoReference(_) => None,
            _ => Some(format!("{}/{}", self.inbound().name, self.id())),
        }
    }
}

/// What `wire` carries, when its shape is one the spec describes (`InboundContent`,
/// `InboundImage`, `InboundFile`).
fn content(wire: &types::InboundMessage) -> Option<InboundContent> {
    let image = match &wire.image {
        None | Some(serde_json::Value::Null) => None,
        Some(image) if image.as_object().is_some_and(|image| image.is_empty()) => None,
        Some(image) => match serde_json::from_value::<types::InboundImage>(image.clone()) {
            Ok(types::InboundImage {
                url: Some(url),
                width,
                height,
            }) => Some((url, width, height)),
            _ => return None,
        },
    };
    let shape = serde_json::from_value::<types::InboundContent>(wire.content.clone()).ok()?;
    match (shape, image) {
        (types::InboundContent::String(text), None) => Some(InboundContent::Text(text)),
        (types::InboundContent::String(text), Some((url, width, height))) if text.is_empty() => {
            Some(InboundContent::Image { width, height, url })
        }
        (types::InboundContent::Object(object), None) => {
            let file = serde_json::from_value::<types::InboundFile>(object.into()).ok()?;
            Some(InboundContent::File {
                text: file.text,
                link_name: file.link.name,
                url: file.link.url,
            })
        }
        _ => None,
    }
}

/// A body HappyTalk posted that could not be taken; [`status`](Self::status) is what to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundError {
    kind: InboundErrorKind,
}

/// Why an inbound body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboundErrorKind {
    /// The body is larger than the decoder's cap.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body could not be read whole (the connection broke off).
    Unreadable(String),
    /// The body is not JSON (or not a JSON object): serde_json's words.
    NotJson(String),
    /// A required field is absent: its path in the body.
    MissingField(String),
    /// A field has the wrong kind of value: its path and what was wrong.
    InvalidField(String, String),
    /// The body's `uuid` is not the path's.
    UuidMismatch {
        /// The path's uuid.
        path: String,
        /// The body's uuid.
        body: String,
    },
}

impl InboundError {
    fn new(kind: InboundErrorKind) -> Self {
        Self { kind }
    }

    /// A body over `limit` bytes.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(InboundErrorKind::TooLarge { limit })
    }

    /// A body that could not be read whole.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn unreadable(why: String) -> Self {
        Self::new(InboundErrorKind::Unreadable(why))
    }

    /// Why it was refused.
    pub fn kind(&self) -> &InboundErrorKind {
        &self.kind
    }

    /// The field the refusal is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match &self.kind {
            InboundErrorKind::MissingField(field) | InboundErrorKind::InvalidField(field, _) => {
                Some(field)
            }
            InboundErrorKind::UuidMismatch { .. } => Some("uuid"),
            _ => None,
        }
    }

    /// The HTTP status to answer: 413 for a body over the cap, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self.kind {
            InboundErrorKind::TooLarge { .. } => 413,
            _ => 400,
        }
    }
}

impl fmt::Display for InboundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            InboundErrorKind::TooLarge { limit } => {
                write!(f, "the body is over the limit of {limit} bytes")
            }
            InboundErrorKind::Unreadable(why) => {
                write!(f, "the body could not be read whole: {}", Cut::plain(why))
            }
            InboundErrorKind::NotJson(why) => {
                write!(f, "the body is not a JSON object: {}", Cut::plain(why))
            }
            InboundErrorKind::MissingField(field) => write!(f, "`{field}` is missing"),
            InboundErrorKind::InvalidField(field, why) => {
                write!(f, "`{field}`: {}", Cut::plain(why))
            }
            InboundErrorKind::UuidMismatch { path, body } => write!(
                f,
                "the path's uuid {} is not the body's {}",
                Cut::quoted(path),
                Cut::quoted(body)
            ),
        }
    }
}

impl std::error::Error for InboundError {}

/// Remembers the `msgid`s taken lately, so that a redelivered message is handled once.
///
/// Bounded in count and in time: at most `capacity` ids (a new one pushes out the oldest),
/// each forgotten after `keep`. It holds a 64-bit keyed hash of each id and the time it was
/// taken, never the id itself, whatever the ids' length: 24 bytes an id in a ring that grows
/// by doubling up to `capacity` (so at most 48), and at most about 24 in a B-tree of the
/// hashes. `DuplicateFilter::new(100_000, …)` holds at most about 7 MB, typically 4. (Two ids
/// with the same hash would count as one; for 100,000 ids the odds are about one in 3·10⁹.)
/// Cheap to share: it locks a mutex for a few operations per message.
#[derive(Debug)]
pub struct DuplicateFilter {
    capacity: usize,
    keep: Duration,
    hasher: RandomState,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<(u64, Instant)>,
    ids: BTreeSet<u64>,
}

impl DuplicateFilter {
    /// A filter remembering at most `capacity` ids, each for `keep`.
    pub fn new(capacity: usize, keep: Duration) -> Self {
        Self {
            capacity,
            keep,
            hasher: RandomState::new(),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Whether `msgid` is new: `true` claims it (a later call with it answers `false`), `false`
    /// means it was taken within the last `keep` and is still remembered.
    pub fn first_time(&self, msgid: &str) -> bool {
        let key = self.hasher.hash_one(msgid);
        let now = Instant::now();
        let mut seen = self.lock();
        // First what has expired, then the check: a redelivery of the oldest id is caught
        // even when the filter is full.
        while let Some(&(old, at)) = seen.order.front() {
            if now.duration_since(at) < self.keep {
                break;
            }
            seen.order.pop_front();
            seen.ids.remove(&old);
        }
        if seen.ids.contains(&key) {
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        if seen.order.len() >= self.capacity
            && let Some((oldest, _)) = seen.order.pop_front()
        {
            seen.ids.remove(&oldest);
        }
        seen.ids.insert(key);
        seen.order.push_back((key, now));
        true
    }

    /// Forgets `msgid`, so that it counts as new again: for a message whose handling failed and
    /// that HappyTalk may deliver again.
    pub fn forget(&self, msgid: &str) {
        let key = self.hasher.hash_one(msgid);
        let mut seen = self.lock();
        if seen.ids.remove(&key) {
            seen.order.retain(|(id, _)| *id != key);
        }
    }

    /// How many ids it remembers now.
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    /// Whether it remembers no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        // Nothing is left half-done under the lock by a panic elsewhere.
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&json).unwrap()
    }

    fn decode(json: serde_json::Value) -> Result<InboundMessage, InboundError> {
        InboundDecoder::new().decode("cust_0001", &body(json))
    }

    fn example(name: &str) -> serde_json::Value {
        let json = happytalk_api::inbound::MESSAGE.example(name).unwrap();
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_spec_examples_decode_into_each_shape() {
        let text = decode(example("text")).unwrap();
        assert_eq!(
            (
                text.uuid.as_str(),
                text.room_id.as_str(),
                text.msgid.as_str()
            ),
            ("cust_0001", "1234567", "98765001")
        );
        assert_eq!(
            text.content,
            InboundContent::Text("배송이 언제 오나요?".to_owned())
        );
        assert_eq!((text.message_type.as_str(), text.auto_end), ("text", false));
        assert_eq!(
            decode(example("image")).unwrap().content,
            InboundContent::Image {
                width: Some(640),
                height: Some(480),
                url: "https://files.example.com/photo.jpg".to_owned()
            }
        );
        let file = decode(example("file")).unwrap();
        assert_eq!(
            file.content,
            InboundContent::File {
                text: "영수증을 보내드립니다.".to_owned(),
                link_name: "다운로드".to_owned(),
                url: "https://files.example.com/receipt.pdf".to_owned()
            }
        );
        assert_eq!(file.text(), Some("영수증을 보내드립니다."));
        let template = decode(example("template")).unwrap();
        assert!(template.auto_end);
        assert_eq!(
            template.content,
            InboundContent::Other(example("template")),
            "kept whole"
        );
    }

    #[test]
    fn unknown_shapes_are_kept_never_refused() {
        let mut odd = example("text");
        odd["content"] = serde_json::json!({"card": {"title": "새 형식"}});
        odd["type"] = serde_json::json!("card-v2");
        assert_eq!(
            decode(odd.clone()).unwrap().content,
            InboundContent::Other(odd)
        );
        let mut broken_file = example("file");
        broken_file["content"]["link"] = serde_json::json!("not an object");
        assert!(matches!(
            decode(broken_file).unwrap().content,
            InboundContent::Other(_)
        ));
        // Content of any kind, and an image of another shape, are kept too.
        for content in [
            serde_json::json!(42),
            serde_json::json!([{"title": "카드"}]),
        ] {
            let mut any = example("text");
            any["content"] = content;
            assert_eq!(
                decode(any.clone()).unwrap().content,
                InboundContent::Other(any)
            );
        }
        let mut odd_image = example("image");
        odd_image["image"] = serde_json::json!({"url": ["a", "b"]});
        assert!(matches!(
            decode(odd_image).unwrap().content,
            InboundContent::Other(_)
        ));
        // An auto_end the docs do not list is kept, and is not an automatic end.
        let mut maybe = example("text");
        maybe["auto_end"] = serde_json::json!("maybe");
        let kept = decode(maybe).unwrap();
        assert!(!kept.auto_end);
        assert_eq!(kept.auto_end_value.as_str(), "maybe");
        // A file's content with one more field is not a file (a template, say).
        let mut more = example("file");
        more["content"]["buttons"] = serde_json::json!([]);
        assert!(matches!(
            decode(more).unwrap().content,
            InboundContent::Other(_)
        ));
        // A text with an empty image object is a text.
        let mut empty_image = example("text");
        empty_image["image"] = serde_json::json!({});
        assert!(matches!(
            decode(empty_image).unwrap().content,
            InboundContent::Text(_)
        ));
    }

    #[test]
    fn a_bad_body_is_refused_naming_the_field() {
        let mut no_msgid = example("text");
        no_msgid.as_object_mut().unwrap().remove("msgid");
        let refused = decode(no_msgid).unwrap_err();
        assert_eq!(refused.to_string(), "`msgid` is missing");
        assert_eq!((refused.field(), refused.status()), (Some("msgid"), 400));

        let mut number = example("text");
        number["room_id"] = serde_json::json!(1234567);
        let refused = decode(number).unwrap_err();
        assert_eq!(refused.field(), Some("room_id"));
        assert!(
            refused.to_string().starts_with("`room_id`: invalid type"),
            "{refused}"
        );

        let mut auto_end = example("text");
        auto_end["auto_end"] = serde_json::json!(true);
        assert_eq!(decode(auto_end).unwrap_err().field(), Some("auto_end"));

        let trailing = [body(example("text")), b" {}".to_vec()].concat();
        for not_json in [&b"<html>"[..], b"", b"[1, 2]", b"{\"uuid\": ", &trailing] {
            let refused = InboundDecoder::new()
                .decode("cust_0001", not_json)
                .unwrap_err();
            assert!(
                matches!(refused.kind(), InboundErrorKind::NotJson(_)),
                "{not_json:?}: {refused:?}"
            );
            assert_eq!(refused.status(), 400);
        }
    }

    #[test]
    fn the_paths_uuid_must_be_the_bodys() {
        let refused = InboundDecoder::new()
            .decode("someone-else", &body(example("text")))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the path's uuid \"someone-else\" is not the body's \"cust_0001\""
        );
        let long = "x".repeat(5_000);
        let shown = InboundDecoder::new()
            .decode(&long, &body(example("text")))
            .unwrap_err()
            .to_string();
        assert!(shown.chars().count() < 300, "cut: {}", shown.len());
    }

    #[test]
    fn the_body_is_capped() {
        let big = body(example("text"));
        let refused = InboundDecoder::new()
            .max_body(big.len() - 1)
            .decode("cust_0001", &big)
            .unwrap_err();
        assert_eq!(refused.status(), 413);
        assert_eq!(
            refused.to_string(),
            format!("the body is over the limit of {} bytes", big.len() - 1)
        );
        assert!(
            InboundDecoder::new()
                .max_body(big.len())
                .decode("cust_0001", &big)
                .is_ok()
        );
        assert_eq!(InboundDecoder::new().limit(), 64 * 1024);
    }

    #[test]
    fn duplicates_are_caught_within_the_bounds() {
        let filter = DuplicateFilter::new(2, Duration::from_secs(60));
        assert!(filter.first_time("a"));
        assert!(!filter.first_time("a"), "a redelivery");
        assert!(filter.first_time("b"));
        assert!(filter.first_time("c"), "the oldest, a, makes room");
        assert_eq!(filter.len(), 2);
        assert!(filter.first_time("a"), "forgotten past the capacity");
        filter.forget("a");
        assert!(filter.first_time("a"), "forgotten on request");

        // Full, it still catches a redelivery of its oldest id.
        let full = DuplicateFilter::new(3, Duration::from_secs(60));
        for id in ["1", "2", "3"] {
            assert!(full.first_time(id));
        }
        assert!(!full.first_time("1") && !full.first_time("3"));
        assert_eq!(full.len(), 3);
        let one = DuplicateFilter::new(1, Duration::from_secs(60));
        assert!(one.first_time("x"));
        assert!(
            !one.first_time("x"),
            "a capacity of one catches the last id"
        );
        assert!(
            one.first_time("y") && one.first_time("x"),
            "and only the last"
        );

        let brief = DuplicateFilter::new(10, Duration::ZERO);
        assert!(brief.first_time("x"));
        assert!(brief.first_time("x"), "forgotten past the time");

        let off = DuplicateFilter::new(0, Duration::from_secs(60));
        assert!(off.first_time("x") && off.first_time("x") && off.is_empty());
    }
}
