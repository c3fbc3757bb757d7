//! The command line, as clap reads it.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::PossibleValue;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use happytalk_ext::happytalk_api::{
    FieldKind, LengthLimits, Operation, inbound, operations, types,
};
use happytalk_ext::{EndType, HostFamily};

use crate::body_flags::OpenRoomFields;

/// What `--help` says after the options: the exit codes and where credentials come from.
const AFTER_HELP: &str = "\
Credentials come from the environment only: HT_CLIENT_ID and HT_CLIENT_SECRET (issued by the
HappyTalk customer centre), or HT_CLIENT_ID with --client-secret-file PATH. The secret is never
a flag value, so it stays out of your shell history, and never appears in any output.

Exit codes:
  0  success
  1  any other error
  2  usage or validation error (nothing was sent)
  3  HappyTalk refused the request (its code and message are printed); for `mock deliver`,
     the receiver answered other than 2xx
  4  transport error (could not connect, timeout)
  5  HappyTalk's answer could not be decoded";

/// Talk to the HappyTalk (해피톡) API: send test messages into counselling rooms and look up
/// Kakao BizMessage system messages.
#[derive(Debug, Parser)]
#[command(name = "happytalk", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// The HappyTalk hosts to use (patch: development and test). Nothing reaches production
    /// unless asked for.
    #[arg(long, value_enum, default_value_t = Env::Patch, global = true)]
    pub env: Env,

    /// Send every request to this base URL instead of --env's hosts (a local mock, a proxy).
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// Send one host family's requests to URL instead (repeatable; after --base-url or
    /// --env).
    #[arg(long, value_name = "FAMILY=URL", value_parser = parse_host_url, global = true, help = host_url_help())]
    pub host_url: Vec<(HostFamily, String)>,

    /// Print results and errors as JSON on standard output.
    #[arg(long, global = true)]
    pub json: bool,

    /// How long a request may take, in seconds (default 30).
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout, global = true)]
    pub timeout: Option<Duration>,

    /// Read the client secret from this file (its first line) instead of HT_CLIENT_SECRET.
    #[arg(long, value_name = "PATH", global = true)]
    pub client_secret_file: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The options that say how to reach HappyTalk (and the credentials' file): global, so that
/// they stand before or after a command, but only the commands that call HappyTalk show them.
const CONNECTION: [&str; 4] = ["env", "base_url", "host_url", "client_secret_file"];

/// The command line, read: as [`Cli::try_parse_from`], except that the help of a command that
/// does not call HappyTalk (`listen`, `mock serve`, `mock deliver`) leaves out the connection
/// options it does not use (they are still accepted there, and ignored).
pub fn parse(arguments: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
    // The command named first (an option's value is never one of these names).
    let named: Vec<&str> = arguments
        .iter()
        .skip(1)
        .filter_map(|argument| argument.to_str())
        .filter(|argument| !argument.starts_with('-'))
        .collect();
    let hidden: &[&str] = match named.as_slice() {
        ["listen", ..] | ["mock", "serve", ..] => &NOT_CALLING,
        ["mock", "deliver", ..] => &CONNECTION,
        _ => &[],
    };
    let mut command = Cli::command();
    for name in hidden {
        command = command.mut_arg(*name, |arg| arg.hide(true));
    }
    let matches = command.try_get_matches_from(arguments)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    // `call` takes everything after the operation id as its fields, `--json` included: it is
    // the global flag wherever it stands.
    if let Command::Call { args, .. } = &mut cli.command {
        let before = args.len();
        args.retain(|arg| arg != "--json");
        cli.json |= args.len() != before;
    }
    Ok(cli)
}

/// What a command that calls nobody does not use: the connection options and the timeout.
const NOT_CALLING: [&str; 5] = [
    CONNECTION[0],
    CONNECTION[1],
    CONNECTION[2],
    CONNECTION[3],
    "timeout",
];

/// `--host-url`'s help: the families the spec has.
fn host_url_help() -> String {
    let families: Vec<&str> = HostFamily::ALL.iter().map(|family| family.name()).collect();
    format!(
        "Send one host family's requests to URL (FAMILY: {}; repeatable)",
        families.join(", ")
    )
}

/// `FAMILY=URL`.
fn parse_host_url(text: &str) -> Result<(HostFamily, String), String> {
    let (family, url) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not FAMILY=URL"))?;
    let family = family.parse::<HostFamily>().map_err(|e| e.to_string())?;
    Ok((family, url.to_owned()))
}

/// "(min to max characters)" of a generated field type, from the spec's limits.
fn limits<T: LengthLimits>() -> String {
    match T::MAX_LENGTH {
        Some(max) if T::MIN_LENGTH == 0 => format!("at most {max} characters"),
        Some(max) => format!("{} to {max} characters", T::MIN_LENGTH),
        None => format!("at least {} characters", T::MIN_LENGTH),
    }
}

/// The environments `--env` names; the help lists each one's hosts from the spec's table
/// (`HostFamily::patch_url`, `HostFamily::production_url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Env {
    /// HappyTalk's patch hosts, for development and test.
    Patch,
    /// HappyTalk's production hosts.
    Production,
}

