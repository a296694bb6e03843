//! What an instrumented call costs, against a bare call, `#[tracing::instrument]` and
//! `#[fastrace::trace]` on the same function shapes (`tracefault_benches::shapes`) in the same
//! run: with nothing collecting, with each one's ordinary collector doing nothing expensive,
//! and on the error path at stack depth 20 through 1 and 10 levels.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use fastrace::collector::{Config, Reporter, SpanContext, SpanRecord};
use fastrace::Span;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tracefault_benches::shapes::{asynchronous, err, sync};
use tracefault_benches::{at_depth, block_on};
use tracing_subscriber::layer::SubscriberExt;

/// A layer that is interested in everything and does nothing with it.
struct Nothing;
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Nothing {}

/// A fastrace reporter that drops what it is given.
struct Discard;
impl Reporter for Discard {
    fn report(&mut self, spans: Vec<SpanRecord>) {
        black_box(spans);
    }
}

type Group<'a> = BenchmarkGroup<'a, WallTime>;

fn sync_tracing_and_tracefault(group: &mut Group<'_>) {
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| sync::tracing_instrument(black_box(1)))
    });
    group.bench_function("tracefault", |b| b.iter(|| sync::tracefault(black_box(1))));
}

fn async_tracing_and_tracefault(group: &mut Group<'_>) {
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| block_on(asynchronous::tracing_instrument(black_box(1))))
    });
    group.bench_function("tracefault", |b| {
        b.iter(|| block_on(asynchronous::tracefault(black_box(1))))
    });
}

/// No subscriber, no fastrace reporter: what instrumentation costs when nothing collects.
/// Runs before anything installs a collector, so that no callsite has cached an interest.
fn disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("ok_path_no_subscriber");
    group.bench_function("bare", |b| b.iter(|| sync::bare(black_box(1))));
    group.bench_function("fastrace", |b| b.iter(|| sync::fastrace(black_box(1))));
    sync_tracing_and_tracefault(&mut group);
    group.finish();

    let mut group = c.benchmark_group("async_no_subscriber");
    group.bench_function("bare", |b| {
        b.iter(|| block_on(asynchronous::bare(black_box(1))))
    });
    group.bench_function("fastrace", |b| {
        b.iter(|| block_on(asynchronous::fastrace(black_box(1))))
    });
    async_tracing_and_tracefault(&mut group);
    group.finish();
}

/// `Registry` and a layer that does nothing: the cost of the spans themselves.
fn registry(c: &mut Criterion) {
    let subscriber = tracing_subscriber::registry().with(Nothing);
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("ok_path_registry");
        sync_tracing_and_tracefault(&mut group);
        group.finish();
        let mut group = c.benchmark_group("async_registry");
        async_tracing_and_tracefault(&mut group);
        group.finish();
    });
}

/// A formatting layer writing to `io::sink()`: both sides on the same subscriber.
fn fmt_sink(c: &mut Criterion) {
    // tracefault's own formatting layer, for both sides: the same work per span.
    let layer = tracefault::layer().with_writer(std::io::sink);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("ok_path_fmt_sink");
        sync_tracing_and_tracefault(&mut group);
        group.finish();
        let mut group = c.benchmark_group("async_fmt_sink");
        async_tracing_and_tracefault(&mut group);
        group.finish();
    });
}

/// Calls per fastrace root span: its own cost and its submission to the collector are shared
/// out as in a request that makes many calls, and a thread's span queue (10,240) never fills.
const CALLS_PER_ROOT: u64 = 1_000;

/// Times `iterations` calls made under fastrace root spans with their local parent set, as
/// fastrace's own benchmarks measure `#[trace]`: without a parent it records nothing.
fn under_fastrace_roots(iterations: u64, mut call: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut left = iterations;
    while left > 0 {
        let calls = left.min(CALLS_PER_ROOT);
        let root = Span::root("root", SpanContext::random());
        let _parent = root.set_local_parent();
        for _ in 0..calls {
            call();
        }
        left -= calls;
    }
    start.elapsed()
}

/// fastrace with a reporter that drops the spans, fed by fastrace's collector thread.
fn fastrace_reporter(c: &mut Criterion) {
    fastrace::set_reporter(Discard, Config::default());
    let mut group = c.benchmark_group("ok_path_fastrace_reporter");
    group.bench_function("fastrace", |b| {
        b.iter_custom(|iterations| {
            under_fastrace_roots(iterations, || {
                black_box(sync::fastrace(black_box(1))).ok();
            })
        })
    });
    group.finish();
    let mut group = c.benchmark_group("async_fastrace_reporter");
    group.bench_function("fastrace", |b| {
        b.iter_custom(|iterations| {
            under_fastrace_roots(iterations, || {
                black_box(block_on(asynchronous::fastrace(black_box(1)))).ok();
            })
        })
    });
    group.finish();
}

/// An error made at stack depth 20, returned through 1 and through 10 levels, with a
/// `Registry` and a layer that does nothing (tracefault's report is an event nobody formats).
fn error_path(c: &mut Criterion) {
    // Every error captures: the per-callsite rate limit would otherwise stop the captures.
    tracefault::set_backtrace_rate(u32::MAX - 1);
    let subscriber = tracing_subscriber::registry().with(Nothing);
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("err_path_depth_20");
        for levels in [1, 10] {
            let suffix = if levels == 1 { "1_level" } else { "10_levels" };
            group.bench_function(format!("bare_{suffix}"), |b| {
                at_depth(20, &mut || {
                    b.iter(|| black_box(err::bare::propagate(black_box(levels))))
                })
            });
            group.bench_function(format!("tracefault_{suffix}"), |b| {
                at_depth(20, &mut || {
                    b.iter(|| black_box(err::tracefault::propagate(black_box(levels))))
                })
            });
            group.bench_function(format!("tracing_instrument_err_{suffix}"), |b| {
                at_depth(20, &mut || {
                    b.iter(|| black_box(err::tracing_instrument::propagate(black_box(levels))))
                })
            });
            group.bench_function(format!("std_force_capture_{suffix}"), |b| {
                at_depth(20, &mut || {
                    b.iter(|| black_box(err::force_capture::propagate(black_box(levels))))
                })
            });
        }
        group.finish();
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    // In this order: `disabled` must run before any collector is installed.
    targets = disabled, registry, fmt_sink, fastrace_reporter, error_path
}
criterion_main!(benches);
