//! An echo bot: it hears each customer message HappyTalk posts to it, answers it in the room,
//! and ends the room when the customer writes `종료` (or `bye`). A failure that a redelivery
//! cannot mend (an answer too long, a room HappyTalk says has ended) is permanent: answered
//! 200, so that HappyTalk does not send the message again.
//!
//! ```text
//! cargo run -p happytalk-mock --example echo_bot -- --demo
//! ```
//! plays a whole conversation against the mock, in process: the mock opens a room, posts the
//! customer's messages to the bot as HappyTalk would, and records the bot's answers. It exits
//! non-zero if the conversation did not go as it should (CI runs it).
//!
//! ```text
//! HT_CLIENT_ID=… HT_CLIENT_SECRET=… ECHO_BOT_PREFIX=/hooks/<long random> \
//!     cargo run -p happytalk-mock --example echo_bot -- 0.0.0.0:8080
//! ```
//! serves the bot for real, against HappyTalk's patch (staging) hosts: point your receiving
//! domain at `https://<your host><ECHO_BOT_PREFIX>` (HappyTalk posts to `…/message/{uuid}`).

use std::time::Duration;

use happytalk_api::types::ChatMessageRequestMsg;
use happytalk_ext::inbound::{Callback, DuplicateFilter, InboundContent};
use happytalk_ext::receiver::{HandlerError, Receiver};
use happytalk_ext::{ChatMessage, Client, Credentials, EndRoom, Environment, Error, OpenRoom};
use happytalk_mock::{Delivery, MockHappyTalk};

/// What ends the conversation.
const GOODBYES: [&str; 2] = ["종료", "bye"];

/// The bot: answers `message` in its room, or ends the room on a goodbye.
async fn answer(client: Client, callback: Callback) -> Result<(), HandlerError> {
    // The Biz rooms' messages; the KakaoTalk callbacks are kakao_echo_bot's.
    let Callback::Biz(message) = callback else {
        return Ok(());
    };
    let (uuid, room) = (&message.uuid, &message.room_id);
    if message.auto_end {
        return Ok(()); // HappyTalk ended the room itself: nothing to answer.
    }
    let said = match &message.content {
        InboundContent::Text(text) if GOODBYES.contains(&text.trim()) => {
            // Ending is safe to repeat, so a redelivery after a failed end does no harm (a
            // goodbye sent before it would be sent twice).
            return client
                .end_room(EndRoom::new(uuid, room))
                .await
                .map(drop)
                .map_err(classify);
        }
        InboundContent::Text(text) => text.clone(),
        InboundContent::Image { url, .. } => format!("이미지를 받았습니다 ({url})"),
        InboundContent::File { link_name, .. } => format!("파일을 받았습니다 ({link_name})"),
        _ => "이 형식은 아직 읽지 못합니다".to_owned(),
    };
    let echo = ChatMessage::text(uuid, room, format!("echo: {said}"));
    client.send_message(&echo).await.map(drop).map_err(classify)
}

/// Whether HappyTalk's sending the message again could help: not when the answer is invalid
/// (a text too long once echoed) or HappyTalk refused it (the room ended, say); yes when it
/// did not arrive.
fn classify(error: happytalk_ext::Error) -> HandlerError {
    match error {
        Error::Validation(_) | Error::Api(_) => HandlerError::permanent(error),
        _ => HandlerError::retry(error),
    }
}

/// The bot as an axum router: each message once (HappyTalk may redeliver), for a day.
fn bot(client: Client) -> axum::Router {
    Receiver::with_state(client, answer)
        .skip_duplicates(DuplicateFilter::new(
            100_000,
            Duration::from_secs(24 * 60 * 60),
        ))
        .into_router()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argument = std::env::args().nth(1);
    match argument.as_deref() {
        Some("--demo") => demo().await,
        address => serve(address.unwrap_or("127.0.0.1:8080")).await,
    }
}

/// Serves the bot against HappyTalk's patch hosts.
async fn serve(address: &str) -> Result<(), Box<dyn std::error::Error>> {
    let variable = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let credentials = Credentials::new(variable("HT_CLIENT_ID")?, variable("HT_CLIENT_SECRET")?);
    let prefix = variable("ECHO_BOT_PREFIX")?;
    if prefix.len() < 16 || !prefix.starts_with('/') {
        return Err("ECHO_BOT_PREFIX is the secret path prefix: `/` and 15+ characters".into());
    }
    let client = Client::new(Environment::Patch, credentials)?;
    let app = axum::Router::new().nest(&prefix, bot(client));
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!("echo bot on http://{}{prefix}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// A whole conversation against the mock, in process; an error when it went wrong.
async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockHappyTalk::start().await;
    let client = Client::new(mock.environment(), mock.credentials())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receiver = format!("http://{}/hooks/demo-0c5e2f9a", listener.local_addr()?);
    let app = axum::Router::new().nest("/hooks/demo-0c5e2f9a", bot(client.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    mock.set_receiver(&receiver);

    let room = client.open_room(OpenRoom::new("cust-0001")).await?.room_id;
    println!("room {room} opened; the customer writes:");
    // The longest text a message may carry: its echo is too long, a permanent failure.
    let longest = ChatMessageRequestMsg::MAX_LENGTH;
    let conversation = [
        Delivery::text(&room, "배송이 언제 오나요?"),
        Delivery::image(&room, "https://files.example.com/a.png", 640, 480),
        Delivery::text(&room, "가".repeat(longest)),
        Delivery::text(&room, "종료"),
    ];
    for delivery in conversation {
        let delivered = mock.deliver(delivery).await?;
        if !delivered.accepted() {
            return Err(
                format!("the bot answered {}: {}", delivered.status, delivered.body).into(),
            );
        }
        let again = happytalk_mock::redeliver(&delivered).await?;
        if !again.accepted() {
            return Err(format!("the bot refused a redelivery: {}", again.status).into());
        }
    }
    let answers: Vec<String> = mock
        .received()
        .into_iter()
        .filter_map(|request| request.chat_message?.msg.map(|msg| msg.to_string()))
        .collect();
    for said in &answers {
        println!("  bot: {}", said.chars().take(60).collect::<String>());
    }
    let expected = [
        "echo: 배송이 언제 오나요?",
        "echo: 이미지를 받았습니다 (https://files.example.com/a.png)",
    ];
    if answers != expected {
        return Err(format!("the bot said {answers:?}, not {expected:?} (once each)").into());
    }
    if !mock.room(&room).is_some_and(|room| room.ended) {
        return Err(format!("room {room} was not ended").into());
    }
    mock.assert_no_violations();
    println!("room {room} ended by the bot; every request as HappyTalk documents it");
    Ok(())
}
