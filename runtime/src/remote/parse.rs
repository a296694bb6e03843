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
        let media = content_type
            .and_then(|content_type| content_type.split(';').next())
            .map(str::trim)
            .unwrap_or("");
        let declared_problem = media.eq_ignore_ascii_case(super::Problem::CONTENT_TYPE);
        // JSON by its media type (`application/json`, `application/problem+json`, any
        // `+json`), or, without one, by its first character: some frameworks send JSON as
        // text.
        let is_json = declared_problem
            || media.eq_ignore_ascii_case("application/json")
            || media
                .get(media.len().saturating_sub(5)..)
                .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"))
            || (media.is_empty() || media.eq_ignore_ascii_case("text/plain"))
                && body.trim_ascii_start().first() == Some(&b'{');
        if is_json {
            // serde_json stops at 128 levels of nesting: a hostile body is an error here, and
            // read as text below.
            if let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(body) {
                if declared_problem || is_problem(&answer) {
                    let mut error = from_problem(service, status, &answer);
                    foreign_problem_members(&mut error, &answer);
                    return error;
                }
                if let Some(error) = from_json_error(service, status, &answer) {
                    return error;
                }
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

/// Problem Details without their media type (Spring's `ProblemDetail` behind a proxy that
/// rewrote it, a framework that sends `application/json`): tracefault's `exception`, or RFC
/// 9457's `title` with its `status` or `type`.
fn is_problem(answer: &serde_json::Map<String, Value>) -> bool {
    matches!(answer.get("exception"), Some(Value::Object(_)))
        || answer.get("title").is_some_and(Value::is_string)
            && (answer.get("status").is_some_and(Value::is_u64)
                || answer.get("type").is_some_and(Value::is_string))
}

/// What other frameworks put in their Problem Details: ASP.NET Core's `traceId` (W3C
/// `traceparent` form under `Activity`, which names the server span too) and `errors` (a
/// validation failure's messages by field). (FastAPI's list of validation errors in `detail`
/// comes as `application/json`, without a title: [`from_json_error`] reads it.)
fn foreign_problem_members(error: &mut RemoteError, problem: &serde_json::Map<String, Value>) {
    if error.trace_id.is_none() {
        if let Some((trace_id, span_id)) = problem
            .get("traceId")
            .and_then(Value::as_str)
            .and_then(trace_of)
        {
            error.trace_id = Some(trace_id);
            error.span_id = error.span_id.or(span_id);
        }
    }
    let explained = problem.get("detail").is_some_and(Value::is_string);
    if !explained {
        let validation = problem.get("errors").and_then(validation_errors);
        if let Some(validation) = validation {
            let title = error.detail.take();
            error.detail = Some(match title {
                Some(title) => bounded(&format!("{title}: {validation}")),
                None => validation,
            });
        }
    }
}

/// An error answer in JSON that is not Problem Details, in the shapes frameworks and services
/// use: `{"error": "StockError", "message": ...}` (Express and most Node services), `{"error":
/// "...", "detail": ...}` (Go services, FastAPI's `{"detail": ...}`), `{"error": {"message",
/// "type", "code"}}` (Google's and OpenAI's APIs), `{"message": ...}`, and Spring Boot's
/// default `{"status", "error": <reason phrase>, "message", "path", "exception"}`. A type is
/// kept when the answer names one; a reason phrase in `error` says nothing the status does not.
fn from_json_error(
    service: &str,
    status: u16,
    answer: &serde_json::Map<String, Value>,
) -> Option<RemoteError> {
    let text = |map: &serde_json::Map<String, Value>, key: &str| {
        map.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(bounded)
    };
    let mut error = RemoteError::new(service, status);
    let nested = match answer.get("error") {
        Some(Value::Object(nested)) => Some(nested),
        _ => None,
    };
    let mut type_name = nested
        .and_then(|nested| text(nested, "type").or_else(|| text(nested, "code")))
        .or_else(|| text(answer, "exception"))
        .or_else(|| text(answer, "type").filter(|name| is_identifier(name)));
    let mut message = nested
        .and_then(|nested| text(nested, "message"))
        .or_else(|| {
            ["message", "detail", "error_description", "msg", "reason"]
                .iter()
                .find_map(|key| text(answer, key))
        })
        .or_else(|| answer.get("detail").and_then(validation_errors));
    if let Some(said) = text(answer, "error") {
        let reason = tracefault_report::layout::reason_phrase(status);
        if reason.is_some_and(|reason| reason.eq_ignore_ascii_case(&said)) {
            // Spring Boot's `"error": "Internal Server Error"`: the status, again.
        } else if message.is_none() {
            message = Some(said);
        } else if type_name.is_none() && is_identifier(&said) {
            type_name = Some(said);
        } else if let Some(explained) = &message {
            message = Some(bounded(&format!("{said}: {explained}")));
        }
    }
    if let Some((trace_id, span_id)) = ["traceId", "trace_id"]
        .iter()
        .find_map(|key| answer.get(*key).and_then(Value::as_str).and_then(trace_of))
    {
        error.trace_id = Some(trace_id);
        error.span_id = span_id;
    }
    error.path = text(answer, "path").or_else(|| text(answer, "instance"));
    // JSON in no shape known: read as any other body's text.
    let message = message?;
    if type_name.is_some() {
        let origin = RemoteOrigin {
            service: Some(service.to_owned()),
            span_id: error.span_id,
            status: Some(status),
            method: None,
            path: error.path.clone(),
            frames: Vec::new(),
        };
        error.chain = nest(vec![(type_name, message.clone(), origin)]);
    }
    error.detail = Some(message);
    Some(error)
}

/// A type's name as services write it (`StockError`, `*main.InventoryError`,
/// `java.lang.IllegalStateException`, `TypeError`), not a sentence.
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 200
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '$' | '*' | '-'))
        && text.chars().any(char::is_alphabetic)
}

