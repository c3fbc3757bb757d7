//! Outgoing chat messages (메시지 발신, `POST /v1/chat/write`) and their validation.

use std::fmt;

use happytalk_api::types;

use happytalk_api::requests::SendMessage;

use crate::error::{Rule, ValidationError};

/// A message to send into a counselling room (상담방).
///
/// The kind of message decides which field it carries, so a text without `msg` or an image
/// without `url` cannot be built. Lengths and the URL are checked once, when the message is
/// built (against the spec's limits, which the generated types carry:
/// `types::ChatMessageRequestMsg::MAX_LENGTH`), into the generated request body the message
/// keeps (so it holds its text twice);
/// [`validate`](Self::validate) reports the outcome, and
/// [`Client::send_message`](crate::Client::send_message) refuses a message that breaks a rule
/// before anything is sent, and otherwise sends that body without checking or copying it again.
///
/// ```
/// use happytalk_ext::ChatMessage;
///
/// let text = ChatMessage::text("cust-0001", "1234567", "안녕하세요");
/// let image = ChatMessage::image("cust-0001", "1234567", "https://example.com/a.png");
/// assert!(text.validate().is_ok() && image.validate().is_ok());
///
/// let err = ChatMessage::text("abc", "1234567", "hi").validate().unwrap_err();
/// assert_eq!(err.to_string(), r#"`uuid` must be 5 to 20 characters; got 3 characters ("abc")"#);
/// ```
#[derive(Clone)]
pub struct ChatMessage {
    uuid: String,
    room_id: String,
    content: MessageContent,
    /// The generated request body, checked once when the message is built (or the first rule
    /// it breaks): sending borrows it, so a message sent twice is not checked or copied twice.
    request: Result<types::ChatMessageRequest, ValidationError>,
}

impl PartialEq for ChatMessage {
    fn eq(&self, other: &Self) -> bool {
        // The request is derived from these three.
        (&self.uuid, &self.room_id, &self.content) == (&other.uuid, &other.room_id, &other.content)
    }
}

impl Eq for ChatMessage {}

impl fmt::Debug for ChatMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatMessage")
            .field("uuid", &self.uuid)
            .field("room_id", &self.room_id)
            .field("content", &self.content)
            .finish()
    }
}

/// What a [`ChatMessage`] carries: text, or the URL of a medium.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageContent {
    /// `type: text` with `msg` (텍스트).
    Text(String),
    /// `type: image` with `url` (이미지).
    Image(String),
    /// `type: video` with `url` (비디오).
    Video(String),
    /// `type: audio` with `url` (오디오).
    Audio(String),
}

impl MessageContent {
    /// The wire `type` (`text`, `image`, `video` or `audio` as its `Display`).
    pub fn message_type(&self) -> happytalk_api::ChatMessageType {
        match self {
            Self::Text(_) => happytalk_api::ChatMessageType::Text,
            Self::Image(_) => happytalk_api::ChatMessageType::Image,
            Self::Video(_) => happytalk_api::ChatMessageType::Video,
            Self::Audio(_) => happytalk_api::ChatMessageType::Audio,
        }
    }
}

impl ChatMessage {
    /// A message with any content.
    pub fn new(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        content: MessageContent,
    ) -> Self {
        let (uuid, room_id) = (uuid.into(), room_id.into());
        let request = to_request(&uuid, &room_id, &content);
        Self {
            uuid,
            room_id,
            content,
            request,
        }
    }

    /// A text message (`type: text`, `msg`).
    pub fn text(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(uuid, room_id, MessageContent::Text(msg.into()))
    }

    /// An image message (`type: image`, `url`).
    pub fn image(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        Self::new(uuid, room_id, MessageContent::Image(url.into()))
    }

    /// A video message (`type: video`, `url`).
    pub fn video(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        Self::new(uuid, room_id, MessageContent::Video(url.into()))
    }

    /// An audio message (`type: audio`, `url`).
    pub fn audio(
        uuid: impl Into<String>,
        room_id: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        Self::new(uuid, room_id, MessageContent::Audio(url.into()))
    }

    /// 고객사 고객 식별 정보: the customer's identifier in your system.
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    /// 상담방 번호: the counselling room.
    pub fn room_id(&self) -> &str {
        &self.room_id
    }

    /// The text or medium.
    pub fn content(&self) -> &MessageContent {
        &self.content
    }

    /// Checks every field against HappyTalk's limits, in the order `uuid`, `room_id`, then `msg`
    /// or `url`, and reports the first that fails. Lengths count characters, not bytes. (The
    /// check was made when the message was built; this reports its outcome.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.request().map(drop)
    }

    /// The generated request body, once every rule holds.
    pub(crate) fn request(&self) -> Result<&types::ChatMessageRequest, ValidationError> {
        self.request.as_ref().map_err(Clone::clone)
    }
}

