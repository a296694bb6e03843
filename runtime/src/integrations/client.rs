//! The client side: reqwest requests that carry the current context, and the callee's
//! `traceresponse` read back.

use crate::propagation::traceresponse::TraceResponse;
use reqwest::RequestBuilder;

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
}

impl ReqwestExt for RequestBuilder {
    fn with_trace_context(self) -> RequestBuilder {
        let mut headers = http::HeaderMap::new();
        crate::inject(&mut headers);
        // `headers` replaces the values of the names it has and keeps the others.
        self.headers(headers)
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
