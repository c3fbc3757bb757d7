//! [`ValidationError`]: a value refused before anything was sent. The request builders
//! generated into [`requests`](crate::requests) check each value as it is set against the spec's
//! limits and tables, and give the first refusal; `happytalk-ext` reports it as its own
//! `Error::Validation`.

use std::fmt;

/// A value refused before anything was sent: which field, what rule, what was given.
///
/// A value is quoted only when it is short and not personal data (`x-personal-data`);
/// otherwise only its length is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    field: &'static str,
    rule: Rule,
    given: Given,
}

impl std::error::Error for ValidationError {}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}; got {}", self.field, self.rule, self.given)
    }
}

/// Values longer than this are described by their length only.
const SHOWN_UP_TO: usize = 40;

impl ValidationError {
    /// `value` of `field` breaks `rule`; it is described by its length in characters, and
    /// quoted too when `show_value` (and it is short).
    pub fn text(field: &'static str, rule: Rule, value: &str, show_value: bool) -> Self {
        let length = value.chars().count();
        let shown = (show_value && length <= SHOWN_UP_TO).then(|| value.to_owned());
        Self {
            field,
            rule,
            given: Given::Text { length, shown },
        }
    }

    /// `value` of `field` (a number, a name: not a text whose length matters) breaks `rule`.
    pub fn value(field: &'static str, rule: Rule, value: &str) -> Self {
        let shown: String = value.chars().take(SHOWN_UP_TO).collect();
        Self {
            field,
            rule,
            given: Given::Value(shown),
        }
    }

    /// The field as HappyTalk names it on the wire (`uuid`, `room_id`, `msg`, `senderKey`).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The rule the value broke.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// The length of the given value, in characters (0 for a value that is not text).
    pub fn given_length(&self) -> usize {
        match &self.given {
            Given::Text { length, .. } => *length,
            Given::Value(_) => 0,
        }
    }
}

/// `value` as the generated type `T`, whose length limits are the spec's; a value out of them
/// is refused with the field, the limits and what was given (its length only, when the spec
/// marks the field as personal data).
pub fn checked<T: LengthLimits>(value: &str) -> Result<T, ValidationError> {
    T::try_from(value).map_err(|_| {
        let rule = match (T::MIN_LENGTH, T::MAX_LENGTH) {
            (0, Some(max)) => Rule::AtMost { max },
            (min, Some(max)) => Rule::Length { min, max },
            (0 | 1, None) => Rule::NotEmpty,
            (min, None) => Rule::AtLeast { min },
        };
        ValidationError::text(T::FIELD, rule, value, !T::PERSONAL_DATA)
    })
}

/// `file`, if it is within `max_bytes` (the spec's `x-max-bytes` of the field `field`):
/// checked before anything is sent.
pub fn file_within(
    field: &'static str,
    file: crate::FileContent,
    max_bytes: Option<u64>,
) -> Result<crate::FileContent, ValidationError> {
    match max_bytes {
        Some(max) if file.len() > max => Err(ValidationError::value(
            field,
            Rule::AtMostBytes { max },
            &format!("{} bytes ({})", file.len(), file.name()),
        )),
        _ => Ok(file),
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
    /// At most `max` characters.
    AtMost {
        /// The most characters allowed.
        max: usize,
    },
    /// At least `min` characters.
    AtLeast {
        /// The fewest characters allowed.
        min: usize,
    },
    /// At least one character.
    NotEmpty,
    /// An absolute `http` or `https` URL (checked by `happytalk-ext`, as the spec says in words).
    AbsoluteHttpUrl,
    /// One of the values of a closed table, listed.
    OneOf(&'static str),
    /// An integer.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// One of a numbered family of fields (`parameter1` to `parameter10`): a number from
    /// `min` to `max`.
    Index {
        /// The first number.
        min: usize,
        /// The last number.
        max: usize,
    },
    /// The name of a field of the request.
    KnownField,
    /// Present: the field is required.
    Required,
    /// Present when `field` has one of `values` (the spec's `x-required-when`).
    RequiredWhen {
        /// The field the requirement depends on.
        field: &'static str,
        /// Its values that make this field required, listed.
        values: &'static str,
    },
    /// A single value (text, number or boolean), not a JSON object or array.
    Scalar,
    /// At most `max` bytes (a file to upload; the spec's `x-max-bytes`).
    AtMostBytes {
        /// The most bytes allowed.
        max: u64,
    },
    /// The path of a file that can be read (a file field given as text).
    ReadableFile,
    /// JSON of the shape the spec describes (an object or an array field).
    Json,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { min, max } => write!(f, "must be {min} to {max} characters"),
            Self::AtMost { max } => write!(f, "must be at most {max} characters"),
            Self::AtLeast { min } => write!(f, "must be at least {min} characters"),
            Self::NotEmpty => f.write_str("must not be empty"),
            Self::AbsoluteHttpUrl => f.write_str("must be an absolute http(s) URL"),
            Self::OneOf(values) => write!(f, "must be one of {values}"),
            Self::Integer => f.write_str("must be an integer"),
            Self::Boolean => f.write_str("must be true or false"),
            Self::Index { min, max } => write!(f, "is numbered {min} to {max}"),
            Self::KnownField => f.write_str("must name a field of the request"),
            Self::Required => f.write_str("is required"),
            Self::RequiredWhen { field, values } => {
                write!(f, "is required when `{field}` is {values}")
            }
            Self::Scalar => f.write_str("must be a single value, not a JSON object or array"),
            Self::AtMostBytes { max } => write!(f, "must be at most {max} bytes"),
            Self::ReadableFile => f.write_str("must be the path of a file that can be read"),
            Self::Json => f.write_str("must be JSON of the shape the spec describes"),
        }
    }
}

