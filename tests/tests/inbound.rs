//! Hearing the customer: the mock posting customers' messages to happytalk-ext's receiver
//! served on loopback, what the receiver answers to good, redelivered and hostile requests, and
//! the bodies the mock posts, pinned.

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use happytalk_ext::inbound::{Callback, DuplicateFilter, InboundContent, InboundMessage};
use happytalk_ext::receiver::{HandlerError, Receiver};
use happytalk_ext::{
    ChatMessage, Client, EndRoom, KakaoCustomer, KakaoInboundType, KakaoMessage, OpenRoom,
};
use happytalk_mock::{
    Delivery, DeliveryError, KakaoDelivery, MockHappyTalk, deliver_kakao_to, deliver_to, redeliver,
};
use serde_json::{Value, json};

/// Serves `router` on a loopback port until the test ends, and gives its address.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// The whole two-way bot of the issue, test included: it answers each message in its room and
/// ends the room when the customer says 종료.
#[tokio::test]
async fn a_two_way_bot_hears_answers_and_ends_the_room() -> Result<(), Box<dyn Error>> {
    let mock = MockHappyTalk::start().await;
    let client = Client::new(mock.environment(), mock.credentials())?;
    let receiver = Receiver::with_state(client.clone(), |bot, c: Callback| async move {
        let m = biz(c);
        let (uuid, room, text) = (&m.uuid, &m.room_id, m.text());
        if text == Some("종료") {
            return bot.end_room(EndRoom::new(uuid, room)).await.map(drop);
        }
        let echo = ChatMessage::text(uuid, room, format!("받음: {}", text.unwrap_or("?")));
        bot.send_message(&echo).await.map(drop)
    });
    mock.set_receiver(&serve(receiver.into_router()).await);
    let room = client.open_room(OpenRoom::new("cust-0001")).await?.room_id;
    let heard = mock.deliver(Delivery::text(&room, "안녕")).await?;
    let answer = mock.received().pop().and_then(|r| r.chat_message?.msg);
    assert_eq!(answer.as_deref().map(String::as_str), Some("받음: 안녕"));
    let ended = mock.deliver(Delivery::text(&room, "종료")).await?;
    assert!(heard.accepted() && ended.accepted() && mock.room(&room).ok_or("no room")?.ended);
    mock.assert_no_violations();
    Ok(())
}

/// The Biz message a callback of these tests is.
fn biz(callback: Callback) -> InboundMessage {
    match callback {
        Callback::Biz(message) => message,
        other => panic!("a Biz message, not {other:?}"),
    }
}

/// A receiver that records what its handler was called with.
fn recording() -> (
    Receiver<impl RecordingHandler>,
    Arc<Mutex<Vec<InboundMessage>>>,
) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let receiver = Receiver::new(move |callback: Callback| {
        let sink = sink.clone();
        async move {
            sink.lock().unwrap().push(biz(callback));
            Ok::<_, std::convert::Infallible>(())
        }
    });
    (receiver, heard)
}

/// The handler type of [`recording`] (a closure, named by what it does).
trait RecordingHandler: Fn(Callback) -> Self::Answer + Clone + Send + Sync + 'static {
    type Answer: Future<Output = Result<(), std::convert::Infallible>> + Send + 'static;
}

impl<H, F> RecordingHandler for H
where
    H: Fn(Callback) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<(), std::convert::Infallible>> + Send + 'static,
{
    type Answer = F;
}

/// A text, an image and a file into room 1234567: the three shapes the docs show.
fn documented_shapes() -> [Delivery; 3] {
    [
        Delivery::text("1234567", "안녕하세요"),
        Delivery::image("1234567", "https://files.example.com/a.png", 640, 480),
        Delivery::file(
            "1234567",
            "영수증",
            "다운로드",
            "https://files.example.com/r.pdf",
        ),
    ]
}

