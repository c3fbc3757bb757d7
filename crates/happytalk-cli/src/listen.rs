//! `happytalk listen`: happytalk-ext's receiver on a local port, printing each message once.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use happytalk_ext::happytalk_api::inbound;
use happytalk_ext::inbound::{DuplicateFilter, InboundContent, InboundMessage};
use happytalk_ext::receiver::{HandlerError, Receiver};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::failure::Failure;

/// How many messages the duplicate filter remembers, and for how long (about 5 MB at most).
const REMEMBERED: usize = 100_000;
const REMEMBERED_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// What was heard, for the closing line.
#[derive(Default)]
struct Counts {
    printed: AtomicUsize,
    redelivered: AtomicUsize,
    refused: AtomicUsize,
}

/// Serves the spec's inbound path on `bind:port` until Ctrl-C (or until standard output is
/// closed, as by `| head`), printing each message on standard output (a JSON object per line
/// with `json`), and redeliveries and refusals on standard error.
pub async fn listen(bind: IpAddr, port: u16, json: bool) -> Result<(), Failure> {
    let address = SocketAddr::new(bind, port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| Failure::Usage(format!("cannot listen on {address}: {error}")))?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::Usage(format!("cannot listen on {address}: {error}")))?;
    let counts = Arc::new(Counts::default());
    let duplicates = Arc::new(DuplicateFilter::new(REMEMBERED, REMEMBERED_FOR));
    let closed = Arc::new(Notify::new());
    let state = (counts.clone(), duplicates, closed.clone());
    let receiver = Receiver::with_state(state, move |state, message| async move {
        let (counts, duplicates, closed) = state;
        if !duplicates.first_time(&message.msgid) {
            note(format_args!(
                "redelivered msgid {:?} (room {}): answered 200, not printed again",
                message.msgid,
                Shown(&message.room_id)
            ));
            counts.redelivered.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        if let Err(error) = print_message(&mut std::io::stdout().lock(), &message, json) {
            // Nobody reads any more: stop, and let HappyTalk send this one again.
            duplicates.forget(&message.msgid);
            closed.notify_one();
            return Err(HandlerError::retry(format!("standard output: {error}")));
        }
        counts.printed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let refusals = counts.clone();
    let receiver = receiver.on_refused(move |status, why| {
        note(format_args!("refused with {status}: {why}"));
        refusals.refused.fetch_add(1, Ordering::Relaxed);
    });
    note(format_args!(
        "listening on http://{address} for {} {}; Ctrl-C stops it",
        inbound::MESSAGE.method,
        inbound::MESSAGE.path
    ));
    axum::serve(listener, receiver.into_router::<()>())
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = closed.notified() => {}
            }
        })
        .await
        .map_err(|error| Failure::Usage(format!("the listener stopped: {error}")))?;
    note(format_args!(
        "stopped after {} printed, {} redelivered, {} refused",
        counts.printed.load(Ordering::Relaxed),
        counts.redelivered.load(Ordering::Relaxed),
        counts.refused.load(Ordering::Relaxed)
    ));
    Ok(())
}

/// A line on standard error; nothing to do if it is closed.
fn note(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn print_message(out: &mut impl Write, message: &InboundMessage, json: bool) -> io::Result<()> {
    if json {
        return writeln!(out, "{}", message_json(message));
    }
    let ended = if message.auto_end {
        " (the room was ended automatically)"
    } else {
        ""
    };
    writeln!(
        out,
        "room {} · customer {} · msgid {} · type {}{ended}",
        Shown(&message.room_id),
        Shown(&message.uuid),
        Shown(&message.msgid),
        Shown(&message.message_type)
    )?;
    match &message.content {
        InboundContent::Text(text) => writeln!(out, "  {}", Shown(text)),
        InboundContent::Image { width, height, url } => {
            let size = |side: &Option<i64>| side.map_or_else(|| "?".to_owned(), |n| n.to_string());
            writeln!(
                out,
                "  image {}x{} {}",
                size(width),
                size(height),
                Shown(url)
            )
        }
        InboundContent::File {
            text,
            link_name,
            url,
        } => writeln!(
            out,
            "  {}\n  file [{}] {}",
            Shown(text),
            Shown(link_name),
            Shown(url)
        ),
        InboundContent::Other(body) => {
            writeln!(out, "  a shape this version does not know: {body}")
        }
        _ => writeln!(out, "  a shape this version does not know"),
    }
}

/// A sender's text for a terminal: control characters (an escape sequence, a carriage return
/// that would overwrite the line) shown escaped, never acted on. Line breaks stay.
struct Shown<'a>(&'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for c in self.0.chars() {
            match c {
                '\n' => f.write_str("\n  ")?,
                c if c.is_control() => write!(f, "{}", c.escape_default())?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// One message as JSON: its fields at the top, its content by kind.
fn message_json(message: &InboundMessage) -> Value {
    let content = match &message.content {
        InboundContent::Text(text) => json!({ "kind": "text", "text": text }),
        InboundContent::Image { width, height, url } => {
            json!({ "kind": "image", "width": width, "height": height, "url": url })
        }
        InboundContent::File {
            text,
            link_name,
            url,
        } => json!({ "kind": "file", "text": text, "link_name": link_name, "url": url }),
        InboundContent::Other(body) => json!({ "kind": "other", "body": body }),
        _ => json!({ "kind": "other" }),
    };
    json!({
        "uuid": message.uuid,
        "room_id": message.room_id,
        "msgid": message.msgid,
        "type": message.message_type,
        "auto_end": message.auto_end,
        "content": content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_senders_control_characters_are_shown_not_acted_on() {
        let hostile = "안녕\u{1b}[2J\rroot# \u{7}끝\n둘째 줄";
        assert_eq!(
            Shown(hostile).to_string(),
            "안녕\\u{1b}[2J\\rroot# \\u{7}끝\n  둘째 줄"
        );
    }
}
