//! The one error type of this crate, [`Error`], and what each of its kinds carries.
//!
//! No error here ever contains the client secret: it is never formatted into a message, and
//! the request headers that carry it are not part of any error.

use std::fmt;

use happytalk_api::ResponseValue;
use reqwest::StatusCode;

/// Everything that can go wrong when using this crate. Each variant says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused before anything was sent: fix the value. The error names the field,
    /// the rule and what was given.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// HappyTalk answered with a failure code. [`ApiError::code`] says what it means; most need
    /// a change of request or account, a few ([`ApiCode::SystemError`]) may pass on retry.
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

    /// The same error, saying that the call made `attempts` requests.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Self::Validation(_) | Self::Configuration(_) => {}
            Self::Api(error) => error.attempts = attempts,
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

/// A value refused before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {rule}; got {given}")]
pub struct ValidationError {
    field: &'static str,
    rule: Rule,
    given: Given,
}

impl ValidationError {
    pub(crate) fn new(field: &'static str, rule: Rule, value: &str, show_value: bool) -> Self {
        /// Values longer than this are described by their length only.
        const SHOWN_UP_TO: usize = 40;
        let length = value.chars().count();
        let shown = (show_value && length <= SHOWN_UP_TO).then(|| value.to_owned());
        Self {
            field,
            rule,
            given: Given { length, shown },
        }
    }

    /// The field as HappyTalk names it on the wire (`uuid`, `room_id`, `msg`, `url`,
    /// `senderKey`).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The rule the value broke.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// The length of the given value, in characters.
    pub fn given_length(&self) -> usize {
        self.given.length
    }
}

/// A rule a field must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Between `min` and `max` characters (not bytes: HappyTalk counts 자), both inclusive.
    Length {
        /// The fewest characters allowed.
        min: usize,
        /// The most characters allowed.
        max: usize,
    },
    /// An absolute `http` or `https` URL.
    AbsoluteHttpUrl,
    /// At least one character.
    NotEmpty,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { min, max } => write!(f, "must be {min} to {max} characters"),
            Self::AbsoluteHttpUrl => f.write_str("must be an absolute http(s) URL"),
            Self::NotEmpty => f.write_str("must not be empty"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Given {
    length: usize,
    /// The value itself, only when it is short and not message content.
    shown: Option<String>,
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.length == 1 {
            "character"
        } else {
            "characters"
        };
        write!(f, "{} {unit}", self.length)?;
        if let Some(shown) = &self.shown {
            write!(f, " ({shown:?})")?;
        }
        Ok(())
    }
}

/// HappyTalk answered with a failure code.
///
/// The same whichever HTTP status carried the body (HappyTalk does not document it), and the
/// same type for both endpoints: the Biz host's integer codes (`-802`) and the Kakao host's
/// string codes (`"507"`) both map to an [`ApiCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ApiError {
    pub(crate) code: ApiCode,
    pub(crate) raw_code: String,
    pub(crate) message: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) notice: Option<String>,
    pub(crate) status: StatusCode,
    pub(crate) attempts: u32,
}

impl ApiError {
    /// What the code means.
    pub fn code(&self) -> &ApiCode {
        &self.code
    }

    /// The code exactly as HappyTalk sent it (`"-802"`, `"507"`), also for known codes.
    pub fn raw_code(&self) -> &str {
        &self.raw_code
    }

    /// HappyTalk's `message`, if it sent one (`"Length"`, or a Korean sentence from Kakao).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// On -800, -801 and -802: the request field HappyTalk refused (`"msg"`).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// On -90x: the automatic notice (자동메시지, `content`) shown to the customer instead of a
    /// counsellor's answer.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The HTTP status that carried the failure body.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// How many requests the call made (more than 1 when earlier attempts failed in a way that
    /// was retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HappyTalk refused the request with code {}",
            self.raw_code
        )?;
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, " {message:?}")?;
        }
        write!(f, " ({})", self.code.meaning())?;
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        if let Some(notice) = &self.notice {
            write!(f, ", notice shown to the customer: {notice:?}")?;
        }
        write!(
            f,
            " [HTTP {}]{}",
            self.status.as_u16(),
            Attempts(self.attempts)
        )
    }
}

