//! KakaoTalk counselling (카카오 상담톡) through happytalk-ext against the mock's KakaoTalk
//! channel: a customer writes, is answered with a text, an image and a file, and the session
//! ends; what goes on the wire; the refusals a caller meets (-502, -504, -511) with their
//! meanings; what is refused before the wire; and what a retry may do for each call.

use std::time::Duration;

use happytalk_api::operations;
use happytalk_api::requests::{KakaoBlockUser, KakaoUnblockUser};
use happytalk_ext::{
    Client, CounselResultCode, Error, FileContent, KakaoCustomer, KakaoMessage, KakaoResultCode,
    KakaoSessionEnding, ResultCode, RetryPolicy, Rule,
};
use happytalk_mock::{Match, MockHappyTalk, Reply};
use serde_json::{Value, json};

const SENDER_KEY: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const USER_KEY: &str = "kakao-user-0001";

fn customer() -> KakaoCustomer {
    KakaoCustomer::new(SENDER_KEY, USER_KEY)
}

/// A client of `mock` whose retries wait milliseconds.
fn client(mock: &MockHappyTalk) -> Client {
    Client::builder(mock.environment(), mock.credentials())
        .retry(RetryPolicy::standard().backoff(Duration::from_millis(5), Duration::from_millis(10)))
        .build()
        .unwrap()
}

/// The bodies of the sends the mock received, in order.
fn sends(mock: &MockHappyTalk) -> Vec<Value> {
    mock.received()
        .into_iter()
        .filter(|request| request.operation == Some(operations::KAKAO_SEND_MESSAGE.id))
        .filter_map(|request| request.body)
        .collect()
}

#[tokio::test]
async fn a_customer_is_answered_with_a_text_an_image_and_a_file_and_the_session_ends() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    let session_id = mock.open_kakao_session(SENDER_KEY, USER_KEY);

    let text = client
        .kakao_send(
            &customer(),
            KakaoMessage::text("안녕하세요, 무엇을 도와드릴까요?").serial_number("order-1"),
        )
        .await
        .unwrap();
    assert_eq!(text.serial_number, "order-1");
    assert_eq!(text.created_at.as_deref(), Some("2022-06-07T11:56:54.461"));

    // Bytes that a text decoding would change: they must arrive exactly.
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"
        .iter()
        .copied()
        .cycle()
        .take(4096)
        .collect();
    let image = client
        .kakao_send(
            &customer(),
            KakaoMessage::image(FileContent::new("사진.png", png.clone())).serial_number("order-2"),
        )
        .await
        .unwrap();
    let image_url = image.media_url.clone().expect("the upload's URL");
    let stored = mock
        .kakao_media(&image_url)
        .expect("the mock stored the upload");
    assert_eq!(stored.bytes.as_ref(), png.as_slice());
    assert_eq!(stored.file_name.as_deref(), Some("사진.png"));
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));

    let pdf = b"%PDF-1.7\n\x00binary\n%%EOF".to_vec();
    let file = client
        .kakao_send(
            &customer(),
            KakaoMessage::file(FileContent::new("receipt.pdf", pdf.clone()))
                .serial_number("order-3"),
        )
        .await
        .unwrap();
    let file_url = file.media_url.clone().expect("the upload's URL");
    assert_eq!(
        mock.kakao_media(&file_url).unwrap().bytes.as_ref(),
        pdf.as_slice()
    );

    // What went on the wire: each send once, the media by the URLs the uploads answered.
    let sent = sends(&mock);
    assert_eq!(
        sent,
        [
            json!({"user_key": USER_KEY, "sender_key": SENDER_KEY, "serial_number": "order-1",
                   "message_type": "TX", "message": "안녕하세요, 무엇을 도와드릴까요?"}),
            json!({"user_key": USER_KEY, "sender_key": SENDER_KEY, "serial_number": "order-2",
                   "message_type": "IM", "image_url": image_url}),
            json!({"user_key": USER_KEY, "sender_key": SENDER_KEY, "serial_number": "order-3",
                   "message_type": "FI", "file_url": file_url, "file_name": "receipt.pdf",
                   "file_size": pdf.len()}),
        ]
    );
    let upload = mock
        .received()
        .into_iter()
        .find(|request| request.operation == Some(operations::KAKAO_UPLOAD_FILE.id))
        .unwrap();
    assert_eq!(
        upload.body,
        Some(json!({"sender_key": SENDER_KEY, "file": "receipt.pdf", "file_type": "file"}))
    );
    assert!(
        upload
            .headers
            .get("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );

    let ended = client.kakao_end(&customer(), None).await.unwrap();
    assert_eq!(
        ended,
        KakaoSessionEnding::Ended {
            session_id: Some(session_id)
        }
    );
    assert!(mock.kakao_session(SENDER_KEY, USER_KEY).unwrap().ended);
    mock.assert_no_violations();
}

#[tokio::test]
async fn a_message_without_a_serial_number_gets_a_fresh_one_and_says_which() {
    let mock = MockHappyTalk::start().await;
    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    let client = client(&mock);
    let first = client
        .kakao_send(&customer(), KakaoMessage::text("하나"))
        .await
        .unwrap();
    let second = client
        .kakao_send(&customer(), KakaoMessage::text("둘"))
        .await
        .unwrap();
    assert_ne!(first.serial_number, second.serial_number);
    let sent: Vec<Value> = sends(&mock)
        .into_iter()
        .map(|body| body["serial_number"].clone())
        .collect();
    assert_eq!(
        sent,
        [json!(first.serial_number), json!(second.serial_number)]
    );
}

/// The refusals of a send, each a named code with its meaning, and none retried (the message
/// may have reached the customer).
#[tokio::test]
async fn no_session_a_used_serial_and_a_blocked_customer_are_named_refusals() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    let refused = |result: Result<_, Error>| match result {
        Err(Error::Api(refused)) => refused,
        other => panic!("{other:?}"),
    };

    // The customer has not written: no session.
    let none = refused(
        client
            .kakao_send(&customer(), KakaoMessage::text("안녕하세요"))
            .await,
    );
    assert_eq!(*none.code(), CounselResultCode::SessionOver);
    assert_eq!(
        none.code().meaning(),
        CounselResultCode::SessionOver.meaning()
    );
    assert!(none.code().meaning().unwrap().contains("session is over"));
    assert_eq!(none.attempts(), 1);

    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    client
        .kakao_send(
            &customer(),
            KakaoMessage::text("첫 메시지").serial_number("same"),
        )
        .await
        .unwrap();
    let twice = refused(
        client
            .kakao_send(
                &customer(),
                KakaoMessage::text("다시").serial_number("same"),
            )
            .await,
    );
    assert_eq!(*twice.code(), CounselResultCode::DuplicateSerialNumber);
    assert_eq!(twice.message(), Some("DuplicateSerialNumberException"));

    client
        .call(KakaoBlockUser::new(USER_KEY, SENDER_KEY))
        .await
        .unwrap();
    assert!(mock.kakao_blocked(SENDER_KEY, USER_KEY));
    let blocked = refused(
        client
            .kakao_send(&customer(), KakaoMessage::text("차단됨"))
            .await,
    );
    assert_eq!(*blocked.code(), CounselResultCode::BlockedUser);
    client
        .call(KakaoUnblockUser::new(USER_KEY, SENDER_KEY))
        .await
        .unwrap();
    client
        .kakao_send(&customer(), KakaoMessage::text("다시 연결"))
        .await
        .unwrap();
    // One request per send: none was repeated.
    assert_eq!(sends(&mock).len(), 5);
}