/// Each shape the mock delivers is decoded into its typed content, from the room's customer,
/// with a fresh msgid each time; an unknown shape arrives whole, never refused.
#[tokio::test]
async fn each_shape_arrives_typed_from_the_rooms_customer() {
    let (receiver, heard) = recording();
    let mock = MockHappyTalk::start().await;
    mock.set_receiver(&serve(receiver.into_router()).await);
    mock.add_room("cust-0001", "1234567");
    let [text, image, file] = documented_shapes();
    let deliveries = [
        text,
        image,
        file,
        Delivery::raw(
            "1234567",
            json!({"uuid": "cust-0001", "room_id": "1234567", "type": "carousel", "msgid": "r-1",
                   "content": [{"title": "카드"}], "auto_end": "N"}),
        ),
    ];
    let mut msgids = Vec::new();
    for delivery in deliveries {
        let delivered = mock.deliver(delivery).await.unwrap();
        assert!(delivered.accepted(), "{delivered:?}");
        assert!(
            delivered.url.ends_with("/message/cust-0001"),
            "{}",
            delivered.url
        );
        msgids.push(delivered.id);
    }
    let heard = heard.lock().unwrap().clone();
    let contents: Vec<_> = heard.iter().map(|m| m.content.clone()).collect();
    assert_eq!(contents[0], InboundContent::Text("안녕하세요".to_owned()));
    assert_eq!(
        contents[1],
        InboundContent::Image {
            width: Some(640),
            height: Some(480),
            url: "https://files.example.com/a.png".to_owned()
        }
    );
    assert_eq!(
        contents[2],
        InboundContent::File {
            text: "영수증".to_owned(),
            link_name: "다운로드".to_owned(),
            url: "https://files.example.com/r.pdf".to_owned()
        }
    );
    let InboundContent::Other(whole) = &contents[3] else {
        panic!("an unknown shape is kept whole: {:?}", contents[3]);
    };
    assert_eq!(whole["content"][0]["title"], "카드");
    assert_eq!(heard[3].message_type, "carousel");
    for message in &heard {
        assert_eq!(
            (message.uuid.as_str(), message.room_id.as_str()),
            ("cust-0001", "1234567")
        );
        assert!(!message.auto_end);
    }
    assert_eq!(msgids[3], "r-1", "a raw body's own msgid");
    msgids.sort();
    msgids.dedup();
    assert_eq!(msgids.len(), 4, "a fresh msgid for each delivery");
}

/// A redelivery carries the same msgid and bytes; with the duplicate filter the handler hears
/// the message once and both are answered 200; without it, twice.
#[tokio::test]
async fn a_redelivery_is_handled_once_with_the_filter() {
    let mock = MockHappyTalk::start().await;
    mock.add_room("cust-0001", "1234567");
    for (filter, handled) in [(true, 1), (false, 2)] {
        let (mut receiver, heard) = recording();
        let caught = Arc::new(Mutex::new(Vec::new()));
        let sink = caught.clone();
        receiver = receiver.on_duplicate(move |callback| sink.lock().unwrap().push(callback.id()));
        if filter {
            receiver = receiver.skip_duplicates(DuplicateFilter::new(16, Duration::from_secs(60)));
        }
        mock.set_receiver(&serve(receiver.into_router()).await);
        let first = mock
            .deliver(Delivery::text("1234567", "두 번"))
            .await
            .unwrap();
        let again = redeliver(&first).await.unwrap();
        assert_eq!((first.status, again.status), (200, 200));
        assert_eq!(again.id, first.id);
        let heard = heard.lock().unwrap();
        assert_eq!(heard.len(), handled, "filter {filter}");
        assert!(heard.iter().all(|message| message.msgid == first.id));
        let caught = caught.lock().unwrap().clone();
        let expected = if filter {
            vec![first.id.clone()]
        } else {
            vec![]
        };
        assert_eq!(caught, expected, "the hook hears each redelivery caught");
    }
}