/// What was given, as an error shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Given {
    /// A text: its length, and the text itself when it is short and not personal data.
    Text {
        length: usize,
        shown: Option<String>,
    },
    /// A value that is not a text whose length matters (a number, a name).
    Value(String),
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text { length, shown } => {
                let unit = if *length == 1 {
                    "character"
                } else {
                    "characters"
                };
                write!(f, "{length} {unit}")?;
                if let Some(shown) = shown {
                    write!(f, " ({shown:?})")?;
                }
                Ok(())
            }
            Self::Value(value) => write!(f, "{value:?}"),
        }
    }
}

/// A value that is not in a closed table (a request field's values), with the values it may
/// take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotInTable {
    value: String,
    known: &'static str,
}

impl NotInTable {
    pub(crate) fn new(value: String, known: &'static str) -> Self {
        Self { value, known }
    }

    /// The values the table has, listed (`"A, I, W"`).
    pub fn known(&self) -> &'static str {
        self.known
    }
}

impl fmt::Display for NotInTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.value.chars().take(SHOWN_UP_TO).collect();
        write!(f, "{shown:?} is not one of {}", self.known)
    }
}

impl std::error::Error for NotInTable {}

/// The length limits of a generated string type (`minLength`, `maxLength` in the spec, in
/// characters), and the field it is for. Implemented by `cargo xtask generate`; the types also
/// carry the limits as inherent constants (`MIN_LENGTH`, `MAX_LENGTH`).
pub trait LengthLimits: for<'a> TryFrom<&'a str> {
    /// The field's name on the wire.
    const FIELD: &'static str;
    /// The fewest characters allowed.
    const MIN_LENGTH: usize;
    /// The most characters allowed, if limited.
    const MAX_LENGTH: Option<usize>;
    /// The value is personal data (`x-personal-data`): never shown in an error or a trace.
    const PERSONAL_DATA: bool;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types;

    #[test]
    fn a_validation_error_says_field_rule_and_what_was_given() {
        let error = ValidationError::text("uuid", Rule::Length { min: 5, max: 20 }, "a", true);
        assert_eq!(
            error.to_string(),
            "`uuid` must be 5 to 20 characters; got 1 character (\"a\")"
        );
        let hidden = ValidationError::text("msg", Rule::Length { min: 1, max: 1000 }, "a", false);
        assert_eq!(
            hidden.to_string(),
            "`msg` must be 1 to 1000 characters; got 1 character"
        );
        let long = ValidationError::text("title", Rule::NotEmpty, &"x".repeat(41), true);
        assert_eq!(
            long.to_string(),
            "`title` must not be empty; got 41 characters"
        );
        let index = ValidationError::value("parameter", Rule::Index { min: 1, max: 10 }, "11");
        assert_eq!(
            index.to_string(),
            "`parameter` is numbered 1 to 10; got \"11\""
        );
        assert_eq!(index.given_length(), 0);
    }

    #[test]
    fn checks_take_their_limits_and_privacy_from_the_generated_types() {
        let uuid = checked::<types::ChatMessageRequestUuid>("abc").unwrap_err();
        type Uuid = types::ChatMessageRequestUuid;
        let (min, max) = (Uuid::MIN_LENGTH, Uuid::MAX_LENGTH);
        assert_eq!(
            (uuid.field(), uuid.rule()),
            ("uuid", &Rule::Length { min, max })
        );
        assert!(uuid.to_string().ends_with("(\"abc\")"), "shown: {uuid}");
        type Msg = types::ChatMessageRequestMsg;
        let max = Msg::MAX_LENGTH;
        let personal = checked::<Msg>(&"x".repeat(max + 1)).unwrap_err();
        let min = Msg::MIN_LENGTH;
        assert_eq!(personal.rule(), &Rule::Length { min, max });
        assert!(
            !personal.to_string().contains('x'),
            "msg is personal data: {personal}"
        );
        let key = checked::<types::SystemMessagesSenderKey>("").unwrap_err();
        assert_eq!((key.field(), key.rule()), ("senderKey", &Rule::NotEmpty));
    }
}
