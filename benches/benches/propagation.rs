//! Extracting and injecting `traceparent` with a 4-member `tracestate` over `http::HeaderMap`:
//! tracefault against OpenTelemetry's `TraceContextPropagator` in the same run.

use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue};
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::hint::black_box;
use std::time::Duration;

fn incoming() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    );
    headers.insert(
        "tracestate",
        HeaderValue::from_static(
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,vendor@tenant=x1,ours=abc",
        ),
    );
    headers
}

fn extract_and_inject(c: &mut Criterion) {
    let headers = incoming();
    let mut group = c.benchmark_group("propagation_extract_inject");
    group.bench_function("tracefault", |b| {
        b.iter(|| {
            // Trace context only, as the propagator it is compared with handles.
            let span = tracefault::extract(black_box(&headers));
            let context = tracefault::context::Context::new(span, Default::default());
            let mut out = HeaderMap::new();
            tracefault::propagation::inject_context(&context, &mut out);
            black_box(out)
        })
    });
    let propagator = TraceContextPropagator::new();
    group.bench_function("opentelemetry_trace_context_propagator", |b| {
        b.iter(|| {
            let context = propagator.extract(&HeaderExtractor(black_box(&headers)));
            let mut out = HeaderMap::new();
            propagator.inject_context(&context, &mut HeaderInjector(&mut out));
            black_box(out)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = extract_and_inject
}
criterion_main!(benches);
