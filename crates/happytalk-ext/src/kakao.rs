//! KakaoTalk counselling (카카오 상담톡): answering a customer who wrote to your KakaoTalk
//! channel. The conversation is keyed by the channel's sender profile (`sender_key`) and the
//! customer (`user_key`, as the `/message` callback names them): a [`KakaoCustomer`].
//!
//! - [`Client::kakao_send`] sends a [`KakaoMessage`]: a text, an image or a file (uploaded
//!   first, then sent by the URL, name and size the upload answers), as one call, under a
//!   serial number that is yours to give or fresh.
//! - [`Client::kakao_end`] ends the session (optionally handing the customer to a bot event).
//! - Everything else (rich messages, block and unblock, the receive domain, the v1 calls) is a
//!   generated request builder of [`requests`](crate::requests) run by
//!   [`Client::call`](crate::Client::call).
//!
//! Sends go through the v1 send (`POST /v1/chat/write` on the Kakao host), whose fields
//! (`image_url`, `file_url`, `file_name`, `file_size`) and answer are documented in full; the v3
//! plain send's attachment schema and answer could not be seen (see the spec). Uploads go
//! through the v3 uploads, whose pages are complete.
//!
//! The failures a caller meets most, each a [`CounselResultCode`] of [`Error::Api`]:
//! -502 [`SessionOver`](CounselResultCode::SessionOver) (the customer has not written, or the
//! session ended: wait for them to write), -504
//! [`DuplicateSerialNumber`](CounselResultCode::DuplicateSerialNumber) (a serial number used
//! twice: the message was not sent again) and -511
//! [`BlockedUser`](CounselResultCode::BlockedUser) (unblock the customer first).

use std::sync::atomic::{AtomicU32, Ordering};

use happytalk_api::requests::{
    KakaoEndSession, KakaoEndWithBot, KakaoSendMessage, KakaoUploadFile, KakaoUploadImage,
};
use happytalk_api::{CounselResultCode, FileContent, KakaoFileType, KakaoMessageType, types};

use crate::client::Client;
use crate::error::Error;

/// A customer of a KakaoTalk channel: the channel's sender profile key (`sender_key`, 발신
///프로필 키) and the customer's key for that channel (`user_key`, 사용자 키), as the `/message`
/// callback gives them. Their lengths are checked when a request is built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KakaoCustomer {
    sender_key: String,
    user_key: String,
}

impl KakaoCustomer {
    /// The customer `user_key` of the channel `sender_key`.
    pub fn new(sender_key: impl Into<String>, user_key: impl Into<String>) -> Self {
        Self {
            sender_key: sender_key.into(),
            user_key: user_key.into(),
        }
    }

    /// The channel's sender profile key.
    pub fn sender_key(&self) -> &str {
        &self.sender_key
    }

    /// The customer's key.
    pub fn user_key(&self) -> &str {
        &self.user_key
    }
}

/// What to send a KakaoTalk customer: a text, an image or a file, under your serial number or
/// a fresh one.
#[derive(Clone, Debug)]
#[must_use = "a message is sent by Client::kakao_send"]
pub struct KakaoMessage {
    content: Content,
    serial_number: Option<String>,
}

#[derive(Clone, Debug)]
enum Content {
    Text(String),
    Image(FileContent),
    File(FileContent),
}

impl KakaoMessage {
    /// A text (at most 1,000 characters; checked before anything is sent).
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(Content::Text(text.into()))
    }

    /// An image (jpg, png or gif, at most 5 MB; the size is checked before the upload): it is
    /// uploaded, then sent.
    pub fn image(image: FileContent) -> Self {
        Self::new(Content::Image(image))
    }

    /// A file (a PDF, an archive…): it is uploaded, then sent by its URL, name and size.
    pub fn file(file: FileContent) -> Self {
        Self::new(Content::File(file))
    }

    fn new(content: Content) -> Self {
        Self {
            content,
            serial_number: None,
        }
    }

    /// Sends it as `serial_number` (at most 30 characters, unique per channel: HappyTalk refuses
    /// a repeat with -504). Without one, a fresh serial number is made for it.
    pub fn serial_number(mut self, serial_number: impl Into<String>) -> Self {
        self.serial_number = Some(serial_number.into());
        self
    }
}

/// A message HappyTalk accepted for a KakaoTalk customer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KakaoSent {
    /// The serial number it was sent as: yours, or the fresh one made for it.
    pub serial_number: String,
    /// Where the upload stored the image or the file, for a medium.
    pub media_url: Option<String>,
    /// When HappyTalk says it was sent (`createdAt`, as written: no zone), if it says.
    pub created_at: Option<String>,
}

/// How a KakaoTalk session's end went.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KakaoSessionEnding {
    /// This call ended it; the session's id, when HappyTalk names it.
    Ended {
        /// The id of the session that was closed.
        session_id: Option<String>,
    },
    /// A retry was answered -502 (no session) after an earlier attempt that may have arrived:
    /// that attempt ended it.
    AlreadyEndedOnRetry,
}

