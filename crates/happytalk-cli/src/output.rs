//! What a successful run prints: a readable text by default, JSON with `--json`.

use std::fmt;
use std::io::{self, Write};

use happytalk_ext::{
    KakaoCustomer, KakaoSent, KakaoSessionEnding, OpenedRoom, PreviousCounselor, RoomEnding,
    SERVER_TEXT_CHARS, SystemMessage,
};
use happytalk_mock::Delivered;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

/// `println!` to standard output without its panic when the output is closed (`happytalk … |
/// head -c0`): what cannot be written is dropped, and the run ends with its own exit code.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::write(&mut std::io::stdout(), format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` without its panic when standard error is closed.
macro_rules! say_error {
    ($($arg:tt)*) => {
        $crate::output::write(&mut std::io::stderr(), format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {say, say_error};

/// Writes `text` to `out`. A closed output (a reader that went away) drops the text; any other
/// failure to write is said on standard error, once per write, if that can be written.
pub fn write(out: &mut impl Write, text: fmt::Arguments<'_>) {
    if let Err(error) = out.write_fmt(text)
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(io::stderr(), "error: cannot write the output: {error}");
    }
}

/// After a message was sent.
pub fn sent(room_id: &str, json: bool) {
    if json {
        say!("{}", json!({ "room_id": room_id }));
    } else {
        say!("sent into room {room_id}");
    }
}

/// After `mock deliver`: the receiver's answer (whatever its status).
pub fn delivered(delivered: &Delivered, json: bool) {
    if json {
        say!("{}", delivered_json(delivered));
        return;
    }
    say!(
        "delivered {} {} to {}: the receiver answered {}{}",
        id_name(delivered).replace('_', " "),
        delivered.id,
        delivered.url,
        delivered.status,
        quoted_body(&delivered.body)
    );
}

/// A receiver's answer as JSON: where it was posted, the id of what was delivered (a Biz
/// `msgid`, a KakaoTalk `serial_number` or `session_id`), the status and the body.
pub fn delivered_json(delivered: &Delivered) -> serde_json::Value {
    let mut shown = json!({
        "url": delivered.url,
        "http_status": delivered.status,
        "body": delivered.body,
    });
    shown[id_name(delivered)] = json!(delivered.id);
    shown
}

/// The body field a delivery's id is, by the callback it was posted as.
pub fn id_name(delivered: &Delivered) -> &'static str {
    use happytalk_ext::happytalk_api::inbound;
    match delivered.callback.name {
        name if name == inbound::KAKAO_EXPIRED_SESSION.name => "session_id",
        name if name == inbound::KAKAO_MESSAGE.name => "serial_number",
        _ => "msgid",
    }
}

/// `: "its body"` (cut like any text from a server), or nothing for an empty body.
pub fn quoted_body(body: &str) -> String {
    if body.is_empty() {
        return String::new();
    }
    let mut shown: String = body.chars().take(SERVER_TEXT_CHARS).collect();
    let cut = if shown.len() < body.len() { "…" } else { "" };
    shown = format!("{shown:?}");
    format!(": {shown}{cut}")
}

/// After a room was opened.
pub fn opened(room: &OpenedRoom, json: bool) {
    if json {
        let shown = json!({
            "room_id": room.room_id,
            "counselor_name": room.counselor_name,
            "notice": room.notice,
        });
        say!("{shown}");
        return;
    }
    say!("opened room {}", room.room_id);
    if let Some(name) = &room.counselor_name {
        say!("counsellor: {}", Shown::value(name));
    }
    if let Some(notice) = &room.notice {
        say!("the customer was shown: {}", Shown::text(notice));
    }
}

/// After a room was ended.
pub fn ended(room_id: &str, ending: RoomEnding, json: bool) {
    let already = ending == RoomEnding::AlreadyEndedOnRetry;
    if json {
        say!(
            "{}",
            json!({ "room_id": room_id, "ended": true, "already_ended_on_retry": already })
        );
    } else if already {
        say!("room {room_id} is ended (a retry found it ended, most likely by the first attempt)");
    } else {
        say!("ended room {room_id}");
    }
}

/// After `kakao send`: the serial number the message was sent as (and where its medium is).
pub fn kakao_sent(customer: &KakaoCustomer, sent: &KakaoSent, json: bool) {
    if json {
        let shown = json!({
            "sender_key": customer.sender_key(),
            "user_key": customer.user_key(),
            "serial_number": sent.serial_number,
            "media_url": sent.media_url,
            "created_at": sent.created_at,
        });
        say!("{shown}");
        return;
    }
    let media = match &sent.media_url {
        Some(url) => format!(" ({url})"),
        None => String::new(),
    };
    say!(
        "sent to {} of {} as serial {}{media}",
        customer.user_key(),
        customer.sender_key(),
        sent.serial_number
    );
}

/// After `kakao end`: the session closed.
pub fn kakao_ended(customer: &KakaoCustomer, ending: &KakaoSessionEnding, json: bool) {
    let (session_id, already) = match ending {
        KakaoSessionEnding::Ended { session_id } => (session_id.as_deref(), false),
        _ => (None, true),
    };
    if json {
        let shown = json!({
            "sender_key": customer.sender_key(),
            "user_key": customer.user_key(),
            "ended": true,
            "session_id": session_id,
            "already_ended_on_retry": already,
        });
        say!("{shown}");
    } else if already {
        say!(
            "the session of {} is ended (a retry found none, most likely ended by the first attempt)",
            customer.user_key()
        );
    } else {
        match session_id {
            Some(id) => say!("ended session {id} of {}", customer.user_key()),
            None => say!(
                "ended the session of {} (HappyTalk named no session id)",
                customer.user_key()
            ),
        }
    }
}

/// After asking for the previous counsellor.
pub fn check_previous_counselor(previous: &PreviousCounselor, json: bool) {
    let availability = &previous.availability;
    if json {
        let shown = json!({
            "available": previous.is_available(),
            "counselor_code": availability.value(),
            "availability": availability.name(),
            "counselor_name": previous.name,
        });
        say!("{shown}");
        return;
    }
    let meaning = availability
        .meaning()
        .unwrap_or("an availability this version does not document");
    match &previous.name {
        Some(name) => {
            say!(
                "previous counsellor {}: {meaning} (counselor_code {availability})",
                Shown::value(name)
            )
        }
        None => say!("no previous counsellor named: {meaning} (counselor_code {availability})"),
    }
}

/// After a lookup: a table, or every field HappyTalk sent as JSON (`{"data": [...]}`, as
/// HappyTalk writes it: its field names, its codes, its `YYYY-MM-DD HH:MM:SS` times).
pub fn system_messages(found: &[SystemMessage], sender_key: &str, id: Option<i64>, json: bool) {
    if json {
        say!("{}", json!({ "data": found }));
        return;
    }
    if found.is_empty() {
        match id {
            Some(id) => say!("no system message {id} for sender key {sender_key}"),
            None => say!("no active system messages for sender key {sender_key}"),
        }
        return;
    }
    write(&mut io::stdout(), format_args!("{}", table(found)));
}

const COLUMNS: [&str; 7] = [
    "ID", "NAME", "STATUS", "INSPECT", "CREATED", "TYPES", "BUTTONS",
];

/// The table: one row per system message, columns padded to their widest cell (by display
/// width, so Hangul lines up).
fn table(found: &[SystemMessage]) -> String {
    let rows: Vec<[String; 7]> = found
        .iter()
        .map(|message| {
            let optional = |value: Option<&str>| Shown::value(value.unwrap_or("-")).to_string();
            [
                message.id.to_string(),
                optional(message.name.as_deref()),
                optional(message.status.as_ref().map(|status| status.as_str())),
                optional(
                    message
                        .inspect_status
                        .as_ref()
                        .map(|status| status.as_str()),
                ),
                message
                    .created_at
                    .map_or_else(|| "-".to_owned(), |at| at.to_string()),
                message
                    .messages
                    .iter()
                    .flatten()
                    .map(|part| part.message_type.as_ref().map_or("-", |t| t.as_str()))
                    .collect::<Vec<_>>()
                    .join(","),
                message
                    .messages
                    .iter()
                    .flatten()
                    .map(|part| part.buttons.as_ref().map_or(0, Vec::len))
                    .sum::<usize>()
                    .to_string(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].width())
                .chain([COLUMNS[column].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.width())))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(&COLUMNS);
    for row in &rows {
        text.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    text
}

/// A text from the other side (a sender's, HappyTalk's) for a terminal: control characters
/// (an escape sequence, a carriage return that would overwrite the line) shown escaped, never
/// acted on. [`Shown::text`] keeps line breaks (indented under the line it starts on);
/// [`Shown::value`] escapes them too, for a value that must stay on its line or in its cell.
pub struct Shown<'a> {
    text: &'a str,
    lines: bool,
}

impl<'a> Shown<'a> {
    /// A text of several lines, perhaps.
    pub fn text(text: &'a str) -> Self {
        Self { text, lines: true }
    }

    /// A value that stays on one line.
    pub fn value(text: &'a str) -> Self {
        Self { text, lines: false }
    }
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for c in self.text.chars() {
            match c {
                '\n' if self.lines => f.write_str("\n  ")?,
                c if c.is_control() => write!(f, "{}", c.escape_default())?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_senders_control_characters_are_shown_not_acted_on() {
        let hostile = "안녕\u{1b}[2J\rroot# \u{7}끝\n둘째 줄";
        assert_eq!(
            Shown::text(hostile).to_string(),
            "안녕\\u{1b}[2J\\rroot# \\u{7}끝\n  둘째 줄"
        );
        assert_eq!(
            Shown::value(hostile).to_string(),
            "안녕\\u{1b}[2J\\rroot# \\u{7}끝\\n둘째 줄"
        );
    }
}
