//! The one call path every operation goes through, read top-down: check the request, send it
//! to the host of its family, judge the answer, retry what the operation's retry class allows,
//! and trace the call from start to end.
//!
//! Every operation of the spec gets here the same way: `cargo xtask generate` implements
//! [`Request`] for the request builder of each one ([`happytalk_api::requests`]), which names
//! its table entry (host family, retry class, result codes), its answer type and the generated
//! method that sends it. The typed facades of this crate ([`Client::send_message`],
//! [`Client::end_room`], …) are thin wrappers over [`Client::call`].

use std::time::{Duration, Instant};

use happytalk_api::{Answer, Operation, Request, RequestVisitor, ResponseValue, UndecodableBody};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{ApiError, Error, TransportError, UndecodableResponse, why_undecodable};
use crate::retry;
use crate::telemetry::Trace;

impl Client {
    /// Runs any operation of the spec: `request` is its builder from
    /// [`requests`](happytalk_api::requests), and the answer is the generated answer type of a
    /// success.
    ///
    /// Everything a typed facade gets: the request is checked against the spec before anything
    /// is sent ([`Error::Validation`]); it goes to the host of the operation's family; it is
    /// retried as the spec's `x-retry` allows (see the [`retry`](crate::retry) module); a
    /// failure code becomes [`Error::Api`] with the operation's result-code table, whatever
    /// HTTP status carried it; a success that lacks a field the spec requires of one
    /// (`x-required-on-success`) is an [`Error::UndecodableResponse`]; and, with the `tracing`
    /// feature, the call is one `happytalk.call` span that names the operation and never
    /// carries personal data.
    ///
    /// ```no_run
    /// # async fn f(client: &happytalk_ext::Client) -> Result<(), happytalk_ext::Error> {
    /// use happytalk_ext::requests::EndRoom;
    ///
    /// let answer = client.call(EndRoom::new("cust-0001", "1234567")).await?;
    /// println!("{:?}", answer.code);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call<R: Request>(&self, request: R) -> Result<R::Answer, Error> {
        let checked = request.check()?;
        self.call_checked::<R>(&checked).await
    }

    /// [`call`](Self::call) with a request already checked (what `R::check` gave): a request
    /// built once and sent from where it is kept, without a copy.
    pub async fn call_checked<R: Request>(&self, checked: &R::Checked) -> Result<R::Answer, Error> {
        let operation = R::OPERATION;
        let api = self.api();
        let trace = Trace::start(operation, self.host(operation));
        let started = Instant::now();
        let mut attempts = 0;
        // Whether an attempt before the last may have reached HappyTalk (a refusal on a retry
        // then may be the answer to what that attempt did).
        let mut arrived = false;
        let cap = self.retry_policy().cap();
        let deadline = tokio::time::Instant::from_std(started) + cap;
        let attempts_made = async {
            let mut waits = self.retry_policy().waits();
            loop {
                attempts += 1;
                let sent = R::send(checked, api);
                // The policy's cap on the whole call, attempts and waits included. A first
                // attempt that the HTTP client's own timeout ends within the cap (the default
                // settings) needs no timer of its own.
                let result = if attempts == 1 && self.attempt_within_cap() {
                    sent.await
                } else {
                    match tokio::time::timeout_at(deadline, sent).await {
                        Ok(result) => result,
                        Err(_) => return Err(TransportError::out_of_time(cap).into()),
                    }
                };
                let failed = match judge(operation, result).await {
                    Ok(answered) => return Ok(answered),
                    Err(failed) => failed,
                };
                let Some((wait, reason)) = self.retry_policy().wait_before_retry(
                    failed.retry,
                    failed.retry_after,
                    started,
                    &mut waits,
                ) else {
                    return Err(failed.error);
                };
                trace.retrying(attempts, wait, reason, &failed.error);
                tokio::time::sleep(wait).await;
                arrived |= failed.may_have_arrived();
            }
        };
        let outcome = trace.instrument(attempts_made).await;
        let outcome = outcome.map_err(|error| error.with_attempts(attempts, arrived));
        trace.finish(&outcome, attempts);
        outcome.map(|(answer, _)| answer)
    }

    /// Runs the operation `operation_id` with `fields` (its body, query and path fields alike,
    /// by their names on the wire), and gives HappyTalk's answer of a success as JSON: what a
    /// command line or a script uses when the operation is known only by its id.
    ///
    /// The same call as [`call`](Self::call): every field is checked against the spec before
    /// anything is sent (an unknown operation or field, a value out of its limits, a required
    /// field left out: [`Error::Validation`]), then sent, retried, judged and traced alike.
    pub async fn call_fields(
        &self,
        operation_id: &str,
        fields: &Map<String, Value>,
    ) -> Result<Value, Error> {
        let visit = ByFields {
            client: self,
            fields,
        };
        match happytalk_api::visit_request(operation_id, visit) {
            Ok(call) => call.await,
            Err(_) => Err(happytalk_api::ValidationError::value(
                "operation",
                happytalk_api::Rule::OneOf(OPERATION_IDS),
                operation_id,
            )
            .into()),
        }
    }
}

