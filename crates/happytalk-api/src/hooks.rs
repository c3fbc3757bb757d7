//! What every family's generated client does around each request (its `ClientHooks`, which
//! `generated.rs` implements with these): the headers of its [`ClientState`] set on the request,
//! and the exchange itself, traced with the `tracing` feature.

use progenitor_client::OperationInfo;

use crate::ClientState;

/// Sets the headers of `state` on `request`, replacing any of the same name.
pub(crate) fn pre(state: &ClientState, request: &mut reqwest::Request, _info: &OperationInfo) {
    let headers = request.headers_mut();
    for (name, value) in state.headers() {
        headers.insert(name.clone(), value.clone());
    }
}

/// One HTTP exchange; with the `tracing` feature, in a `happytalk.http` span.
pub(crate) async fn exec(
    client: &reqwest::Client,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    // A span no subscriber wants is not even built, let alone entered or recorded into.
    #[cfg(feature = "tracing")]
    let span = tracing::level_enabled!(tracing::Level::DEBUG)
        .then(|| {
            tracing::debug_span!(
                "happytalk.http",
                operation = info.operation_id,
                http.request.method = %request.method(),
                server.address = request.url().host_str().unwrap_or_default(),
                url.path = request.url().path(),
                http.response.status_code = tracing::field::Empty,
            )
        })
        .filter(|span| !span.is_disabled());
    #[cfg(not(feature = "tracing"))]
    let _ = info;
    let sent = client.execute(request);
    #[cfg(feature = "tracing")]
    let result = match &span {
        Some(span) => tracing::Instrument::instrument(sent, span.clone()).await,
        None => sent.await,
    };
    #[cfg(not(feature = "tracing"))]
    let result = sent.await;
    #[cfg(feature = "tracing")]
    if let (Ok(response), Some(span)) = (&result, &span) {
        span.record("http.response.status_code", response.status().as_u16());
    }
    result
}
