//! The counselling-room flow through happytalk-ext against local servers: what goes on the
//! wire for an open, an end and the previous-counsellor check, what is refused before it, what
//! comes back, and what a retry may and may not do for each.

use std::time::Duration;

use happytalk_ext::{
    BizResultCode, Client, CounselorAvailability, EndRoom, EndType, Error, OpenRoom, PhoneOs,
    RetryPolicy, RoomEnding, Rule, TransportErrorKind,
};
use happytalk_mock::{Match, MockHappyTalk, Reply};
use happytalk_tests::{
    CLIENT_SECRET, ReceivedRequest, client_for, fixture, header, server_answering,
    server_answering_with,
};
use serde_json::json;

async fn only_request(server: &wiremock::MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "exactly one request");
    received.remove(0)
}

/// Every optional field of an open, as the builder takes them: Ints go out as JSON integers,
/// the force flag as `T`, the parameters by number, and absent fields not at all.
#[tokio::test]
async fn an_open_goes_out_with_exactly_the_fields_given() {
    let server = server_answering(200, &fixture("room/open-success.json")).await;
    let room = OpenRoom::new("cust-0001")
        .site_uid("member-42")
        .category_id(3)
        .division_id(7)
        .title("배송 문의")
        .phone_os(PhoneOs::Android)
        .phone_model("SM-S918N")
        .phone_os_ver("14")
        .phone_telecomm("SKT")
        .app_hash("com.example.app")
        .order_number("ORD-2026-0001")
        .product_number("P-77")
        .parcel_number("6001-2345-6789")
        .parcel_company_type("01")
        .parcel_company_code("CJ")
        .parameter(1, "vip")
        .parameter(10, "app")
        .is_room_create_force(true);
    let opened = client_for(&server.uri()).open_room(room).await.unwrap();
    assert_eq!(opened.room_id, "1234567");
    assert_eq!(opened.counselor_name.as_deref(), Some("김상담"));
    assert_eq!(
        opened.notice.as_deref(),
        Some("상담이 시작되었습니다. 무엇을 도와드릴까요?")
    );
    let request = only_request(&server).await;
    assert_eq!(header(&request, "ht-client-secret"), Some(CLIENT_SECRET));
    insta::assert_yaml_snapshot!("open_full", ReceivedRequest::from_wiremock(&request));

    // Only the customer: nothing else goes out.
    let server = server_answering(200, &fixture("room/open-success.json")).await;
    client_for(&server.uri())
        .open_room(OpenRoom::new("cust-0001"))
        .await
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(body, json!({"uuid": "cust-0001"}));
}