#[tokio::test]
async fn bad_values_are_refused_before_anything_is_sent() {
    let mock = MockHappyTalk::start().await;
    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    let client = client(&mock);
    let refused = |result: Result<_, Error>| match result {
        Err(Error::Validation(refused)) => refused,
        other => panic!("{other:?}"),
    };
    // The image limit the docs state (5 MB), checked before the upload.
    let large = FileContent::new("large.jpg", vec![0u8; 5 * 1024 * 1024 + 1]);
    let too_large = refused(
        client
            .kakao_send(&customer(), KakaoMessage::image(large))
            .await,
    );
    assert_eq!(too_large.field(), "image");
    assert_eq!(
        too_large.rule(),
        &Rule::AtMostBytes {
            max: 5 * 1024 * 1024
        }
    );
    assert!(
        too_large.to_string().contains("5242881 bytes (large.jpg)"),
        "{too_large}"
    );
    let long = refused(
        client
            .kakao_send(&customer(), KakaoMessage::text("가".repeat(1001)))
            .await,
    );
    assert_eq!(
        (long.field(), long.rule()),
        ("message", &Rule::AtMost { max: 1000 })
    );
    let serial = refused(
        client
            .kakao_send(
                &customer(),
                KakaoMessage::text("hi").serial_number("x".repeat(31)),
            )
            .await,
    );
    assert_eq!(serial.field(), "serial_number");
    // The send's values are checked before the upload: no byte of the image leaves either.
    let image = KakaoMessage::image(FileContent::new("a.png", b"png".to_vec()))
        .serial_number("x".repeat(31));
    assert_eq!(
        refused(client.kakao_send(&customer(), image).await).field(),
        "serial_number"
    );
    let user = refused(
        client
            .kakao_send(
                &KakaoCustomer::new(SENDER_KEY, "u".repeat(21)),
                KakaoMessage::text("hi"),
            )
            .await,
    );
    assert_eq!(user.field(), "user_key");
    assert!(mock.received().is_empty(), "nothing was sent");
}

