//! The mock through `happytalk-ext`, as a user's tests drive it: its documented behaviour with
//! no setup, its scripts, what it records, and every code the spec knows.

use std::time::{Duration, Instant};

use happytalk_api::{BizResultCode, KakaoResultCode, ResultCode, operations, types};
use happytalk_ext::{
    ChatMessage, Client, CounselorAvailability, Credentials, EndRoom, EndType, Environment, Error,
    OpenRoom, RetryPolicy, RoomEnding, TransportErrorKind,
};
use happytalk_mock::{Match, MockHappyTalk, Reply};
use serde_json::{Value, json};

fn client(mock: &MockHappyTalk) -> Client {
    Client::builder(mock.environment(), mock.credentials())
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn text() -> ChatMessage {
    ChatMessage::text("cust-0001", "1234567", "안녕하세요")
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> happytalk_ext::ApiError {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_user_test_of_a_whole_conversation_is_short() {
    let mock = MockHappyTalk::start().await;
    let client = Client::new(mock.environment(), mock.credentials()).unwrap();
    let room = client.open_room(OpenRoom::new("cust-0001")).await.unwrap();
    let message = ChatMessage::text("cust-0001", &room.room_id, "안녕하세요");
    assert_eq!(client.send_message(&message).await.unwrap(), room.room_id);
    let ending = client
        .end_room(EndRoom::new("cust-0001", &room.room_id))
        .await;
    assert_eq!(ending.unwrap(), RoomEnding::Ended);
    let about_the_room: Vec<_> = mock
        .requests_for_room(&room.room_id)
        .into_iter()
        .map(|request| request.operation)
        .collect();
    assert_eq!(about_the_room, [Some("send_message"), Some("end_room")]);
    assert!(mock.room(&room.room_id).unwrap().ended);
    mock.assert_no_violations();
}

/// A room has a life: opened, then written to; what HappyTalk answers at each wrong turn.
#[tokio::test]
async fn rooms_are_opened_and_written_to_as_documented() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    let opened = client
        .open_room(OpenRoom::new("cust-0001").title("배송 문의"))
        .await
        .unwrap();
    assert_eq!(opened.room_id, happytalk_mock::FIRST_ROOM.to_string());
    assert_eq!(
        opened.counselor_name.as_deref(),
        Some("김상담"),
        "the spec's example"
    );
    assert!(opened.notice.is_some());
    let room = opened.room_id.as_str();

    // The customer's room is in progress: -704, unless forced.
    let busy = api_error(client.open_room(OpenRoom::new("cust-0001")).await);
    assert_eq!(*busy.code(), BizResultCode::RoomInProgress);
    let second = client
        .open_room(OpenRoom::new("cust-0001").is_room_create_force(true))
        .await
        .unwrap();
    assert_ne!(second.room_id, opened.room_id);

    // Another customer's room, an unknown room.
    let theirs = ChatMessage::text("cust-0002", room, "hi");
    assert_eq!(
        *api_error(client.send_message(&theirs).await).code(),
        BizResultCode::UuidMismatch
    );
    let nowhere = ChatMessage::text("cust-0001", "999", "hi");
    assert_eq!(
        *api_error(client.send_message(&nowhere).await).code(),
        BizResultCode::RoomNotFound
    );
    assert!(!mock.room(room).unwrap().ended);
    mock.assert_no_violations();
}

/// An ended room: writing to it and ending it again answer -700; ending another customer's
/// room -703, an unknown one -702.
#[tokio::test]
async fn an_ended_room_refuses_messages_and_a_second_end() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    mock.add_room("cust-0001", "1234567");
    assert_eq!(
        *api_error(client.end_room(EndRoom::new("cust-0002", "1234567")).await).code(),
        BizResultCode::UuidMismatch
    );
    assert_eq!(
        *api_error(client.end_room(EndRoom::new("cust-0001", "999")).await).code(),
        BizResultCode::RoomNotFound
    );
    let end = EndRoom::new("cust-0001", "1234567").end_type(EndType::Customer);
    assert_eq!(
        client.end_room(end.clone()).await.unwrap(),
        RoomEnding::Ended
    );
    assert!(mock.room("1234567").unwrap().ended);
    let late = ChatMessage::text("cust-0001", "1234567", "hi");
    assert_eq!(
        *api_error(client.send_message(&late).await).code(),
        BizResultCode::RoomEnded
    );
    assert_eq!(
        *api_error(client.end_room(end).await).code(),
        BizResultCode::RoomEnded,
        "a -700 on a first attempt is the caller's to know"
    );
    // An ended room no longer blocks opening another for the customer.
    let next = client.open_room(OpenRoom::new("cust-0001")).await.unwrap();
    assert_eq!(next.room_id, happytalk_mock::FIRST_ROOM.to_string());
    mock.assert_no_violations();
}

/// The -90x refusals of an open are scripted per customer, with the notice.
#[tokio::test]
async fn refusals_of_an_open_are_scripted_per_customer_with_the_notice() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    mock.on(Match::customer("cust-0009"))
        .once()
        .reply(Reply::counselling(
            BizResultCode::OutsideHoursNotAccepted,
            "지금은 상담 시간이 아닙니다.",
        ));
    let refused = api_error(client.open_room(OpenRoom::new("cust-0009")).await);
    assert!(refused.code().counselling_unavailable());
    assert_eq!(refused.notice(), Some("지금은 상담 시간이 아닙니다."));
    let raw = mock.received().last().unwrap().body.clone().unwrap();
    assert_eq!(
        raw,
        json!({"uuid": "cust-0009"}),
        "absent fields are not sent"
    );
    assert!(mock.rooms().is_empty(), "no room was opened");
    mock.assert_no_violations();
}

