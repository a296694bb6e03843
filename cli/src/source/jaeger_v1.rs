//! Jaeger's own JSON model, as its query API v1 answers `GET /api/traces/{id}` (every Jaeger
//! v1 deployment, and Jaeger v2 still): `{"data": [trace], "errors": [...]}`, each trace its
//! spans and a table of `processes` (the services) they point into, times in microseconds.
//! Jaeger wrote OTLP's fields into its tags when it stored the spans (`span.kind`,
//! `otel.status_code`), and a span event into a log whose `event` field is its name: they are
//! read back here into the command's [`Span`].
//!
//! The shape is Jaeger's `model/json` (`jaeger-idl`'s `model/v1` JSON, see Jaeger's
//! `internal/uimodel`): ids in hex, 64-bit trace ids as 16 digits.

use super::otlp::{plain_text, split_events};
use crate::ids::{SpanId, TraceId};
use crate::model::{Span, SpanEvent, SpanKind, SpanStatus};
use crate::time::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// One trace of the answer's `data`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Trace {
    spans: Vec<JaegerSpan>,
    processes: HashMap<String, Process>,
}

/// Why a trace asked for is not in `data`: `{"code": 404, "msg": "trace not found"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StructuredError {
    code: Option<i64>,
    msg: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JaegerSpan {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
    operation_name: String,
    references: Vec<Reference>,
    /// Microseconds since the epoch.
    start_time: Option<u64>,
    /// Microseconds.
    duration: Option<u64>,
    tags: Vec<KeyValue>,
    logs: Vec<Log>,
    #[serde(rename = "processID")]
    process_id: String,
    /// Inline instead of `processID` in some writers' files (Jaeger's anonymizer's).
    process: Option<Process>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Reference {
    ref_type: String,
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Process {
    service_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Log {
    timestamp: Option<u64>,
    fields: Vec<KeyValue>,
}

/// The spans of an answer's traces; an answer with no trace and errors is the backend's error.
pub(super) fn spans_of(
    traces: Vec<Trace>,
    errors: Option<Vec<StructuredError>>,
    each: &mut impl FnMut(Span),
    dropped: &mut u64,
) -> anyhow::Result<()> {
    let errors = errors.unwrap_or_default();
    if traces.is_empty() && !errors.is_empty() {
        let said: Vec<String> = errors
            .iter()
            .map(|error| match error.code {
                Some(code) => format!("{} ({code})", error.msg),
                None => error.msg.clone(),
            })
            .collect();
        return Err(anyhow::anyhow!(
            "the backend answered an error: {}",
            said.join("; ")
        ));
    }
    for trace in traces {
        for span in trace.spans {
            let service = span
                .process
                .as_ref()
                .or_else(|| trace.processes.get(&span.process_id))
                .map(|process| process.service_name.clone())
                .filter(|name| !name.is_empty());
            match to_span(span, service) {
                Some(span) => each(span),
                None => *dropped += 1,
            }
        }
    }
    Ok(())
}

fn to_span(span: JaegerSpan, service: Option<String>) -> Option<Span> {
    let trace_id = TraceId::parse(&span.trace_id)?;
    let span_id = SpanId::parse(&span.span_id)?;
    // The parent: the reference Jaeger made of OTLP's parent span id, a `CHILD_OF` within the
    // trace; `FOLLOWS_FROM` (a link) only when there is none.
    let within = |reference: &&Reference| TraceId::parse(&reference.trace_id) == Some(trace_id);
    let parent = span
        .references
        .iter()
        .filter(within)
        .find(|reference| reference.ref_type == "CHILD_OF")
        .or_else(|| span.references.iter().find(within))
        .and_then(|reference| SpanId::parse(&reference.span_id))
        .filter(|&parent| parent != span_id);
    let tag = |key: &str| {
        span.tags
            .iter()
            .find(|tag| tag.key == key)
            .map(|tag| plain_text(&tag.value))
    };
    let kind = tag("span.kind");
    let status = match tag("otel.status_code").as_deref() {
        Some("ERROR") => SpanStatus::Error,
        Some("OK") => SpanStatus::Ok,
        // Jaeger's own convention, and what it writes for OTLP's error status too.
        _ if tag("error").as_deref() == Some("true") => SpanStatus::Error,
        _ => SpanStatus::Unset,
    };
    let start = span.start_time.filter(|&micros| micros > 0).map(micros);
    let end = start.zip(span.duration).map(|(start, duration)| {
        Timestamp(
            start
                .0
                .saturating_add(i64::try_from(duration).unwrap_or(i64::MAX)),
        )
    });
    let events = span
        .logs
        .iter()
        .map(|log| SpanEvent {
            timestamp: log.timestamp.filter(|&at| at > 0).map(micros),
            // Jaeger keeps an OTLP event's name in its log's `event` field.
            name: log
                .fields
                .iter()
                .find(|field| field.key == "event")
                .map(|field| plain_text(&field.value))
                .unwrap_or_else(|| "log".to_owned()),
            attributes: log
                .fields
                .iter()
                .filter(|field| field.key != "event")
                .map(|field| (field.key.clone(), plain_text(&field.value)))
                .collect(),
        })
        .collect();
    let (exceptions, events, more_events) = split_events(events);
    Some(Span {
        trace_id,
        span_id,
        parent_span_id: parent,
        name: span.operation_name,
        service,
        kind: SpanKind::from_otlp(None, kind.as_deref().map(otlp_kind_name)),
        start,
        end,
        status,
        status_message: tag("otel.status_description").unwrap_or_default(),
        attributes: span
            .tags
            .iter()
            .map(|tag| (tag.key.clone(), plain_text(&tag.value)))
            .collect(),
        exceptions,
        events,
        more_events,
    })
}

fn micros(micros: u64) -> Timestamp {
    Timestamp(i64::try_from(micros).unwrap_or(i64::MAX))
}

/// Jaeger's `span.kind` tag (`server`) as OTLP names the kind (`SPAN_KIND_SERVER`).
fn otlp_kind_name(kind: &str) -> &'static str {
    match kind {
        "server" => "SPAN_KIND_SERVER",
        "client" => "SPAN_KIND_CLIENT",
        "producer" => "SPAN_KIND_PRODUCER",
        "consumer" => "SPAN_KIND_CONSUMER",
        "internal" => "SPAN_KIND_INTERNAL",
        _ => "",
    }
}
