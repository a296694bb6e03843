//! The client side: reqwest requests that carry the current context, and the callee's
//! `traceresponse` read back.
//!
//! For reqwest 0.13 (feature `reqwest`) and 0.12 (feature `reqwest-0-12`), both over `http`
//! 1: the traits are one, implemented for each version's types by `for_reqwest!`, so that
//! the code is written once and a service may even use both versions.

use super::http_span::{HttpSpan, Value};
use crate::context::Context;
use crate::propagation::traceresponse::TraceResponse;
use crate::remote::RemoteError;
use std::future::Future;

/// Puts the current W3C context on a reqwest request: implemented for reqwest 0.13's
/// `RequestBuilder` (feature `reqwest`) and 0.12's (feature `reqwest-0-12`).
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
pub trait ReqwestExt: Sized {
    /// The version's `Response`.
    type Response;
    /// The version's `Error`.
    type Error;

    /// Adds `traceparent`, `tracestate` and `baggage` for the context current now (see
    /// [`crate::inject`]), replacing any the request already had. Call it where the request
    /// is built, inside the instrumented function that makes the call: the context is read
    /// here, not when the request is sent.
    fn with_trace_context(self) -> Self;

    /// Sends the request as a client span of its own: a child of the current context, whose
    /// ids go out in `traceparent` (so the callee's server span is its child) and which ends
    /// when the response headers arrive. With feature `otel` the span is exported, with
    /// `http.request.method`, `url.full`, `server.address`, `server.port` and
    /// `http.response.status_code`; a 4xx or 5xx answer or a failed request sets its status
    /// to `Error`. Call it inside the instrumented function that makes the call.
    fn send_traced(self) -> impl Future<Output = Result<Self::Response, Self::Error>> + Send;
}

/// The method of the request an answer answers, kept by `send_traced` for
/// [`ResponseExt::error_for_problem`]: reqwest's response does not say.
#[derive(Clone, Debug)]
struct SentMethod(http::Method);

/// Reading a failed answer as the callee's error.
pub trait ResponseExt: Sized {
    /// The response when it succeeded; else a [`RemoteError`]: the service that answered
    /// (as its Problem Details name it, else the URL's host), the status, its server span
    /// (from `traceresponse`, or the body), the request, and the callee's error chain from its
    /// Problem Details, each cause with its type and where it ran. Any other body gives its
    /// text, cut short; at most [`MAX_BODY`](crate::remote::MAX_BODY) bytes are read, however
    /// large the answer.
    ///
    /// ```no_run
    /// use tracefault::integrations::{ReqwestExt, ResponseExt};
    ///
    /// #[tracefault::trace]
    /// async fn reserve(client: &reqwest::Client) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    ///     let response = client.post("http://127.0.0.1:7003/reservations/42").send_traced().await?;
    ///     Ok(response.error_for_problem().await?.text().await?)
    /// }
    /// ```
    fn error_for_problem(self) -> impl Future<Output = Result<Self, RemoteError>> + Send;
}

// Implemented for every type that is a request builder or a response of a version a feature
// enables, rather than for each: on the types of another version (reqwest 0.12 with only the
// `reqwest` feature), the method is then found and its bound fails, and rustc says which
// versions are supported (the `on_unimplemented` of the sealed traits) instead of "no method
// named `send_traced` found".
impl<B: sealed::RequestBuilder> ReqwestExt for B {
    type Response = B::Response;
    type Error = B::Error;

    fn with_trace_context(self) -> Self {
        sealed::RequestBuilder::with_trace_context(self)
    }

    fn send_traced(self) -> impl Future<Output = Result<B::Response, B::Error>> + Send {
        sealed::RequestBuilder::send_traced(self)
    }
}

impl<R: sealed::Response> ResponseExt for R {
    fn error_for_problem(self) -> impl Future<Output = Result<Self, RemoteError>> + Send {
        sealed::Response::error_for_problem(self)
    }
}