/// An end is safe to repeat: retried like a read. A -502 answered to a retry, after an attempt
/// that may have arrived, means that attempt ended the session; to a first attempt, it is the
/// caller's to know.
#[tokio::test]
async fn an_end_retried_after_it_may_have_arrived_counts_as_ended() {
    let mock = MockHappyTalk::start().await;
    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    let client = client(&mock);
    let end = Match::operation(&operations::KAKAO_END_SESSION);
    mock.on(end.clone()).once().reply(Reply::drop_connection());
    mock.on(end)
        .once()
        .reply(Reply::code(CounselResultCode::SessionOver));
    let ending = client.kakao_end(&customer(), None).await.unwrap();
    assert_eq!(ending, KakaoSessionEnding::AlreadyEndedOnRetry);
    assert_eq!(mock.received().len(), 2);

    // With a bot event, through endWithBot; a second end finds no session.
    let ended = client
        .kakao_end(&customer(), Some("start_bot"))
        .await
        .unwrap();
    assert!(matches!(
        ended,
        KakaoSessionEnding::Ended {
            session_id: Some(_)
        }
    ));
    let bot = mock.received().pop().unwrap();
    assert_eq!(bot.body.unwrap()["bot_event"], "start_bot");
    match client.kakao_end(&customer(), None).await {
        Err(Error::Api(refused)) => assert_eq!(*refused.code(), CounselResultCode::SessionOver),
        other => panic!("{other:?}"),
    }
}

/// A send whose connection dropped may have reached the customer: it is not repeated. An upload
/// is (an unused upload harms nothing).
#[tokio::test]
async fn a_send_is_never_repeated_once_it_may_have_left_and_an_upload_is() {
    let mock = MockHappyTalk::start().await;
    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    let client = client(&mock);
    mock.on(Match::operation(&operations::KAKAO_UPLOAD_IMAGE))
        .once()
        .reply(Reply::drop_connection());
    mock.on(Match::operation(&operations::KAKAO_SEND_MESSAGE))
        .once()
        .reply(Reply::drop_connection());
    let image = KakaoMessage::image(FileContent::new("a.gif", b"GIF89a".to_vec()));
    match client.kakao_send(&customer(), image).await {
        Err(Error::Transport(failed)) => assert_eq!(failed.attempts(), 1),
        other => panic!("{other:?}"),
    }
    let operations: Vec<_> = mock
        .received()
        .into_iter()
        .map(|r| r.operation.unwrap())
        .collect();
    assert_eq!(
        operations,
        [
            operations::KAKAO_UPLOAD_IMAGE.id,
            operations::KAKAO_UPLOAD_IMAGE.id,
            operations::KAKAO_SEND_MESSAGE.id
        ]
    );
}

/// In this family a code arrives as an integer or as a string of one: both are the same code,
/// and an upload's `"0000"` is the success.
#[tokio::test]
async fn a_code_as_a_number_or_as_a_string_is_the_same_code() {
    for (given, code) in [
        (json!(-505), CounselResultCode::InvalidImage),
        (json!("-505"), CounselResultCode::InvalidImage),
        (json!("0000"), CounselResultCode::Success),
        (json!(0), CounselResultCode::Success),
    ] {
        assert_eq!(
            serde_json::from_value::<CounselResultCode>(given.clone()).unwrap(),
            code,
            "{given}"
        );
    }
    assert_eq!(
        serde_json::from_value::<KakaoResultCode>(json!(200)).unwrap(),
        KakaoResultCode::Success
    );
    assert!(serde_json::from_value::<CounselResultCode>(json!("OK")).is_err());

    // Over the wire: an upload refused with a string code is the named refusal.
    let mock = MockHappyTalk::start().await;
    mock.open_kakao_session(SENDER_KEY, USER_KEY);
    mock.on(Match::operation(&operations::KAKAO_UPLOAD_IMAGE))
        .reply(Reply::json(
            200,
            json!({"code": "-505", "message": "InvalidImageSizeException"}),
        ));
    let image = KakaoMessage::image(FileContent::new("a.png", b"not a png".to_vec()));
    match client(&mock).kakao_send(&customer(), image).await {
        Err(Error::Api(refused)) => {
            assert_eq!(
                *refused.code(),
                ResultCode::from(CounselResultCode::InvalidImage)
            );
            assert_eq!(refused.message(), Some("InvalidImageSizeException"));
        }
        other => panic!("{other:?}"),
    }
}