/// The previous counsellor is set per customer; by default there is none.
#[tokio::test]
async fn the_previous_counsellor_is_set_per_customer() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    mock.set_previous_counselor(
        "cust-0001",
        CounselorAvailability::Available,
        Some("김상담"),
    );
    let previous = client
        .check_previous_counselor("cust-0001", "member-1")
        .await
        .unwrap();
    assert!(previous.is_available());
    assert_eq!(previous.name.as_deref(), Some("김상담"));
    let none = client
        .check_previous_counselor("cust-0002", "member-2")
        .await
        .unwrap();
    assert_eq!(
        (none.availability, none.name),
        (CounselorAvailability::Unavailable, None)
    );
    mock.assert_no_violations();
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_refused_as_documented() {
    let mock = MockHappyTalk::start().await;
    let wrong = Client::builder(
        mock.environment(),
        Credentials::new("mock-client-id", "not-the-secret"),
    )
    .retry(RetryPolicy::none())
    .build()
    .unwrap();
    let refused = api_error(wrong.send_message(&text()).await);
    assert_eq!(*refused.code(), BizResultCode::Unauthorized);
    let refused = api_error(wrong.system_messages("k").await);
    assert_eq!(*refused.code(), KakaoResultCode::Forbidden);

    let received = mock.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].violations,
        ["HT-Client-Secret is not the one this mock accepts"]
    );
    // No credentials at all: both headers are named.
    let bare = reqwest_client()
        .post(format!("{}/v1/chat/write", mock.uri()))
        .json(&json!({"uuid": "cust-0001", "room_id": "1234567", "type": "text", "msg": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.json::<Value>().await.unwrap()["code"], -500);
    let received = mock.received();
    assert_eq!(
        received[2].violations,
        ["HT-Client-Id is missing", "HT-Client-Secret is missing"]
    );
    let shown = format!("{received:?}");
    assert!(
        !shown.contains("not-the-secret"),
        "the secret is redacted: {shown}"
    );
    assert!(shown.contains("<redacted>"));
}

#[tokio::test]
async fn the_chat_body_is_checked_field_by_field() {
    let mock = MockHappyTalk::start().await;
    mock.add_room("cust-0001", "1");
    let raw = reqwest_client();
    for (body, code, field) in [
        (
            json!({"room_id": "1", "type": "text", "msg": "hi"}),
            -801,
            Some("uuid"),
        ),
        (
            json!({"uuid": "abc", "room_id": "1", "type": "text", "msg": "hi"}),
            -802,
            Some("uuid"),
        ),
        (
            json!({"uuid": "cust-0001", "room_id": "1".repeat(31), "type": "text", "msg": "hi"}),
            -802,
            Some("room_id"),
        ),
        (
            json!({"uuid": "cust-0001", "room_id": "1", "type": "sms", "msg": "hi"}),
            -800,
            Some("type"),
        ),
        (
            json!({"uuid": "cust-0001", "room_id": "1", "type": "text"}),
            -801,
            Some("msg"),
        ),
        (
            json!({"uuid": "cust-0001", "room_id": "1", "type": "text", "msg": "가".repeat(1001)}),
            -802,
            Some("msg"),
        ),
        (
            json!({"uuid": "cust-0001", "room_id": "1", "type": "image", "msg": "hi"}),
            -801,
            Some("url"),
        ),
        (json!(["not", "an", "object"]), -800, None),
    ] {
        let answer = post(&raw, &mock, body.to_string()).await;
        assert_eq!(answer["code"], code, "{body}");
        assert_eq!(answer["field"].as_str(), field, "{body}");
    }
    // 1000 Hangul characters are fine: lengths count characters.
    let ok = json!({"uuid": "cust-0001", "room_id": "1", "type": "text", "msg": "가".repeat(1000)});
    assert_eq!(post(&raw, &mock, ok.to_string()).await["code"], 0);
    let garbage = post(&raw, &mock, "{not json".to_owned()).await;
    assert_eq!(garbage["code"], -800);
    let huge = post(&raw, &mock, "x".repeat(200_000)).await;
    assert_eq!(huge["code"], -802);
    let violations: usize = mock.received().iter().map(|r| r.violations.len()).sum();
    assert_eq!(violations, 10);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_documented_style_answers() {
    let mock = MockHappyTalk::start().await;
    let raw = reqwest_client();
    let answer = raw
        .get(format!("{}/v2/nothing", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["code"], -400);
    let answer = raw
        .delete(format!("{}/kakaoWebhook/v3/bzmc/sm", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 405);
    // RFC 9110: a 405 names the methods the resource has.
    assert_eq!(
        answer.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    assert_eq!(answer.json::<Value>().await.unwrap()["code"], "403");
    // A rule for the operation at that path is not for another method of it.
    mock.on(Match::operation(&operations::SEND_MESSAGE))
        .once()
        .reply(Reply::code(BizResultCode::SystemError));
    let answer = raw
        .get(format!("{}/v1/chat/write", mock.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 405);
    assert_eq!(
        answer.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(answer.json::<Value>().await.unwrap()["code"], -400);
    let received = mock.received();
    assert_eq!(received.len(), 3);
    assert_eq!(
        received[1].violations,
        ["DELETE is not a method of /kakaoWebhook/v3/bzmc/sm (GET)"]
    );
    assert_eq!(received[1].operation, None, "no operation of the spec");
    // The rule is still there for the operation itself.
    let client = Client::new(mock.environment(), mock.credentials()).unwrap();
    let refused = api_error(client.send_message(&text()).await);
    assert_eq!(
        *refused.code(),
        BizResultCode::SystemError,
        "the scripted answer, kept for the POST"
    );
}

#[tokio::test]
async fn system_messages_come_from_the_store() {
    let mock = MockHappyTalk::start().await;
    mock.add_docs_example();
    let stopped: types::SystemMessage =
        serde_json::from_value(json!({"id": 176, "name": "stopped", "status": "T"})).unwrap();
    mock.add_system_message("example-senderKey", stopped);
    let client = client(&mock);

    let active = client.system_messages("example-senderKey").await.unwrap();
    assert_eq!(
        active.iter().map(|m| m.id).collect::<Vec<_>>(),
        [175],
        "active ones only"
    );
    let one = client
        .system_message("example-senderKey", 176)
        .await
        .unwrap();
    assert_eq!(one.map(|m| m.id), Some(176));
    let missing = api_error(client.system_message("example-senderKey", 9).await);
    assert_eq!(*missing.code(), KakaoResultCode::DataNotFound);
    let unknown = api_error(client.system_messages("nobody").await);
    assert_eq!(*unknown.code(), KakaoResultCode::InvalidSenderProfile);
    mock.add_sender_key("empty");
    assert_eq!(client.system_messages("empty").await.unwrap(), []);
    assert_eq!(mock.requests_for_sender_key("example-senderKey").len(), 3);
    mock.assert_no_violations();
}

#[tokio::test]
async fn a_script_fails_twice_then_the_documented_answer_returns() {
    let mock = MockHappyTalk::start().await;
    mock.add_docs_example();
    mock.on(Match::sender_key("example-senderKey"))
        .times(2)
        .reply(Reply::html(503, "<html>busy</html>"));
    let retrying = Client::builder(mock.environment(), mock.credentials())
        .retry(RetryPolicy::standard().backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();
    let found = retrying.system_messages("example-senderKey").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(mock.requests_for_sender_key("example-senderKey").len(), 3);
}

#[tokio::test]
async fn scripts_answer_codes_notices_and_broken_answers() {
    let mock = MockHappyTalk::start().await;
    mock.add_room("cust-0001", "1234567");
    let client = client(&mock);

    mock.on(Match::room("1234567")).once().reply(
        Reply::code(BizResultCode::ParameterLength)
            .field("msg")
            .status(400),
    );
    let refused = api_error(client.send_message(&text()).await);
    assert_eq!(
        (refused.code(), refused.field(), refused.status().as_u16()),
        (
            &ResultCode::from(BizResultCode::ParameterLength),
            Some("msg"),
            400
        )
    );

    mock.on(Match::operation(&operations::SEND_MESSAGE))
        .once()
        .reply(Reply::counselling(
            BizResultCode::OutsideHoursNotAccepted,
            "근무 시간 외 안내",
        ));
    let notice = api_error(client.send_message(&text()).await);
    assert_eq!(*notice.code(), BizResultCode::OutsideHoursNotAccepted);
    assert_eq!(notice.notice(), Some("근무 시간 외 안내"));
    let received = mock.received();
    assert_eq!(received.len(), 2);

    for (reply, what) in [
        (Reply::html(502, "<html>Bad Gateway</html>"), "an HTML page"),
        (Reply::empty(200), "an empty body"),
        (
            Reply::truncated(json!({"code": 0, "room_id": "1234567", "message": ""})),
            "a truncated body",
        ),
    ] {
        mock.on(Match::Any).once().reply(reply);
        let error = client.send_message(&text()).await.unwrap_err();
        assert!(
            matches!(error, Error::UndecodableResponse(_) | Error::Transport(_)),
            "{what}: {error:?}"
        );
    }

    mock.on(Match::Any).once().reply(Reply::drop_connection());
    let dropped = client.send_message(&text()).await.unwrap_err();
    assert!(matches!(dropped, Error::Transport(_)), "{dropped:?}");

    mock.on(Match::Any)
        .once()
        .reply(Reply::code(BizResultCode::Success).delay(Duration::from_secs(5)));
    let impatient = Client::builder(mock.environment(), mock.credentials())
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let slow = impatient.send_message(&text()).await.unwrap_err();
    assert!(
        matches!(&slow, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout),
        "{slow:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "did not wait for the delay"
    );

    // Every rule is used up: the documented answer is back.
    assert_eq!(client.send_message(&text()).await.unwrap(), "1234567");
    mock.assert_no_violations();
}

/// Every code of the generated tables can be answered, and comes back through happytalk-ext
/// as that code (success codes as success).
#[tokio::test]
async fn every_known_code_of_the_tables_comes_back_as_itself() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    for code in BizResultCode::KNOWN_VALUES {
        mock.on(Match::Any)
            .once()
            .reply(Reply::code(BizResultCode::from(code)));
        let outcome = client.send_message(&text()).await;
        if code == 0 {
            assert_eq!(outcome.unwrap(), "1234567");
        } else {
            let api = api_error(outcome);
            assert_eq!(*api.code(), BizResultCode::from(code), "{code}");
            assert!(api.code().is_known(), "{code}");
            assert_eq!(api.message(), api.code().documented_message(), "{code}");
        }
    }
    for code in KakaoResultCode::KNOWN_VALUES {
        mock.on(Match::Any)
            .once()
            .reply(Reply::code(KakaoResultCode::from(code)));
        let outcome = client.system_messages("k").await;
        if code == "200" {
            // A scripted success answers the spec's `success` example: the docs' message 175.
            let ids: Vec<i64> = outcome.unwrap().iter().map(|message| message.id).collect();
            assert_eq!(ids, [175]);
        } else {
            let api = api_error(outcome);
            assert_eq!(*api.code(), KakaoResultCode::from(code), "{code}");
            assert!(api.code().is_known(), "{code}");
            let expected = api.code().documented_message().or(api.code().meaning());
            assert_eq!(api.message(), expected, "{code}");
        }
    }
    // And an undocumented one, under any status.
    mock.on(Match::Any)
        .once()
        .reply(Reply::code(BizResultCode::from(-4242)).status(418));
    let api = api_error(client.send_message(&text()).await);
    assert_eq!(
        (api.code().is_known(), api.raw_code(), api.status().as_u16()),
        (false, "-4242", 418)
    );
}

#[tokio::test]
async fn it_listens_on_a_given_port_and_stops_when_dropped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = MockHappyTalk::builder()
        .port(port)
        .credentials("my-id", "my-secret")
        .start()
        .await
        .unwrap();
    assert_eq!(mock.uri(), format!("http://127.0.0.1:{port}"));
    assert_eq!(mock.credentials().client_id(), "my-id");
    mock.add_room("cust-0001", "1234567");
    assert_eq!(
        client(&mock).send_message(&text()).await.unwrap(),
        "1234567"
    );
    let environment: Environment = mock.environment();
    drop(mock);
    tokio::task::yield_now().await;
    let gone = Client::builder(environment, Credentials::new("my-id", "my-secret"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .send_message(&text())
        .await
        .unwrap_err();
    assert!(
        matches!(&gone, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{gone:?}"
    );
}

fn reqwest_client() -> happytalk_ext::reqwest::Client {
    happytalk_ext::reqwest::Client::new()
}

/// A raw POST of `body` with the mock's credentials; the answer's JSON.
async fn post(
    client: &happytalk_ext::reqwest::Client,
    mock: &MockHappyTalk,
    body: String,
) -> Value {
    client
        .post(format!("{}/v1/chat/write", mock.uri()))
        .header("HT-Client-Id", happytalk_mock::DEFAULT_CLIENT_ID)
        .header("HT-Client-Secret", happytalk_mock::DEFAULT_CLIENT_SECRET)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// progenitor's generated httpmock helpers stub an operation with the spec's types, and
/// happytalk-ext is answered by the stub. (httpmock's `mock` blocks: a plain test, with the
/// client on its own runtime.)
#[test]
fn the_generated_httpmock_helpers_stub_an_operation() {
    use happytalk_mock::httpmock::biz::MockServerExt;

    let server = ::httpmock::MockServer::start();
    let request = types::ChatMessageRequest {
        uuid: "cust-0001".try_into().unwrap(),
        room_id: "1234567".try_into().unwrap(),
        type_: happytalk_api::ChatMessageType::Text,
        msg: Some("안녕하세요".try_into().unwrap()),
        url: None,
    };
    let answer = types::ChatMessageResult {
        code: BizResultCode::Success,
        room_id: Some(types::ResultRoomId::String("1234567".to_owned())),
        message: Some(String::new()),
        content: None,
        field: None,
        type_: None,
        uuid: None,
    };
    let stub = server.send_message(|when, then| {
        when.body(&request);
        then.success(200, &answer);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let room = runtime.block_on(async {
        let base = server.base_url();
        Client::builder(
            Environment::custom(&base).unwrap(),
            Credentials::new("id", "secret"),
        )
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .send_message(&text())
        .await
    });
    assert_eq!(room.unwrap(), "1234567");
    stub.assert();
}

/// A rule can name an operation and a customer together, and answer with any generated answer
/// type: only that customer's sends get it; the other customer's and the same customer's other
/// operations are answered as usual.
#[tokio::test]
async fn a_rule_matches_an_operation_for_one_customer_and_answers_a_generated_type() {
    let mock = MockHappyTalk::start().await;
    mock.add_room("cust-0001", "1234567");
    mock.add_room("cust-0002", "7654321");
    let answer = types::ChatMessageResult {
        code: BizResultCode::SystemError,
        room_id: None,
        message: Some("System".to_owned()),
        field: None,
        uuid: None,
        type_: None,
        content: None,
    };
    mock.on(Match::operation(&operations::SEND_MESSAGE).and(Match::customer("cust-0001")))
        .once()
        .reply(Reply::answer(&answer));
    let client = client(&mock);
    let refused = api_error(client.send_message(&text()).await);
    assert_eq!(*refused.code(), BizResultCode::SystemError);
    assert_eq!(refused.message(), Some("System"));
    let other = ChatMessage::text("cust-0002", "7654321", "안녕하세요");
    assert_eq!(client.send_message(&other).await.unwrap(), "7654321");
    // Used once: the same send now reaches the room.
    assert_eq!(client.send_message(&text()).await.unwrap(), "1234567");
}
