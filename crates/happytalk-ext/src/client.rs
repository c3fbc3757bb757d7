//! The client, its environments (hosts) and credentials, and the one call path every operation
//! goes through.

use std::fmt;
use std::time::Duration;

use happytalk_api::requests::{SendMessage, SystemMessages};
use happytalk_api::{HostFamily, Operation, types};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{ConfigurationError, Error};
use crate::message::ChatMessage;
use crate::retry::RetryPolicy;
use crate::tls::RootCertificate;

/// Overall time a request may take when the client builds its own `reqwest::Client`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time a connection may take when the client builds its own `reqwest::Client`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where requests go: each operation to the host of its family ([`HostFamily`]: chat messages
/// to the Biz host, system messages to the Kakao host), in the environment you pick. The hosts
/// are the spec's (`HostFamily::production_url`, `HostFamily::patch_url`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// HappyTalk's production hosts (운영).
    Production,
    /// HappyTalk's patch hosts, for development and test (개발/테스트).
    Patch,
    /// Other base URLs: a local test server, a proxy. Build with [`Environment::custom`] and
    /// [`Environment::with_base_url`].
    Custom(CustomHosts),
}

/// The base URLs of an [`Environment::Custom`], one per host family, each checked when set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomHosts {
    /// Indexed by [`HostFamily::index`].
    base_urls: Vec<String>,
}

impl Environment {
    /// Every host family at one base URL (a local mock, a proxy): an absolute `http(s)` URL,
    /// possibly with a path prefix (`http://127.0.0.1:8080/happytalk`). A trailing `/` is
    /// dropped.
    pub fn custom(base_url: &str) -> Result<Self, Error> {
        let base_url = checked_base_url(None, base_url)?;
        Ok(Self::Custom(CustomHosts {
            base_urls: vec![base_url; HostFamily::ALL.len()],
        }))
    }

    /// The same environment with `family`'s requests going to `base_url` instead (checked as
    /// for [`custom`](Self::custom)); the other families keep their hosts.
    ///
    /// ```
    /// use happytalk_ext::{Environment, HostFamily};
    ///
    /// let environment = Environment::Patch.with_base_url(HostFamily::Kakao, "http://127.0.0.1:9000")?;
    /// assert_eq!(environment.base_url(HostFamily::Kakao), "http://127.0.0.1:9000");
    /// assert_eq!(environment.base_url(HostFamily::Biz), HostFamily::Biz.patch_url());
    /// # Ok::<(), happytalk_ext::Error>(())
    /// ```
    pub fn with_base_url(self, family: HostFamily, base_url: &str) -> Result<Self, Error> {
        let base_url = checked_base_url(Some(family), base_url)?;
        let mut base_urls: Vec<String> = HostFamily::ALL
            .iter()
            .map(|family| self.base_url(*family).to_owned())
            .collect();
        base_urls[family.index()] = base_url;
        Ok(Self::Custom(CustomHosts { base_urls }))
    }

