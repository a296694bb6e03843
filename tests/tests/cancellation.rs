//! A dropped instrumented future records its cancellation: an `INFO` event in its span naming
//! the function and how long it had run, and on its exported span `tracefault.cancelled`; no
//! error report of its own. One binary: export is once per process.

mod support;

use opentelemetry::trace::Status;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{capture_async, capture_at, EventRecord};
use tracing_subscriber::filter::LevelFilter;

#[derive(Debug, PartialEq)]
struct Timeout;

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("operation timed out")
    }
}

impl std::error::Error for Timeout {}

#[tracefault::trace]
async fn ask_supplier() -> Result<u32, Timeout> {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(1)
}

#[tracefault::trace]
async fn answer_quickly() -> Result<u32, Timeout> {
    tokio::task::yield_now().await;
    Ok(2)
}

#[tracefault::trace]
async fn handler() -> Result<u32, Timeout> {
    let quick = answer_quickly().await?;
    let slow = tokio::time::timeout(Duration::from_millis(20), ask_supplier())
        .await
        .map_err(|_| Timeout)??;
    Ok(quick + slow)
}

fn cancellations(events: &[EventRecord]) -> Vec<&EventRecord> {
    events
        .iter()
        .filter(|event| {
            event.target == "tracefault"
                && event
                    .fields
                    .get("message")
                    .is_some_and(|m| m == "cancelled")
        })
        .collect()
}

#[test]
fn a_future_dropped_by_a_timeout_says_where_it_was_and_for_how_long() {
    let (result, captured) = capture_async(handler());
    assert_eq!(result, Err(Timeout));
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "operation timed out");

    let events = captured.events();
    let cancelled = cancellations(&events);
    assert_eq!(
        cancelled.len(),
        1,
        "only ask_supplier was dropped: {cancelled:#?}"
    );
    let cancelled = cancelled[0];
    assert_eq!(cancelled.level, tracing::Level::INFO);
    assert_eq!(cancelled.span.as_deref(), Some("ask_supplier"));
    assert!(
        cancelled
            .field("code.function.name")
            .ends_with("cancellation::ask_supplier"),
        "{cancelled:#?}"
    );
    // The line names the span's parent, the caller's span: a reader of the log lines places
    // the cancelled span by it (no other line of a dropped request says where it belongs).
    assert_eq!(
        cancelled.field("parent_span_id").len(),
        16,
        "{cancelled:#?}"
    );
    let elapsed: u64 = cancelled.field("tracefault.elapsed_us").parse().unwrap();
    assert!(
        (20_000..10_000_000).contains(&elapsed),
        "it ran for the 20 ms of the timeout: {elapsed} µs"
    );
}

#[test]
fn the_cancellation_event_is_filtered_like_any_other() {
    let (result, captured) = capture_at(LevelFilter::WARN, || support::block_on(handler()));
    assert_eq!(result, Err(Timeout));
    assert!(cancellations(&captured.events()).is_empty());
    assert_eq!(captured.reports().len(), 1);
}

#[derive(Debug, Clone, Default)]
struct Collect(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Collect {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

#[tracefault::trace]
async fn exported_callee() -> Result<u32, Timeout> {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(1)
}

#[tracefault::trace]
async fn exported_caller() -> Result<u32, Timeout> {
    tokio::time::timeout(Duration::from_millis(5), exported_callee())
        .await
        .map_err(|_| Timeout)?
}

#[test]
fn the_exported_span_of_a_cancelled_future_is_marked_and_not_an_error() {
    let collected = Collect::default();
    let guard = tracefault::Config::new()
        .span_exporter(collected.clone())
        .start_export()
        .expect("export starts")
        .expect("an exporter of its own needs no endpoint");
    assert_eq!(support::block_on(exported_caller()), Err(Timeout));
    drop(guard);

    let spans = collected.0.lock().unwrap();
    let named = |name: &str| {
        spans
            .iter()
            .find(|span| span.name == name)
            .unwrap_or_else(|| panic!("no span {name} in {spans:#?}"))
    };
    let callee = named("exported_callee");
    let cancelled = callee
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "tracefault.cancelled")
        .map(|kv| kv.value.to_string());
    assert_eq!(cancelled.as_deref(), Some("true"));
    assert_eq!(callee.status, Status::Unset);
    let caller = named("exported_caller");
    assert!(matches!(caller.status, Status::Error { .. }));
    assert_eq!(
        callee.parent_span_id,
        caller.span_context.span_id(),
        "the cancelled span is the caller's child"
    );
}
