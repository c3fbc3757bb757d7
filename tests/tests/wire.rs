//! What goes over the wire and what comes back, against a real HTTP server on loopback
//! (wiremock): the exact requests (snapshots), and how every kind of answer is decoded.

use std::time::{Duration, Instant};

use happytalk_ext::{
    BizResultCode, ChatMessage, Client, Environment, Error, HostFamily, KakaoResultCode,
    ResultCode, SystemMessageStatus, SystemMessageType, TransportErrorKind,
};
use happytalk_tests::{
    CLIENT_ID, CLIENT_SECRET, ReceivedRequest, client_for, credentials, fixture, header,
    refused_base_url, server_answering, server_answering_with,
};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CHAT_PATH: &str = "/v1/chat/write";
const SM_PATH: &str = "/kakaoWebhook/v3/bzmc/sm";

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request reached the server");
    requests.remove(0)
}

/// Text with Korean, quotes, backslashes, control characters, HTML and an emoji: everything
/// JSON must escape or carry as UTF-8.
const ESCAPE_HEAVY: &str = "안녕하세요 \"상담\" 요청\\드립니다\n\t<script>&amp;</script> 😀 \u{1}";

#[tokio::test]
async fn each_message_kind_goes_out_exactly_so() {
    let cases = [
        (
            "text",
            ChatMessage::text("cust-0001", "1234567", ESCAPE_HEAVY),
        ),
        (
            "image",
            ChatMessage::image(
                "cust-0001",
                "1234567",
                "https://example.com/이미지.png?a=1&b=2",
            ),
        ),
        (
            "video",
            ChatMessage::video("고객-0001", "1234567", "https://example.com/v.mp4"),
        ),
        (
            "audio",
            ChatMessage::audio("cust-0001", "상담방-7", "http://example.com/a.mp3"),
        ),
    ];
    for (kind, message) in cases {
        let server = server_answering(200, &fixture("chat/success.json")).await;
        let room_id = client_for(&server.uri())
            .send_message(&message)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(room_id, "상담방 아이디");

        let request = only_request(&server).await;
        assert_eq!(header(&request, "ht-client-secret"), Some(CLIENT_SECRET));
        assert_eq!(header(&request, "ht-client-id"), Some(CLIENT_ID));
        assert!(
            !request.headers.contains_key("api-version"),
            "progenitor's api-version header is removed"
        );
        insta::assert_yaml_snapshot!(
            format!("send_{kind}"),
            ReceivedRequest::from_wiremock(&request)
        );
        // The body byte for byte, as serde_json wrote it: the snapshot above shows it parsed.
        insta::assert_snapshot!(
            format!("send_{kind}_body_bytes"),
            String::from_utf8(request.body.clone()).expect("UTF-8 body")
        );
    }
}

#[tokio::test]
async fn the_lookup_goes_out_exactly_so() {
    let reserved_and_korean = "key/with?&=+ #%한글";
    let cases = [
        ("list", "example-senderKey", None),
        ("by_id", "example-senderKey", Some(175)),
        ("encoded_sender_key", reserved_and_korean, None),
        ("encoded_sender_key_by_id", reserved_and_korean, Some(-1)),
    ];
    for (name, sender_key, id) in cases {
        let server = server_answering(200, &fixture("kakao/success-empty.json")).await;
        let client = client_for(&server.uri());
        match id {
            None => assert_eq!(client.system_messages(sender_key).await.unwrap(), []),
            Some(id) => assert_eq!(client.system_message(sender_key, id).await.unwrap(), None),
        }
        let request = only_request(&server).await;
        assert_eq!(header(&request, "ht-client-secret"), Some(CLIENT_SECRET));
        // The server decodes the query back to exactly what was asked for.
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let mut expected = vec![];
        if let Some(id) = id {
            expected.push(("id".to_owned(), id.to_string()));
        }
        expected.push(("senderKey".to_owned(), sender_key.to_owned()));
        assert_eq!(pairs, expected, "{name}");
        insta::assert_yaml_snapshot!(
            format!("lookup_{name}"),
            ReceivedRequest::from_wiremock(&request)
        );
    }
}

