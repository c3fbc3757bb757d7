//! `happytalk`: the HappyTalk (해피톡) API from the command line, over `happytalk-ext`.
//!
//! For support engineers and operators: check a key, look up which system messages a sender
//! profile has, push a test message into a room; with the library's validation and typed
//! errors, and the secret kept out of shell history and output. See `happytalk --help`.

#![forbid(unsafe_code)]

mod args;
mod body_flags;
mod call;
mod failure;
mod listen;
mod output;

use std::ffi::OsString;
use std::io::Read;
use std::process::ExitCode;

use happytalk_ext::{
    ChatMessage, Client, Credentials, EndRoom, Environment, FileContent, KakaoCustomer,
    KakaoMessage, OpenRoom,
};

use args::{
    Cli, Command, DeliveryCommand, Env, KakaoCommand, KakaoDeliveryCommand, KakaoRecipient,
    KakaoSend, Mock, RoomCommand, Send,
};
use failure::Failure;

fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().collect();
    let cli = match args::parse(&arguments) {
        Ok(cli) => cli,
        // --json is honoured even when the rest of the line did not parse.
        Err(error) => return failure::command_line(error, arguments.iter().any(|a| a == "--json")),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Failure::Usage(format!("cannot start the async runtime: {error}"))
                .report(cli.json);
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(cli.json),
    }
}

async fn run(cli: &Cli) -> Result<(), Failure> {
    if let Command::Mock(Mock::Serve { port }) = &cli.command {
        return happytalk_mock::serve_until_ctrl_c(*port)
            .await
            .map_err(|error| {
                Failure::Usage(format!("the mock cannot serve on port {port}: {error}"))
            });
    }
    if let Command::Mock(Mock::Deliver {
        to,
        msgid,
        auto_end,
        message,
    }) = &cli.command
    {
        return deliver(cli, to, msgid.as_deref(), *auto_end, message).await;
    }
    if let Command::Listen { port, bind, dedupe } = &cli.command {
        return listen::listen(*bind, *port, dedupe.as_deref(), cli.json).await;
    }
    // Listing and help need no client (nor credentials).
    let call = match &cli.command {
        Command::Call { list, args } => match call::parse(*list, args)? {
            call::Asked::List => {
                call::list(cli.json);
                return Ok(());
            }
            call::Asked::Help(operation) => {
                call::help(operation);
                return Ok(());
            }
            call::Asked::Send(operation, fields) => Some((operation, fields)),
        },
        _ => None,
    };
    let client = client(cli)?;
    match &cli.command {
        Command::Mock(_) | Command::Listen { .. } => {}
        Command::Call { .. } => {
            if let Some((operation, fields)) = &call {
                call::send(&client, operation, fields, cli.json).await?;
            }
        }
        Command::Send(send) => {
            let message = message(send)?;
            let room_id = client.send_message(&message).await?;
            output::sent(&room_id, cli.json);
        }
        Command::Room(RoomCommand::Open {
            uuid,
            force,
            params,
            fields,
        }) => {
            let mut room = OpenRoom::new(uuid);
            for (field, value) in &fields.values {
                room = room.set(field, value);
            }
            for (number, value) in params {
                room = room.parameter(*number, value);
            }
            if *force {
                room = room.is_room_create_force(true);
            }
            let opened = client.open_room(room).await?;
            output::opened(&opened, cli.json);
        }
        Command::Room(RoomCommand::End { uuid, room_id, by }) => {
            let mut end = EndRoom::new(uuid, room_id);
            if let Some(by) = by {
                end = end.end_type(*by);
            }
            let ending = client.end_room(end).await?;
            output::ended(room_id, ending, cli.json);
        }
        Command::Kakao(KakaoCommand::Send(send)) => {
            let (to, message) = kakao_message(send)?;
            let customer = KakaoCustomer::new(&to.sender_key, &to.user_key);
            let sent = client.kakao_send(&customer, message).await?;
            output::kakao_sent(&customer, &sent, cli.json);
        }
        Command::Kakao(KakaoCommand::End { to, bot_event }) => {
            let customer = KakaoCustomer::new(&to.sender_key, &to.user_key);
            let ending = client.kakao_end(&customer, bot_event.as_deref()).await?;
            output::kakao_ended(&customer, &ending, cli.json);
        }
        Command::Counselor { uuid, customer_id } => {
            let previous = client.check_previous_counselor(uuid, customer_id).await?;
            output::check_previous_counselor(&previous, cli.json);
        }
        Command::SystemMessages { sender_key, id } => {
            let found = match id {
                Some(id) => client
                    .system_message(sender_key, *id)
                    .await?
                    .into_iter()
                    .collect(),
                None => client.system_messages(sender_key).await?,
            };
            output::system_messages(&found, sender_key, *id, cli.json);
        }
    }
    Ok(())
}

/// `mock deliver`: one message to the receiver at `to`.
async fn deliver(
    cli: &Cli,
    to: &str,
    msgid: Option<&str>,
    auto_end: bool,
    message: &DeliveryCommand,
) -> Result<(), Failure> {
    use happytalk_mock::Delivery as Message;
    let (uuid, delivery) = match message {
        DeliveryCommand::Kakao(kakao) => return deliver_kakao(cli, to, kakao).await,
        DeliveryCommand::Text { from, text } => (&from.uuid, Message::text(&from.room_id, text)),
        DeliveryCommand::Image {
            from,
            url,
            width,
            height,
        } => (
            &from.uuid,
            Message::image(&from.room_id, url, *width, *height),
        ),
        DeliveryCommand::File {
            from,
            text,
            url,
            link_name,
        } => (
            &from.uuid,
            Message::file(&from.room_id, text, link_name, url),
        ),
    };
    let mut delivery = delivery.auto_end(auto_end);
    if let Some(timeout) = cli.timeout {
        delivery = delivery.timeout(timeout);
    }
    if let Some(msgid) = msgid {
        delivery = delivery.msgid(msgid);
    }
    delivered(cli, happytalk_mock::deliver_to(to, uuid, delivery).await)
}

