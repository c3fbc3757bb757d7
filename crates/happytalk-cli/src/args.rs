//! The command line, as clap reads it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// What `--help` says after the options: the exit codes and where credentials come from.
const AFTER_HELP: &str = "\
Credentials come from the environment only: HT_CLIENT_ID and HT_CLIENT_SECRET (issued by the
HappyTalk customer centre), or HT_CLIENT_ID with --client-secret-file PATH. The secret is never
a flag value, so it stays out of your shell history, and never appears in any output.

Exit codes:
  0  success
  1  any other error
  2  usage or validation error (nothing was sent)
  3  HappyTalk refused the request (its code and message are printed)
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

    /// Base URL of the Biz host (messages), instead of --env; needs --kakao-url.
    #[arg(long, value_name = "URL", requires = "kakao_url", global = true)]
    pub biz_url: Option<String>,

    /// Base URL of the Kakao host (system messages), instead of --env; needs --biz-url.
    #[arg(long, value_name = "URL", requires = "biz_url", global = true)]
    pub kakao_url: Option<String>,

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

/// The environments `--env` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Env {
    /// patch-biz-api.happytalk.io and patch-kakao-api.happytalk.io (development and test).
    Patch,
    /// biz-api.happytalk.io and kakao-api.happytalk.io.
    Production,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send a message into a counselling room (메시지 발신, POST /v1/chat/write).
    #[command(subcommand)]
    Send(Send),

    /// Look up the active system messages of a sender profile, or one by id (시스템 메시지
    /// 조회).
    SystemMessages {
        /// The sender profile key (발신프로필 키).
        sender_key: String,
        /// One system message by its id.
        #[arg(long)]
        id: Option<i64>,
    },

    /// A local HappyTalk sandbox (happytalk-mock), for tests in any language and local work.
    #[command(subcommand)]
    Mock(Mock),
}

/// `mock serve`.
#[derive(Debug, Subcommand)]
pub enum Mock {
    /// Serve both endpoints on 127.0.0.1 with the docs' example system message; prints the URL
    /// and the credentials it accepts; Ctrl-C stops it. Needs no credentials.
    Serve {
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
}

/// `send text|image|audio|video`.
#[derive(Debug, Subcommand)]
pub enum Send {
    /// A text message; MSG `-` reads it from standard input.
    Text {
        #[command(flatten)]
        to: Recipient,
        /// The text (1 to 1000 characters), or `-` to read it from standard input.
        msg: String,
    },
    /// An image, by the absolute http(s) URL where HappyTalk fetches it.
    Image {
        #[command(flatten)]
        to: Recipient,
        /// The image's URL (at most 255 characters).
        url: String,
    },
    /// An audio file, by URL.
    Audio {
        #[command(flatten)]
        to: Recipient,
        /// The audio file's URL (at most 255 characters).
        url: String,
    },
    /// A video, by URL.
    Video {
        #[command(flatten)]
        to: Recipient,
        /// The video's URL (at most 255 characters).
        url: String,
    },
}

/// Who a message goes to.
#[derive(Debug, Args)]
pub struct Recipient {
    /// The customer's identifier in your system (고객사 고객 식별 정보, 5 to 20 characters).
    pub uuid: String,
    /// The counselling room (상담방 번호, 1 to 30 characters).
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
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["0", "-1", "soon", "NaN", "inf"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
