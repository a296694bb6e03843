//! OTLP traces as JSON, whoever wrote them: the OpenTelemetry Collector's `file` exporter (one
//! `TracesData` object per line), Jaeger v2's `GET /api/v3/traces/{id}` (`{"result": ...}`,
//! or `{"error": ...}`), Tempo's `GET /api/traces/{id}` (`{"batches": ...}`, ids in base64)
//! and `GET /api/v2/traces/{id}` (`{"trace": ...}`).
//!
//! One reader for all of them, lenient where the writers differ: ids in hex (OTLP/JSON) or
//! base64 (protobuf's JSON mapping), 64-bit integers as strings or numbers, enums as numbers
//! or names, `scopeSpans` or the older `instrumentationLibrarySpans`. Unknown keys are
//! ignored, as OTLP/JSON receivers must.

use crate::ids::{SpanId, TraceId};
use crate::model::{ExceptionEvent, Span, SpanEvent, SpanKind, SpanStatus, MAX_SPAN_EVENTS};
use crate::time::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use std::io::Read;
use tracefault_report::keys;

/// The envelopes, all optional, so that one type reads every writer's document. A document
/// with none of them is not one this command knows, and is said to be so.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Document {
    resource_spans: Option<Vec<ResourceSpans>>,
    /// Tempo v1.
    batches: Option<Vec<ResourceSpans>>,
    /// Jaeger api_v3.
    result: Option<Box<Document>>,
    /// Tempo v2.
    trace: Option<Box<Document>>,
    /// Tempo v2: `PARTIAL` when the trace is larger than Tempo's limit (`COMPLETE`, its
    /// default, is left out), with why in `message`.
    status: Option<Value>,
    message: Option<String>,
    /// Jaeger api_v3's `GRPCGatewayError`.
    error: Option<GatewayError>,
    /// Jaeger's query API v1.
    data: Option<Vec<super::jaeger_v1::Trace>>,
    /// Jaeger's query API v1: why traces asked for are not in `data`.
    errors: Option<Vec<super::jaeger_v1::StructuredError>>,
}