/// What a HappyTalk failure code means: the Biz host's codes (`/v1/chat/write`, integers) and
/// the Kakao BizMessage Center's (`/kakaoWebhook/…`, strings).
///
/// Open: an undocumented code is [`ApiCode::Unknown`] and [`ApiError::raw_code`] keeps it. Do
/// not match on `Unknown` for a particular value; compare `raw_code()` instead.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiCode {
    /// -400 Forbidden: no permission, or the page was not found. Check the credentials' rights.
    Forbidden,
    /// -500 Authorization: wrong or expired credentials. Check the client id and secret.
    Unauthorized,
    /// -504 Contract: sending failed because of the contract. Contact HappyTalk.
    Contract,
    /// -600 System: an internal error at HappyTalk. May pass on retry, but the client never
    /// retries it: HappyTalk does not say whether the message reached the room, so a retry may
    /// show the customer a second copy. Send again yourself if that is acceptable.
    SystemError,
    /// -700 EndRoom: the room has already ended.
    RoomEnded,
    /// -701 Room: the room could not be created.
    RoomCreationFailed,
    /// -702 NotRoom: no such room.
    RoomNotFound,
    /// -703 UUID: the room belongs to another customer uuid.
    UuidMismatch,
    /// -704 IngRoom: the room is in progress.
    RoomInProgress,
    /// -800 Validation: a parameter failed validation; see [`ApiError::field`].
    InvalidParameter,
    /// -801 Required: a required parameter is missing; see [`ApiError::field`].
    MissingParameter,
    /// -802 Length: a parameter's length is out of range; see [`ApiError::field`].
    ParameterLength,
    /// -900 Consulting: counselling is not offered. See [`ApiError::notice`].
    CounsellingNotOffered,
    /// -901 Consulting: outside working hours, not accepted. See [`ApiError::notice`].
    OutsideHoursNotAccepted,
    /// -902 Consulting: outside working hours, accepted, but no room was created.
    OutsideHoursAccepted,
    /// -903 Consulting: no counsellor available in working hours; no room was created.
    NoCounsellorAvailable,
    /// -904 Consulting: the counselling limit is exceeded.
    CounsellingLimitExceeded,
    /// -1001 Vote: the room's satisfaction vote is complete.
    VoteCompleted,
    /// Kakao 403: no permission.
    KakaoForbidden,
    /// Kakao 405: a parameter is wrong.
    KakaoParameterError,
    /// Kakao 507: the sender profile (발신프로필, channel) or profile group is not valid.
    InvalidSenderProfile,
    /// Kakao 508: the requested data was not found.
    DataNotFound,
    /// Kakao 509: not in a state that can process the request.
    CannotProcessInThisState,
    /// Kakao 510: a button's format is not valid.
    InvalidButtonFormat,
    /// Kakao 514: the Kakao channel needs business verification.
    BusinessVerificationRequired,
    /// Kakao 515: there is no counselling-talk (상담톡) profile.
    NoCounsellingProfile,
    /// Kakao 516: there is no counselling-talk contract.
    NoCounsellingContract,
    /// Kakao 517: the profile information was not found.
    ProfileNotFound,
    /// Kakao 520: the system message content is not valid.
    InvalidSystemMessageContent,
    /// Kakao 805 to 810: sender profile registration is blocked ([`ApiError::raw_code`] tells
    /// which).
    SenderProfileRegistrationBlocked,
    /// Kakao 811: a hub partner whose sender profile registration is blocked.
    HubPartnerRegistrationBlocked,
    /// Kakao 4060: the profile is already used for counselling talk by another partner.
    ProfileUsedByAnotherPartner,
    /// A code this version does not document, kept in [`ApiError::raw_code`].
    Unknown,
}

