//! What Kakao (through HappyTalk) posts to a KakaoTalk channel's receive domain: a customer's
//! message (`/message`), the end of a session (`/expired_session`) and how a chat began
//! (`/reference`). Decoded like the Biz callback: typed where the spec is known, lenient where it
//! is not (an unknown `type`, an attachment of another shape, a reference as an object or as a
//! string), refusing only a body that lacks what identifies it.

use happytalk_api::chrono::{DateTime, Utc};
use happytalk_api::{KakaoInboundType, SerialNumber, types};

/// A KakaoTalk customer's message (상담 메시지 수신, `POST {receive domain}/message`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KakaoInboundMessage {
    /// 사용자 키: the customer (give it back to answer them).
    pub user_key: String,
    /// 발신 프로필 키: the channel's sender profile that received it.
    pub sender_key: String,
    /// 세션 ID: the counselling session, if given.
    pub session_id: Option<String>,
    /// Kakao's server time of the delivery (not when the customer typed), if given.
    pub time: Option<DateTime<Utc>>,
    /// 메시지 일련번호: Kakao's key of this message, its digits exactly as sent. A redelivery
    /// repeats it on the same sender profile.
    pub serial_number: SerialNumber,
    /// 메시지 타입: `text`, `photo`, `video`, `audio`, `file`, or another value, kept.
    pub message_type: KakaoInboundType,
    /// 메시지 내용: the text (of a long one, its first 300 characters), if any.
    pub content: Option<String>,
    /// `attachment.url`: a long text's whole text (a `.txt`), or, as assumed, a medium's URL.
    pub attachment_url: Option<String>,
    /// The `extra` of a button the customer pressed.
    pub extra: Option<String>,
    /// The whole body as it came, as text (see [`body`](Self::body)).
    raw: String,
}

impl KakaoInboundMessage {
    /// The whole body as it came, as JSON: what an attachment of another shape carries, or a
    /// field the spec does not describe, is here, never refused.
    pub fn body(&self) -> serde_json::Value {
        serde_json::from_str(&self.raw).unwrap_or(serde_json::Value::Null)
    }

    /// The whole body as it came, as text.
    pub fn raw_body(&self) -> &str {
        &self.raw
    }
}

/// A KakaoTalk session that ended (세션 종료 정보 수신, `POST {receive domain}/expired_session`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KakaoExpiredSession {
    /// 사용자 키: the customer.
    pub user_key: String,
    /// 발신 프로필 키: the channel's sender profile.
    pub sender_key: String,
    /// 세션 ID: the session that ended.
    pub session_id: String,
    /// Kakao's server time of the end, if given.
    pub time: Option<DateTime<Utc>>,
}

/// How a KakaoTalk chat began (메타 정보 수신, `POST {receive domain}/reference`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KakaoReference {
    /// 사용자 키: the customer.
    pub user_key: String,
    /// 발신 프로필 키: the channel's sender profile.
    pub sender_key: String,
    /// 세션 ID: the session.
    pub session_id: String,
    /// The customer's app user id, if they have one.
    pub app_user_id: Option<i64>,
    /// Kakao's server time, if given.
    pub time: Option<DateTime<Utc>>,
    /// The meta data set when the chat was opened, as JSON: an object as sent, or, from the
    /// older page's string, the JSON it holds (or the string itself when it holds none).
    pub reference: Option<serde_json::Value>,
    /// The latest meta data (`extra`, `bot`, `bot_event`, `created_at`), as JSON likewise.
    pub last_reference: Option<serde_json::Value>,
}

/// Epoch milliseconds as a time (`None` for a value out of range).
fn time(millis: Option<i64>) -> Option<DateTime<Utc>> {
    millis.and_then(DateTime::from_timestamp_millis)
}

/// JSON as sent, or the JSON a string holds (the older page types these as String).
fn json(value: Option<serde_json::Value>) -> Option<serde_json::Value> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => {
            Some(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        }
        other => Some(other),
    }
}

pub(super) fn message(wire: types::KakaoInboundMessage, raw: String) -> KakaoInboundMessage {
    let attachment_url = wire
        .attachment
        .get("url")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    KakaoInboundMessage {
        user_key: wire.user_key,
        sender_key: wire.sender_key,
        session_id: wire.session_id,
        time: time(wire.time),
        serial_number: wire.serial_number,
        message_type: wire.type_,
        content: wire.content,
        attachment_url,
        extra: wire.extra,
        raw,
    }
}

pub(super) fn expired_session(wire: types::KakaoExpiredSession) -> KakaoExpiredSession {
    KakaoExpiredSession {
        user_key: wire.user_key,
        sender_key: wire.sender_key,
        session_id: wire.session_id,
        time: time(wire.time),
    }
}

pub(super) fn reference(wire: types::KakaoReference) -> KakaoReference {
    KakaoReference {
        user_key: wire.user_key,
        sender_key: wire.sender_key,
        session_id: wire.session_id,
        app_user_id: wire.app_user_id,
        time: time(wire.time),
        reference: json(wire.reference),
        last_reference: json(wire.last_reference),
    }
}
