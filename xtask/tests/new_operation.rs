//! A new operation is a spec edit: added to a copy of the spec (on the Kakao host, three string
//! fields, a `code` answer, a request example and a `success` example), `cargo xtask generate`
//! puts it in the client and the tables, and with no other edit happytalk-ext's generic call
//! runs it (typed and by id), refusing a bad value before the wire; the mock serves it from its
//! example; `happytalk call` sends it; and the generic test of every operation covers it.
//!
//! The test works on a copy of the crates involved, in a scratch workspace beside this
//! checkout, and builds a small program there against the regenerated code. It shares this
//! checkout's target directory, so the dependencies already built are reused.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Outside, root, text};

/// `from` copied to `to`, without a target directory.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let (from, to) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

/// The operation added: a POST on the Kakao host with three constrained string fields, an
/// answer with a `code`, and the examples the generic test and the mock read.
const PATH_ITEM: &str = r#"  /kakaoWebhook/v3/bzc/chat/greeting:
    post:
      operationId: greet_customer
      summary: Greet a customer (an operation of this test only).
      x-retry: safe-to-repeat
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/GreetingRequest'
            examples:
              hello:
                value:
                  sender_key: sender-key-0001
                  user_key: user-0001
                  greeting: 안녕하세요
      responses:
        '2XX':
          $ref: '#/components/responses/GreetingResult'
        '4XX':
          $ref: '#/components/responses/GreetingResult'
        '5XX':
          $ref: '#/components/responses/GreetingResult'
"#;

const RESPONSE: &str = r#"    GreetingResult:
      description: The greeting's outcome.
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/GreetingResult'
          examples:
            success:
              value:
                code: "200"
                greeting: 안녕하세요, 무엇을 도와드릴까요?
"#;

const SCHEMAS: &str = r#"    GreetingRequest:
      type: object
      required: [sender_key, user_key, greeting]
      properties:
        sender_key:
          type: string
          minLength: 1
          maxLength: 40
        user_key:
          type: string
          minLength: 1
          maxLength: 20
        greeting:
          type: string
          minLength: 1
          maxLength: 100
    GreetingResult:
      type: object
      required: [code]
      properties:
        code:
          allOf: [{ $ref: '#/components/schemas/KakaoResultCode' }]
          x-result: code
        message:
          type: string
          x-result: message
        greeting:
          type: string
"#;

/// The probe's test, built against the regenerated crates, with no code of the new
/// operation's: ext's generic call runs it (typed, and by id with JSON fields), refuses a bad
/// value before the wire, the mock answers it, and the regenerated `happytalk call` sends it.
const PROBE: &str = r#"
use happytalk_api::requests::GreetCustomer;

#[tokio::test]
async fn the_new_operation_needs_no_code_of_its_own() {
    let example = serde_json::json!({"code": "200", "greeting": "안녕하세요, 무엇을 도와드릴까요?"});
    let mock = happytalk_mock::MockHappyTalk::start().await;
    let client = happytalk_ext::Client::new(mock.environment(), mock.credentials()).unwrap();
    let typed = client
        .call(GreetCustomer::new("sender-key-0001", "user-0001", "안녕하세요"))
        .await
        .expect("the generic call runs the new operation");
    assert_eq!(serde_json::to_value(&typed).unwrap(), example, "the example named success");
    let fields = serde_json::json!({
        "sender_key": "sender-key-0001", "user_key": "user-0001", "greeting": "안녕하세요"
    });
    let by_id = client
        .call_fields("greet_customer", fields.as_object().unwrap())
        .await
        .expect("and by its id");
    assert_eq!(by_id, example);
    let refused = client
        .call(GreetCustomer::new("sender-key-0001", "a-user-key-longer-than-20", "hi"))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("`user_key` must be 1 to 20 characters"), "{refused}");
    assert_eq!(mock.received().len(), 2, "the refused request never left");
    let cli = tokio::process::Command::new(env!("CARGO_BIN_EXE_happytalk-probe"))
        .args(["--base-url", &mock.uri(), "--json", "call", "greet_customer"])
        .args(["sender_key=sender-key-0001", "user_key=user-0001", "greeting=안녕하세요"])
        .env("HT_CLIENT_ID", happytalk_mock::DEFAULT_CLIENT_ID)
        .env("HT_CLIENT_SECRET", happytalk_mock::DEFAULT_CLIENT_SECRET)
        .output()
        .await
        .unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&cli.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&cli.stderr)));
    assert_eq!(printed, example, "happytalk call");
}
"#;

/// The probe package: the regenerated `happytalk` command (its sources, unchanged, as the
/// binary `happytalk-probe`, so that this checkout's `happytalk` in the shared target directory
/// is left alone), the test above, and the workspace's generic test of every operation
/// (`tests/tests/operations.rs`, unchanged): all built in one cargo invocation, one resolution
/// of features, so that the dependencies this checkout built are reused.
const PROBE_MANIFEST: &str = r#"[package]
name = "probe"
version = "0.0.0"
edition = "2024"
publish = false