/// The Biz host's documented failure codes, in the order of HappyTalk's table; `0` is success.
const BIZ_CODES: &[(i32, ApiCode)] = &[
    (-400, ApiCode::Forbidden),
    (-500, ApiCode::Unauthorized),
    (-504, ApiCode::Contract),
    (-600, ApiCode::SystemError),
    (-700, ApiCode::RoomEnded),
    (-701, ApiCode::RoomCreationFailed),
    (-702, ApiCode::RoomNotFound),
    (-703, ApiCode::UuidMismatch),
    (-704, ApiCode::RoomInProgress),
    (-800, ApiCode::InvalidParameter),
    (-801, ApiCode::MissingParameter),
    (-802, ApiCode::ParameterLength),
    (-900, ApiCode::CounsellingNotOffered),
    (-901, ApiCode::OutsideHoursNotAccepted),
    (-902, ApiCode::OutsideHoursAccepted),
    (-903, ApiCode::NoCounsellorAvailable),
    (-904, ApiCode::CounsellingLimitExceeded),
    (-1001, ApiCode::VoteCompleted),
];

/// The Kakao host's documented failure codes, in the order of the table; `"200"` is success.
const KAKAO_CODES: &[(&str, ApiCode)] = &[
    ("403", ApiCode::KakaoForbidden),
    ("405", ApiCode::KakaoParameterError),
    ("507", ApiCode::InvalidSenderProfile),
    ("508", ApiCode::DataNotFound),
    ("509", ApiCode::CannotProcessInThisState),
    ("510", ApiCode::InvalidButtonFormat),
    ("514", ApiCode::BusinessVerificationRequired),
    ("515", ApiCode::NoCounsellingProfile),
    ("516", ApiCode::NoCounsellingContract),
    ("517", ApiCode::ProfileNotFound),
    ("520", ApiCode::InvalidSystemMessageContent),
    ("805", ApiCode::SenderProfileRegistrationBlocked),
    ("806", ApiCode::SenderProfileRegistrationBlocked),
    ("807", ApiCode::SenderProfileRegistrationBlocked),
    ("808", ApiCode::SenderProfileRegistrationBlocked),
    ("809", ApiCode::SenderProfileRegistrationBlocked),
    ("810", ApiCode::SenderProfileRegistrationBlocked),
    ("811", ApiCode::HubPartnerRegistrationBlocked),
    ("4060", ApiCode::ProfileUsedByAnotherPartner),
];

impl ApiCode {
    /// Every documented failure code of the Biz host (`/v1/chat/write`), in the order of
    /// HappyTalk's table; `0` is success.
    pub fn known_biz_codes() -> impl Iterator<Item = i32> {
        BIZ_CODES.iter().map(|(code, _)| *code)
    }