/// The impls for one version of reqwest, named by the path of its crate: 0.12 and 0.13 have the
/// same API for everything used here.
macro_rules! for_reqwest {
    ($reqwest:ident) => {
        impl sealed::RequestBuilder for $reqwest::RequestBuilder {
            type Response = $reqwest::Response;
            type Error = $reqwest::Error;

            fn with_trace_context(self) -> Self {
                let mut headers = http::HeaderMap::new();
                crate::inject(&mut headers);
                // `headers` replaces the values of the names it has and keeps the others.
                self.headers(headers)
            }

            fn send_traced(
                self,
            ) -> impl Future<Output = Result<$reqwest::Response, $reqwest::Error>> + Send {
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
                    let method = SentMethod(request.method().clone());
                    let mut result = client.execute(request).await;
                    match &mut result {
                        Ok(response) => {
                            let status = response.status();
                            span.answered(
                                status,
                                status.is_client_error() || status.is_server_error(),
                            );
                            response.extensions_mut().insert(method);
                        }
                        Err(error) => span.failed(|| error.to_string()),
                    }
                    result
                }
            }
        }

        impl sealed::Response for $reqwest::Response {
            fn headers(&self) -> &http::HeaderMap {
                self.headers()
            }

            async fn error_for_problem(self) -> Result<Self, RemoteError> {
                {
                    if !(self.status().is_client_error() || self.status().is_server_error()) {
                        return Ok(self);
                    }
                    let status = self.status().as_u16();
                    let url = self.url().clone();
                    let service = match (url.host_str(), url.port()) {
                        (Some(host), Some(port)) => format!("{host}:{port}"),
                        (Some(host), None) => host.to_owned(),
                        (None, _) => url.to_string(),
                    };
                    let content_type = self
                        .headers()
                        .get(http::header::CONTENT_TYPE)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned);
                    let span = traceresponse(&self).map(|callee| callee.child_id);
                    let method = self
                        .extensions()
                        .get::<SentMethod>()
                        .map(|sent| sent.0.to_string());
                    let body = read_at_most(self, crate::remote::MAX_BODY).await;
                    let mut error =
                        RemoteError::from_answer(&service, status, content_type.as_deref(), &body);
                    if let Some(span) = span {
                        error = error.with_span_id(span);
                    }
                    if let Some(method) = method {
                        error = error.with_request(method, url.path());
                    }
                    Err(error)
                }
            }
        }

        /// The first `limit` bytes of the body; what follows is not read. An answer that breaks
        /// off gives what came.
        async fn read_at_most(mut response: $reqwest::Response, limit: usize) -> Vec<u8> {
            let mut body = Vec::new();
            while body.len() < limit {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = limit - body.len();
                        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    }
                    Ok(None) | Err(_) => break,
                }
            }
            body
        }
    };
}

#[cfg(feature = "reqwest")]
mod v0_13 {
    use super::*;
    for_reqwest!(reqwest);
}

#[cfg(feature = "reqwest-0-12")]
mod v0_12 {
    use super::*;
    for_reqwest!(reqwest_0_12);
}

/// The callee's span, from its `traceresponse` header: `None` unless the response has exactly
/// one valid one (servers send it only when they opt in). For a reqwest 0.13 or 0.12 `Response`.
pub fn traceresponse<R: sealed::Response>(response: &R) -> Option<TraceResponse> {
    TraceResponse::extract(sealed::Response::headers(response))
}

/// What the public traits are implemented over: only reqwest's types, of the versions the
/// features enable.
mod sealed {
    use crate::remote::RemoteError;
    use std::future::Future;

    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a reqwest `RequestBuilder` of a version that tracefault's features enable",
        note = "tracefault's feature `reqwest` is for reqwest 0.13, `reqwest-0-12` for reqwest 0.12: turn on the one of the reqwest your crate uses"
    )]
    pub trait RequestBuilder: Sized {
        type Response;
        type Error;
        fn with_trace_context(self) -> Self;
        fn send_traced(self) -> impl Future<Output = Result<Self::Response, Self::Error>> + Send;
    }

    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a reqwest `Response` of a version that tracefault's features enable",
        note = "tracefault's feature `reqwest` is for reqwest 0.13, `reqwest-0-12` for reqwest 0.12: turn on the one of the reqwest your crate uses"
    )]
    pub trait Response: Sized {
        fn headers(&self) -> &http::HeaderMap;
        fn error_for_problem(self) -> impl Future<Output = Result<Self, RemoteError>> + Send;
    }
}
