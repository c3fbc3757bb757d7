//! The one error type of this crate, [`Error`], and what each of its kinds carries.
//!
//! No error here ever contains the client secret: it is never formatted into a message, and
//! the request headers that carry it are not part of any error. Text that comes from the
//! server (a message, a code, a notice, a body) is cut to [`SERVER_TEXT_CHARS`] characters in
//! every `Display`.

use std::fmt;

use happytalk_api::{Answer, Operation, ResultCode};
pub use happytalk_api::{Rule, ValidationError};
use reqwest::StatusCode;

/// At most this many characters of any text that came from the server appear in a `Display`.
pub const SERVER_TEXT_CHARS: usize = 200;

/// Everything that can go wrong when using this crate. Each variant says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused before anything was sent: fix the value. The error names the field,
    /// the rule and what was given.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// HappyTalk answered with a failure code. [`ApiError::code`] says what it means; most need
    /// a change of request or account, a few (`BizResultCode::SystemError`) may pass on retry.
    #[error(transparent)]
    Api(#[from] ApiError),

    /// The exchange did not complete: connection refused, timeout, TLS or protocol failure.
    /// Check the network and the environment's host; retrying may help, except for
    /// [`TransportErrorKind::Request`] (the request could not be built).
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// An answer arrived that is not what the API documents (an HTML error page, an empty or
    /// truncated body, a value of the wrong type). Usually a proxy or an outage in front of
    /// HappyTalk; if it persists, report it with the status and snippet this error carries.
    #[error(transparent)]
    UndecodableResponse(#[from] UndecodableResponse),

    /// The client could not be built from the given settings: fix the setting it names.
    #[error(transparent)]
    Configuration(#[from] ConfigurationError),
}

impl Error {
    /// How many requests the call made before it gave up: 0 when nothing was sent (validation,
    /// configuration), more than 1 when it was retried (see [`RetryPolicy`](crate::RetryPolicy)).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Validation(_) | Self::Configuration(_) => 0,
            Self::Api(error) => error.attempts,
            Self::Transport(error) => error.attempts,
            Self::UndecodableResponse(error) => error.attempts,
        }
    }

    /// The same error, saying that the call made `attempts` requests, and whether one before
    /// the last may have reached HappyTalk (`arrived`).
    pub(crate) fn with_attempts(mut self, attempts: u32, arrived: bool) -> Self {
        match &mut self {
            Self::Validation(_) | Self::Configuration(_) => {}
            Self::Api(error) => {
                error.attempts = attempts;
                error.earlier_attempt_arrived = arrived;
            }
            Self::Transport(error) => error.attempts = attempts,
            Self::UndecodableResponse(error) => error.attempts = attempts,
        }
        self
    }
}

/// `Display` of an attempt count: nothing for one attempt, " (after N attempts)" for more.
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 | 1 => Ok(()),
            n => write!(f, " (after {n} attempts)"),
        }
    }
}

/// `Display` of a text that may come from the server, cut to [`SERVER_TEXT_CHARS`]
/// characters (an ellipsis says it was): quoted ([`Cut::quoted`], a value) or as it is
/// ([`Cut::plain`], a sentence that may quote one).
pub(crate) struct Cut<'a> {
    text: &'a str,
    quoted: bool,
}

impl<'a> Cut<'a> {
    /// A value, shown quoted.
    pub(crate) fn quoted(text: &'a str) -> Self {
        Self { text, quoted: true }
    }

    /// A sentence, shown as it is.
    pub(crate) fn plain(text: &'a str) -> Self {
        Self {
            text,
            quoted: false,
        }
    }
}

impl fmt::Display for Cut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (text, more) = match self.text.char_indices().nth(SERVER_TEXT_CHARS) {
            None => (self.text, ""),
            Some((end, _)) => (&self.text[..end], "…"),
        };
        match self.quoted {
            true => write!(f, "{text:?}{more}"),
            false => write!(f, "{text}{more}"),
        }
    }
}

/// `error` and each of its causes (`source()`), joined by `: `, each once: what a log line or
/// a command-line tool prints. hyper and reqwest repeat their inner error in their own message
/// at times; a cause whose text is already there is not added again.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        next = cause.source();
    }
    text
}