/// The generated request body of a message (the generated builder checks each field), once
/// every rule holds; a medium's URL must be an absolute http(s) URL too (the spec says so in
/// words; this crate checks it, as HappyTalk fetches the medium from it).
fn to_request(
    uuid: &str,
    room_id: &str,
    content: &MessageContent,
) -> Result<types::ChatMessageRequest, ValidationError> {
    let body = SendMessage::new(uuid, room_id, content.message_type());
    // Message content is never echoed into an error (the spec marks it personal data).
    let request = match content {
        MessageContent::Text(msg) => body.msg(msg),
        MessageContent::Image(url) | MessageContent::Video(url) | MessageContent::Audio(url) => {
            body.url(url)
        }
    }
    .build()?;
    let Some(url) = request.url.as_deref().map(String::as_str) else {
        return Ok(request);
    };
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(request)
        }
        _ => Err(ValidationError::text(
            <types::ChatMessageRequestUrl as happytalk_api::LengthLimits>::FIELD,
            Rule::AbsoluteHttpUrl,
            url,
            true,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uuid_of(n: usize) -> String {
        "u".repeat(n)
    }

    #[test]
    fn uuid_is_5_to_20_characters() {
        for (length, ok) in [
            (4, false),
            (5, true),
            (6, true),
            (19, true),
            (20, true),
            (21, false),
        ] {
            let result = ChatMessage::text(uuid_of(length), "1", "hi").validate();
            assert_eq!(result.is_ok(), ok, "uuid of {length}");
            if let Err(err) = result {
                assert_eq!(err.field(), "uuid");
                assert_eq!(err.rule(), &Rule::Length { min: 5, max: 20 });
                assert_eq!(err.given_length(), length);
            }
        }
    }

    #[test]
    fn room_id_is_1_to_30_characters() {
        for (length, ok) in [(0, false), (1, true), (29, true), (30, true), (31, false)] {
            let result = ChatMessage::text("cust-1", "7".repeat(length), "hi").validate();
            assert_eq!(result.is_ok(), ok, "room_id of {length}");
            if let Err(err) = result {
                assert_eq!(err.field(), "room_id");
            }
        }
    }

    #[test]
    fn msg_counts_characters_not_bytes() {
        for (length, ok) in [
            (0, false),
            (1, true),
            (999, true),
            (1000, true),
            (1001, false),
        ] {
            let result = ChatMessage::text("cust-1", "1", "가".repeat(length)).validate();
            assert_eq!(result.is_ok(), ok, "msg of {length} Hangul characters");
        }
        // 1000 Hangul characters are 3000 bytes: still allowed.
        assert_eq!("가".repeat(1000).len(), 3000);
    }

    #[test]
    fn a_long_value_is_described_by_its_length_and_msg_never_echoed() {
        let err = ChatMessage::text("cust-1", "1", "가".repeat(1001))
            .validate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`msg` must be 1 to 1000 characters; got 1001 characters"
        );
        let err = ChatMessage::text("cust-1", "1", "").validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`msg` must be 1 to 1000 characters; got 0 characters"
        );
        let err = ChatMessage::text("cust-1", "9".repeat(45), "hi")
            .validate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`room_id` must be 1 to 30 characters; got 45 characters"
        );
    }

    #[test]
    fn url_is_at_most_255_characters() {
        let base = "https://example.com/";
        for (length, ok) in [(254, true), (255, true), (256, false)] {
            let url = format!("{base}{}", "a".repeat(length - base.len()));
            let result = ChatMessage::image("cust-1", "1", url).validate();
            assert_eq!(result.is_ok(), ok, "url of {length}");
            if let Err(err) = result {
                assert_eq!(err.rule(), &Rule::Length { min: 1, max: 255 });
            }
        }
    }

    #[test]
    fn url_must_be_absolute_http() {
        for url in ["https://example.com/a.png", "http://127.0.0.1:8080/v.mp4"] {
            assert!(
                ChatMessage::video("cust-1", "1", url).validate().is_ok(),
                "{url}"
            );
        }
        for url in [
            "ftp://example.com/a.png",
            "/a.png",
            "example.com/a.png",
            "https://",
            "data:,x",
        ] {
            let err = ChatMessage::audio("cust-1", "1", url)
                .validate()
                .unwrap_err();
            assert_eq!(err.field(), "url");
            assert_eq!(err.rule(), &Rule::AbsoluteHttpUrl, "{url}");
        }
        let err = ChatMessage::image("cust-1", "1", "ftp://x")
            .validate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"`url` must be an absolute http(s) URL; got 7 characters ("ftp://x")"#
        );
        let err = ChatMessage::image("cust-1", "1", "")
            .validate()
            .unwrap_err();
        assert_eq!(err.rule(), &Rule::Length { min: 1, max: 255 });
    }

    #[test]
    fn each_kind_carries_its_field_and_wire_type() {
        let request = ChatMessage::text("cust-1", "1", "hi");
        let request = request.request().unwrap();
        assert_eq!(request.type_, happytalk_api::ChatMessageType::Text);
        assert_eq!(request.msg.as_deref().map(String::as_str), Some("hi"));
        assert_eq!(request.url, None);
        for (message, wire) in [
            (
                ChatMessage::image("cust-1", "1", "https://e.com/x"),
                "image",
            ),
            (
                ChatMessage::video("cust-1", "1", "https://e.com/x"),
                "video",
            ),
            (
                ChatMessage::audio("cust-1", "1", "https://e.com/x"),
                "audio",
            ),
        ] {
            assert_eq!(message.content().message_type().to_string(), wire);
            let request = message.request().unwrap();
            assert_eq!(request.type_.to_string(), wire);
            assert_eq!(request.msg, None);
            assert_eq!(
                request.url.as_deref().map(String::as_str),
                Some("https://e.com/x")
            );
        }
    }

    #[test]
    fn the_first_failing_field_is_reported() {
        let err = ChatMessage::text("abc", "", "").validate().unwrap_err();
        assert_eq!(err.field(), "uuid");
    }
}