    /// The base URL of `family`'s host.
    pub fn base_url(&self, family: HostFamily) -> &str {
        match self {
            Self::Production => family.production_url(),
            Self::Patch => family.patch_url(),
            Self::Custom(hosts) => &hosts.base_urls[family.index()],
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

fn checked_base_url(family: Option<HostFamily>, raw: &str) -> Result<String, ConfigurationError> {
    match url::Url::parse(raw) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.has_host()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => {
            let which = match family {
                Some(family) => format!("the {family} base URL"),
                None => "the base URL".to_owned(),
            };
            Err(ConfigurationError(format!(
                "{which} {raw:?} is not an absolute http(s) URL without query or fragment"
            )))
        }
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
        // The spec's `securitySchemes`: the secret is the sensitive one, the id the other.
        let mut headers = HeaderMap::with_capacity(happytalk_api::CREDENTIAL_HEADERS.len());
        for header in happytalk_api::CREDENTIAL_HEADERS {
            let name = HeaderName::from_bytes(header.name.as_bytes()).map_err(|_| {
                ConfigurationError(format!("the header name {:?} cannot be sent", header.name))
            })?;
            let value = match header.sensitive {
                true => secret.clone(),
                false => id.clone(),
            };
            headers.insert(name, value);
        }
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
        // Whether the HTTP client's own timeout ends any one attempt within the retry cap: true
        // of the client built here with the default settings; unknown of a client you built.
        let attempt_within_cap = self.http_client.is_none()
            && self.timeout.unwrap_or(DEFAULT_TIMEOUT) <= self.retry.cap();
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
        let apis = happytalk_api::Clients::new(
            |family| self.environment.base_url(family).to_owned(),
            http,
            state,
        );
        let hosts = HostFamily::ALL
            .iter()
            .map(|family| host_of(self.environment.base_url(*family)))
            .collect();
        Ok(Client {
            hosts,
            attempt_within_cap,
            retry: self.retry,
            apis,
            environment: self.environment,
        })
    }
}

/// One client for every HappyTalk operation, on the host of each operation's family. Cheap to
/// clone (clones share a connection pool); `Send + Sync`, and so are the futures of its calls
/// (they can be `tokio::spawn`ed).
///
/// `Debug` shows the hosts and the client id; the secret shows as `Sensitive`.
#[derive(Clone, Debug)]
pub struct Client {
    /// The generated client of each family.
    apis: happytalk_api::Clients,
    environment: Environment,
    retry: RetryPolicy,
    /// Whether the HTTP client's own timeout ends any one attempt within the retry cap.
    attempt_within_cap: bool,
    /// `host[:port]` of each family's base URL, for traces.
    hosts: Vec<String>,
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

    /// The generated clients, one per family (`api().kakao()`), for what this crate does not
    /// wrap.
    pub fn api(&self) -> &happytalk_api::Clients {
        &self.apis
    }

    /// 메시지 발신: sends `message` into its room and returns the room id HappyTalk answered.
    ///
    /// The message was validated when it was built; an invalid one is refused with
    /// [`Error::Validation`] and nothing is sent. A failure code becomes [`Error::Api`],
    /// whatever HTTP status carried it.
    ///
    /// Retried only when no connection could be made, so the message never left: never after
    /// a timeout, a dropped connection or an answer, because it may have reached the customer
    /// (see the [`retry`](crate::retry) module). The same holds for -600 "System"
    /// (`BizResultCode::SystemError`): whether to send again is yours to decide.
    pub async fn send_message(&self, message: &ChatMessage) -> Result<String, Error> {
        let answer = self.call_checked::<SendMessage>(message.request()?).await?;
        Ok(room_id(answer.room_id))
    }

    /// 시스템 메시지 조회: the active (state `A`) system messages of a sender profile key.
    ///
    /// Failures that may pass on a second try are retried (see the [`retry`](crate::retry)
    /// module).
    pub async fn system_messages(
        &self,
        sender_key: &str,
    ) -> Result<Vec<types::SystemMessage>, Error> {
        let answer = self.call(SystemMessages::new(sender_key)).await?;
        Ok(answer.data.unwrap_or_default())
    }

    /// 시스템 메시지 조회 by id: the system message `id` of a sender profile key, or `None` when
    /// HappyTalk answers success without it.
    pub async fn system_message(
        &self,
        sender_key: &str,
        id: i64,
    ) -> Result<Option<types::SystemMessage>, Error> {
        let answer = self.call(SystemMessages::new(sender_key).id(id)).await?;
        let found = answer.data.unwrap_or_default();
        Ok(found.into_iter().find(|message| message.id == id))
    }

    /// `host[:port]` of `operation`'s family, for traces.
    pub(crate) fn host(&self, operation: &Operation) -> &str {
        &self.hosts[operation.host.index()]
    }

    /// How failed calls are retried.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Whether the HTTP client's own timeout ends any one attempt within the retry cap, so
    /// that a first attempt needs no timer of its own.
    pub(crate) fn attempt_within_cap(&self) -> bool {
        self.attempt_within_cap
    }
}

// The client crosses threads: a change that breaks this fails to compile. That its calls'
// futures are `Send` is shown by `calls_run_on_spawned_tasks` in tests/tests/wire.rs.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Client>();
    send_sync::<Error>();
};

/// The room of a successful answer: a string or, as HappyTalk writes it at times, a number.
/// The answer has one: the spec requires it of a success (`x-required-on-success`), and the
/// generic call checks it.
pub(crate) fn room_id(room_id: Option<types::ResultRoomId>) -> String {
    match room_id {
        Some(types::ResultRoomId::String(id)) => id,
        Some(types::ResultRoomId::Int64(id)) => id.to_string(),
        None => String::new(),
    }
}
