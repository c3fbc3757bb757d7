//! The spec against HappyTalk's docs, and the generated code (client types and tables) against
//! the spec and the docs. Nothing hand-written restates the spec any more (limits, code tables,
//! hosts and operations are read from the generated tables), so no test polices a copy: these
//! check that what is generated is right.

use std::collections::BTreeSet;

use happytalk_api::{
    BizResultCode, CREDENTIAL_HEADERS, CodeRole, CommentStatus, HostFamily, InspectStatus,
    KakaoResultCode, LinkType, OPERATIONS, ResultCode, ResultCodeTable, SystemMessageStatus,
    SystemMessageType, operations, types,
};
use happytalk_tests::{openapi, path_item, spec_documents, spec_json};
use serde_json::{Value, json};

fn schema(name: &str) -> Value {
    spec_json()["components"]["schemas"][name].clone()
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

#[test]
fn the_spec_is_openapi_3_0_3_and_the_table_has_each_of_its_operations() {
    let documents = openapi();
    assert!(documents.iter().all(|spec| spec.openapi == "3.0.3"));
    let in_spec: BTreeSet<(String, String, String)> = documents
        .iter()
        .flat_map(|spec| spec.operations())
        .map(|(path, method, op)| {
            let id = op.operation_id.clone().expect("every operation has an id");
            (id, method.to_uppercase(), path.to_owned())
        })
        .collect();
    let in_table: BTreeSet<(String, String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.id.to_owned(), op.method.to_owned(), op.path.to_owned()))
        .collect();
    assert_eq!(in_table, in_spec);
}

/// The whole operation table, as a reviewer reads it in a diff when the spec changes: each
/// operation's method, path, host family, result-code table, retry class and summary, every
/// path, query and body field
/// with its kind, limits, requirement and personal-data mark, the roles of its answer's fields
/// and whether it has a `success` example. Checked against the docs
/// (`reference/happytalk-counsel.md`, the seed pages) when it was accepted.
#[test]
fn the_operation_table() {
    let field = |field: &happytalk_api::Field| {
        json!({
            "name": field.name,
            "kind": format!("{:?}", field.kind),
            "required": field.required,
            "required_when": field.required_when.map(|when| format!("{} in {:?}", when.field, when.values)),
            "personal_data": field.personal_data,
            "indexed": field.indexed,
        })
    };
    let table: Vec<Value> = OPERATIONS
        .iter()
        .map(|op| {
            json!({
                "id": op.id,
                "method": op.method,
                "path": op.path,
                "family": op.host.name(),
                "result_codes": op.result_codes.name(),
                "retry": format!("{:?}", op.retry),
                "summary": op.summary,
                "path_parameters": op.path_parameters.iter().map(field).collect::<Vec<_>>(),
                "query": op.query.iter().map(field).collect::<Vec<_>>(),
                "body": op.body.iter().map(field).collect::<Vec<_>>(),
                "multipart": op.multipart,
                "answer": op.answer.iter().map(|a| format!("{}: {:?}", a.name, a.role)).collect::<Vec<_>>(),
                "success_example": op.success_example.is_some(),
            })
        })
        .collect();
    insta::assert_yaml_snapshot!(table);
}

#[test]
fn the_message_types_are_the_documented_four() {
    assert_eq!(
        strings(&schema("ChatMessageType")["enum"]),
        ["text", "image", "video", "audio"]
    );
    assert_eq!(schema("ChatMessageType")["default"], json!("text"));
}

/// The generated types carry the spec's limits as constants, which everything else reads.
#[test]
fn the_generated_types_carry_the_docs_limits() {
    assert_eq!(
        (
            types::ChatMessageRequestUuid::MIN_LENGTH,
            types::ChatMessageRequestUuid::MAX_LENGTH
        ),
        (5, 20)
    );
    assert_eq!(
        (
            types::ChatMessageRequestRoomId::MIN_LENGTH,
            types::ChatMessageRequestRoomId::MAX_LENGTH
        ),
        (1, 30)
    );
    assert_eq!(types::ChatMessageRequestMsg::MAX_LENGTH, 1000);
    assert_eq!(types::ChatMessageRequestUrl::MAX_LENGTH, 255);
    assert_eq!(types::SystemMessagesSenderKey::MIN_LENGTH, 1);
}

