//! System messages (시스템 메시지) of a Kakao sender profile, as returned by
//! `GET /kakaoWebhook/v3/bzmc/sm`, and their code tables.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use happytalk_api::types;

use crate::code_table::open_code_table;
use crate::error::DecodeProblem;

open_code_table! {
    /// 메시지 상태: the state of a system message.
    SystemMessageStatus {
        /// `A` 정상: active.
        Active = "A",
        /// `T` 중지: stopped.
        Stopped = "T",
        /// `S` 차단: blocked.
        Blocked = "S",
    }
}

open_code_table! {
    /// 검사 상태: where a system message is in Kakao's inspection (검수).
    InspectStatus {
        /// `REG` 등록: registered, not yet submitted for inspection.
        Registered = "REG",
        /// `REQ` 검수요청: inspection requested.
        Requested = "REQ",
        /// `APR` 승인: approved.
        Approved = "APR",
        /// `REJ` 반려: rejected.
        Rejected = "REJ",
    }
}

open_code_table! {
    /// 시스템 메시지 타입: when a system message is shown in a counselling session.
    MessageType {
        /// `ST` 상담시작: counselling started.
        CounsellingStarted = "ST",
        /// `S1` 상담불가: counselling unavailable.
        CounsellingUnavailable = "S1",
        /// `S2` 상담부재: counsellor absent.
        CounsellorAbsent = "S2",
        /// `S3` 무응답종료: ended for lack of response.
        EndedForNoResponse = "S3",
        /// `S4` 상담대기: waiting for a counsellor.
        Waiting = "S4",
        /// `S5` 금칙어 상담불가: refused for a banned word. Buttons are not allowed (버튼 사용 불가).
        BannedWord = "S5",
        /// `ED` 상담종료: counselling ended.
        CounsellingEnded = "ED",
        /// `ER` 응답실패: response failed.
        ResponseFailed = "ER",
        /// `BL` 사용자차단: user blocked. Buttons are not allowed (버튼 사용 불가).
        UserBlocked = "BL",
        /// `SB` 봇전환: switched to the bot. Buttons are not allowed (버튼 사용 불가).
        SwitchedToBot = "SB",
    }
}

impl MessageType {
    /// The documented types whose messages may not carry buttons (버튼 사용 불가).
    pub const BUTTONS_NOT_ALLOWED: &'static [&'static str] = &["S5", "BL", "SB"];

    /// Whether a message of this type may carry buttons: `false` for `S5`, `BL` and `SB`.
    ///
    /// For an [`Unknown`](Self::Unknown) type nothing is documented; this answers `true`, which
    /// leaves the decision to HappyTalk.
    pub fn buttons_allowed(&self) -> bool {
        !Self::BUTTONS_NOT_ALLOWED.contains(&self.as_str())
    }
}

open_code_table! {
    /// 시스템 메시지 버튼 링크 타입: what a system message button does.
    LinkType {
        /// `WL` 웹링크: opens a web link.
        WebLink = "WL",
        /// `AL` 앱링크: opens an app link.
        AppLink = "AL",
        /// `BK` 봇키워드: sends a bot keyword.
        BotKeyword = "BK",
        /// `MD` 메시지전달: delivers a message.
        MessageDelivery = "MD",
    }
}

open_code_table! {
    /// 상태 of an inspection comment.
    CommentStatus {
        /// `APR` 승인: approved.
        Approved = "APR",
        /// `REJ` 반려: rejected.
        Rejected = "REJ",
        /// `INQ` 문의: an inquiry.
        Inquiry = "INQ",
    }
}

/// A system message (시스템 메시지) of a sender profile.
///
/// Fields HappyTalk leaves out (or sends as `null`) are `None` or empty lists. Timestamps are
/// Korea Standard Time (UTC+9), as HappyTalk's zone-less `YYYY-MM-DD HH:MM:SS` implies; an
/// empty or zero date (`0000-00-00 00:00:00`) is `None`, and any other value that is not a
/// date fails the lookup with [`Error::UndecodableResponse`](crate::Error::UndecodableResponse)
/// naming the field.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SystemMessage {
    /// 시스템 메시지 아이디.
    pub id: i64,
    /// 시스템 메시지 이름.
    pub name: Option<String>,
    /// 메시지 상태.
    pub status: Option<SystemMessageStatus>,
    /// 등록일: when it was created.
    pub created_at: Option<DateTime<FixedOffset>>,
    /// 수정일: when it was last modified.
    pub modified_at: Option<DateTime<FixedOffset>>,
    /// 검사 상태.
    pub inspect_status: Option<InspectStatus>,
    /// 검수 요청일: when inspection was requested.
    pub inspect_requested_at: Option<DateTime<FixedOffset>>,
    /// 검수일: when it was inspected.
    pub inspected_at: Option<DateTime<FixedOffset>>,
    /// 시스템 메시지 목록.
    pub messages: Vec<Message>,
    /// 검사 결과 및 문의 목록: inspection results and inquiries.
    pub comments: Vec<Comment>,
}

