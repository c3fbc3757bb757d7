//! [`RawValue`]: a value exactly as HappyTalk sent it, and the helpers the generated code tables
//! (`codes.rs`) decode and describe themselves with.

use std::fmt;

/// A value exactly as HappyTalk sent it: what a code table's `Unknown` variant keeps, and what
/// a variant standing for several documented values keeps to tell which. Only decoding (or
/// converting a raw value into the table's type) makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawValue<T>(T);

impl<T> RawValue<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }

    /// The value.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The value, owned.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl RawValue<String> {
    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T: fmt::Display> fmt::Display for RawValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Decodes a string code table without copying a documented value: `From<&str>` for text
/// serde can lend, `From<String>` for text it cannot.
pub(crate) fn deserialize_str_table<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    deserializer.deserialize_str(StrTable::<T>(false, std::marker::PhantomData))
}

/// Decodes a string code table whose values may also arrive as JSON integers (HappyTalk's Kakao
/// host writes `"200"` and `200` alike): an integer is read as its decimal text.
pub(crate) fn deserialize_str_or_integer_table<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    deserializer.deserialize_any(StrTable::<T>(true, std::marker::PhantomData))
}

/// The visitor of a string code table; with `true`, an integer is read as its decimal text.
struct StrTable<T>(bool, std::marker::PhantomData<T>);

impl<T> serde::de::Visitor<'_> for StrTable<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            true => "a string or an integer",
            false => "a string",
        })
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<T, E> {
        match self.0 {
            true => Ok(T::from(value.to_string())),
            false => Err(E::invalid_type(serde::de::Unexpected::Signed(value), &self)),
        }
    }
    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<T, E> {
        match self.0 {
            true => Ok(T::from(value.to_string())),
            false => Err(E::invalid_type(
                serde::de::Unexpected::Unsigned(value),
                &self,
            )),
        }
    }
}

/// Decodes an integer code that may also arrive as a string of digits (`-505`, `"-505"`,
/// `"0000"` are all read as numbers: the last is 0). A string that is no integer of the
/// table's type is refused, naming what came.
pub(crate) fn deserialize_int_or_numeric_string<'de, D, I>(deserializer: D) -> Result<I, D::Error>
where
    D: serde::Deserializer<'de>,
    I: TryFrom<i64> + std::str::FromStr,
{
    struct Code<I>(std::marker::PhantomData<I>);
    impl<I> serde::de::Visitor<'_> for Code<I>
    where
        I: TryFrom<i64> + std::str::FromStr,
    {
        type Value = I;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, or a string of one")
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<I, E> {
            I::try_from(value).map_err(|_| E::custom(format!("the code {value} is out of range")))
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<I, E> {
            i64::try_from(value)
                .ok()
                .and_then(|value| I::try_from(value).ok())
                .ok_or_else(|| E::custom(format!("the code {value} is out of range")))
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<I, E> {
            value
                .trim()
                .parse::<I>()
                .map_err(|_| E::custom(format!("the code {value:?} is not an integer")))
        }
    }
    deserializer.deserialize_any(Code(std::marker::PhantomData))
}

/// A closed table's JSON Schema: a string (or an integer) that is one of its values.
#[cfg(feature = "schemars")]
pub(crate) fn closed_table_schema(
    generator: &mut schemars::r#gen::SchemaGenerator,
    description: &str,
    values: &[serde_json::Value],
    integer: bool,
) -> schemars::schema::Schema {
    let mut schema = open_table_schema(generator, description, &[], integer).into_object();
    schema.enum_values = Some(values.to_vec());
    schema.into()
}

/// A string code table's JSON Schema: a string, described, with the documented values as
/// examples (not an `enum`: the table is open).
#[cfg(feature = "schemars")]
pub(crate) fn open_table_schema(
    generator: &mut schemars::r#gen::SchemaGenerator,
    description: &str,
    known: &[serde_json::Value],
    integer: bool,
) -> schemars::schema::Schema {
    let mut schema = if integer {
        <i64 as schemars::JsonSchema>::json_schema(generator).into_object()
    } else {
        <String as schemars::JsonSchema>::json_schema(generator).into_object()
    };
    schema.metadata().description = Some(description.to_owned());
    schema.metadata().examples = known.to_vec();
    schema.into()
}