impl Document {
    fn is_known(&self) -> bool {
        self.resource_spans.is_some()
            || self.batches.is_some()
            || self.result.is_some()
            || self.trace.is_some()
            || self.error.is_some()
            || self.data.is_some()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GatewayError {
    http_code: Option<i64>,
    message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ResourceSpans {
    resource: Option<Resource>,
    scope_spans: Vec<ScopeSpans>,
    instrumentation_library_spans: Vec<ScopeSpans>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Resource {
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ScopeSpans {
    spans: Vec<OtlpSpan>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OtlpSpan {
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    kind: Option<NumberOrText>,
    start_time_unix_nano: Option<NumberOrText>,
    end_time_unix_nano: Option<NumberOrText>,
    attributes: Vec<KeyValue>,
    events: Vec<Event>,
    status: Option<Status>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Event {
    time_unix_nano: Option<NumberOrText>,
    name: String,
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Status {
    code: Option<NumberOrText>,
    message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: Option<Value>,
}

/// OTLP/JSON writes 64-bit integers as strings and enums as numbers; other writers differ.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(i64),
    Unsigned(u64),
    Text(String),
}

impl NumberOrText {
    fn as_u64(&self) -> Option<u64> {
        match self {
            NumberOrText::Number(number) => u64::try_from(*number).ok(),
            NumberOrText::Unsigned(number) => Some(*number),
            NumberOrText::Text(text) => text.trim().parse().ok(),
        }
    }

    fn as_enum(&self) -> (Option<i64>, Option<&str>) {
        match self {
            NumberOrText::Number(number) => (Some(*number), None),
            NumberOrText::Unsigned(number) => (i64::try_from(*number).ok(), None),
            NumberOrText::Text(text) => (text.parse().ok(), Some(text.as_str())),
        }
    }
}

/// What reading OTLP JSON gave besides its spans.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OtlpRead {
    pub documents: u64,
    /// Spans without a valid trace id or span id (empty, zeros, not hex or base64): nothing
    /// could refer to them, so they are counted and left out.
    pub dropped_spans: u64,
    /// A last document cut short, its writer still writing it: counted, not read.
    pub cut: u64,
    /// What a backend said of an answer it knows is incomplete (Tempo's `PARTIAL`).
    pub partial: Vec<String>,
}

/// How the input may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A backend's answer: cut short is an error (the connection broke).
    Whole,
    /// A file a collector may still be writing: a last document cut short is counted and the
    /// complete ones before it are read, as a log's last line is.
    MayBeCut,
}

/// The spans of every document in `input`, one JSON value after another (a file exporter's
/// lines, or one backend answer). Stops at the first value that is not one this reads.
pub fn read_spans(
    input: impl Read,
    ending: Ending,
    mut each: impl FnMut(Span),
) -> anyhow::Result<OtlpRead> {
    let documents = serde_json::Deserializer::from_reader(input).into_iter::<Document>();
    let mut read = OtlpRead::default();
    for document in documents {
        let document = match document {
            Ok(document) => document,
            Err(error) if error.is_eof() && ending == Ending::MayBeCut => {
                read.cut += 1;
                break;
            }
            // Reading failed (the connection broke, the answer was too slow or too large):
            // said as it is, not as bad JSON.
            Err(error) if error.is_io() => return Err(anyhow::Error::new(error)),
            Err(error) => return Err(anyhow::Error::new(error).context("not OTLP JSON")),
        };
        if !document.is_known() {
            return Err(anyhow::anyhow!(
                "not an answer this command reads: a JSON object without resourceSpans, \
                 result, batches, trace, data or error"
            ));
        }
        read.documents += 1;
        spans_of(document, &mut each, &mut read)?;
    }
    Ok(read)
}

/// Whether `body` is a backend's error in its API's own envelope (Jaeger api_v3's
/// `{"error": {...}}`): the API is there, and said no.
pub fn is_backend_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Document>(body).is_ok_and(|document| document.error.is_some())
}

fn spans_of(
    document: Document,
    each: &mut impl FnMut(Span),
    read: &mut OtlpRead,
) -> anyhow::Result<()> {
    if let Some(error) = document.error {
        let code = error
            .http_code
            .map(|code| format!(" ({code})"))
            .unwrap_or_default();
        return Err(anyhow::anyhow!(
            "the backend answered an error{code}: {}",
            error.message
        ));
    }
    let partial = match &document.status {
        Some(Value::String(status)) => status.eq_ignore_ascii_case("PARTIAL"),
        // The enum's number, as some protobuf JSON writers put it.
        Some(Value::Number(status)) => status.as_u64() == Some(1),
        _ => false,
    };
    if partial && document.trace.is_some() {
        let why = document
            .message
            .as_deref()
            .filter(|message| !message.is_empty())
            .unwrap_or("the backend says the trace is partial");
        read.partial.push(why.to_owned());
    }
    for inner in [document.result, document.trace].into_iter().flatten() {
        spans_of(*inner, each, read)?;
    }
    if let Some(traces) = document.data {
        super::jaeger_v1::spans_of(traces, document.errors, each, &mut read.dropped_spans)?;
    }
    let resources = document.resource_spans.into_iter().flatten();
    for resource_spans in resources.chain(document.batches.into_iter().flatten()) {
        let attributes = resource_spans.resource.unwrap_or_default().attributes;
        let service = attributes
            .iter()
            .find(|attribute| attribute.key == keys::SERVICE_NAME)
            .and_then(|attribute| attribute.value.as_ref())
            .map(value_text);
        let scopes = resource_spans
            .scope_spans
            .into_iter()
            .chain(resource_spans.instrumentation_library_spans);
        for span in scopes.flat_map(|scope| scope.spans) {
            match to_span(span, service.clone()) {
                Some(span) => each(span),
                None => read.dropped_spans += 1,
            }
        }
    }
    Ok(())
}

/// `None` for a span without valid ids: nothing could refer to it.
fn to_span(span: OtlpSpan, service: Option<String>) -> Option<Span> {
    let trace_id = TraceId::parse(&span.trace_id)?;
    let span_id = SpanId::parse(&span.span_id)?;
    let time = |value: &Option<NumberOrText>| {
        value
            .as_ref()
            .and_then(NumberOrText::as_u64)
            .filter(|&nanos| nanos > 0)
            .map(Timestamp::from_unix_nanos)
    };
    let (kind_number, kind_name) = span
        .kind
        .as_ref()
        .map(NumberOrText::as_enum)
        .unwrap_or_default();
    let status = span.status.unwrap_or_default();
    let (code_number, code_name) = status
        .code
        .as_ref()
        .map(NumberOrText::as_enum)
        .unwrap_or_default();
    let status_code = match (code_number, code_name) {
        (Some(1), _) | (_, Some("STATUS_CODE_OK")) => SpanStatus::Ok,
        (Some(2), _) | (_, Some("STATUS_CODE_ERROR")) => SpanStatus::Error,
        _ => SpanStatus::Unset,
    };
    let all_events = span
        .events
        .iter()
        .map(|event| SpanEvent {
            timestamp: time(&event.time_unix_nano),
            name: event.name.clone(),
            attributes: event
                .attributes
                .iter()
                .filter_map(|attribute| {
                    let value = attribute.value.as_ref()?;
                    Some((attribute.key.clone(), value_text(value)))
                })
                .collect(),
        })
        .collect();
    let (exceptions, events, more_events) = split_events(all_events);
    Some(Span {
        trace_id,
        // A span that names itself as its parent has none we can use.
        parent_span_id: SpanId::parse(&span.parent_span_id).filter(|&parent| parent != span_id),
        span_id,
        name: span.name,
        service,
        kind: SpanKind::from_otlp(kind_number, kind_name),
        start: time(&span.start_time_unix_nano),
        end: time(&span.end_time_unix_nano),
        status: status_code,
        status_message: status.message,
        attributes: span
            .attributes
            .iter()
            .filter_map(|attribute| {
                let value = attribute.value.as_ref()?;
                Some((attribute.key.clone(), value_text(value)))
            })
            .collect(),
        exceptions,
        events,
        more_events,
    })
}

/// The causes of `exception.causes`, read by the one reader of tracefault's report members
/// (a line of that member alone); none when it is not that JSON.
fn exported_causes(json: &str) -> Vec<crate::model::Cause> {
    let line = format!(
        "{{\"target\":\"tracefault\",\"exception.type\":\"\",\"exception.message\":\"\",\"exception.causes\":{json}}}"
    );
    tracefault_report::read::LogLine::parse(line.as_bytes())
        .ok()
        .and_then(|line| {
            line.report(tracefault_report::read::Detail::Full)
                .map(|read| {
                    read.report
                        .causes
                        .into_iter()
                        .map(super::logline::cause)
                        .collect()
                })
        })
        .unwrap_or_default()
}

/// A span's events, whoever wrote them: its exceptions (with their stack traces), the events
/// kept (at most [`MAX_SPAN_EVENTS`], without the stack traces, which their reports hold),
/// and how many more there were.
pub(super) fn split_events(all: Vec<SpanEvent>) -> (Vec<ExceptionEvent>, Vec<SpanEvent>, u64) {
    let exceptions = all
        .iter()
        .filter(|event| event.name == "exception")
        .map(|event| {
            let attribute = |key: &str| {
                event
                    .attributes
                    .iter()
                    .find(|(name, _)| name == key)
                    .map(|(_, value)| value.clone())
            };
            ExceptionEvent {
                timestamp: event.timestamp,
                type_name: attribute(keys::EXCEPTION_TYPE),
                message: attribute(keys::EXCEPTION_MESSAGE),
                stacktrace: attribute(keys::EXCEPTION_STACKTRACE),
                causes: attribute(keys::EXCEPTION_CAUSES)
                    .map(|causes| exported_causes(&causes))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let more = all.len().saturating_sub(MAX_SPAN_EVENTS) as u64;
    let events = all
        .into_iter()
        .take(MAX_SPAN_EVENTS)
        .map(|mut event| {
            event
                .attributes
                .retain(|(name, _)| name != keys::EXCEPTION_STACKTRACE);
            event
        })
        .collect();
    (exceptions, events, more)
}

/// An `AnyValue` as text: `{"stringValue": "x"}` is `x`, `{"intValue": "68"}` is `68`.
fn value_text(value: &Value) -> String {
    let Value::Object(fields) = value else {
        // Not an AnyValue: some writers put the plain value.
        return plain_text(value);
    };
    let Some((key, inner)) = fields.iter().next() else {
        return String::new();
    };
    match (key.as_str(), inner) {
        ("arrayValue", Value::Object(array)) => {
            let values = array.get("values").and_then(Value::as_array);
            let items: Vec<String> = values.into_iter().flatten().map(value_text).collect();
            format!("[{}]", items.join(", "))
        }
        ("kvlistValue", Value::Object(list)) => {
            let values = list.get("values").and_then(Value::as_array);
            let items: Vec<String> = values
                .into_iter()
                .flatten()
                .map(|pair| {
                    let key = pair.get("key").and_then(Value::as_str).unwrap_or_default();
                    let value = pair.get("value").map(value_text).unwrap_or_default();
                    format!("{key}: {value}")
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        (_, inner) => plain_text(inner),
    }
}

pub(super) fn plain_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(json: &str) -> anyhow::Result<Vec<Span>> {
        let mut spans = Vec::new();
        read_spans(json.as_bytes(), Ending::Whole, |span| spans.push(span))?;
        Ok(spans)
    }

    const SPAN: &str = r#"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","name":"query_stock","kind":1,"startTimeUnixNano":"1764301847313000000","endTimeUnixNano":"1764301847313500000","attributes":[{"key":"code.line.number","value":{"intValue":"68"}},{"key":"code.function.name","value":{"stringValue":"shop::inventory::query_stock"}}],"events":[{"timeUnixNano":"1764301847313400000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"std::io::Error"}}]}],"status":{"code":2,"message":"connection refused"}}"#;

    #[test]
    fn the_file_exporters_lines_and_the_three_envelopes_read_alike() {
        let resource = format!(
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"inventory"}}}}]}},"scopeSpans":[{{"scope":{{"name":"tracefault"}},"spans":[{SPAN}]}}]}}"#
        );
        for document in [
            format!(r#"{{"resourceSpans":[{resource}]}}"#),
            format!(r#"{{"result":{{"resourceSpans":[{resource}]}}}}"#),
            format!(r#"{{"batches":[{resource}]}}"#),
            format!(r#"{{"trace":{{"resourceSpans":[{resource}]}},"status":"complete"}}"#),
        ] {
            let spans = spans(&format!("{document}\n{document}\n")).unwrap();
            assert_eq!(spans.len(), 2, "{document}");
            let span = &spans[0];
            assert_eq!(span.service.as_deref(), Some("inventory"));
            assert_eq!(span.kind, SpanKind::Internal);
            assert_eq!(span.status, SpanStatus::Error);
            assert_eq!(span.status_message, "connection refused");
            assert_eq!(span.attribute("code.line.number"), Some("68"));
            assert_eq!(span.parent_span_id.unwrap().to_string(), "eee19b7ec3c1b173");
            assert_eq!(span.end.unwrap().0 - span.start.unwrap().0, 500);
            assert_eq!(
                span.exceptions[0].type_name.as_deref(),
                Some("std::io::Error")
            );
            assert_eq!(span.events[0].name, "exception");
            assert_eq!(
                span.events[0].attributes,
                [(keys::EXCEPTION_TYPE.to_owned(), "std::io::Error".to_owned())]
            );
        }
    }

    #[test]
    fn base64_ids_numbers_and_enum_names_are_read_too() {
        let document = r#"{"batches":[{"instrumentationLibrarySpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=","parentSpanId":"","kind":"SPAN_KIND_SERVER","startTimeUnixNano":1764301847313000000,"status":{"code":"STATUS_CODE_ERROR"}}]}]}]}"#;
        let spans = spans(document).unwrap();
        assert_eq!(
            spans[0].trace_id.to_string(),
            "5b8efff798038103d269b633813fc60c"
        );
        assert_eq!(spans[0].span_id.to_string(), "eee19b7ec3c1b174");
        assert_eq!(spans[0].parent_span_id, None);
        assert_eq!(spans[0].kind, SpanKind::Server);
        assert_eq!(spans[0].status, SpanStatus::Error);
    }

    #[test]
    fn a_span_that_is_its_own_parent_has_none() {
        let document = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b174"}]}]}]}"#;
        assert_eq!(spans(document).unwrap()[0].parent_span_id, None);
    }

    #[test]
    fn a_backend_error_and_junk_are_errors() {
        let error = spans(r#"{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found"}}"#)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the backend answered an error (404): trace not found"
        );
        assert!(spans("not json").is_err());
        // Jaeger v2's (v1.75.0) answer for a trace it does not hold, as it sent it: a 404.
        let not_held = b"{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}\n";
        assert!(is_backend_error(not_held));
        assert!(!is_backend_error(b"404 page not found\n"));
        assert!(!is_backend_error(b"<!DOCTYPE html>"));
        assert!(!is_backend_error(br#"{"result":{"resourceSpans":[]}}"#));
        let deep = format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"k","value":{}{}}}]}}}}]}}"#,
            r#"{"arrayValue":{"values":["#.repeat(5_000),
            "]}}".repeat(5_000)
        );
        assert!(spans(&deep).is_err());
    }
}