/// A trace id as answers carry it: a W3C `traceparent` (`00-<trace>-<span>-<flags>`, ASP.NET
/// Core's `traceId`), which names the span too, or the 32 hex digits alone.
fn trace_of(text: &str) -> Option<(TraceId, Option<SpanId>)> {
    let mut parts = text.split('-');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some(version), Some(trace), Some(span), Some(_flags), None) if version.len() == 2 => {
            Some((TraceId::from_hex(trace)?, SpanId::from_hex(span)))
        }
        (Some(trace), None, ..) => Some((TraceId::from_hex(trace)?, None)),
        _ => None,
    }
}

/// A validation failure's messages, one text: ASP.NET Core's `errors` (`{"Sku": ["The Sku
/// field is required."]}`), FastAPI's `detail` (`[{"loc": ["path", "sku"], "msg": ...}]`),
/// and a list of `{"message"}` or of texts. At most [`MAX_CAUSES`] entries are read.
fn validation_errors(errors: &Value) -> Option<String> {
    let mut said: Vec<String> = Vec::new();
    match errors {
        Value::Object(fields) => {
            for (field, messages) in fields.iter().take(MAX_CAUSES) {
                let messages: Vec<&str> = match messages {
                    Value::Array(messages) => messages
                        .iter()
                        .take(MAX_CAUSES)
                        .filter_map(Value::as_str)
                        .collect(),
                    Value::String(message) => vec![message.as_str()],
                    _ => Vec::new(),
                };
                if !messages.is_empty() {
                    said.push(format!("{}: {}", bounded(field), messages.join(" ")));
                }
            }
        }
        Value::Array(entries) => {
            for entry in entries.iter().take(MAX_CAUSES) {
                match entry {
                    Value::String(message) => said.push(message.clone()),
                    Value::Object(entry) => {
                        let Some(message) = ["msg", "message", "detail"]
                            .iter()
                            .find_map(|key| entry.get(*key).and_then(Value::as_str))
                        else {
                            continue;
                        };
                        let location: Vec<String> = match entry.get("loc") {
                            Some(Value::Array(location)) => location
                                .iter()
                                .take(MAX_CAUSES)
                                .map(|part| match part {
                                    Value::String(part) => part.clone(),
                                    other => other.to_string(),
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        if location.is_empty() {
                            said.push(message.to_owned());
                        } else {
                            said.push(format!("{}: {message}", location.join(".")));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => return None,
    }
    (!said.is_empty()).then(|| bounded(&said.join("; ")))
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

#[cfg(test)]
mod tests {
    //! Answers as other frameworks write them, copied from what each sends by default.
    use super::*;

    fn read(status: u16, content_type: &str, body: &str) -> RemoteError {
        RemoteError::from_answer(
            "127.0.0.1:7004",
            status,
            Some(content_type),
            body.as_bytes(),
        )
    }

    #[test]
    fn springs_problem_detail() {
        // Spring Framework 6's `ProblemDetail` for an exception answered by
        // `ResponseEntityExceptionHandler`.
        let error = read(
            500,
            "application/problem+json",
            r#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Stock service unavailable","instance":"/orders/42"}"#,
        );
        assert_eq!(error.detail(), Some("Stock service unavailable"));
        assert_eq!(error.service(), "127.0.0.1:7004");
        assert_eq!(error.path.as_deref(), Some("/orders/42"));
        assert_eq!(
            error.to_string(),
            "127.0.0.1:7004 answered 500 Internal Server Error: Stock service unavailable"
        );
    }

    #[test]
    fn spring_boots_default_error_keeps_the_message_and_drops_the_reason_phrase() {
        let error = read(
            500,
            "application/json",
            r#"{"timestamp":"2026-12-07T05:00:00.000+00:00","status":500,"error":"Internal Server Error","exception":"java.lang.IllegalStateException","message":"no stock for sku 42","path":"/orders/42"}"#,
        );
        assert_eq!(error.detail(), Some("no stock for sku 42"));
        assert_eq!(error.path.as_deref(), Some("/orders/42"));
        let chain = error.chain();
        assert_eq!(chain.len(), 1);
        assert_eq!(
            chain[0].type_name(),
            Some("java.lang.IllegalStateException")
        );
    }

    #[test]
    fn aspnet_cores_problem_details_name_the_trace_and_the_span() {
        // ASP.NET Core 8's `ProblemDetails` for a validation failure, with `traceId` from
        // `Activity.Current` (W3C) and the messages by field.
        let error = read(
            400,
            "application/problem+json; charset=utf-8",
            r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"Sku":["The field Sku must be between 1 and 9999."],"Quantity":["The Quantity field is required."]},"traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}"#,
        );
        assert_eq!(
            error.trace_id().map(|id| id.to_string()).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            error.span_id().map(|id| id.to_string()).as_deref(),
            Some("00f067aa0ba902b7")
        );
        let detail = error.detail().unwrap();
        assert!(
            detail.starts_with("One or more validation errors occurred.: "),
            "{detail}"
        );
        assert!(
            detail.contains("Sku: The field Sku must be between 1 and 9999."),
            "{detail}"
        );
        assert!(
            detail.contains("Quantity: The Quantity field is required."),
            "{detail}"
        );
    }

    #[test]
    fn fastapis_detail_text_and_validation_list() {
        // `raise HTTPException(status_code=404, detail="Item not found")`.
        let error = read(404, "application/json", r#"{"detail":"Item not found"}"#);
        assert_eq!(error.detail(), Some("Item not found"));
        assert!(error.chain().is_empty());
        // Pydantic's 422.
        let error = read(
            422,
            "application/json",
            r#"{"detail":[{"type":"int_parsing","loc":["path","sku"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}"#,
        );
        assert_eq!(
            error.detail(),
            Some("path.sku: Input should be a valid integer, unable to parse string as an integer")
        );
    }

    #[test]
    fn flask_problem_libraries_without_the_media_type() {
        // connexion's problem, sent by a proxy as `application/json`.
        let error = read(
            503,
            "application/json",
            r#"{"detail":"The stock database is down","status":503,"title":"Service Unavailable","type":"about:blank"}"#,
        );
        assert_eq!(error.detail(), Some("The stock database is down"));
    }

    #[test]
    fn the_common_shapes_of_node_and_go_services() {
        // Express: the error's name and message.
        let error = read(
            502,
            "application/json; charset=utf-8",
            r#"{"error":"StockError","message":"warehouse answered 502 to the stock check of sku 42"}"#,
        );
        assert_eq!(
            error.detail(),
            Some("warehouse answered 502 to the stock check of sku 42")
        );
        assert_eq!(error.chain()[0].type_name(), Some("StockError"));
        assert_eq!(
            error.chain()[0].message(),
            "warehouse answered 502 to the stock check of sku 42"
        );
        // Go: a sentence and its detail.
        let error = read(
            502,
            "application/json",
            r#"{"error":"stock unavailable","detail":"reserving sku 42: inventory answered 500"}"#,
        );
        assert_eq!(
            error.detail(),
            Some("stock unavailable: reserving sku 42: inventory answered 500")
        );
        assert!(error.chain().is_empty());
        // Google's and OpenAI's APIs: the error as an object.
        let error = read(
            429,
            "application/json",
            r#"{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":null}}"#,
        );
        assert_eq!(error.detail(), Some("Rate limit reached"));
        assert_eq!(error.chain()[0].type_name(), Some("rate_limit_error"));
        // The error alone.
        let error = read(500, "application/json", r#"{"error":"database is locked"}"#);
        assert_eq!(error.detail(), Some("database is locked"));
        // JSON sent as text.
        let error = read(500, "text/plain", r#"{"message":"boom"}"#);
        assert_eq!(error.detail(), Some("boom"));
    }

    #[test]
    fn plain_text_and_unknown_json_are_kept_as_text() {
        let error = read(
            502,
            "text/html",
            "<html><body>502 Bad Gateway</body></html>",
        );
        assert_eq!(
            error.detail(),
            Some("<html><body>502 Bad Gateway</body></html>")
        );
        let error = read(500, "application/json", r#"{"ok":false,"code":17}"#);
        assert_eq!(error.detail(), Some(r#"{"ok":false,"code":17}"#));
    }

    #[test]
    fn hostile_answers_are_bounded() {
        // Nested past serde_json's limit: not JSON, kept as bounded text.
        let deep = "[".repeat(100_000);
        let error = read(500, "application/json", &deep);
        assert_eq!(error.detail().unwrap().chars().count(), MAX_TEXT);
        // A validation answer of a hundred thousand fields, each with long messages.
        let mut fields = String::from("{");
        for at in 0..100_000 {
            fields.push_str(&format!("\"f{at}\":[\"{}\"],", "x".repeat(50)));
        }
        fields.push_str("\"last\":[\"y\"]}");
        let body = format!(r#"{{"title":"Bad","status":400,"errors":{fields}}}"#);
        let error = read(400, "application/problem+json", &body);
        assert!(error.detail().unwrap().chars().count() <= MAX_TEXT);
        // Long texts in every member, a type that is a megabyte long.
        let long = "é".repeat(1_000_000);
        let body = format!(r#"{{"error":"{long}","message":"{long}","traceId":"{long}"}}"#);
        let error = read(500, "application/json", &body);
        assert!(error.detail().unwrap().chars().count() <= MAX_TEXT);
        assert!(error.trace_id().is_none());
        // Malformed trace ids are no trace.
        for trace_id in [
            "00-xyz-abc-01",
            "00--",
            "-",
            "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            let body = format!(r#"{{"title":"t","status":500,"traceId":"{trace_id}"}}"#);
            assert!(
                read(500, "application/problem+json", &body)
                    .trace_id()
                    .is_none(),
                "{trace_id}"
            );
        }
    }
}
