//! The client side: reqwest requests that carry the current context, and the callee's
//! `traceresponse` read back.

use super::http_span::{HttpSpan, Value};
use crate::context::Context;
use crate::propagation::traceresponse::TraceResponse;
use reqwest::{RequestBuilder, Response};
use std::future::Future;

/// Puts the current W3C context on a reqwest request.
///
/// ```no_run
/// use tracefault::integrations::ReqwestExt;
///
/// #[tracefault::trace]
/// async fn fetch_stock(client: &reqwest::Client) -> Result<String, reqwest::Error> {
///     // traceparent: this function's span is the callee's parent.
///     let request = client.get("http://127.0.0.1:8080/stock").with_trace_context();
///     request.send().await?.text().await
/// }
/// ```
pub trait ReqwestExt: sealed::Sealed {
    /// Adds `traceparent`, `tracestate` and `baggage` for the context current now (see
    /// [`crate::inject`]), replacing any the request already had. Call it where the request
    /// is built, inside the instrumented function that makes the call: the context is read
    /// here, not when the request is sent.
    fn with_trace_context(self) -> RequestBuilder;

    /// Sends the request as a client span of its own: a child of the current context, whose
    /// ids go out in `traceparent` (so the callee's server span is its child) and which ends
    /// when the response headers arrive. With feature `otel` the span is exported, with
    /// `http.request.method`, `url.full`, `server.address`, `server.port` and
    /// `http.response.status_code`; a 4xx or 5xx answer or a failed request sets its status
    /// to `Error`. Call it inside the instrumented function that makes the call.
    fn send_traced(self) -> impl Future<Output = Result<Response, reqwest::Error>> + Send;
}

impl ReqwestExt for RequestBuilder {
    fn with_trace_context(self) -> RequestBuilder {
        let mut headers = http::HeaderMap::new();
        crate::inject(&mut headers);
        // `headers` replaces the values of the names it has and keeps the others.
        self.headers(headers)
    }

    fn send_traced(self) -> impl Future<Output = Result<Response, reqwest::Error>> + Send {
        let context = Context::child_of_current().into_client();
        let (client, request) = self.build_split();
        async move {
            let mut request = request?;
            crate::propagation::inject_context(&context, request.headers_mut());
            let url = request.url();
            let mut span = HttpSpan::open(&context, request.method(), || {
                let mut attributes = vec![("url.full", Value::Text(url.to_string()))];
                if let Some(host) = url.host_str() {
                    attributes.push(("server.address", Value::Text(host.to_owned())));
                }
                if let Some(port) = url.port_or_known_default() {
                    attributes.push(("server.port", Value::Number(i64::from(port))));
                }
                attributes
            });
            let result = client.execute(request).await;
            match &result {
                Ok(response) => {
                    let status = response.status();
                    span.answered(status, status.is_client_error() || status.is_server_error());
                }
                Err(error) => span.failed(|| error.to_string()),
            }
            result
        }
    }
}

/// The callee's span, from its `traceresponse` header: `None` unless the response has exactly
/// one valid one (servers send it only when they opt in).
pub fn traceresponse(response: &reqwest::Response) -> Option<TraceResponse> {
    TraceResponse::extract(response.headers())
}

mod sealed {
    /// Only reqwest's builder: a blanket extension trait could clash with a user's own.
    pub trait Sealed {}
    impl Sealed for reqwest::RequestBuilder {}
}