#[tokio::test]
async fn hosts_are_routed_by_operation_with_a_path_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/biz{CHAT_PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("chat/success.json").into_bytes(),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/kakao{SM_PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("kakao/success-empty.json").into_bytes(),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let environment = Environment::custom(&format!("{}/biz/", server.uri()))
        .and_then(|environment| {
            environment.with_base_url(HostFamily::Kakao, &format!("{}/kakao", server.uri()))
        })
        .unwrap();
    let client = Client::new(environment, credentials()).unwrap();
    client
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
        .unwrap();
    client.system_messages("k").await.unwrap();
    server.verify().await;
}

fn failures(name: &str) -> Vec<Value> {
    serde_json::from_str(&fixture(name)).expect("a JSON array of bodies")
}

/// Each documented failure code, under 200 and under 4xx/5xx, gives the same typed error (only
/// the recorded status differs).
#[tokio::test]
async fn chat_failures_are_the_same_error_under_any_status() {
    for body in failures("chat/failures.json") {
        let code = body["code"].as_i64().unwrap() as i32;
        let mut seen = Vec::new();
        for status in [200, 400, 403, 500, 503] {
            let server = server_answering(status, &body.to_string()).await;
            let error = client_for(&server.uri())
                .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
                .await
                .unwrap_err();
            let Error::Api(api) = error else {
                panic!("{code} under {status}: {error:?}")
            };
            assert_eq!(api.status().as_u16(), status);
            assert_eq!(api.raw_code(), code.to_string());
            assert_eq!(*api.code(), BizResultCode::from(code));
            assert!(api.code().is_known(), "{code}");
            assert_eq!(api.message(), body["message"].as_str());
            assert_eq!(api.field(), body["field"].as_str(), "{code}");
            assert_eq!(api.notice(), body["content"].as_str(), "{code}");
            assert_eq!(
                api.code().counselling_unavailable(),
                (-904..=-900).contains(&code)
            );
            seen.push((
                api.code().clone(),
                api.field().map(str::to_owned),
                api.notice().map(str::to_owned),
            ));
        }
        seen.dedup();
        assert_eq!(seen.len(), 1, "{code}: the same error whatever the status");
    }
}

#[tokio::test]
async fn kakao_failures_are_the_same_error_under_any_status() {
    for body in failures("kakao/failures.json") {
        let code = body["code"].as_str().unwrap().to_owned();
        for status in [200, 400, 500] {
            let server = server_answering(status, &body.to_string()).await;
            let error = client_for(&server.uri())
                .system_messages("sender")
                .await
                .unwrap_err();
            let Error::Api(api) = error else {
                panic!("{code} under {status}: {error:?}")
            };
            assert_eq!(api.status().as_u16(), status);
            assert_eq!(api.raw_code(), code);
            assert_eq!(*api.code(), KakaoResultCode::from(code.as_str()));
            assert!(api.code().is_known(), "{code}");
            assert_eq!(api.message(), body["message"].as_str());
        }
    }
}

#[tokio::test]
async fn undocumented_codes_are_api_errors_keeping_the_raw_code() {
    let server = server_answering(200, &fixture("chat/undocumented-code.json")).await;
    let Err(Error::Api(api)) = client_for(&server.uri())
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
    else {
        panic!("an API error")
    };
    assert!(
        matches!(api.code(), ResultCode::Biz(BizResultCode::Unknown(raw)) if *raw.get() == -9999)
    );
    assert_eq!(api.raw_code(), "-9999");
    assert_eq!(api.message(), Some("NewFailure"));

    let server = server_answering(418, &fixture("kakao/undocumented-code.json")).await;
    let Err(Error::Api(api)) = client_for(&server.uri()).system_messages("k").await else {
        panic!("an API error")
    };
    assert!(!api.code().is_known());
    assert_eq!(*api.code(), KakaoResultCode::from("999"));
    assert_eq!(api.raw_code(), "999");
    assert_eq!(api.status().as_u16(), 418);
}

#[tokio::test]
async fn undocumented_enum_values_decode_and_keep_the_raw_value() {
    let server = server_answering(200, &fixture("kakao/undocumented-values.json")).await;
    let found = client_for(&server.uri())
        .system_messages("k")
        .await
        .unwrap();
    let message = &found[0];
    assert_eq!(message.status.as_ref().map(|s| s.as_str()), Some("Z"));
    assert!(matches!(
        message.status,
        Some(SystemMessageStatus::Unknown(_))
    ));
    assert_eq!(
        message.inspect_status.as_ref().map(|s| s.as_str()),
        Some("HOLD")
    );
    let inner = &message.messages.as_ref().unwrap()[0];
    assert!(
        matches!(inner.message_type, Some(SystemMessageType::Unknown(ref v)) if v.as_str() == "S9")
    );
    assert_eq!(
        inner.buttons.as_ref().unwrap()[0]
            .link_type
            .as_ref()
            .map(|t| t.as_str()),
        Some("AC")
    );
    assert_eq!(
        message.comments.as_ref().unwrap()[0]
            .status
            .as_ref()
            .map(|s| s.as_str()),
        Some("HLD")
    );
}

/// Answers that are not what the API documents, each with its documented outcome.
#[tokio::test]
async fn malformed_answers_are_undecodable_errors_with_status_and_snippet() {
    /// Which operations a body is malformed for (a wrong type for one is right for the other).
    #[derive(PartialEq)]
    enum For {
        Both,
        Chat,
        Kakao,
    }
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let long_html = format!("<html>{}</html>", "x".repeat(5000));
    let json = "application/json";
    let cases: Vec<(&str, For, u16, &str, String)> = vec![
        (
            "html_error_page",
            For::Both,
            502,
            "text/html",
            html.to_owned(),
        ),
        ("long_html_page", For::Both, 200, "text/html", long_html),
        ("empty_body", For::Both, 200, json, String::new()),
        (
            "truncated_json",
            For::Both,
            200,
            json,
            r#"{"code": 0, "room_id": "12"#.to_owned(),
        ),
        ("array", For::Both, 500, json, "[]".to_owned()),
        (
            "redirect_status",
            For::Both,
            302,
            "text/plain",
            "moved".to_owned(),
        ),
        (
            "code_as_string",
            For::Chat,
            200,
            json,
            r#"{"code": "0", "room_id": "1"}"#.to_owned(),
        ),
        // A number is a code of this table too (the receive-domain save writes 200): a
        // boolean is not.
        (
            "code_as_boolean",
            For::Kakao,
            200,
            json,
            r#"{"code": true, "data": []}"#.to_owned(),
        ),
        (
            "data_as_object",
            For::Kakao,
            200,
            json,
            r#"{"code": "200", "data": {}}"#.to_owned(),
        ),
    ];
    for (name, endpoints, status, content_type, body) in cases {
        let server = server_answering_with(status, content_type, &body, Duration::ZERO).await;
        let client = client_for(&server.uri());
        let mut errors = Vec::new();
        if endpoints != For::Kakao {
            let message = ChatMessage::text("cust-0001", "1", "hi");
            errors.push(client.send_message(&message).await.unwrap_err());
        }
        if endpoints != For::Chat {
            errors.push(client.system_messages("k").await.unwrap_err());
        }
        let expected_snippet: String = body
            .chars()
            .take(happytalk_ext::UndecodableResponse::SNIPPET_CHARS)
            .collect();
        for error in &errors {
            let Error::UndecodableResponse(undecodable) = error else {
                panic!("{name}: {error:?}")
            };
            assert_eq!(
                undecodable.status().map(|s| s.as_u16()),
                Some(status),
                "{name}"
            );
            assert_eq!(undecodable.snippet(), expected_snippet, "{name}");
        }
        insta::assert_snapshot!(format!("undecodable_{name}"), errors[0].to_string());
    }
}

#[tokio::test]
async fn success_without_room_id_is_undecodable() {
    let server = server_answering(200, r#"{"code": 0, "message": ""}"#).await;
    let error = client_for(&server.uri())
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UndecodableResponse(_)), "{error:?}");
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_timestamp_that_is_no_timestamp_is_undecodable_naming_the_field() {
    let body = fixture("kakao/success-one.json").replace("2019-10-31 18:26:28", "어제");
    let server = server_answering(200, &body).await;
    let error = client_for(&server.uri())
        .system_messages("k")
        .await
        .unwrap_err();
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    // The path of the field in the body, and the value.
    assert!(
        undecodable.reason().starts_with(
            "`data[0].inspectRequestAt`: \"어제\" is not a `YYYY-MM-DD HH:MM:SS` time"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_silent_server_gives_a_timeout_in_about_the_configured_time() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    fixture("chat/success.json").into_bytes(),
                    "application/json",
                )
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let timeout = Duration::from_millis(300);
    let client = Client::builder(Environment::custom(&server.uri()).unwrap(), credentials())
        .timeout(timeout)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    // Not a speed target: it shows the client gave up on its own deadline, long before the
    // server's 5 s answer.
    assert!(elapsed >= timeout, "gave up after {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(4),
        "gave up after {elapsed:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let client = client_for(&refused_base_url());
    let error = client.system_messages("k").await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{error}");
}

#[tokio::test]
async fn an_invalid_message_never_reaches_the_server() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client_for(&server.uri());
    let invalid = [
        ChatMessage::text("abcd", "1", "hi"),
        ChatMessage::text("cust-0001", "", "hi"),
        ChatMessage::text("cust-0001", "1", "가".repeat(1001)),
        ChatMessage::text("cust-0001", "1", ""),
        ChatMessage::image("cust-0001", "1", "ftp://example.com/a.png"),
        ChatMessage::video(
            "cust-0001",
            "1",
            format!("https://e.com/{}", "a".repeat(250)),
        ),
    ];
    for message in &invalid {
        let error = client.send_message(message).await.unwrap_err();
        assert!(matches!(error, Error::Validation(_)), "{error:?}");
    }
    let error = client.system_messages("").await.unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field() == "senderKey"),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
    server.verify().await;
}

#[tokio::test]
async fn a_failure_without_message_still_decodes() {
    let server = server_answering(500, r#"{"code": -600}"#).await;
    let Err(Error::Api(api)) = client_for(&server.uri())
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
    else {
        panic!("an API error")
    };
    assert_eq!(*api.code(), BizResultCode::SystemError);
    assert_eq!(api.message(), None);
}

/// The status of an undecodable answer is recorded per call: concurrent calls on one client
/// (one task, interleaved) each report their own.
#[tokio::test]
async fn concurrent_undecodable_answers_keep_their_own_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw(b"<html>bad gateway</html>".to_vec(), "text/html")
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(b"{".to_vec(), "application/json"))
        .mount(&server)
        .await;
    let client = client_for(&server.uri());
    let message = ChatMessage::text("cust-0001", "1", "hi");
    let (chat, lookup) = tokio::join!(client.send_message(&message), client.system_messages("k"));
    let status = |result: Error| match result {
        Error::UndecodableResponse(u) => u.status().map(|s| s.as_u16()),
        other => panic!("{other:?}"),
    };
    assert_eq!(status(chat.unwrap_err()), Some(502));
    assert_eq!(status(lookup.unwrap_err()), Some(201));
}

