//! The HTTP side: connections (hyper), bodies (including the broken ones a [`Reply`] asks
//! for), and HappyTalk's documented behaviour for each request.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use happytalk_api::{
    AnswerRole, CodeRole, Field, FieldKind, HostFamily, OPERATIONS, Operation, ResultCode,
    ResultCodeTable, types,
};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::script::{Body, Reply, RequestFacts};
use crate::{Headers, Received, State};

/// The most of a request body the mock reads; a larger body is refused (the family's
/// parameter-length code, HTTP 413).
pub(crate) const MAX_BODY: usize = 64 * 1024;

type ServeError = Box<dyn std::error::Error + Send + Sync>;

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
) -> Result<hyper::Response<ReplyBody>, ServeError> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, body_limit(parts.uri.path()))
        .collect()
        .await
        .map(|b| b.to_bytes());
    let (reply, operation, request_json) = {
        let mut state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut received, operation, refused) =
            understand(&parts, body.as_deref().ok(), body.is_err(), &mut state);
        let text = |name: &str| {
            received
                .body
                .as_ref()
                .and_then(|b| b.get(name))
                .and_then(Value::as_str)
        };
        let facts = RequestFacts {
            // The operation a request *is* (not the one whose path it used with another
            // method): a rule for an operation never takes a 405's place.
            operation: received.operation,
            room_id: text("room_id"),
            uuid: text("uuid"),
            sender_key: received.sender_key.as_deref(),
        };
        // A scripted reply comes first: then HappyTalk "did" nothing (no room opened or ended).
        let scripted = state.take_reply(&facts);
        let reply = match (scripted, refused, operation) {
            (Some(scripted), _, _) => scripted,
            (None, Some(refused), _) => refused,
            (None, None, Some(operation)) => handle(operation, &mut received, &mut state),
            (None, None, None) => refusal(codes_of(HostFamily::ALL[0]), CodeRole::Forbidden, None),
        };
        let request_json = received.body.clone();
        state.received.push(received);
        (reply, operation, request_json)
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    respond(reply, operation, request_json.as_ref())
}

/// The request as the mock understood it, the operation it is (if any), and HappyTalk's
/// refusal if it breaks the documented contract (`None`: it passes, and the operation's handler
/// answers it): the operation table decides the route, the checks and the codes.
fn understand(
    parts: &hyper::http::request::Parts,
    body: Option<&[u8]>,
    too_large: bool,
    state: &mut State,
) -> (Received, Option<&'static Operation>, Option<Reply>) {
    let (family, path) = family_of(parts.uri.path());
    let path = path.to_owned();
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
    // An upload's form: its text parts are its fields, and its files are kept whole.
    let form = headers
        .get("content-type")
        .zip(body)
        .and_then(|(content_type, body)| crate::multipart::parse(content_type, body));
    let json: Option<Value> = match &form {
        Some(form) => Some(Value::Object(
            form.iter()
                .map(|part| {
                    let value = match &part.file_name {
                        Some(name) => Value::String(name.clone()),
                        None => Value::String(String::from_utf8_lossy(&part.bytes).into_owned()),
                    };
                    (part.name.clone(), value)
                })
                .collect(),
        )),
        None => body.and_then(|b| serde_json::from_slice(b).ok()),
    };
    let mut received = Received {
        method: parts.method.to_string(),
        path: path.clone(),
        family: None,
        operation: None,
        query: parts.uri.query().map(str::to_owned),
        sender_key: query.get("senderKey").cloned(),
        id: query.get("id").cloned(),
        chat_message: json
            .clone()
            .and_then(|j| serde_json::from_value::<types::ChatMessageRequest>(j).ok()),
        body: json,
        files: form
            .into_iter()
            .flatten()
            .filter(|part| part.file_name.is_some())
            .collect(),
        headers,
        violations: Vec::new(),
    };
    let at_path = operations_at(family, &path);
    let Some((operation, in_path)) = at_path
        .iter()
        .find(|(operation, _)| operation.method == parts.method.as_str())
        .cloned()
    else {
        let Some((first, _)) = at_path.first() else {
            received.violate(format!("{path} is not a HappyTalk path"));
            let codes = codes_of(family.unwrap_or(HostFamily::ALL[0]));
            return (
                received,
                None,
                Some(refusal(codes, CodeRole::Forbidden, None).status(404)),
            );
        };
        // RFC 9110 §15.5.6: a 405 lists the methods the resource has.
        let allow = at_path
            .iter()
            .map(|(operation, _)| operation.method)
            .collect::<Vec<_>>()
            .join(", ");
        received.violate(format!(
            "{} is not a method of {path} ({allow})",
            parts.method
        ));
        let reply = refusal(first.result_codes, CodeRole::Forbidden, None)
            .status(405)
            .header("allow", allow);
        return (received, Some(first), Some(reply));
    };
    received.family = Some(operation.host);
    received.operation = Some(operation.id);
    let mut parameters = query;
    parameters.extend(in_path);
    let refused = checked(
        operation,
        &mut received,
        body,
        too_large,
        &parameters,
        state,
    );
    (received, Some(operation), refused)
}