impl ValueEnum for Env {
    fn value_variants<'a>() -> &'a [Self] {
        &[Env::Patch, Env::Production]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let (name, url, purpose): (_, fn(HostFamily) -> &'static str, _) = match self {
            Env::Patch => ("patch", HostFamily::patch_url, " (development and test)"),
            Env::Production => ("production", HostFamily::production_url, ""),
        };
        let hosts: Vec<&str> = HostFamily::ALL
            .into_iter()
            .map(|family| {
                let url = url(family);
                url.split_once("://").map_or(url, |(_, host)| host)
            })
            .collect();
        Some(PossibleValue::new(name).help(format!("{}{purpose}", hosts.join(" and "))))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send a message into a counselling room.
    #[command(subcommand, about = about(&[&operations::SEND_MESSAGE]))]
    Send(Send),

    /// Look up the active system messages of a sender profile, or one by id.
    #[command(about = about(&[&operations::SYSTEM_MESSAGES]))]
    SystemMessages {
        /// The sender profile key (발신프로필 키).
        sender_key: String,
        /// One system message by its id.
        #[arg(long)]
        id: Option<i64>,
    },

    /// Open or end a counselling room.
    #[command(subcommand, about = about(&[&operations::OPEN_ROOM, &operations::END_ROOM]))]
    Room(RoomCommand),

    /// Whether the previous counsellor can take the customer.
    #[command(about = about(&[&operations::CHECK_PREVIOUS_COUNSELOR]))]
    Counselor {
        /// The customer's identifier in your system.
        #[arg(help = format!("The customer's identifier in your system (고객사 고객 식별 정보, {})", limits::<types::PreviousCounselorRequestUuid>()))]
        uuid: String,
        /// Your customer id.
        #[arg(help = format!("Your customer id (고객 아이디, {})", limits::<types::PreviousCounselorRequestCustomerId>()))]
        customer_id: String,
    },

    /// Answer a KakaoTalk customer (카카오 상담톡): a text, an image or a file, or end the
    /// session.
    #[command(subcommand, about = kakao_about())]
    Kakao(KakaoCommand),

    /// Call any operation of the spec by its id (`--list` lists them; `OPERATION_ID --help`
    /// lists its fields): `happytalk call OPERATION_ID FIELD=VALUE … FIELD:=JSON …`.
    Call {
        /// List every operation: id, method, host family, path and summary.
        #[arg(long)]
        list: bool,
        /// The operation's id, then its fields: `FIELD=VALUE` (a string) or `FIELD:=JSON` (any
        /// JSON value: a number, true, …), query and body fields alike. `--help` after the id
        /// lists the operation's fields with their limits.
        #[arg(
            value_name = "OPERATION_ID FIELD=VALUE",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        args: Vec<String>,
    },

    /// Receive HappyTalk's messages and print each.
    #[command(about = listen_about())]
    Listen {
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// The address to listen on: loopback unless told otherwise.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Remember the callbacks taken in this Redis (`redis://HOST:PORT`), shared with other
        /// `listen`s, instead of this process's memory.
        #[arg(long, value_name = "redis://HOST:PORT")]
        dedupe: Option<String>,
    },

    /// A local HappyTalk sandbox (happytalk-mock), for tests in any language and local work.
    #[command(subcommand)]
    Mock(Mock),
}

/// `kakao send|end`.
#[derive(Debug, Subcommand)]
pub enum KakaoCommand {
    /// Send a customer a text, an image or a file (an image or a file is uploaded first, then
    /// sent by the URL the upload answers); prints the serial number it was sent as.
    #[command(subcommand)]
    Send(KakaoSend),
    /// End a customer's session; prints the closed session's id.
    End {
        #[command(flatten)]
        to: KakaoRecipient,
        /// Hand the customer to this bot event instead (종료 후 봇 이벤트 실행).
        #[arg(long, value_name = "EVENT", help = format!("Hand the customer to this bot event instead (종료 후 봇 이벤트 실행, {})", limits::<types::KakaoEndWithBotRequestBotEvent>()))]
        bot_event: Option<String>,
    },
}

/// `kakao send text|image|file`.
#[derive(Debug, Subcommand)]
pub enum KakaoSend {
    /// A text; TEXT `-` reads it from standard input.
    Text {
        #[command(flatten)]
        to: KakaoRecipient,
        /// The text, or `-` to read it from standard input.
        #[arg(help = format!("The text ({}), or `-` to read it from standard input", limits::<types::KakaoMessageRequestMessage>()))]
        text: String,
        #[command(flatten)]
        serial: Serial,
    },
    /// An image from a local file (jpg, png or gif), uploaded, then sent.
    Image {
        #[command(flatten)]
        to: KakaoRecipient,
        /// The image file.
        path: PathBuf,
        #[command(flatten)]
        serial: Serial,
    },
    /// A local file (a PDF, an archive…), uploaded, then sent by its URL, name and size.
    File {
        #[command(flatten)]
        to: KakaoRecipient,
        /// The file.
        path: PathBuf,
        #[command(flatten)]
        serial: Serial,
    },
}

/// Which KakaoTalk customer: the channel and the customer.
#[derive(Debug, Args)]
pub struct KakaoRecipient {
    /// The channel's sender profile key.
    #[arg(help = format!("The channel's sender profile key (발신 프로필 키, {})", limits::<types::KakaoMessageRequestSenderKey>()))]
    pub sender_key: String,
    /// The customer's key, as the `/message` callback gave it.
    #[arg(help = format!("The customer's key, as the /message callback gave it (사용자 키, {})", limits::<types::KakaoMessageRequestUserKey>()))]
    pub user_key: String,
}

/// `--serial`.
#[derive(Debug, Args)]
pub struct Serial {
    /// The message's serial number (unique per channel); a fresh one when not given.
    #[arg(long, value_name = "S", help = format!("The message's serial number (메시지 일련번호, {}; unique per channel); a fresh one when not given", limits::<types::KakaoMessageRequestSerialNumber>()))]
    pub serial: Option<String>,
}

/// `room open|end`.
#[derive(Debug, Subcommand)]
pub enum RoomCommand {
    /// Open a room for a customer; prints the room, the counsellor and the start message. Every
    /// optional field of the spec has a flag.
    Open {
        /// The customer's identifier in your system.
        #[arg(help = format!("The customer's identifier in your system (고객사 고객 식별 정보, {})", limits::<types::OpenRoomRequestUuid>()))]
        uuid: String,
        /// Open a room whatever the customer's current state.
        #[arg(long, help = force_help())]
        force: bool,
        /// One of your custom values, by number: `--param 1=vip` (repeatable).
        #[arg(long = "param", value_name = "N=VALUE", value_parser = parse_param, help = param_help())]
        params: Vec<(usize, String)>,
        #[command(flatten)]
        fields: OpenRoomFields,
    },
    /// End a customer's room.
    End {
        /// The customer's identifier in your system.
        #[arg(help = format!("The customer's identifier in your system (고객사 고객 식별 정보, {})", limits::<types::EndRoomRequestUuid>()))]
        uuid: String,
        /// The room.
        #[arg(help = format!("The room (상담방 번호, {})", limits::<types::EndRoomRequestRoomId>()))]
        room_id: String,
        /// Who ended it (end_type); HappyTalk states no default.
        #[arg(long, value_name = "WHO", value_parser = parse_end_type, help = end_type_help())]
        by: Option<EndType>,
    },
}

/// `POST /v1/chat/open, /v1/chat/end`: the operations' methods and paths, from the spec.
/// A command's description: the spec's summaries of the operations it calls, and their method
/// and path.
fn about(operations: &[&Operation]) -> String {
    let summaries: Vec<&str> = operations
        .iter()
        .map(|operation| operation.summary.trim_end_matches('.'))
        .collect();
    format!("{} ({})", summaries.join("; "), calls(operations))
}

fn calls(operations: &[&Operation]) -> String {
    let mut shown = Vec::new();
    for (n, operation) in operations.iter().enumerate() {
        let method = operations[..n]
            .iter()
            .all(|before| before.method != operation.method);
        shown.push(match method {
            true => format!("{} {}", operation.method, operation.path),
            false => operation.path.to_owned(),
        });
    }
    shown.join(", ")
}

/// `kakao`'s description: what it does, and the calls it makes (from the spec).
fn kakao_about() -> String {
    format!(
        "Answer a KakaoTalk customer (카카오 상담톡): a text, an image or a file, or end the session ({})",
        calls(&[
            &operations::KAKAO_SEND_MESSAGE,
            &operations::KAKAO_UPLOAD_IMAGE,
            &operations::KAKAO_UPLOAD_FILE,
            &operations::KAKAO_END_SESSION,
            &operations::KAKAO_END_WITH_BOT,
        ])
    )
}

/// `--force`'s help: the yes/no field of the open and its value for yes, from the spec.
fn force_help() -> String {
    let flag = operations::OPEN_ROOM
        .body
        .iter()
        .find_map(|field| match field.kind {
            FieldKind::Flag { on, .. } => Some(format!(" ({} {on})", field.name)),
            _ => None,
        })
        .unwrap_or_default();
    format!("Open a room whatever the customer's current state{flag}")
}

/// `--param`'s help: the numbered fields of the open, from the spec.
fn param_help() -> String {
    let numbered: Vec<&str> = operations::OPEN_ROOM
        .body
        .iter()
        .filter(|field| field.indexed.is_some())
        .map(|field| field.name)
        .collect();
    let range = match (numbered.first(), numbered.last()) {
        (Some(first), Some(last)) => format!("{first} to {last}; "),
        _ => String::new(),
    };
    format!("One of your custom values, by number: `--param 1=vip` ({range}repeatable)")
}

/// `--param N=VALUE`.
fn parse_param(text: &str) -> Result<(usize, String), String> {
    let (number, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not N=VALUE"))?;
    let number = number
        .trim()
        .parse::<usize>()
        .map_err(|_| format!("{number:?} is not a number"))?;
    Ok((number, value.to_owned()))
}

/// `--by`: a name of the generated table, in lower case (`counselor`, `customer`, `manager`).
fn parse_end_type(text: &str) -> Result<EndType, String> {
    EndType::ALL
        .into_iter()
        .find(|end_type| end_type.name().eq_ignore_ascii_case(text))
        .ok_or_else(|| format!("{text:?} is not one of {}", end_type_names()))
}

fn end_type_names() -> String {
    EndType::ALL
        .map(|end_type| end_type.name().to_ascii_lowercase())
        .join(", ")
}

fn end_type_help() -> String {
    format!(
        "Who ended it (end_type: {}); HappyTalk states no default",
        end_type_names()
    )
}

/// `mock serve`.
#[derive(Debug, Subcommand)]
pub enum Mock {
    /// Serve every operation on 127.0.0.1 with the docs' example system message, room and
    /// KakaoTalk session; prints the URL and the credentials it accepts; Ctrl-C stops it.
    /// Needs no credentials.
    Serve {
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Post one customer message to a receiver, as HappyTalk does.
    #[command(about = deliver_about())]
    Deliver {
        /// The receiver: your receiving domain with its path prefix (`happytalk listen`
        /// prints its own).
        #[arg(long, value_name = "URL")]
        to: String,
        /// The message id (a fresh one unless given; give a used one to redeliver).
        #[arg(long, global = true)]
        msgid: Option<String>,
        /// Say the room was ended automatically (auto_end Y).
        #[arg(long, global = true)]
        auto_end: bool,
        /// What the customer sends.
        #[command(subcommand)]
        message: DeliveryCommand,
    },
}

/// `listen`'s help, with the spec's inbound calls, every family's.
fn listen_about() -> String {
    let calls: Vec<String> = happytalk_ext::happytalk_api::INBOUND
        .iter()
        .map(|call| format!("{} {} ({})", call.method, call.path, call.family))
        .collect();
    format!(
        "Receive what HappyTalk and Kakao post to you ({}) and print each: point your receiving \
         domain, a tunnel or `mock deliver` at it. Needs no credentials; Ctrl-C stops it",
        calls.join(", ")
    )
}

/// `mock deliver`'s help, with the spec's inbound call.
fn deliver_about() -> String {
    let call = &inbound::MESSAGE;
    format!(
        "Post one customer message to a receiver, as HappyTalk does ({} {{URL}}{}, the \
         documented body, a fresh msgid); prints the receiver's answer. Needs no credentials",
        call.method, call.path
    )
}

/// `mock deliver text|image|file`.
#[derive(Debug, Subcommand)]
pub enum DeliveryCommand {
    /// A text message.
    Text {
        #[command(flatten)]
        from: Sender,
        /// The text.
        text: String,
    },
    /// An image: blank content, and its address and size.
    Image {
        #[command(flatten)]
        from: Sender,
        /// Where the image can be fetched.
        url: String,
        /// Its width, in pixels.
        #[arg(long, default_value_t = 640)]
        width: i64,
        /// Its height, in pixels.
        #[arg(long, default_value_t = 480)]
        height: i64,
    },
    /// A file: a message and a download link.
    File {
        #[command(flatten)]
        from: Sender,
        /// The message.
        text: String,
        /// The download link.
        url: String,
        /// The download button's label.
        #[arg(long, value_name = "LABEL", default_value = "다운로드")]
        link_name: String,
    },
    /// A KakaoTalk callback, as Kakao posts it to a receive domain (--msgid and --auto-end are
    /// the Biz message's).
    #[command(subcommand, about = kakao_deliver_about())]
    Kakao(KakaoDeliveryCommand),
}

/// `mock deliver kakao text|end`.
#[derive(Debug, Subcommand)]
pub enum KakaoDeliveryCommand {
    /// A customer's text (to URL/message).
    Text {
        #[command(flatten)]
        from: KakaoRecipient,
        /// The text.
        text: String,
        /// Kakao's serial number of the message (a fresh 19-digit one unless given; give a
        /// used one to redeliver).
        #[arg(long, value_name = "S")]
        serial: Option<String>,
        /// The session's id (a fresh one unless given).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
    },
    /// The end of a customer's session (to URL/expired_session).
    End {
        #[command(flatten)]
        from: KakaoRecipient,
        /// The session's id (a fresh one unless given).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
    },
}

/// `mock deliver kakao`'s help, with the spec's inbound calls.
fn kakao_deliver_about() -> String {
    let paths: Vec<String> = [&inbound::KAKAO_MESSAGE, &inbound::KAKAO_EXPIRED_SESSION]
        .iter()
        .map(|call| format!("{} {{URL}}{}", call.method, call.path))
        .collect();
    format!(
        "Post a KakaoTalk callback to a receive domain, as Kakao does ({}; the documented body)",
        paths.join(", ")
    )
}

/// Who a delivered message comes from, and where it is written.
#[derive(Debug, Args)]
pub struct Sender {
    /// The customer (the path's last segment and the body's uuid).
    pub uuid: String,
    /// The room it is written in.
    pub room_id: String,
}

/// `send text|image|audio|video`.
#[derive(Debug, Subcommand)]
pub enum Send {
    /// A text message; MSG `-` reads it from standard input.
    Text {
        #[command(flatten)]
        to: Recipient,
        /// The text, or `-` to read it from standard input.
        #[arg(help = format!("The text ({}), or `-` to read it from standard input", limits::<types::ChatMessageRequestMsg>()))]
        msg: String,
    },
    /// An image, by the absolute http(s) URL where HappyTalk fetches it.
    Image {
        #[command(flatten)]
        to: Recipient,
        /// The image's URL.
        #[arg(help = format!("The image's URL ({})", limits::<types::ChatMessageRequestUrl>()))]
        url: String,
    },
    /// An audio file, by URL.
    Audio {
        #[command(flatten)]
        to: Recipient,
        /// The audio file's URL.
        #[arg(help = format!("The audio file's URL ({})", limits::<types::ChatMessageRequestUrl>()))]
        url: String,
    },
    /// A video, by URL.
    Video {
        #[command(flatten)]
        to: Recipient,
        /// The video's URL.
        #[arg(help = format!("The video's URL ({})", limits::<types::ChatMessageRequestUrl>()))]
        url: String,
    },
}

/// Who a message goes to.
#[derive(Debug, Args)]
pub struct Recipient {
    /// The customer's identifier in your system.
    #[arg(help = format!("The customer's identifier in your system (고객사 고객 식별 정보, {})", limits::<types::ChatMessageRequestUuid>()))]
    pub uuid: String,
    /// The counselling room.
    #[arg(help = format!("The counselling room (상담방 번호, {})", limits::<types::ChatMessageRequestRoomId>()))]
    pub room_id: String,
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds.is_finite() => {
            Duration::try_from_secs_f64(seconds).map_err(|_| format!("{text} seconds is too long"))
        }
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn host_urls_name_a_family_of_the_spec() {
        assert_eq!(
            parse_host_url("kakao=http://127.0.0.1:9"),
            Ok((HostFamily::Kakao, "http://127.0.0.1:9".to_owned()))
        );
        let unknown = parse_host_url("chat=http://x").unwrap_err();
        assert!(
            unknown.contains("\"chat\" is not a host family (known: biz, kakao)"),
            "{unknown}"
        );
        assert!(parse_host_url("http://x").is_err());
    }

    #[test]
    fn limits_read_as_the_spec_gives_them() {
        assert_eq!(
            limits::<types::ChatMessageRequestUuid>(),
            "5 to 20 characters"
        );
        assert_eq!(
            limits::<types::ChatMessageRequestMsg>(),
            "1 to 1000 characters"
        );
    }

    #[test]
    fn room_flags_read_numbers_and_the_end_type_table() {
        assert_eq!(parse_param("3=vip"), Ok((3, "vip".to_owned())));
        assert_eq!(parse_param("1=a=b"), Ok((1, "a=b".to_owned())));
        assert!(parse_param("x=1").is_err() && parse_param("3").is_err());
        assert_eq!(parse_end_type("customer"), Ok(EndType::Customer));
        assert_eq!(parse_end_type("Counselor"), Ok(EndType::Counselor));
        assert_eq!(
            parse_end_type("bot"),
            Err("\"bot\" is not one of counselor, customer, manager".to_owned())
        );
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["0", "-1", "soon", "NaN", "inf"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
