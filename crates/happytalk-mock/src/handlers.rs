//! What the mock does with a request that passed every check of the operation table, for the
//! operations whose answer depends on state: rooms, previous counsellors, system messages, and
//! the KakaoTalk channel's sessions (in [`kakao`](crate::kakao)).
//! Every handler is registered in [`HANDLERS`], by operation; an operation that has none
//! answers the spec's `success` example (see the server).

// A refusal is a handler's answer, carried back as the `Err` of its steps: a mock's request
// path, where the size of a `Reply` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use happytalk_api::{
    BizResultCode, CodeRole, CounselorAvailability, CounselorPresence, KakaoResultCode, Operation,
    RoomCreationForce, SystemMessageStatus, operations, types,
};
use serde::de::DeserializeOwned;

use crate::kakao;
use crate::script::Reply;
use crate::server::{refusal, success};
use crate::{Received, Room, State};

/// What an operation with state does with a request that passed every check.
pub(crate) type Handler = fn(&'static Operation, &mut Received, &mut State) -> Reply;

/// Every operation with state, and its handler: the one place to add one.
const HANDLERS: &[(&str, Handler)] = &[
    (operations::OPEN_ROOM.id, open_room),
    (operations::SEND_MESSAGE.id, send_message),
    (operations::END_ROOM.id, end_room),
    (
        operations::CHECK_PREVIOUS_COUNSELOR.id,
        check_previous_counselor,
    ),
    (operations::SYSTEM_MESSAGES.id, system_messages),
    (operations::KAKAO_SEND_PLAIN.id, kakao::send),
    (operations::KAKAO_SEND_RICH.id, kakao::send),
    (operations::KAKAO_SEND_MESSAGE.id, kakao::send),
    (operations::KAKAO_END_SESSION.id, kakao::end),
    (operations::KAKAO_END_WITH_BOT.id, kakao::end),
    (operations::KAKAO_UPLOAD_IMAGE.id, kakao::upload),
    (operations::KAKAO_UPLOAD_FILE.id, kakao::upload),
    (operations::KAKAO_UPLOAD_IMAGE_V1.id, kakao::upload),
    (operations::KAKAO_UPLOAD_FILE_V1.id, kakao::upload),
    (operations::KAKAO_BLOCK_USER.id, kakao::block),
    (operations::KAKAO_UNBLOCK_USER.id, kakao::unblock),
];

/// The handler of `operation`, if it has state.
pub(crate) fn handler(operation: &Operation) -> Option<Handler> {
    HANDLERS
        .iter()
        .find(|(id, _)| *id == operation.id)
        .map(|(_, handler)| *handler)
}

/// The request's body as the generated request type `T` (it passed the table's checks, so it
/// reads; should it not, the family's invalid-parameter refusal).
fn request<T: DeserializeOwned>(operation: &Operation, received: &Received) -> Result<T, Reply> {
    received
        .body
        .clone()
        .and_then(|body| serde_json::from_value(body).ok())
        .ok_or_else(|| refusal(operation.result_codes, CodeRole::InvalidParameter, None))
}

/// 상담방 생성: a room for the customer, unless one is in progress (-704) and the open is not
/// forced.
fn open_room(operation: &'static Operation, received: &mut Received, state: &mut State) -> Reply {
    let open: types::OpenRoomRequest = match request(operation, received) {
        Ok(open) => open,
        Err(refused) => return refused,
    };
    let uuid = open.uuid.as_str();
    let forced = open.is_room_create_force == Some(RoomCreationForce::Force);
    let in_progress = state
        .rooms
        .values()
        .any(|room| room.uuid == uuid && !room.ended);
    if in_progress && !forced {
        return Reply::code(BizResultCode::RoomInProgress);
    }
    let room_id = state.open_room(uuid);
    Reply::json(
        200,
        success(operation, received.body.as_ref(), Some(&room_id)),
    )
}

/// The open room `room_id` of customer `uuid`: -702 when there is no such room, -703 when it is
/// another customer's, -700 when it has ended. What a message and an end both need.
fn open_room_of<'a>(
    state: &'a mut State,
    uuid: &str,
    room_id: &str,
) -> Result<&'a mut Room, Reply> {
    let room = state
        .rooms
        .get_mut(room_id)
        .ok_or_else(|| Reply::code(BizResultCode::RoomNotFound))?;
    if room.uuid != uuid {
        return Err(Reply::code(BizResultCode::UuidMismatch));
    }
    if room.ended {
        return Err(Reply::code(BizResultCode::RoomEnded));
    }
    Ok(room)
}

/// 메시지 발신: into the customer's open room.
fn send_message(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let sent = request::<types::ChatMessageRequest>(operation, received)
        .and_then(|message| open_room_of(state, &message.uuid, &message.room_id).map(drop));
    match sent {
        Ok(()) => Reply::code(operation.success_code()),
        Err(refused) => refused,
    }
}

/// 상담 종료: ends the customer's open room (a second end is -700).
fn end_room(operation: &'static Operation, received: &mut Received, state: &mut State) -> Reply {
    let ended = request::<types::EndRoomRequest>(operation, received)
        .and_then(|end| open_room_of(state, &end.uuid, &end.room_id).map(|room| room.ended = true));
    match ended {
        Ok(()) => Reply::code(operation.success_code()),
        Err(refused) => refused,
    }
}

/// 이전 상담사 연결 가능 여부: what the test set for the customer (unavailable otherwise).
fn check_previous_counselor(
    operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let asked: types::PreviousCounselorRequest = match request(operation, received) {
        Ok(asked) => asked,
        Err(refused) => return refused,
    };
    let (availability, name) = state
        .previous_counselors
        .get(asked.uuid.as_str())
        .cloned()
        .unwrap_or((CounselorAvailability::Unavailable, None));
    Reply::answer(&types::PreviousCounselorResult {
        code: BizResultCode::Success,
        counselor: Some(match name {
            Some(_) => CounselorPresence::Exists,
            None => CounselorPresence::NotExists,
        }),
        counselor_code: Some(availability),
        counselor_name: Some(name.unwrap_or_default()),
        message: None,
        field: None,
    })
}

/// 시스템 메시지 조회: the active messages of the sender key, or the one asked for by id.
fn system_messages(
    _operation: &'static Operation,
    received: &mut Received,
    state: &mut State,
) -> Reply {
    let sender_key = received.sender_key.clone().unwrap_or_default();
    let Some(messages) = state.store.get(&sender_key) else {
        return Reply::code(KakaoResultCode::InvalidSenderProfile);
    };
    let found: Vec<&types::SystemMessage> = match received.id.as_deref().map(str::parse::<i64>) {
        None => messages
            .iter()
            .filter(|m| m.status == Some(SystemMessageStatus::Active))
            .collect(),
        Some(id) => match messages.iter().find(|m| Ok(m.id) == id) {
            Some(found) => vec![found],
            None => return Reply::code(KakaoResultCode::DataNotFound),
        },
    };
    Reply::answer(&types::SystemMessageResult {
        code: KakaoResultCode::Success,
        data: Some(found.into_iter().cloned().collect()),
        message: None,
    })
}
