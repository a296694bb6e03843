//! Exporting every span: tracefault with `otel` against `#[tracing::instrument]` with
//! `tracing-opentelemetry` on a `Registry`, each handing its spans to `opentelemetry_sdk`'s
//! batch processor in front of an exporter that drops them. The same shapes as the overhead
//! benchmarks, on the Ok path and on the error path (an error made at stack depth 20,
//! returned through 10 instrumented levels).

use criterion::{criterion_group, criterion_main, Criterion};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter};
use std::hint::black_box;
use std::time::Duration;
use tracefault_benches::shapes::{asynchronous, err, sync};
use tracefault_benches::{at_depth, block_on};
use tracing_subscriber::layer::SubscriberExt;

/// An exporter that drops what it is given, for both sides.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// A layer that is interested in everything and does nothing with it.
struct Nothing;
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Nothing {}

fn otel(c: &mut Criterion) {
    // Every error captures: the per-callsite rate limit would otherwise stop the captures.
    tracefault::set_backtrace_rate(u32::MAX - 1);
    let _export = tracefault::Config::new()
        .span_exporter(Discard)
        .start_export()
        .expect("export starts")
        .expect("an exporter of its own needs no endpoint");

    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(Discard).build())
        .build();
    let peer = tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"))),
    );

    let mut ok = c.benchmark_group("ok_path_otel");
    tracing::dispatcher::with_default(&peer, || {
        ok.bench_function("tracing_opentelemetry", |b| {
            b.iter(|| sync::tracing_instrument(black_box(1)))
        });
        ok.bench_function("tracing_opentelemetry_async", |b| {
            b.iter(|| block_on(asynchronous::tracing_instrument(black_box(1))))
        });
    });
    // Exported without a subscriber: tracefault's spans are exported by tracefault itself.
    ok.bench_function("tracefault", |b| b.iter(|| sync::tracefault(black_box(1))));
    ok.bench_function("tracefault_async", |b| {
        b.iter(|| block_on(asynchronous::tracefault(black_box(1))))
    });
    // And with a `Registry` as well, for a service that also logs.
    tracing::subscriber::with_default(tracing_subscriber::registry().with(Nothing), || {
        ok.bench_function("tracefault_and_registry", |b| {
            b.iter(|| sync::tracefault(black_box(1)))
        });
    });
    ok.finish();

    let mut errors = c.benchmark_group("err_path_otel_depth_20");
    tracing::dispatcher::with_default(&peer, || {
        errors.bench_function("tracing_opentelemetry_err_10_levels", |b| {
            at_depth(20, &mut || {
                b.iter(|| black_box(err::tracing_instrument::propagate(black_box(10))))
            })
        });
    });
    errors.bench_function("tracefault_10_levels", |b| {
        at_depth(20, &mut || {
            b.iter(|| black_box(err::tracefault::propagate(black_box(10))))
        })
    });
    errors.finish();
    let _ = provider.shutdown();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = otel
}
criterion_main!(benches);