/// The code tables of the system-message page's data dictionary, generated as open enums:
/// every documented value, in the docs' order, each with a meaning; an undocumented one kept.
#[test]
fn the_generated_code_tables_are_the_docs_tables() {
    assert_eq!(SystemMessageStatus::KNOWN_VALUES, ["A", "T", "S"]);
    assert_eq!(InspectStatus::KNOWN_VALUES, ["REG", "REQ", "APR", "REJ"]);
    assert_eq!(
        SystemMessageType::KNOWN_VALUES,
        ["ST", "S1", "S2", "S3", "S4", "S5", "ED", "ER", "BL", "SB"]
    );
    assert_eq!(LinkType::KNOWN_VALUES, ["WL", "AL", "BK", "MD"]);
    assert_eq!(CommentStatus::KNOWN_VALUES, ["APR", "REJ", "INQ"]);
    // 버튼 사용 불가: S5, BL and SB; an undocumented type leaves the decision to HappyTalk.
    let refused: Vec<&str> = SystemMessageType::KNOWN_VALUES
        .into_iter()
        .filter(|value| !SystemMessageType::from(*value).buttons_allowed())
        .collect();
    assert_eq!(refused, ["S5", "BL", "SB"]);
    assert!(SystemMessageType::from("S9").buttons_allowed());

    assert_eq!(SystemMessageStatus::from("A"), SystemMessageStatus::Active);
    assert_eq!(SystemMessageStatus::Active.meaning(), Some("정상 (active)"));
    assert_eq!(InspectStatus::from("REJ"), InspectStatus::Rejected);
    assert_eq!(
        SystemMessageType::from("SB"),
        SystemMessageType::SwitchedToBot
    );
    assert_eq!(LinkType::from("MD"), LinkType::MessageDelivery);
    assert_eq!(CommentStatus::from("INQ"), CommentStatus::Inquiry);

    fn open<T>(known: &[&str], unknown: &str)
    where
        T: std::fmt::Display + serde::Serialize + serde::de::DeserializeOwned,
    {
        for value in known {
            let decoded: T = serde_json::from_value(json!(value)).unwrap();
            assert_eq!(decoded.to_string(), *value);
            assert_eq!(serde_json::to_value(&decoded).unwrap(), json!(value));
        }
        let kept: T = serde_json::from_value(json!(unknown)).unwrap();
        assert_eq!(
            serde_json::to_value(&kept).unwrap(),
            json!(unknown),
            "kept as it came"
        );
    }
    open::<SystemMessageStatus>(&SystemMessageStatus::KNOWN_VALUES, "Z");
    open::<InspectStatus>(&InspectStatus::KNOWN_VALUES, "HOLD");
    open::<SystemMessageType>(&SystemMessageType::KNOWN_VALUES, "S9");
    open::<LinkType>(&LinkType::KNOWN_VALUES, "AC");
    open::<CommentStatus>(&CommentStatus::KNOWN_VALUES, "");
    assert!(!SystemMessageStatus::from("Z").is_known());
    assert_eq!(SystemMessageStatus::from("Z").meaning(), None);
}