/// The most bytes a request's body may have: [`MAX_BODY`], or for an upload, its files' limits
/// (the spec's `x-max-bytes`; 32 MiB for a file without one) beside that.
fn body_limit(path: &str) -> usize {
    let (family, path) = family_of(path);
    operations_at(family, path)
        .iter()
        .filter(|(operation, _)| operation.multipart)
        .map(|(operation, _)| {
            let files: u64 = operation
                .body
                .iter()
                .filter_map(|field| match field.kind {
                    FieldKind::File { max_bytes } => Some(max_bytes.unwrap_or(32 << 20)),
                    _ => None,
                })
                .sum();
            MAX_BODY + usize::try_from(files).unwrap_or(usize::MAX)
        })
        .max()
        .unwrap_or(MAX_BODY)
}

/// The family a path names with its prefix (`/kakao/v1/chat/end`: the `kakao` family's
/// `/v1/chat/end`), and the path without it; at the root, no family and the path as it is.
fn family_of(path: &str) -> (Option<HostFamily>, &str) {
    for family in HostFamily::ALL {
        if let Some(rest) = path
            .strip_prefix('/')
            .and_then(|rest| rest.strip_prefix(family.name()))
            .filter(|rest| rest.starts_with('/'))
        {
            return (Some(family), rest);
        }
    }
    (None, path)
}

/// The operations at `path`, each with the values of its path parameters: of `family`, or, at
/// the root, of the first family (in [`HostFamily::ALL`]'s order) that serves the path.
pub(crate) fn operations_at(
    family: Option<HostFamily>,
    path: &str,
) -> Vec<(&'static Operation, Vec<(String, String)>)> {
    let matching = |family: HostFamily| -> Vec<(&'static Operation, Vec<(String, String)>)> {
        OPERATIONS
            .iter()
            .copied()
            .filter(|operation| operation.host == family)
            .filter_map(|operation| Some((operation, path_parameters(operation.path, path)?)))
            .collect()
    };
    match family {
        Some(family) => matching(family),
        None => HostFamily::ALL
            .iter()
            .map(|family| matching(*family))
            .find(|found| !found.is_empty())
            .unwrap_or_default(),
    }
}

/// The values of `template`'s parameters (`{sender_key}`, one segment each) in `path`, or
/// `None` when `path` is not of that template.
fn path_parameters(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let (template, path): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    if template.len() != path.len() {
        return None;
    }
    let mut values = Vec::new();
    for (expected, given) in template.iter().zip(&path) {
        match expected
            .strip_prefix('{')
            .and_then(|name| name.strip_suffix('}'))
        {
            Some(name) if !given.is_empty() => {
                let value = url::form_urlencoded::parse(given.as_bytes())
                    .map(|(key, _)| key.into_owned())
                    .next()
                    .unwrap_or_default();
                values.push((name.to_owned(), value));
            }
            Some(_) => return None,
            None if expected == given => {}
            None => return None,
        }
    }
    Some(values)
}

/// The result codes a request of `family` that is no operation is refused with: those of the
/// family's first operation.
fn codes_of(family: HostFamily) -> ResultCodeTable {
    OPERATIONS
        .iter()
        .find(|operation| operation.host == family)
        .unwrap_or(&OPERATIONS[0])
        .result_codes
}