/// One message of a [`SystemMessage`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// 시스템 메시지 타입.
    pub message_type: Option<MessageType>,
    /// 내용: the text.
    pub content: Option<String>,
    /// 메시지 하단 버튼 목록: the buttons below the message.
    pub buttons: Vec<Button>,
}

/// A button below a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Button {
    /// 버튼 노출 순서: display order.
    pub ordering: Option<i32>,
    /// 링크 타입.
    pub link_type: Option<LinkType>,
    /// 버튼 이름: the label.
    pub link_name: Option<String>,
    /// 모바일 웹링크주소: mobile web link.
    pub link_mobile: Option<String>,
    /// PC 웹링크주소: PC web link.
    pub link_pc: Option<String>,
    /// iOS 앱링크주소: iOS app link.
    pub link_ios: Option<String>,
    /// Android 앱링크주소: Android app link.
    pub link_android: Option<String>,
}

/// An inspection result or inquiry (검사 결과 및 문의) on a [`SystemMessage`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Comment {
    /// 아이디.
    pub id: Option<i64>,
    /// 내용; HappyTalk sends `null` for an approval without remarks.
    pub content: Option<String>,
    /// 작성자: the author.
    pub user_name: Option<String>,
    /// 등록일.
    pub created_at: Option<DateTime<FixedOffset>>,
    /// 상태.
    pub status: Option<CommentStatus>,
}

/// Korea Standard Time, the zone HappyTalk's zone-less timestamps are in.
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
pub(crate) fn parse_kst_timestamp(raw: &str) -> Option<DateTime<FixedOffset>> {
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

/// Values that mean "no date" rather than a malformed one: empty, or MySQL's zero date.
const NO_DATE: &[&str] = &["", "0000-00-00 00:00:00"];

fn timestamp(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<DateTime<FixedOffset>>, DecodeProblem> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    // The documented layout first: nearly every value is one, and needs no trimming.
    if let Some(Some(parsed)) = documented_layout(raw) {
        return Ok(Some(parsed));
    }
    if NO_DATE.contains(&raw.trim()) {
        return Ok(None);
    }
    parse_kst_timestamp(raw)
        .map(Some)
        .ok_or_else(|| DecodeProblem {
            reason: format!("`{field}` is not a `YYYY-MM-DD HH:MM:SS` timestamp: {raw:?}"),
        })
}

/// The timestamps of a system message and of its comments, read before anything is moved
/// out of it, so that a failure can hand the entry back whole (as the error's evidence)
/// without every entry being copied in case one fails.
struct Timestamps {
    created_at: Option<DateTime<FixedOffset>>,
    modified_at: Option<DateTime<FixedOffset>>,
    inspect_requested_at: Option<DateTime<FixedOffset>>,
    inspected_at: Option<DateTime<FixedOffset>>,
    comments: Vec<Option<DateTime<FixedOffset>>>,
}

impl Timestamps {
    fn read(wire: &types::SystemMessage) -> Result<Self, DecodeProblem> {
        Ok(Self {
            created_at: timestamp("createdAt", wire.created_at.as_deref())?,
            modified_at: timestamp("modifiedAt", wire.modified_at.as_deref())?,
            inspect_requested_at: timestamp(
                "inspectRequestAt",
                wire.inspect_request_at.as_deref(),
            )?,
            inspected_at: timestamp("inspectedAt", wire.inspected_at.as_deref())?,
            comments: wire
                .comments
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|comment| timestamp("comments[].createdAt", comment.created_at.as_deref()))
                .collect::<Result<_, _>>()?,
        })
    }
}

impl SystemMessage {
    /// The typed view of a decoded system message. It fails only on a timestamp it cannot
    /// read, and then gives the entry back untouched with the problem.
    pub(crate) fn from_wire(
        wire: types::SystemMessage,
    ) -> Result<Self, Box<(DecodeProblem, types::SystemMessage)>> {
        let times = match Timestamps::read(&wire) {
            Ok(times) => times,
            Err(problem) => return Err(Box::new((problem, wire))),
        };
        Ok(Self {
            id: wire.id,
            name: wire.name,
            status: wire.status.map(SystemMessageStatus::from),
            created_at: times.created_at,
            modified_at: times.modified_at,
            inspect_status: wire.inspect_status.map(InspectStatus::from),
            inspect_requested_at: times.inspect_requested_at,
            inspected_at: times.inspected_at,
            messages: wire
                .messages
                .unwrap_or_default()
                .into_iter()
                .map(Message::from)
                .collect(),
            comments: wire
                .comments
                .unwrap_or_default()
                .into_iter()
                .zip(times.comments)
                .map(|(comment, created_at)| Comment {
                    id: comment.id,
                    content: comment.content,
                    user_name: comment.user_name,
                    created_at,
                    status: comment.status.map(CommentStatus::from),
                })
                .collect(),
        })
    }
}

impl From<types::Message> for Message {
    fn from(wire: types::Message) -> Self {
        Self {
            message_type: wire.message_type.map(MessageType::from),
            content: wire.content,
            buttons: wire
                .buttons
                .unwrap_or_default()
                .into_iter()
                .map(Button::from)
                .collect(),
        }
    }
}

