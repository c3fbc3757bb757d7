//! `happytalk-ext` with its default features (rustls, no OpenSSL) reaches an HTTPS server, and
//! verifies its certificate: a local TLS server on loopback with a self-signed certificate is
//! reached when that certificate is added as a root, and refused when it is not.

use std::sync::Arc;
use std::time::Duration;

use happytalk_ext::{
    ChatMessage, Client, Environment, Error, RetryPolicy, RootCertificate, TransportErrorKind,
};
use happytalk_tests::{RawRequest, read_request};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// Bound on every single await of the server (accept, handshake, read, write).
const STEP: Duration = Duration::from_secs(10);
/// Bound on the client's whole request, so a test fails instead of hanging.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);
/// Bound on waiting for the server task to finish.
const SERVER_DONE: Duration = Duration::from_secs(30);
/// The success answer of `/v1/chat/write`.
const ANSWER: &str = r#"{"code":0,"room_id":"1234567","message":""}"#;

/// What the server saw over its connections.
#[derive(Debug, Default)]
struct ServerLog {
    requests: Vec<RawRequest>,
    /// Connections whose TLS handshake failed, with the server side's error.
    failed_handshakes: Vec<String>,
}

/// A TLS server on `127.0.0.1:0` with a fresh self-signed certificate for `localhost` and
/// `127.0.0.1`.
struct TlsServer {
    port: u16,
    certificate_pem: String,
    task: JoinHandle<Result<ServerLog, String>>,
}

impl TlsServer {
    /// Serves `connections` connections one after the other, then stops. It also stops when no
    /// connection arrives within [`STEP`].
    async fn start(connections: usize) -> Self {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("a self-signed certificate");
        let certificate_pem = certified.cert.pem();
        let chain = vec![certified.cert.der().clone()];
        let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));

        // The provider is named rather than taken from the process default, so the test does
        // not depend on which rustls crypto features the dependency graph enables.
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("the provider supports the default TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the certificate and key match");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("the bound address").port();
        let task = tokio::spawn(serve(listener, acceptor, connections));
        Self {
            port,
            certificate_pem,
            task,
        }
    }

    fn url(&self, host: &str) -> String {
        format!("https://{host}:{}", self.port)
    }

    /// What the server saw, once it has stopped.
    async fn log(self) -> ServerLog {
        timeout(SERVER_DONE, self.task)
            .await
            .expect("the server stops by itself")
            .expect("the server task does not panic")
            .unwrap_or_else(|e| panic!("the server failed: {e}"))
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    connections: usize,
) -> Result<ServerLog, String> {
    let mut log = ServerLog::default();
    for _ in 0..connections {
        let Ok(accepted) = timeout(STEP, listener.accept()).await else {
            break; // nobody came: stop rather than wait forever
        };
        let (tcp, _) = accepted.map_err(|e| format!("accept: {e}"))?;
        let mut tls = match timeout(STEP, acceptor.accept(tcp)).await {
            Err(_) => return Err("the TLS handshake timed out".to_owned()),
            Ok(Err(e)) => {
                log.failed_handshakes.push(e.to_string());
                continue;
            }
            Ok(Ok(tls)) => tls,
        };
        let request = read_request(&mut tls).await?;
        log.requests.push(request);
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{ANSWER}",
            ANSWER.len()
        );
        timeout(STEP, async {
            tls.write_all(response.as_bytes()).await?;
            tls.flush().await?;
            tls.shutdown().await
        })
        .await
        .map_err(|_| "writing the answer timed out".to_owned())?
        .map_err(|e| format!("writing the answer: {e}"))?;
    }
    Ok(log)
}

fn message() -> ChatMessage {
    ChatMessage::text("cust-0001", "1234567", "안녕하세요")
}

/// A client with default features whose hosts are both `url`, trusting `root` if given. It
/// does not retry: a refused handshake would be retried (nothing was sent), and each server here
/// serves a counted number of connections.
fn client(url: &str, root: Option<&str>) -> Client {
    let mut builder = Client::builder(
        Environment::custom(url).expect("a local https base URL"),
        happytalk_tests::credentials(),
    )
    .timeout(CLIENT_TIMEOUT)
    .retry(RetryPolicy::none());
    if let Some(pem) = root {
        builder = builder.add_root_certificate(
            RootCertificate::from_pem(pem.as_bytes()).expect("rcgen writes valid PEM"),
        );
    }
    builder.build().expect("the client builds")
}

/// Sends the message over HTTPS to `host` (a name or an address the certificate covers) and
/// checks what arrived.
async fn sends_over_https_to(host: &str) {
    let server = TlsServer::start(1).await;
    let url = server.url(host);
    let client = client(&url, Some(&server.certificate_pem));

    let sent = client.send_message(&message()).await;

    assert_eq!(
        sent.as_deref().map_err(ToString::to_string),
        Ok("1234567"),
        "{url}"
    );
    let log = server.log().await;
    assert_eq!(log.failed_handshakes, Vec::<String>::new());
    let [request] = log.requests.as_slice() else {
        panic!("one request, got {:#?}", log.requests);
    };
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/v1/chat/write");
    assert_eq!(
        request.headers.get("ht-client-secret").map(String::as_str),
        Some(happytalk_tests::CLIENT_SECRET)
    );
    assert_eq!(
        request.headers.get("ht-client-id").map(String::as_str),
        Some(happytalk_tests::CLIENT_ID)
    );
    let body: serde_json::Value =
        serde_json::from_slice(&request.body).expect("the request body is JSON");
    assert_eq!(
        body,
        json!({"uuid": "cust-0001", "room_id": "1234567", "type": "text", "msg": "안녕하세요"})
    );
}

#[tokio::test]
async fn default_features_send_over_https_when_the_certificate_is_trusted() {
    sends_over_https_to("localhost").await;
}

#[tokio::test]
async fn the_certificate_is_checked_against_an_ip_address_too() {
    sends_over_https_to("127.0.0.1").await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_as_a_connect_error() {
    let server = TlsServer::start(1).await;
    let client = client(&server.url("localhost"), None);

    let error = client
        .send_message(&message())
        .await
        .expect_err("a self-signed certificate that is not a root is refused");

    let Error::Transport(transport) = &error else {
        panic!("a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{error:?}");
    // Refused because of the certificate, not for some other reason of connecting.
    assert!(
        matches!(
            rustls_error(&error),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "{error:?}"
    );
    // The client gave up during the handshake: the server never saw a request.
    let log = server.log().await;
    assert!(log.requests.is_empty(), "{:#?}", log.requests);
    assert_eq!(log.failed_handshakes.len(), 1, "{log:#?}");
}

/// The rustls error somewhere in `error`'s sources (through the `io::Error`s that wrap it).
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        next = match error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => error.source(),
        };
    }
    None
}
