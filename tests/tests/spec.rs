//! The spec against HappyTalk's docs, the generated types against the spec, and happytalk-ext
//! against the spec (no drift: limits, code tables and hosts are each written twice, in the spec
//! and in ext, and these tests keep the two equal).

use std::collections::BTreeSet;

use happytalk_api::types;
use happytalk_ext::{
    ApiCode, CommentStatus, Environment, InspectStatus, LinkType, MessageType, SystemMessageStatus,
};
use happytalk_tests::{openapi, spec_json};
use serde_json::{Value, json};

fn schema(name: &str) -> Value {
    spec_json()["components"]["schemas"][name].clone()
}

fn property(schema_name: &str, property: &str) -> Value {
    let value = schema(schema_name)["properties"][property].clone();
    assert!(!value.is_null(), "{schema_name}.{property} is in the spec");
    value
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is an array"))
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn known_values(schema_name: &str, property_name: &str) -> Vec<String> {
    strings(&property(schema_name, property_name)["x-known-values"])
}

#[test]
fn the_spec_is_openapi_3_0_3_with_both_operations() {
    let spec = openapi();
    assert_eq!(spec.openapi, "3.0.3");
    let operations: Vec<(String, String, String)> = spec
        .operations()
        .map(|(path, method, op)| {
            (
                method.to_uppercase(),
                path.to_owned(),
                op.operation_id.clone().expect("every operation has an id"),
            )
        })
        .collect();
    assert_eq!(
        operations,
        [
            (
                "POST".into(),
                "/v1/chat/write".into(),
                "send_chat_message".into()
            ),
            (
                "GET".into(),
                "/kakaoWebhook/v3/bzmc/sm".into(),
                "get_system_messages".into()
            ),
        ]
    );
}

#[test]
fn the_lookup_takes_a_required_sender_key_and_an_optional_integer_id() {
    let spec = spec_json();
    let parameters = &spec["paths"]["/kakaoWebhook/v3/bzmc/sm"]["get"]["parameters"];
    assert_eq!(
        parameters[0].as_object().map(|p| (
            &p["name"],
            &p["in"],
            &p["required"],
            &p["schema"]["type"]
        )),
        Some((
            &json!("senderKey"),
            &json!("query"),
            &json!(true),
            &json!("string")
        ))
    );
    assert_eq!(
        parameters[1].as_object().map(|p| (
            &p["name"],
            &p["in"],
            &p["required"],
            &p["schema"]["type"]
        )),
        Some((
            &json!("id"),
            &json!("query"),
            &json!(false),
            &json!("integer")
        ))
    );
}

/// The numbers of the send-message page: `String (N)` and "최소 5자 ~ 최대 20자".
#[test]
fn request_limits_are_the_docs_limits() {
    let limit = |field: &str| {
        let p = property("ChatMessageRequest", field);
        (p["minLength"].as_u64(), p["maxLength"].as_u64())
    };
    assert_eq!(limit("uuid"), (Some(5), Some(20)));
    assert_eq!(limit("room_id"), (Some(1), Some(30)));
    assert_eq!(limit("msg"), (Some(1), Some(1000)));
    assert_eq!(limit("url"), (Some(1), Some(255)));
    assert_eq!(schema("ChatMessageType")["maxLength"], json!(6));
    assert_eq!(
        strings(&schema("ChatMessageRequest")["required"]),
        ["uuid", "room_id", "type"]
    );
}

#[test]
fn ext_limits_are_the_spec_limits() {
    let range = |field: &str| {
        let p = property("ChatMessageRequest", field);
        let min = p["minLength"].as_u64().expect("minLength") as usize;
        let max = p["maxLength"].as_u64().expect("maxLength") as usize;
        min..=max
    };
    assert_eq!(happytalk_ext::UUID_LENGTH, range("uuid"));
    assert_eq!(happytalk_ext::ROOM_ID_LENGTH, range("room_id"));
    assert_eq!(happytalk_ext::MSG_LENGTH, range("msg"));
    assert_eq!(happytalk_ext::URL_LENGTH, range("url"));
}

#[test]
fn the_message_types_are_the_documented_four() {
    assert_eq!(
        strings(&schema("ChatMessageType")["enum"]),
        ["text", "image", "video", "audio"]
    );
    assert_eq!(schema("ChatMessageType")["default"], json!("text"));
    let ext: Vec<String> = [
        happytalk_ext::MessageContent::Text(String::new()),
        happytalk_ext::MessageContent::Image(String::new()),
        happytalk_ext::MessageContent::Video(String::new()),
        happytalk_ext::MessageContent::Audio(String::new()),
    ]
    .iter()
    .map(|c| c.message_type().to_string())
    .collect();
    assert_eq!(ext, ["text", "image", "video", "audio"]);
}

#[test]
fn ext_code_tables_are_the_spec_code_tables() {
    assert_eq!(
        known_values("SystemMessage", "status"),
        SystemMessageStatus::KNOWN_VALUES
    );
    assert_eq!(
        known_values("SystemMessage", "inspectStatus"),
        InspectStatus::KNOWN_VALUES
    );
    assert_eq!(
        known_values("Message", "messageType"),
        MessageType::KNOWN_VALUES
    );
    assert_eq!(
        strings(&property("Message", "messageType")["x-buttons-not-allowed"]),
        MessageType::BUTTONS_NOT_ALLOWED
    );
    assert_eq!(known_values("Button", "linkType"), LinkType::KNOWN_VALUES);
    assert_eq!(
        known_values("Comment", "status"),
        CommentStatus::KNOWN_VALUES
    );

    let biz: Vec<String> = known_values("ChatMessageResult", "code");
    assert_eq!(biz[0], "0", "0 is the Biz success code");
    let ext_biz: Vec<String> = ApiCode::known_biz_codes().map(|c| c.to_string()).collect();
    assert_eq!(biz[1..], ext_biz);
    for code in ApiCode::known_biz_codes() {
        assert_ne!(ApiCode::from_biz(code), ApiCode::Unknown, "{code}");
    }

    let kakao = known_values("SystemMessageResult", "code");
    assert_eq!(kakao[0], "200", "\"200\" is the Kakao success code");
    let ext_kakao: Vec<&str> = ApiCode::known_kakao_codes().collect();
    assert_eq!(kakao[1..], ext_kakao);
    for code in ApiCode::known_kakao_codes() {
        assert_ne!(ApiCode::from_kakao(code), ApiCode::Unknown, "{code}");
    }
}

/// The data dictionary of the system-message page, every field of every object.
#[test]
fn every_field_of_the_data_dictionaries_is_described() {
    let expected: [(&str, &[&str]); 7] = [
        (
            "ChatMessageRequest",
            &["uuid", "room_id", "type", "msg", "url"],
        ),
        (
            "ChatMessageResult",
            &[
                "code", "room_id", "message", "field", "uuid", "type", "content",
            ],
        ),
        ("SystemMessageResult", &["code", "data", "message"]),
        (
            "SystemMessage",
            &[
                "id",
                "name",
                "status",
                "createdAt",
                "modifiedAt",
                "inspectStatus",
                "inspectRequestAt",
                "inspectedAt",
                "messages",
                "comments",
            ],
        ),
        ("Message", &["messageType", "content", "buttons"]),
        (
            "Button",
            &[
                "ordering",
                "linkType",
                "linkName",
                "linkMobile",
                "linkPc",
                "linkIos",
                "linkAndroid",
            ],
        ),
        (
            "Comment",
            &["id", "content", "userName", "createdAt", "status"],
        ),
    ];
    let is_hangul = |c: char| ('\u{AC00}'..='\u{D7A3}').contains(&c);
    for (schema_name, fields) in expected {
        let properties = schema(schema_name)["properties"].clone();
        let actual: BTreeSet<&str> = properties
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            actual,
            fields.iter().copied().collect(),
            "fields of {schema_name}"
        );
        for field in fields {
            let p = &properties[*field];
            // A $ref carries its description on the referenced schema.
            let description = match p["$ref"].as_str() {
                Some(reference) => {
                    schema(reference.rsplit('/').next().expect("a ref"))["description"].clone()
                }
                None => p["description"].clone(),
            };
            let description = description.as_str().unwrap_or_default();
            assert!(
                description.chars().any(is_hangul)
                    || ["field", "uuid", "type", "content"].contains(field)
                        && schema_name == "ChatMessageResult",
                "{schema_name}.{field} carries the docs' Korean text: {description:?}"
            );
            assert!(
                description.chars().any(|c| c.is_ascii_alphabetic()),
                "{schema_name}.{field} has an English rendering"
            );
        }
    }
}

