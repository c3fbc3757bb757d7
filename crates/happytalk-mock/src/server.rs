//! The HTTP side: connections (hyper), bodies (including the broken ones a [`Reply`] asks
//! for), and HappyTalk's documented behaviour for each request.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use happytalk_api::types;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::script::{Body, Reply, RequestFacts, chat_message, kakao_message};
use crate::{Headers, Received, State};

pub(crate) const CHAT_PATH: &str = "/v1/chat/write";
pub(crate) const SYSTEM_MESSAGES_PATH: &str = "/kakaoWebhook/v3/bzmc/sm";
/// The most of a request body the mock reads; a larger body is refused (-802, HTTP 413).
pub(crate) const MAX_BODY: usize = 64 * 1024;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Accepts connections until the task is aborted; aborting it also ends every connection
/// (they live in its `JoinSet`).
pub(crate) async fn accept(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(request, state.clone()));
                    // A connection that breaks (or that a reply drops) just ends.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}

async fn answer(
    request: hyper::Request<Incoming>,
    state: Arc<Mutex<State>>,
) -> Result<hyper::Response<ReplyBody>, Failure> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes());
    let (reply, request_json) = {
        let mut state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (received, default) = understand(&parts, body.as_deref().ok(), body.is_err(), &state);
        let facts = RequestFacts {
            chat: received.path == CHAT_PATH,
            room_id: received.body.as_ref().and_then(|b| b["room_id"].as_str()),
            sender_key: received.sender_key.as_deref(),
        };
        let scripted = state.take_reply(&facts);
        let request_json = received.body.clone();
        state.received.push(received);
        (scripted.unwrap_or(default), request_json)
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    respond(reply, request_json.as_ref())
}

/// The request as the mock understood it, and HappyTalk's documented answer to it.
fn understand(
    parts: &hyper::http::request::Parts,
    body: Option<&[u8]>,
    too_large: bool,
    state: &State,
) -> (Received, Reply) {
    let path = parts.uri.path().to_owned();
    let query: BTreeMap<String, String> = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers = Headers(
        parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    );
    let json: Option<Value> = body.and_then(|b| serde_json::from_slice(b).ok());
    let mut received = Received {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        sender_key: query.get("senderKey").cloned(),
        id: query.get("id").cloned(),
        chat_message: json
            .clone()
            .and_then(|j| serde_json::from_value::<types::ChatMessageRequest>(j).ok()),
        body: json,
        headers,
        violations: Vec::new(),
    };
    let reply = match (parts.method.as_str(), path.as_str()) {
        ("POST", CHAT_PATH) => chat(&mut received, body, too_large, state),
        ("GET", SYSTEM_MESSAGES_PATH) => system_messages(&mut received, state),
        (_, CHAT_PATH) => {
            received.violate(format!(
                "{} is not the method of {CHAT_PATH} (POST)",
                parts.method
            ));
            Reply::chat_code(-400).status(405)
        }
        (_, SYSTEM_MESSAGES_PATH) => {
            received.violate(format!(
                "{} is not the method of {SYSTEM_MESSAGES_PATH} (GET)",
                parts.method
            ));
            Reply::kakao_code("405").status(405)
        }
        (_, other) => {
            received.violate(format!("{other} is not a HappyTalk path"));
            Reply::chat_code(-400).status(404)
        }
    };
    (received, reply)
}

/// Whether the two headers carry the credentials the mock accepts; each problem is recorded.
fn authorised(received: &mut Received, state: &State) -> bool {
    let mut ok = true;
    for (name, expected, what) in [
        ("ht-client-id", &state.client_id, "HT-Client-Id"),
        ("ht-client-secret", &state.client_secret, "HT-Client-Secret"),
    ] {
        match received.headers.0.get(name) {
            None => {
                received.violate(format!("{what} is missing"));
                ok = false;
            }
            // Never the value: a violation may be printed.
            Some(value) if value != expected => {
                received.violate(format!("{what} is not the one this mock accepts"));
                ok = false;
            }
            Some(_) => {}
        }
    }
    ok
}

/// `POST /v1/chat/write`: the credentials, then each field in the documented order.
fn chat(received: &mut Received, body: Option<&[u8]>, too_large: bool, state: &State) -> Reply {
    if !authorised(received, state) {
        return Reply::chat_code(-500);
    }
    if too_large {
        received.violate(format!("the body is larger than {MAX_BODY} bytes"));
        return Reply::chat_code(-802).field("body").status(413);
    }
    let Some(fields) = received.body.clone().filter(Value::is_object) else {
        let what = if body.is_some_and(|b| !b.is_empty()) {
            "the body is not a JSON object"
        } else {
            "the body is empty"
        };
        received.violate(what.to_owned());
        return Reply::chat_code(-800);
    };
    let content = if fields["type"].as_str() == Some("text") {
        "msg"
    } else {
        "url"
    };
    for field in ["uuid", "room_id", "type", content] {
        let Some(value) = fields.get(field).filter(|v| !v.is_null()) else {
            received.violate(format!("`{field}` is missing"));
            return Reply::chat_code(-801).field(field);
        };
        let Some(text) = value.as_str() else {
            received.violate(format!("`{field}` is not a string"));
            return Reply::chat_code(-800).field(field);
        };
        if field == "type" {
            if types::ChatMessageType::try_from(text).is_err() {
                received.violate(format!(
                    "`type` {text:?} is not text, image, video or audio"
                ));
                return Reply::chat_code(-800).field("type");
            }
        } else if !within_limits(field, text) {
            received.violate(format!(
                "`{field}` is {} characters, outside the spec's limits",
                text.chars().count()
            ));
            return Reply::chat_code(-802).field(field);
        }
    }
    Reply::chat_code(0)
}

