//! Counselling rooms (상담방): open one. The request builder ([`OpenRoom`]) is generated from
//! the spec; this module turns the answer into what a caller needs.

use happytalk_api::{operations, types};

use crate::client::Client;
use crate::error::{Error, UndecodableResponse};
use crate::telemetry::call_span;
pub use happytalk_api::requests::OpenRoom;

/// A room HappyTalk opened (상담방 생성).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenedRoom {
    /// 상담방 번호: the new room.
    pub room_id: String,
    /// The counsellor assigned (상담사 이름), if HappyTalk named one.
    pub counselor_name: Option<String>,
    /// The counselling-start message the customer was shown (상담 시작 메시지), if any.
    pub notice: Option<String>,
}

impl Client {
    /// 상담방 생성: opens a room for the customer of `room` (built with [`OpenRoom::new`] and
    /// any optional field), refused before the wire if a value breaks the spec.
    ///
    /// Never sent twice once a byte has left: retried only when no connection could be made
    /// (a duplicate would open a second room). A -90x refusal is [`Error::Api`] with the notice
    /// the customer was shown (`counselling_unavailable()`); -704 means the customer's room is
    /// in progress (open it with `.is_room_create_force(true)` to open one anyway).
    pub async fn open_room(&self, room: OpenRoom) -> Result<OpenedRoom, Error> {
        let body = room.build()?;
        let operation = &operations::OPEN_ROOM;
        let trace = call_span!(operation, self.host(operation), "happytalk.open_room");
        let read = |answer: types::OpenRoomResult, status| {
            let room_id = match answer.room_id.clone() {
                Some(types::ResultRoomId::String(room_id)) if !room_id.is_empty() => room_id,
                _ => {
                    return Err(UndecodableResponse::decoded(
                        status,
                        "a room opened without its room_id",
                        &answer,
                    )
                    .into());
                }
            };
            let counselor_name = answer.counselor_name.filter(|name| !name.is_empty());
            Ok(OpenedRoom {
                room_id,
                counselor_name,
                notice: answer.content,
            })
        };
        self.call(operation, trace, |api| api.open_room(&body), read)
            .await
    }
}