/// The documented checks of a request of `operation`, in order: the credentials, the query,
/// then the body. The first check that fails gives the refusal.
fn checked(
    operation: &'static Operation,
    received: &mut Received,
    body: Option<&[u8]>,
    too_large: bool,
    query: &BTreeMap<String, String>,
    state: &State,
) -> Option<Reply> {
    let family = operation.result_codes;
    if !authorised(received, state) {
        return Some(refusal(family, CodeRole::Unauthorized, None));
    }
    let query: Map<String, Value> = query
        .iter()
        .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
        .collect();
    for field in operation.path_parameters.iter().chain(operation.query) {
        if let Some(refused) = check(family, field, &query, true, received) {
            return Some(refused);
        }
    }
    if !operation.body.is_empty() {
        if too_large {
            received.violate(format!("the body is larger than {MAX_BODY} bytes"));
            return Some(refusal(family, CodeRole::ParameterLength, Some("body")).status(413));
        }
        let Some(fields) = received.body.clone().filter(Value::is_object) else {
            let what = if body.is_some_and(|b| !b.is_empty()) {
                "the body is not a JSON object"
            } else {
                "the body is empty"
            };
            received.violate(what.to_owned());
            return Some(refusal(family, CodeRole::InvalidParameter, None));
        };
        let fields = fields.as_object().cloned().unwrap_or_default();
        for field in operation.body {
            if let Some(refused) = check(family, field, &fields, false, received) {
                return Some(refused);
            }
            // A file arrives as a file part, not as text.
            if matches!(field.kind, FieldKind::File { .. })
                && fields.contains_key(field.name)
                && !received.files.iter().any(|file| file.name == field.name)
            {
                received.violate(format!("`{}` is not a file part", field.name));
                return Some(refusal(
                    family,
                    CodeRole::InvalidParameter,
                    Some(field.name),
                ));
            }
        }
    }
    None
}

/// A refusal in `role` from the result-code table `codes` (and naming `field`), or, should the
/// spec give the table no code for the role, an HTTP 500 saying so.
pub(crate) fn refusal(codes: ResultCodeTable, role: CodeRole, field: Option<&str>) -> Reply {
    match codes.for_role(role) {
        Some(code) => {
            let reply = Reply::code(code);
            match field {
                Some(field) => reply.field(field),
                None => reply,
            }
        }
        None => Reply::html(
            500,
            format!("the spec gives {} no code for {role:?}", codes.name()),
        ),
    }
}

/// One field against the spec's table: present when required, of its kind, within its limits;
/// the refusal when it is not. Query values arrive as text (`in_query`), so numbers are read
/// from it.
fn check(
    family: ResultCodeTable,
    field: &Field,
    fields: &Map<String, Value>,
    in_query: bool,
    received: &mut Received,
) -> Option<Reply> {
    let name = field.name;
    let required = field.required
        || field.required_when.is_some_and(|condition| {
            fields
                .get(condition.field)
                .and_then(Value::as_str)
                .is_some_and(|value| condition.values.contains(&value))
        });
    let Some(value) = fields.get(name).filter(|value| !value.is_null()) else {
        if required {
            received.violate(format!("`{name}` is missing"));
            return Some(refusal(family, CodeRole::MissingParameter, Some(name)));
        }
        return None;
    };
    let integer = match (value, in_query) {
        (Value::String(text), true) => text.parse::<i64>().ok(),
        (value, _) => value.as_i64(),
    };
    let problem = match field.kind {
        FieldKind::Text {
            min_length,
            max_length,
        } => match value.as_str() {
            None => Some((
                CodeRole::InvalidParameter,
                format!("`{name}` is not a string"),
            )),
            Some(text) => {
                let length = text.chars().count();
                (length < min_length || max_length.is_some_and(|max| length > max)).then(|| {
                    (
                        CodeRole::ParameterLength,
                        format!("`{name}` is {length} characters, outside the spec's limits"),
                    )
                })
            }
        },
        FieldKind::Flag { on, off } => match value.as_str() {
            Some(text) if text == on || text == off => None,
            _ => Some((
                CodeRole::InvalidParameter,
                format!("`{name}` {value} is not {on} or {off}"),
            )),
        },
        FieldKind::OneOf(values) => match value.as_str() {
            Some(text) if values.contains(&text) => None,
            _ => Some((
                CodeRole::InvalidParameter,
                format!("`{name}` {value} is not one of {}", values.join(", ")),
            )),
        },
        FieldKind::Integer { minimum, maximum } => match integer {
            Some(number)
                if minimum.is_none_or(|min| number >= min)
                    && maximum.is_none_or(|max| number <= max) =>
            {
                None
            }
            _ => Some((
                CodeRole::InvalidParameter,
                format!("`{name}` {value} is not an integer within the spec's bounds"),
            )),
        },
        FieldKind::IntegerOneOf(values) => match integer {
            Some(number) if values.contains(&number) => None,
            _ => Some((
                CodeRole::InvalidParameter,
                format!("`{name}` {value} is not one of {values:?}"),
            )),
        },
        FieldKind::Boolean => (!value.is_boolean()).then(|| {
            (
                CodeRole::InvalidParameter,
                format!("`{name}` {value} is not true or false"),
            )
        }),
        _ => None,
    };
    let (role, violation) = problem?;
    received.violate(violation);
    Some(refusal(family, role, Some(name)))
}