impl Client {
    /// Sends `message` to `customer`: a text directly; an image or a file uploaded first (a
    /// retried upload is harmless), then sent by the URL the upload answered.
    ///
    /// Every value is checked before anything is sent ([`Error::Validation`]). The send itself
    /// is never repeated once a byte may have left (the customer would read it twice); a
    /// refusal is [`Error::Api`] with a [`CounselResultCode`], such as -502 (no open session),
    /// -504 (the serial number was used) or -511 (the customer is blocked).
    pub async fn kakao_send(
        &self,
        customer: &KakaoCustomer,
        message: KakaoMessage,
    ) -> Result<KakaoSent, Error> {
        let serial_number = message.serial_number.unwrap_or_else(fresh_serial_number);
        let kind = match &message.content {
            Content::Text(_) => KakaoMessageType::Text,
            Content::Image(_) => KakaoMessageType::Image,
            Content::File(_) => KakaoMessageType::File,
        };
        let send = KakaoSendMessage::new(
            &customer.user_key,
            &customer.sender_key,
            &serial_number,
            kind,
        );
        // The send's own values are checked before the upload: nothing leaves for a message
        // that could not be sent.
        if let Some(refused) = send.refused() {
            return Err(refused.clone().into());
        }
        // Present in every success: the generic call refuses one without it (the spec's
        // `x-required-on-success`).
        let stored = |url: Option<String>| url.unwrap_or_default();
        let (send, media_url) = match message.content {
            Content::Text(text) => (send.message(text), None),
            Content::Image(image) => {
                let upload = KakaoUploadImage::new(&customer.sender_key, image).build()?;
                let answer = self.call_checked::<KakaoUploadImage>(&upload).await?;
                let url = stored(answer.image);
                (send.image_url(&url), Some(url))
            }
            Content::File(file) => {
                let upload = KakaoUploadFile::new(&customer.sender_key, file)
                    .file_type(KakaoFileType::File)
                    .build()?;
                let answer = self.call_checked::<KakaoUploadFile>(&upload).await?;
                let url = stored(answer.file);
                let size = match answer.size {
                    Some(types::KakaoFileUploadResultSize::Int64(size)) => Some(size),
                    Some(types::KakaoFileUploadResultSize::String(size)) => {
                        size.trim().parse().ok()
                    }
                    None => None,
                };
                // The size the upload answered; should it not say, the size sent.
                let send = send
                    .file_url(&url)
                    .file_name(answer.name.unwrap_or_default())
                    .file_size(size.unwrap_or_else(|| upload.file.len() as i64));
                (send, Some(url))
            }
        };
        let answer = self.call(send).await?;
        Ok(KakaoSent {
            serial_number,
            media_url,
            created_at: answer.created_at,
        })
    }

    /// Ends `customer`'s counselling session; with `bot_event`, hands them to that bot event
    /// (종료 후 봇 이벤트 실행) instead of a plain end (상담방 종료).
    ///
    /// Safe to repeat, so retried like a read. A -502 (no session) answered to a retry, after
    /// an attempt that may have arrived, is [`KakaoSessionEnding::AlreadyEndedOnRetry`]; a -502
    /// to the first attempt is [`Error::Api`]: there was no session to end.
    pub async fn kakao_end(
        &self,
        customer: &KakaoCustomer,
        bot_event: Option<&str>,
    ) -> Result<KakaoSessionEnding, Error> {
        let (user_key, sender_key) = (&customer.user_key, &customer.sender_key);
        let ended = match bot_event {
            None => self
                .call(KakaoEndSession::new(user_key, sender_key))
                .await
                .map(|answer| answer.session_id),
            Some(event) => self
                .call(KakaoEndWithBot::new(user_key, sender_key).bot_event(event))
                .await
                .map(|answer| answer.session_id),
        };
        match ended {
            Ok(session_id) => Ok(KakaoSessionEnding::Ended { session_id }),
            Err(Error::Api(refused))
                if refused.earlier_attempt_arrived()
                    && *refused.code() == CounselResultCode::SessionOver =>
            {
                Ok(KakaoSessionEnding::AlreadyEndedOnRetry)
            }
            Err(error) => Err(error),
        }
    }
}

/// A serial number no other message of this process has, and, by its random part, almost
/// surely none of another process: `ht` + the time in milliseconds + a count + a random number,
/// in hexadecimal (at most 28 characters, within the 30 allowed).
pub fn fresh_serial_number() -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default();
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    format!(
        "ht{millis:x}{:04x}{:08x}",
        count & 0xffff,
        fastrand::u32(..)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_serial_numbers_differ_and_fit() {
        let serials: std::collections::BTreeSet<String> =
            (0..1000).map(|_| fresh_serial_number()).collect();
        assert_eq!(serials.len(), 1000);
        let longest = serials.iter().map(String::len).max().unwrap();
        assert!(
            longest <= types::KakaoMessageRequestSerialNumber::MAX_LENGTH,
            "{longest}"
        );
    }
}
