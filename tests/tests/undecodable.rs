//! A body that does not decode reaches the caller of the generated client whole: its status,
//! headers and bytes travel in the error value itself (`Error::UnexpectedResponse`), so two
//! calls awaited together cannot see each other's.

use std::time::Duration;

use happytalk_api::kakao::Client;
use happytalk_api::types::SystemMessagesSenderKey;
use happytalk_api::{ClientState, Error};
use happytalk_tests::fixture;
use wiremock::ResponseTemplate;

fn sender_key() -> SystemMessagesSenderKey {
    SystemMessagesSenderKey::try_from("example-senderKey").unwrap()
}

/// A client of a server answering every request with `answer` (kept alive with it).
async fn serving(answer: ResponseTemplate) -> (Client, wiremock::MockServer) {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(answer)
        .mount(&server)
        .await;
    (Client::new(&server.uri(), ClientState::default()), server)
}

/// A proxy's refusal: HTML (undecodable), with `Retry-After`, after `delay`.
fn busy(status: u16, retry_after: &str, delay: Duration) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw("<html>busy</html>", "text/html")
        .insert_header("Retry-After", retry_after)
        .set_delay(delay)
}

/// `(status, Retry-After, body)` of an undecodable answer's error.
async fn undecodable<T: std::fmt::Debug>(
    result: Result<happytalk_api::ResponseValue<T>, Error<T>>,
) -> (u16, String, String) {
    let Err(Error::UnexpectedResponse(response)) = result else {
        panic!("an undecodable answer, got {result:?}");
    };
    let status = response.status().as_u16();
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    (status, retry_after, body)
}

#[tokio::test]
async fn an_undecodable_answer_keeps_its_status_headers_and_body() {
    let (client, _server) = serving(busy(503, "7", Duration::ZERO)).await;
    let key = sender_key();
    let result = client.system_messages(None, &key).await;
    assert_eq!(
        undecodable(result).await,
        (503, "7".to_owned(), "<html>busy</html>".to_owned())
    );
}

#[tokio::test]
async fn a_decoded_answer_keeps_its_status() {
    let success = ResponseTemplate::new(200)
        .set_body_raw(fixture("kakao/success-one.json"), "application/json");
    let (client, _server) = serving(success).await;
    let key = sender_key();
    let value = client.system_messages(None, &key).await.unwrap();
    assert_eq!(value.status().as_u16(), 200);
    assert_eq!(value.into_inner().data.unwrap().len(), 1);
}

#[tokio::test]
async fn two_calls_awaited_together_each_keep_their_own() {
    // The later answer arrives first: each error still carries its own response.
    let (slow, _slow_server) = serving(busy(502, "1", Duration::from_millis(150))).await;
    let (fast, _fast_server) = serving(busy(429, "2", Duration::ZERO)).await;
    let key = sender_key();
    let (slow, fast) = tokio::join!(
        slow.system_messages(None, &key),
        fast.system_messages(None, &key)
    );
    assert_eq!(
        undecodable(slow).await,
        (502, "1".to_owned(), "<html>busy</html>".to_owned())
    );
    assert_eq!(
        undecodable(fast).await,
        (429, "2".to_owned(), "<html>busy</html>".to_owned())
    );
}
