//! A new operation is a spec edit: added to a copy of the spec with an answer example named
//! `success`, `cargo xtask generate` puts it in the client and the tables, and the mock serves
//! it (checking its query field and answering the example) with no code of its own.
//!
//! The test works on a copy of the three crates involved, in a scratch workspace beside this
//! checkout, and builds a small program there against the regenerated code. It shares this
//! checkout's target directory, so the dependencies already built are reused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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

/// The operation added: a GET on the Biz host with one constrained query field and an answer
/// whose `success` example the mock is to serve.
const PATH_ITEM: &str = r#"  /v1/chat/greeting:
    x-host-family: biz
    servers:
      - url: https://biz-api.happytalk.io
        x-environment: production
      - url: https://patch-biz-api.happytalk.io
        x-environment: patch
    get:
      operationId: greet_customer
      summary: A greeting for a customer (an operation of this test only).
      x-retry: read
      parameters:
        - name: uuid
          in: query
          required: true
          schema:
            type: string
            minLength: 5
            maxLength: 20
      responses:
        '2XX':
          description: The greeting.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/GreetingResult'
              examples:
                success:
                  value:
                    code: 0
                    greeting: 안녕하세요, 무엇을 도와드릴까요?
"#;

const SCHEMA: &str = r#"    GreetingResult:
      type: object
      required: [code]
      properties:
        code:
          allOf: [{ $ref: '#/components/schemas/BizResultCode' }]
          x-result: code
        greeting:
          type: string
"#;

/// The program built against the regenerated crates: the mock serves the new operation, the
/// generated method calls it through ext's client, and it prints what came back.
const PROBE: &str = r#"
use happytalk_api::{OPERATIONS, types};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let operation = OPERATIONS
        .iter()
        .find(|operation| operation.id == "greet_customer")
        .expect("the new operation is in the table");
    let mock = happytalk_mock::MockHappyTalk::start().await;
    let client = happytalk_ext::Client::new(mock.environment(), mock.credentials()).unwrap();
    let uuid = types::GreetCustomerUuid::try_from("cust-0001").unwrap();
    let answer = client
        .api(operation.host)
        .greet_customer(&uuid)
        .await
        .expect("the mock answers the new operation")
        .into_inner();
    println!("{}", serde_json::to_string(&answer).unwrap());
    // The mock checked the field from the table: a uuid too short is refused by it.
    let refused = happytalk_ext::reqwest::Client::new()
        .get(format!("{}/v1/chat/greeting?uuid=abc", mock.uri()))
        .header("HT-Client-Id", happytalk_mock::DEFAULT_CLIENT_ID)
        .header("HT-Client-Secret", happytalk_mock::DEFAULT_CLIENT_SECRET)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    println!("{refused}");
}
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
fn an_operation_added_to_the_spec_is_served_by_the_mock_with_its_success_example() {
    let root = root();
    let dir = std::env::temp_dir().join(format!("happytalk-new-operation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for krate in ["happytalk-api", "happytalk-ext", "happytalk-mock"] {
        let from = root.join("crates").join(krate);
        copy_tree(&from, &dir.join("crates").join(krate));
    }
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

    // The spec, with one operation more.
    let spec = std::fs::read_to_string(root.join("spec/happytalk.yaml")).unwrap();
    let paths_at = spec.find("\n  /v1/chat/write:\n").expect("the send path") + 1;
    let schemas_at = spec
        .find("\n    BizResultCode:\n")
        .expect("the code schema")
        + 1;
    let mut edited = spec.clone();
    edited.insert_str(schemas_at, SCHEMA);
    edited.insert_str(paths_at, PATH_ITEM);
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    std::fs::write(dir.join("spec/happytalk.yaml"), edited).unwrap();

    // Regenerated: the client has the method, the tables the operation.
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
        tables.contains("pub const GREET_CUSTOMER: Operation"),
        "{tables}"
    );

    // No code of the mock's own: the program only calls the generated method.
    std::fs::create_dir_all(dir.join("probe/src")).unwrap();
    std::fs::write(
        dir.join("probe/Cargo.toml"),
        r#"[package]
name = "probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
happytalk-api.workspace = true
happytalk-ext.workspace = true
happytalk-mock.workspace = true
serde_json.workspace = true
tokio = { workspace = true, features = ["macros", "rt"] }
"#,
    )
    .unwrap();
    std::fs::write(dir.join("probe/src/main.rs"), PROBE).unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let probe = run(
        &dir,
        Command::new(cargo)
            .args(["run", "--quiet", "--offline", "-p", "probe"])
            .env("CARGO_TARGET_DIR", &target),
    );
    let lines: Vec<String> = text(&probe.stdout).lines().map(str::to_owned).collect();
    let [first, second] = lines.as_slice() else {
        panic!(
            "the probe prints two answers: {lines:?}\n{}",
            text(&probe.stderr)
        );
    };
    let answered: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(
        answered,
        serde_json::json!({"code": 0, "greeting": "안녕하세요, 무엇을 도와드릴까요?"}),
        "the example named success, as the spec writes it"
    );
    let refused: serde_json::Value = serde_json::from_str(second).unwrap();
    assert_eq!(refused, serde_json::json!({"code": -802}), "{second}");
    let _ = std::fs::remove_dir_all(&dir);
}