/// Whether `text` fits `field`'s length limits, checked by the generated type of the field: the
/// spec's limits reach the mock through the generator.
fn within_limits(field: &str, text: &str) -> bool {
    match field {
        "uuid" => types::ChatMessageRequestUuid::try_from(text).is_ok(),
        "room_id" => types::ChatMessageRequestRoomId::try_from(text).is_ok(),
        "msg" => types::ChatMessageRequestMsg::try_from(text).is_ok(),
        "url" => types::ChatMessageRequestUrl::try_from(text).is_ok(),
        _ => true,
    }
}

/// `GET /kakaoWebhook/v3/bzmc/sm`: the credentials, then the store.
fn system_messages(received: &mut Received, state: &State) -> Reply {
    if !authorised(received, state) {
        return Reply::kakao_code("403");
    }
    let Some(sender_key) = received.sender_key.clone().filter(|k| !k.is_empty()) else {
        received.violate("`senderKey` is missing".to_owned());
        return Reply::kakao_code("405");
    };
    let Some(messages) = state.store.get(&sender_key) else {
        return Reply::kakao_code("507");
    };
    let found: Vec<&types::SystemMessage> = match received.id.clone() {
        None => messages
            .iter()
            .filter(|m| m.status.as_deref() == Some("A"))
            .collect(),
        Some(id) => {
            let Ok(id) = id.parse::<i64>() else {
                received.violate(format!("`id` {id:?} is not a number"));
                return Reply::kakao_code("405");
            };
            match messages.iter().find(|m| m.id == id) {
                Some(found) => vec![found],
                None => return Reply::kakao_code("508"),
            }
        }
    };
    let answer = types::SystemMessageResult {
        code: "200".to_owned(),
        data: Some(found.into_iter().cloned().collect()),
        message: None,
    };
    Reply::json(200, serde_json::to_value(answer).unwrap_or(Value::Null))
}

/// The HTTP response of a reply.
fn respond(reply: Reply, request: Option<&Value>) -> Result<hyper::Response<ReplyBody>, Failure> {
    // Documented answers are the generated types, so that a spec change reaches them.
    let (content_type, body) = match reply.body {
        Body::Drop => return Err("the reply drops the connection".into()),
        Body::Chat { code, field } => {
            let answer = types::ChatMessageResult {
                code: i32::try_from(code).unwrap_or(i32::MIN),
                message: Some(chat_message(code).to_owned()),
                // A success answers the request's room.
                room_id: (code == 0).then(|| {
                    let room = request.and_then(|r| r["room_id"].as_str()).unwrap_or("");
                    types::ResultRoomId::String(room.to_owned())
                }),
                field,
                content: None,
                type_: None,
                uuid: None,
            };
            let json = serde_json::to_string(&answer).unwrap_or_default();
            ("application/json", ReplyBody::whole(json))
        }
        Body::Kakao { code } => {
            let answer = types::SystemMessageResult {
                data: (code == "200").then(Vec::new),
                message: (code != "200").then(|| kakao_message(&code)),
                code,
            };
            let json = serde_json::to_string(&answer).unwrap_or_default();
            ("application/json", ReplyBody::whole(json))
        }
        Body::Json(json) => ("application/json", ReplyBody::whole(json.to_string())),
        Body::Counselling { code, notice } => {
            let answer = types::ChatMessageResult {
                code: i32::try_from(code).unwrap_or(i32::MIN),
                message: Some(chat_message(code).to_owned()),
                room_id: Some(types::ResultRoomId::Int64(0)),
                uuid: request.and_then(|r| r["uuid"].as_str()).map(str::to_owned),
                type_: request.and_then(|r| r["type"].as_str()).map(str::to_owned),
                content: Some(notice),
                field: None,
            };
            let json = serde_json::to_string(&answer).unwrap_or_default();
            ("application/json", ReplyBody::whole(json))
        }
        Body::Html(page) => ("text/html; charset=utf-8", ReplyBody::whole(page)),
        Body::Empty => ("application/json", ReplyBody::whole(String::new())),
        Body::Truncated(json) => ("application/json", ReplyBody::truncated(json.to_string())),
    };
    let mut response = hyper::Response::builder()
        .status(reply.status)
        .header("content-type", content_type);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(body)?)
}

/// A response body: whole, or the first half of one under the length of all of it (hyper then
/// closes the connection when the body ends early).
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    declared: u64,
    /// Less is sent than declared: the body ends with an error, and hyper closes the
    /// connection.
    short: bool,
}

impl ReplyBody {
    fn whole(text: String) -> Self {
        let declared = text.len() as u64;
        Self {
            data: Some(Bytes::from(text)),
            declared,
            short: false,
        }
    }

    fn truncated(text: String) -> Self {
        let declared = text.len() as u64;
        let half = Bytes::from(text).slice(..(declared as usize) / 2);
        Self {
            data: Some(half),
            declared,
            short: true,
        }
    }
}

impl hyper::body::Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.data.take() {
            Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
            None if self.short => Poll::Ready(Some(Err(std::io::Error::other(
                "a truncated reply ends early",
            )))),
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}

impl Received {
    pub(crate) fn violate(&mut self, violation: String) {
        self.violations.push(violation);
    }
}

impl State {
    /// The reply of the first rule that matches and has uses left (using one up).
    fn take_reply(&mut self, facts: &RequestFacts<'_>) -> Option<Reply> {
        let rule = self
            .rules
            .iter_mut()
            .find(|rule| rule.remaining != Some(0) && rule.matcher.matches(facts))?;
        if let Some(remaining) = &mut rule.remaining {
            *remaining -= 1;
        }
        Some(rule.reply.clone())
    }
}