/// The receiver's answer to a delivery, printed; a refusal or a failure to reach it, an error.
fn delivered(
    cli: &Cli,
    delivered: Result<happytalk_mock::Delivered, happytalk_mock::DeliveryError>,
) -> Result<(), Failure> {
    let delivered = delivered.map_err(Failure::Delivery)?;
    if !delivered.accepted() {
        return Err(Failure::NotAccepted(Box::new(delivered)));
    }
    output::delivered(&delivered, cli.json);
    Ok(())
}

/// `mock deliver --to URL kakao text|end`: one KakaoTalk callback to the receive domain `to`.
async fn deliver_kakao(cli: &Cli, to: &str, kakao: &KakaoDeliveryCommand) -> Result<(), Failure> {
    use happytalk_mock::KakaoDelivery;
    let (delivery, session) = match kakao {
        KakaoDeliveryCommand::Text {
            from,
            text,
            serial,
            session,
        } => {
            let delivery = KakaoDelivery::text(&from.sender_key, &from.user_key, text);
            match serial {
                Some(serial) => (delivery.serial_number(serial), session),
                None => (delivery, session),
            }
        }
        KakaoDeliveryCommand::End { from, session } => (
            KakaoDelivery::end(&from.sender_key, &from.user_key),
            session,
        ),
    };
    let mut delivery = match session {
        Some(session) => delivery.session_id(session),
        None => delivery,
    };
    if let Some(timeout) = cli.timeout {
        delivery = delivery.timeout(timeout);
    }
    delivered(cli, happytalk_mock::deliver_kakao_to(to, delivery).await)
}

/// The client the global options describe.
fn client(cli: &Cli) -> Result<Client, Failure> {
    let mut environment = match &cli.base_url {
        Some(url) => Environment::custom(url)?,
        None => match cli.env {
            Env::Patch => Environment::Patch,
            Env::Production => Environment::Production,
        },
    };
    for (family, url) in &cli.host_url {
        environment = environment.with_base_url(*family, url)?;
    }
    let mut builder = Client::builder(environment, credentials(cli)?);
    if let Some(timeout) = cli.timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.build()?)
}

const CLIENT_ID: &str = "HT_CLIENT_ID";
const CLIENT_SECRET: &str = "HT_CLIENT_SECRET";

/// The credentials, from the environment or the secret file; never from a flag value. No
/// message here quotes a value read.
fn credentials(cli: &Cli) -> Result<Credentials, Failure> {
    let variable = |name: &str| match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(Some(value)),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Failure::Usage(format!("{name} is not valid UTF-8")))
        }
    };
    let secret = match &cli.client_secret_file {
        Some(path) => Some(secret_from_file(path)?),
        None => variable(CLIENT_SECRET)?,
    };
    match (variable(CLIENT_ID)?, secret) {
        (Some(id), Some(secret)) => Ok(Credentials::new(id, secret)),
        _ => Err(Failure::Usage(format!(
            "missing credentials: set {CLIENT_ID} and {CLIENT_SECRET} in the environment \
             (or {CLIENT_ID} and --client-secret-file PATH)"
        ))),
    }
}

/// The first line of the secret file.
fn secret_from_file(path: &std::path::Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::Usage(format!(
            "cannot read the client secret file {}: {error}",
            path.display()
        ))
    })?;
    match text.lines().next().map(str::trim_end) {
        Some(secret) if !secret.is_empty() => Ok(secret.to_owned()),
        _ => Err(Failure::Usage(format!(
            "the client secret file {} is empty",
            path.display()
        ))),
    }
}

/// The message `send` describes; a text of `-` is read from standard input.
fn message(send: &Send) -> Result<ChatMessage, Failure> {
    Ok(match send {
        Send::Text { to, msg } => {
            let text = if msg == "-" {
                stdin_text()?
            } else {
                msg.clone()
            };
            ChatMessage::text(&to.uuid, &to.room_id, text)
        }
        Send::Image { to, url } => ChatMessage::image(&to.uuid, &to.room_id, url),
        Send::Audio { to, url } => ChatMessage::audio(&to.uuid, &to.room_id, url),
        Send::Video { to, url } => ChatMessage::video(&to.uuid, &to.room_id, url),
    })
}

/// The customer and the message of `kakao send`: the text (or standard input's), or the local
/// file read whole.
fn kakao_message(send: &KakaoSend) -> Result<(&KakaoRecipient, KakaoMessage), Failure> {
    let read = |path: &std::path::Path| {
        FileContent::read(path)
            .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))
    };
    let (to, message, serial) = match send {
        KakaoSend::Text { to, text, serial } => {
            let text = match text.as_str() {
                "-" => stdin_text()?,
                _ => text.clone(),
            };
            (to, KakaoMessage::text(text), serial)
        }
        KakaoSend::Image { to, path, serial } => (to, KakaoMessage::image(read(path)?), serial),
        KakaoSend::File { to, path, serial } => (to, KakaoMessage::file(read(path)?), serial),
    };
    Ok(match &serial.serial {
        Some(serial) => (to, message.serial_number(serial)),
        None => (to, message),
    })
}

/// Standard input as text, without the line break that ends it (as `echo` and heredocs add).
fn stdin_text() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| {
            Failure::Usage(format!(
                "cannot read the message from standard input: {error}"
            ))
        })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}
