//! `happytalk listen`: happytalk-ext's receiver on a local port, printing each callback once:
//! the Biz messages and the KakaoTalk callbacks, on one port.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use happytalk_ext::happytalk_api::INBOUND;
use happytalk_ext::inbound::{
    Callback, DuplicateFilter, InboundContent, InboundMessage, RedisDuplicateStore,
};
use happytalk_ext::receiver::{HandlerError, Receiver};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::failure::Failure;
use crate::output::{Shown, say_error};

/// How many messages the duplicate filter remembers, and for how long.
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
pub async fn listen(
    bind: IpAddr,
    port: u16,
    dedupe: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let address = SocketAddr::new(bind, port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| Failure::Usage(format!("cannot listen on {address}: {error}")))?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::Usage(format!("cannot listen on {address}: {error}")))?;
    let counts = Arc::new(Counts::default());
    let closed = Arc::new(Notify::new());
    let state = (counts.clone(), closed.clone());
    let receiver = Receiver::with_state(state, move |(counts, closed), callback| async move {
        if let Err(error) = print_callback(&mut std::io::stdout().lock(), &callback, json) {
            // Nobody reads any more: stop, and let HappyTalk send this one again.
            closed.notify_one();
            return Err(HandlerError::retry(format!("standard output: {error}")));
        }
        counts.printed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let (redeliveries, refusals) = (counts.clone(), counts.clone());
    // Where the callbacks taken are remembered: this process's memory, or a Redis shared with
    // other `listen`s (a fault there is said, and the callback printed anyway).
    let receiver = match dedupe {
        None => receiver.skip_duplicates(DuplicateFilter::new(REMEMBERED, REMEMBERED_FOR)),
        Some(url) => receiver.skip_duplicates(
            RedisDuplicateStore::new(url, REMEMBERED_FOR)
                .map_err(|error| Failure::Usage(format!("--dedupe: {error}")))?,
        ),
    };
    let receiver = receiver
        .on_store_error(|fault| {
            say_error!("{fault}; printing the callback without deduplication");
        })
        .on_duplicate(move |callback| {
            match callback {
                Callback::Biz(message) => say_error!(
                    "redelivered msgid {:?} (room {}): answered 200, not printed again",
                    message.msgid,
                    Shown::value(&message.room_id)
                ),
                other => say_error!(
                    "redelivered {} {}: answered 200, not printed again",
                    other.inbound().name,
                    Shown::value(&other.id())
                ),
            }
            redeliveries.redelivered.fetch_add(1, Ordering::Relaxed);
        })
        .on_refused(move |status, why| {
            say_error!("refused with {status}: {why}");
            refusals.refused.fetch_add(1, Ordering::Relaxed);
        });
    let paths: Vec<String> = INBOUND
        .iter()
        .map(|callback| {
            format!(
                "{} {} ({})",
                callback.method, callback.path, callback.family
            )
        })
        .collect();
    say_error!(
        "listening on http://{address} for {}; Ctrl-C stops it",
        paths.join(", ")
    );
    axum::serve(listener, receiver.into_router::<()>())
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = closed.notified() => {}
            }
        })
        .await
        .map_err(|error| Failure::Usage(format!("the listener stopped: {error}")))?;
    say_error!(
        "stopped after {} printed, {} redelivered, {} refused",
        counts.printed.load(Ordering::Relaxed),
        counts.redelivered.load(Ordering::Relaxed),
        counts.refused.load(Ordering::Relaxed)
    );
    Ok(())
}

