//! Everything that can end a run unsuccessfully: its exit code, its text on standard error and,
//! with `--json`, its JSON on standard output.

use std::process::ExitCode;

use happytalk_ext::{Error, TransportErrorKind, with_causes};
use happytalk_mock::{Delivered, DeliveryError};

use crate::output::{self, say, say_error};
use serde_json::{Value, json};

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line or the environment cannot be used (missing credentials, an unreadable
    /// secret file): nothing was sent.
    Usage(String),
    /// The library's error.
    Library(Error),
    /// `mock deliver`: the receiver answered other than 2xx.
    NotAccepted(Box<Delivered>),
    /// `mock deliver`: the delivery could not be made.
    Delivery(DeliveryError),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Library(error)
    }
}

impl Failure {
    /// The exit code, as `--help` documents it.
    fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::NotAccepted(_) => 3,
            Self::Delivery(DeliveryError::Transport(_) | DeliveryError::Timeout(_)) => 4,
            Self::Delivery(_) => 2,
            Self::Library(error) => match error {
                Error::Validation(_) | Error::Configuration(_) => 2,
                Error::Api(_) => 3,
                Error::Transport(_) => 4,
                Error::UndecodableResponse(_) => 5,
                // A kind of error this version does not know yet.
                _ => 1,
            },
        }
    }

    /// The error as JSON: `{"error": {"kind", "message", …}}`, `message` being the text
    /// printed on standard error, and the details of its kind beside it.
    fn to_json(&self) -> Value {
        let error = match self {
            Self::Usage(message) => json!({ "kind": "usage", "message": message }),
            Self::Library(error) => library_json(error),
            Self::NotAccepted(delivered) => {
                let mut shown = output::delivered_json(delivered);
                shown["kind"] = json!("not_accepted");
                shown["message"] = json!(self.text());
                shown
            }
            Self::Delivery(error) => match error {
                DeliveryError::Transport(_) | DeliveryError::Timeout(_) => json!({
                    "kind": "transport",
                    "message": self.text(),
                    "transport": match error {
                        DeliveryError::Timeout(_) => "timeout",
                        _ => "other",
                    },
                }),
                _ => json!({ "kind": "usage", "message": self.text() }),
            },
        };
        json!({ "error": error })
    }

    /// The text printed on standard error.
    fn text(&self) -> String {
        match self {
            Self::Usage(message) => message.clone(),
            Self::Library(error) => with_causes(error),
            Self::NotAccepted(delivered) => format!(
                "the receiver at {} answered {}, not a 2xx, to {} {}{}",
                delivered.url,
                delivered.status,
                output::id_name(delivered).replace('_', " "),
                delivered.id,
                output::quoted_body(&delivered.body)
            ),
            Self::Delivery(error) => error.to_string(),
        }
    }

    /// Prints the failure (its text on standard error; with `json`, its JSON on standard
    /// output too) and returns its exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        say_error!("error: {}", self.text());
        if json {
            say!("{}", self.to_json());
        }
        ExitCode::from(self.exit_code())
    }
}

fn library_json(error: &Error) -> Value {
    let message = with_causes(error);
    match error {
        Error::Validation(invalid) => json!({
            "kind": "validation",
            "message": message,
            "field": invalid.field(),
            "rule": invalid.rule().to_string(),
            "given_length": invalid.given_length(),
        }),
        Error::Api(refused) => json!({
            "kind": "api",
            "message": message,
            "operation": refused.operation(),
            "code": refused.raw_code(),
            "meaning": refused.code().meaning(),
            "happytalk_message": refused.message(),
            "field": refused.field(),
            "notice": refused.notice(),
            "http_status": refused.status().as_u16(),
            "attempts": refused.attempts(),
        }),
        Error::Transport(broken) => json!({
            "kind": "transport",
            "message": message,
            "transport": match broken.kind() {
                TransportErrorKind::Connect => "connect",
                TransportErrorKind::Timeout => "timeout",
                TransportErrorKind::Request => "request",
                _ => "other",
            },
            "attempts": broken.attempts(),
        }),
        Error::UndecodableResponse(answer) => json!({
            "kind": "undecodable_response",
            "message": message,
            "http_status": answer.status().map(|status| status.as_u16()),
            "reason": answer.reason(),
            "attempts": answer.attempts(),
        }),
        Error::Configuration(_) => json!({ "kind": "configuration", "message": message }),
        _ => json!({ "kind": "other", "message": message }),
    }
}

/// A command line clap could not read (exit 2), or `--help` / `--version` (exit 0).
pub fn command_line(error: clap::Error, json: bool) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let _ = error.print();
    if json {
        let message = error.render().to_string();
        let message = message.trim_start_matches("error: ").trim_end();
        say!(
            "{}",
            json!({ "error": { "kind": "usage", "message": message } })
        );
    }
    ExitCode::from(2)
}