/// HappyTalk answered with a failure code.
///
/// The same whichever HTTP status carried the body (HappyTalk does not document it), and the
/// same type for every operation: the code is a [`ResultCode`] of the host family that sent it
/// (the Biz host's integers, `-802`, and the Kakao host's strings, `"507"`, mean different
/// things even where the numbers agree).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ApiError {
    /// Boxed: a failure is the rare path, and every `Result` of this crate stays small.
    refusal: Box<Refusal>,
    attempts: u32,
    earlier_attempt_arrived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Refusal {
    operation: &'static str,
    code: ResultCode,
    raw_code: String,
    message: Option<String>,
    field: Option<String>,
    notice: Option<String>,
    status: StatusCode,
}

impl ApiError {
    /// The refusal a decoded `answer` of `operation` carries, under `status`.
    pub(crate) fn new(operation: &Operation, answer: &impl Answer, status: StatusCode) -> Self {
        let code = answer.code();
        Self {
            refusal: Box::new(Refusal {
                operation: operation.id,
                raw_code: code.to_string(),
                code,
                message: answer.message().map(str::to_owned),
                field: answer.field().map(str::to_owned),
                notice: answer.notice().map(str::to_owned),
                status,
            }),
            attempts: 1,
            earlier_attempt_arrived: false,
        }
    }

    /// Whether an attempt of the call before the one refused may have reached HappyTalk (it
    /// timed out, broke off or was answered), rather than failing to connect.
    pub(crate) fn earlier_attempt_arrived(&self) -> bool {
        self.earlier_attempt_arrived
    }

    /// What the code means: compare it with a code of its family's table
    /// (`*e.code() == BizResultCode::RoomEnded`) or ask it (`e.code().meaning()`).
    pub fn code(&self) -> &ResultCode {
        &self.refusal.code
    }

    /// The code exactly as HappyTalk sent it (`"-802"`, `"507"`), also for known codes.
    pub fn raw_code(&self) -> &str {
        &self.refusal.raw_code
    }

    /// The operation that was refused (its `operationId`: `send_message`, …).
    pub fn operation(&self) -> &'static str {
        self.refusal.operation
    }

    /// HappyTalk's `message`, if it sent one (`"Length"`, or a Korean sentence from Kakao).
    pub fn message(&self) -> Option<&str> {
        self.refusal.message.as_deref()
    }

    /// On a parameter failure (-800, -801 and -802): the request field HappyTalk refused
    /// (`"msg"`).
    pub fn field(&self) -> Option<&str> {
        self.refusal.field.as_deref()
    }

    /// On a refusal for lack of counselling (-90x): the automatic notice (자동메시지,
    /// `content`) shown to the customer instead of a counsellor's answer.
    pub fn notice(&self) -> Option<&str> {
        self.refusal.notice.as_deref()
    }

    /// The HTTP status that carried the failure body.
    pub fn status(&self) -> StatusCode {
        self.refusal.status
    }

    /// How many requests the call made (more than 1 when earlier attempts failed in a way that
    /// was retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HappyTalk refused the request with code ")?;
        // A number is shown as it is; anything else an undocumented code may be, quoted and cut.
        let raw = &self.refusal.raw_code;
        let number = raw.len() <= 20
            && raw
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit());
        match number && !raw.is_empty() {
            true => f.write_str(raw)?,
            false => write!(f, "{}", Cut::quoted(raw))?,
        }
        if let Some(message) = self.refusal.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, " {}", Cut::quoted(message))?;
        }
        match self.refusal.code.meaning() {
            Some(meaning) => write!(f, " ({meaning})")?,
            None => write!(f, " (a code this version does not document)")?,
        }
        if let Some(field) = &self.refusal.field {
            write!(f, ", field {}", Cut::quoted(field))?;
        }
        if let Some(notice) = &self.refusal.notice {
            write!(f, ", notice shown to the customer: {}", Cut::quoted(notice))?;
        }
        write!(
            f,
            " [HTTP {}]{}",
            self.refusal.status.as_u16(),
            Attempts(self.attempts)
        )
    }
}

/// The exchange with HappyTalk did not complete.
///
/// `Display` gives the kind and what to check; the cause (reqwest's error, which says
/// "Connection refused" and the like) is its [`source`](std::error::Error::source), as error
/// reporters (anyhow, eyre) expect, so that they print it once.
#[derive(Debug, thiserror::Error)]
#[error("{kind}{}", Attempts(self.attempts))]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
    attempts: u32,
}