fn print_callback(out: &mut impl Write, callback: &Callback, json: bool) -> io::Result<()> {
    match callback {
        Callback::Biz(message) => print_message(out, message, json),
        kakao if json => writeln!(out, "{}", kakao_json(kakao)),
        Callback::KakaoMessage(message) => {
            writeln!(
                out,
                "kakao message · customer {} of {} · session {} · serial {} · type {}",
                Shown::value(&message.user_key),
                Shown::value(&message.sender_key),
                Shown::value(message.session_id.as_deref().unwrap_or("?")),
                message.serial_number,
                Shown::value(message.message_type.as_str())
            )?;
            if let Some(text) = &message.content {
                writeln!(out, "  {}", Shown::text(text))?;
            }
            match &message.attachment_url {
                Some(url) => writeln!(out, "  attachment {}", Shown::value(url)),
                None => Ok(()),
            }
        }
        Callback::KakaoExpiredSession(ended) => writeln!(
            out,
            "kakao session {} of customer {} of {} ended",
            Shown::value(&ended.session_id),
            Shown::value(&ended.user_key),
            Shown::value(&ended.sender_key)
        ),
        Callback::KakaoReference(reference) => writeln!(
            out,
            "kakao reference · session {} of customer {} of {} · {}",
            Shown::value(&reference.session_id),
            Shown::value(&reference.user_key),
            Shown::value(&reference.sender_key),
            reference
                .reference
                .as_ref()
                .or(reference.last_reference.as_ref())
                .map_or_else(|| "no meta data".to_owned(), Value::to_string)
        ),
        _ => writeln!(out, "a callback this version does not know"),
    }
}

/// A KakaoTalk callback as one JSON object: its family and callback, then its fields.
fn kakao_json(callback: &Callback) -> Value {
    let callback_name = callback.inbound().short_name();
    let fields = match callback {
        Callback::KakaoMessage(message) => json!({
            "user_key": message.user_key,
            "sender_key": message.sender_key,
            "session_id": message.session_id,
            "serial_number": message.serial_number,
            "type": message.message_type.as_str(),
            "content": message.content,
            "attachment_url": message.attachment_url,
            "extra": message.extra,
            "time": message.time.map(|time| time.to_rfc3339()),
        }),
        Callback::KakaoExpiredSession(ended) => json!({
            "user_key": ended.user_key,
            "sender_key": ended.sender_key,
            "session_id": ended.session_id,
            "time": ended.time.map(|time| time.to_rfc3339()),
        }),
        Callback::KakaoReference(reference) => json!({
            "user_key": reference.user_key,
            "sender_key": reference.sender_key,
            "session_id": reference.session_id,
            "app_user_id": reference.app_user_id,
            "reference": reference.reference,
            "last_reference": reference.last_reference,
            "time": reference.time.map(|time| time.to_rfc3339()),
        }),
        _ => json!({}),
    };
    let mut line = json!({ "family": callback.inbound().family.name(), "callback": callback_name });
    if let (Some(line), Some(fields)) = (line.as_object_mut(), fields.as_object()) {
        line.extend(fields.clone());
    }
    line
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
        Shown::value(&message.room_id),
        Shown::value(&message.uuid),
        Shown::value(&message.msgid),
        Shown::value(&message.message_type)
    )?;
    match &message.content {
        InboundContent::Text(text) => writeln!(out, "  {}", Shown::text(text)),
        InboundContent::Image { width, height, url } => {
            let size = |side: &Option<i64>| side.map_or_else(|| "?".to_owned(), |n| n.to_string());
            writeln!(
                out,
                "  image {}x{} {}",
                size(width),
                size(height),
                Shown::value(url)
            )
        }
        InboundContent::File {
            text,
            link_name,
            url,
        } => writeln!(
            out,
            "  {}\n  file [{}] {}",
            Shown::text(text),
            Shown::value(link_name),
            Shown::value(url)
        ),
        InboundContent::Other(body) => {
            writeln!(out, "  a shape this version does not know: {body}")
        }
        _ => writeln!(out, "  a shape this version does not know"),
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
        "family": happytalk_ext::happytalk_api::inbound::MESSAGE.family.name(),
        "uuid": message.uuid,
        "room_id": message.room_id,
        "msgid": message.msgid,
        "type": message.message_type,
        "auto_end": message.auto_end,
        "content": content,
    })
}
