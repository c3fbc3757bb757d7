//! The decoded form of every response example in HappyTalk's docs (fixtures under
//! `tests/fixtures/`), served by a local server and decoded by the client as a user sees it.

use happytalk_ext::{ChatMessage, Client};
use happytalk_tests::{client_for, fixture, server_answering};
use wiremock::MockServer;

async fn serving(fixture_name: &str, status: u16) -> (MockServer, Client) {
    let server = server_answering(status, &fixture(fixture_name)).await;
    let client = client_for(&server.uri());
    (server, client)
}

async fn send(fixture_name: &str) -> String {
    let (_server, client) = serving(fixture_name, 200).await;
    let result = client
        .send_message(&ChatMessage::text("cust-0001", "1234567", "문의드립니다"))
        .await;
    format!("{result:#?}")
}

async fn lookup(fixture_name: &str) -> String {
    let (_server, client) = serving(fixture_name, 200).await;
    format!("{:#?}", client.system_messages("example-senderKey").await)
}

#[tokio::test]
async fn chat_success() {
    insta::assert_snapshot!(send("chat/success.json").await);
}

#[tokio::test]
async fn chat_failure_802_length() {
    insta::assert_snapshot!(send("chat/failure-802-length.json").await);
}

#[tokio::test]
async fn chat_failure_901_consulting() {
    insta::assert_snapshot!(send("chat/failure-901-consulting.json").await);
}

/// One of each class of the Biz fail-code table: permission, credentials, contract, system,
/// room, parameter, consulting, vote.
#[tokio::test]
async fn chat_failure_classes() {
    let bodies: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("chat/failures.json")).unwrap();
    let mut decoded = String::new();
    for body in bodies {
        let server = server_answering(200, &body.to_string()).await;
        let result = client_for(&server.uri())
            .send_message(&ChatMessage::text("cust-0001", "1234567", "문의드립니다"))
            .await;
        decoded.push_str(&format!("{body}\n=> {}\n\n", result.unwrap_err()));
    }
    insta::assert_snapshot!(decoded);
}

#[tokio::test]
async fn system_messages_empty() {
    insta::assert_snapshot!(lookup("kakao/success-empty.json").await);
}

#[tokio::test]
async fn system_messages_one() {
    insta::assert_snapshot!(lookup("kakao/success-one.json").await);
}

#[tokio::test]
async fn system_messages_failure_507() {
    insta::assert_snapshot!(lookup("kakao/failure-507.json").await);
}

#[tokio::test]
async fn system_messages_with_undocumented_values() {
    insta::assert_snapshot!(lookup("kakao/undocumented-values.json").await);
}

/// Every documented Kakao code (only 507's message is documented).
#[tokio::test]
async fn system_messages_failure_classes() {
    let bodies: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("kakao/failures.json")).unwrap();
    let mut decoded = String::new();
    for body in bodies {
        let server = server_answering(200, &body.to_string()).await;
        let result = client_for(&server.uri())
            .system_messages("example-senderKey")
            .await;
        decoded.push_str(&format!("{body}\n=> {}\n\n", result.unwrap_err()));
    }
    insta::assert_snapshot!(decoded);
}

#[tokio::test]
async fn system_message_by_id() {
    let (_server, client) = serving("kakao/success-one.json", 200).await;
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
