//! Shared pieces of the workspace tests: fixtures copied from HappyTalk's docs, the spec, known
//! credentials and a faithful rendering of what a local server received.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use happytalk_ext::{Client, Credentials, Environment};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The client id every test sends.
pub const CLIENT_ID: &str = "test-client-id";
/// The client secret every test sends; no snapshot, `Debug` or error may contain it.
pub const CLIENT_SECRET: &str = "s3cr3t-TOKEN-must-not-leak";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// A fixture file under `tests/fixtures/`, as text.
pub fn fixture(name: &str) -> String {
    let path = root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The spec's documents (`spec/<family>.yaml`, one per API family), each parsed by `openapiv3`
/// as the generator reads it.
pub fn openapi() -> Vec<openapiv3::OpenAPI> {
    spec_texts()
        .iter()
        .map(|(file, text)| {
            serde_norway::from_str(text)
                .unwrap_or_else(|e| panic!("{file} is an OpenAPI 3.0 document: {e}"))
        })
        .collect()
}

/// The spec as plain JSON, for reading vendor extensions: every document's `components`
/// together (their names are unique across the documents), under `components`.
pub fn spec_json() -> serde_json::Value {
    let mut components = serde_json::Map::new();
    for document in spec_documents().values() {
        for (kind, named) in document["components"].as_object().into_iter().flatten() {
            let union = components
                .entry(kind.clone())
                .or_insert_with(|| serde_json::json!({}));
            for (name, value) in named.as_object().into_iter().flatten() {
                union[name] = value.clone();
            }
        }
    }
    serde_json::json!({ "components": components })
}

/// The document of each family, as JSON, by the family's name.
pub fn spec_documents() -> BTreeMap<String, serde_json::Value> {
    spec_texts()
        .into_iter()
        .map(|(file, text)| {
            let family = file.trim_end_matches(".yaml").to_owned();
            let json = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            (family, json)
        })
        .collect()
}

/// The path item of `operation`, from its family's document.
pub fn path_item(operation: &happytalk_api::Operation) -> serde_json::Value {
    spec_documents()[operation.host.name()]["paths"][operation.path].clone()
}

/// `spec/*.yaml`, by file name.
fn spec_texts() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("spec"))
        .expect("spec/")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let file = path.file_name()?.to_str()?.to_owned();
            file.ends_with(".yaml").then(|| {
                (
                    file,
                    std::fs::read_to_string(&path).expect("a spec document"),
                )
            })
        })
        .collect();
    files.sort();
    files
}

/// The test credentials.
pub fn credentials() -> Credentials {
    Credentials::new(CLIENT_ID, CLIENT_SECRET)
}

/// A client whose Biz and Kakao hosts are both `base_url` (a local server).
pub fn client_for(base_url: &str) -> Client {
    Client::new(
        Environment::custom(base_url).expect("a local base URL"),
        credentials(),
    )
    .expect("the test client builds")
}

/// A local server answering every request with `status` and `body` (as `content_type`) after
/// `delay`.
pub async fn server_answering_with(
    status: u16,
    content_type: &str,
    body: &str,
    delay: Duration,
) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(status)
                .set_body_raw(body.as_bytes().to_vec(), content_type)
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

/// A local server answering every request at once with `status` and the JSON `body`.
pub async fn server_answering(status: u16, body: &str) -> wiremock::MockServer {
    server_answering_with(status, "application/json", body, Duration::ZERO).await
}

/// A base URL on loopback where nothing listens (a port that was just free).
pub fn refused_base_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A request as a local server received it, in a stable form for snapshots: the host's port
/// and the secret are replaced (a separate assertion checks the real secret was sent).
#[derive(Debug, Serialize)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// The query string exactly as it went over the wire (percent-encoding included).
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON when it is JSON, else as text.
    pub body: serde_json::Value,
}

impl ReceivedRequest {
    /// Renders what `wiremock` recorded. A header sent twice fails the test: the map below
    /// would hide it.
    pub fn from_wiremock(request: &wiremock::Request) -> Self {
        for name in request.headers.keys() {
            assert_eq!(
                request.headers.get_all(name).iter().count(),
                1,
                "header {name} was sent more than once"
            );
        }
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match name.as_str() {
                    "host" => "127.0.0.1:[port]".to_owned(),
                    "ht-client-secret" => "[secret]".to_owned(),
                    _ => String::from_utf8_lossy(value.as_bytes()).into_owned(),
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        let body = if request.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&request.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&request.body).into_owned())
            })
        };
        Self {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(str::to_owned),
            headers,
            body,
        }
    }
}

/// The value of a header as sent, for asserting the real secret went out.
pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Bound on each read of [`read_request`], so that a test fails instead of hanging.
const READ_STEP: Duration = Duration::from_secs(10);
/// The most a request may be (head and body); a larger one is a test failure, not a hang.
const MAX_REQUEST: usize = 64 * 1024;

/// One HTTP/1.1 request as the server read it. Header names are lower case.
#[derive(Debug)]
pub struct RawRequest {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// Reads the head up to `\r\n\r\n`, then `Content-Length` bytes of body.
pub async fn read_request(stream: &mut (impl AsyncRead + Unpin)) -> Result<RawRequest, String> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        read_more(stream, &mut buffer).await?;
    };
    let head = std::str::from_utf8(&buffer[..head_end])
        .map_err(|_| "the request head is not UTF-8".to_owned())?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = match headers.get("content-length") {
        Some(value) => value
            .parse()
            .map_err(|_| format!("Content-Length {value:?}"))?,
        None => 0,
    };
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        read_more(stream, &mut buffer).await?;
    }
    Ok(RawRequest {
        method,
        target,
        headers,
        body: buffer[body_start..body_start + length].to_vec(),
    })
}

async fn read_more(
    stream: &mut (impl AsyncRead + Unpin),
    buffer: &mut Vec<u8>,
) -> Result<(), String> {
    if buffer.len() > MAX_REQUEST {
        return Err(format!("the request exceeds {MAX_REQUEST} bytes"));
    }
    let mut chunk = [0; 4096];
    let read = tokio::time::timeout(READ_STEP, stream.read(&mut chunk))
        .await
        .map_err(|_| "reading the request timed out".to_owned())?
        .map_err(|e| format!("reading the request: {e}"))?;
    if read == 0 {
        return Err("the connection closed before the request was complete".to_owned());
    }
    buffer.extend_from_slice(&chunk[..read]);
    Ok(())
}

/// The README's Rust example compiles (rustdoc runs it as a doctest of this crate).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
