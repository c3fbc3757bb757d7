//! The built `happytalk` binary against servers on loopback: every command in both output
//! modes, every exit code, standard input, and a known secret that no run may print.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_ID: &str = "cli-client-id";
const SECRET: &str = "cli-s3cr3t-NEVER-SHOWN";

/// What one run of the binary left.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// How a run gets its credentials.
enum Secret<'a> {
    Environment,
    None,
    File(&'a std::path::Path),
}

/// Runs `happytalk args…`; every run is checked for the secret in its whole output.
async fn run_with(args: &[&str], secret: Secret<'_>, stdin: Option<&str>) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"));
    command
        .args(args)
        .env_remove("HT_CLIENT_ID")
        .env_remove("HT_CLIENT_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match secret {
        Secret::Environment => {
            command
                .env("HT_CLIENT_ID", CLIENT_ID)
                .env("HT_CLIENT_SECRET", SECRET);
        }
        Secret::File(path) => {
            command
                .env("HT_CLIENT_ID", CLIENT_ID)
                .arg("--client-secret-file")
                .arg(path);
        }
        Secret::None => {}
    }
    let mut child = command.spawn().expect("the binary starts");
    let mut input = child.stdin.take().expect("piped");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .await
        .unwrap();
    drop(input);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the binary ends")
        .expect("its output");
    let run = Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    };
    assert!(
        !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
        "the secret was printed by {args:?}:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

async fn happytalk(args: &[&str]) -> Run {
    run_with(args, Secret::Environment, None).await
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn server(status: u16, content_type: &str, body: &str, delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_raw(body.as_bytes().to_vec(), content_type)
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

async fn answering(body: &str) -> MockServer {
    server(200, "application/json", body, Duration::ZERO).await
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

/// `--base-url U` then `rest`.
fn at<'a>(url: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--base-url", url];
    args.extend_from_slice(rest);
    args
}

fn body_of(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn help_and_version() {
    for (name, args) in [
        ("help", vec!["--help"]),
        ("help_send", vec!["send", "--help"]),
        ("help_send_text", vec!["send", "text", "--help"]),
        ("help_send_image", vec!["send", "image", "--help"]),
        ("help_system_messages", vec!["system-messages", "--help"]),
        ("help_mock_serve", vec!["mock", "serve", "--help"]),
        ("help_room_open", vec!["room", "open", "--help"]),
        ("help_room_end", vec!["room", "end", "--help"]),
        ("help_counselor", vec!["counselor", "--help"]),
        (
            "help_kakao_send_text",
            vec!["kakao", "send", "text", "--help"],
        ),
        ("help_kakao_end", vec!["kakao", "end", "--help"]),
        ("help_listen", vec!["listen", "--help"]),
        ("help_mock_deliver", vec!["mock", "deliver", "--help"]),
        (
            "help_mock_deliver_file",
            vec!["mock", "deliver", "file", "--help"],
        ),
        ("help_call", vec!["call", "--help"]),
        (
            "help_call_send_message",
            vec!["call", "send_message", "--help"],
        ),
    ] {
        let run = happytalk(&args).await;
        assert_eq!(run.code, 0, "{name}");
        insta::assert_snapshot!(name, run.stdout);
    }
    let version = happytalk(&["--version"]).await;
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout,
        format!("happytalk {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn send_text_prints_the_room_or_its_json_and_sends_the_credentials() {
    let server = answering(&fixture("chat/success.json")).await;
    let url = server.uri();
    let run = happytalk(&at(
        &url,
        &["send", "text", "cust-0001", "1234567", "안녕하세요"],
    ))
    .await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "sent into room 상담방 아이디\n")
    );
    let run = happytalk(&at(
        &url,
        &[
            "--json",
            "send",
            "text",
            "cust-0001",
            "1234567",
            "안녕하세요",
        ],
    ))
    .await;
    assert_eq!(run.code, 0);
    assert_eq!(
        run.json(),
        serde_json::json!({ "room_id": "상담방 아이디" })
    );

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    let request = &requests[0];
    assert_eq!(request.url.path(), "/v1/chat/write");
    assert_eq!(request.headers["ht-client-id"], CLIENT_ID);
    assert_eq!(request.headers["ht-client-secret"], SECRET);
    assert_eq!(
        body_of(request),
        serde_json::json!({"uuid": "cust-0001", "room_id": "1234567", "type": "text", "msg": "안녕하세요"})
    );
}

#[tokio::test]
async fn send_image_audio_and_video_carry_their_url() {
    let server = answering(&fixture("chat/success.json")).await;
    let url = server.uri();
    for kind in ["image", "audio", "video"] {
        let media = format!("https://example.com/a.{kind}");
        let run = happytalk(&at(&url, &["send", kind, "cust-0001", "7", &media])).await;
        assert_eq!(run.code, 0, "{kind}: {}", run.stderr);
        let requests = received(&server).await;
        let body = body_of(requests.last().unwrap());
        assert_eq!(body["type"], kind);
        assert_eq!(body["url"], media.as_str());
        assert!(body.get("msg").is_none());
    }
}

#[tokio::test]
async fn a_dash_reads_the_text_from_standard_input() {
    let server = answering(&fixture("chat/success.json")).await;
    let url = server.uri();
    let text = "안녕하세요,\n두 번째 줄입니다.\n";
    let run = run_with(
        &at(&url, &["send", "text", "cust-0001", "1234567", "-"]),
        Secret::Environment,
        Some(text),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = received(&server).await;
    assert_eq!(
        body_of(&requests[0])["msg"],
        "안녕하세요,\n두 번째 줄입니다.",
        "multi-line Korean, without the final line break"
    );
}

#[tokio::test]
async fn invalid_input_exits_2_and_sends_nothing() {
    let server = answering(&fixture("chat/success.json")).await;
    let url = server.uri();
    let run = happytalk(&at(&url, &["send", "text", "abc", "1234567", "hi"])).await;
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `uuid` must be 5 to 20 characters; got 3 characters (\"abc\")\n"
    );
    let run = happytalk(&at(
        &url,
        &["--json", "send", "image", "cust-0001", "1", "ftp://x"],
    ))
    .await;
    assert_eq!(run.code, 2);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "validation");
    assert_eq!(error["field"], "url");
    assert_eq!(error["rule"], "must be an absolute http(s) URL");

    let empty = happytalk(&at(&url, &["system-messages", ""])).await;
    assert_eq!(empty.code, 2);
    let bad_url = happytalk(&["--base-url", "nowhere", "system-messages", "k"]).await;
    assert_eq!(bad_url.code, 2);
    assert!(
        bad_url.stderr.contains("not an absolute http(s) URL"),
        "{}",
        bad_url.stderr
    );
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn missing_credentials_exit_2_naming_the_variables() {
    let server = answering(&fixture("chat/success.json")).await;
    let url = server.uri();
    let run = run_with(&at(&url, &["system-messages", "k"]), Secret::None, None).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("HT_CLIENT_ID") && run.stderr.contains("HT_CLIENT_SECRET"));
    let run = run_with(
        &at(&url, &["--json", "system-messages", "k"]),
        Secret::None,
        None,
    )
    .await;
    assert_eq!(run.json()["error"]["kind"], "usage");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn the_secret_can_come_from_a_file() {
    let server = answering(&fixture("kakao/success-empty.json")).await;
    let url = server.uri();
    let directory = std::env::temp_dir().join(format!("happytalk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let run = run_with(
        &at(&url, &["system-messages", "k"]),
        Secret::File(&file),
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        received(&server).await[0].headers["ht-client-secret"],
        SECRET
    );

    std::fs::write(&file, "").unwrap();
    let run = run_with(
        &at(&url, &["system-messages", "k"]),
        Secret::File(&file),
        None,
    )
    .await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is empty"), "{}", run.stderr);
    let missing = directory.join("missing");
    let run = run_with(
        &at(&url, &["system-messages", "k"]),
        Secret::File(&missing),
        None,
    )
    .await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read the client secret file"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&directory).unwrap();
}

#[tokio::test]
async fn a_refusal_exits_3_with_its_code_and_message() {
    let server = server(
        400,
        "application/json",
        &fixture("chat/failure-802-length.json"),
        Duration::ZERO,
    )
    .await;
    let url = server.uri();
    let run = happytalk(&at(&url, &["send", "text", "cust-0001", "1", "hi"])).await;
    assert_eq!(run.code, 3);
    assert!(
        run.stderr
            .starts_with("error: HappyTalk refused the request with code -802 \"Length\""),
        "{}",
        run.stderr
    );
    let run = happytalk(&at(
        &url,
        &["--json", "send", "text", "cust-0001", "1", "hi"],
    ))
    .await;
    assert_eq!(run.code, 3);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "api");
    assert_eq!(error["code"], "-802");
    assert_eq!(error["happytalk_message"], "Length");
    assert_eq!(error["field"], "msg");
    assert_eq!(error["http_status"], 400);

    let kakao = answering(&fixture("kakao/failure-507.json")).await;
    let run = happytalk(&at(&kakao.uri(), &["system-messages", "k"])).await;
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("code 507"), "{}", run.stderr);
}

/// `happytalk … | head -c0`: the reader went away before anything was printed. Nothing
/// panics, and the run still ends with its own exit code (0 sent, 3 refused).
#[tokio::test]
async fn a_closed_standard_output_keeps_the_exit_code_and_does_not_panic() {
    let sent = answering(&fixture("chat/success.json")).await;
    let refused = answering(&fixture("chat/failure-802-length.json")).await;
    for (url, code) in [(sent.uri(), 0), (refused.uri(), 3)] {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"))
            .args(at(
                &url,
                &["--json", "send", "text", "cust-0001", "1", "hi"],
            ))
            .env("HT_CLIENT_ID", CLIENT_ID)
            .env("HT_CLIENT_SECRET", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        // The read end closes before the binary has reached the server, let alone printed.
        drop(child.stdout.take());
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("the binary ends")
            .expect("its output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn transport_failures_exit_4() {
    let refused = refused_url();
    let run = happytalk(&at(&refused, &["--json", "system-messages", "k"])).await;
    assert_eq!(run.code, 4);
    assert_eq!(run.json()["error"]["transport"], "connect");

    let slow = server(
        200,
        "application/json",
        &fixture("chat/success.json"),
        Duration::from_secs(5),
    )
    .await;
    let url = slow.uri();
    let run = happytalk(&at(
        &url,
        &[
            "--timeout",
            "0.3",
            "--json",
            "send",
            "text",
            "cust-0001",
            "1",
            "hi",
        ],
    ))
    .await;
    assert_eq!(run.code, 4);
    assert_eq!(run.json()["error"]["transport"], "timeout");
    assert!(
        run.stderr.contains("did not answer in time"),
        "{}",
        run.stderr
    );
    assert_eq!(
        received(&slow).await.len(),
        1,
        "a timed-out message is not sent again"
    );
}

#[tokio::test]
async fn an_undecodable_answer_exits_5() {
    let server = server(200, "text/html", "<html>maintenance</html>", Duration::ZERO).await;
    let url = server.uri();
    let run = happytalk(&at(
        &url,
        &["--json", "send", "text", "cust-0001", "1", "hi"],
    ))
    .await;
    assert_eq!(run.code, 5);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "undecodable_response");
    assert_eq!(error["http_status"], 200);
    assert!(
        run.stderr.contains("<html>maintenance</html>"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn system_messages_print_a_table_or_every_field_as_json() {
    let server = answering(&fixture("kakao/success-one.json")).await;
    let url = server.uri();
    let run = happytalk(&at(&url, &["system-messages", "example-senderKey"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("system_messages_table", run.stdout);

    let run = happytalk(&at(
        &url,
        &[
            "--json",
            "system-messages",
            "example-senderKey",
            "--id",
            "175",
        ],
    ))
    .await;
    assert_eq!(run.code, 0);
    insta::assert_yaml_snapshot!("system_messages_json", run.json());
    let requests = received(&server).await;
    let query: Vec<(String, String)> = requests[1].url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("id".into(), "175".into()),
            ("senderKey".into(), "example-senderKey".into())
        ]
    );

    let run = happytalk(&at(
        &url,
        &["system-messages", "example-senderKey", "--id", "9"],
    ))
    .await;
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "no system message 9 for sender key example-senderKey\n"
    );
    let empty = answering(&fixture("kakao/success-empty.json")).await;
    let run = happytalk(&at(&empty.uri(), &["system-messages", "k"])).await;
    assert_eq!(run.stdout, "no active system messages for sender key k\n");
}

#[tokio::test]
async fn a_command_line_that_does_not_parse_exits_2() {
    for args in [
        vec!["frobnicate"],
        vec!["send", "sms", "a", "b", "c"],
        vec!["send", "text", "cust-0001"],
        vec![
            "--host-url",
            "chat=http://127.0.0.1:9",
            "system-messages",
            "k",
        ],
        vec!["--timeout", "0", "system-messages", "k"],
        vec!["--env", "staging", "system-messages", "k"],
    ] {
        let run = happytalk(&args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
    }
    let bare = happytalk(&[]).await;
    assert_eq!(bare.code, 2);
    assert!(
        bare.stderr.contains("Usage: happytalk [OPTIONS] <COMMAND>"),
        "{}",
        bare.stderr
    );
    let run = happytalk(&["--json", "frobnicate"]).await;
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["kind"], "usage");
    // No flag takes the secret.
    let run = happytalk(&["--client-secret", "x", "system-messages", "k"]).await;
    assert_eq!(run.code, 2);
}

#[tokio::test]
async fn mock_serve_is_a_sandbox_the_cli_can_use_and_ctrl_c_stops_it() {
    use tokio::io::AsyncBufReadExt;

    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"))
        .args(["mock", "serve", "--port", "0"])
        .env_remove("HT_CLIENT_ID")
        .env_remove("HT_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = tokio::io::BufReader::new(serve.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("it says where it listens")
        .unwrap()
        .unwrap();
    let url = first
        .strip_prefix("HappyTalk mock listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();

    let mut lookup = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"));
    lookup
        .args(at(
            &url,
            &["--json", "system-messages", "example-senderKey"],
        ))
        .env("HT_CLIENT_ID", "mock-client-id")
        .env("HT_CLIENT_SECRET", "mock-client-secret");
    let output = lookup.output().await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found["data"][0]["id"], 175, "the docs' example is seeded");
    // A KakaoTalk customer has written (the spec's example one): a send to them is taken.
    let mut banner = Vec::new();
    while banner.len() < 5 {
        banner.push(lines.next_line().await.unwrap().unwrap());
    }
    let session = banner
        .iter()
        .find_map(|line| line.strip_prefix("  an open KakaoTalk session "))
        .unwrap_or_else(|| panic!("{banner:?}"));
    let words: Vec<&str> = session.split(' ').collect();
    let (user_key, sender_key) = (words[3], words[7]);
    let host_url = format!("kakao={url}/kakao");
    let mut send = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"));
    send.args(at(
        &url,
        &["--host-url", &host_url, "kakao", "send", "text"],
    ))
    .args([sender_key, user_key, "안녕하세요"])
    .env("HT_CLIENT_ID", "mock-client-id")
    .env("HT_CLIENT_SECRET", "mock-client-secret");
    let sent = send.output().await.unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );

    let pid = serve.id().expect("running").to_string();
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = tokio::time::timeout(Duration::from_secs(30), serve.wait())
        .await
        .expect("Ctrl-C stops it")
        .unwrap();
    assert!(status.success(), "a clean stop: {status:?}");
    let mut rest = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        rest.push(line);
    }
    assert!(
        rest.last()
            .is_some_and(|l| l.starts_with("stopped after 2 requests (")),
        "{rest:?}"
    );
}

/// A loopback URL nothing listens on (a port just freed): connections are refused.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    format!("http://{}", listener.local_addr().expect("its address"))
}

/// A mock HappyTalk that accepts this file's credentials.
async fn mock() -> happytalk_mock::MockHappyTalk {
    happytalk_mock::MockHappyTalk::builder()
        .credentials(CLIENT_ID, SECRET)
        .start()
        .await
        .expect("a loopback port")
}

/// The JSON body of the last request the mock received.
fn last_body(mock: &happytalk_mock::MockHappyTalk) -> Value {
    mock.received()
        .last()
        .and_then(|request| request.body.clone())
        .expect("a request with a JSON body")
}

#[tokio::test]
async fn room_open_sends_every_field_it_is_given_and_prints_the_room() {
    let mock = mock().await;
    let url = mock.uri();
    let run = happytalk(&at(
        &url,
        &[
            "room",
            "open",
            "cust-0001",
            "--title",
            "배송 문의",
            "--category-id",
            "3",
            "--phone-os",
            "A",
            "--param",
            "1=vip",
            "--param",
            "10=app",
            "--force",
        ],
    ))
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "opened room 1000001\ncounsellor: 김상담\n\
         the customer was shown: 상담이 시작되었습니다. 무엇을 도와드릴까요?\n"
    );
    // Ints as JSON integers, the force flag as T, parameters by number; nothing else.
    assert_eq!(
        last_body(&mock),
        serde_json::json!({
            "uuid": "cust-0001", "title": "배송 문의", "category_id": 3, "phone_os": "A",
            "parameter1": "vip", "parameter10": "app", "is_room_create_force": "T"
        })
    );
    let json = happytalk(&at(&url, &["--json", "room", "open", "cust-0002"])).await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(
        json.json(),
        serde_json::json!({
            "room_id": "1000002",
            "counselor_name": "김상담",
            "notice": "상담이 시작되었습니다. 무엇을 도와드릴까요?"
        })
    );
    mock.assert_no_violations();
}

#[tokio::test]
async fn room_open_refuses_bad_values_with_exit_2_before_sending() {
    let mock = mock().await;
    let url = mock.uri();
    let long_title = "가".repeat(101);
    for (args, says) in [
        (
            vec!["--param", "11=x"],
            "`parameter` is numbered 1 to 10; got \"11\"",
        ),
        (
            vec!["--category-id", "three"],
            "`category_id` must be an integer; got \"three\"",
        ),
        (
            vec!["--phone-os", "X"],
            "`phone_os` must be one of A, I, W; got \"X\"",
        ),
        (
            vec!["--title", long_title.as_str()],
            "`title` must be at most 100 characters; got 101 characters",
        ),
        (
            vec!["--param", "2=private-value-of-more"],
            "`parameter2` must be at most 20 characters; got 21 characters",
        ),
    ] {
        let mut full = vec!["room", "open", "cust-0001"];
        full.extend(args.iter().copied());
        let run = happytalk(&at(&url, &full)).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("private-value"),
            "personal data is not echoed"
        );
    }
    let short = happytalk(&at(&url, &["--json", "room", "open", "abc"])).await;
    assert_eq!(short.code, 2);
    assert_eq!(short.json()["error"]["field"], "uuid");
    assert!(mock.received().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_refused_open_exits_3_with_its_code_and_notice() {
    let mock = mock().await;
    mock.on(happytalk_mock::Match::customer("cust-0001")).reply(
        happytalk_mock::Reply::counselling(
            happytalk_ext::BizResultCode::OutsideHoursNotAccepted,
            "지금은 상담 시간이 아닙니다.",
        ),
    );
    let run = happytalk(&at(&mock.uri(), &["--json", "room", "open", "cust-0001"])).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("code -901"), "{}", run.stderr);
    assert!(
        run.stderr.contains("지금은 상담 시간이 아닙니다."),
        "{}",
        run.stderr
    );
    let error = &run.json()["error"];
    assert_eq!(
        (&error["code"], &error["notice"], &error["operation"]),
        (
            &serde_json::json!("-901"),
            &serde_json::json!("지금은 상담 시간이 아닙니다."),
            &serde_json::json!("open_room")
        )
    );
    mock.on(happytalk_mock::Match::Any)
        .reply(happytalk_mock::Reply::html(502, "<html>Bad Gateway</html>"));
    let broken = happytalk(&at(&mock.uri(), &["room", "open", "cust-0002"])).await;
    assert_eq!(broken.code, 5, "{}", broken.stderr);
}

#[tokio::test]
async fn room_end_ends_a_room_once_and_a_second_end_exits_3() {
    let mock = mock().await;
    mock.add_room("cust-0001", "1234567");
    let url = mock.uri();
    let run = happytalk(&at(
        &url,
        &["room", "end", "cust-0001", "1234567", "--by", "customer"],
    ))
    .await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "ended room 1234567\n"),
        "{}",
        run.stderr
    );
    assert_eq!(
        last_body(&mock),
        serde_json::json!({"uuid": "cust-0001", "room_id": "1234567", "end_type": 1}),
        "end_type is an integer"
    );
    let again = happytalk(&at(
        &url,
        &["--json", "room", "end", "cust-0001", "1234567"],
    ))
    .await;
    assert_eq!(again.code, 3, "{}", again.stderr);
    assert_eq!(again.json()["error"]["code"], "-700");
    let unknown_who = happytalk(&at(&url, &["room", "end", "cust-0001", "1", "--by", "bot"])).await;
    assert_eq!(unknown_who.code, 2);
    assert!(
        unknown_who.stderr.contains("counselor, customer, manager"),
        "{}",
        unknown_who.stderr
    );
    let gone = happytalk(&[
        "--base-url",
        &refused_url(),
        "room",
        "end",
        "cust-0001",
        "1",
    ])
    .await;
    assert_eq!(gone.code, 4, "{}", gone.stderr);
}

#[tokio::test]
async fn counselor_prints_the_previous_counsellors_availability() {
    let mock = mock().await;
    mock.set_previous_counselor(
        "cust-0001",
        happytalk_ext::CounselorAvailability::Available,
        Some("김상담"),
    );
    let url = mock.uri();
    let run = happytalk(&at(&url, &["counselor", "cust-0001", "member-1"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "previous counsellor 김상담: can counsel the customer now (상담 가능) (counselor_code 1)\n"
    );
    let json = happytalk(&at(&url, &["--json", "counselor", "cust-0002", "member-2"])).await;
    assert_eq!(
        json.json(),
        serde_json::json!({
            "available": false,
            "counselor_code": 0,
            "availability": "Unavailable",
            "counselor_name": null
        })
    );
    assert_eq!(
        last_body(&mock),
        serde_json::json!({"uuid": "cust-0002", "customer_id": "member-2"})
    );
}

/// `happytalk listen --port 0 [args]`, and the address it says it listens on.
async fn listen(args: &[&str]) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;

    let mut listen = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk"))
        .args(["listen", "--port", "0"])
        .args(args)
        .env_remove("HT_CLIENT_ID")
        .env_remove("HT_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut stderr = tokio::io::BufReader::new(listen.stderr.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(30), stderr.read_line(&mut first))
        .await
        .expect("it says where it listens")
        .unwrap();
    let url = first
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    listen.stderr = Some(stderr.into_inner());
    (listen, url)
}

/// Each line of `--json` output, read as JSON (a line that is not fails the test).
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Ctrl-C, and what the listener printed on standard output and standard error.
async fn interrupt(listen: tokio::process::Child) -> (String, String) {
    let pid = listen.id().expect("running").to_string();
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = tokio::time::timeout(Duration::from_secs(30), listen.wait_with_output())
        .await
        .expect("Ctrl-C stops it")
        .unwrap();
    assert!(output.status.success(), "a clean stop: {:?}", output.status);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    (text(output.stdout), text(output.stderr))
}

#[tokio::test]
async fn listen_prints_each_message_once_as_json_and_refusals_on_stderr() {
    let (listener, url) = listen(&["--json"]).await;
    let text = ["mock", "deliver", "--to", &url, "--msgid", "m-1", "text"];
    let text = [&text[..], &["cust_0001", "1234567", "배송이 언제 오나요?"]].concat();
    for _ in 0..2 {
        let run = happytalk(&text).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let expected =
            format!("delivered msgid m-1 to {url}/message/cust_0001: the receiver answered 200\n");
        assert_eq!(run.stdout, expected);
    }
    let image =
        happytalk_mock::Delivery::image("1234567", "https://files.example.com/a.png", 640, 480);
    let image = image.msgid("m-2").auto_end(true);
    let delivered = happytalk_mock::deliver_to(&url, "cust_0001", image)
        .await
        .unwrap();
    assert_eq!(delivered.status, 200);
    let junk = happytalk_ext::reqwest::Client::new()
        .post(format!("{url}/message/cust_0001"))
        .body("<html>")
        .send()
        .await
        .unwrap();
    assert_eq!(junk.status().as_u16(), 400);

    let (stdout, stderr) = interrupt(listener).await;
    let printed = json_lines(&stdout);
    assert_eq!(
        printed,
        [
            serde_json::json!({"family": "biz", "uuid": "cust_0001", "room_id": "1234567", "msgid": "m-1",
                "type": "text", "auto_end": false,
                "content": {"kind": "text", "text": "배송이 언제 오나요?"}}),
            serde_json::json!({"family": "biz", "uuid": "cust_0001", "room_id": "1234567", "msgid": "m-2",
                "type": "image", "auto_end": true,
                "content": {"kind": "image", "width": 640, "height": 480,
                            "url": "https://files.example.com/a.png"}}),
        ],
        "one line a message, the redelivery once"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "redelivered msgid \"m-1\" (room 1234567): answered 200, not printed again",
            "refused with 400: the body is not a JSON object: expected value at line 1 column 1",
            "stopped after 2 printed, 1 redelivered, 1 refused",
        ]
    );
}

/// `listen` serves both families on one port: the KakaoTalk callbacks `mock deliver kakao`
/// posts are printed once each (a redelivered serial number once in all), with their family,
/// callback and fields, the serial number's digits exact; Biz lines keep theirs.
#[tokio::test]
async fn listen_prints_kakao_callbacks_once_beside_biz_messages() {
    const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    let (listener, url) = listen(&["--json"]).await;
    let kakao = ["mock", "deliver", "--to", &url, "kakao"];
    let text = [&kakao[..], &["text", SENDER, "user-1", "안녕하세요"]].concat();
    let text = [
        &text[..],
        &["--serial", "1689884130894833201", "--session", "s-9"],
    ]
    .concat();
    for _ in 0..2 {
        let run = happytalk(&text).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let expected = format!(
            "delivered serial number 1689884130894833201 to {url}/message: the receiver answered 200\n"
        );
        assert_eq!(run.stdout, expected);
    }
    let end = [
        &kakao[..],
        &["end", SENDER, "user-1", "--session", "s-9", "--json"],
    ]
    .concat();
    let ended = happytalk(&end).await;
    assert_eq!(ended.code, 0, "{}", ended.stderr);
    assert_eq!(ended.json()["session_id"], "s-9");
    let biz = [
        "mock",
        "deliver",
        "--to",
        &url,
        "--msgid",
        "m-1",
        "text",
        "cust_0001",
        "1",
        "hi",
    ];
    assert_eq!(happytalk(&biz).await.code, 0);
    let incomplete = happytalk_ext::reqwest::Client::new()
        .post(format!("{url}/expired_session"))
        .json(&serde_json::json!({"user_key": "user-1", "sender_key": SENDER}))
        .send()
        .await
        .unwrap();
    assert_eq!(incomplete.status().as_u16(), 400);

    let (stdout, stderr) = interrupt(listener).await;
    let printed = json_lines(&stdout);
    assert_eq!(printed.len(), 3, "{stdout}");
    let message = &printed[0];
    assert_eq!(
        (
            &message["family"],
            &message["callback"],
            &message["serial_number"]
        ),
        (
            &json!("kakao"),
            &json!("message"),
            &json!("1689884130894833201")
        )
    );
    assert_eq!(
        (
            &message["user_key"],
            &message["sender_key"],
            &message["session_id"]
        ),
        (&json!("user-1"), &json!(SENDER), &json!("s-9"))
    );
    assert_eq!(
        (&message["type"], &message["content"]),
        (&json!("text"), &json!("안녕하세요"))
    );
    assert_eq!(
        (&printed[1]["callback"], &printed[1]["session_id"]),
        (&json!("expired_session"), &json!("s-9"))
    );
    assert_eq!(
        (&printed[2]["family"], &printed[2]["msgid"]),
        (&json!("biz"), &json!("m-1"))
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("redelivered kakao_message {SENDER}/1689884130894833201: answered 200, not printed again").as_str(),
            "refused with 400: `session_id` is missing",
            "stopped after 3 printed, 1 redelivered, 1 refused",
        ]
    );
}

#[tokio::test]
async fn listen_prints_messages_as_text() {
    let (listener, url) = listen(&[]).await;
    let file = [
        "mock",
        "deliver",
        "--to",
        &url,
        "--msgid",
        "f-1",
        "--auto-end",
        "file",
        "cust_0001",
        "1234567",
        "영수증입니다",
        "https://files.example.com/r.pdf",
    ];
    assert_eq!(happytalk(&file).await.code, 0);
    let (stdout, _) = interrupt(listener).await;
    assert_eq!(
        stdout,
        "room 1234567 · customer cust_0001 · msgid f-1 · type file (the room was ended \
         automatically)\n  영수증입니다\n  file [다운로드] https://files.example.com/r.pdf\n"
    );
}

#[tokio::test]
async fn mock_deliver_posts_the_documented_body_and_exits_3_or_4_when_not_taken() {
    let server = server(503, "text/plain", "busy", Duration::ZERO).await;
    let args = [
        "--json",
        "mock",
        "deliver",
        "--to",
        &server.uri(),
        "--msgid",
        "m-9",
        "image",
        "cust_0001",
        "1234567",
        "https://files.example.com/a.png",
        "--width",
        "10",
        "--height",
        "20",
    ];
    let run = happytalk(&args).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    let url = format!("{}/message/cust_0001", server.uri());
    assert_eq!(
        run.json(),
        serde_json::json!({"error": {"kind": "not_accepted", "http_status": 503, "url": url,
            "msgid": "m-9", "body": "busy",
            "message": format!("the receiver at {url} answered 503, not a 2xx, to msgid m-9: \"busy\"")}})
    );
    let posted = received(&server).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].method.as_str(), "POST");
    assert_eq!(posted[0].url.path(), "/message/cust_0001");
    assert_eq!(
        body_of(&posted[0]),
        serde_json::json!({"uuid": "cust_0001", "room_id": "1234567", "type": "image",
            "msgid": "m-9", "content": "", "auto_end": "N",
            "image": {"width": 10, "height": 20, "url": "https://files.example.com/a.png"}})
    );

    let closed = refused_url();
    let run = happytalk(&[
        "mock",
        "deliver",
        "--to",
        &closed,
        "text",
        "cust_0001",
        "1",
        "hi",
    ])
    .await;
    assert_eq!(run.code, 4);
    assert!(
        run.stderr
            .starts_with("error: the receiver could not be reached: "),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn mock_deliver_gives_up_after_the_timeout() {
    // A receiver that takes the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            open.push(connection);
        }
    });
    let args = [
        "--json",
        "--timeout",
        "0.5",
        "mock",
        "deliver",
        "--to",
        &url,
        "text",
        "cust_0001",
        "1",
        "hi",
    ];
    let run = happytalk(&args).await;
    held.abort();
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(run.json()["error"]["transport"], "timeout");
    assert_eq!(
        run.stderr,
        "error: the receiver did not answer within 500ms\n"
    );
}

