//! What a successful run prints: a readable text by default, JSON with `--json`.

use happytalk_ext::SystemMessage;
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// After a message was sent.
pub fn sent(room_id: &str, json: bool) {
    if json {
        println!("{}", json!({ "room_id": room_id }));
    } else {
        println!("sent into room {room_id}");
    }
}

/// After a lookup: a table, or every field as JSON (`{"data": [...]}`, in HappyTalk's field
/// names; timestamps in RFC 3339 with their +09:00 offset).
pub fn system_messages(found: &[SystemMessage], sender_key: &str, id: Option<i64>, json: bool) {
    if json {
        let data: Vec<Value> = found.iter().map(system_message_json).collect();
        println!("{}", json!({ "data": data }));
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
                message.created_at.map_or_else(
                    || "-".to_owned(),
                    |at| at.format("%Y-%m-%d %H:%M:%S").to_string(),
                ),
                message
                    .messages
                    .iter()
                    .map(|part| part.message_type.as_ref().map_or("-", |t| t.as_str()))
                    .collect::<Vec<_>>()
                    .join(","),
                message
                    .messages
                    .iter()
                    .map(|part| part.buttons.len())
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

fn system_message_json(message: &SystemMessage) -> Value {
    json!({
        "id": message.id,
        "name": message.name,
        "status": message.status.as_ref().map(|s| s.as_str()),
        "createdAt": message.created_at.map(|at| at.to_rfc3339()),
        "modifiedAt": message.modified_at.map(|at| at.to_rfc3339()),
        "inspectStatus": message.inspect_status.as_ref().map(|s| s.as_str()),
        "inspectRequestAt": message.inspect_requested_at.map(|at| at.to_rfc3339()),
        "inspectedAt": message.inspected_at.map(|at| at.to_rfc3339()),
        "messages": message.messages.iter().map(|part| json!({
            "messageType": part.message_type.as_ref().map(|t| t.as_str()),
            "content": part.content,
            "buttons": part.buttons.iter().map(|button| json!({
                "ordering": button.ordering,
                "linkType": button.link_type.as_ref().map(|t| t.as_str()),
                "linkName": button.link_name,
                "linkMobile": button.link_mobile,
                "linkPc": button.link_pc,
                "linkIos": button.link_ios,
                "linkAndroid": button.link_android,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "comments": message.comments.iter().map(|comment| json!({
            "id": comment.id,
            "content": comment.content,
            "userName": comment.user_name,
            "createdAt": comment.created_at.map(|at| at.to_rfc3339()),
            "status": comment.status.as_ref().map(|s| s.as_str()),
        })).collect::<Vec<_>>(),
    })
}
