//! The text of every error a user can hit, and the client secret's absence from every `Debug`
//! and `Display` in the workspace that could hold it.

use std::time::Duration;

use happytalk_ext::{ChatMessage, Client, Credentials, Environment, Error, HostFamily};
use happytalk_tests::{
    CLIENT_SECRET, client_for, credentials, fixture, refused_base_url, server_answering,
    server_answering_with,
};

/// One of each error kind, labelled, as a user can hit it.
async fn every_error_kind() -> Vec<(&'static str, Error)> {
    let mut errors = Vec::new();
    let validation = [
        (
            "validation: uuid too short",
            ChatMessage::text("abc", "1", "hi"),
        ),
        (
            "validation: uuid too long",
            ChatMessage::text("u".repeat(21), "1", "hi"),
        ),
        (
            "validation: room_id empty",
            ChatMessage::text("cust-0001", "", "hi"),
        ),
        (
            "validation: msg too long",
            ChatMessage::text("cust-0001", "1", "가".repeat(1001)),
        ),
        (
            "validation: msg empty",
            ChatMessage::text("cust-0001", "1", ""),
        ),
        (
            "validation: url too long",
            ChatMessage::image(
                "cust-0001",
                "1",
                format!("https://e.com/{}", "a".repeat(250)),
            ),
        ),
        (
            "validation: url not http",
            ChatMessage::audio("cust-0001", "1", "ftp://example.com/a.mp3"),
        ),
        (
            "validation: url relative",
            ChatMessage::video("cust-0001", "1", "videos/a.mp4"),
        ),
    ];
    let offline = client_for(&refused_base_url());
    for (label, message) in validation {
        errors.push((label, offline.send_message(&message).await.unwrap_err()));
    }
    errors.push((
        "validation: senderKey empty",
        offline.system_messages("").await.unwrap_err(),
    ));

    for (label, fixture_name) in [
        ("api: -802 with field", "chat/failure-802-length.json"),
        ("api: -901 with notice", "chat/failure-901-consulting.json"),
        ("api: undocumented Biz code", "chat/undocumented-code.json"),
    ] {
        let server = server_answering(400, &fixture(fixture_name)).await;
        let error = client_for(&server.uri())
            .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
            .await
            .unwrap_err();
        errors.push((label, error));
    }
    for (label, fixture_name) in [
        ("api: Kakao 507", "kakao/failure-507.json"),
        (
            "api: undocumented Kakao code",
            "kakao/undocumented-code.json",
        ),
    ] {
        let server = server_answering(200, &fixture(fixture_name)).await;
        let error = client_for(&server.uri())
            .system_messages("k")
            .await
            .unwrap_err();
        errors.push((label, error));
    }

    let slow = server_answering_with(
        200,
        "application/json",
        &fixture("chat/success.json"),
        Duration::from_secs(5),
    )
    .await;
    let impatient = Client::builder(Environment::custom(&slow.uri()).unwrap(), credentials())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    errors.push((
        "transport: timeout",
        impatient
            .send_message(&ChatMessage::text("cust-0001", "1", "hi"))
            .await
            .unwrap_err(),
    ));
    errors.push((
        "transport: connection refused",
        offline.system_messages("k").await.unwrap_err(),
    ));

    let html =
        server_answering_with(502, "text/html", "<html>Bad Gateway</html>", Duration::ZERO).await;
    errors.push((
        "undecodable: HTML error page",
        client_for(&html.uri())
            .system_messages("k")
            .await
            .unwrap_err(),
    ));

    let odd_date = fixture("kakao/success-one.json").replace("2019-10-31 18:26:28", "어제");
    let odd_date = server_answering(200, &odd_date).await;
    errors.push((
        "undecodable: a timestamp that is no timestamp",
        client_for(&odd_date.uri())
            .system_messages("k")
            .await
            .unwrap_err(),
    ));

    errors.push((
        "configuration: base URL",
        Environment::Patch
            .with_base_url(HostFamily::Biz, "biz-api.happytalk.io")
            .unwrap_err(),
    ));
    errors.push((
        "configuration: client id not sendable",
        Client::new(
            Environment::Patch,
            Credentials::new("아이디", CLIENT_SECRET),
        )
        .unwrap_err(),
    ));
    errors.push((
        "configuration: client secret not sendable",
        Client::new(
            Environment::Patch,
            Credentials::new("id", format!("{CLIENT_SECRET}\n")),
        )
        .unwrap_err(),
    ));
    errors.push((
        "configuration: timeout with own reqwest client",
        Client::builder(Environment::Patch, credentials())
            .http_client(happytalk_ext::reqwest::Client::new())
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap_err(),
    ));
    errors
}

/// Each error as an error reporter (anyhow, eyre) prints it: its `Display`, then each cause
/// from `source()` on a line of its own.
#[tokio::test]
async fn every_error_kind_reads_clearly() {
    let errors = every_error_kind().await;
    let text: String = errors
        .iter()
        .map(|(label, error)| {
            let mut text = format!("{label}\n  {error}\n");
            let mut cause = std::error::Error::source(error);
            while let Some(inner) = cause {
                text.push_str(&format!("  caused by: {inner}\n"));
                cause = inner.source();
            }
            text
        })
        .collect();
    // The port is random; the OS error number differs between systems.
    let filters = vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\(os error \d+\)", "(os error [n])"),
    ];
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!(text);
    });
}

/// A reporter prints `Display` and then the sources: an error that put its source in its own
/// `Display` would be read twice.
#[tokio::test]
async fn no_display_repeats_its_source() {
    for (label, error) in every_error_kind().await {
        let shown = error.to_string();
        if let Some(source) = std::error::Error::source(&error) {
            let cause = source.to_string();
            assert!(
                !shown.contains(&cause),
                "{label}: {shown:?} repeats {cause:?}"
            );
        }
    }
}

#[tokio::test]
async fn no_error_carries_the_secret() {
    for (label, error) in every_error_kind().await {
        for rendered in [
            format!("{error}"),
            format!("{error:?}"),
            format!("{error:#?}"),
        ] {
            assert!(!rendered.contains(CLIENT_SECRET), "{label}: {rendered}");
        }
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            assert!(
                !inner.to_string().contains(CLIENT_SECRET),
                "{label}: {inner}"
            );
            assert!(
                !format!("{inner:?}").contains(CLIENT_SECRET),
                "{label}: {inner:?}"
            );
            source = inner.source();
        }
    }
}

#[test]
fn no_client_type_shows_the_secret() {
    let credentials = credentials();
    let builder = Client::builder(Environment::Patch, credentials.clone());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let rendered = [
        format!("{credentials:?}"),
        format!("{credentials:#?}"),
        builder_debug,
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", client.api().biz()),
        format!("{:?}", client.api().kakao()),
        format!("{:?}", client.environment()),
    ];
    for text in &rendered {
        assert!(!text.contains(CLIENT_SECRET), "{text}");
    }
    // What is shown instead, so the test would notice the fields disappearing altogether.
    assert!(
        rendered[0].contains("client_secret: \"<redacted>\""),
        "{}",
        rendered[0]
    );
    assert!(
        rendered[3].contains("\"ht-client-secret\": Sensitive"),
        "{}",
        rendered[3]
    );
    assert!(
        rendered[3].contains(happytalk_tests::CLIENT_ID),
        "{}",
        rendered[3]
    );
}
