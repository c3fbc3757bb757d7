//! `happytalk call`: any operation of the spec by its id, with no code of its own. The list,
//! each operation's fields and their limits are read from the generated operation table; the
//! call goes through `happytalk-ext`'s generic `Client::call_fields`, which checks every field
//! against the spec before anything is sent.

use happytalk_ext::Client;
use happytalk_ext::happytalk_api::{Field, FieldKind, OPERATIONS, Operation};
use serde_json::{Map, Value, json};

use crate::failure::Failure;
use crate::output::say;

/// What `happytalk call ARGS…` asks for.
pub enum Asked {
    /// `--list`.
    List,
    /// `OPERATION_ID --help`.
    Help(&'static Operation),
    /// `OPERATION_ID FIELD=VALUE … FIELD:=JSON …`.
    Send(&'static Operation, Map<String, Value>),
}

/// Reads the arguments after `call`: an operation id, then its fields (`FIELD=VALUE` is a
/// string, `FIELD:=JSON` any JSON value, as in httpie), or `--help` after the id.
pub fn parse(list: bool, args: &[String]) -> Result<Asked, Failure> {
    if list {
        return Ok(Asked::List);
    }
    let Some((id, fields)) = args.split_first() else {
        return Err(Failure::Usage(format!(
            "name an operation: happytalk call OPERATION_ID FIELD=VALUE …; the operations are {}",
            ids()
        )));
    };
    let operation = OPERATIONS
        .iter()
        .copied()
        .find(|operation| operation.id == id)
        .ok_or_else(|| {
            Failure::Usage(format!(
                "no operation is called {id:?}; the operations are {}",
                ids()
            ))
        })?;
    if fields
        .iter()
        .any(|field| field == "--help" || field == "-h")
    {
        return Ok(Asked::Help(operation));
    }
    let mut values = Map::new();
    for field in fields {
        let (name, value) = match (field.split_once(":="), field.split_once('=')) {
            (Some((name, json)), Some((before, _))) if name.len() <= before.len() => {
                let value = serde_json::from_str(json).map_err(|error| {
                    Failure::Usage(format!(
                        "{field:?}: the value after `:=` is not JSON ({error})"
                    ))
                })?;
                (name, value)
            }
            (_, Some((name, text))) => (name, Value::String(text.to_owned())),
            _ => {
                return Err(Failure::Usage(format!(
                    "{field:?} is not FIELD=VALUE or FIELD:=JSON"
                )));
            }
        };
        if values.insert(name.to_owned(), value).is_some() {
            return Err(Failure::Usage(format!("the field `{name}` is given twice")));
        }
    }
    Ok(Asked::Send(operation, values))
}

/// Every operation id, for a message.
fn ids() -> String {
    let ids: Vec<&str> = OPERATIONS.iter().map(|operation| operation.id).collect();
    ids.join(", ")
}

/// `call --list`: every operation, one a line (or a JSON array).
pub fn list(json: bool) {
    if json {
        let listed: Vec<Value> = OPERATIONS
            .iter()
            .map(|operation| {
                json!({
                    "id": operation.id,
                    "method": operation.method,
                    "path": operation.path,
                    "family": operation.host.name(),
                    "retry": retry_class(operation),
                    "summary": operation.summary,
                })
            })
            .collect();
        say!("{}", Value::Array(listed));
        return;
    }
    let width = OPERATIONS.iter().map(|o| o.id.len()).max().unwrap_or(0);
    for operation in OPERATIONS {
        say!(
            "{:width$}  {:6} {:5}  {}  {}",
            operation.id,
            operation.method,
            operation.host.name(),
            operation.path,
            operation.summary
        );
    }
}

/// `call OPERATION_ID --help`: the operation and its fields, from the table.
pub fn help(operation: &Operation) {
    let mut text = format!(
        "{}\n\n{} {} on the {} host; a retry may {}.\n\nUsage: happytalk call {} [FIELD=VALUE | FIELD:=JSON]…\n",
        operation.summary,
        operation.method,
        operation.path,
        operation.host.name(),
        match retry_class(operation) {
            "never-twice" => "never repeat it (only a request that never left is sent again)",
            _ => "repeat it",
        },
        operation.id,
    );
    let body = match operation.multipart {
        true => "Form fields (an upload)",
        false => "Body fields",
    };
    for (title, fields) in [
        ("Path fields", operation.path_parameters),
        ("Query fields", operation.query),
        (body, operation.body),
    ] {
        if fields.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{title}:\n"));
        for field in fields {
            text.push_str(&format!("  {}  {}\n", field.name, kind(field)));
            text.push_str(&format!("      {}\n", field.summary));
        }
    }
    say!("{}", text.trim_end());
}

/// A field's type, limits and whether it is required, in words.
fn kind(field: &Field) -> String {
    let kind = match field.kind {
        FieldKind::Text {
            min_length,
            max_length: Some(max),
        } => format!("string, {min_length} to {max} characters"),
        FieldKind::Text {
            min_length: 0,
            max_length: None,
        } => "string".to_owned(),
        FieldKind::Text {
            min_length: 1,
            max_length: None,
        } => "string, not empty".to_owned(),
        FieldKind::Text {
            min_length,
            max_length: None,
        } => format!("string, at least {min_length} characters"),
        FieldKind::OneOf(values) => format!("one of {}", values.join(", ")),
        FieldKind::Integer {
            minimum: None,
            maximum: None,
        } => "integer".to_owned(),
        FieldKind::Integer { minimum, maximum } => format!(
            "integer, {} to {}",
            minimum.map_or("…".to_owned(), |m| m.to_string()),
            maximum.map_or("…".to_owned(), |m| m.to_string())
        ),
        FieldKind::IntegerOneOf(values) => format!(
            "one of {}",
            values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldKind::Boolean => "true or false".to_owned(),
        FieldKind::Flag { on, off } => format!("{on} (yes) or {off} (no); true or false too"),
        FieldKind::File {
            max_bytes: Some(max),
        } => format!("a file: the path of one to upload, at most {max} bytes"),
        FieldKind::File { max_bytes: None } => "a file: the path of one to upload".to_owned(),
        FieldKind::Json => "JSON, given as FIELD:=JSON".to_owned(),
        _ => "a value".to_owned(),
    };
    let required = match (field.required, field.required_when) {
        (true, _) => "; required".to_owned(),
        (false, Some(condition)) => format!(
            "; required when {} is {}",
            condition.field,
            condition.values.join(" or ")
        ),
        (false, None) => String::new(),
    };
    let personal = if field.personal_data {
        "; personal data (never shown in errors)"
    } else {
        ""
    };
    format!("({kind}{required}{personal})")
}

/// The retry class as the spec writes it.
fn retry_class(operation: &Operation) -> &'static str {
    use happytalk_ext::happytalk_api::RetryClass;
    match operation.retry {
        RetryClass::Read => "read",
        RetryClass::NeverTwice => "never-twice",
        RetryClass::SafeToRepeat => "safe-to-repeat",
        _ => "unknown",
    }
}

/// `call OPERATION_ID FIELD=VALUE …`: sends it and prints HappyTalk's answer.
pub async fn send(
    client: &Client,
    operation: &Operation,
    fields: &Map<String, Value>,
    json: bool,
) -> Result<(), Failure> {
    let answer = client.call_fields(operation.id, fields).await?;
    if json {
        say!("{answer}");
    } else {
        let pretty = serde_json::to_string_pretty(&answer).unwrap_or_default();
        say!("{} answered:", operation.id);
        say!("{}", pretty);
    }
    Ok(())
}
