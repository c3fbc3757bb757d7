//! The client, its environments (hosts) and credentials.

use std::fmt;
use std::time::{Duration, Instant};

use happytalk_api::{ResponseValue, types};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{
    ApiCode, ApiError, ConfigurationError, DecodeProblem, Error, Rule, ValidationError,
};
use crate::message::ChatMessage;
use crate::retry::{self, Idempotency, RetryPolicy};
use crate::system_message::SystemMessage;
use crate::telemetry::CallTrace;
use crate::tls::RootCertificate;

/// Production Biz host (`/v1/chat/write`).
pub const BIZ_PRODUCTION: &str = "https://biz-api.happytalk.io";
/// Patch (development and test) Biz host.
pub const BIZ_PATCH: &str = "https://patch-biz-api.happytalk.io";
/// Production Kakao host (`/kakaoWebhook/…`).
pub const KAKAO_PRODUCTION: &str = "https://kakao-api.happytalk.io";
/// Patch (development and test) Kakao host.
pub const KAKAO_PATCH: &str = "https://patch-kakao-api.happytalk.io";

/// Overall time a request may take when the client builds its own `reqwest::Client`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time a connection may take when the client builds its own `reqwest::Client`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const HT_CLIENT_ID: HeaderName = HeaderName::from_static("ht-client-id");
const HT_CLIENT_SECRET: HeaderName = HeaderName::from_static("ht-client-secret");

/// Where requests go. Chat messages go to the Biz host, system messages to the Kakao host.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// HappyTalk's production hosts (운영).
    Production,
    /// HappyTalk's patch hosts, for development and test (개발/테스트).
    Patch,
    /// Other base URLs: a local test server, a proxy. Build with [`Environment::custom`].
    Custom(CustomHosts),
}

/// Base URLs of an [`Environment::Custom`], checked when built by [`Environment::custom`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomHosts {
    biz: String,
    kakao: String,
}

impl Environment {
    /// Custom base URLs, each an absolute `http(s)` URL, possibly with a path prefix
    /// (`http://127.0.0.1:8080/happytalk`). A trailing `/` is dropped.
    pub fn custom(biz: &str, kakao: &str) -> Result<Self, Error> {
        Ok(Self::Custom(CustomHosts {
            biz: base_url("Biz", biz)?,
            kakao: base_url("Kakao", kakao)?,
        }))
    }

    /// The base URL of the Biz host (chat messages).
    pub fn biz_base_url(&self) -> &str {
        match self {
            Self::Production => BIZ_PRODUCTION,
            Self::Patch => BIZ_PATCH,
            Self::Custom(hosts) => &hosts.biz,
        }
    }

    /// The base URL of the Kakao host (system messages).
    pub fn kakao_base_url(&self) -> &str {
        match self {
            Self::Production => KAKAO_PRODUCTION,
            Self::Patch => KAKAO_PATCH,
            Self::Custom(hosts) => &hosts.kakao,
        }
    }
}

/// `host[:port]` of a base URL, as traces show it (never its user info or path).
fn host_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|url| {
            let host = url.host_str()?.to_owned();
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default()
}

fn base_url(host: &str, raw: &str) -> Result<String, ConfigurationError> {
    match url::Url::parse(raw) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.has_host()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(ConfigurationError(format!(
            "the {host} base URL {raw:?} is not an absolute http(s) URL without query or fragment"
        ))),
    }
}

/// The key and token issued by the HappyTalk customer centre (고객센터에서 발급 받은 key / token).
///
/// `Debug` shows the client id and hides the secret.
#[derive(Clone)]
pub struct Credentials {
    client_id: String,
    client_secret: String,
}

