//! Exporting every event as an OTLP log record: tracefault's `export::LogLayer` against
//! `opentelemetry-appender-tracing`'s bridge on the SDK's batch log processor, each on a
//! `Registry`, both in front of an exporter that drops what it is given. The same event (a
//! message and two fields), outside instrumented code, so that neither side pays for ids.
//! The queues are made large enough (`OTEL_BLRP_MAX_QUEUE_SIZE`, read by both) that neither
//! side measures dropping.

use criterion::{criterion_group, criterion_main, Criterion};
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLoggerProvider};
use std::hint::black_box;
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

/// An exporter that drops what it is given, for both sides.
#[derive(Debug)]
struct Discard;

impl LogExporter for Discard {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

fn event() {
    tracing::info!(sku = black_box(42_u64), customer = "c-17", "checking out");
}

fn logs(c: &mut Criterion) {
    // Both sides read these variables: queues no benchmark fills.
    std::env::set_var("OTEL_BLRP_MAX_QUEUE_SIZE", "1000000");
    std::env::set_var("OTEL_BLRP_SCHEDULE_DELAY", "50");
    let _export = tracefault::Config::new()
        .span_exporter(NoSpans)
        .log_exporter(Discard)
        .start_export()
        .expect("export starts")
        .expect("exporters of its own need no endpoint");
    let ours =
        tracing::Dispatch::new(tracing_subscriber::registry().with(tracefault::export::LogLayer));

    let provider = SdkLoggerProvider::builder()
        .with_batch_exporter(Discard)
        .build();
    let peer = tracing::Dispatch::new(
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider)),
    );

    let mut group = c.benchmark_group("logs");
    group.bench_function("opentelemetry_appender_tracing", |b| {
        tracing::dispatcher::with_default(&peer, || b.iter(event));
    });
    group.bench_function("tracefault", |b| {
        tracing::dispatcher::with_default(&ours, || b.iter(event));
    });
    group.finish();
    let stats = tracefault::export::log_stats();
    assert_eq!(stats.dropped, 0, "the queue was too small: {stats}");
    let _ = provider.shutdown();
}

/// Spans are not what this benchmark measures.
#[derive(Debug)]
struct NoSpans;

impl opentelemetry_sdk::trace::SpanExporter for NoSpans {
    async fn export(&self, _: Vec<opentelemetry_sdk::trace::SpanData>) -> OTelSdkResult {
        Ok(())
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = logs
}
criterion_main!(benches);