/// The result codes of `happytalk-codes.md`, one table per host family: the same number means
/// different things in different families.
#[test]
fn the_generated_result_codes_are_the_docs_codes_per_family() {
    assert_eq!(
        BizResultCode::KNOWN_VALUES,
        [
            0, -400, -500, -504, -600, -700, -701, -702, -703, -704, -800, -801, -802, -900, -901,
            -902, -903, -904, -1001
        ]
    );
    assert_eq!(
        KakaoResultCode::KNOWN_VALUES,
        [
            "200", "403", "405", "507", "508", "509", "510", "514", "515", "516", "517", "520",
            "805", "806", "807", "808", "809", "810", "811", "9999", "4060"
        ]
    );
    // The messages the Biz API Fail Code page gives.
    let messages: Vec<Option<&str>> = BizResultCode::KNOWN_VALUES
        .into_iter()
        .map(|code| BizResultCode::from(code).documented_message())
        .collect();
    let documented = [
        "",
        "Forbidden",
        "Authorization",
        "Contract",
        "System",
        "EndRoom",
        "Room",
        "NotRoom",
        "UUID",
        "IngRoom",
        "Validation",
        "Required",
        "Length",
        "Consulting",
        "Consulting",
        "Consulting",
        "Consulting",
        "Consulting",
        "Vote",
    ];
    assert_eq!(messages, documented.map(Some));
    assert_eq!(
        KakaoResultCode::InvalidSenderProfile.documented_message(),
        Some("발신프로필(발신채널) 또는 발신프로필 그룹이 유효하지 않습니다")
    );
    // Every documented code has its own variant and meaning (805 to 810 share one, keeping
    // which was sent); none is taken for undocumented.
    let mut meanings = BTreeSet::new();
    for code in BizResultCode::KNOWN_VALUES {
        let known = BizResultCode::from(code);
        assert!(known.is_known(), "{code}");
        assert_eq!(known.value(), code);
        meanings.insert(known.meaning().unwrap());
    }
    assert_eq!(meanings.len(), BizResultCode::KNOWN_VALUES.len());
    let mut meanings = BTreeSet::new();
    for code in KakaoResultCode::KNOWN_VALUES {
        let known = KakaoResultCode::from(code);
        assert!(known.is_known(), "{code}");
        assert_eq!(known.as_str(), code, "805 to 810 keep which one was sent");
        meanings.insert(known.meaning().unwrap());
    }
    assert_eq!(meanings.len(), KakaoResultCode::KNOWN_VALUES.len() - 5);
    assert!(matches!(
        KakaoResultCode::from("807"),
        KakaoResultCode::SenderProfileRegistrationBlocked(_)
    ));
    // The families do not mix: -802 means nothing on the Kakao host, 403 nothing on the Biz one.
    assert!(!KakaoResultCode::from("-802").is_known());
    assert!(!BizResultCode::from(403).is_known());
    assert!(!KakaoResultCode::from(" 507").is_known());
    assert_ne!(
        ResultCode::from(BizResultCode::from(-500)),
        ResultCode::from(KakaoResultCode::from("-500"))
    );
    // -90x are the refusals for lack of counselling, and only they.
    let counselling: Vec<i32> = BizResultCode::KNOWN_VALUES
        .into_iter()
        .filter(|code| BizResultCode::from(*code).counselling_unavailable())
        .collect();
    assert_eq!(counselling, [-900, -901, -902, -903, -904]);
    // Success is each table's own.
    assert_eq!(ResultCodeTable::Biz.success(), BizResultCode::Success);
    assert_eq!(ResultCodeTable::Kakao.success(), KakaoResultCode::Success);
    assert_eq!(BizResultCode::Success.value(), 0);
    assert_eq!(KakaoResultCode::Success.as_str(), "200");
    // The mock finds the code each table answers a refusal with.
    for (role, biz, kakao) in [
        (CodeRole::Unauthorized, -500, "403"),
        (CodeRole::MissingParameter, -801, "405"),
        (CodeRole::ParameterLength, -802, "405"),
        (CodeRole::InvalidParameter, -800, "405"),
        (CodeRole::Forbidden, -400, "403"),
    ] {
        assert_eq!(
            ResultCodeTable::Biz.for_role(role),
            Some(BizResultCode::from(biz).into()),
            "{role:?}"
        );
        assert_eq!(
            ResultCodeTable::Kakao.for_role(role),
            Some(KakaoResultCode::from(kakao).into()),
            "{role:?}"
        );
    }
}