[[bin]]
name = "happytalk-probe"
path = "../copy/happytalk-cli/src/main.rs"

[[test]]
name = "operations"
path = "../tests/tests/operations.rs"

[[test]]
name = "probe"
path = "probe.rs"

[dependencies]
happytalk-api.workspace = true
happytalk-ext = { workspace = true, features = ["axum", "redis"] }
happytalk-mock.workspace = true
axum = { workspace = true, features = ["tokio", "http1"] }
clap.workspace = true
serde_json.workspace = true
serde_norway.workspace = true
tokio = { workspace = true, features = ["rt", "rt-multi-thread", "macros", "signal", "net", "sync", "process"] }
unicode-width.workspace = true
"#;

fn run(dir: &Path, command: &mut Command) -> Output {
    let out = command.current_dir(dir).output().expect("the command runs");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

#[test]
fn an_operation_added_to_the_spec_needs_no_code_in_ext_the_cli_the_mock_or_the_tests() {
    let root = root();
    let dir = Outside::new("new-operation");
    // The crates the generated code reaches, the CLI's sources and the generic test.
    for krate in [
        "happytalk-api",
        "happytalk-ext",
        "happytalk-mock",
        "happytalk-cli",
    ] {
        let from = root.join("crates").join(krate);
        copy_tree(&from, &dir.join("crates").join(krate));
    }
    std::fs::create_dir_all(dir.join("tests/tests")).unwrap();
    std::fs::copy(
        root.join("tests/tests/operations.rs"),
        dir.join("tests/tests/operations.rs"),
    )
    .unwrap();
    // The workspace's own manifest and lock file, with these members.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = r#"members = ["crates/*", "xtask", "tests"]"#;
    assert!(
        manifest.contains(members),
        "the workspace lists its members so"
    );
    let manifest = manifest.replace(
        members,
        r#"members = ["crates/happytalk-api", "crates/happytalk-ext", "crates/happytalk-mock", "probe"]"#,
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // And its cargo configuration: the dependencies' profile is there, and with another one
    // the copy would build every dependency again instead of sharing this checkout's.
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::copy(
        root.join(".cargo/config.toml"),
        dir.join(".cargo/config.toml"),
    )
    .unwrap();

    // The spec, with one operation more in the Kakao document: its path, its answer and its
    // two schemas.
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    std::fs::copy(root.join("spec/biz.yaml"), dir.join("spec/biz.yaml")).unwrap();
    let spec = std::fs::read_to_string(root.join("spec/kakao.yaml")).unwrap();
    let mut edited = spec.clone();
    for (before, added) in [
        ("\n    KakaoResultCode:\n", SCHEMAS),
        ("\n  responses:\n", RESPONSE),
        ("\n  /kakaoWebhook/v3/bzmc/sm:\n", PATH_ITEM),
    ] {
        let at = edited.find(before).expect(before) + 1;
        let at = if before == "\n  responses:\n" {
            at + before.len() - 1
        } else {
            at
        };
        edited.insert_str(at, added);
    }
    std::fs::write(dir.join("spec/kakao.yaml"), edited).unwrap();

    // Regenerated: the client has the method, the tables the operation and its request.
    let generate = run(
        &dir,
        Command::new(env!("CARGO_BIN_EXE_xtask")).arg("generate"),
    );
    let report = text(&generate.stdout);
    assert!(
        report.contains("wrote crates/happytalk-api/src/tables.rs"),
        "{report}"
    );
    let tables = std::fs::read_to_string(dir.join("crates/happytalk-api/src/tables.rs")).unwrap();
    assert!(
        tables.contains("pub const GREET_CUSTOMER: Operation")
            && tables.contains("impl crate::operation::Request for GreetCustomer"),
        "{tables}"
    );

    // Built from elsewhere than `crates/`: cargo names a workspace crate's build by its path
    // in the workspace, and the copies built under the same names would replace this
    // checkout's own in the shared target directory.
    std::fs::rename(dir.join("crates"), dir.join("copy")).unwrap();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let manifest = manifest
        .replace("path = \"crates/", "path = \"copy/")
        .replace("\"crates/happytalk-", "\"copy/happytalk-");
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir_all(dir.join("probe")).unwrap();
    std::fs::write(dir.join("probe/Cargo.toml"), PROBE_MANIFEST).unwrap();
    std::fs::write(dir.join("probe/probe.rs"), PROBE).unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // The probe's own test, and the generic test of every operation, which covers the new one
    // unchanged.
    let tested = run(
        &dir,
        Command::new(&cargo)
            .args([
                "test",
                "--offline",
                "-p",
                "probe",
                "--test",
                "probe",
                "--test",
                "operations",
            ])
            .env("CARGO_TARGET_DIR", &target),
    );
    let out = text(&tested.stdout);
    assert!(
        out.contains("test the_new_operation_needs_no_code_of_its_own ... ok")
            && out.contains("test every_documented_request_of_every_operation_is_answered_with_its_success ... ok")
            && out.matches("test result: ok").count() == 2,
        "{out}"
    );
}
