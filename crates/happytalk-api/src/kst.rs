//! [`KstTimestamp`]: the times HappyTalk writes as `YYYY-MM-DD HH:MM:SS`, with no zone, in Korea
//! Standard Time (UTC+9). The generated structs use it for every field of the spec's
//! `KstTimestamp` schema (`cargo xtask generate` replaces the schema by this type), so a
//! response is read into date-times once, while it is decoded.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A time HappyTalk sent, in Korea Standard Time (UTC+9), as its zone-less
/// `YYYY-MM-DD HH:MM:SS` implies.
///
/// It decodes from that layout (a `T` separator and a fraction of a second are accepted too) and
/// encodes back to it. In an optional field, an empty value, `null` or the zero date
/// `0000-00-00 00:00:00` decodes as no time (`None`); anything else that is not a date and time
/// fails the response, naming the value.
///
/// ```
/// use happytalk_api::KstTimestamp;
///
/// let at: KstTimestamp = "2019-10-31 18:26:12".parse().unwrap();
/// assert_eq!(at.datetime().to_rfc3339(), "2019-10-31T18:26:12+09:00");
/// assert_eq!(at.to_string(), "2019-10-31 18:26:12");
/// assert!("yesterday".parse::<KstTimestamp>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KstTimestamp(DateTime<FixedOffset>);

impl KstTimestamp {
    /// Korea Standard Time, UTC+9: the zone of HappyTalk's zone-less times.
    pub const OFFSET: FixedOffset = KST;

    /// The date and time, with its +09:00 offset.
    pub fn datetime(&self) -> DateTime<FixedOffset> {
        self.0
    }

    /// The same instant, written in Korea Standard Time.
    pub fn from_datetime<Tz: TimeZone>(at: DateTime<Tz>) -> Self {
        Self(at.with_timezone(&KST))
    }

    /// What an optional field holds: no time for an absent value, `null`, an empty value or the
    /// zero date; otherwise the time, or an error naming the value. `cargo xtask generate`
    /// points every optional `KstTimestamp` field here.
    pub(crate) fn deserialize_optional<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        struct Optional;
        impl<'de> Visitor<'de> for Optional {
            type Value = Option<KstTimestamp>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a `YYYY-MM-DD HH:MM:SS` time, an empty string or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_str(self)
            }
            fn visit_str<E: de::Error>(self, raw: &str) -> Result<Self::Value, E> {
                if NO_DATE.contains(&raw.trim()) {
                    return Ok(None);
                }
                raw.parse().map(Some).map_err(E::custom)
            }
        }
        deserializer.deserialize_option(Optional)
    }
}

impl From<KstTimestamp> for DateTime<FixedOffset> {
    fn from(at: KstTimestamp) -> Self {
        at.0
    }
}

/// A value that is not a `YYYY-MM-DD HH:MM:SS` time; its `Display` quotes it (cut to 40
/// characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotATimestamp(String);

impl fmt::Display for NotATimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 40;
        let cut: String = self.0.chars().take(SHOWN).collect();
        let more = if cut.len() < self.0.len() { "…" } else { "" };
        write!(
            f,
            "{cut:?}{more} is not a `YYYY-MM-DD HH:MM:SS` time (Korea Standard Time)"
        )
    }
}

impl std::error::Error for NotATimestamp {}

impl FromStr for KstTimestamp {
    type Err = NotATimestamp;

    fn from_str(raw: &str) -> Result<Self, NotATimestamp> {
        parse_kst_timestamp(raw)
            .map(Self)
            .ok_or_else(|| NotATimestamp(raw.to_owned()))
    }
}

/// HappyTalk's layout, `2019-10-31 18:26:12` (with the fraction of a second when there is one).
impl fmt::Display for KstTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )?;
        match at.nanosecond() {
            0 => Ok(()),
            nanos => write!(f, ".{}", format!("{nanos:09}").trim_end_matches('0')),
        }
    }
}

