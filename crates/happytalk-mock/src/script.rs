//! Scripted answers: which requests a rule matches, what it answers, and how often.

use std::time::Duration;

use serde_json::Value;

/// Which requests a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Match {
    /// Every request.
    Any,
    /// Chat messages (`POST /v1/chat/write`) into this room (`room_id`).
    Room(String),
    /// System-message lookups (`GET /kakaoWebhook/…`) of this sender key (`senderKey`).
    SenderKey(String),
    /// Every chat message.
    Chat,
    /// Every system-message lookup.
    SystemMessages,
}

impl Match {
    /// Chat messages into `room_id`.
    pub fn room(room_id: impl Into<String>) -> Self {
        Self::Room(room_id.into())
    }

    /// Lookups of `sender_key`.
    pub fn sender_key(sender_key: impl Into<String>) -> Self {
        Self::SenderKey(sender_key.into())
    }

    pub(crate) fn matches(&self, request: &RequestFacts<'_>) -> bool {
        match self {
            Self::Any => true,
            Self::Room(room) => request.chat && request.room_id == Some(room.as_str()),
            Self::SenderKey(key) => !request.chat && request.sender_key == Some(key.as_str()),
            Self::Chat => request.chat,
            Self::SystemMessages => !request.chat,
        }
    }
}

/// What a rule looks at.
pub(crate) struct RequestFacts<'a> {
    pub(crate) chat: bool,
    pub(crate) room_id: Option<&'a str>,
    pub(crate) sender_key: Option<&'a str>,
}

/// What the mock answers when a rule matches.
///
/// ```
/// use std::time::Duration;
/// use happytalk_mock::Reply;
///
/// let outage = Reply::html(503, "<html>Service Unavailable</html>");
/// let refused = Reply::chat_code(-802).field("msg").status(400);
/// let busy = Reply::counselling(-903, "상담사 연결이 지연되고 있습니다");
/// let slow = Reply::chat_code(0).delay(Duration::from_secs(5));
/// let gone = Reply::drop_connection();
/// # let _ = (outage, refused, busy, slow, gone);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Body,
    pub(crate) delay: Duration,
    pub(crate) headers: Vec<(String, String)>,
}

/// The body of a [`Reply`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Body {
    /// A `/v1/chat/write` answer with this code (a success answers the request's room).
    Chat { code: i64, field: Option<String> },
    /// A `/kakaoWebhook/…` answer with this code (`"200"`: no data).
    Kakao { code: String },
    /// Any JSON body.
    Json(Value),
    /// A -90x body: `room_id` 0, the request's `uuid` and `type`, and the notice.
    Counselling { code: i64, notice: String },
    /// `text/html`.
    Html(String),
    /// No body at all.
    Empty,
    /// The start of this JSON, under a `Content-Length` of all of it; then the connection closes.
    Truncated(Value),
    /// The connection closes without an answer.
    Drop,
}

impl Reply {
    fn new(status: u16, body: Body) -> Self {
        Self {
            status,
            body,
            delay: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    /// A `/v1/chat/write` answer with this code (0 is success; documented or not) and its
    /// documented message, under HTTP 200. A success carries the request's `room_id`.
    pub fn chat_code(code: i64) -> Self {
        Self::new(200, Body::Chat { code, field: None })
    }

    /// A -90x answer (counselling unavailable): `room_id` is the integer 0, `uuid` and `type`
    /// are the request's, and `content` is the automatic notice shown to the customer.
    pub fn counselling(code: i64, notice: impl Into<String>) -> Self {
        Self::new(
            200,
            Body::Counselling {
                code,
                notice: notice.into(),
            },
        )
    }

    /// A `/kakaoWebhook/…` answer with this code (`"200"` is success, with no data; documented
    /// or not) and a message, under HTTP 200.
    pub fn kakao_code(code: impl Into<String>) -> Self {
        Self::new(200, Body::Kakao { code: code.into() })
    }

    /// Any JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Self::new(status, Body::Json(body))
    }

    /// An HTML page (a proxy's error page, say).
    pub fn html(status: u16, page: impl Into<String>) -> Self {
        Self::new(status, Body::Html(page.into()))
    }

    /// An answer with no body.
    pub fn empty(status: u16) -> Self {
        Self::new(status, Body::Empty)
    }

    /// The first half of this JSON under a `Content-Length` of all of it, then the connection
    /// closes: a truncated answer.
    pub fn truncated(body: Value) -> Self {
        Self::new(200, Body::Truncated(body))
    }

    /// The connection closes once the request is read, without an answer.
    pub fn drop_connection() -> Self {
        Self::new(200, Body::Drop)
    }

    /// The HTTP status to answer with.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Adds `field` to a chat answer (the request field HappyTalk refused, on -80x); other
    /// replies are left as they are.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        if let Body::Chat { field: slot, .. } = &mut self.body {
            *slot = Some(field.into());
        }
        self
    }

    /// Waits this long before answering (to test timeouts).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Adds a response header (`Retry-After`, say).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A rule: what it matches, what it answers, and how many more times (`None`: always).
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) matcher: Match,
    pub(crate) reply: Reply,
    pub(crate) remaining: Option<usize>,
}

/// The message HappyTalk documents for a Biz code.
pub(crate) fn chat_message(code: i64) -> &'static str {
    match code {
        0 => "",
        -400 => "Forbidden",
        -500 => "Authorization",
        -504 => "Contract",
        -600 => "System",
        -700 => "EndRoom",
        -701 => "Room",
        -702 => "NotRoom",
        -703 => "UUID",
        -704 => "IngRoom",
        -800 => "Validation",
        -801 => "Required",
        -802 => "Length",
        -904..=-900 => "Consulting",
        -1001 => "Vote",
        _ => "Undocumented",
    }
}

/// A message for a Kakao code: the seed's Korean sentence for 507, the documented meaning for
/// the others.
pub(crate) fn kakao_message(code: &str) -> String {
    match code {
        "507" => "발신프로필(발신채널) 또는 발신프로필 그룹이 유효하지 않습니다".to_owned(),
        other => happytalk_ext::ApiCode::from_kakao(other)
            .meaning()
            .to_owned(),
    }
}