impl Credentials {
    /// Credentials sent as `HT-Client-Id` and `HT-Client-Secret`.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// The client id (`HT-Client-Id`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The two headers; the secret's is marked sensitive, so `Debug` of a header map shows
    /// `Sensitive` in its place.
    fn headers(&self) -> Result<HeaderMap, ConfigurationError> {
        // Keys and tokens are visible ASCII; anything else is a copy-paste accident (a newline,
        // a space, a quote) better reported now than as -500 from HappyTalk. The message names
        // the field, never the value: nothing derived from the secret may reach a message.
        let sendable = |what: &str, value: &str| {
            if value.is_empty() {
                return Err(ConfigurationError(format!("the {what} is empty")));
            }
            if !value.chars().all(|c| c.is_ascii_graphic()) {
                return Err(ConfigurationError(format!(
                    "the {what} contains a character that cannot be sent in an HTTP header \
                     (only visible ASCII is allowed: no spaces, line breaks or non-ASCII)"
                )));
            }
            HeaderValue::from_str(value)
                .map_err(|_| ConfigurationError(format!("the {what} is not a valid header value")))
        };
        let id = sendable("client id", &self.client_id)?;
        let mut secret = sendable("client secret", &self.client_secret)?;
        secret.set_sensitive(true);
        let mut headers = HeaderMap::with_capacity(2);
        headers.insert(HT_CLIENT_ID, id);
        headers.insert(HT_CLIENT_SECRET, secret);
        Ok(headers)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Builds a [`Client`]: timeouts, retries, extra root certificates, or your own
/// `reqwest::Client`.
#[derive(Debug)]
pub struct ClientBuilder {
    credentials: Credentials,
    environment: Environment,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    root_certificates: Vec<RootCertificate>,
    http_client: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// How long a whole request may take ([`DEFAULT_TIMEOUT`] unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long connecting may take ([`DEFAULT_CONNECT_TIMEOUT`] unless set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How failed calls are retried ([`RetryPolicy::standard`] unless set;
    /// [`RetryPolicy::none`] turns retries off). What is retried at all is fixed by the
    /// operation: see the [`retry`](crate::retry) module.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Trust this certificate authority as well as the platform's (a TLS-intercepting proxy,
    /// a test server), with every TLS feature.
    pub fn add_root_certificate(mut self, certificate: RootCertificate) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Send through this `reqwest::Client` (its pool, proxy, TLS and timeout settings) instead
    /// of one built here. The credentials are still added to every request. Timeouts and root
    /// certificates belong on your client then: setting them here too is refused by
    /// [`build`](Self::build) rather than silently ignored.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`, as this crate does for its
    /// own: reqwest strips only the standard credential headers on a redirect, so a redirect
    /// would forward `HT-Client-Secret` to whatever host it names.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The client, or the setting that prevents it.
    pub fn build(self) -> Result<Client, Error> {
        let headers = self.credentials.headers()?;
        self.retry.check()?;
        // The total timeout of one exchange, when this builder sets it (a client you built keeps
        // its own, unknown here): it lets a first attempt run without a timer of the cap.
        let attempt_timeout = match self.http_client {
            Some(_) => None,
            None => Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)),
        };
        let http = match self.http_client {
            Some(client) => {
                if self.timeout.is_some()
                    || self.connect_timeout.is_some()
                    || !self.root_certificates.is_empty()
                {
                    return Err(ConfigurationError(
                        "timeouts and root certificates cannot be applied to a reqwest::Client \
                         you built; set them on your reqwest::ClientBuilder"
                            .to_owned(),
                    )
                    .into());
                }
                client
            }
            None => {
                let builder = reqwest::Client::builder()
                    // HappyTalk documents no redirect, and following one would send the
                    // secret (a custom header reqwest does not strip) to the host it names.
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .user_agent(concat!("happytalk-rs/", env!("CARGO_PKG_VERSION")));
                crate::tls::configure(builder, self.root_certificates)?
                    .build()
                    .map_err(|e| {
                        ConfigurationError(format!("the HTTP client cannot be set up: {e}"))
                    })?
            }
        };
        let state = happytalk_api::ClientState::new(headers);
        Ok(Client {
            attempt_timeout,
            biz_host: host_of(self.environment.biz_base_url()),
            kakao_host: host_of(self.environment.kakao_base_url()),
            retry: self.retry,
            chat: happytalk_api::Client::new_with_client(
                self.environment.biz_base_url(),
                http.clone(),
                state.clone(),
            ),
            kakao: happytalk_api::Client::new_with_client(
                self.environment.kakao_base_url(),
                http,
                state,
            ),
            environment: self.environment,
        })
    }
}

/// One client for both HappyTalk endpoints. Cheap to clone (clones share a connection pool);
/// `Send + Sync`, and so are the futures of its calls (they can be `tokio::spawn`ed).
///
/// `Debug` shows the hosts and the client id; the secret shows as `Sensitive`.
#[derive(Clone, Debug)]
pub struct Client {
    chat: happytalk_api::Client,
    kakao: happytalk_api::Client,
    environment: Environment,
    retry: RetryPolicy,
    /// The total timeout of one exchange, when the builder set it.
    attempt_timeout: Option<Duration>,
    /// `host[:port]` of each base URL, for traces.
    biz_host: String,
    kakao_host: String,
}

impl Client {
    /// A client for `environment` with default settings.
    pub fn new(environment: Environment, credentials: Credentials) -> Result<Self, Error> {
        Self::builder(environment, credentials).build()
    }

