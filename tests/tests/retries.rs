//! What is retried and what never is, against servers on loopback that inject the faults:
//! status sequences (wiremock), connections dropped after the request was read or left silent
//! and a port that starts listening late (happytalk-mock).

use std::time::{Duration, Instant};

use happytalk_ext::{
    BizResultCode, ChatMessage, Client, Environment, Error, KakaoResultCode, RetryPolicy,
    TransportErrorKind,
};
use happytalk_mock::{Match, MockHappyTalk, Reply};
use happytalk_tests::{CLIENT_ID, CLIENT_SECRET, credentials, fixture, refused_base_url};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder(Environment::custom(url).unwrap(), credentials())
        .retry(policy)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Short waits, so that tests that retry stay fast.
fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::standard()
        .max_attempts(attempts)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn message() -> ChatMessage {
    ChatMessage::text("cust-0001", "1234567", "안녕하세요")
}

fn html(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw("<html>Service Unavailable</html>", "text/html")
}

fn json(status: u16, fixture_name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(fixture(fixture_name).into_bytes(), "application/json")
}

/// A server answering `first` to the first `times` requests, then `then` to every other.
async fn server(first: ResponseTemplate, times: u64, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(then)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .len()
}

/// The mock HappyTalk, accepting the test credentials, with sender key `k` known (no messages).
async fn mock() -> MockHappyTalk {
    let mock = MockHappyTalk::builder()
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .start()
        .await
        .unwrap();
    mock.add_sender_key("k");
    mock
}

/// Silence: an answer that comes after every timeout of these tests.
fn silence() -> Reply {
    Reply::code(BizResultCode::Success).delay(Duration::from_secs(30))
}

/// The fixture of an empty successful lookup.
const KAKAO_FIXTURE: &str = "kakao/success-empty.json";

#[tokio::test]
async fn a_get_that_sees_503_twice_succeeds_with_three_requests_by_default() {
    let server = server(html(503), 2, json(200, "kakao/success-one.json")).await;
    let client = happytalk_tests::client_for(&server.uri()); // the default policy
    let found = client.system_messages("example-senderKey").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn a_get_is_retried_on_408_429_and_5xx_whose_body_is_not_documented() {
    for status in [408, 429, 500, 502, 504] {
        let server = server(html(status), 1, json(200, KAKAO_FIXTURE)).await;
        let found = client(&server.uri(), quick(3)).system_messages("k").await;
        assert_eq!(found.unwrap(), [], "{status}");
        assert_eq!(requests(&server).await, 2, "{status}");
    }
}

#[tokio::test]
async fn a_get_is_not_retried_on_a_documented_answer_whatever_its_status() {
    let server = server(
        json(503, "kakao/failure-507.json"),
        1,
        json(200, KAKAO_FIXTURE),
    )
    .await;
    let error = client(&server.uri(), quick(3))
        .system_messages("k")
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*api.code(), KakaoResultCode::InvalidSenderProfile);
    assert_eq!((api.status().as_u16(), api.attempts()), (503, 1));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_get_is_not_retried_on_an_undocumented_answer_with_another_status() {
    let server = server(html(404), 1, json(200, KAKAO_FIXTURE)).await;
    let error = client(&server.uri(), quick(3))
        .system_messages("k")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UndecodableResponse(_)), "{error:?}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_get_is_retried_after_a_dropped_connection_and_a_timeout() {
    let dropped = mock().await;
    dropped
        .on(Match::Any)
        .once()
        .reply(Reply::drop_connection());
    let found = client(&dropped.uri(), quick(3)).system_messages("k").await;
    assert_eq!(found.unwrap(), []);
    assert_eq!(dropped.requests_for_sender_key("k").len(), 2);

    let silent = mock().await;
    silent.on(Match::Any).once().reply(silence());
    let impatient = Client::builder(silent.environment(), credentials())
        .retry(quick(3))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert_eq!(impatient.system_messages("k").await.unwrap(), []);
    assert_eq!(silent.requests_for_sender_key("k").len(), 2);
}

#[tokio::test]
async fn a_post_whose_connection_drops_after_the_request_is_sent_once() {
    let server = mock().await;
    server.on(Match::Any).once().reply(Reply::drop_connection());
    let error = client(&server.uri(), quick(5))
        .send_message(&message())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_ne!(transport.kind(), TransportErrorKind::Connect);
    assert_eq!(error.attempts(), 1);
    assert_eq!(
        server.requests_for_room("1234567").len(),
        1,
        "the message may have been delivered"
    );
}

#[tokio::test]
async fn a_post_that_times_out_is_sent_once() {
    let server = mock().await;
    server.on(Match::Any).once().reply(silence());
    let client = Client::builder(server.environment(), credentials())
        .retry(quick(5))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.send_message(&message()).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert_eq!(server.requests_for_room("1234567").len(), 1);
}

#[tokio::test]
async fn a_post_answered_with_an_error_page_or_600_is_sent_once() {
    let cases = [
        (html(503), "an HTML 503"),
        (html(429), "an HTML 429"),
        (
            ResponseTemplate::new(500).set_body_raw(
                r#"{"code":-600,"message":"System"}"#.as_bytes().to_vec(),
                "application/json",
            ),
            "-600 under 500",
        ),
    ];
    for (first, what) in cases {
        let server = server(first, 1, json(200, "chat/success.json")).await;
        let error = client(&server.uri(), quick(5))
            .send_message(&message())
            .await
            .unwrap_err();
        assert_eq!(error.attempts(), 1, "{what}");
        assert_eq!(requests(&server).await, 1, "{what}");
        if let Error::Api(api) = &error {
            assert_eq!(*api.code(), BizResultCode::SystemError);
        }
    }
}