#[test]
fn each_path_declares_production_then_patch_servers_and_ext_uses_them() {
    let spec = spec_json();
    let servers = |path: &str| {
        strings(&json!(
            spec["paths"][path]["servers"]
                .as_array()
                .expect("servers")
                .iter()
                .map(|s| s["url"].clone())
                .collect::<Vec<_>>()
        ))
    };
    assert_eq!(
        servers("/v1/chat/write"),
        [
            Environment::Production.biz_base_url(),
            Environment::Patch.biz_base_url()
        ]
    );
    assert_eq!(
        servers("/kakaoWebhook/v3/bzmc/sm"),
        [
            Environment::Production.kakao_base_url(),
            Environment::Patch.kakao_base_url()
        ]
    );
    // And those are the hosts the docs name.
    assert_eq!(
        servers("/v1/chat/write"),
        [
            "https://biz-api.happytalk.io",
            "https://patch-biz-api.happytalk.io"
        ]
    );
    assert_eq!(
        servers("/kakaoWebhook/v3/bzmc/sm"),
        [
            "https://kakao-api.happytalk.io",
            "https://patch-kakao-api.happytalk.io"
        ]
    );
}

#[test]
fn both_operations_require_the_two_header_keys() {
    let spec = spec_json();
    let schemes = &spec["components"]["securitySchemes"];
    for (scheme, header) in [
        ("htClientId", "HT-Client-Id"),
        ("htClientSecret", "HT-Client-Secret"),
    ] {
        assert_eq!(schemes[scheme]["type"], json!("apiKey"));
        assert_eq!(schemes[scheme]["in"], json!("header"));
        assert_eq!(schemes[scheme]["name"], json!(header));
    }
    for (path, method) in [
        ("/v1/chat/write", "post"),
        ("/kakaoWebhook/v3/bzmc/sm", "get"),
    ] {
        assert_eq!(
            spec["paths"][path][method]["security"],
            json!([{ "htClientId": [], "htClientSecret": [] }]),
            "{method} {path}"
        );
    }
}

