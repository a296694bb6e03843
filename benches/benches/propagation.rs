//! Extracting and injecting `traceparent` with a 4-member `tracestate` over `http::HeaderMap`:
//! tracefault against OpenTelemetry's `TraceContextPropagator` in the same run. And extracting
//! headers far over the limits that are kept: a 1 MB header against an 8 KB one of the same
//! shape, whose ratio shows whether the work is bounded by the limits or by the header.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
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

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// `unit` repeated to `size` bytes.
fn repeated(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len())
}

fn headers_with(name: &'static str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("traceparent", HeaderValue::from_static(PARENT));
    headers.insert(name, HeaderValue::from_str(value).expect("visible ASCII"));
    headers
}

/// A header of the shapes that once made the work grow with its size.
struct Shape {
    bench: &'static str,
    header: &'static str,
    value_of_size: fn(usize) -> String,
}

const SHAPES: [Shape; 5] = [
    Shape {
        bench: "baggage_kv",
        header: "baggage",
        value_of_size: |size| repeated("k=v,", size),
    },
    Shape {
        bench: "baggage_commas",
        header: "baggage",
        value_of_size: |size| repeated(",", size),
    },
    Shape {
        bench: "baggage_one_member",
        header: "baggage",
        value_of_size: |size| format!("big={},ok=1", "x".repeat(size - 9)),
    },
    Shape {
        bench: "tracestate_kv",
        header: "tracestate",
        value_of_size: |size| repeated("k=v,", size),
    },
    Shape {
        bench: "tracestate_commas",
        header: "tracestate",
        value_of_size: |size| repeated(",", size),
    },
];

fn extract_large_headers(c: &mut Criterion) {
    let mut group = c.benchmark_group("propagation_large_headers");
    // Before the work was bounded, a 1 MB header took milliseconds: equal iterations per sample
    // keep the run short either way.
    group.sampling_mode(SamplingMode::Flat).sample_size(30);
    for shape in &SHAPES {
        for (size_name, size) in [("8kb", 8 * 1024), ("1mb", 1024 * 1024)] {
            let headers = headers_with(shape.header, &(shape.value_of_size)(size));
            group.bench_function(format!("{}_{size_name}", shape.bench), |b| {
                b.iter(|| {
                    black_box(tracefault::propagation::extract_context(black_box(
                        &headers,
                    )))
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = extract_and_inject, extract_large_headers
}
criterion_main!(benches);
