//! The `rustls-ring` feature reaches an HTTPS server and checks its certificate, with no
//! aws-lc in the build and no process-wide crypto provider installed.
//!
//! Run it alone, so that feature unification cannot bring aws-lc-rs back:
//! `cargo test -p happytalk-ext --no-default-features --features rustls-ring --test rustls_ring`
//! (`cargo xtask test` does, and checks with `cargo tree` that aws-lc-sys is absent).
#![cfg(feature = "rustls-ring")]

use std::sync::Arc;
use std::time::Duration;

use happytalk_ext::{
    ChatMessage, Client, Credentials, Environment, Error, RetryPolicy, RootCertificate,
    TransportErrorKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// Bound on each step of the server and on the client's request: a failure, never a hang.
const STEP: Duration = Duration::from_secs(20);
const ANSWER: &str = r#"{"code":0,"room_id":"1234567","message":""}"#;
const SECRET: &str = "s3cr3t-TOKEN-must-not-leak";

/// An HTTPS server on loopback for one connection, with a fresh self-signed certificate for
/// `localhost`; its task returns the request it read (head and body), or the handshake error.
struct Server {
    url: String,
    certificate_pem: String,
    task: JoinHandle<Result<String, String>>,
}

async fn start_server() -> Server {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a self-signed certificate");
    let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("the certificate and key match");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("the address").port();
    let task = tokio::spawn(async move {
        let (tcp, _) = timeout(STEP, listener.accept())
            .await
            .map_err(|_| "no connection".to_owned())?
            .map_err(|e| e.to_string())?;
        let mut tls = timeout(STEP, acceptor.accept(tcp))
            .await
            .map_err(|_| "handshake timed out".to_owned())?
            .map_err(|e| format!("handshake: {e}"))?;
        let mut request = Vec::new();
        let mut chunk = [0; 4096];
        // The client sends a small JSON body with Content-Length; the head and body end with
        // the closing brace of that JSON.
        while !request.ends_with(b"}") {
            let read = timeout(STEP, tls.read(&mut chunk))
                .await
                .map_err(|_| "reading timed out".to_owned())?
                .map_err(|e| e.to_string())?;
            if read == 0 || request.len() > 64 * 1024 {
                return Err("the request did not end".to_owned());
            }
            request.extend_from_slice(&chunk[..read]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{ANSWER}",
            ANSWER.len()
        );
        tls.write_all(response.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        tls.shutdown().await.map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&request).into_owned())
    });
    Server {
        url: format!("https://localhost:{port}"),
        certificate_pem: certified.cert.pem(),
        task,
    }
}

/// A client for `url`, trusting `root` if given. It does not retry: a refused handshake would be
/// retried (nothing was sent), and the server here serves one connection.
fn client(url: &str, root: Option<&str>) -> Client {
    let mut builder = Client::builder(
        Environment::custom(url).expect("a local https URL"),
        Credentials::new("test-client-id", SECRET),
    )
    .timeout(STEP)
    .retry(RetryPolicy::none());
    if let Some(pem) = root {
        builder = builder
            .add_root_certificate(RootCertificate::from_pem(pem.as_bytes()).expect("valid PEM"));
    }
    builder.build().expect("the client builds")
}

fn message() -> ChatMessage {
    ChatMessage::text("cust-0001", "1234567", "안녕하세요")
}

#[tokio::test]
async fn ring_sends_over_https_when_the_certificate_is_trusted() {
    let server = start_server().await;
    let client = client(&server.url, Some(&server.certificate_pem));

    let sent = client.send_message(&message()).await;

    assert_eq!(sent.as_deref().map_err(ToString::to_string), Ok("1234567"));
    let request = timeout(STEP, server.task)
        .await
        .expect("the server stops")
        .expect("the server does not panic")
        .expect("the server read a request");
    assert!(
        request.starts_with("POST /v1/chat/write HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.contains(&format!("ht-client-secret: {SECRET}\r\n")),
        "{request}"
    );
    // The provider was set on ext's client only: the process still has no default.
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn ring_refuses_an_untrusted_certificate_as_a_connect_error() {
    let server = start_server().await;
    let client = client(&server.url, None);

    let error = client
        .send_message(&message())
        .await
        .expect_err("a self-signed certificate that is not a root is refused");

    let Error::Transport(transport) = &error else {
        panic!("a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{error:?}");
    let server_saw = timeout(STEP, server.task)
        .await
        .expect("the server stops")
        .expect("the server does not panic");
    assert!(
        matches!(&server_saw, Err(e) if e.starts_with("handshake")),
        "{server_saw:?}"
    );
    assert!(
        format!("{:?}", error).contains("UnknownIssuer"),
        "refused for its issuer: {error:?}"
    );
}
