//! The shapes of the operation table `cargo xtask generate` writes from the spec (`tables.rs`):
//! what an operation is, what a request field allows, what the fields of an answer mean, and
//! what a request of one operation is ([`Request`]). The tables themselves are generated; these
//! types are not.

use crate::codes::{HostFamily, ResultCode, ResultCodeTable};

/// One operation of the spec, as every layer above the generated client needs it: where it
/// goes, how it may be retried, what its request carries and what its answer means.
///
/// The table of every operation is [`OPERATIONS`](crate::OPERATIONS); each is also a constant
/// of [`operations`](crate::operations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's `operationId`, also the generated client's method name.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, from the host family's base URL.
    pub path: &'static str,
    /// The host family that serves it.
    pub host: HostFamily,
    /// The table of the result codes it answers with (the schema of its answer's `code`).
    pub result_codes: ResultCodeTable,
    /// What a retry may do (the spec's `x-retry`).
    pub retry: RetryClass,
    /// The spec's summary.
    pub summary: &'static str,
    /// The parameters in the path (`{sender_key}`).
    pub path_parameters: &'static [Field],
    /// The query parameters.
    pub query: &'static [Field],
    /// The fields of the request body (none without one).
    pub body: &'static [Field],
    /// Whether the body is a multipart form (an upload) rather than JSON.
    pub multipart: bool,
    /// The fields of the answer that have a role (`x-result`).
    pub answer: &'static [AnswerField],
    /// The answer's example named `success`, as JSON text, if the spec has one.
    pub success_example: Option<&'static str>,
}

impl Operation {
    /// The result code of a successful answer (in its table).
    pub fn success_code(&self) -> ResultCode {
        self.result_codes.success()
    }

    /// Every field of a request: path parameters, query parameters, then the body's.
    pub fn fields(&self) -> impl Iterator<Item = &'static Field> {
        self.path_parameters
            .iter()
            .chain(self.query)
            .chain(self.body)
    }

    /// The name of the answer's field with `role`, if it has one.
    pub fn answer_field(&self, role: AnswerRole) -> Option<&'static str> {
        self.answer
            .iter()
            .find(|field| field.role == role)
            .map(|field| field.name)
    }
}

/// What a retry of an operation may do to the world, declared per operation in the spec
/// (`x-retry`). Never inferred from the HTTP method: HappyTalk has POSTs that only read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Only reads: a retry changes nothing, so whatever may pass on a second try is retried.
    Read,
    /// A write HappyTalk acts on each time (a message reaches the customer, a room opens):
    /// retried only when the request provably never left.
    NeverTwice,
    /// A write whose repetition changes nothing more (ending an ended room): retried like a
    /// read.
    SafeToRepeat,
}

/// A query parameter or a field of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The name on the wire.
    pub name: &'static str,
    /// Its description, on one line.
    pub summary: &'static str,
    /// Whether it must always be present.
    pub required: bool,
    /// Required only when another field has one of some values (the spec's `x-required-when`).
    pub required_when: Option<Condition>,
    /// What values it takes.
    pub kind: FieldKind,
    /// Its value is personal data (`x-personal-data`): never in an error or a trace.
    pub personal_data: bool,
    /// The numbered family of fields it belongs to (`x-indexed`: `parameter` for
    /// `parameter1` to `parameter10`).
    pub indexed: Option<&'static str>,
}

/// A credential every operation sends as a header (a `securitySchemes` entry of the spec):
/// [`CREDENTIAL_HEADERS`](crate::CREDENTIAL_HEADERS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialHeader {
    /// The scheme's name in the spec (`htClientId`).
    pub scheme: &'static str,
    /// The header's name (`HT-Client-Id`).
    pub name: &'static str,
    /// Its value is a secret (`x-sensitive`): never shown in a `Debug`, a log or an error.
    pub sensitive: bool,
}

/// "Required when `field` is one of `values`."
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The field the requirement depends on.
    pub field: &'static str,
    /// Its values that make the requirement hold.
    pub values: &'static [&'static str],
}

/// The values a [`Field`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// A string of `min_length` to `max_length` characters (not bytes).
    Text {
        /// The fewest characters.
        min_length: usize,
        /// The most characters, if limited.
        max_length: Option<usize>,
    },
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An integer, within these bounds if any.
    Integer {
        /// The least value allowed.
        minimum: Option<i64>,
        /// The greatest value allowed.
        maximum: Option<i64>,
    },
    /// One of these integers.
    IntegerOneOf(&'static [i64]),
    /// `true` or `false`.
    Boolean,
    /// A yes/no field sent as one of two strings (`x-boolean`: `T` for yes, `N` for no).
    Flag {
        /// The value that means yes.
        on: &'static str,
        /// The value that means no.
        off: &'static str,
    },
    /// A JSON object or array, of the shape the spec describes (open where the docs could not
    /// be seen).
    Json,
    /// A file, a part of a multipart form ([`FileContent`](crate::FileContent)).
    File {
        /// The most bytes allowed, if limited (the spec's `x-max-bytes`).
        max_bytes: Option<u64>,
    },
}

/// A field of an answer with a role every answer of its host family shares (`x-result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerField {
    /// The name on the wire.
    pub name: &'static str,
    /// What it holds.
    pub role: AnswerRole,
}