/// A handler that fails is answered with the failure status (503 unless chosen), and the
/// message is forgotten by the filter, so its redelivery reaches the handler again.
#[tokio::test]
async fn a_failed_handler_gets_the_failure_status_and_the_redelivery() {
    let calls = Arc::new(Mutex::new(0));
    let counter = calls.clone();
    let flaky = move |_callback: Callback| {
        let counter = counter.clone();
        async move {
            let mut calls = counter.lock().unwrap();
            *calls += 1;
            if *calls == 1 {
                Err("the database is down")
            } else {
                Ok(())
            }
        }
    };
    let filter = DuplicateFilter::new(16, Duration::from_secs(60));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let sink = failures.clone();
    let router = Receiver::new(flaky.clone())
        .skip_duplicates(filter)
        .on_failed(move |msgid, why| {
            sink.lock().unwrap().push((
                msgid.to_owned(),
                why.error().to_string(),
                why.is_permanent(),
            ))
        })
        .into_router();
    let url = serve(router).await;
    let first = deliver_to(&url, "cust-0001", Delivery::text("1234567", "안녕"))
        .await
        .unwrap();
    assert_eq!(
        (first.status, first.body.as_str()),
        (503, "the message was not handled: try again later"),
        "the sender never sees the error"
    );
    let heard_failures = failures.lock().unwrap().clone();
    assert_eq!(
        heard_failures,
        [(first.id.clone(), "the database is down".to_owned(), false)]
    );
    let again = redeliver(&first).await.unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(*calls.lock().unwrap(), 2);

    *calls.lock().unwrap() = 0;
    let url = serve(
        Receiver::new(flaky)
            .failure_status(StatusCode::INTERNAL_SERVER_ERROR)
            .into_router(),
    )
    .await;
    let chosen = deliver_to(&url, "cust-0001", Delivery::text("1234567", "안녕"))
        .await
        .unwrap();
    assert_eq!(chosen.status, 500);
}

