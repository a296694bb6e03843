//! Reading a failed call's answer back: Problem Details into a [`RemoteError`], and anything
//! else (HTML from a proxy, plain text, nothing) into one that keeps a bounded part of the text.

use super::RemoteError;
use crate::context::{SpanId, TraceId};
use crate::report::remote_error::nest;
use crate::report::{RemoteFrame, RemoteOrigin};
use serde_json::Value;

/// The most of an answer's body that is read: enough for any Problem Details tracefault
/// writes, and a bound on what a hostile answer can make a caller hold.
pub const MAX_BODY: usize = 64 * 1024;
/// The most of a body that is not Problem Details a remote error keeps, in characters.
const MAX_TEXT: usize = 1024;
/// The most causes, and frames per cause, a remote error keeps.
const MAX_CAUSES: usize = crate::report::names::MAX_CAUSES;
const MAX_FRAMES: usize = crate::traceback::MAX_FRAMES;

impl RemoteError {
    /// The failure `service` answered with: `status`, its `Content-Type`, and the first
    /// [`MAX_BODY`] bytes of its body. Problem Details give the callee's chain, each cause
    /// with its type and the service it ran in; any other body gives its text, cut to a
    /// bounded length; a body that says nothing gives the status alone.
    pub fn from_answer(
        service: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> RemoteError {
        let body = &body[..body.len().min(MAX_BODY)];
        let is_json = content_type.is_some_and(|content_type| {
            let media = content_type.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case(super::Problem::CONTENT_TYPE)
                || media.eq_ignore_ascii_case("application/json")
        });
        if is_json {
            if let Ok(Value::Object(problem)) = serde_json::from_slice::<Value>(body) {
                return from_problem(service, status, &problem);
            }
        }
        let mut error = RemoteError::new(service, status);
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if !text.is_empty() {
            error.detail = Some(text.chars().take(MAX_TEXT).collect());
        }
        error
    }
}

fn from_problem(
    service: &str,
    status: u16,
    problem: &serde_json::Map<String, Value>,
) -> RemoteError {
    let text = |key: &str| problem.get(key).and_then(Value::as_str).map(bounded);
    let service = text("service").unwrap_or_else(|| service.to_owned());
    let mut error = RemoteError::new(service.clone(), status);
    error.span_id = problem
        .get("span_id")
        .and_then(Value::as_str)
        .and_then(SpanId::from_hex);
    error.trace_id = problem
        .get("trace_id")
        .and_then(Value::as_str)
        .and_then(TraceId::from_hex);
    error.detail = text("detail").or_else(|| text("title"));
    error.path = text("instance");
    let here = RemoteOrigin {
        service: Some(service),
        span_id: error.span_id,
        status: Some(status),
        method: None,
        path: error.path.clone(),
        frames: Vec::new(),
    };
    if let Some(Value::Object(exception)) = problem.get("exception") {
        let mut chain = Vec::new();
        if let Some(message) = exception.get("message").and_then(Value::as_str) {
            let mut origin = here.clone();
            origin.frames = frames(exception.get("frames"));
            chain.push((type_of(exception), bounded(message), origin));
        }
        if let Some(Value::Array(causes)) = exception.get("causes") {
            for cause in causes.iter().take(MAX_CAUSES) {
                let Value::Object(cause) = cause else {
                    continue;
                };
                let Some(message) = cause.get("message").and_then(Value::as_str) else {
                    continue;
                };
                chain.push((type_of(cause), bounded(message), origin_of(cause, &here)));
            }
        }
        error.chain = nest(chain);
    }
    error
}

fn type_of(entry: &serde_json::Map<String, Value>) -> Option<String> {
    entry.get("type").and_then(Value::as_str).map(bounded)
}

/// Where a cause ran: what it says of itself, else the service that answered.
fn origin_of(cause: &serde_json::Map<String, Value>, answering: &RemoteOrigin) -> RemoteOrigin {
    let text = |key: &str| cause.get(key).and_then(Value::as_str).map(bounded);
    match text("service") {
        Some(service) => RemoteOrigin {
            service: Some(service),
            span_id: cause
                .get("span_id")
                .and_then(Value::as_str)
                .and_then(SpanId::from_hex),
            status: cause
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|status| u16::try_from(status).ok()),
            method: text("method"),
            path: text("path"),
            frames: frames(cause.get("frames")),
        },
        None => answering.clone(),
    }
}

fn frames(frames: Option<&Value>) -> Vec<RemoteFrame> {
    let Some(Value::Array(frames)) = frames else {
        return Vec::new();
    };
    frames
        .iter()
        .take(MAX_FRAMES)
        .filter_map(|frame| {
            let function = frame.get("function")?.as_str()?;
            Some(RemoteFrame::new(
                bounded(function),
                frame.get("file").and_then(Value::as_str).map(bounded),
                frame
                    .get("line")
                    .and_then(Value::as_u64)
                    .and_then(|line| u32::try_from(line).ok()),
            ))
        })
        .collect()
}

/// Text from the answer, at most a bounded number of characters.
fn bounded(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}
