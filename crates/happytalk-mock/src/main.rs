//! `happytalk-mock [--port PORT]`: the HappyTalk mock as a standalone sandbox, for tests in
//! other languages and local development. Prints its URL and credentials; Ctrl-C stops it.

#![forbid(unsafe_code)]

use std::process::ExitCode;

const USAGE: &str = "usage: happytalk-mock [--port PORT]   (default 8080; 0 picks a free port)";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut port = 8080;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let given = args.next().unwrap_or_default();
                let Ok(given) = given.parse::<u16>() else {
                    eprintln!(
                        "error: --port needs a port number (0–65535), got {given:?}\n{USAGE}"
                    );
                    return ExitCode::from(2);
                };
                port = given;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("error: unexpected argument `{arg}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match happytalk_mock::serve_until_ctrl_c(port).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the mock cannot serve on port {port}: {error}");
            ExitCode::FAILURE
        }
    }
}
