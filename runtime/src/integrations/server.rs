//! The server side: a tower layer that runs each request in a span continuing its caller's
//! trace, and answers with `traceresponse` when the program opted in.

use super::http_span::{HttpSpan, Value};
use super::request_origin::RequestOrigin;
use crate::context::scope::Request;
use crate::context::{Context, Role, Scope, WithContext};
use crate::propagation::traceresponse::{traceresponse_enabled, TraceResponse, TRACERESPONSE};
use crate::remote::Exposure;
use http::header::{HeaderName, HeaderValue};
use http::Response;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// A tower [`Layer`] that continues the caller's W3C trace for every request.
///
/// For each request it reads `traceparent`, `tracestate` and `baggage` (see
/// [`extract_context`](crate::propagation::extract_context)), opens a server span of its own
/// under the caller's (a new trace when there is no valid `traceparent`), and makes that
/// span's context current whenever the inner service's future is polled: handlers, and the
/// `#[trace]` functions they call, see [`crate::current()`] in the caller's trace, and
/// [`crate::inject`] passes it on. The span is also a `tracing` span, `http.server`, with the
/// method, the path, the ids and the response's status code.
///
/// With [`set_traceresponse(true)`](crate::propagation::set_traceresponse), responses carry a
/// `traceresponse` header naming the server span.
///
/// ```no_run
/// # async fn example() -> std::io::Result<()> {
/// async fn hello() -> String {
///     let span = tracefault::current().expect("the layer makes a span current");
///     format!("hello from trace {}", span.trace_id)
/// }
///
/// let app = axum::Router::new()
///     .route("/", axum::routing::get(hello))
///     .layer(tracefault::integrations::TraceContextLayer::new());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct TraceContextLayer {
    exposure: Option<Exposure>,
    service: Option<Arc<str>>,
}

impl TraceContextLayer {
    /// The layer; see the type's documentation.
    pub fn new() -> TraceContextLayer {
        TraceContextLayer::default()
    }

    /// What this server's answers say of its errors ([`Problem`](crate::remote::Problem)s
    /// written while it serves a request), whatever the process's choice
    /// ([`Config::error_exposure`](crate::Config::error_exposure)): an internal service can
    /// expose its chain to its callers while the public edge exposes nothing.
    pub fn expose(mut self, exposure: Exposure) -> TraceContextLayer {
        self.exposure = Some(exposure);
        self
    }

    /// The name of the service this layer serves, in the reports of its requests and in its
    /// Problem Details, for a process that serves several (the process's name, from
    /// `Config::service_name` or `OTEL_SERVICE_NAME`, otherwise).
    pub fn service_name(mut self, name: impl Into<String>) -> TraceContextLayer {
        self.service = Some(name.into().into());
        self
    }
}

impl<S> Layer<S> for TraceContextLayer {
    type Service = TraceContextService<S>;

    fn layer(&self, inner: S) -> TraceContextService<S> {
        TraceContextService {
            inner,
            exposure: self.exposure,
            service: self.service.clone(),
        }
    }
}

/// The service [`TraceContextLayer`] wraps around an inner one.
#[derive(Clone, Debug)]
pub struct TraceContextService<S> {
    inner: S,
    exposure: Option<Exposure>,
    service: Option<Arc<str>>,
}

impl<S, B, R> Service<http::Request<B>> for TraceContextService<S>
where
    S: Service<http::Request<B>, Response = Response<R>>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = TraceContextFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> TraceContextFuture<S::Future> {
        let context =
            Context::child(&crate::propagation::extract_context(request.headers())).into_server();
        let span = tracing::info_span!(
            "http.server",
            http.request.method = %request.method(),
            url.path = request.uri().path(),
            http.response.status_code = tracing::field::Empty,
        );
        // Read per request, so that turning it on or off applies to the next one.
        let traceresponse = context
            .span()
            .filter(|_| traceresponse_enabled())
            .and_then(|span| HeaderValue::from_str(&TraceResponse::from(span).header()).ok());
        let mut export = HttpSpan::open(&context, request.method(), || {
            let origin = RequestOrigin::of(&request);
            let mut attributes = vec![
                ("url.path", Value::Text(request.uri().path().to_owned())),
                ("url.scheme", Value::Text(origin.scheme)),
            ];
            if let Some(host) = origin.host {
                attributes.push(("server.address", Value::Text(host)));
            }
            if let Some(port) = origin.port {
                attributes.push(("server.port", Value::Number(i64::from(port))));
            }
            attributes
        });
        // Known when the layer is applied with `Router::layer` (per route), after routing.
        if let Some(route) = request.extensions().get::<axum::extract::MatchedPath>() {
            export.matched(route.as_str());
        }
        let scope = Scope::of_context(context, Role::Context).serving(Request {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
            exposure: self.exposure,
            service: self.service.clone(),
        });
        // A service may do part of its work in `call`, before its future is first polled: that
        // work belongs to the request's span too.
        let future = {
            let _context = scope.enter();
            let _entered = span.enter();
            self.inner.call(request)
        };
        TraceContextFuture {
            future: WithContext::new(scope, future),
            span,
            traceresponse,
            export,
        }
    }
}

/// The response future of [`TraceContextService`]: the inner future, polled in the request's
/// span and context.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TraceContextFuture<F> {
    future: WithContext<F>,
    span: tracing::Span,
    traceresponse: Option<HeaderValue>,
    export: HttpSpan,
}

impl<F, R, E> Future for TraceContextFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `TraceContextFuture` implements neither `Drop` nor `Unpin` by hand (the `Drop` of
        // `HttpSpan` touches only that field). The other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let _entered = this.span.enter();
        let mut response = match ready!(future.poll(cx)) {
            Ok(response) => response,
            Err(error) => {
                this.export
                    .failed(|| "the service failed without a response".into());
                return Poll::Ready(Err(error));
            }
        };
        this.span.record(
            "http.response.status_code",
            u64::from(response.status().as_u16()),
        );
        // A 5xx answer is the server's failure; a 4xx is the client's and leaves the status
        // unset, as OpenTelemetry's HTTP conventions say.
        this.export
            .answered(response.status(), response.status().is_server_error());
        if let Some(value) = this.traceresponse.take() {
            // `insert`, not `append`: under nested layers the outermost runs last and names
            // its span, the one the caller's request created, as the draft asks.
            response
                .headers_mut()
                .insert(HeaderName::from_static(TRACERESPONSE), value);
        }
        Poll::Ready(Ok(response))
    }
}