/// The role of an [`AnswerField`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnswerRole {
    /// The result code.
    Code,
    /// HappyTalk's message (a failure's name or sentence).
    Message,
    /// On a parameter failure, the request field refused.
    Field,
    /// On a refusal for lack of counselling, the automatic notice shown to the customer.
    Notice,
    /// The room id (the integer 0 on such a refusal).
    Room,
    /// A request field echoed back on such a refusal.
    Echo,
}

/// A call HappyTalk makes to the integrator (the spec's `x-inbound`): what a receiver serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inbound {
    /// Its name in the spec (`message`, `kakao_message`).
    pub name: &'static str,
    /// The family whose document declares it.
    pub family: HostFamily,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path, with its parameter in braces if it has one (`/message/{uuid}`, `/message`), as
    /// axum routes it too.
    pub path: &'static str,
    /// The component schema of its body (`InboundMessage`).
    pub body: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// The spec's examples of the body, by name (`text`, `image`, …), as JSON text.
    pub examples: &'static [(&'static str, &'static str)],
}

impl Inbound {
    /// The example named `name`, as JSON text.
    pub fn example(&self, name: &str) -> Option<&'static str> {
        self.examples
            .iter()
            .find(|(example, _)| *example == name)
            .map(|(_, json)| *json)
    }

    /// Its name within its family: the spec's name without the family's prefix
    /// (`kakao_expired_session` → `expired_session`; `message` stays `message`).
    pub fn short_name(&self) -> &'static str {
        self.name
            .strip_prefix(self.family.name())
            .and_then(|rest| rest.strip_prefix('_'))
            .unwrap_or(self.name)
    }

    /// The name of the path's parameter (`uuid`), as a router names it; `""` for a path without
    /// one.
    pub fn parameter(&self) -> &'static str {
        match (self.path.find('{'), self.path.find('}')) {
            (Some(start), Some(end)) if start < end => &self.path[start + 1..end],
            _ => "",
        }
    }

    /// The path with its parameter set to `value`, percent-encoded (anything but ASCII letters,
    /// digits, `-`, `.`, `_` and `~`). A value of `.` or `..` is a path segment URLs resolve
    /// away, even percent-encoded: HappyTalk's uuids are letters, digits and `_`. A path without
    /// a parameter is itself.
    pub fn path_for(&self, value: &str) -> String {
        let (start, end) = match (self.path.find('{'), self.path.find('}')) {
            (Some(start), Some(end)) if start < end => (start, end),
            _ => return self.path.to_owned(),
        };
        let mut encoded = String::with_capacity(value.len());
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                encoded.push(char::from(byte));
            } else {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
        format!("{}{encoded}{}", &self.path[..start], &self.path[end + 1..])
    }
}

/// What every decoded answer of an operation tells, whatever its shape: the result code and
/// the fields that explain a failure. Implemented by `cargo xtask generate` for each answer
/// type, from the fields the spec marks with `x-result`.
pub trait Answer {
    /// The result code.
    fn code(&self) -> ResultCode;
    /// Whether the code is the host family's success.
    fn is_success(&self) -> bool;
    /// HappyTalk's message, if it sent one.
    fn message(&self) -> Option<&str>;
    /// On a parameter failure, the request field HappyTalk refused.
    fn field(&self) -> Option<&str>;
    /// On a refusal for lack of counselling, the automatic notice shown to the customer.
    fn notice(&self) -> Option<&str>;
    /// On a success, the first field the spec requires of a success (`x-required-on-success`)
    /// that the answer lacks, by its name on the wire.
    fn missing_on_success(&self) -> Option<&'static str>;
}

/// A request of one operation: its table entry, its answer type, and how the generated client
/// sends it. `cargo xtask generate` implements it for the request builder of every operation
/// ([`requests`](crate::requests)), so that one generic call (`happytalk-ext`'s
/// `Client::call`) can run any operation with its host, retry class, result codes and checks.
pub trait Request: Sized + Send + 'static {
    /// The operation's table entry.
    const OPERATION: &'static Operation;
    /// The answer HappyTalk sends, success and refusal alike.
    type Answer: Answer + serde::de::DeserializeOwned + serde::Serialize + Send + 'static;
    /// The request with every value checked, ready to be sent as often as a retry needs.
    type Checked: Send + Sync;

    /// The request with every value checked against the spec, or the first value refused
    /// (nothing has been sent).
    fn check(self) -> Result<Self::Checked, crate::validation::ValidationError>;

    /// The request with the fields of `fields`, by their names on the wire (body, query and
    /// path alike), each checked as it is set; a field the operation does not have is refused.
    /// A required field left out is refused by [`check`](Self::check).
    fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Self;

    /// The generated operation's call of `checked` on its family's client.
    fn send<'a>(
        checked: &'a Self::Checked,
        clients: &'a crate::Clients,
    ) -> impl Future<
        Output = Result<
            progenitor_client::ResponseValue<Self::Answer>,
            progenitor_client::Error<Self::Answer>,
        >,
    > + Send
    + 'a;
}

/// Something done with the [`Request`] type of an operation known only by its id at run time
/// (a command line's `happytalk call OPERATION_ID`): see `visit_request`.
pub trait RequestVisitor {
    /// What the visit gives.
    type Output;
    /// Does it with `R`.
    fn visit<R: Request>(self) -> Self::Output;
}