/// Values the spec refuses never reach the wire; the error names the field, the rule and what
/// was given (the length only, for personal data).
#[tokio::test]
async fn an_open_that_breaks_the_spec_is_refused_before_the_wire() {
    let server = server_answering(200, &fixture("room/open-success.json")).await;
    let client = client_for(&server.uri());
    let refused = |result: Result<happytalk_ext::OpenedRoom, Error>| match result {
        Err(Error::Validation(invalid)) => invalid,
        other => panic!("a validation error, got {other:?}"),
    };
    let short = refused(client.open_room(OpenRoom::new("abc")).await);
    assert_eq!(
        short.to_string(),
        "`uuid` must be 5 to 20 characters; got 3 characters (\"abc\")"
    );
    let title = refused(
        client
            .open_room(OpenRoom::new("cust-0001").title("가".repeat(101)))
            .await,
    );
    assert_eq!(
        (title.field(), title.rule()),
        ("title", &Rule::AtMost { max: 100 })
    );
    let number = refused(
        client
            .open_room(OpenRoom::new("cust-0001").parameter(11, "x"))
            .await,
    );
    assert_eq!(
        number.to_string(),
        "`parameter` is numbered 1 to 10; got \"11\""
    );
    let private = refused(
        client
            .open_room(OpenRoom::new("cust-0001").parameter(2, "주민번호-900101-1234567-ab"))
            .await,
    );
    assert_eq!(
        private.to_string(),
        "`parameter2` must be at most 20 characters; got 22 characters",
        "a parameter is personal data: never quoted"
    );
    // The first value refused is the one reported, however many follow.
    let first = refused(
        client
            .open_room(
                OpenRoom::new("cust-0001")
                    .phone_model("x".repeat(21))
                    .title("가".repeat(101)),
            )
            .await,
    );
    assert_eq!(first.field(), "phone_model");
    assert_eq!(Error::from(first).attempts(), 0, "nothing was sent");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

/// A -90x refusal of an open is the same `Error::Api` as for a send, whatever the status: the
/// notice the customer was shown, and no room.
#[tokio::test]
async fn a_refused_open_is_an_api_error_with_the_notice_and_no_room() {
    for status in [200, 400, 503] {
        let server = server_answering(status, &fixture("room/open-901-consulting.json")).await;
        let error = client_for(&server.uri())
            .open_room(OpenRoom::new("cust-0001"))
            .await
            .unwrap_err();
        let Error::Api(refused) = error else {
            panic!("{status}: {error:?}")
        };
        assert_eq!(*refused.code(), BizResultCode::OutsideHoursNotAccepted);
        assert!(refused.code().counselling_unavailable());
        assert_eq!(
            refused.notice(),
            Some("지금은 상담 시간이 아닙니다. 평일 09:00~18:00에 문의해 주세요.")
        );
        assert_eq!(refused.operation(), "open_room");
        assert_eq!(refused.status().as_u16(), status);
        assert_eq!(refused.attempts(), 1, "a refusal is never retried");
    }
}

async fn mock() -> MockHappyTalk {
    MockHappyTalk::builder()
        .credentials(happytalk_tests::CLIENT_ID, CLIENT_SECRET)
        .start()
        .await
        .unwrap()
}

/// A duplicate open would open a second room: once a byte may have left, an open is never
/// sent again, even with retries on.
#[tokio::test]
async fn an_open_that_may_have_left_is_never_sent_twice() {
    let mock = mock().await;
    let client = client_for(&mock.uri());
    mock.on(Match::Any).once().reply(Reply::drop_connection());
    let dropped = client
        .open_room(OpenRoom::new("cust-0001"))
        .await
        .unwrap_err();
    assert!(matches!(&dropped, Error::Transport(_)), "{dropped:?}");
    assert_eq!(dropped.attempts(), 1);
    mock.on(Match::Any)
        .once()
        .reply(Reply::html(503, "<html>busy</html>"));
    let busy = client
        .open_room(OpenRoom::new("cust-0001"))
        .await
        .unwrap_err();
    assert!(matches!(&busy, Error::UndecodableResponse(_)), "{busy:?}");
    assert_eq!(busy.attempts(), 1);
    assert_eq!(mock.received().len(), 2, "one request per call");
    assert!(mock.rooms().is_empty());
}

/// Ending is safe to repeat: retried like a read. A -700 (EndRoom) answered to a retry, after
/// an attempt that may have arrived, counts as ended; a -700 to the first attempt is the
/// caller's to know.
#[tokio::test]
async fn an_end_is_retried_and_an_ended_room_found_on_retry_counts_as_ended() {
    let mock = mock().await;
    mock.add_room("cust-0001", "1234567");
    let client = Client::builder(mock.environment(), happytalk_tests::credentials())
        .retry(
            RetryPolicy::standard().backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    // The first attempt's connection drops after the request went out; the retry finds the
    // room ended (as if the first attempt had ended it).
    mock.on(Match::room("1234567"))
        .once()
        .reply(Reply::drop_connection());
    mock.on(Match::room("1234567"))
        .once()
        .reply(Reply::code(BizResultCode::RoomEnded));
    let ending = client
        .end_room(EndRoom::new("cust-0001", "1234567").end_type(EndType::Counselor))
        .await
        .unwrap();
    assert_eq!(ending, RoomEnding::AlreadyEndedOnRetry);
    assert_eq!(mock.received().len(), 2);

    // A failure worth retrying, then the real end.
    mock.on(Match::room("1234567"))
        .once()
        .reply(Reply::html(502, "<html>Bad Gateway</html>"));
    let ending = client
        .end_room(EndRoom::new("cust-0001", "1234567"))
        .await
        .unwrap();
    assert_eq!(ending, RoomEnding::Ended);
    assert!(mock.room("1234567").unwrap().ended);

    // Ended before this call: an error, not a success.
    let again = client
        .end_room(EndRoom::new("cust-0001", "1234567"))
        .await
        .unwrap_err();
    let Error::Api(refused) = again else {
        panic!("{again:?}")
    };
    assert_eq!(
        (
            *refused.code() == BizResultCode::RoomEnded,
            refused.attempts()
        ),
        (true, 1)
    );
    let body = mock.received()[0].body.clone().unwrap();
    assert_eq!(
        body,
        json!({"uuid": "cust-0001", "room_id": "1234567", "end_type": 0}),
        "end_type goes out as an integer"
    );
}

/// The previous counsellor's availability is a typed value, documented or not; the check only
/// reads, so what may pass on a second try is retried.
#[tokio::test]
async fn the_previous_counsellor_is_a_typed_availability() {
    for (fixture_name, availability, name) in [
        (
            "room/counselor-exist.json",
            CounselorAvailability::Available,
            Some("김상담"),
        ),
        (
            "room/counselor-not-exist.json",
            CounselorAvailability::Unavailable,
            None,
        ),
        (
            "room/counselor-error.json",
            CounselorAvailability::Failed,
            None,
        ),
    ] {
        let server = server_answering(200, &fixture(fixture_name)).await;
        let previous = client_for(&server.uri())
            .check_previous_counselor("cust-0001", "member-42")
            .await
            .unwrap();
        assert_eq!(previous.availability, availability, "{fixture_name}");
        assert_eq!(previous.name.as_deref(), name, "{fixture_name}");
        assert_eq!(
            previous.is_available(),
            availability == CounselorAvailability::Available
        );
        let request = only_request(&server).await;
        assert_eq!(request.url.path(), "/v1/chat/isCounselor");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
            json!({"uuid": "cust-0001", "customer_id": "member-42"})
        );
    }
    let server = server_answering(200, &fixture("room/counselor-undocumented.json")).await;
    let previous = client_for(&server.uri())
        .check_previous_counselor("cust-0001", "member-42")
        .await
        .unwrap();
    assert!(!previous.availability.is_known());
    assert_eq!(previous.availability.value(), 7, "kept as it came");
    assert!(!previous.is_available());

    // Retried like a lookup: an outage page, then the answer.
    let mock = mock().await;
    mock.on(Match::Any)
        .once()
        .reply(Reply::html(503, "<html>busy</html>"));
    let client = Client::builder(mock.environment(), happytalk_tests::credentials())
        .retry(
            RetryPolicy::standard().backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let previous = client
        .check_previous_counselor("cust-0001", "member-42")
        .await
        .unwrap();
    assert_eq!(previous.availability, CounselorAvailability::Unavailable);
    assert_eq!(mock.received().len(), 2);
    let slow = server_answering_with(200, "application/json", "{}", Duration::from_secs(5)).await;
    let impatient = Client::builder(
        happytalk_ext::Environment::custom(&slow.uri()).unwrap(),
        happytalk_tests::credentials(),
    )
    .retry(RetryPolicy::none())
    .timeout(Duration::from_millis(200))
    .build()
    .unwrap();
    let timed_out = impatient
        .check_previous_counselor("cust-0001", "member-42")
        .await
        .unwrap_err();
    assert!(matches!(&timed_out, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout));
}