/// What an unknown operation id should have been, as its refusal says it.
const OPERATION_IDS: &str = "the spec's operation ids (happytalk_api::OPERATIONS)";

/// [`Client::call_fields`]'s visit of the operation's request type.
struct ByFields<'a> {
    client: &'a Client,
    fields: &'a Map<String, Value>,
}

impl<'a> RequestVisitor for ByFields<'a> {
    type Output = std::pin::Pin<Box<dyn Future<Output = Result<Value, Error>> + Send + 'a>>;

    fn visit<R: Request>(self) -> Self::Output {
        let request = R::from_fields(self.fields);
        Box::pin(async move {
            let answer = self.client.call(request).await?;
            serde_json::to_value(&answer).map_err(|error| {
                TransportError::request(format!("the answer cannot be shown as JSON: {error}"))
                    .into()
            })
        })
    }
}

/// A failed attempt: its error, why it may be retried (if it may), and how long the server
/// asked to wait.
pub(crate) struct FailedAttempt {
    pub(crate) error: Error,
    pub(crate) retry: Option<&'static str>,
    pub(crate) retry_after: Option<Duration>,
}

impl FailedAttempt {
    /// A failure no retry changes (a refusal, a success missing a field).
    fn for_good(error: impl Into<Error>) -> Self {
        Self {
            error: error.into(),
            retry: None,
            retry_after: None,
        }
    }

    /// Whether the attempt may have reached HappyTalk: all but a connection never made.
    fn may_have_arrived(&self) -> bool {
        !matches!(&self.error, Error::Transport(transport)
            if transport.kind() == crate::TransportErrorKind::Connect)
    }
}

/// One attempt's result, judged: a success with its status; a refusal ([`Error::Api`], never
/// retried: no result code is documented as temporary); or what went wrong before a documented
/// answer arrived, with whether the operation's retry class lets it be retried.
async fn judge<T: Answer + DeserializeOwned + serde::Serialize>(
    operation: &'static Operation,
    result: Result<ResponseValue<T>, happytalk_api::Error<T>>,
) -> Result<(T, StatusCode), FailedAttempt> {
    // A documented answer, whatever status carried it: its code decides.
    let (answer, status) = match result {
        Ok(value) | Err(happytalk_api::Error::ErrorResponse(value)) => {
            let status = value.status();
            (value.into_inner(), status)
        }
        Err(error) => {
            let (error, retry_after) = unanswered::<T>(error).await;
            let retry = retry::reason(&error, operation.retry);
            return Err(FailedAttempt {
                error,
                retry,
                retry_after,
            });
        }
    };
    if !answer.is_success() {
        return Err(FailedAttempt::for_good(ApiError::new(
            operation, &answer, status,
        )));
    }
    if let Some(field) = answer.missing_on_success() {
        let reason = format!("a success without `{field}`, which the API requires of one");
        return Err(FailedAttempt::for_good(UndecodableResponse::decoded(
            status, reason, &answer,
        )));
    }
    Ok((answer, status))
}

/// What a generated call that brought no documented answer comes to, and the `Retry-After` the
/// server sent with it. Reads what it needs of an undocumented answer's body.
async fn unanswered<T: DeserializeOwned>(
    error: happytalk_api::Error<T>,
) -> (Error, Option<Duration>) {
    use happytalk_api::Error as Generated;
    match error {
        // A body that is not `T`, or a status the operation does not document: the response
        // itself, status, headers and body (see happytalk-api's `decode`).
        Generated::UnexpectedResponse(response) => {
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(retry::parse_retry_after);
            let undecodable = response.extensions().get::<UndecodableBody>().is_some();
            let body = body_start(response).await;
            let reason = match serde_json::from_slice::<T>(&body) {
                Err(error) if undecodable => why_undecodable::<T>(&body, &error),
                _ => "the API documents no answer with this status".to_owned(),
            };
            (
                UndecodableResponse::new(Some(status), reason, &body).into(),
                retry_after,
            )
        }
        Generated::InvalidResponsePayload(body, error) => (
            UndecodableResponse::new(None, why_undecodable::<T>(&body, &error), &body).into(),
            None,
        ),
        Generated::CommunicationError(error)
        | Generated::ResponseBodyError(error)
        | Generated::InvalidUpgrade(error) => (TransportError::from(error).into(), None),
        Generated::InvalidRequest(message) | Generated::Custom(message) => {
            (TransportError::request(message).into(), None)
        }
        // Documented answers are judged by their code (see `judge`).
        Generated::ErrorResponse(_) => (
            TransportError::request(
                "a documented answer was taken for a failure (a bug of happytalk-ext)".to_owned(),
            )
            .into(),
            None,
        ),
    }
}

/// The first 64 KiB of a body: the whole of any answer HappyTalk documents, without reading a
/// large error page whole. A failure to read further changes nothing: only a snippet is kept.
async fn body_start(mut response: reqwest::Response) -> Vec<u8> {
    const ENOUGH: usize = 64 * 1024;
    let mut body = Vec::new();
    while body.len() < ENOUGH {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body
}
