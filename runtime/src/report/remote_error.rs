//! An error whose causes ran in another service: what a failed call's answer said, as a
//! `source()` chain whose every cause keeps the type that service named and where it ran.
//!
//! It lives beside the report rather than in [`remote`](crate::remote), which reads and writes
//! the answers, because a report reads these causes (`names::causes_of`), and the report is the
//! lower layer: it imports nothing from `remote`.

use super::{RemoteFrame, RemoteOrigin};
use crate::context::{SpanId, TraceId};
use std::error::Error;
use std::fmt;
use tracefault_report::layout::reason_phrase;

/// A call to another service that answered with a failure: the service, the status, the span
/// that handled the request there, and the error it said it had, whose `source()` walks the
/// callee's chain.
///
/// ```
/// use tracefault::remote::RemoteError;
/// let error = RemoteError::new("inventory", 503);
/// assert_eq!(error.to_string(), "inventory answered 503 Service Unavailable");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
// The fields are the crate's so that `remote`, which reads answers into this, can fill them.
pub struct RemoteError {
    pub(crate) service: String,
    pub(crate) status: u16,
    pub(crate) span_id: Option<SpanId>,
    pub(crate) trace_id: Option<TraceId>,
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
    /// What the callee said went wrong: its `title`, or its `detail` when it sent one, or the
    /// text of an answer that was not Problem Details (cut to a bounded length).
    pub(crate) detail: Option<String>,
    /// The callee's error, whose causes are below it: none, or one.
    pub(crate) chain: Vec<RemoteCause>,
}

impl RemoteError {
    /// `service` answered `status`, and said nothing more.
    pub fn new(service: impl Into<String>, status: u16) -> RemoteError {
        RemoteError {
            service: service.into(),
            status,
            span_id: None,
            trace_id: None,
            method: None,
            path: None,
            detail: None,
            chain: Vec::new(),
        }
    }

    /// The service that answered.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The status it answered with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The server span that handled the request there, when it said (`traceresponse`, or a
    /// Problem's `span_id`).
    pub fn span_id(&self) -> Option<SpanId> {
        self.span_id
    }

    /// The trace the answer named.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.trace_id
    }

    /// What it said went wrong, beyond its status.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The callee's error and its `source()` chain, outermost first, each with the service it
    /// ran in.
    pub fn chain(&self) -> Vec<&RemoteCause> {
        std::iter::successors(self.chain.first(), |cause| cause.below.first()).collect()
    }

    /// The request it answered, as the report names it: also where the causes that ran in
    /// the answering service say so.
    pub fn with_request(mut self, method: impl Into<String>, path: impl Into<String>) -> Self {
        let (method, path) = (method.into(), path.into());
        let answering = Some(self.service.clone());
        for cause in self.chain.iter_mut() {
            cause.set_request_where(&answering, &method, &path);
        }
        self.method = Some(method);
        self.path = Some(path);
        self
    }

    /// The span that handled the request, as the answer's `traceresponse` named it.
    pub fn with_span_id(mut self, span_id: SpanId) -> Self {
        self.span_id = Some(span_id);
        self
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.service, self.status)?;
        if let Some(reason) = reason_phrase(self.status) {
            write!(f, " {reason}")?;
        }
        if let Some(span_id) = self.span_id {
            write!(f, " from span {span_id}")?;
        }
        match &self.detail {
            Some(detail) if Some(detail.as_str()) != reason_phrase(self.status) => {
                write!(f, ": {detail}")
            }
            _ => Ok(()),
        }
    }
}

impl Error for RemoteError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.chain
            .first()
            .map(|cause| cause as &(dyn Error + 'static))
    }
}

/// One error of another service's chain: its type as that service named it, its message, and
/// where it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteCause {
    type_name: Option<String>,
    message: String,
    origin: RemoteOrigin,
    /// The cause below this one: none, or one.
    below: Vec<RemoteCause>,
}

impl RemoteCause {
    /// The type, as the remote service named it (`None` when it did not know).
    pub fn type_name(&self) -> Option<&str> {
        self.type_name.as_deref()
    }

    /// The message, as the remote service wrote it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The service it ran in, the span, and its frames when they were sent.
    pub fn origin(&self) -> &RemoteOrigin {
        &self.origin
    }

    /// The frames the remote service sent for it, outermost first.
    pub fn frames(&self) -> &[RemoteFrame] {
        &self.origin.frames
    }
}

impl RemoteCause {
    /// Names the request of the causes, this one and those below, that ran in `service`.
    fn set_request_where(&mut self, service: &Option<String>, method: &str, path: &str) {
        if &self.origin.service == service {
            self.origin.method = Some(method.to_owned());
            self.origin.path = Some(path.to_owned());
        }
        for below in &mut self.below {
            below.set_request_where(service, method, path);
        }
    }
}

impl fmt::Display for RemoteCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for RemoteCause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.below
            .first()
            .map(|cause| cause as &(dyn Error + 'static))
    }
}

/// Builds a chain of causes, outermost first, as nested causes whose `source()` walks it.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
pub(crate) fn nest(causes: Vec<(Option<String>, String, RemoteOrigin)>) -> Vec<RemoteCause> {
    causes
        .into_iter()
        .rev()
        .fold(
            None::<RemoteCause>,
            |below, (type_name, message, origin)| {
                Some(RemoteCause {
                    type_name,
                    message,
                    origin,
                    below: below.into_iter().collect(),
                })
            },
        )
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_chain_is_a_source_chain() {
        let origin = RemoteOrigin {
            service: Some("inventory".into()),
            ..RemoteOrigin::default()
        };
        let mut error = RemoteError::new("orders", 502);
        error.chain = nest(vec![
            (
                Some("orders::OrderError".into()),
                "no stock".into(),
                origin.clone(),
            ),
            (None, "refused".into(), origin),
        ]);
        let messages: Vec<String> = std::iter::successors(error.source(), |&cause| cause.source())
            .map(ToString::to_string)
            .collect();
        assert_eq!(messages, ["no stock", "refused"]);
        assert_eq!(error.to_string(), "orders answered 502 Bad Gateway");
    }
}
