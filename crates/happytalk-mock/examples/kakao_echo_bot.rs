//! A KakaoTalk echo bot (카카오 상담톡): it hears each message a customer writes to your channel
//! (Kakao posts it to your receive domain's `/message`), answers it with the same text, and
//! ends the session when the customer writes `종료` (or `bye`). A redelivered message (the same
//! sender profile and serial number) is answered once. A failure that a redelivery cannot mend
//! (a text too long, a session that is over, a blocked customer) is permanent: answered 200, so
//! that Kakao does not send it again.
//!
//! ```text
//! cargo run -p happytalk-mock --example kakao_echo_bot -- --demo
//! ```
//! plays a whole conversation against the mock, in process: the customer writes (the mock opens
//! their session and posts the message to the bot, as Kakao would), the bot answers through the
//! client, the mock records each answer, and the customer's `종료` ends the session. It exits
//! non-zero if the conversation did not go as it should (`cargo xtask test` runs it).
//!
//! ```text
//! HT_CLIENT_ID=… HT_CLIENT_SECRET=… ECHO_BOT_PREFIX=/hooks/<long random> \
//!     cargo run -p happytalk-mock --example kakao_echo_bot -- 0.0.0.0:8080
//! ```
//! serves the bot for real, against HappyTalk's patch (staging) hosts: save
//! `https://<your host><ECHO_BOT_PREFIX>` as the channel's receive domain
//! (`happytalk call kakao_save_receive_domain sender_key=… domain=…`).

use std::time::Duration;

use happytalk_api::CounselResultCode;
use happytalk_ext::inbound::{Callback, DuplicateFilter};
use happytalk_ext::receiver::{HandlerError, Receiver};
use happytalk_ext::{Client, Credentials, Environment, Error, KakaoCustomer, KakaoMessage};
use happytalk_mock::{KakaoDelivery, MockHappyTalk};

const GOODBYES: [&str; 2] = ["종료", "bye"];

async fn answer(client: Client, callback: Callback) -> Result<(), HandlerError> {
    // The KakaoTalk customers' messages; an ended session or a reference needs no answer.
    let Callback::KakaoMessage(message) = callback else {
        return Ok(());
    };
    let customer = KakaoCustomer::new(&message.sender_key, &message.user_key);
    let said = match (&message.content, &message.attachment_url) {
        (Some(text), _) if GOODBYES.contains(&text.trim()) => {
            return client
                .kakao_end(&customer, None)
                .await
                .map(drop)
                .map_err(classify);
        }
        (Some(text), _) => text.clone(),
        (None, Some(url)) => format!("{}을(를) 받았습니다 ({url})", message.message_type),
        (None, None) => "이 형식은 아직 읽지 못합니다".to_owned(),
    };
    // Kakao's serial number of the customer's message makes ours: a redelivery that slipped
    // past the filter is refused by HappyTalk (-504), never sent twice.
    let echo = KakaoMessage::text(format!("echo: {said}"))
        .serial_number(format!("echo-{}", message.serial_number));
    client
        .kakao_send(&customer, echo)
        .await
        .map(drop)
        .map_err(classify)
}

/// What a redelivery cannot mend is permanent; anything else may pass later.
fn classify(error: Error) -> HandlerError {
    match &error {
        Error::Validation(_) => HandlerError::permanent(error),
        Error::Api(refused) if *refused.code() == CounselResultCode::DuplicateSerialNumber => {
            HandlerError::permanent(error)
        }
        Error::Api(refused)
            if *refused.code() == CounselResultCode::SessionOver
                || *refused.code() == CounselResultCode::BlockedUser =>
        {
            HandlerError::permanent(error)
        }
        _ => HandlerError::retry(error),
    }
}

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
    eprintln!(
        "KakaoTalk echo bot on http://{}{prefix}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}

async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    const USER: &str = "kakao-user-0001";
    let mock = MockHappyTalk::start().await;
    let client = Client::new(mock.environment(), mock.credentials())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receive_domain = format!("http://{}/hooks/demo-7b1d3e5f", listener.local_addr()?);
    let app = axum::Router::new().nest("/hooks/demo-7b1d3e5f", bot(client));
    tokio::spawn(async move { axum::serve(listener, app).await });
    mock.set_receiver(&receive_domain);

    println!("the customer writes to channel {SENDER}:");
    let conversation = [
        KakaoDelivery::text(SENDER, USER, "배송이 언제 오나요?"),
        KakaoDelivery::text(SENDER, USER, "주문 번호는 2026-0001 입니다"),
        KakaoDelivery::text(SENDER, USER, "종료"),
    ];
    for delivery in conversation {
        let delivered = mock.deliver_kakao(delivery).await?;
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
        .filter_map(|request| request.body?.get("message")?.as_str().map(str::to_owned))
        .collect();
    for said in &answers {
        println!("  bot: {said}");
    }
    let expected = [
        "echo: 배송이 언제 오나요?",
        "echo: 주문 번호는 2026-0001 입니다",
    ];
    if answers != expected {
        return Err(format!("the bot said {answers:?}, not {expected:?} (once each)").into());
    }
    if !mock
        .kakao_session(SENDER, USER)
        .is_some_and(|session| session.ended)
    {
        return Err("the customer's session was not ended".into());
    }
    mock.assert_no_violations();
    println!("the session was ended by the bot; every request as HappyTalk documents it");
    Ok(())
}