    /// Every documented failure code of the Kakao host, in the order of the table; `"200"` is
    /// success.
    pub fn known_kakao_codes() -> impl Iterator<Item = &'static str> {
        KAKAO_CODES.iter().map(|(code, _)| *code)
    }

    /// The meaning of a Biz host code (the integer `code` of `/v1/chat/write`).
    pub fn from_biz(code: i32) -> Self {
        BIZ_CODES
            .iter()
            .find(|(known, _)| *known == code)
            .map_or(Self::Unknown, |(_, meaning)| meaning.clone())
    }

    /// The meaning of a Kakao host code (the string `code` of `/kakaoWebhook/…`).
    pub fn from_kakao(code: &str) -> Self {
        KAKAO_CODES
            .iter()
            .find(|(known, _)| *known == code)
            .map_or(Self::Unknown, |(_, meaning)| meaning.clone())
    }

    /// Whether the failure is about the request's counselling hours or capacity (-90x): the
    /// customer was shown an automatic notice ([`ApiError::notice`]) instead.
    pub fn is_counselling_unavailable(&self) -> bool {
        matches!(
            self,
            Self::CounsellingNotOffered
                | Self::OutsideHoursNotAccepted
                | Self::OutsideHoursAccepted
                | Self::NoCounsellorAvailable
                | Self::CounsellingLimitExceeded
        )
    }

    /// The documented meaning, in English.
    pub fn meaning(&self) -> &'static str {
        match self {
            Self::Forbidden => "no permission, or page not found",
            Self::Unauthorized => "wrong or expired credentials; check the client id and secret",
            Self::Contract => "sending failed because of the contract",
            Self::SystemError => "internal error at HappyTalk; may pass on retry",
            Self::RoomEnded => "the room has already ended",
            Self::RoomCreationFailed => "the room could not be created",
            Self::RoomNotFound => "no such room",
            Self::UuidMismatch => "the room belongs to another customer uuid",
            Self::RoomInProgress => "the room is in progress",
            Self::InvalidParameter => "a parameter failed validation",
            Self::MissingParameter => "a required parameter is missing",
            Self::ParameterLength => "a parameter's length is out of range",
            Self::CounsellingNotOffered => "counselling is not offered",
            Self::OutsideHoursNotAccepted => "outside working hours, not accepted",
            Self::OutsideHoursAccepted => "outside working hours, accepted; no room was created",
            Self::NoCounsellorAvailable => {
                "no counsellor available in working hours; no room was created"
            }
            Self::CounsellingLimitExceeded => "the counselling limit is exceeded",
            Self::VoteCompleted => "the room's satisfaction vote is complete",
            Self::KakaoForbidden => "no permission",
            Self::KakaoParameterError => "a parameter is wrong",
            Self::InvalidSenderProfile => "the sender profile or profile group is not valid",
            Self::DataNotFound => "the requested data was not found",
            Self::CannotProcessInThisState => "not in a state that can process the request",
            Self::InvalidButtonFormat => "a button's format is not valid",
            Self::BusinessVerificationRequired => "the Kakao channel needs business verification",
            Self::NoCounsellingProfile => "there is no counselling-talk profile",
            Self::NoCounsellingContract => "there is no counselling-talk contract",
            Self::ProfileNotFound => "the profile information was not found",
            Self::InvalidSystemMessageContent => "the system message content is not valid",
            Self::SenderProfileRegistrationBlocked => "sender profile registration is blocked",
            Self::HubPartnerRegistrationBlocked => {
                "hub partner whose sender profile registration is blocked"
            }
            Self::ProfileUsedByAnotherPartner => {
                "the profile is already used for counselling talk by another partner"
            }
            Self::Unknown => "a code this version of happytalk-ext does not document",
        }
    }
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.meaning())
    }
}