impl TransportError {
    /// What kind of failure it was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// How many requests the call made before it gave up.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The retry policy's cap on a call's total time ran out.
    pub(crate) fn out_of_time(cap: std::time::Duration) -> Self {
        Self {
            kind: TransportErrorKind::Timeout,
            source: format!(
                "the retry policy's cap of {cap:?} on the call's total time ran out \
                 (RetryPolicy::max_elapsed)"
            )
            .into(),
            attempts: 1,
        }
    }

    /// A request that could not be built (the generated client's own words).
    pub(crate) fn request(message: String) -> Self {
        Self {
            kind: TransportErrorKind::Request,
            source: message.into(),
            attempts: 1,
        }
    }

    #[cfg(test)]
    pub(crate) fn for_test(kind: TransportErrorKind) -> Self {
        Self {
            kind,
            source: "test".into(),
            attempts: 1,
        }
    }
}

/// The kinds of [`TransportError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS, TLS handshake).
    Connect,
    /// No answer within the configured timeout.
    Timeout,
    /// The request could not be built (for example an unusable URL). Retrying will not help:
    /// it is a setting or a bug to report.
    Request,
    /// Any other failure while sending the request or reading the answer.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => {
                "could not connect to HappyTalk (check the network and the environment's host)"
            }
            Self::Timeout => "HappyTalk did not answer in time (retry, or raise the timeout)",
            Self::Request => "the request could not be built (retrying will not help)",
            Self::Other => "the exchange with HappyTalk failed (retrying may help)",
        })
    }
}

impl From<reqwest::Error> for TransportError {
    fn from(error: reqwest::Error) -> Self {
        // A connect timeout is both; it is the timeout the user configured that matters.
        let kind = if error.is_builder() {
            TransportErrorKind::Request
        } else if error.is_timeout() {
            TransportErrorKind::Timeout
        } else if error.is_connect() {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Other
        };
        Self {
            kind,
            source: Box::new(error),
            attempts: 1,
        }
    }
}

/// An answer that is not what the API documents.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct UndecodableResponse {
    status: Option<StatusCode>,
    reason: String,
    snippet: String,
    evidence: Evidence,
    attempts: u32,
}

/// What an [`UndecodableResponse`]'s snippet shows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Evidence {
    EmptyBody,
    WholeBody,
    StartOfBody,
    /// The body decoded, but a value in it breaks a rule; the snippet is that value, re-encoded
    /// (`whole`: not cut to the snippet's length).
    DecodedValue {
        whole: bool,
    },
}

impl UndecodableResponse {
    /// At most this many characters of the body are kept.
    pub const SNIPPET_CHARS: usize = SERVER_TEXT_CHARS;

    pub(crate) fn new(status: Option<StatusCode>, reason: impl Into<String>, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let snippet: String = text.chars().take(Self::SNIPPET_CHARS).collect();
        let evidence = if body.is_empty() {
            Evidence::EmptyBody
        } else if snippet.len() == text.len() {
            Evidence::WholeBody
        } else {
            Evidence::StartOfBody
        };
        Self {
            status,
            reason: Cut::plain(&reason.into()).to_string(),
            snippet,
            evidence,
            attempts: 1,
        }
    }

    /// A body that decoded but holds a value that breaks a rule; `value` is that value.
    pub(crate) fn decoded(
        status: StatusCode,
        reason: impl Into<String>,
        value: &impl serde::Serialize,
    ) -> Self {
        let value = serde_json::to_string(value).unwrap_or_default();
        let cut = Self::new(Some(status), reason, value.as_bytes());
        Self {
            evidence: Evidence::DecodedValue {
                whole: cut.evidence != Evidence::StartOfBody,
            },
            ..cut
        }
    }

    /// The HTTP status of the answer, when one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// How many requests the call made before it gave up.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Why it could not be decoded: for a body of the wrong shape, the field (`data[0].id`)
    /// and what was wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The start of the body (at most [`SNIPPET_CHARS`](Self::SNIPPET_CHARS) characters;
    /// invalid UTF-8 replaced). When the body decoded but a value in it breaks a rule (a
    /// success without its room id), the offending value instead, re-encoded as JSON.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    fn describe(&self) -> String {
        let status = match self.status {
            Some(status) => format!("HTTP {}", status.as_u16()),
            None => "unknown HTTP status".to_owned(),
        };
        let body = match self.evidence {
            Evidence::EmptyBody => "the body is empty".to_owned(),
            Evidence::WholeBody => format!("body {:?}", self.snippet),
            Evidence::StartOfBody => format!("body starts {:?}", self.snippet),
            Evidence::DecodedValue { whole: true } => format!("in {:?}", self.snippet),
            Evidence::DecodedValue { whole: false } => format!("in {:?}…", self.snippet),
        };
        format!(
            "HappyTalk's answer is not what the API documents ({status}): {}; {body}{}",
            self.reason,
            Attempts(self.attempts)
        )
    }
}

