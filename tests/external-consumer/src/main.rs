//! A user's program: depends on `happytalk-ext` (default features) from outside the
//! happytalk-rs workspace, sends one text message to a local plain-HTTP server and checks
//! what the server received. Exits 0 on success; prints the failure and exits 1 otherwise.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use happytalk_ext::{ChatMessage, Client, Credentials, Environment};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Bound on every await of the server and on the client's request.
const STEP: Duration = Duration::from_secs(10);
/// The most a request may be; a larger one is a failure, not a hang.
const MAX_REQUEST: usize = 64 * 1024;
/// The success answer of `/v1/chat/write`.
const ANSWER: &str = r#"{"code":0,"room_id":"1234567","message":""}"#;

/// The request as the server read it.
struct Received {
    request_line: String,
    body: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("external consumer failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("the bound address: {e}"))?
        .port();
    let server = tokio::spawn(serve_one(listener));

    let url = format!("http://127.0.0.1:{port}");
    let environment = Environment::custom(&url).map_err(|e| e.to_string())?;
    let client = Client::builder(
        environment,
        Credentials::new("consumer-id", "consumer-secret"),
    )
    .timeout(STEP)
    .build()
    .map_err(|e| e.to_string())?;
    let message = ChatMessage::text("cust-0001", "1234567", "안녕하세요");
    let room_id = client
        .send_message(&message)
        .await
        .map_err(|e| format!("send_message: {e}"))?;

    let received = timeout(STEP, server)
        .await
        .map_err(|_| "the server did not finish in time".to_owned())?
        .map_err(|e| format!("the server task: {e}"))??;

    if room_id != "1234567" {
        return Err(format!("expected room 1234567, got {room_id:?}"));
    }
    if received.request_line != "POST /v1/chat/write HTTP/1.1" {
        return Err(format!(
            "unexpected request line {:?}",
            received.request_line
        ));
    }
    check_body(&received.body)?;
    Ok(format!(
        "external consumer: sent into room {room_id} via {url}"
    ))
}

/// The body is exactly a JSON object of these four members, in any order. (Compared as text so
/// that this crate needs nothing but happytalk-ext and tokio.)
fn check_body(body: &str) -> Result<(), String> {
    let members = [
        r#""uuid":"cust-0001""#,
        r#""room_id":"1234567""#,
        r#""type":"text""#,
        r#""msg":"안녕하세요""#,
    ];
    let exact_length = 2 + members.iter().map(|m| m.len()).sum::<usize>() + members.len() - 1;
    let ok = body.starts_with('{')
        && body.ends_with('}')
        && body.len() == exact_length
        && members.iter().all(|member| body.contains(member));
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected request body {body:?}"))
    }
}

/// Accepts one connection, reads one HTTP/1.1 request and answers with the success JSON.
async fn serve_one(listener: TcpListener) -> Result<Received, String> {
    let (mut stream, _) = timeout(STEP, listener.accept())
        .await
        .map_err(|_| "no connection arrived in time".to_owned())?
        .map_err(|e| format!("accept: {e}"))?;
    let received = read_request(&mut stream).await?;
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{ANSWER}",
        ANSWER.len()
    );
    timeout(STEP, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await
    .map_err(|_| "writing the answer timed out".to_owned())?
    .map_err(|e| format!("writing the answer: {e}"))?;
    Ok(received)
}

/// Reads the head up to `\r\n\r\n`, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> Result<Received, String> {
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
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut length = 0;
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| format!("Content-Length {value:?}"))?;
        }
    }
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        read_more(stream, &mut buffer).await?;
    }
    let body = String::from_utf8(buffer[body_start..body_start + length].to_vec())
        .map_err(|_| "the request body is not UTF-8".to_owned())?;
    Ok(Received { request_line, body })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<(), String> {
    if buffer.len() > MAX_REQUEST {
        return Err(format!("the request exceeds {MAX_REQUEST} bytes"));
    }
    let mut chunk = [0; 4096];
    let read = timeout(STEP, stream.read(&mut chunk))
        .await
        .map_err(|_| "reading the request timed out".to_owned())?
        .map_err(|e| format!("reading the request: {e}"))?;
    if read == 0 {
        return Err("the connection closed before the request was complete".to_owned());
    }
    buffer.extend_from_slice(&chunk[..read]);
    Ok(())
}