/// A failure body must decode under 200 and under 4xx/5xx: every range has the same schema.
#[test]
fn every_status_range_has_the_same_body() {
    let spec = spec_json();
    for (path, method, schema) in [
        ("/v1/chat/write", "post", "ChatMessageResult"),
        ("/kakaoWebhook/v3/bzmc/sm", "get", "SystemMessageResult"),
    ] {
        let responses = spec["paths"][path][method]["responses"]
            .as_object()
            .expect("responses");
        let ranges: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(ranges, ["2XX", "4XX", "5XX"], "{path}");
        for response in responses.values() {
            assert_eq!(
                response["$ref"],
                json!(format!("#/components/responses/{schema}"))
            );
        }
    }
}

/// Every example in the spec decodes into the generated types (the spec agrees with itself,
/// and the generated code with the docs' bodies).
#[test]
fn every_spec_example_decodes_into_the_generated_types() {
    let spec = spec_json();
    let examples = |pointer: &str| -> Vec<(String, Value)> {
        spec.pointer(pointer)
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{pointer}"))
            .iter()
            .map(|(name, example)| (name.clone(), example["value"].clone()))
            .collect()
    };
    let chat =
        examples("/components/responses/ChatMessageResult/content/application~1json/examples");
    assert_eq!(chat.len(), 4);
    for (name, value) in chat {
        serde_json::from_value::<types::ChatMessageResult>(value)
            .unwrap_or_else(|e| panic!("chat example {name}: {e}"));
    }
    let kakao =
        examples("/components/responses/SystemMessageResult/content/application~1json/examples");
    assert_eq!(kakao.len(), 3);
    for (name, value) in kakao {
        serde_json::from_value::<types::SystemMessageResult>(value)
            .unwrap_or_else(|e| panic!("kakao example {name}: {e}"));
    }
    let requests =
        examples("/paths/~1v1~1chat~1write/post/requestBody/content/application~1json/examples");
    for (name, value) in requests {
        let decoded: types::ChatMessageRequest = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("request example {name}: {e}"));
        assert_eq!(serde_json::to_value(decoded).unwrap(), value, "{name}");
    }
}

#[test]
fn a_generated_request_serializes_to_the_documented_keys() {
    let text = types::ChatMessageRequest {
        uuid: "cust-0001".try_into().unwrap(),
        room_id: "1234567".try_into().unwrap(),
        type_: types::ChatMessageType::Text,
        msg: Some("메시지".try_into().unwrap()),
        url: None,
    };
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        json!({ "uuid": "cust-0001", "room_id": "1234567", "type": "text", "msg": "메시지" })
    );
    let image = types::ChatMessageRequest {
        type_: types::ChatMessageType::Image,
        msg: None,
        url: Some("https://example.com/a.png".try_into().unwrap()),
        ..text
    };
    assert_eq!(
        serde_json::to_value(&image).unwrap(),
        json!({
            "uuid": "cust-0001",
            "room_id": "1234567",
            "type": "image",
            "url": "https://example.com/a.png"
        })
    );
}

#[test]
fn the_generated_types_enforce_the_spec_limits_in_characters() {
    assert!(types::ChatMessageRequestUuid::try_from("abcd").is_err());
    assert!(types::ChatMessageRequestUuid::try_from("가나다라마").is_ok());
    assert!(types::ChatMessageRequestMsg::try_from("가".repeat(1000).as_str()).is_ok());
    assert!(types::ChatMessageRequestMsg::try_from("가".repeat(1001).as_str()).is_err());
}