/// The exchange with HappyTalk did not complete.
///
/// `Display` gives the kind, what to check, and the whole chain of causes (reqwest keeps the
/// useful part, such as "Connection refused", in its sources).
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {}{}", self.causes(), Attempts(self.attempts))]
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

    #[cfg(test)]
    pub(crate) fn for_test(kind: TransportErrorKind) -> Self {
        Self {
            kind,
            source: "test".into(),
            attempts: 1,
        }
    }

    fn causes(&self) -> String {
        let mut causes = vec![self.source.to_string()];
        let mut next = self.source.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            // hyper and reqwest repeat their inner error in their own message at times.
            if !causes.iter().any(|seen| seen.contains(&text)) {
                causes.push(text);
            }
            next = cause.source();
        }
        causes.join(": ")
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
    pub const SNIPPET_CHARS: usize = 200;

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
            reason: reason.into(),
            snippet,
            evidence,
            attempts: 1,
        }
    }

    /// A body that decoded but holds a value that breaks a rule; `value` is that value.
    fn decoded(status: StatusCode, reason: String, value: &impl serde::Serialize) -> Self {
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

    /// Why it could not be decoded.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The start of the body (at most [`SNIPPET_CHARS`](Self::SNIPPET_CHARS) characters;
    /// invalid UTF-8 replaced). When the body decoded but a value in it breaks a rule (a
    /// timestamp that is no timestamp), the offending value instead, re-encoded as JSON.
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

/// A setting the client cannot be built with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot build the HappyTalk client: {0}")]
pub struct ConfigurationError(pub(crate) String);

/// A decoded body that is not what the API documents; becomes an [`UndecodableResponse`] once
/// the status is known.
#[derive(Debug)]
pub(crate) struct DecodeProblem {
    pub(crate) reason: String,
}

impl DecodeProblem {
    /// `evidence` is the decoded value that breaks the rule.
    pub(crate) fn into_error(self, status: StatusCode, evidence: &impl serde::Serialize) -> Error {
        UndecodableResponse::decoded(status, self.reason, evidence).into()
    }
}

/// Splits what the generated client returned into the decoded body and its status (success and
/// documented failure bodies alike: HappyTalk's `code` decides, not the status), or an [`Error`].
///
/// `status` is the response status recorded by [`happytalk_api::with_response_info`]: the
/// generated error for an undecodable body does not keep it.
pub(crate) async fn decoded_body<T>(
    result: Result<ResponseValue<T>, happytalk_api::Error<T>>,
    status: Option<StatusCode>,
) -> Result<(T, StatusCode), Error> {
    use happytalk_api::Error as Generated;
    match result {
        Ok(value) | Err(Generated::ErrorResponse(value)) => {
            let status = value.status();
            Ok((value.into_inner(), status))
        }
        Err(Generated::InvalidResponsePayload(body, error)) => {
            Err(UndecodableResponse::new(status, error.to_string(), &body).into())
        }
        Err(Generated::UnexpectedResponse(response)) => {
            let status = response.status();
            let body = body_start(response).await;
            Err(UndecodableResponse::new(
                Some(status),
                "the API documents no answer with this status",
                &body,
            )
            .into())
        }
        Err(
            Generated::CommunicationError(error)
            | Generated::ResponseBodyError(error)
            | Generated::InvalidUpgrade(error),
        ) => Err(TransportError::from(error).into()),
        Err(Generated::InvalidRequest(message) | Generated::Custom(message)) => {
            Err(TransportError {
                kind: TransportErrorKind::Request,
                source: message.into(),
                attempts: 1,
            }
            .into())
        }
    }
}

/// The first few KiB of a body: enough for a snippet, without reading a large page whole. A
/// failure to read further changes nothing, as only the snippet is kept.
async fn body_start(mut response: reqwest::Response) -> Vec<u8> {
    const ENOUGH: usize = 4 * 1024;
    let mut body = Vec::new();
    while body.len() < ENOUGH {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_own_meaning() {
        let biz: Vec<ApiCode> = ApiCode::known_biz_codes().map(ApiCode::from_biz).collect();
        let kakao: Vec<ApiCode> = ApiCode::known_kakao_codes()
            .map(ApiCode::from_kakao)
            .collect();
        assert_eq!(biz.len(), 18);
        assert_eq!(kakao.len(), 19);
        let mut all: Vec<&ApiCode> = biz.iter().chain(&kakao).collect();
        assert!(all.iter().all(|code| **code != ApiCode::Unknown));
        all.dedup(); // 805 to 810 share one meaning and stand together
        let meanings: std::collections::BTreeSet<&str> = all.iter().map(|c| c.meaning()).collect();
        assert_eq!(meanings.len(), all.len(), "no two codes read the same");
        assert_eq!(all.len(), 18 + 19 - 5);
    }

    #[test]
    fn codes_map_by_family_and_unknown_codes_stay_unknown() {
        assert_eq!(ApiCode::from_biz(-802), ApiCode::ParameterLength);
        assert_eq!(ApiCode::from_biz(-1001), ApiCode::VoteCompleted);
        assert_eq!(
            ApiCode::from_kakao("4060"),
            ApiCode::ProfileUsedByAnotherPartner
        );
        for code in ["805", "806", "807", "808", "809", "810"] {
            assert_eq!(
                ApiCode::from_kakao(code),
                ApiCode::SenderProfileRegistrationBlocked
            );
        }
        // A code of one family means nothing in the other.
        assert_eq!(ApiCode::from_kakao("-802"), ApiCode::Unknown);
        assert_eq!(ApiCode::from_biz(403), ApiCode::Unknown);
        assert_eq!(ApiCode::from_biz(0), ApiCode::Unknown);
        assert_eq!(ApiCode::from_kakao("200"), ApiCode::Unknown);
        assert_eq!(ApiCode::from_kakao(" 507"), ApiCode::Unknown);
        let counselling: Vec<i32> = ApiCode::known_biz_codes()
            .filter(|c| ApiCode::from_biz(*c).is_counselling_unavailable())
            .collect();
        assert_eq!(counselling, [-900, -901, -902, -903, -904]);
    }

    fn api_error(
        raw: &str,
        message: Option<&str>,
        field: Option<&str>,
        notice: Option<&str>,
    ) -> ApiError {
        ApiError {
            code: ApiCode::from_biz(raw.parse().unwrap()),
            raw_code: raw.to_owned(),
            message: message.map(str::to_owned),
            field: field.map(str::to_owned),
            notice: notice.map(str::to_owned),
            status: StatusCode::OK,
            attempts: 1,
        }
    }

    #[test]
    fn an_api_error_says_code_meaning_field_notice_and_status() {
        assert_eq!(
            api_error("-802", Some("Length"), Some("msg"), None).to_string(),
            "HappyTalk refused the request with code -802 \"Length\" \
             (a parameter's length is out of range), field `msg` [HTTP 200]"
        );
        assert_eq!(
            api_error("-600", None, None, None).to_string(),
            "HappyTalk refused the request with code -600 \
             (internal error at HappyTalk; may pass on retry) [HTTP 200]"
        );
        assert_eq!(
            api_error("-600", Some(""), None, None).to_string(),
            api_error("-600", None, None, None).to_string(),
            "an empty message is no message"
        );
        assert!(
            api_error("-903", Some("Consulting"), None, Some("상담사 부재"))
                .to_string()
                .contains(", notice shown to the customer: \"상담사 부재\" [HTTP 200]")
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
            "no room_id".into(),
            &serde_json::json!({"code": 0}),
        );
        assert!(
            decoded
                .to_string()
                .ends_with("no room_id; in \"{\\\"code\\\":0}\""),
            "{decoded}"
        );
    }

    #[test]
    fn a_retried_error_says_how_many_attempts_it_made() {
        let once = api_error("-600", None, None, None);
        assert_eq!(Error::from(once.clone()).attempts(), 1);
        let thrice = Error::from(once).with_attempts(3);
        assert_eq!(thrice.attempts(), 3);
        assert!(
            thrice
                .to_string()
                .ends_with("[HTTP 200] (after 3 attempts)"),
            "{thrice}"
        );
        let timeout = Error::from(TransportError::for_test(TransportErrorKind::Timeout));
        assert_eq!(
            timeout.with_attempts(2).to_string(),
            "HappyTalk did not answer in time (retry, or raise the timeout): test (after 2 attempts)"
        );
        let html = Error::from(UndecodableResponse::new(None, "bad", b"<html>")).with_attempts(3);
        assert!(
            html.to_string()
                .ends_with("body \"<html>\" (after 3 attempts)"),
            "{html}"
        );
        let invalid = Error::from(ValidationError::new("uuid", Rule::NotEmpty, "", true));
        assert_eq!(invalid.with_attempts(3).attempts(), 0, "nothing was sent");
    }

    #[test]
    fn a_validation_error_counts_in_the_singular_too() {
        let error = ValidationError::new("uuid", Rule::Length { min: 5, max: 20 }, "a", true);
        assert_eq!(
            error.to_string(),
            "`uuid` must be 5 to 20 characters; got 1 character (\"a\")"
        );
        let hidden = ValidationError::new("msg", Rule::Length { min: 1, max: 1000 }, "a", false);
        assert_eq!(
            hidden.to_string(),
            "`msg` must be 1 to 1000 characters; got 1 character"
        );
    }
}
