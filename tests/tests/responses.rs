//! The decoded form of every response example in HappyTalk's docs (fixtures under
//! `tests/fixtures/`), served by a local server and decoded by the client as a user sees it.

use std::fmt::Debug;

use happytalk_ext::{ChatMessage, Error, SystemMessage};
use happytalk_tests::{client_for, fixture, server_answering};

/// Sends a message to a server answering `body` with HTTP 200.
async fn send(body: String) -> Result<String, Error> {
    let server = server_answering(200, &body).await;
    client_for(&server.uri())
        .send_message(&ChatMessage::text("cust-0001", "1234567", "문의드립니다"))
        .await
}

/// Lists system messages from a server answering `body` with HTTP 200.
async fn lookup(body: String) -> Result<Vec<SystemMessage>, Error> {
    let server = server_answering(200, &body).await;
    client_for(&server.uri())
        .system_messages("example-senderKey")
        .await
}

/// The decoded form of a fixture, as `Debug` shows it.
async fn decoded<T: Debug, F: Future<Output = Result<T, Error>>>(
    call: impl Fn(String) -> F,
    fixture_name: &str,
) -> String {
    format!("{:#?}", call(fixture(fixture_name)).await)
}

/// Each body of a fixture holding an array of failure bodies, with the error it gives.
async fn each_failure<T: Debug, F: Future<Output = Result<T, Error>>>(
    call: impl Fn(String) -> F,
    fixture_name: &str,
) -> String {
    let bodies: Vec<serde_json::Value> = serde_json::from_str(&fixture(fixture_name)).unwrap();
    let mut decoded = String::new();
    for body in bodies {
        let error = call(body.to_string()).await.unwrap_err();
        decoded.push_str(&format!("{body}\n=> {error}\n\n"));
    }
    decoded
}

#[tokio::test]
async fn chat_success() {
    insta::assert_snapshot!(decoded(send, "chat/success.json").await);
}

#[tokio::test]
async fn chat_failure_802_length() {
    insta::assert_snapshot!(decoded(send, "chat/failure-802-length.json").await);
}

#[tokio::test]
async fn chat_failure_901_consulting() {
    insta::assert_snapshot!(decoded(send, "chat/failure-901-consulting.json").await);
}

/// One of each class of the Biz fail-code table: permission, credentials, contract, system,
/// room, parameter, consulting, vote.
#[tokio::test]
async fn chat_failure_classes() {
    insta::assert_snapshot!(each_failure(send, "chat/failures.json").await);
}

#[tokio::test]
async fn system_messages_empty() {
    insta::assert_snapshot!(decoded(lookup, "kakao/success-empty.json").await);
}

#[tokio::test]
async fn system_messages_one() {
    insta::assert_snapshot!(decoded(lookup, "kakao/success-one.json").await);
}

#[tokio::test]
async fn system_messages_failure_507() {
    insta::assert_snapshot!(decoded(lookup, "kakao/failure-507.json").await);
}

#[tokio::test]
async fn system_messages_with_undocumented_values() {
    insta::assert_snapshot!(decoded(lookup, "kakao/undocumented-values.json").await);
}

/// Every documented Kakao code (only 507's message is documented).
#[tokio::test]
async fn system_messages_failure_classes() {
    insta::assert_snapshot!(each_failure(lookup, "kakao/failures.json").await);
}

#[tokio::test]
async fn system_message_by_id() {
    let server = server_answering(200, &fixture("kakao/success-one.json")).await;
    let client = client_for(&server.uri());
    let found = client
        .system_message("example-senderKey", 175)
        .await
        .unwrap();
    assert_eq!(found.map(|m| m.id), Some(175));
    let missing = client
        .system_message("example-senderKey", 176)
        .await
        .unwrap();
    assert_eq!(missing, None);
}
