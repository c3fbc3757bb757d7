//! [`SerialNumber`]: Kakao's serial number of an inbound KakaoTalk message, kept as its digits.

use std::fmt;

/// Kakao's serial number of a customer's message (`serial_number` of the `/message` callback):
/// a 19-digit integer in the docs' example, beyond 2^53, where a decoder that reads numbers as
/// doubles (JavaScript's, for one) corrupts it. It decodes from a JSON number or a string alike
/// and keeps the digits exactly: the same digits out as in. It is written as a string.
///
/// A JSON number that is not an integer, or an integer beyond 64 bits (20 digits or more), is
/// refused rather than rounded: it could not be kept exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber(String);

impl SerialNumber {
    /// The serial number `digits`, as given.
    pub fn new(digits: impl Into<String>) -> Self {
        Self(digits.into())
    }

    /// Its digits (or the string Kakao sent).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<u64> for SerialNumber {
    fn from(number: u64) -> Self {
        Self(number.to_string())
    }
}

impl serde::Serialize for SerialNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SerialNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Digits;
        impl serde::de::Visitor<'_> for Digits {
            type Value = SerialNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, or a string")
            }
            fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<SerialNumber, E> {
                Ok(SerialNumber(number.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<SerialNumber, E> {
                Ok(SerialNumber(number.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<SerialNumber, E> {
                Err(E::custom(format!(
                    "{number} cannot be kept exactly (not an integer of at most 64 bits); send it as a string"
                )))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SerialNumber, E> {
                Ok(SerialNumber(text.to_owned()))
            }
        }
        deserializer.deserialize_any(Digits)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SerialNumber {
    fn schema_name() -> String {
        "SerialNumber".to_owned()
    }
    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some("Kakao's serial number of a message, as its digits.".to_owned()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digits_are_kept_whether_a_number_or_a_string() {
        for body in [r#"1689884130894833201"#, r#""1689884130894833201""#] {
            let serial: SerialNumber = serde_json::from_str(body).unwrap();
            assert_eq!(serial.as_str(), "1689884130894833201", "{body}");
            assert_eq!(
                serde_json::to_string(&serial).unwrap(),
                r#""1689884130894833201""#
            );
        }
        // Beyond 2^53, where a double would round it to …3200.
        assert_eq!(
            serde_json::from_str::<SerialNumber>("9007199254740993")
                .unwrap()
                .as_str(),
            "9007199254740993"
        );
        assert!(serde_json::from_str::<SerialNumber>("1.5e18").is_err());
        assert!(serde_json::from_str::<SerialNumber>("123456789012345678901234").is_err());
    }
}