/// Why `body` does not decode as `T`, naming the field: serde_json's error says what and
/// where (line and column), serde_path_to_error adds which field (`data[0].createdAt`). Only
/// run for a body that already failed, so the common path pays nothing for it.
pub(crate) fn why_undecodable<T: serde::de::DeserializeOwned>(
    body: &[u8],
    error: &serde_json::Error,
) -> String {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(located) if located.path().iter().next().is_some() => {
            format!("`{}`: {}", located.path(), located.inner())
        }
        _ => error.to_string(),
    }
}

/// A setting the client cannot be built with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot build the HappyTalk client: {0}")]
pub struct ConfigurationError(pub(crate) String);

#[cfg(test)]
mod tests {
    use happytalk_api::{BizResultCode, KakaoResultCode, operations, types};

    use super::*;

    fn chat_answer(
        code: i32,
        message: Option<&str>,
        field: Option<&str>,
        notice: Option<&str>,
    ) -> types::ChatMessageResult {
        types::ChatMessageResult {
            code: code.into(),
            message: message.map(str::to_owned),
            field: field.map(str::to_owned),
            content: notice.map(str::to_owned),
            room_id: None,
            type_: None,
            uuid: None,
        }
    }

    fn api_error(
        code: i32,
        message: Option<&str>,
        field: Option<&str>,
        notice: Option<&str>,
    ) -> ApiError {
        let answer = chat_answer(code, message, field, notice);
        ApiError::new(&operations::SEND_MESSAGE, &answer, StatusCode::OK)
    }

    #[test]
    fn an_api_error_says_code_meaning_field_notice_and_status() {
        assert_eq!(
            api_error(-802, Some("Length"), Some("msg"), None).to_string(),
            "HappyTalk refused the request with code -802 \"Length\" \
             (a parameter's length is out of range), field \"msg\" [HTTP 200]"
        );
        assert_eq!(
            api_error(-600, None, None, None).to_string(),
            "HappyTalk refused the request with code -600 \
             (internal error at HappyTalk; may pass on retry) [HTTP 200]"
        );
        assert_eq!(
            api_error(-600, Some(""), None, None).to_string(),
            api_error(-600, None, None, None).to_string(),
            "an empty message is no message"
        );
        let busy = api_error(-903, Some("Consulting"), None, Some("상담사 부재"));
        assert!(
            busy.to_string()
                .contains(", notice shown to the customer: \"상담사 부재\" [HTTP 200]")
        );
        assert!(busy.code().counselling_unavailable());
        assert_eq!(*busy.code(), BizResultCode::NoCounsellorAvailable);
        assert_eq!(busy.raw_code(), "-903");
        assert_eq!(busy.operation(), "send_message");
        assert_eq!(
            api_error(-7, None, None, None).to_string(),
            "HappyTalk refused the request with code -7 (a code this version does not document) [HTTP 200]"
        );
    }

    #[test]
    fn server_text_is_cut_to_200_characters_in_display() {
        let long = "가".repeat(5000);
        let error = api_error(-600, Some(&long), Some(&long), Some(&long));
        let shown = error.to_string();
        assert_eq!(shown.matches(&"가".repeat(SERVER_TEXT_CHARS)).count(), 3);
        assert!(!shown.contains(&"가".repeat(SERVER_TEXT_CHARS + 1)));
        assert!(
            shown.chars().count() < 4 * SERVER_TEXT_CHARS,
            "{}",
            shown.len()
        );
        assert_eq!(
            error.message(),
            Some(long.as_str()),
            "the accessor keeps it whole"
        );

        let kakao = types::SystemMessageResult {
            code: KakaoResultCode::from("x".repeat(5000)),
            data: None,
            message: None,
        };
        let error = ApiError::new(&operations::SYSTEM_MESSAGES, &kakao, StatusCode::OK);
        assert!(
            error.to_string().chars().count() < 400,
            "an unknown code is cut too"
        );
    }

