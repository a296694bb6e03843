//! Log records: `tracing` events inside instrumented code, reports and exceptions go to the
//! log exporter with the ids of the spans they happened in. One test: export is once per
//! process.

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::trace::Status;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLogRecord};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::{Arc, Mutex};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug, Clone, Default)]
struct Spans(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Spans {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

#[derive(Debug, Clone, Default)]
struct Logs(Arc<Mutex<Vec<SdkLogRecord>>>);

impl LogExporter for Logs {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let mut logs = self.0.lock().unwrap();
        logs.extend(batch.iter().map(|(record, _scope)| record.clone()));
        Ok(())
    }
}

#[derive(Debug)]
struct OutOfStock;

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of stock")
    }
}

impl std::error::Error for OutOfStock {}

#[tracefault::trace]
fn reserve(quantity: u32) -> Result<u32, OutOfStock> {
    tracing::info!(quantity, "reserving");
    if quantity > 3 {
        return Err(OutOfStock);
    }
    Ok(quantity)
}

#[tracefault::trace]
fn order(quantity: u32) -> Result<u32, OutOfStock> {
    tracing::warn!(retries = 0_u64, "ordering");
    reserve(quantity)
}

fn attribute(record: &SdkLogRecord, name: &str) -> Option<String> {
    record
        .attributes_iter()
        .find(|(key, _)| key.as_str() == name)
        .map(|(_, value)| match value {
            AnyValue::String(text) => text.to_string(),
            other => format!("{other:?}"),
        })
}

fn body(record: &SdkLogRecord) -> Option<String> {
    match record.body() {
        Some(AnyValue::String(text)) => Some(text.to_string()),
        _ => None,
    }
}

#[test]
fn events_reports_and_exceptions_are_log_records_of_their_spans() {
    // Exceptions as log records and as span events (the conventions' phased rollout).
    std::env::set_var("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN", "logs/dup");
    let (spans, logs) = (Spans::default(), Logs::default());
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(tracefault::export::LogLayer),
    )
    .unwrap();
    let guard = tracefault::Config::new()
        .span_exporter(spans.clone())
        .log_exporter(logs.clone())
        .start_export()
        .expect("export starts")
        .expect("exporters of its own need no endpoint");
    assert!(order(5).is_err());
    tracing::info!("outside instrumented code");
    drop(guard);

    let spans = spans.0.lock().unwrap();
    let logs = logs.0.lock().unwrap();
    let span = |name: &str| {
        spans
            .iter()
            .find(|span| span.name == name)
            .unwrap_or_else(|| panic!("a span {name}: {spans:#?}"))
    };
    let (order_span, reserve_span) = (span("order"), span("reserve"));
    let ids = |record: &SdkLogRecord| {
        record
            .trace_context()
            .map(|context| (context.trace_id, context.span_id))
    };
    let ids_of =
        |span: &SpanData| Some((span.span_context.trace_id(), span.span_context.span_id()));

    let by_body = |text: &str| {
        logs.iter()
            .find(|record| body(record).as_deref() == Some(text))
            .unwrap_or_else(|| panic!("a record {text:?}: {logs:#?}"))
    };
    let ordering = by_body("ordering");
    assert_eq!(ids(ordering), ids_of(order_span));
    assert_eq!(ordering.severity_number(), Some(Severity::Warn));
    assert_eq!(attribute(ordering, "retries").as_deref(), Some("Int(0)"));
    let reserving = by_body("reserving");
    assert_eq!(ids(reserving), ids_of(reserve_span));
    assert_eq!(reserving.severity_number(), Some(Severity::Info));
    assert_eq!(attribute(reserving, "quantity").as_deref(), Some("Int(5)"));
    assert_eq!(ids(by_body("outside instrumented code")), None);

    // The exception, where it was raised: the conventions' `exception` record.
    let exceptions: Vec<_> = logs
        .iter()
        .filter(|record| record.event_name() == Some("exception"))
        .collect();
    assert_eq!(exceptions.len(), 1, "{exceptions:#?}");
    assert_eq!(ids(exceptions[0]), ids_of(reserve_span));
    assert_eq!(exceptions[0].severity_number(), Some(Severity::Error));
    assert_eq!(
        attribute(exceptions[0], "exception.type").as_deref(),
        Some("log_exporter::OutOfStock")
    );
    assert_eq!(
        attribute(exceptions[0], "exception.message").as_deref(),
        Some("out of stock")
    );
    assert_eq!(attribute(exceptions[0], "exception.stacktrace"), None);
    // `logs/dup`: the span event too.
    assert!(reserve_span
        .events
        .iter()
        .any(|event| event.name == "exception"));

    // The report, where the error left the outermost function.
    let reports: Vec<_> = logs
        .iter()
        .filter(|record| record.event_name() == Some("tracefault.report"))
        .collect();
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(ids(reports[0]), ids_of(order_span));
    assert_eq!(
        body(reports[0]).as_deref(),
        Some("log_exporter::OutOfStock: out of stock")
    );
    assert!(matches!(order_span.status, Status::Error { .. }));
    // The report as the JSON log line has it, for a collector's logs file: no frames and no
    // text, as stack traces leave the process only when enabled.
    let line = attribute(reports[0], "tracefault.report.line").expect("the report's line");
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(line["exception.type"], "log_exporter::OutOfStock");
    assert_eq!(line["exception.message"], "out of stock");
    assert_eq!(
        line["trace_id"].as_str().unwrap(),
        order_span.span_context.trace_id().to_string()
    );
    assert_eq!(line["exception.frames"], serde_json::json!([]));
    assert!(line.get("exception.stacktrace").is_none(), "{line}");
    let span_trace: Vec<_> = line["exception.span_trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["function"].as_str().unwrap())
        .collect();
    assert_eq!(span_trace, ["log_exporter::order", "log_exporter::reserve"]);

    let stats = tracefault::export::log_stats();
    assert_eq!(stats.exported, logs.len() as u64, "{stats}");
    assert_eq!(
        (stats.failed, stats.dropped, stats.pending()),
        (0, 0, 0),
        "{stats}"
    );
}