impl From<types::Button> for Button {
    fn from(wire: types::Button) -> Self {
        Self {
            ordering: wire.ordering,
            link_type: wire.link_type.map(LinkType::from),
            link_name: wire.link_name,
            link_mobile: wire.link_mobile,
            link_pc: wire.link_pc,
            link_ios: wire.link_ios,
            link_android: wire.link_android,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_value_round_trips_and_an_unknown_one_is_kept() {
        for value in SystemMessageStatus::KNOWN_VALUES {
            let status = SystemMessageStatus::from(*value);
            assert!(status.is_known(), "{value}");
            assert_eq!(status.as_str(), *value);
        }
        let unknown = SystemMessageStatus::from("Z");
        assert!(matches!(&unknown, SystemMessageStatus::Unknown(v) if v.as_str() == "Z"));
        assert_eq!(unknown.to_string(), "Z");

        for value in InspectStatus::KNOWN_VALUES {
            assert_eq!(InspectStatus::from(*value).as_str(), *value);
        }
        assert!(!InspectStatus::from("HOLD").is_known());
        for value in MessageType::KNOWN_VALUES {
            assert_eq!(MessageType::from(*value).as_str(), *value);
        }
        assert_eq!(MessageType::from("S9").as_str(), "S9");
        for value in LinkType::KNOWN_VALUES {
            assert_eq!(LinkType::from(*value).as_str(), *value);
        }
        assert!(!LinkType::from("AC").is_known());
        for value in CommentStatus::KNOWN_VALUES {
            assert_eq!(CommentStatus::from(*value).as_str(), *value);
        }
        assert!(!CommentStatus::from("").is_known());
    }

    #[test]
    fn named_variants_match_their_documented_wire_values() {
        assert_eq!(SystemMessageStatus::from("A"), SystemMessageStatus::Active);
        assert_eq!(SystemMessageStatus::from("T"), SystemMessageStatus::Stopped);
        assert_eq!(SystemMessageStatus::from("S"), SystemMessageStatus::Blocked);
        assert_eq!(InspectStatus::from("REJ"), InspectStatus::Rejected);
        assert_eq!(MessageType::from("ST"), MessageType::CounsellingStarted);
        assert_eq!(MessageType::from("SB"), MessageType::SwitchedToBot);
        assert_eq!(LinkType::from("MD"), LinkType::MessageDelivery);
        assert_eq!(CommentStatus::from("INQ"), CommentStatus::Inquiry);
    }

    #[test]
    fn buttons_are_refused_only_for_s5_bl_and_sb() {
        let refused: Vec<&str> = MessageType::KNOWN_VALUES
            .iter()
            .copied()
            .filter(|value| !MessageType::from(*value).buttons_allowed())
            .collect();
        assert_eq!(refused, ["S5", "BL", "SB"]);
        assert!(MessageType::from("S9").buttons_allowed());
    }

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

    #[test]
    fn an_empty_or_zero_date_is_no_date() {
        for raw in ["", " ", "0000-00-00 00:00:00"] {
            assert_eq!(
                timestamp("inspectedAt", Some(raw)).unwrap(),
                None,
                "{raw:?}"
            );
        }
        assert_eq!(timestamp("inspectedAt", None).unwrap(), None);
    }

    #[test]
    fn a_bad_timestamp_names_its_field_and_value_and_gives_the_entry_back() {
        let wire: types::SystemMessage =
            serde_json::from_str(r#"{"id": 1, "createdAt": "yesterday"}"#).unwrap();
        let (problem, entry) = *SystemMessage::from_wire(wire.clone()).unwrap_err();
        assert_eq!(
            problem.reason,
            "`createdAt` is not a `YYYY-MM-DD HH:MM:SS` timestamp: \"yesterday\""
        );
        assert_eq!(entry, wire, "untouched, for the error's evidence");

        let in_a_comment: types::SystemMessage = serde_json::from_str(
            r#"{"id": 2, "comments": [{"id": 1, "createdAt": "2019-10-31 18:26:33"},
                                      {"id": 2, "createdAt": "later"}]}"#,
        )
        .unwrap();
        let (problem, _) = *SystemMessage::from_wire(in_a_comment).unwrap_err();
        assert!(
            problem.reason.starts_with("`comments[].createdAt`"),
            "{}",
            problem.reason
        );
    }

    #[test]
    fn each_comment_keeps_its_own_timestamp() {
        let wire: types::SystemMessage = serde_json::from_str(
            r#"{"id": 3, "comments": [{"id": 1, "createdAt": "2019-10-31 18:26:33"},
                                      {"id": 2},
                                      {"id": 3, "createdAt": "2020-01-02 03:04:05"}]}"#,
        )
        .unwrap();
        let message = SystemMessage::from_wire(wire).unwrap();
        let created: Vec<(Option<i64>, Option<String>)> = message
            .comments
            .iter()
            .map(|c| (c.id, c.created_at.map(|at| at.to_rfc3339())))
            .collect();
        assert_eq!(
            created,
            [
                (Some(1), Some("2019-10-31T18:26:33+09:00".to_owned())),
                (Some(2), None),
                (Some(3), Some("2020-01-02T03:04:05+09:00".to_owned())),
            ]
        );
    }
}