/// The hosts of the docs, by family, from the per-path `servers`; every operation in the
/// table on the host family of its path, with the retry class the spec declares.
#[test]
fn the_host_table_is_the_docs_and_each_operation_uses_its_family() {
    assert_eq!(
        HostFamily::ALL.map(|family| (family.name(), family.production_url(), family.patch_url())),
        [
            (
                "biz",
                "https://biz-api.happytalk.io",
                "https://patch-biz-api.happytalk.io"
            ),
            (
                "kakao",
                "https://kakao-api.happytalk.io",
                "https://patch-kakao-api.happytalk.io"
            ),
        ]
    );
    let documents = spec_documents();
    for operation in OPERATIONS {
        let document = &documents[operation.host.name()];
        let path = &document["paths"][operation.path];
        let servers: Vec<&str> = document["servers"]
            .as_array()
            .expect("servers")
            .iter()
            .map(|server| server["url"].as_str().unwrap())
            .collect();
        assert_eq!(
            servers,
            [operation.host.production_url(), operation.host.patch_url()],
            "{}",
            operation.id
        );
        assert_eq!(
            path[operation.method.to_lowercase()]["operationId"],
            json!(operation.id)
        );
    }
    // The success examples are in the table, as the spec writes them.
    let example: Value =
        serde_json::from_str(operations::SEND_MESSAGE.success_example.unwrap()).unwrap();
    assert_eq!(
        example,
        json!({"code": 0, "room_id": "1234567", "message": ""})
    );
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

/// The docs' two credential headers, the secret marked as one, and every operation sends both.
#[test]
fn every_operation_requires_the_two_header_keys() {
    assert_eq!(
        CREDENTIAL_HEADERS.map(|header| (header.scheme, header.name, header.sensitive)),
        [
            ("htClientId", "HT-Client-Id", false),
            ("htClientSecret", "HT-Client-Secret", true)
        ]
    );
    let spec = spec_json();
    let schemes = &spec["components"]["securitySchemes"];
    for header in CREDENTIAL_HEADERS {
        let scheme = &schemes[header.scheme];
        assert_eq!(scheme["type"], json!("apiKey"), "{}", header.scheme);
        assert_eq!(scheme["in"], json!("header"), "{}", header.scheme);
        assert_eq!(scheme["name"], json!(header.name), "{}", header.scheme);
    }
    for operation in OPERATIONS {
        let method = operation.method.to_lowercase();
        assert_eq!(
            path_item(operation)[&method]["security"],
            json!([{ "htClientId": [], "htClientSecret": [] }]),
            "{}",
            operation.id
        );
    }
}

/// A failure body must decode under 200 and under 4xx/5xx: every range has the same schema.
#[test]
fn every_status_range_has_the_same_body() {
    for operation in OPERATIONS {
        let item = path_item(operation);
        let responses = item[operation.method.to_lowercase()]["responses"]
            .as_object()
            .expect("responses");
        let ranges: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(ranges, ["2XX", "4XX", "5XX"], "{}", operation.id);
        let bodies: BTreeSet<&str> = responses
            .values()
            .map(|range| range["$ref"].as_str().expect("a shared response"))
            .collect();
        assert_eq!(bodies.len(), 1, "{}: {bodies:?}", operation.id);
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
    /// Each example decodes as `T` and encodes back to itself.
    fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
        examples: Vec<(String, Value)>,
    ) {
        assert!(!examples.is_empty());
        for (name, value) in examples {
            let decoded: T = serde_json::from_value(value.clone())
                .unwrap_or_else(|e| panic!("example {name}: {e}"));
            assert_eq!(serde_json::to_value(decoded).unwrap(), value, "{name}");
        }
    }
    let biz = &spec_documents()["biz"];
    let body = |path: &str| -> Vec<(String, Value)> {
        let pointer = format!(
            "/paths/{}/post/requestBody/content/application~1json/examples",
            path.replace('/', "~1")
        );
        biz.pointer(&pointer)
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{pointer}"))
            .iter()
            .map(|(name, example)| (name.clone(), example["value"].clone()))
            .collect()
    };
    let answer = |name: &str| {
        examples(&format!(
            "/components/responses/{name}/content/application~1json/examples"
        ))
    };
    round_trip::<types::ChatMessageRequest>(body("/v1/chat/write"));
    round_trip::<types::OpenRoomRequest>(body("/v1/chat/open"));
    round_trip::<types::EndRoomRequest>(body("/v1/chat/end"));
    round_trip::<types::PreviousCounselorRequest>(body("/v1/chat/isCounselor"));
    round_trip::<types::OpenRoomResult>(answer("OpenRoomResult"));
    round_trip::<types::EndRoomResult>(answer("EndRoomResult"));
    round_trip::<types::PreviousCounselorResult>(answer("PreviousCounselorResult"));
}

#[test]
fn a_generated_request_serializes_to_the_documented_keys() {
    let text = types::ChatMessageRequest {
        uuid: "cust-0001".try_into().unwrap(),
        room_id: "1234567".try_into().unwrap(),
        type_: happytalk_api::ChatMessageType::Text,
        msg: Some("메시지".try_into().unwrap()),
        url: None,
    };
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        json!({ "uuid": "cust-0001", "room_id": "1234567", "type": "text", "msg": "메시지" })
    );
    let image = types::ChatMessageRequest {
        type_: happytalk_api::ChatMessageType::Image,
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

/// The KakaoTalk callbacks, as the reference gives them: Kakao's `POST` to the receive domain's
/// `/message`, `/expired_session` and `/reference`, their required fields, and their examples,
/// which the generated types read.
#[test]
fn the_kakao_callbacks_are_the_documented_ones() {
    use happytalk_api::inbound;
    let calls = [
        (&inbound::KAKAO_MESSAGE, "/message", "KakaoInboundMessage"),
        (
            &inbound::KAKAO_EXPIRED_SESSION,
            "/expired_session",
            "KakaoExpiredSession",
        ),
        (&inbound::KAKAO_REFERENCE, "/reference", "KakaoReference"),
    ];
    for (call, path, body) in calls {
        assert_eq!((call.method, call.path, call.body), ("POST", path, body));
        assert_eq!((call.parameter(), call.path_for("x").as_str()), ("", path));
        assert_eq!(call.short_name(), &path[1..], "{}", call.name);
        assert!(!call.examples.is_empty(), "{}", call.name);
    }
    let required = |name: &str| -> Vec<String> { strings(&schema(name)["required"]) };
    assert_eq!(
        required("KakaoInboundMessage"),
        ["user_key", "sender_key", "serial_number", "type"]
    );
    assert_eq!(
        required("KakaoExpiredSession"),
        ["user_key", "sender_key", "session_id"]
    );
    assert_eq!(
        required("KakaoReference"),
        ["user_key", "sender_key", "session_id"]
    );
    for (name, example) in inbound::KAKAO_MESSAGE.examples {
        serde_json::from_str::<types::KakaoInboundMessage>(example)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for (_, example) in inbound::KAKAO_EXPIRED_SESSION.examples {
        serde_json::from_str::<types::KakaoExpiredSession>(example).unwrap();
    }
    for (_, example) in inbound::KAKAO_REFERENCE.examples {
        serde_json::from_str::<types::KakaoReference>(example).unwrap();
    }
    // The docs' 19-digit serial number, beyond 2^53, keeps its digits.
    let text: types::KakaoInboundMessage =
        serde_json::from_str(inbound::KAKAO_MESSAGE.example("text").unwrap()).unwrap();
    assert_eq!(text.serial_number.as_str(), "1689884130894833200");
}

/// 메시지 수신, as the reference gives it: HappyTalk's `POST /message/{uuid}` to the
/// integrator, its required fields, `auto_end` as `Y`/`N`, and one example of each documented
/// shape that the generated type reads and writes back unchanged.
#[test]
fn the_inbound_message_is_the_documented_callback() {
    use happytalk_api::{AutoEnd, inbound};

    assert_eq!(
        (inbound::MESSAGE.method, inbound::MESSAGE.path),
        ("POST", "/message/{uuid}")
    );
    assert_eq!(
        happytalk_api::INBOUND.map(|call| (call.name, call.family.name())),
        [
            ("message", "biz"),
            ("kakao_message", "kakao"),
            ("kakao_expired_session", "kakao"),
            ("kakao_reference", "kakao")
        ]
    );
    assert_eq!(inbound::MESSAGE.path_for("cust_0001"), "/message/cust_0001");
    assert_eq!(inbound::MESSAGE.short_name(), "message");
    assert_eq!(inbound::MESSAGE.path_for("a/b c"), "/message/a%2Fb%20c");
    let required: BTreeSet<String> = strings(&schema("InboundMessage")["required"])
        .into_iter()
        .collect();
    let documented = ["uuid", "room_id", "type", "msgid", "content", "auto_end"];
    assert_eq!(required, documented.map(str::to_owned).into());
    assert_eq!(
        (
            AutoEnd::from_bool(true).as_str(),
            AutoEnd::from_bool(false).as_str()
        ),
        ("Y", "N")
    );
    assert_eq!(AutoEnd::from("Y").as_bool(), Some(true));
    assert_eq!(AutoEnd::from("maybe").as_bool(), None);

    let names: Vec<&str> = inbound::MESSAGE
        .examples
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(names, ["file", "image", "template", "text"], "by name");
    for (name, example) in inbound::MESSAGE.examples {
        let value: Value = serde_json::from_str(example).unwrap();
        let decoded: types::InboundMessage = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("inbound example {name}: {e}"));
        assert_eq!(serde_json::to_value(decoded).unwrap(), value, "{name}");
    }
    let example = |name: &str| -> Value {
        serde_json::from_str(inbound::MESSAGE.example(name).unwrap()).unwrap()
    };
    // The shapes the reference describes.
    assert!(example("text")["content"].is_string());
    let image = example("image");
    assert_eq!(image["content"], "");
    for key in ["width", "height", "url"] {
        assert!(!image["image"][key].is_null(), "image.{key}");
    }
    let file: types::InboundFile = serde_json::from_value(example("file")["content"].clone())
        .expect("a file's content is an InboundFile");
    assert!(!file.link.url.is_empty() && !file.link.name.is_empty());
    assert!(example("template")["content"]["text"].is_string());
}