/// Bad requests are answered 4xx with the reason, without calling the handler, and the
/// refusal hook hears each with its status.
#[tokio::test]
async fn bad_requests_are_refused_before_the_handler() {
    let (receiver, heard) = recording();
    let refusals = Arc::new(Mutex::new(Vec::new()));
    let sink = refusals.clone();
    let receiver = receiver
        .max_body(1024)
        .on_refused(move |status, why| sink.lock().unwrap().push((status, why.to_string())));
    let url = serve(receiver.into_router()).await;
    let body = |value: serde_json::Value| value.to_string().into_bytes();
    let good = json!({"uuid": "cust-0001", "room_id": "1", "type": "text", "msgid": "m",
                      "content": "x", "auto_end": "N"});
    let mut no_msgid = good.clone();
    no_msgid.as_object_mut().unwrap().remove("msgid");
    let mut bad_auto_end = good.clone();
    bad_auto_end["auto_end"] = json!(true);
    let mut big = good.clone();
    big["content"] = json!("가".repeat(400));
    let cases: [(&str, Vec<u8>, u16, &str); 6] = [
        ("cust-0001", b"<html>".to_vec(), 400, "not a JSON object"),
        ("cust-0001", b"[1, 2]".to_vec(), 400, "not a JSON object"),
        ("cust-0001", body(no_msgid), 400, "`msgid` is missing"),
        ("cust-0001", body(bad_auto_end), 400, "`auto_end`"),
        ("someone-else", body(good), 400, "\"someone-else\""),
        ("cust-0001", body(big), 413, "1024"),
    ];
    let http = happytalk_ext::reqwest::Client::new();
    for (uuid, body, status, reason) in cases {
        let answer = http
            .post(format!("{url}/message/{uuid}"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{reason}");
        let text = answer.text().await.unwrap();
        assert!(text.contains(reason), "{text:?} names {reason:?}");
    }
    assert!(
        heard.lock().unwrap().is_empty(),
        "the handler was never called"
    );
    let statuses: Vec<u16> = refusals.lock().unwrap().iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [400, 400, 400, 400, 400, 413]);

    let other_method = http
        .get(format!("{url}/message/cust-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(other_method.status().as_u16(), 405);
    assert_eq!(other_method.headers()["allow"], "POST");
    let other_path = http
        .post(format!("{url}/messages/cust-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(other_path.status().as_u16(), 404);
}

/// What the mock refuses to deliver, and an automatic end that ends the mock's room.
#[tokio::test]
async fn the_mock_delivers_only_into_its_open_rooms() {
    let mock = MockHappyTalk::start().await;
    mock.add_room("cust-0001", "1234567");
    let text = || Delivery::text("1234567", "안녕");
    assert_eq!(
        mock.deliver(text()).await.unwrap_err(),
        DeliveryError::NoReceiver
    );
    let (receiver, heard) = recording();
    mock.set_receiver(&serve(receiver.into_router()).await);
    let unknown = mock
        .deliver(Delivery::text("999", "안녕"))
        .await
        .unwrap_err();
    assert_eq!(unknown, DeliveryError::UnknownRoom("999".to_owned()));
    let anyone = mock
        .deliver(Delivery::text("999", "안녕").uuid("cust-9"))
        .await
        .unwrap();
    assert!(anyone.url.ends_with("/message/cust-9"));

    let last = mock
        .deliver(text().auto_end(true).msgid("last-1"))
        .await
        .unwrap();
    assert_eq!((last.status, last.id.as_str()), (200, "last-1"));
    assert!(heard.lock().unwrap().last().unwrap().auto_end);
    assert!(
        mock.room("1234567").unwrap().ended,
        "an automatic end ends the room"
    );
    let after = mock.deliver(text()).await.unwrap_err();
    assert_eq!(after, DeliveryError::RoomEnded("1234567".to_owned()));

    // A raw body ends the room by its own auto_end, and reports the msgid it carries: none.
    mock.add_room("cust-0002", "7654321");
    let raw = json!({"uuid": "cust-0002", "room_id": "7654321", "type": "text",
                     "content": "끝", "auto_end": "Y"});
    let ended = mock
        .deliver(Delivery::raw("7654321", raw).msgid("ignored"))
        .await
        .unwrap();
    assert_eq!(ended.id, "", "the body carried no msgid");
    assert_eq!(
        ended.status, 400,
        "a body without msgid is refused by the receiver"
    );
    assert!(mock.room("7654321").unwrap().ended);

    let closed = happytalk_tests::refused_base_url();
    let unreachable = deliver_to(&closed, "cust-0001", text()).await.unwrap_err();
    assert!(
        matches!(unreachable, DeliveryError::Transport(_)),
        "{unreachable}"
    );
}

/// The bodies the mock posts for each shape, as HappyTalk's docs show them (the spec's
/// examples, with the delivery's values).
#[tokio::test]
async fn the_bodies_the_mock_posts() {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let sink = bodies.clone();
    let router = axum::Router::new().route(
        "/hooks/{*rest}",
        axum::routing::post(move |body: String| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(body) }
        }),
    );
    let url = format!("{}/hooks/secret", serve(router).await);
    for (n, delivery) in documented_shapes().into_iter().enumerate() {
        let delivery = delivery.msgid(format!("msg-{n}")).auto_end(n == 2);
        assert_eq!(
            deliver_to(&url, "cust_0001", delivery)
                .await
                .unwrap()
                .status,
            200
        );
    }
    let bodies: Vec<serde_json::Value> = bodies
        .lock()
        .unwrap()
        .iter()
        .map(|body| serde_json::from_str(body).unwrap())
        .collect();
    insta::assert_yaml_snapshot!("inbound_bodies", bodies);
}

/// A permanent failure is answered 200 and its msgid kept, so a redelivery is not handled
/// again; a handler that panics leaves the message to its redelivery, as a failure does.
#[tokio::test]
async fn a_permanent_failure_is_taken_and_a_panic_is_retried() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let counter = calls.clone();
    let handler = move |callback: Callback| {
        let counter = counter.clone();
        async move {
            let message = biz(callback);
            let first = {
                let mut calls = counter.lock().unwrap();
                calls.push(message.msgid.clone());
                calls.iter().filter(|id| **id == message.msgid).count() == 1
            };
            match message.text() {
                Some("too long") => Err(HandlerError::permanent("the echo would be too long")),
                Some("panic") if first => panic!("a bug in the handler"),
                _ => Ok(()),
            }
        }
    };
    let filter = DuplicateFilter::new(16, Duration::from_secs(60));
    let url = serve(Receiver::new(handler).skip_duplicates(filter).into_router()).await;
    let text = |text: &str, msgid: &str| Delivery::text("1234567", text).msgid(msgid);

    let permanent = deliver_to(&url, "cust-0001", text("too long", "p-1"))
        .await
        .unwrap();
    assert_eq!((permanent.status, permanent.body.as_str()), (200, ""));
    assert_eq!(redeliver(&permanent).await.unwrap().status, 200);

    let panicked = deliver_to(&url, "cust-0001", text("panic", "x-1")).await;
    assert!(
        !matches!(&panicked, Ok(answer) if answer.accepted()),
        "a panic is not a 2xx: {panicked:?}"
    );
    let again = deliver_to(&url, "cust-0001", text("panic", "x-1"))
        .await
        .unwrap();
    assert_eq!(
        again.status, 200,
        "the redelivery reached the handler, which took it"
    );
    assert_eq!(*calls.lock().unwrap(), ["p-1", "x-1", "x-1"]);
}

/// The receiver nests under a prefix that has parameters of its own, and a uuid that needs
/// percent-encoding arrives as it was sent.
#[tokio::test]
async fn the_uuid_is_read_by_name_under_any_prefix() {
    let (receiver, heard) = recording();
    let app = axum::Router::new().nest("/hooks/{tenant}", receiver.into_router());
    let url = format!("{}/hooks/acme", serve(app).await);
    for uuid in ["cust_0001", "a b/c%d", "고객.1"] {
        let raw = json!({"uuid": uuid, "room_id": "1", "type": "text", "msgid": uuid,
                         "content": "x", "auto_end": "N"});
        let delivered = deliver_to(&url, uuid, Delivery::raw("1", raw))
            .await
            .unwrap();
        assert_eq!(delivered.status, 200, "{uuid:?}: {}", delivered.body);
    }
    let uuids: Vec<String> = heard
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.uuid.clone())
        .collect();
    assert_eq!(uuids, ["cust_0001", "a b/c%d", "고객.1"]);
}

/// A body sent in chunks, with no length declared, is cut off at the cap all the same.
#[tokio::test]
async fn a_streamed_body_over_the_cap_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (receiver, heard) = recording();
    let url = serve(receiver.max_body(4096).into_router()).await;
    let address = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /message/cust-0001 HTTP/1.1\r\nhost: {address}\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = [b"400\r\n".as_slice(), &[b' '; 1024], b"\r\n"].concat();
    for _ in 0..64 {
        // The receiver may answer and close before the end: later writes can fail.
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0; 1024];
    let read = stream.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(heard.lock().unwrap().is_empty());
}

