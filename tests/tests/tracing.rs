//! The spans and events a call leaves in a subscriber's hands: their names and fields, and the
//! absence of the secret, the message text, the media URL and the customer uuid from all of
//! them (every field of every span and event, at every level, from every crate).

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use happytalk_ext::{ChatMessage, Client, Environment, Error, RetryPolicy};
use happytalk_tests::{CLIENT_SECRET, client_for, credentials, fixture, server_answering};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A span as the subscriber saw it, with every field recorded on it.
#[derive(Clone, Debug)]
struct SeenSpan {
    name: String,
    fields: BTreeMap<String, String>,
    parent: Option<String>,
}

/// An event, with its fields and the span it happened in.
#[derive(Clone, Debug)]
struct SeenEvent {
    level: tracing::Level,
    fields: BTreeMap<String, String>,
    span: Option<String>,
}

#[derive(Default)]
struct Seen {
    spans: Vec<SeenSpan>,
    events: Vec<SeenEvent>,
}

impl Seen {
    fn spans(&self, name: &str) -> Vec<&SeenSpan> {
        self.spans.iter().filter(|span| span.name == name).collect()
    }

    /// The retry events (those with a wait).
    fn retries(&self) -> Vec<&SeenEvent> {
        self.events
            .iter()
            .filter(|event| event.fields.contains_key("wait_ms"))
            .collect()
    }

    /// Everything recorded, as one text to search.
    fn everything(&self) -> String {
        format!("{:?}\n{:?}", self.spans, self.events)
    }
}

/// Records every span and event it is shown.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S> tracing_subscriber::Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let span = context.span(id).expect("a new span is known");
        let parent = span.parent().map(|parent| parent.name().to_owned());
        let mut seen = self.0.lock().unwrap();
        seen.spans.push(SeenSpan {
            name: span.name().to_owned(),
            fields,
            parent,
        });
        // The span's index, to find it again when fields are recorded later.
        let index = seen.spans.len() - 1;
        span.extensions_mut().insert(index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        let span = context.span(id).expect("a recorded span is known");
        let index = *span.extensions().get::<usize>().expect("seen when created");
        let mut seen = self.0.lock().unwrap();
        values.record(&mut Fields(&mut seen.spans[index].fields));
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = context.event_span(event).map(|span| span.name().to_owned());
        self.0.lock().unwrap().events.push(SeenEvent {
            level: *event.metadata().level(),
            fields,
            span,
        });
    }
}

/// Runs `call` with a capturing subscriber as the default (this test's thread only; the
/// runtime is current-thread, so the whole call runs on it).
async fn traced<T>(call: impl Future<Output = T>) -> (T, Seen) {
    traced_up_to(LevelFilter::TRACE, call).await
}

/// [`traced`], with a subscriber that wants only what `level` lets through.
async fn traced_up_to<T>(level: LevelFilter, call: impl Future<Output = T>) -> (T, Seen) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone().with_filter(level));
    let output = {
        let _default = tracing::subscriber::set_default(subscriber);
        call.await
    };
    let seen = std::mem::take(&mut *capture.0.lock().unwrap());
    (output, seen)
}

fn field<'a>(span: &'a SeenSpan, name: &str) -> &'a str {
    span.fields
        .get(name)
        .unwrap_or_else(|| panic!("{} has no field {name}: {span:?}", span.name))
}

const UUID: &str = "cust-UUID-0001";
const TEXT: &str = "비밀 상담 내용 secret-text";
const MEDIA_URL: &str = "https://media.example/customer-photo-7.png";

/// Nothing a call may not record appears anywhere in what was recorded.
fn assert_nothing_private(seen: &Seen) {
    let everything = seen.everything();
    for private in [CLIENT_SECRET, UUID, TEXT, MEDIA_URL, "customer-photo"] {
        assert!(
            !everything.contains(private),
            "{private:?} was recorded: {everything}"
        );
    }
}

#[tokio::test]
async fn a_send_is_one_span_with_its_outcome_and_no_private_data() {
    let server = server_answering(200, &fixture("chat/success.json")).await;
    let client = client_for(&server.uri());
    let (sent, seen) = traced(async {
        let text = client
            .send_message(&ChatMessage::text(UUID, "1234567", TEXT))
            .await;
        let image = client
            .send_message(&ChatMessage::image(UUID, "1234567", MEDIA_URL))
            .await;
        (text, image)
    })
    .await;
    assert!(sent.0.is_ok() && sent.1.is_ok());

    let calls = seen.spans("happytalk.call");
    assert_eq!(calls.len(), 2, "one span per call");
    let host = server.address().to_string();
    for call in calls {
        assert_eq!(field(call, "operation"), "send_message");
        assert_eq!(field(call, "host"), host);
        assert_eq!(field(call, "http.status"), "200");
        assert_eq!(field(call, "code"), "0");
        assert_eq!(field(call, "attempts"), "1");
        field(call, "duration_ms").parse::<u64>().expect("a number");
        assert!(!call.fields.contains_key("error"));
    }
    // The HTTP exchange of happytalk-api nests in the call.
    let exchanges = seen.spans("happytalk.http");
    assert_eq!(exchanges.len(), 2);
    for exchange in exchanges {
        assert_eq!(exchange.parent.as_deref(), Some("happytalk.call"));
        assert_eq!(field(exchange, "http.request.method"), "POST");
        assert_eq!(field(exchange, "url.path"), "/v1/chat/write");
        assert_eq!(field(exchange, "http.response.status_code"), "200");
    }
    assert_nothing_private(&seen);
}