    /// A builder, for timeouts, certificates or your own `reqwest::Client`. The environment
    /// has no default, so that nothing reaches production by omission.
    pub fn builder(environment: Environment, credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            environment,
            retry: RetryPolicy::standard(),
            timeout: None,
            connect_timeout: None,
            root_certificates: Vec::new(),
            http_client: None,
        }
    }

    /// The environment requests go to.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The generated client for the Biz host, for what this crate does not wrap.
    pub fn biz_api(&self) -> &happytalk_api::Client {
        &self.chat
    }

    /// The generated client for the Kakao host, for what this crate does not wrap.
    pub fn kakao_api(&self) -> &happytalk_api::Client {
        &self.kakao
    }

    /// 메시지 발신: sends `message` into its room and returns the room id HappyTalk answered.
    ///
    /// The message is validated first; an invalid one is refused with
    /// [`Error::Validation`] and nothing is sent. A failure code becomes [`Error::Api`],
    /// whatever HTTP status carried it.
    ///
    /// Retried only when no connection could be made, so the message never left: never after
    /// a timeout, a dropped connection or an answer, because it may have reached the customer
    /// (see the [`retry`](crate::retry) module). The same holds for -600 "System"
    /// ([`ApiCode::SystemError`]): whether to send again is yours to decide.
    pub async fn send_message(&self, message: &ChatMessage) -> Result<String, Error> {
        let body = message.request()?;
        let trace = CallTrace::send_message(&self.biz_host, message.room_id());
        self.call(
            trace,
            CHAT_SUCCESS,
            Idempotency::NotIdempotent,
            || self.chat.send_chat_message(body),
            chat_outcome,
        )
        .await
    }

    /// 시스템 메시지 조회: the active (state `A`) system messages of a sender profile key.
    ///
    /// Failures that may pass on a second try are retried (see the [`retry`](crate::retry)
    /// module).
    pub async fn system_messages(&self, sender_key: &str) -> Result<Vec<SystemMessage>, Error> {
        self.lookup_system_messages(sender_key, None).await
    }

    /// 시스템 메시지 조회 by id: the system message `id` of a sender profile key, or `None` when
    /// HappyTalk answers success without it.
    pub async fn system_message(
        &self,
        sender_key: &str,
        id: i64,
    ) -> Result<Option<SystemMessage>, Error> {
        let found = self.lookup_system_messages(sender_key, Some(id)).await?;
        Ok(found.into_iter().find(|message| message.id == id))
    }

    async fn lookup_system_messages(
        &self,
        sender_key: &str,
        id: Option<i64>,
    ) -> Result<Vec<SystemMessage>, Error> {
        // HappyTalk documents no maximum; the spec requires at least one character.
        let sender_key_param = types::GetSystemMessagesSenderKey::try_from(sender_key)
            .map_err(|_| ValidationError::new("senderKey", Rule::NotEmpty, sender_key, true))?;
        let trace = CallTrace::system_messages(&self.kakao_host, sender_key, id);
        self.call(
            trace,
            KAKAO_SUCCESS,
            Idempotency::Idempotent,
            || self.kakao.get_system_messages(id, &sender_key_param),
            system_messages_outcome,
        )
        .await
    }

    /// One call: the generated `call` as often as the retry policy allows, then `interpret` of
    /// the decoded answer, traced from start to end. Every error says how many attempts were
    /// made.
    ///
    /// The common path is written out here, in one `async fn`, rather than as layers of them:
    /// the generated call's future is the largest part of a call's, and every layer would move
    /// it once more as it starts. The first attempt is awaited in place; a timer for the cap
    /// (when the HTTP client's own timeout does not end an attempt within it) and the attempts
    /// after a failure worth retrying are boxed, off the common path.
    async fn call<T, R, Call>(
        &self,
        trace: CallTrace,
        success_code: &str,
        idempotency: Idempotency,
        call: impl Fn() -> Call,
        interpret: impl FnOnce(T, StatusCode) -> Result<R, Error>,
    ) -> Result<R, Error>
    where
        Call: Future<Output = Result<ResponseValue<T>, happytalk_api::Error<T>>>,
    {
        let started = Instant::now();
        // Inside the call's span when a subscriber wants it (the HTTP spans of `happytalk-api`
        // nest in it); otherwise not wrapped at all.
        #[cfg(feature = "tracing")]
        let span = trace.span();
        let first = if retry::first_attempt_needs_timer(&self.retry, self.attempt_timeout) {
            let attempt = retry::attempt(&call, idempotency);
            #[cfg(feature = "tracing")]
            let attempt = tracing::Instrument::instrument(
                attempt,
                span.cloned().unwrap_or_else(tracing::Span::none),
            );
            match Box::pin(tokio::time::timeout(retry::cap(&self.retry), attempt)).await {
                Ok(result) => result,
                Err(_) => Err(retry::Failure::out_of_time(&self.retry)),
            }
        } else {
            let recorded = happytalk_api::with_response_info(call());
            #[cfg(feature = "tracing")]
            let (result, info) = match span {
                Some(span) => tracing::Instrument::instrument(recorded, span.clone()).await,
                None => recorded.await,
            };
            #[cfg(not(feature = "tracing"))]
            let (result, info) = recorded.await;
            match result {
                Ok(value) => {
                    let status = value.status();
                    Ok((value.into_inner(), status))
                }
                Err(error) => {
                    // Reading an error's body: still inside the call's span.
                    let failed = retry::failed(error, info, idempotency);
                    #[cfg(feature = "tracing")]
                    let failed = match span {
                        Some(span) => tracing::Instrument::instrument(failed, span.clone()).await,
                        None => failed.await,
                    };
                    #[cfg(not(feature = "tracing"))]
                    let failed = failed.await;
                    failed
                }
            }
        };
        let (result, attempts) = match first {
            Ok(answer) => (Ok(answer), 1),
            Err(failure) if !retry::worth_retrying(&self.retry, &failure) => {
                (Err(failure.error), 1)
            }
            Err(failure) => {
                let retried = Box::pin(retry::retry(&self.retry, started, &trace, failure, || {
                    retry::attempt(&call, idempotency)
                }));
                #[cfg(feature = "tracing")]
                let retried = tracing::Instrument::instrument(
                    retried,
                    span.cloned().unwrap_or_else(tracing::Span::none),
                );
                retried.await
            }
        };
        let outcome = result
            .and_then(|(answer, status)| Ok((interpret(answer, status)?, status)))
            .map_err(|error| error.with_attempts(attempts));
        trace.finish(
            outcome.as_ref().map(|(_, status)| (*status, success_code)),
            attempts,
        );
        outcome.map(|(value, _)| value)
    }
}

