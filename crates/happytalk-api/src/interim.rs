//! INTERIM, removed when the generator emits these (integration of the `gen` branch).
#![allow(missing_docs)]

use crate::requests::*;
use crate::table::Request;
use crate::{ValidationError, operations, types};

fn text(fields: &serde_json::Map<String, serde_json::Value>, name: &str) -> String {
    match fields.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

macro_rules! interim {
    ($builder:ident, $op:ident, $answer:ty, $checked:ty, $method:ident, [$($req:literal),*]) => {
        impl Request for $builder {
            const OPERATION: &'static crate::Operation = &operations::$op;
            type Answer = $answer;
            type Checked = $checked;
            fn check(self) -> Result<$checked, ValidationError> {
                self.build()
            }
            fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Self {
                let mut b = $builder::new($(text(fields, $req)),*);
                for (k, _) in fields {
                    if [$($req),*].contains(&k.as_str()) { continue; }
                    b = b.set(k, &text(fields, k));
                }
                b
            }
            fn send<'a>(
                checked: &'a $checked,
                client: &'a crate::Client,
            ) -> impl Future<Output = Result<progenitor_client::ResponseValue<$answer>, progenitor_client::Error<$answer>>> + Send + 'a {
                client.$method(checked)
            }
        }
    };
}

interim!(
    EndRoom,
    END_ROOM,
    types::EndRoomResult,
    types::EndRoomRequest,
    end_room,
    ["uuid", "room_id"]
);
interim!(
    OpenRoom,
    OPEN_ROOM,
    types::OpenRoomResult,
    types::OpenRoomRequest,
    open_room,
    ["uuid"]
);
interim!(
    CheckPreviousCounselor,
    CHECK_PREVIOUS_COUNSELOR,
    types::PreviousCounselorResult,
    types::PreviousCounselorRequest,
    check_previous_counselor,
    ["uuid", "customer_id"]
);

#[derive(Clone, Debug)]
pub struct SystemMessages {
    pub sender_key: String,
    pub id: Option<i64>,
}
impl SystemMessages {
    pub fn new(sender_key: impl AsRef<str>) -> Self {
        Self {
            sender_key: sender_key.as_ref().to_owned(),
            id: None,
        }
    }
    pub fn id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }
}
impl Request for SystemMessages {
    const OPERATION: &'static crate::Operation = &operations::SYSTEM_MESSAGES;
    type Answer = types::SystemMessageResult;
    type Checked = (types::SystemMessagesSenderKey, Option<i64>);
    fn check(self) -> Result<Self::Checked, ValidationError> {
        Ok((crate::checked(&self.sender_key)?, self.id))
    }
    fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Self {
        Self {
            sender_key: text(fields, "senderKey"),
            id: fields.get("id").and_then(|v| v.as_i64()),
        }
    }
    fn send<'a>(
        checked: &'a Self::Checked,
        client: &'a crate::Client,
    ) -> impl Future<
        Output = Result<
            progenitor_client::ResponseValue<Self::Answer>,
            progenitor_client::Error<Self::Answer>,
        >,
    > + Send
    + 'a {
        client.system_messages(checked.1, &checked.0)
    }
}

pub fn visit_request<V: crate::RequestVisitor>(id: &str, visitor: V) -> Result<V::Output, V> {
    match id {
        "end_room" => Ok(visitor.visit::<EndRoom>()),
        "open_room" => Ok(visitor.visit::<OpenRoom>()),
        "check_previous_counselor" => Ok(visitor.visit::<CheckPreviousCounselor>()),
        "send_message" => Ok(visitor.visit::<SendMessage>()),
        "system_messages" => Ok(visitor.visit::<SystemMessages>()),
        _ => Err(visitor),
    }
}

impl Request for SendMessage {
    const OPERATION: &'static crate::Operation = &operations::SEND_MESSAGE;
    type Answer = types::ChatMessageResult;
    type Checked = types::ChatMessageRequest;
    fn check(self) -> Result<Self::Checked, ValidationError> {
        self.build()
    }
    fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Self {
        let kind = crate::ChatMessageType::try_from(text(fields, "type").as_str())
            .unwrap_or(crate::ChatMessageType::Text);
        let mut b = SendMessage::new(text(fields, "uuid"), text(fields, "room_id"), kind);
        for (k, _) in fields {
            if ["uuid", "room_id", "type"].contains(&k.as_str()) {
                continue;
            }
            b = b.set(k, &text(fields, k));
        }
        b
    }
    fn send<'a>(
        checked: &'a Self::Checked,
        client: &'a crate::Client,
    ) -> impl Future<
        Output = Result<
            progenitor_client::ResponseValue<Self::Answer>,
            progenitor_client::Error<Self::Answer>,
        >,
    > + Send
    + 'a {
        client.send_message(checked)
    }
}