#[tokio::test]
async fn a_refusal_records_the_code_and_the_kind_of_error_but_not_its_text() {
    let server = server_answering(400, &fixture("chat/failure-901-consulting.json")).await;
    let (sent, seen) =
        traced(client_for(&server.uri()).send_message(&ChatMessage::text(UUID, "1234567", TEXT)))
            .await;
    assert!(matches!(sent, Err(Error::Api(_))));
    let call = seen.spans("happytalk.call")[0].clone();
    assert_eq!(field(&call, "code"), "-901");
    assert_eq!(field(&call, "http.status"), "400");
    assert_eq!(field(&call, "error"), "api");
    assert_nothing_private(&seen);
}

/// A server answering two 503 pages, then the docs' example lookup; and a client retrying
/// with short waits.
async fn busy_twice() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_raw("<html>busy</html>", "text/html"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("kakao/success-one.json").into_bytes(),
            "application/json",
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder(Environment::custom(&server.uri()).unwrap(), credentials())
        .retry(
            RetryPolicy::standard()
                .backoff(Duration::from_millis(1), Duration::from_millis(5))
                .max_elapsed(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    (server, client)
}

/// A lookup answered by two 503 pages and then the example: one call span with its attempts,
/// a WARN event per retry inside it, and every HTTP exchange nested in it.
#[tokio::test]
async fn a_retried_lookup_has_an_event_per_retry_and_its_attempts() {
    let (_server, client) = busy_twice().await;
    let (found, seen) = traced(client.system_message("example-senderKey", 175)).await;
    assert!(found.unwrap().is_some());

    let calls = seen.spans("happytalk.call");
    assert_eq!(calls.len(), 1);
    let call = calls[0];
    assert_eq!(field(call, "operation"), "system_messages");
    assert_eq!(field(call, "attempts"), "3");
    assert_eq!(field(call, "code"), "200");
    assert_eq!(field(call, "http.status"), "200");

    let retries = seen.retries();
    assert_eq!(retries.len(), 2, "{:?}", seen.events);
    for (number, retry) in retries.iter().enumerate() {
        assert_eq!(retry.level, tracing::Level::WARN);
        assert_eq!(retry.span.as_deref(), Some("happytalk.call"));
        assert_eq!(retry.fields["attempt"], (number + 1).to_string());
        assert_eq!(retry.fields["reason"], "HTTP 5xx with an undocumented body");
        assert_eq!(retry.fields["error"], "undecodable_response");
    }
    let exchanges = seen.spans("happytalk.http");
    let statuses: Vec<&str> = exchanges
        .iter()
        .map(|exchange| field(exchange, "http.response.status_code"))
        .collect();
    assert_eq!(statuses, ["503", "503", "200"]);
    for exchange in exchanges {
        assert_eq!(exchange.parent.as_deref(), Some("happytalk.call"));
    }
    assert_nothing_private(&seen);
}

/// A subscriber that wants only WARN and above, in a WARN span of its own: it sees its span
/// and the retry events inside it, nothing of ext's or api's spans.
#[tokio::test]
async fn a_subscriber_wanting_only_warnings_gets_the_retries_in_its_own_span_and_no_call_span() {
    let (_server, client) = busy_twice().await;
    let (found, seen) = traced_up_to(LevelFilter::WARN, async {
        let caller = tracing::warn_span!("caller");
        tracing::Instrument::instrument(client.system_message("example-senderKey", 175), caller)
            .await
    })
    .await;
    assert!(found.unwrap().is_some());
    // The INFO and DEBUG spans do not reach the subscriber (ext and api do not even build them;
    // this test sees only that they are absent), the caller's WARN span does.
    let names: Vec<&str> = seen.spans.iter().map(|span| span.name.as_str()).collect();
    assert_eq!(names, ["caller"]);
    let retries = seen.retries();
    assert_eq!(retries.len(), 2, "{:?}", seen.events);
    for retry in retries {
        assert_eq!(retry.level, tracing::Level::WARN);
        assert_eq!(retry.span.as_deref(), Some("caller"));
    }
    assert_nothing_private(&seen);
}

/// The room calls are spans of their own, like a send, and none records the customer's uuid,
/// your customer id or any parameter value.
#[tokio::test]
async fn room_calls_are_spans_without_the_customer_or_their_values() {
    const CUSTOMER_ID: &str = "member-PRIVATE-42";
    const PARAMETER: &str = "private-param-7";
    let open = server_answering(200, &fixture("room/open-success.json")).await;
    let end = server_answering(200, &fixture("room/end-success.json")).await;
    let previous = server_answering(200, &fixture("room/counselor-exist.json")).await;
    let (outcome, seen) = traced(async {
        let opened = client_for(&open.uri())
            .open_room(
                happytalk_ext::OpenRoom::new(UUID)
                    .site_uid(CUSTOMER_ID)
                    .parameter(3, PARAMETER),
            )
            .await;
        let ended = client_for(&end.uri())
            .end_room(happytalk_ext::EndRoom::new(UUID, "1234567"))
            .await;
        let previous = client_for(&previous.uri())
            .check_previous_counselor(UUID, CUSTOMER_ID)
            .await;
        (opened.is_ok(), ended.is_ok(), previous.is_ok())
    })
    .await;
    assert_eq!(outcome, (true, true, true));
    // One span per call, each naming its operation.
    let calls = seen.spans("happytalk.call");
    let operations: Vec<&str> = calls.iter().map(|call| field(call, "operation")).collect();
    assert_eq!(
        operations,
        ["open_room", "end_room", "check_previous_counselor"]
    );
    for call in calls {
        assert_eq!(field(call, "code"), "0");
        assert_eq!(field(call, "attempts"), "1");
    }
    assert_nothing_private(&seen);
    let everything = seen.everything();
    for private in [CUSTOMER_ID, PARAMETER] {
        assert!(!everything.contains(private), "{private:?} was recorded");
    }
}
