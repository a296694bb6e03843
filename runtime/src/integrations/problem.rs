//! Problem Details in the answers of a server: [`Problem`] as an axum response, and a layer
//! that gives a failed answer without a body of its own (or one a panic layer wrote) the
//! Problem Details of the error tracefault reported in its request.

use crate::remote::Problem;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

impl Problem {
    /// The problem as an HTTP response: its status, `Content-Type: application/problem+json`
    /// and the body [`Problem::to_json`] writes here.
    pub fn into_http_response<B: From<String>>(self) -> Response<B> {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(B::from(self.to_json()));
        *response.status_mut() = status;
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static(Problem::CONTENT_TYPE),
        );
        response
    }
}

impl axum_core::response::IntoResponse for Problem {
    fn into_response(self) -> axum_core::response::Response {
        self.into_http_response()
    }
}

/// The answer to a request whose handler panicked, for tower-http's
/// `CatchPanicLayer::custom(panic_answer)`: a bare `500 Internal Server Error`, which
/// [`ProblemLayer`] around it turns into the Problem Details of tracefault's report of the
/// panic. `CatchPanicLayer::new()`'s own answer also logs `Service panicked: ...` at `ERROR`:
/// a second line about a panic that tracefault has reported once already.
///
/// ```no_run
/// # async fn handler() {}
/// use tower_http::catch_panic::CatchPanicLayer;
/// use tracefault::integrations::{panic_answer, ProblemLayer, TraceContextLayer};
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::post(handler))
///     .layer(CatchPanicLayer::custom(panic_answer))
///     .layer(ProblemLayer::new())
///     .layer(TraceContextLayer::new());
/// ```
pub fn panic_answer(
    payload: Box<dyn std::any::Any + Send + 'static>,
) -> axum_core::response::Response {
    // The payload is the panic's own: it was reported, and is dropped here.
    drop(payload);
    axum_core::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A tower layer, inside [`TraceContextLayer`](super::TraceContextLayer), that answers a
/// failure as Problem Details when the answer says nothing of its own: a 5xx without a
/// `Content-Type` (a handler that returned a bare status), or one written after tracefault
/// reported a panic in the request (tower-http's `CatchPanicLayer`, whose body is the panic's
/// text). The problem describes the error tracefault last reported in the request, as the
/// server's exposure allows; other answers pass as they are.
///
/// ```no_run
/// # async fn handler() {}
/// use tracefault::integrations::{ProblemLayer, TraceContextLayer};
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::post(handler))
///     .layer(ProblemLayer::new())
///     .layer(TraceContextLayer::new());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ProblemLayer {
    _private: (),
}

impl ProblemLayer {
    /// The layer; it has no settings of its own (the exposure is the server's or the process's).
    pub fn new() -> ProblemLayer {
        ProblemLayer::default()
    }
}

impl<S> Layer<S> for ProblemLayer {
    type Service = ProblemService<S>;

    fn layer(&self, inner: S) -> ProblemService<S> {
        ProblemService { inner }
    }
}

/// The service [`ProblemLayer`] wraps around an inner one.
#[derive(Clone, Debug)]
pub struct ProblemService<S> {
    inner: S,
}

impl<S, B, R> Service<Request<B>> for ProblemService<S>
where
    S: Service<Request<B>, Response = Response<R>>,
    R: From<String>,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ProblemFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> ProblemFuture<S::Future> {
        ProblemFuture {
            future: self.inner.call(request),
        }
    }
}

/// The response future of [`ProblemService`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ProblemFuture<F> {
    future: F,
}

impl<F, R, E> Future for ProblemFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: From<String>,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and
        // `ProblemFuture` implements neither `Drop` nor `Unpin` by hand.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        let response = ready!(future.poll(cx))?;
        Poll::Ready(Ok(fill(response)))
    }
}

/// `response`, or Problem Details in its place when it is a failure that says nothing.
fn fill<R: From<String>>(response: Response<R>) -> Response<R> {
    if !response.status().is_server_error() {
        return response;
    }
    let content_type = response.headers().get(CONTENT_TYPE);
    if content_type.is_some_and(|value| {
        value
            .as_bytes()
            .starts_with(Problem::CONTENT_TYPE.as_bytes())
    }) {
        return response;
    }
    let after_a_panic = Problem::last_report_is_a_panic();
    if content_type.is_some() && !after_a_panic {
        return response;
    }
    let mut filled = Problem::from_last_report(response.status().as_u16()).into_http_response();
    // What other layers set on the answer stays (`traceresponse`, CORS, ...).
    let (parts, _) = response.into_parts();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != http::header::CONTENT_LENGTH {
            filled.headers_mut().insert(name, value.clone());
        }
    }
    filled
}