impl Serialize for KstTimestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KstTimestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Required;
        impl Visitor<'_> for Required {
            type Value = KstTimestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a `YYYY-MM-DD HH:MM:SS` time")
            }
            fn visit_str<E: de::Error>(self, raw: &str) -> Result<Self::Value, E> {
                raw.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Required)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for KstTimestamp {
    fn schema_name() -> String {
        "KstTimestamp".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = <String as schemars::JsonSchema>::json_schema(generator).into_object();
        schema.metadata().description = Some(
            "A time as HappyTalk writes it, `YYYY-MM-DD HH:MM:SS`, in Korea Standard Time (UTC+9)."
                .to_owned(),
        );
        schema.metadata().examples = vec!["2019-10-31 18:26:12".into()];
        schema.into()
    }
}

/// Values that mean "no time" rather than a malformed one: empty, or MySQL's zero date.
const NO_DATE: &[&str] = &["", "0000-00-00 00:00:00"];

const KST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+9 is a valid offset"),
};

/// The instant of a KST wall-clock time of the documented layout (no fraction, no leap second):
/// 9 hours earlier in UTC, on the day before when the hour is under 9. The same as
/// `and_local_timezone(KST)` (a fixed offset has no gaps or folds), without its general path.
fn in_kst(date: NaiveDate, hour: u32, minute: u32, second: u32) -> Option<DateTime<FixedOffset>> {
    let (date, hour) = match hour {
        9..=23 => (date, hour - 9),
        0..=8 => (date.pred_opt()?, hour + 15),
        _ => return None,
    };
    let utc = date.and_hms_opt(hour, minute, second)?;
    Some(DateTime::from_naive_utc_and_offset(utc, KST))
}

/// Parses HappyTalk's `YYYY-MM-DD HH:MM:SS` (KST). A `T` separator and fractional seconds are
/// accepted too, so that a small change of format on HappyTalk's side does not fail a response.
///
/// A fixed-layout reader: it accepts exactly what chrono's `parse_from_str` accepted with
/// `%Y-%m-%d %H:%M:%S%.f` or `%Y-%m-%dT%H:%M:%S%.f` (the unit test
/// `the_fixed_layout_agrees_with_chronos_format_parser` compares them), without reading a format
/// string for every one of the thousands of timestamps of a large lookup. That grammar is:
/// whitespace may precede each number; the year is 1–4 digits, or a sign and any number of
/// digits; the other fields 1–2 digits; `T` or any whitespace (even none) between date and
/// time; second 60 is a leap second; a fraction is `.` and 1–9 digits (more are ignored);
/// nothing may follow. The date and time are then checked by chrono's constructors (no
/// 2019-02-30, no 24:00:00).
fn parse_kst_timestamp(raw: &str) -> Option<DateTime<FixedOffset>> {
    documented_layout(raw).unwrap_or_else(|| any_layout(raw))
}

/// The whole grammar of [`parse_kst_timestamp`], for values not of the documented shape.
fn any_layout(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim_start();
    let (year, s) = match s.as_bytes().first()? {
        b'-' => digits(&s[1..], usize::MAX).map(|(year, s)| (-year, s))?,
        b'+' => digits(&s[1..], usize::MAX)?,
        _ => digits(s, 4)?,
    };
    let (month, s) = field(s.strip_prefix('-')?)?;
    let (day, s) = field(s.strip_prefix('-')?)?;
    let s = s.strip_prefix('T').unwrap_or(s);
    let (hour, s) = field(s)?;
    let (minute, s) = field(s.strip_prefix(':')?)?;
    let (second, s) = field(s.strip_prefix(':')?)?;
    let nanosecond = match s.strip_prefix('.') {
        None if s.is_empty() => 0,
        None => return None,
        Some(fraction) => {
            let significant = fraction
                .bytes()
                .take(9)
                .take_while(u8::is_ascii_digit)
                .count();
            if significant == 0 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (value, _) = digits(fraction, 9)?;
            value * 10_i64.pow(9 - significant as u32)
        }
    };
    // chrono reads second 60 as a leap second: the 59th with a nanosecond count of 1e9 or more.
    let (second, nanosecond) = match second {
        60 => (59, nanosecond + 1_000_000_000),
        second => (second, nanosecond),
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )?;
    let time = NaiveTime::from_hms_nano_opt(
        u32::try_from(hour).ok()?,
        u32::try_from(minute).ok()?,
        u32::try_from(second).ok()?,
        u32::try_from(nanosecond).ok()?,
    )?;
    date.and_time(time).and_local_timezone(KST).single()
}

