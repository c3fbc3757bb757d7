//! How every generated operation reads a body: [`decode`], in place of progenitor's
//! `ResponseValue::from_response` (`cargo xtask generate` rewrites those calls).
//!
//! progenitor's own reading turns a body that does not decode into
//! `Error::InvalidResponsePayload`, which keeps the body but not the status or the headers; a
//! caller deciding whether to retry (a proxy's 503 page) or reporting the answer needs them.
//! Here such a body comes back as `Error::UnexpectedResponse`, a response rebuilt from the
//! status, the headers and the bytes already read: everything that arrived travels in the
//! error value itself.

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The mark of a response a generated operation gave back because its body is not the
/// documented answer (its status was documented): found in the `extensions()` of the response
/// of an `Error::UnexpectedResponse`, it tells such a body from an undocumented status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UndecodableBody;

/// The body of `response` decoded as `T`, with its status and headers; or, when it is not
/// a `T`, the whole response (status, headers, body) as `Error::UnexpectedResponse`, marked
/// [`UndecodableBody`].
pub(crate) async fn decode<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(_) => {
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            rebuilt.extensions_mut().insert(UndecodableBody);
            Err(Error::UnexpectedResponse(reqwest::Response::from(rebuilt)))
        }
    }
}

#[cfg(test)]
mod tests {
    //! [`decode`] on hand-made responses: no network.

    use std::task::{Context, Poll, Waker};

    use super::*;

    type Answer = serde_json::Map<String, serde_json::Value>;

    fn response(status: u16, body: &str) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder()
                .status(status)
                .header("retry-after", "7")
                .body(body.as_bytes().to_vec())
                .expect("a response"),
        )
    }

    /// Polls `future` to its end; the hand-made bodies are ready at once.
    fn run<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("ready at once"),
        }
    }

    #[test]
    fn a_body_that_decodes_keeps_its_status_and_headers() {
        let value = run(decode::<Answer, ()>(response(503, r#"{"code":"200"}"#))).unwrap();
        assert_eq!(value.status().as_u16(), 503);
        assert_eq!(value.headers()["retry-after"], "7");
        assert_eq!(value.into_inner()["code"], "200");
    }

    #[test]
    fn a_body_that_does_not_decode_comes_back_whole_with_its_status_and_headers() {
        let result = run(decode::<Answer, ()>(response(
            502,
            "<html>bad gateway</html>",
        )));
        let Err(Error::UnexpectedResponse(response)) = result else {
            panic!("an unexpected response");
        };
        assert_eq!(response.status().as_u16(), 502);
        assert_eq!(response.headers()["retry-after"], "7");
        assert!(response.extensions().get::<UndecodableBody>().is_some());
        let body = run(response.bytes()).unwrap();
        assert_eq!(&body[..], b"<html>bad gateway</html>");
    }
}
