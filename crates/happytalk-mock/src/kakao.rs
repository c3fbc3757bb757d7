//! A KakaoTalk channel (카카오 상담톡) as the mock keeps it: a customer's session opens when the
//! customer writes ([`MockHappyTalk::open_kakao_session`](crate::MockHappyTalk::open_kakao_session),
//! and the deliveries of the next step); sends need an open session (-502), a serial number is
//! used once per sender profile (-504), a blocked customer cannot be written to (-511), an end
//! closes the session (-502 on a second end), and an upload stores the file at a URL that later
//! sends must use (another URL is a recorded violation).

#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use happytalk_api::{CounselResultCode, Operation, types};
use serde_json::Value;

use crate::multipart::Part;
use crate::script::Reply;
use crate::server::success;
use crate::{Received, State};

/// Where the mock's uploads are "stored": a host that cannot resolve (`.invalid`), so that
/// nothing sent there leaves the machine.
pub(crate) const MEDIA_BASE: &str = "https://kakao-media.mock.invalid";

/// The number of the first session the mock opens.
const FIRST_SESSION: u64 = 163_477_524;

/// The KakaoTalk side of the mock's state.
#[derive(Debug, Default)]
pub(crate) struct Channel {
    /// The latest session of each customer, by (sender key, user key).
    pub(crate) sessions: BTreeMap<(String, String), KakaoSession>,
    next_session: u64,
    /// Every serial number sent, by (sender key, serial number).
    serials: BTreeSet<(String, String)>,
    /// The blocked customers, by (sender key, user key).
    pub(crate) blocked: BTreeSet<(String, String)>,
    /// The files uploaded (or URLs accepted as uploaded), by URL.
    pub(crate) media: BTreeMap<String, Option<Part>>,
}

impl Channel {
    /// Opens a session for the customer (a customer who writes opens one), ending none: a
    /// session already open stays, and its id is given.
    pub(crate) fn open_session(&mut self, sender_key: &str, user_key: &str) -> String {
        let key = (sender_key.to_owned(), user_key.to_owned());
        if let Some(session) = self.sessions.get(&key).filter(|session| !session.ended) {
            return session.session_id.clone();
        }
        let session_id = (FIRST_SESSION + self.next_session).to_string();
        self.next_session += 1;
        self.sessions.insert(
            key,
            KakaoSession {
                session_id: session_id.clone(),
                ended: false,
            },
        );
        session_id
    }

    /// The customer's open session, or -502.
    fn open_session_of(
        &mut self,
        sender_key: &str,
        user_key: &str,
    ) -> Result<&mut KakaoSession, Reply> {
        self.sessions
            .get_mut(&(sender_key.to_owned(), user_key.to_owned()))
            .filter(|session| !session.ended)
            .ok_or_else(|| Reply::code(CounselResultCode::SessionOver))
    }
}

/// A KakaoTalk counselling session of the mock.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KakaoSession {
    /// Its id, as the end's answer names it.
    pub session_id: String,
    /// Whether it has ended.
    pub ended: bool,
}

/// A text field of the request's body.
fn text<'a>(received: &'a Received, name: &str) -> &'a str {
    received
        .body
        .as_ref()
        .and_then(|body| body.get(name))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The media URLs a send carries: the v1 send's `image_url` and `file_url`, and the URLs of a
/// v3 `attachment`'s image and file.
fn media_urls(body: &Value) -> Vec<String> {
    let v1 = serde_json::from_value::<types::KakaoMessageRequest>(body.clone())
        .map(|message| {
            [
                message.image_url.map(|url| url.to_string()),
                message.file_url.map(|url| url.to_string()),
            ]
        })
        .unwrap_or_default();
    let v3 = [
        body.pointer("/attachment/image/img_url"),
        body.pointer("/attachment/file/file_url"),
    ]
    .map(|url| url.and_then(Value::as_str).map(|url| url.to_owned()));
    v1.into_iter().chain(v3).flatten().collect()
}

/// Any send (v3 plain or rich, v1): to an unblocked customer (-511) with an open session
/// (-502), with a serial number not used before on the sender profile (-504), and with media the
/// mock stored (else a violation).
pub(crate) fn send(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let (sender_key, user_key) = (text(received, "sender_key"), text(received, "user_key"));
    let customer = (sender_key.to_owned(), user_key.to_owned());
    let serial = (
        sender_key.to_owned(),
        text(received, "serial_number").to_owned(),
    );
    let channel = &mut state.kakao;
    if channel.blocked.contains(&customer) {
        return Reply::code(CounselResultCode::BlockedUser);
    }
    if let Err(refused) = channel.open_session_of(&customer.0, &customer.1) {
        return refused;
    }
    if !channel.serials.insert(serial) {
        return Reply::code(CounselResultCode::DuplicateSerialNumber);
    }
    let unknown: Vec<String> = received
        .body
        .as_ref()
        .map(media_urls)
        .unwrap_or_default()
        .into_iter()
        .filter(|url| !channel.media.contains_key(url))
        .collect();
    for url in unknown {
        received.violate(format!(
            "{url} was never uploaded: only media stored by an upload can be sent"
        ));
    }
    Reply::json(200, success(operation, received.body.as_ref(), None))
}

/// An end (v1, or v3 with a bot event): closes the customer's open session and names it; -502
/// when there is none.
pub(crate) fn end(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let (sender_key, user_key) = (text(received, "sender_key"), text(received, "user_key"));
    let session = match state.kakao.open_session_of(sender_key, user_key) {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    session.ended = true;
    let session_id = session.session_id.clone();
    let mut answer = success(operation, received.body.as_ref(), None);
    // The session's id, under the key of the operation's answer (`sessionId`, `session_id`).
    if let Some(answer) = answer.as_object_mut() {
        for key in ["sessionId", "session_id"] {
            if answer.contains_key(key) {
                answer.insert(key.to_owned(), Value::from(session_id.clone()));
            }
        }
    }
    Reply::json(200, answer)
}

/// An upload: the file is stored at a URL of the mock's, which the answer gives (with the
/// file's name and size, for a file).
pub(crate) fn upload(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let Some(file) = received.files.first().cloned() else {
        return Reply::code(CounselResultCode::InvalidJson);
    };
    let name = file.file_name.clone().unwrap_or_default();
    let url = format!("{MEDIA_BASE}/{}/{name}", state.kakao.media.len() + 1);
    let size = file.bytes.len();
    state.kakao.media.insert(url.clone(), Some(file));
    let mut answer = success(operation, received.body.as_ref(), None);
    if let Some(answer) = answer.as_object_mut() {
        for (key, value) in [
            ("image", Value::from(url.clone())),
            ("file", Value::from(url.clone())),
            ("name", Value::from(name)),
            ("size", Value::from(size)),
        ] {
            if answer.contains_key(key) {
                answer.insert(key.to_owned(), value);
            }
        }
    }
    Reply::json(200, answer)
}

/// A block: the customer can no longer be written to.
pub(crate) fn block(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    state.kakao.blocked.insert(customer(received));
    Reply::code(operation.success_code())
}

/// An unblock: the customer can be written to again.
pub(crate) fn unblock(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    state.kakao.blocked.remove(&customer(received));
    Reply::code(operation.success_code())
}

/// The (sender key, user key) a request names.
fn customer(received: &Received) -> (String, String) {
    (
        text(received, "sender_key").to_owned(),
        text(received, "user_key").to_owned(),
    )
}