/// `happytalk call` reaches every operation of the table with no code of its own: the list,
/// each operation's fields, and a call checked, sent and answered through the generic path.
#[tokio::test]
async fn call_lists_every_operation_and_sends_any_through_the_mock() {
    use happytalk_ext::happytalk_api::OPERATIONS;

    let listed = happytalk(&["call", "--list"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed_json = happytalk(&["call", "--list", "--json"]).await.json();
    let listed_json = listed_json.as_array().expect("an array");
    assert_eq!(listed_json.len(), OPERATIONS.len());
    for (operation, shown) in OPERATIONS.iter().zip(listed_json) {
        assert!(listed.stdout.contains(operation.id), "{}", listed.stdout);
        assert!(listed.stdout.contains(operation.path), "{}", listed.stdout);
        assert_eq!(shown["id"], operation.id);
        assert_eq!(shown["method"], operation.method);
        assert_eq!(shown["path"], operation.path);
        assert_eq!(shown["family"], operation.host.name());
    }

    // A mock accepting the credentials every run here has (`happytalk` also checks that no
    // run prints the secret).
    let mock = happytalk_mock::MockHappyTalk::builder()
        .credentials(CLIENT_ID, SECRET)
        .start()
        .await
        .unwrap();
    mock.add_docs_example();
    let url = mock.uri();
    // A string field and a JSON number (`category_id:=3`); the answer as JSON.
    let opened = happytalk(&at(
        &url,
        &[
            "call",
            "--json",
            "open_room",
            "uuid=cust-0042",
            "category_id:=3",
        ],
    ))
    .await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let answer = opened.json();
    assert_eq!(answer["code"], 0);
    let room_id = answer["room_id"].as_str().expect("the room").to_owned();
    assert_eq!(mock.received().len(), 1);
    assert_eq!(mock.received()[0].body.as_ref().unwrap()["category_id"], 3);
    // Human output: the answer, readable.
    let sent = happytalk(&at(
        &url,
        &[
            "call",
            "send_message",
            "uuid=cust-0042",
            &format!("room_id={room_id}"),
            "type=text",
            "msg=안녕하세요",
        ],
    ))
    .await;
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    assert!(sent.stdout.contains(&room_id), "{}", sent.stdout);
    // A query field, by name as the spec has it.
    // `--json` after the fields is the global flag, not a field.
    let looked_up = happytalk(&at(
        &url,
        &[
            "call",
            "system_messages",
            "senderKey=example-senderKey",
            "--json",
        ],
    ))
    .await;
    assert_eq!(looked_up.code, 0, "{}", looked_up.stderr);
    assert_eq!(looked_up.json()["code"], "200");
    // A refusal: exit 3 with its code.
    let refused = happytalk(&at(
        &url,
        &["call", "end_room", "uuid=cust-0042", "room_id=404"],
    ))
    .await;
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(refused.stderr.contains("-702"), "{}", refused.stderr);

    // Nothing invalid leaves: too short a uuid, a field the operation lacks, a required field
    // left out, a value that is not JSON, an unknown operation: exit 2, no request.
    let before = mock.received().len();
    for (args, said) in [
        (
            vec!["open_room", "uuid=abc"],
            "`uuid` must be 5 to 20 characters",
        ),
        (
            vec!["open_room", "uuid=cust-0042", "colour=red"],
            "`field` must name a field",
        ),
        (
            vec!["send_message", "uuid=cust-0042", "room_id=1", "type=text"],
            "`msg` is required when `type` is text",
        ),
        (
            vec!["open_room", "uuid=cust-0042", "category_id:=three"],
            "is not JSON",
        ),
        (vec!["open_room", "category_id:=3"], "`uuid` is required"),
        (vec!["no_such_operation"], "no operation is called"),
    ] {
        let mut args = args;
        args.insert(0, "call");
        let refused = happytalk(&at(&url, &args)).await;
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.contains(said),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(mock.received().len(), before, "nothing invalid was sent");
}

/// `happytalk kakao`: a customer answered with a text (given, and from standard input), an
/// image and a file from local files (uploaded, then sent; the bytes arrive exactly), and the
/// session ended; `--json` carries the serial number used; a refusal exits 3 with its code and
/// meaning; a bad value or an unreadable file exits 2 with nothing sent.
#[tokio::test]
async fn kakao_answers_a_customer_and_ends_the_session() {
    const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    const USER: &str = "kakao-user-0001";
    let mock = mock().await;
    let session = mock.open_kakao_session(SENDER, USER);
    let (root, kakao) = (
        mock.uri(),
        format!("kakao={}", mock.uri_of(happytalk_ext::HostFamily::Kakao)),
    );
    let with = |rest: &[&'static str]| -> Vec<String> {
        let mut args = vec![
            "--base-url".to_owned(),
            root.clone(),
            "--host-url".to_owned(),
            kakao.clone(),
        ];
        args.extend(rest.iter().map(|arg| (*arg).to_owned()));
        args
    };
    let kakao_run = |args: Vec<String>, stdin: Option<&'static str>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_with(&args, Secret::Environment, stdin).await
    };

    let text = kakao_run(
        with(&[
            "kakao",
            "send",
            "text",
            SENDER,
            USER,
            "안녕하세요",
            "--serial",
            "s-1",
            "--json",
        ]),
        None,
    )
    .await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert_eq!(text.json()["serial_number"], "s-1");
    let piped = kakao_run(
        with(&["kakao", "send", "text", SENDER, USER, "-"]),
        Some("표준 입력에서\n"),
    )
    .await;
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped
            .stdout
            .starts_with(&format!("sent to {USER} of {SENDER} as serial ht")),
        "{}",
        piped.stdout
    );
    assert_eq!(last_body(&mock)["message"], "표준 입력에서");

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("happytalk-cli-kakao-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let image_bytes = b"\x89PNG\r\n\x1a\n\x00\xff\xfe image bytes".to_vec();
    std::fs::write(dir.join("photo.png"), &image_bytes).unwrap();
    std::fs::write(dir.join("receipt.pdf"), b"%PDF-1.7 receipt").unwrap();
    let path = |name: &str| dir.join(name).display().to_string();
    let (image_path, file_path) = (path("photo.png"), path("receipt.pdf"));
    let mut args = with(&["kakao", "send", "image", SENDER, USER]);
    args.extend([image_path, "--json".to_owned()]);
    let image = kakao_run(args, None).await;
    assert_eq!(image.code, 0, "{}", image.stderr);
    let url = image.json()["media_url"].as_str().unwrap().to_owned();
    assert_eq!(
        mock.kakao_media(&url).unwrap().bytes.as_ref(),
        image_bytes.as_slice()
    );
    assert_eq!(last_body(&mock)["image_url"], url.as_str());
    let mut args = with(&["kakao", "send", "file", SENDER, USER]);
    args.push(file_path);
    let file = kakao_run(args, None).await;
    assert_eq!(file.code, 0, "{}", file.stderr);
    assert_eq!(last_body(&mock)["file_name"], "receipt.pdf");
    assert_eq!(last_body(&mock)["file_size"], 16);

    // Refused before the wire: a serial number too long, a file that is not there.
    let sent = mock.received().len();
    let long = kakao_run(
        with(&[
            "kakao",
            "send",
            "text",
            SENDER,
            USER,
            "hi",
            "--serial",
            "0123456789012345678901234567890",
        ]),
        None,
    )
    .await;
    assert_eq!(long.code, 2, "{}", long.stderr);
    assert!(long.stderr.contains("serial_number"), "{}", long.stderr);
    let missing = kakao_run(
        with(&["kakao", "send", "file", SENDER, USER, "/no/such/file.pdf"]),
        None,
    )
    .await;
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("/no/such/file.pdf"),
        "{}",
        missing.stderr
    );
    assert_eq!(mock.received().len(), sent, "nothing was sent");

    let ended = kakao_run(with(&["kakao", "end", SENDER, USER, "--json"]), None).await;
    assert_eq!(ended.code, 0, "{}", ended.stderr);
    assert_eq!(ended.json()["session_id"], session.as_str());
    // The session is over: a send is refused with HappyTalk's code and its meaning.
    let over = kakao_run(
        with(&["kakao", "send", "text", SENDER, USER, "늦은 답장", "--json"]),
        None,
    )
    .await;
    assert_eq!(over.code, 3, "{}", over.stderr);
    let error = &over.json()["error"];
    assert_eq!(error["code"], "-502");
    assert!(
        error["meaning"]
            .as_str()
            .unwrap()
            .contains("session is over"),
        "{error}"
    );
    // Nothing listening: a transport failure, exit 4.
    let closed = refused_url();
    let args = [
        "--base-url",
        closed.as_str(),
        "kakao",
        "send",
        "text",
        SENDER,
        USER,
        "hi",
    ];
    let unreachable = kakao_run(args.iter().map(|arg| (*arg).to_owned()).collect(), None).await;
    assert_eq!(unreachable.code, 4, "{}", unreachable.stderr);
    mock.assert_no_violations();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `listen --dedupe redis://…`: two listeners sharing one Redis print a redelivered message once
/// in all; with Redis down, a message is still printed and standard error says Redis failed.
/// Skipped (and said so) where there is no `redis-server`.
#[tokio::test]
async fn two_listens_sharing_a_redis_print_a_redelivery_once_and_survive_its_fall() {
    use std::io::Write;
    let binary =
        std::env::var("HAPPYTALK_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
    if !std::process::Command::new(&binary)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
    {
        let _ = writeln!(
            std::io::stderr(),
            "two_listens_sharing_a_redis…: SKIPPED, no redis-server ({binary})"
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = tokio::process::Command::new(&binary)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let dedupe = format!("redis://127.0.0.1:{port}");
    let (a, url_a) = listen(&["--json", "--dedupe", &dedupe]).await;
    let (b, url_b) = listen(&["--json", "--dedupe", &dedupe]).await;
    let text = happytalk_mock::KakaoDelivery::text("sender-1", "user-1", "한 번만")
        .serial_number("1689884130894833200");
    let first = happytalk_mock::deliver_kakao_to(&url_a, text)
        .await
        .unwrap();
    let mut again = first.clone();
    again.url = first.url.replace(&url_a, &url_b);
    assert_eq!(happytalk_mock::redeliver(&again).await.unwrap().status, 200);

    redis.kill().await.unwrap();
    let down = happytalk_mock::KakaoDelivery::text("sender-1", "user-1", "Redis 없이");
    let down = happytalk_mock::deliver_kakao_to(&url_b, down)
        .await
        .unwrap();
    assert_eq!(down.status, 200);

    let ((out_a, _), (out_b, err_b)) = (interrupt(a).await, interrupt(b).await);
    let printed: Vec<Value> = out_a
        .lines()
        .chain(out_b.lines())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let said: Vec<&str> = printed
        .iter()
        .filter_map(|line| line["content"].as_str())
        .collect();
    assert_eq!(said, ["한 번만", "Redis 없이"], "{out_a}{out_b}");
    assert!(
        err_b.contains("the duplicate store failed") && err_b.contains("Redis"),
        "{err_b}"
    );
}