const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const USER: &str = "kakao-user-0001";

/// The KakaoTalk bot of the issue, test included: the customer writes, the bot answers through
/// the client, the mock records the answer, and the session ends.
#[tokio::test]
async fn a_kakaotalk_bot_hears_answers_and_ends_the_session() -> Result<(), Box<dyn Error>> {
    let mock = MockHappyTalk::start().await;
    let client = Client::new(mock.environment(), mock.credentials())?;
    let receiver = Receiver::with_state(client, |bot: Client, c: Callback| async move {
        let Callback::KakaoMessage(m) = c else {
            return Ok(());
        };
        let (you, said) = (KakaoCustomer::new(&m.sender_key, &m.user_key), m.content);
        if said.as_deref() == Some("종료") {
            return bot.kakao_end(&you, None).await.map(drop);
        }
        let echo = KakaoMessage::text(format!("받음: {}", said.unwrap_or_default()));
        bot.kakao_send(&you, echo).await.map(drop)
    });
    mock.set_receiver(&serve(receiver.into_router()).await);
    let say = |text| mock.deliver_kakao(KakaoDelivery::text(SENDER, USER, text));
    assert!(say("안녕").await?.accepted());
    let answer = mock.received().pop().and_then(|request| request.body);
    assert_eq!(answer.ok_or("no answer")?["message"], "받음: 안녕");
    assert!(say("종료").await?.accepted());
    assert!(mock.kakao_session(SENDER, USER).ok_or("no session")?.ended);
    mock.assert_no_violations();
    Ok(())
}