    #[test]
    fn an_undecodable_answer_shows_a_bounded_snippet() {
        let empty = UndecodableResponse::new(Some(StatusCode::OK), "EOF", b"");
        assert!(
            empty.to_string().ends_with("EOF; the body is empty"),
            "{empty}"
        );

        let long = "가".repeat(UndecodableResponse::SNIPPET_CHARS + 1);
        let cut = UndecodableResponse::new(None, "bad", long.as_bytes());
        assert_eq!(
            cut.snippet().chars().count(),
            UndecodableResponse::SNIPPET_CHARS
        );
        assert!(cut.to_string().starts_with(
            "HappyTalk's answer is not what the API documents (unknown HTTP status): bad; body starts \"가가"
        ));

        let invalid_utf8 = UndecodableResponse::new(None, "bad", b"\xff\xfeok");
        assert_eq!(invalid_utf8.snippet(), "\u{FFFD}\u{FFFD}ok");

        let decoded = UndecodableResponse::decoded(
            StatusCode::OK,
            "no room_id",
            &serde_json::json!({"code": 0}),
        );
        assert!(
            decoded
                .to_string()
                .ends_with("no room_id; in \"{\\\"code\\\":0}\""),
            "{decoded}"
        );
        let long_reason = UndecodableResponse::new(None, "r".repeat(1000), b"x");
        assert_eq!(long_reason.reason().chars().count(), SERVER_TEXT_CHARS + 1);
    }

    #[test]
    fn an_undecodable_body_names_the_field() {
        let body = br#"{"code":"200","data":[{"id":1,"createdAt":"yesterday"}]}"#;
        let error = serde_json::from_slice::<types::SystemMessageResult>(body).unwrap_err();
        assert_eq!(
            why_undecodable::<types::SystemMessageResult>(body, &error),
            "`data[0].createdAt`: \"yesterday\" is not a `YYYY-MM-DD HH:MM:SS` time \
             (Korea Standard Time) at line 1 column 53"
        );
        let body = b"<html>";
        let error = serde_json::from_slice::<types::SystemMessageResult>(body).unwrap_err();
        assert_eq!(
            why_undecodable::<types::SystemMessageResult>(body, &error),
            error.to_string(),
            "nothing to locate in a body that is no JSON"
        );
    }

    #[test]
    fn with_causes_names_each_cause_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl fmt::Display for Layer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|cause| cause as _)
            }
        }
        let inner = Layer("connection refused", None);
        let repeats = Layer("connect error: connection refused", Some(Box::new(inner)));
        let outer = Layer("could not connect", Some(Box::new(repeats)));
        assert_eq!(
            with_causes(&outer),
            "could not connect: connect error: connection refused"
        );
        assert_eq!(with_causes(&Layer("alone", None)), "alone");
    }

    #[test]
    fn a_transport_error_leaves_its_cause_to_source() {
        use std::error::Error as _;
        let error = TransportError::for_test(TransportErrorKind::Connect);
        assert_eq!(
            error.to_string(),
            "could not connect to HappyTalk (check the network and the environment's host)"
        );
        assert_eq!(
            error.source().map(ToString::to_string).as_deref(),
            Some("test")
        );
    }

    #[test]
    fn a_retried_error_says_how_many_attempts_it_made() {
        let once = api_error(-600, None, None, None);
        assert_eq!(Error::from(once.clone()).attempts(), 1);
        let thrice = Error::from(once).with_attempts(3, true);
        assert_eq!(thrice.attempts(), 3);
        assert!(
            thrice
                .to_string()
                .ends_with("[HTTP 200] (after 3 attempts)"),
            "{thrice}"
        );
        let timeout = Error::from(TransportError::for_test(TransportErrorKind::Timeout));
        assert_eq!(
            timeout.with_attempts(2, true).to_string(),
            "HappyTalk did not answer in time (retry, or raise the timeout) (after 2 attempts)"
        );
        let html =
            Error::from(UndecodableResponse::new(None, "bad", b"<html>")).with_attempts(3, true);
        assert!(
            html.to_string()
                .ends_with("body \"<html>\" (after 3 attempts)"),
            "{html}"
        );
        let invalid = Error::from(ValidationError::text("uuid", Rule::NotEmpty, "", true));
        assert_eq!(
            invalid.with_attempts(3, true).attempts(),
            0,
            "nothing was sent"
        );
    }
}