/// A redirect is not followed: it would carry `HT-Client-Secret` (a header reqwest does not
/// strip) to the host it names.
#[tokio::test]
async fn a_redirect_is_not_followed_so_the_secret_stays_home() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let error = client_for(&server.uri())
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
        .unwrap_err();
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(undecodable.status().map(|s| s.as_u16()), Some(302));
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    elsewhere.verify().await;
}

/// The credentials come from the client's state, not from `reqwest` default headers, so a
/// `reqwest::Client` the user built carries them too.
#[tokio::test]
async fn a_reqwest_client_of_your_own_carries_the_credentials() {
    let server = server_answering(200, &fixture("chat/success.json")).await;
    let own = happytalk_ext::reqwest::Client::builder()
        .user_agent("my-service/1.0")
        .build()
        .unwrap();
    let client = Client::builder(Environment::custom(&server.uri()).unwrap(), credentials())
        .http_client(own)
        .build()
        .unwrap();
    let room_id = client
        .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
        .await
        .unwrap();
    assert_eq!(room_id, "상담방 아이디");
    let request = only_request(&server).await;
    assert_eq!(header(&request, "ht-client-id"), Some(CLIENT_ID));
    assert_eq!(header(&request, "ht-client-secret"), Some(CLIENT_SECRET));
    assert_eq!(header(&request, "user-agent"), Some("my-service/1.0"));
}

/// Clones of one client work from spawned tasks: every call's future is `Send`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_on_spawned_tasks() {
    let biz = server_answering(200, &fixture("chat/success.json")).await;
    let kakao = server_answering(200, &fixture("kakao/success-one.json")).await;
    let client = Client::new(
        Environment::custom(&biz.uri())
            .and_then(|environment| environment.with_base_url(HostFamily::Kakao, &kakao.uri()))
            .unwrap(),
        credentials(),
    )
    .unwrap();
    let sends: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let message = ChatMessage::text(format!("cust-000{i}"), "1", "hi");
                client.send_message(&message).await
            })
        })
        .collect();
    let list = tokio::spawn({
        let client = client.clone();
        async move { client.system_messages("k").await }
    });
    let one = tokio::spawn(async move { client.system_message("k", 175).await });
    for task in sends {
        assert_eq!(task.await.unwrap().unwrap(), "상담방 아이디");
    }
    assert_eq!(list.await.unwrap().unwrap().len(), 1);
    assert_eq!(one.await.unwrap().unwrap().map(|m| m.id), Some(175));
    assert_eq!(biz.received_requests().await.unwrap().len(), 4);
    assert_eq!(kakao.received_requests().await.unwrap().len(), 2);
}