#[tokio::test]
async fn a_post_to_a_port_that_listens_300_ms_later_succeeds_and_is_sent_once() {
    let url = refused_base_url();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let (started_mock, mock_started) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let late = MockHappyTalk::builder()
            .port(port)
            .credentials(CLIENT_ID, CLIENT_SECRET)
            .start()
            .await
            .unwrap();
        late.add_room("cust-0001", "1234567");
        // Kept alive in the channel until the test reads it.
        let _ = started_mock.send(late);
    });
    // Enough attempts to wait out 300 ms whatever the jitter draws.
    let patient = RetryPolicy::standard()
        .max_attempts(100)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .max_elapsed(Duration::from_secs(10));
    let started = Instant::now();
    let room_id = client(&url, patient).send_message(&message()).await;
    assert_eq!(room_id.unwrap(), "1234567");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let late = mock_started.await.unwrap();
    assert_eq!(late.requests_for_room("1234567").len(), 1);
    late.assert_no_violations();
}

#[tokio::test]
async fn retries_stop_at_the_cap_within_ten_percent_of_it() {
    let server = server(html(503), u64::MAX, html(503)).await;
    let cap = Duration::from_secs(2);
    let policy = RetryPolicy::standard()
        .max_attempts(u32::MAX)
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .max_elapsed(cap);
    let started = Instant::now();
    let error = client(&server.uri(), policy)
        .system_messages("k")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= cap.mul_f64(0.9) && elapsed <= cap.mul_f64(1.1),
        "stopped after {elapsed:?}, cap {cap:?}"
    );
    let attempts = error.attempts();
    assert!(attempts > 2, "{attempts}");
    // The last attempt may have started just before the cap and been abandoned by it before
    // its request reached the server.
    let received = requests(&server).await;
    assert!(
        received == attempts as usize || received + 1 == attempts as usize,
        "{received} requests for {attempts} attempts"
    );
    assert!(
        error
            .to_string()
            .ends_with(&format!("(after {attempts} attempts)")),
        "{error}"
    );
}

#[tokio::test]
async fn the_cap_ends_the_call_even_during_an_attempt_and_a_post_is_still_sent_once() {
    let server = mock().await;
    server.on(Match::Any).reply(silence());
    let cap = Duration::from_secs(1);
    let started = Instant::now();
    let error = client(&server.uri(), quick(5).max_elapsed(cap)) // the request timeout is 10 s
        .send_message(&message())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= cap && elapsed <= cap.mul_f64(1.1), "{elapsed:?}");
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    // The cause says which cap ran out (Display gives the kind; the cause is its source).
    assert!(cause(&error).contains("cap of 1s"), "{error:?}");
    assert_eq!(server.requests_for_room("1234567").len(), 1);
}

#[tokio::test]
async fn the_cap_still_bounds_the_retries_of_a_first_attempt_run_without_its_timer() {
    // The client's own timeout (1 s) ends any attempt within the cap (1.5 s), so the first
    // attempt runs without a timer of the cap; the attempts after it are bounded by the cap
    // from the call's start.
    let server = server(html(503), 1, html(503).set_delay(Duration::from_secs(30))).await;
    let cap = Duration::from_millis(1500);
    let client = Client::builder(Environment::custom(&server.uri()).unwrap(), credentials())
        .retry(quick(5).max_elapsed(cap))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.system_messages("k").await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= cap && elapsed <= cap.mul_f64(1.1), "{elapsed:?}");
    assert!(cause(&error).contains("cap of 1.5s"), "{error:?}");
    // 503 at once, a timeout at 1 s, then an attempt cut off by the cap.
    assert_eq!(error.attempts(), 3, "{error}");
}

#[tokio::test]
async fn retry_after_is_waited_for_when_it_fits_in_the_cap() {
    let busy = html(503).insert_header("Retry-After", "1");
    let server = server(busy, 1, json(200, KAKAO_FIXTURE)).await;
    let started = Instant::now();
    let found = client(&server.uri(), quick(3)).system_messages("k").await;
    assert_eq!(found.unwrap(), []);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as asked"
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_the_call_at_once() {
    let busy = html(503).insert_header("Retry-After", "60");
    let server = server(busy, 1, json(200, KAKAO_FIXTURE)).await;
    let policy = quick(3).max_elapsed(Duration::from_secs(5));
    let started = Instant::now();
    let error = client(&server.uri(), policy)
        .system_messages("k")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "did not wait");
    assert_eq!(error.attempts(), 1);
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn with_retries_off_every_call_is_one_attempt() {
    let error = client(&refused_base_url(), RetryPolicy::none())
        .system_messages("k")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    assert_eq!(error.attempts(), 1);
    assert!(!error.to_string().contains("attempts"), "{error}");
}

#[tokio::test]
async fn a_refused_post_is_retried_up_to_the_attempts_allowed() {
    let error = client(&refused_base_url(), quick(4))
        .send_message(&message())
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 4);
}

#[tokio::test]
async fn a_policy_without_attempts_is_refused_when_the_client_is_built() {
    let error = Client::builder(Environment::Patch, credentials())
        .retry(RetryPolicy::standard().max_attempts(0))
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Configuration(_)), "{error:?}");
}

/// The text of an error's cause (its `source()`).
fn cause(error: &Error) -> String {
    std::error::Error::source(error)
        .map(ToString::to_string)
        .unwrap_or_default()
}
