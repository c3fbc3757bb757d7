//! What a successful run prints: a readable text by default, JSON with `--json`.

use happytalk_ext::{OpenedRoom, PreviousCounselor, RoomEnding, SERVER_TEXT_CHARS, SystemMessage};
use happytalk_mock::Delivered;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

/// After a message was sent.
pub fn sent(room_id: &str, json: bool) {
    if json {
        println!("{}", json!({ "room_id": room_id }));
    } else {
        println!("sent into room {room_id}");
    }
}

/// After `mock deliver`: the receiver's answer (whatever its status).
pub fn delivered(delivered: &Delivered, json: bool) {
    if json {
        let shown = json!({
            "url": delivered.url,
            "msgid": delivered.msgid,
            "http_status": delivered.status,
            "body": delivered.body,
        });
        println!("{shown}");
        return;
    }
    println!(
        "delivered msgid {} to {}: the receiver answered {}{}",
        delivered.msgid,
        delivered.url,
        delivered.status,
        quoted_body(&delivered.body)
    );
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
        println!("{shown}");
        return;
    }
    println!("opened room {}", room.room_id);
    if let Some(name) = &room.counselor_name {
        println!("counsellor: {name}");
    }
    if let Some(notice) = &room.notice {
        println!("the customer was shown: {notice}");
    }
}

/// After a room was ended.
pub fn ended(room_id: &str, ending: RoomEnding, json: bool) {
    let already = ending == RoomEnding::AlreadyEndedOnRetry;
    if json {
        println!(
            "{}",
            json!({ "room_id": room_id, "ended": true, "already_ended_on_retry": already })
        );
    } else if already {
        println!(
            "room {room_id} is ended (a retry found it ended, most likely by the first attempt)"
        );
    } else {
        println!("ended room {room_id}");
    }
}

/// After asking for the previous counsellor.
pub fn previous_counselor(previous: &PreviousCounselor, json: bool) {
    let availability = &previous.availability;
    if json {
        let shown = json!({
            "available": previous.is_available(),
            "counselor_code": availability.value(),
            "availability": availability.name(),
            "counselor_name": previous.name,
        });
        println!("{shown}");
        return;
    }
    let meaning = availability
        .meaning()
        .unwrap_or("an availability this version does not document");
    match &previous.name {
        Some(name) => {
            println!("previous counsellor {name}: {meaning} (counselor_code {availability})")
        }
        None => println!("no previous counsellor named: {meaning} (counselor_code {availability})"),
    }
}

/// After a lookup: a table, or every field HappyTalk sent as JSON (`{"data": [...]}`, as
/// HappyTalk writes it: its field names, its codes, its `YYYY-MM-DD HH:MM:SS` times).
pub fn system_messages(found: &[SystemMessage], sender_key: &str, id: Option<i64>, json: bool) {
    if json {
        println!("{}", json!({ "data": found }));
        return;
    }
    if found.is_empty() {
        match id {
            Some(id) => println!("no system message {id} for sender key {sender_key}"),
            None => println!("no active system messages for sender key {sender_key}"),
        }
        return;
    }
    print!("{}", table(found));
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
            let optional = |value: Option<&str>| value.unwrap_or("-").to_owned();
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
