//! Scripted answers: which requests a rule matches, what it answers, and how often.

use std::time::Duration;

use happytalk_api::{Operation, ResultCode};
use serde_json::Value;

/// Which requests a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Match {
    /// Every request.
    Any,
    /// Requests of one operation (its `operationId`), whatever their fields.
    Operation(&'static str),
    /// Requests about this room (a body whose `room_id` is it): messages into it, ending it.
    Room(String),
    /// Requests for this customer (a body whose `uuid` is it): opening a room for them, …
    Customer(String),
    /// Requests for this sender key (a query whose `senderKey` is it): system-message lookups.
    SenderKey(String),
    /// Requests that every one of these matches: an operation for a customer, … (build it
    /// with [`and`](Self::and)).
    All(Vec<Match>),
}

impl Match {
    /// Requests of `operation` (`&happytalk_api::operations::SEND_MESSAGE`, …).
    pub fn operation(operation: &Operation) -> Self {
        Self::Operation(operation.id)
    }

    /// Requests about room `room_id`.
    pub fn room(room_id: impl Into<String>) -> Self {
        Self::Room(room_id.into())
    }

    /// Requests for customer `uuid`.
    pub fn customer(uuid: impl Into<String>) -> Self {
        Self::Customer(uuid.into())
    }

    /// Lookups of `sender_key`.
    pub fn sender_key(sender_key: impl Into<String>) -> Self {
        Self::SenderKey(sender_key.into())
    }

    /// Requests this and `other` both match:
    /// `Match::operation(&operations::SEND_MESSAGE).and(Match::customer("cust-0001"))`.
    pub fn and(self, other: Match) -> Self {
        let mut all = match self {
            Self::All(all) => all,
            one => vec![one],
        };
        match other {
            Self::All(more) => all.extend(more),
            one => all.push(one),
        }
        Self::All(all)
    }

    pub(crate) fn matches(&self, request: &RequestFacts<'_>) -> bool {
        match self {
            Self::All(all) => all.iter().all(|one| one.matches(request)),
            Self::Any => true,
            Self::Operation(id) => request.operation == Some(*id),
            Self::Room(room) => request.room_id == Some(room.as_str()),
            Self::Customer(uuid) => request.uuid == Some(uuid.as_str()),
            Self::SenderKey(key) => request.sender_key == Some(key.as_str()),
        }
    }
}

/// What a rule looks at.
pub(crate) struct RequestFacts<'a> {
    pub(crate) operation: Option<&'static str>,
    pub(crate) room_id: Option<&'a str>,
    pub(crate) uuid: Option<&'a str>,
    pub(crate) sender_key: Option<&'a str>,
}

/// What the mock answers when a rule matches.
///
/// ```
/// use std::time::Duration;
/// use happytalk_api::BizResultCode;
/// use happytalk_mock::Reply;
///
/// let outage = Reply::html(503, "<html>Service Unavailable</html>");
/// let refused = Reply::code(BizResultCode::ParameterLength).field("msg").status(400);
/// let busy = Reply::counselling(BizResultCode::NoCounsellorAvailable, "상담사 연결이 지연되고 있습니다");
/// let slow = Reply::code(BizResultCode::Success).delay(Duration::from_secs(5));
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
    /// An answer of the request's operation with this code, in the shape its answer has (the
    /// spec's `x-result` fields): the code's documented message; `field` on a parameter
    /// failure; on a refusal for lack of counselling, `room_id` 0, the request's echoed
    /// fields and the notice. A success is the operation's own (see the server).
    Code {
        code: ResultCode,
        field: Option<String>,
        notice: Option<String>,
    },
    /// Any JSON body.
    Json(Value),
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
    pub(crate) fn new(status: u16, body: Body) -> Self {
        Self {
            status,
            body,
            delay: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    /// HTTP 200 with `answer`, any generated answer type (`types::OpenRoomResult { … }`) or
    /// anything else that serializes: the body exactly as given.
    pub fn answer(answer: &impl serde::Serialize) -> Self {
        Self::json(200, serde_json::to_value(answer).unwrap_or(Value::Null))
    }

    /// An answer with this result code (documented or not: `BizResultCode::from(-4242)`) in the
    /// shape of the request's operation, with the code's documented message, under HTTP 200.
    /// A success code gives the operation's success answer (a message's room, the lookup's
    /// data, …).
    pub fn code(code: impl Into<ResultCode>) -> Self {
        Self::new(
            200,
            Body::Code {
                code: code.into(),
                field: None,
                notice: None,
            },
        )
    }

    /// A refusal for lack of counselling (-90x): `room_id` is the integer 0, the request's
    /// `uuid` and `type` are echoed, and `content` is the automatic notice shown to the
    /// customer.
    pub fn counselling(code: impl Into<ResultCode>, notice: impl Into<String>) -> Self {
        Self::new(
            200,
            Body::Code {
                code: code.into(),
                field: None,
                notice: Some(notice.into()),
            },
        )
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

    /// Adds `field` to a [`code`](Self::code) answer (the request field HappyTalk refused, on
    /// a parameter failure); other replies are left as they are.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        if let Body::Code { field: slot, .. } = &mut self.body {
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
pub(crate) struct ScriptedRule {
    pub(crate) matcher: Match,
    pub(crate) reply: Reply,
    pub(crate) remaining: Option<usize>,
}
