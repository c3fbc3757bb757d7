//! `happytalk_api::with_response_info`: each call gets the status and `Retry-After` of its own
//! response, whether calls run one after another, interleaved on one thread (two answers read
//! in one poll), or on workers that move them between threads.

use std::task::Poll;
use std::time::Duration;

use happytalk_api::types::SystemMessagesSenderKey;
use happytalk_api::{Client, ClientState, ResponseInfo, with_response_info};
use happytalk_tests::{fixture, refused_base_url};
use wiremock::ResponseTemplate;

fn client(base_url: &str) -> Client {
    Client::new(base_url, ClientState::default())
}

fn sender_key() -> SystemMessagesSenderKey {
    SystemMessagesSenderKey::try_from("example-senderKey").unwrap()
}

/// A server answering every request with `answer`.
async fn server(answer: ResponseTemplate) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

/// A proxy's refusal: HTML (undecodable), with `Retry-After`, after `delay`.
fn busy(status: u16, retry_after: &str, delay: Duration) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw("<html>busy</html>", "text/html")
        .insert_header("Retry-After", retry_after)
        .set_delay(delay)
}

/// HappyTalk's documented success (one system message), after `delay`.
fn success(delay: Duration) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(fixture("kakao/success-one.json"), "application/json")
        .set_delay(delay)
}

/// `(status, Retry-After)` of what a call recorded.
fn seen(info: Option<ResponseInfo>) -> Option<(u16, Option<String>)> {
    info.map(|info| {
        (
            info.status().as_u16(),
            info.retry_after()
                .map(|value| value.to_str().unwrap().to_owned()),
        )
    })
}

#[tokio::test]
async fn a_success_gives_its_status_and_no_retry_after() {
    let server = server(success(Duration::ZERO).insert_header("Retry-After", "30")).await;
    let client = client(&server.uri());
    let (result, info) = with_response_info(client.system_messages(None, &sender_key())).await;
    assert!(result.unwrap().into_inner().code.is_success());
    // A success's `Retry-After` is not read.
    assert_eq!(seen(info), Some((200, None)));
}

#[tokio::test]
async fn an_undecodable_refusal_keeps_its_status_and_retry_after() {
    let server = server(busy(503, "7", Duration::ZERO)).await;
    let client = client(&server.uri());
    let (result, info) = with_response_info(client.system_messages(None, &sender_key())).await;
    assert!(result.is_err());
    assert_eq!(seen(info), Some((503, Some("7".to_owned()))));
}

#[tokio::test]
async fn no_response_gives_no_info() {
    let client = client(&refused_base_url());
    let (result, info) = with_response_info(client.system_messages(None, &sender_key())).await;
    assert!(result.is_err());
    assert_eq!(seen(info), None);
}

#[tokio::test]
async fn a_call_outside_with_response_info_leaves_the_next_one_alone() {
    let refusing = server(busy(429, "3", Duration::ZERO)).await;
    let fine = server(success(Duration::ZERO)).await;
    let _ = client(&refusing.uri())
        .system_messages(None, &sender_key())
        .await;
    let (_, info) =
        with_response_info(client(&fine.uri()).system_messages(None, &sender_key())).await;
    assert_eq!(seen(info), Some((200, None)));
}

#[tokio::test(flavor = "current_thread")]
async fn interleaved_calls_on_one_thread_each_get_their_own() {
    // The slower answers arrive while the other call is being polled on the same thread.
    let a = server(busy(503, "11", Duration::from_millis(150))).await;
    let b = server(busy(429, "22", Duration::from_millis(50))).await;
    let c = server(success(Duration::from_millis(100))).await;
    let (client_a, client_b, client_c) = (client(&a.uri()), client(&b.uri()), client(&c.uri()));
    let key = sender_key();
    let ((_, info_a), (_, info_b), (_, info_c)) = tokio::join!(
        with_response_info(client_a.system_messages(None, &key)),
        with_response_info(client_b.system_messages(None, &key)),
        with_response_info(client_c.system_messages(None, &key)),
    );
    assert_eq!(seen(info_a), Some((503, Some("11".to_owned()))));
    assert_eq!(seen(info_b), Some((429, Some("22".to_owned()))));
    assert_eq!(seen(info_c), Some((200, None)));
}

#[tokio::test]
async fn failed_bodies_read_in_one_poll_each_keep_their_own() {
    // Two calls whose answers (undecodable refusals) are both read in one poll: the first
    // call's body fails and its status is taken before the second's body is read. Each keeps
    // its own status and Retry-After.
    let first = server(busy(503, "5", Duration::ZERO)).await;
    let second = server(busy(429, "9", Duration::ZERO)).await;
    let (first_client, second_client) = (client(&first.uri()), client(&second.uri()));
    let key = sender_key();
    // A connection to each server first: from the pool, a request goes out in its first poll,
    // and its connection's own task reads the answer.
    let _ = first_client.system_messages(None, &key).await;
    let _ = second_client.system_messages(None, &key).await;
    let both = async {
        // `biased`: in this order on every poll.
        tokio::join!(
            biased;
            with_response_info(first_client.system_messages(None, &key)),
            with_response_info(second_client.system_messages(None, &key)),
        )
    };
    let mut both = std::pin::pin!(both);
    // One poll sends both requests; the answers arrive while this task sleeps, and the second
    // poll must read both and finish.
    std::future::poll_fn(|cx| {
        assert!(both.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ((first_result, first_info), (_, second_info)) =
        std::future::poll_fn(|cx| match both.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(output),
            Poll::Pending => panic!("the answers were not both read in one poll"),
        })
        .await;
    assert!(matches!(
        first_result,
        Err(happytalk_api::Error::InvalidResponsePayload(..))
    ));
    assert_eq!(seen(first_info), Some((503, Some("5".to_owned()))));
    assert_eq!(seen(second_info), Some((429, Some("9".to_owned()))));
}

#[tokio::test]
async fn the_last_response_of_a_recording_is_the_one_it_gives() {
    let refusing = server(busy(503, "5", Duration::ZERO)).await;
    let fine = server(success(Duration::ZERO)).await;
    let (refusing_client, fine_client) = (client(&refusing.uri()), client(&fine.uri()));
    let key = sender_key();
    let (_, info) = with_response_info(async {
        let _ = refusing_client.system_messages(None, &key).await;
        fine_client.system_messages(None, &key).await
    })
    .await;
    // A refusal's Retry-After does not stick to the success that followed it.
    assert_eq!(seen(info), Some((200, None)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_moving_between_worker_threads_each_get_their_own() {
    // Calls on a multi-thread runtime move between its workers from one poll to the next; each
    // recording still gets its own call's answer.
    let refusing = server(busy(503, "11", Duration::from_millis(20))).await;
    let limiting = server(busy(429, "22", Duration::from_millis(5))).await;
    let fine = server(success(Duration::from_millis(10))).await;
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..8 {
        for (base_url, expected) in [
            (refusing.uri(), (503, Some("11".to_owned()))),
            (limiting.uri(), (429, Some("22".to_owned()))),
            (fine.uri(), (200, None)),
        ] {
            tasks.spawn(async move {
                let client = client(&base_url);
                let key = sender_key();
                for _ in 0..=round % 3 {
                    let (_, info) = with_response_info(client.system_messages(None, &key)).await;
                    assert_eq!(seen(info), Some(expected.clone()));
                    tokio::task::yield_now().await;
                }
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a recording task");
    }
}