/// A receiver recording every callback its handler is called with.
fn recording_callbacks() -> (Arc<Mutex<Vec<Callback>>>, axum::Router) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let receiver = Receiver::new(move |callback: Callback| {
        let sink = sink.clone();
        async move {
            sink.lock().unwrap().push(callback);
            Ok::<_, std::convert::Infallible>(())
        }
    })
    .skip_duplicates(DuplicateFilter::new(64, Duration::from_secs(60)))
    .max_body(4096);
    (heard, receiver.into_router())
}

/// Posts `body` to the receiver's `path`: the status and the answer's text.
async fn post(url: &str, path: &str, body: &Value) -> (u16, String) {
    let answer = happytalk_ext::reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// The KakaoTalk callbacks decoded, typed and lenient: the serial number's digits kept from a
/// number or a string, a long text's attachment reachable, an unknown type and an attachment of
/// another shape kept, references as JSON whether objects or strings, times as timestamps, and
/// refusals naming the field.
#[tokio::test]
async fn the_kakao_callbacks_decode_leniently_and_refuse_by_field() {
    let (heard, router) = recording_callbacks();
    let url = serve(router).await;
    let example = |callback: &happytalk_ext::happytalk_api::Inbound, name: &str| -> Value {
        serde_json::from_str(callback.example(name).unwrap()).unwrap()
    };
    use happytalk_ext::happytalk_api::inbound::{
        KAKAO_EXPIRED_SESSION, KAKAO_MESSAGE, KAKAO_REFERENCE,
    };
    let text = example(&KAKAO_MESSAGE, "text");
    let mut as_string = example(&KAKAO_MESSAGE, "long_text");
    as_string["serial_number"] = json!("98765432109876543210123");
    let mut sticker = text.clone();
    sticker["serial_number"] = json!(1689884130894833299_u64);
    sticker["type"] = json!("sticker");
    sticker["attachment"] = json!({ "stickers": [{ "id": 7 }] });
    let mut reference = example(&KAKAO_REFERENCE, "reference");
    reference["last_reference"] = json!(r#"{"extra":"old-page","bot":"false"}"#);
    for (path, body) in [
        ("/message", &text),
        ("/message", &as_string),
        ("/message", &example(&KAKAO_MESSAGE, "photo")),
        ("/message", &sticker),
        (
            "/expired_session",
            &example(&KAKAO_EXPIRED_SESSION, "ended"),
        ),
        ("/reference", &reference),
    ] {
        assert_eq!(post(&url, path, body).await.0, 200, "{path} {body}");
    }
    let heard = heard.lock().unwrap().clone();
    let Callback::KakaoMessage(first) = &heard[0] else {
        panic!("{heard:?}")
    };
    assert_eq!(first.serial_number.as_str(), "1689884130894833200");
    assert_eq!(
        (first.user_key.as_str(), first.sender_key.as_str()),
        (USER, SENDER)
    );
    assert_eq!(first.content.as_deref(), Some("배송이 언제 오나요?"));
    assert_eq!(first.time.unwrap().timestamp_millis(), 1653985613535);
    let Callback::KakaoMessage(long) = &heard[1] else {
        panic!()
    };
    assert_eq!(long.serial_number.as_str(), "98765432109876543210123");
    assert_eq!(
        long.attachment_url.as_deref(),
        Some("https://talk-files.kakao.com/example/long-message.txt")
    );
    let Callback::KakaoMessage(photo) = &heard[2] else {
        panic!()
    };
    assert_eq!(photo.message_type, KakaoInboundType::Photo);
    assert!(
        photo
            .attachment_url
            .as_deref()
            .unwrap()
            .ends_with("photo.jpg")
    );
    let Callback::KakaoMessage(other) = &heard[3] else {
        panic!()
    };
    assert_eq!(other.message_type.as_str(), "sticker");
    assert_eq!(
        other.body()["attachment"],
        json!({ "stickers": [{ "id": 7 }] })
    );
    let Callback::KakaoExpiredSession(ended) = &heard[4] else {
        panic!()
    };
    assert_eq!(ended.session_id, "163477524");
    let Callback::KakaoReference(reference) = &heard[5] else {
        panic!()
    };
    assert_eq!(
        reference.reference.as_ref().unwrap()["extra"],
        "order-2026-0001"
    );
    assert_eq!(
        reference.last_reference,
        Some(json!({ "extra": "old-page", "bot": "false" }))
    );

    // Refusals name the field; a body over the cap is 413.
    for (path, field) in [
        ("/message", "serial_number"),
        ("/message", "type"),
        ("/message", "user_key"),
        ("/expired_session", "session_id"),
        ("/reference", "sender_key"),
    ] {
        let mut body = match path {
            "/message" => text.clone(),
            "/expired_session" => example(&KAKAO_EXPIRED_SESSION, "ended"),
            _ => example(&KAKAO_REFERENCE, "reference"),
        };
        body.as_object_mut().unwrap().remove(field);
        assert_eq!(
            post(&url, path, &body).await,
            (400, format!("`{field}` is missing"))
        );
    }
    // The same fields by position (the generated struct's order), as an array: serde would read
    // it, but it is not the documented body.
    let by_position = json!([
        {},
        "hi",
        null,
        SENDER,
        1,
        "163477524",
        1653985613535_u64,
        "text",
        USER
    ]);
    let (status, why) = post(&url, "/message", &by_position).await;
    assert_eq!(
        (status, why.as_str()),
        (
            400,
            "the body is not a JSON object: it is JSON, but not an object"
        )
    );
    let mut rounded = text.clone();
    rounded["serial_number"] = json!(1.6898841308948332e18);
    let (status, why) = post(&url, "/message", &rounded).await;
    assert_eq!(status, 400);
    assert!(why.starts_with("`serial_number`: "), "{why}");
    let mut large = text.clone();
    large["content"] = json!("가".repeat(2000));
    assert_eq!(post(&url, "/message", &large).await.0, 413);
}

/// A KakaoTalk message is the same message when (sender_key, serial_number) repeats, another
/// one from another sender profile; an ended session is the same when (sender_key, session_id)
/// repeats.
#[tokio::test]
async fn kakao_redeliveries_are_handled_once_by_their_keys() {
    let (heard, router) = recording_callbacks();
    let url = serve(router).await;
    let text = KakaoDelivery::text(SENDER, USER, "두 번").serial_number("1689884130894833200");
    let first = deliver_kakao_to(&url, text.clone()).await.unwrap();
    assert_eq!(redeliver(&first).await.unwrap().status, 200);
    let other_sender = KakaoDelivery::text("another-sender-profile", USER, "두 번")
        .serial_number("1689884130894833200");
    deliver_kakao_to(&url, other_sender).await.unwrap();
    let end = KakaoDelivery::end(SENDER, USER).session_id("163477524");
    let ended = deliver_kakao_to(&url, end).await.unwrap();
    assert_eq!(redeliver(&ended).await.unwrap().status, 200);
    let keys: Vec<Option<String>> = heard
        .lock()
        .unwrap()
        .iter()
        .map(Callback::duplicate_key)
        .collect();
    assert_eq!(
        keys,
        [
            Some(format!("kakao_message/{SENDER}/1689884130894833200")),
            Some("kakao_message/another-sender-profile/1689884130894833200".to_owned()),
            Some(format!("kakao_expired_session/{SENDER}/163477524")),
        ]
    );
    assert_eq!(first.id, "1689884130894833200");
}
