//! Every operation of the spec, with no list of them: each documented request example goes
//! through happytalk-ext's generic call (`Client::call_fields`) to the mock, and HappyTalk's
//! answer is the operation's success; the same request without one of its required fields is
//! refused before anything is sent. An operation added to the spec is covered as it is added
//! (`xtask/tests/new_operation.rs` proves it), and one without an example fails here.

use happytalk_api::{AnswerRole, FieldKind, OPERATIONS, Operation};
use happytalk_ext::{Client, Error};
use happytalk_mock::MockHappyTalk;
use serde_json::{Map, Value};

/// The document of `operation`'s family (`spec/<family>.yaml`), read beside this crate (no
/// helper crate: `xtask/tests/new_operation.rs` builds this file on its own, against a
/// regenerated copy of the crates).
fn spec_json(operation: &Operation) -> Value {
    let path = format!(
        "{}/../spec/{}.yaml",
        env!("CARGO_MANIFEST_DIR"),
        operation.host.name()
    );
    let text = std::fs::read_to_string(path).expect("the spec");
    serde_norway::from_str(&text).expect("the spec is YAML")
}

/// The documented requests of `operation`, by name: each example of its body (JSON, or an
/// upload's form), with the examples of its parameters (query and path) beside it, or the
/// parameters' alone. A file of a form is its example's name, written with a few bytes into a
/// scratch directory, and given as its path.
fn examples(operation: &Operation) -> Vec<(String, Map<String, Value>)> {
    let spec = spec_json(operation);
    let item = &spec["paths"][operation.path][operation.method.to_ascii_lowercase()];
    let mut parameters = Map::new();
    for parameter in item["parameters"].as_array().into_iter().flatten() {
        let parameter = match parameter["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/parameters/"))
        {
            Some(name) => &spec["components"]["parameters"][name],
            None => parameter,
        };
        if let (Some(name), Some(example)) = (parameter["name"].as_str(), parameter.get("example"))
        {
            parameters.insert(name.to_owned(), example.clone());
        }
    }
    let content = &item["requestBody"]["content"];
    let body = content
        .get("application/json")
        .or_else(|| content.get("multipart/form-data"))
        .unwrap_or(&Value::Null);
    let mut examples: Vec<(String, Map<String, Value>)> = body["examples"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, example)| Some((name.clone(), example["value"].as_object()?.clone())))
        .chain(
            body.get("example")
                .and_then(Value::as_object)
                .map(|example| ("example".to_owned(), example.clone())),
        )
        .map(|(name, mut fields)| {
            fields.extend(parameters.clone());
            for field in operation.body {
                if let (FieldKind::File { .. }, Some(Value::String(file))) =
                    (field.kind, fields.get(field.name))
                {
                    // Under the target directory, which owns it (nothing left in /tmp).
                    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                        .join(format!("happytalk-operations-{}", std::process::id()));
                    std::fs::create_dir_all(&dir).expect("a scratch directory");
                    let path = dir.join(file);
                    std::fs::write(&path, b"\x89PNG\r\n\x1a\n not really an image")
                        .expect("a scratch file");
                    fields.insert(
                        field.name.to_owned(),
                        Value::from(path.display().to_string()),
                    );
                }
            }
            (name, fields)
        })
        .collect();
    if examples.is_empty() && !parameters.is_empty() {
        examples.push(("parameters".to_owned(), parameters));
    }
    examples
}

/// A mock with what the docs' examples refer to: the system messages of the docs' sender key,
/// the open room of a request that names a customer and a room, the open KakaoTalk session of
/// a request that names a channel and a customer, and the media (URLs) a request names, as if
/// uploaded.
async fn mock_for(fields: &Map<String, Value>) -> MockHappyTalk {
    let mock = MockHappyTalk::start().await;
    mock.add_docs_example();
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    if let (Some(uuid), Some(room_id)) = (text("uuid"), text("room_id")) {
        mock.add_room(uuid, room_id);
    }
    if let (Some(sender_key), Some(user_key)) = (text("sender_key"), text("user_key")) {
        mock.open_kakao_session(sender_key, user_key);
    }
    fn urls(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::String(text) if text.starts_with("https://") => found.push(text.clone()),
            Value::Array(values) => values.iter().for_each(|value| urls(value, found)),
            Value::Object(map) => map.values().for_each(|value| urls(value, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    fields.values().for_each(|value| urls(value, &mut found));
    for url in found {
        mock.add_kakao_media(&url);
    }
    mock
}

fn client(mock: &MockHappyTalk) -> Client {
    Client::new(mock.environment(), mock.credentials()).unwrap()
}

#[tokio::test]
async fn every_documented_request_of_every_operation_is_answered_with_its_success() {
    for operation in OPERATIONS {
        let examples = examples(operation);
        assert!(
            !examples.is_empty(),
            "`{}` has no request example in the spec: give it one, so that it is tested",
            operation.id
        );
        let code = operation
            .answer_field(AnswerRole::Code)
            .expect("every answer has a code");
        let success = serde_json::to_value(operation.success_code()).unwrap();
        for (name, fields) in examples {
            let mock = mock_for(&fields).await;
            let answer = client(&mock)
                .call_fields(operation.id, &fields)
                .await
                .unwrap_or_else(|error| panic!("{} `{name}`: {error}", operation.id));
            assert_eq!(answer[code], success, "{} `{name}`: {answer}", operation.id);
            assert_eq!(mock.received().len(), 1, "{} `{name}`", operation.id);
            mock.assert_no_violations();
        }
    }
}

#[tokio::test]
async fn a_documented_request_without_a_required_field_is_refused_before_the_wire() {
    for operation in OPERATIONS {
        let required = operation.fields().filter(|field| field.required);
        for field in required {
            let (_, mut fields) = examples(operation).remove(0);
            fields.remove(field.name);
            let mock = mock_for(&fields).await;
            match client(&mock).call_fields(operation.id, &fields).await {
                Err(Error::Validation(refused)) => {
                    assert_eq!(refused.field(), field.name, "{}", operation.id);
                }
                other => panic!("{} without `{}`: {other:?}", operation.id, field.name),
            }
            assert!(
                mock.received().is_empty(),
                "{}: nothing is sent",
                operation.id
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_operation_or_field_is_refused_before_the_wire() {
    let mock = MockHappyTalk::start().await;
    let client = client(&mock);
    let unknown = client.call_fields("no_such_operation", &Map::new()).await;
    assert!(
        matches!(&unknown, Err(Error::Validation(refused)) if refused.field() == "operation"),
        "{unknown:?}"
    );
    for operation in OPERATIONS {
        let (_, mut fields) = examples(operation).remove(0);
        fields.insert("no_such_field".to_owned(), Value::from("x"));
        let refused = client.call_fields(operation.id, &fields).await;
        assert!(
            matches!(&refused, Err(Error::Validation(refused)) if refused.to_string().contains("no_such_field")),
            "{}: {refused:?}",
            operation.id
        );
    }
    assert!(mock.received().is_empty());
}
