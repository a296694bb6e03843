//! Errors across a service boundary: a callee answers with its error's messages as JSON, and
//! the caller turns them back into an error that says which service, and which span, failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::error::Error;
use tracefault::context::SpanId;

/// An error on the wire: its message, then those of its `source()` chain.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ErrorBody {
    error: String,
    #[serde(default)]
    causes: Vec<String>,
}

impl ErrorBody {
    /// `error` and its causes.
    pub(crate) fn from_error(error: &(dyn Error + 'static)) -> ErrorBody {
        let causes = std::iter::successors(error.source(), |&cause| cause.source());
        ErrorBody {
            error: error.to_string(),
            causes: causes.map(ToString::to_string).collect(),
        }
    }

    /// A message without causes.
    pub(crate) fn message(error: String) -> ErrorBody {
        ErrorBody {
            error,
            causes: Vec::new(),
        }
    }

    /// The answer to a failed request.
    pub(crate) fn respond(self, status: StatusCode) -> Response {
        (status, Json(self)).into_response()
    }
}

/// A call to another service that failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RemoteError {
    /// It answered with an error status; `span` is the one that handled the request, when the
    /// service said (`traceresponse`).
    #[error("{service} answered {status}{}: {message}", from_span(.span))]
    Failed {
        service: &'static str,
        status: StatusCode,
        span: Option<SpanId>,
        message: String,
        #[source]
        causes: Option<Box<RemoteCause>>,
    },
    /// It did not answer, or not in JSON.
    #[error("calling {service} failed")]
    Unreachable {
        service: &'static str,
        source: reqwest::Error,
    },
}

impl RemoteError {
    /// `service` answered `status` with `body`.
    pub(crate) fn failed(
        service: &'static str,
        status: StatusCode,
        span: Option<SpanId>,
        body: ErrorBody,
    ) -> RemoteError {
        // Linked from the innermost out, so that `source()` walks them in the callee's order.
        let causes = body.causes.into_iter().rev().fold(None, |source, message| {
            Some(Box::new(RemoteCause { message, source }))
        });
        RemoteError::Failed {
            service,
            status,
            span,
            message: body.error,
            causes,
        }
    }
}

/// ` from span <id>`, or nothing when the callee did not say.
fn from_span(span: &Option<SpanId>) -> String {
    span.map(|span| format!(" from span {span}"))
        .unwrap_or_default()
}

/// One message of a callee's `source()` chain: only its text crossed the wire.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct RemoteCause {
    message: String,
    source: Option<Box<RemoteCause>>,
}
