//! The standalone `happytalk-mock` binary, as a user runs it: it says where it listens, serves
//! the docs' example with the credentials it prints, counts what it received when Ctrl-C stops
//! it, and refuses a bad flag with its usage.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use happytalk_ext::{Client, Credentials, Environment, Error};
use happytalk_mock::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

fn client(url: &str, secret: &str) -> Client {
    Client::new(
        Environment::custom(url).unwrap(),
        Credentials::new(DEFAULT_CLIENT_ID, secret),
    )
    .unwrap()
}

#[tokio::test]
async fn the_binary_serves_the_example_and_reports_what_it_received_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_happytalk-mock"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("HappyTalk mock listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();

    let found = client(&url, DEFAULT_CLIENT_SECRET)
        .system_message("example-senderKey", 175)
        .await
        .unwrap()
        .expect("the docs' example");
    assert_eq!(found.name.as_deref(), Some("system-message-sample"));
    // A wrong secret is a contract violation, answered as HappyTalk would.
    let refused = client(&url, "not-the-secret")
        .system_messages("example-senderKey")
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Api(_)), "{refused:?}");

    // Ctrl-C is SIGINT.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running 10 s after Ctrl-C"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status}\n{first}{rest}");
    assert!(
        rest.contains(&format!(
            "HT_CLIENT_ID={DEFAULT_CLIENT_ID} HT_CLIENT_SECRET={DEFAULT_CLIENT_SECRET}"
        )),
        "{rest}"
    );
    assert!(
        rest.ends_with("stopped after 2 requests (1 contract violation)\n"),
        "{rest}"
    );
}

#[test]
fn a_bad_flag_is_refused_with_the_usage() {
    for args in [&["--port", "eighty"][..], &["--port"], &["--verbose"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_happytalk-mock"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("usage: happytalk-mock [--port PORT]"),
            "{stderr}"
        );
        assert!(stderr.contains(args[0]), "names what it refused: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