/// The answer to a request that passed every check: what HappyTalk would do with it. An
/// operation with state has its handler (see [`handlers`](crate::handlers)); any other answers
/// the spec's example of its success.
fn handle(operation: &'static Operation, received: &mut Received, state: &mut State) -> Reply {
    match crate::handlers::handler(operation) {
        Some(handler) => handler(operation, received, state),
        None => Reply::json(200, success(operation, received.body.as_ref(), None)),
    }
}

/// The success answer of `operation`: the spec's example named `success` (or only the code,
/// when it has none), with the room set to `room` (or to the request's room, for an operation
/// whose request names one) and the echoed fields taken from the request.
pub(crate) fn success(operation: &Operation, request: Option<&Value>, room: Option<&str>) -> Value {
    let mut answer = operation
        .success_example
        .and_then(|example| serde_json::from_str::<Value>(example).ok())
        .and_then(|example| example.as_object().cloned())
        .unwrap_or_else(|| {
            let mut code = Map::new();
            if let Some(name) = operation.answer_field(AnswerRole::Code) {
                code.insert(
                    name.to_owned(),
                    serde_json::to_value(operation.success_code()).unwrap_or(Value::Null),
                );
            }
            code
        });
    let requested = |name: &str| request.and_then(|r| r.get(name)).cloned();
    for field in operation.answer {
        let value = match field.role {
            AnswerRole::Room => room.map(Value::from).or_else(|| requested(field.name)),
            AnswerRole::Echo => requested(field.name),
            _ => None,
        };
        if let Some(value) = value {
            answer.insert(field.name.to_owned(), value);
        }
    }
    Value::Object(answer)
}

/// Whether the credential headers (the spec's `securitySchemes`) carry the credentials the
/// mock accepts: the client id, and the secret (the sensitive one); each problem is recorded.
fn authorised(received: &mut Received, state: &State) -> bool {
    let mut ok = true;
    for header in happytalk_api::CREDENTIAL_HEADERS {
        let expected = match header.sensitive {
            true => &state.client_secret,
            false => &state.client_id,
        };
        let what = header.name;
        match received.headers.0.get(&what.to_ascii_lowercase()) {
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

/// The answer of `operation` with `code`, in the shape the spec gives its answers: the code,
/// its documented message (or meaning), `field` on a parameter failure; on a refusal for lack
/// of counselling, the room as 0, the echoed request fields and the notice. A success is the
/// operation's success answer.
fn code_answer(
    operation: &Operation,
    code: &ResultCode,
    field: Option<&str>,
    notice: Option<&str>,
    request: Option<&Value>,
) -> Value {
    if code.is_success() && *code == operation.success_code() {
        return success(operation, request, None);
    }
    let requested = |name: &str| request.and_then(|r| r.get(name)).cloned();
    let refused_for_counselling = code.counselling_unavailable();
    let mut answer = Map::new();
    for answer_field in operation.answer {
        let value = match answer_field.role {
            AnswerRole::Code => serde_json::to_value(code).ok(),
            AnswerRole::Message => code
                .documented_message()
                .or_else(|| code.meaning())
                .or((!code.is_known()).then_some("Undocumented"))
                .map(Value::from),
            AnswerRole::Field => field.map(Value::from),
            AnswerRole::Notice => notice.map(Value::from),
            AnswerRole::Room if refused_for_counselling => Some(Value::from(0)),
            AnswerRole::Echo if refused_for_counselling => requested(answer_field.name),
            _ => None,
        };
        if let Some(value) = value {
            answer.insert(answer_field.name.to_owned(), value);
        }
    }
    Value::Object(answer)
}

/// The HTTP response of a reply to a request of `operation` (none: an unknown path).
fn respond(
    reply: Reply,
    operation: Option<&'static Operation>,
    request: Option<&Value>,
) -> Result<hyper::Response<ReplyBody>, ServeError> {
    let (content_type, body) = match reply.body {
        Body::Drop => return Err("the reply drops the connection".into()),
        Body::Code {
            code,
            field,
            notice,
        } => {
            // An unknown path has no operation: answer in the shape of an operation of the
            // code's table.
            let shape = operation
                .filter(|operation| operation.result_codes == code.table())
                .or_else(|| {
                    OPERATIONS
                        .iter()
                        .copied()
                        .find(|operation| operation.result_codes == code.table())
                })
                .ok_or("no operation answers with the code's table")?;
            let answer = code_answer(shape, &code, field.as_deref(), notice.as_deref(), request);
            ("application/json", ReplyBody::whole(answer.to_string()))
        }
        Body::Json(json) => ("application/json", ReplyBody::whole(json.to_string())),
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
