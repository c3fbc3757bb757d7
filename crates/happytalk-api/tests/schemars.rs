//! Feature `schemars`: every generated type describes itself as a JSON Schema, the open code
//! tables as strings (or integers) with their documented values as examples, never as closed
//! enums. Run with `cargo test -p happytalk-api --features schemars` (`cargo xtask test` does).
#![cfg(feature = "schemars")]

use happytalk_api::types;
use schemars::schema_for;
use serde_json::{Value, json};

fn schema<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schema_for!(T)).unwrap()
}

#[test]
fn generated_types_have_schemas_with_open_code_tables() {
    let answer = schema::<types::SystemMessageResult>();
    let definitions = &answer["definitions"];
    // An open table is a string with examples, so a value documented later still validates.
    let status = &definitions["SystemMessageStatus"];
    assert_eq!(status["type"], json!("string"), "{status}");
    assert_eq!(status["examples"], json!(["A", "T", "S"]));
    assert!(status.get("enum").is_none(), "not a closed enum: {status}");
    let code = &definitions["KakaoResultCode"];
    assert_eq!(code["type"], json!("string"));
    assert!(code["examples"].as_array().unwrap().contains(&json!("507")));
    let timestamp = &definitions["KstTimestamp"];
    assert_eq!(timestamp["type"], json!("string"));
    assert_eq!(timestamp["examples"], json!(["2019-10-31 18:26:12"]));
    // The Biz codes are integers.
    let chat = schema::<types::ChatMessageResult>();
    assert_eq!(
        chat["definitions"]["BizResultCode"]["type"],
        json!("integer")
    );
    // A request's fields are all there.
    let request = schema::<types::ChatMessageRequest>();
    let properties: Vec<&String> = request["properties"].as_object().unwrap().keys().collect();
    assert_eq!(properties, ["msg", "room_id", "type", "url", "uuid"]);
}