/// What a decoded answer of `/v1/chat/write` means: the room id, or HappyTalk's refusal.
fn chat_outcome(answer: types::ChatMessageResult, status: StatusCode) -> Result<String, Error> {
    if answer.code == 0 {
        return match answer.room_id {
            Some(types::ResultRoomId::String(room_id)) => Ok(room_id),
            Some(types::ResultRoomId::Int64(room_id)) => Ok(room_id.to_string()),
            None => Err(DecodeProblem {
                reason: "code 0 (success) without a room_id".to_owned(),
            }
            .into_error(status, &answer)),
        };
    }
    Err(ApiError {
        code: ApiCode::from_biz(answer.code),
        raw_code: answer.code.to_string(),
        message: answer.message,
        field: answer.field,
        notice: answer.content,
        status,
        attempts: 1,
    }
    .into())
}

/// What a decoded answer of `/kakaoWebhook/v3/bzmc/sm` means: the system messages, or the
/// Kakao host's refusal.
fn system_messages_outcome(
    answer: types::SystemMessageResult,
    status: StatusCode,
) -> Result<Vec<SystemMessage>, Error> {
    if answer.code != KAKAO_SUCCESS {
        return Err(ApiError {
            code: ApiCode::from_kakao(&answer.code),
            raw_code: answer.code,
            message: answer.message,
            field: None,
            notice: None,
            status,
            attempts: 1,
        }
        .into());
    }
    // A new vector rather than `collect` in place: the typed entries are smaller than the wire
    // ones, and shrinking the wire vector's allocation afterwards would copy it whole.
    let data = answer.data.unwrap_or_default();
    let mut messages = Vec::with_capacity(data.len());
    for wire in data {
        match SystemMessage::from_wire(wire) {
            Ok(message) => messages.push(message),
            Err(failed) => {
                let (problem, wire) = *failed;
                return Err(problem.into_error(status, &wire));
            }
        }
    }
    Ok(messages)
}

/// The Biz host's success code.
const CHAT_SUCCESS: &str = "0";
/// The Kakao host's success code.
const KAKAO_SUCCESS: &str = "200";

// The client crosses threads: a change that breaks this fails to compile. That its calls'
// futures are `Send` is shown by `calls_run_on_spawned_tasks` in tests/tests/wire.rs.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Client>();
    send_sync::<Error>();
};