/// One field after optional whitespace: 1–2 digits.
fn field(s: &str) -> Option<(i64, &str)> {
    digits(s.trim_start(), 2)
}

/// The value of the 1 to `max` ASCII digits `s` starts with (as many as there are), and the
/// rest of `s`; `None` without a digit or on overflow.
fn digits(s: &str, max: usize) -> Option<(i64, &str)> {
    let count = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if count == 0 {
        return None;
    }
    let value = s.as_bytes()[..count]
        .iter()
        .try_fold(0_i64, |value, digit| {
            value.checked_mul(10)?.checked_add(i64::from(digit - b'0'))
        })?;
    Some((value, &s[count..]))
}

/// The layout HappyTalk documents and sends, `YYYY-MM-DD HH:MM:SS` (or with `T`), read at fixed
/// positions: `Some(result)` for a value of exactly that shape, `None` for anything else, which
/// the general reader above decides. A 1,000-entry lookup carries 5,000 timestamps; this reads
/// one in a few nanoseconds. A value of this shape means the same to both readers (second 60,
/// a leap second, is left to the general one).
fn documented_layout(raw: &str) -> Option<Option<DateTime<FixedOffset>>> {
    let b: &[u8; 19] = raw.as_bytes().try_into().ok()?;
    let shape = b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':';
    let digit_at = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !shape || !digit_at.iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0_u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let second = number(17..19);
    if second == 60 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10));
    Some(date.and_then(|date| in_kst(date, number(11..13), number(14..16), second)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_kst() {
        let parsed = parse_kst_timestamp("2019-10-31 18:26:12").unwrap();
        assert_eq!(parsed.to_rfc3339(), "2019-10-31T18:26:12+09:00");
        assert_eq!(
            parse_kst_timestamp("2019-10-31T18:26:12.5")
                .unwrap()
                .to_rfc3339(),
            "2019-10-31T18:26:12.500+09:00"
        );
        assert_eq!(parse_kst_timestamp("31/10/2019"), None);
        assert_eq!(parse_kst_timestamp(""), None);
        assert_eq!(parse_kst_timestamp("2019-02-30 00:00:00"), None);
    }

    fn rfc3339(raw: &str) -> Option<String> {
        parse_kst_timestamp(raw).map(|parsed| parsed.to_rfc3339())
    }

    #[test]
    fn edge_cases_of_the_layout() {
        let accepted = [
            ("2020-02-29 00:00:00", "2020-02-29T00:00:00+09:00"), // leap day
            ("2019-12-31 23:59:59", "2019-12-31T23:59:59+09:00"),
            ("2019-10-31 18:26:12.1", "2019-10-31T18:26:12.100+09:00"),
            (
                "2019-10-31 18:26:12.123456",
                "2019-10-31T18:26:12.123456+09:00",
            ),
            (
                "2019-10-31 18:26:12.123456789",
                "2019-10-31T18:26:12.123456789+09:00",
            ),
            // digits beyond the ninth are read and ignored, as chrono did
            (
                "2019-10-31 18:26:12.1234567891",
                "2019-10-31T18:26:12.123456789+09:00",
            ),
            ("2019-1-5 1:2:3", "2019-01-05T01:02:03+09:00"), // single-digit fields
            ("19-10-31 18:26:12", "0019-10-31T18:26:12+09:00"),
            ("+2019-10-31 18:26:12", "2019-10-31T18:26:12+09:00"), // a signed year
            ("2019-10-31  18:26:12", "2019-10-31T18:26:12+09:00"), // more spaces
            (" 2019-10-31 18:26:12", "2019-10-31T18:26:12+09:00"), // a leading space
            ("2019-10-31 23:59:60", "2019-10-31T23:59:60+09:00"),  // a leap second
        ];
        for (raw, expected) in accepted {
            assert_eq!(rfc3339(raw).as_deref(), Some(expected), "{raw:?}");
        }
        assert_eq!(
            rfc3339("-0001-01-01 00:00:00").as_deref(),
            Some("-0001-01-01T00:00:00+09:00")
        );
        let refused = [
            "2019-02-29 00:00:00", // not a leap year
            "2019-02-30 00:00:00",
            "2019-13-01 00:00:00",
            "2019-00-01 00:00:00",
            "2019-10-00 00:00:00",
            "2019-10-31 24:00:00",
            "2019-10-31 23:60:00",
            "2019-10-31 23:59:61",
            "2019-010-31 18:26:12", // a field too wide
            "02019-10-31 18:26:12",
            "2019-10-31 18:26:123",
            "2019-10-31 18:26:12.", // a dot without digits
            "2019-10-31 18:26:12 ", // anything after the seconds
            "2019-10-31 18:26:12Z",
            "2019-10-31 18:26:12+09:00",
            "2019-10-31 18:26",
            "2019/10/31 18:26:12",
            "2019-10-31 T18:26:12",
            "-2019-10-31", // a sign alone is no date
            "+",
            "-",
            "",
            "２０１９-10-31 18:26:12", // full-width digits
        ];
        for raw in refused {
            assert_eq!(rfc3339(raw), None, "{raw:?}");
        }
    }

    /// What `parse_kst_timestamp` accepted when it was chrono's `parse_from_str` with two
    /// formats: the fixed layout must agree with it on every input.
    fn chrono_reference(raw: &str) -> Option<DateTime<FixedOffset>> {
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
            .and_then(|naive| naive.and_local_timezone(KST).single())
    }

    #[test]
    fn the_documented_layout_reads_as_the_whole_grammar_does() {
        let mut inputs = vec![
            "2019-10-31 18:26:12",
            "2019-10-31T18:26:12",
            "2020-02-29 00:00:00",
            "2019-02-29 00:00:00",
            "2019-02-30 12:00:00",
            "2019-13-01 00:00:00",
            "2019-00-10 00:00:00",
            "2019-12-31 23:59:59",
            "2019-12-31 24:00:00",
            "2019-12-31 23:60:00",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59",
        ];
        let generated: Vec<String> = (0..24)
            .flat_map(|hour| (0..60).step_by(7).map(move |minute| (hour, minute)))
            .map(|(hour, minute)| {
                format!(
                    "2024-{:02}-{:02} {hour:02}:{minute:02}:{:02}",
                    hour % 13,
                    minute % 32,
                    minute
                )
            })
            .collect();
        inputs.extend(generated.iter().map(String::as_str));
        for input in inputs {
            let fast = documented_layout(input).expect("of the documented shape");
            assert_eq!(fast, any_layout(input), "{input}");
        }
        for not_the_shape in [
            "2019-10-31 18:26:60",
            " 2019-10-31 18:26:12",
            "2019-10-31 18:26:1",
            "2019/10/31 18:26:12",
            "2019-10-31 18:26:12.5",
        ] {
            assert_eq!(documented_layout(not_the_shape), None, "{not_the_shape}");
        }
    }

    #[test]
    fn the_fixed_layout_agrees_with_chronos_format_parser() {
        // Valid layouts and near misses, then every one-character insertion, deletion and
        // replacement of them with characters that matter to the grammar.
        let bases = [
            "2019-10-31 18:26:12",
            "2020-02-29T23:59:59.123456789",
            "9-1-1 1:2:3.5",
            "+12019-12-31 00:00:60",
            "-44-03-15 12:00:00.0000000001",
            "0000-00-00 00:00:00",
        ];
        let alphabet = [
            '0', '1', '2', '3', '6', '9', '-', '+', ':', '.', ' ', '\t', 'T', 'Z', '\u{3000}', '٣',
        ];
        let mut inputs: Vec<String> = bases.iter().map(|base| base.to_string()).collect();
        for base in bases {
            let chars: Vec<char> = base.chars().collect();
            for at in 0..=chars.len() {
                for &c in &alphabet {
                    let mut inserted = chars.clone();
                    inserted.insert(at, c);
                    inputs.push(inserted.into_iter().collect());
                    if at < chars.len() {
                        let mut replaced = chars.clone();
                        replaced[at] = c;
                        inputs.push(replaced.into_iter().collect());
                    }
                }
                if at < chars.len() {
                    let mut deleted = chars.clone();
                    deleted.remove(at);
                    inputs.push(deleted.into_iter().collect());
                }
            }
        }
        let mut accepted = 0;
        for input in &inputs {
            let expected = chrono_reference(input);
            accepted += usize::from(expected.is_some());
            assert_eq!(parse_kst_timestamp(input), expected, "{input:?}");
        }
        // Both sides of the grammar were exercised.
        assert!(
            accepted > 200 && inputs.len() - accepted > 1000,
            "{accepted} of {}",
            inputs.len()
        );
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Optional {
        #[serde(
            default,
            deserialize_with = "KstTimestamp::deserialize_optional",
            skip_serializing_if = "Option::is_none"
        )]
        at: Option<KstTimestamp>,
    }

    fn optional(json: &str) -> Result<Option<String>, String> {
        serde_json::from_str::<Optional>(json)
            .map(|o| o.at.map(|at| at.datetime().to_rfc3339()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn an_optional_field_reads_no_time_from_absence_null_empty_and_the_zero_date() {
        for json in [
            r#"{}"#,
            r#"{"at": null}"#,
            r#"{"at": ""}"#,
            r#"{"at": " "}"#,
            r#"{"at": "0000-00-00 00:00:00"}"#,
        ] {
            assert_eq!(optional(json), Ok(None), "{json}");
        }
        assert_eq!(
            optional(r#"{"at": "2019-10-31 18:26:12"}"#),
            Ok(Some("2019-10-31T18:26:12+09:00".to_owned()))
        );
        // An escaped string is read too (serde_json cannot lend it).
        assert_eq!(
            optional(r#"{"at": "2019-10-31\u002018:26:12"}"#),
            Ok(Some("2019-10-31T18:26:12+09:00".to_owned()))
        );
        let bad = optional(r#"{"at": "yesterday"}"#).unwrap_err();
        assert!(
            bad.starts_with(
                "\"yesterday\" is not a `YYYY-MM-DD HH:MM:SS` time (Korea Standard Time)"
            ),
            "{bad}"
        );
        assert!(optional(r#"{"at": 20191031}"#).is_err());
    }

    #[test]
    fn a_required_time_refuses_the_empty_value_and_round_trips_the_layout() {
        assert!(serde_json::from_str::<KstTimestamp>(r#""""#).is_err());
        for raw in [
            "2019-10-31 18:26:12",
            "2019-10-31 18:26:12.5",
            "0001-01-01 00:00:00",
        ] {
            let at: KstTimestamp = serde_json::from_str(&format!("{raw:?}")).unwrap();
            assert_eq!(serde_json::to_string(&at).unwrap(), format!("{raw:?}"));
        }
        let at: KstTimestamp = "2019-10-31T18:26:12.250".parse().unwrap();
        assert_eq!(at.to_string(), "2019-10-31 18:26:12.25");
        let utc = chrono::DateTime::parse_from_rfc3339("2019-10-31T09:26:12Z").unwrap();
        assert_eq!(
            KstTimestamp::from_datetime(utc).to_string(),
            "2019-10-31 18:26:12"
        );
    }

    #[test]
    fn a_long_bad_value_is_cut_in_the_message() {
        let long = "x".repeat(500);
        let message = long.parse::<KstTimestamp>().unwrap_err().to_string();
        assert!(message.chars().count() < 120, "{message}");
        assert!(message.contains('…'));
    }
}
