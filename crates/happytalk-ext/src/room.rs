//! Counselling rooms (상담방): open one, end one, ask for the previous counsellor. The request
//! builders ([`OpenRoom`], [`EndRoom`]) are generated from the spec; this module turns the
//! answers into what a caller needs.

use happytalk_api::{BizResultCode, CounselorAvailability, requests::CheckPreviousCounselor};

use crate::client::{Client, room_id};
use crate::error::Error;
pub use happytalk_api::requests::{EndRoom, OpenRoom};

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

/// How [`Client::end_room`] went. Exhaustive on purpose: both outcomes mean the room is ended,
/// and a caller matching on them should be told if a third ever appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomEnding {
    /// HappyTalk ended the room on this call's request.
    Ended,
    /// An attempt failed in a way that may have reached HappyTalk (a timeout, a dropped
    /// connection), and the retry was answered -700 (EndRoom): the room is ended, most likely by
    /// that earlier attempt, possibly by someone else just before.
    AlreadyEndedOnRetry,
}

/// Whether the customer's previous counsellor can take them (이전 상담사 연결 가능 여부).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreviousCounselor {
    /// What HappyTalk answered (`counselor_code`): available, unavailable, failed, or a value
    /// it has not documented yet.
    pub availability: CounselorAvailability,
    /// The previous counsellor's name, when HappyTalk gave one.
    pub name: Option<String>,
}

impl PreviousCounselor {
    /// Whether the previous counsellor can counsel the customer now.
    pub fn is_available(&self) -> bool {
        self.availability == CounselorAvailability::Available
    }
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
        let answer = self.call(room).await?;
        Ok(OpenedRoom {
            room_id: room_id(answer.room_id),
            counselor_name: answer.counselor_name.filter(|name| !name.is_empty()),
            notice: answer.content,
        })
    }

    /// 상담 종료: ends the room of `end` (built with [`EndRoom::new`], optionally saying who
    /// ended it with `.end_type(EndType::…)`).
    ///
    /// Safe to repeat, so retried like a read. When a retry is answered -700 (EndRoom) after an
    /// attempt that may have reached HappyTalk, the room counts as ended:
    /// [`RoomEnding::AlreadyEndedOnRetry`]. A -700 on the first attempt is an [`Error::Api`]:
    /// the room had ended before this call.
    pub async fn end_room(&self, end: EndRoom) -> Result<RoomEnding, Error> {
        match self.call(end).await {
            Ok(_) => Ok(RoomEnding::Ended),
            Err(Error::Api(refused))
                if refused.earlier_attempt_arrived()
                    && *refused.code() == BizResultCode::RoomEnded =>
            {
                Ok(RoomEnding::AlreadyEndedOnRetry)
            }
            Err(error) => Err(error),
        }
    }

    /// 이전 상담사 연결 가능 여부: whether the previous counsellor of customer `uuid` (your
    /// customer id `customer_id`) can take them. Only reads; retried like a lookup.
    pub async fn check_previous_counselor(
        &self,
        uuid: &str,
        customer_id: &str,
    ) -> Result<PreviousCounselor, Error> {
        let answer = self
            .call(CheckPreviousCounselor::new(uuid, customer_id))
            .await?;
        Ok(PreviousCounselor {
            // Present: the spec requires it of a success (`x-required-on-success`).
            availability: answer
                .counselor_code
                .unwrap_or(CounselorAvailability::Failed),
            name: answer.counselor_name.filter(|name| !name.is_empty()),
        })
    }
}
