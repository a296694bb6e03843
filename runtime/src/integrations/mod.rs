//! Trace Context on HTTP without writing headers by hand: [`TraceContextLayer`] continues the
//! caller's trace on a server (feature `axum`; any tower stack over `http` types), and
//! [`ReqwestExt`] sends the current one with a reqwest request (feature `reqwest` for reqwest
//! 0.13, `reqwest-0-12` for reqwest 0.12).
//!
//! ```no_run
//! # #[cfg(all(feature = "axum", feature = "reqwest"))]
//! # async fn example(router: axum::Router, client: reqwest::Client) -> Result<(), reqwest::Error> {
//! use tracefault::integrations::{ReqwestExt, TraceContextLayer};
//!
//! // Server: every handler runs in a span continuing the caller's trace.
//! let router = router.layer(TraceContextLayer::new());
//!
//! // Client, inside a handler or any instrumented function: the callee continues this trace.
//! let response = client.get("http://127.0.0.1:8080/").with_trace_context().send().await?;
//! let callee = tracefault::integrations::traceresponse(&response);
//! # Ok(())
//! # }
//! ```

#[cfg(any(feature = "reqwest", feature = "reqwest-0-12"))]
mod client;
mod http_span;
#[cfg(feature = "axum")]
mod problem;
#[cfg(feature = "axum")]
mod request_origin;
#[cfg(feature = "axum")]
mod server;
#[cfg(all(test, feature = "axum", feature = "reqwest"))]
mod tests;

#[cfg(any(feature = "reqwest", feature = "reqwest-0-12"))]
pub use client::{traceresponse, ReqwestExt, ResponseExt};
#[cfg(feature = "axum")]
pub use problem::{panic_answer, ProblemFuture, ProblemLayer, ProblemService};
#[cfg(feature = "axum")]
pub use server::{TraceContextFuture, TraceContextLayer, TraceContextService};
