//! What an instrumented call costs, against a bare call and `#[tracing::instrument]` on the
//! same function shapes in the same run: with no subscriber, with a `Registry` and a layer
//! that does nothing, and on the error path at stack depth 20 through 1 and 10 levels.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tracefault_benches::at_depth;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failure")
    }
}

impl std::error::Error for Failure {}

#[inline(never)]
fn bare(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracing::instrument(skip_all)]
fn with_tracing(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracefault::trace]
fn with_tracefault(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

/// A layer that is interested in everything and does nothing with it.
struct Nothing;
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Nothing {}

fn ok_path(c: &mut Criterion, group_name: &str) {
    let mut group = c.benchmark_group(group_name);
    group.bench_function("bare", |b| b.iter(|| bare(black_box(1))));
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| with_tracing(black_box(1)))
    });
    group.bench_function("tracefault", |b| b.iter(|| with_tracefault(black_box(1))));
    group.finish();
}

fn disabled(c: &mut Criterion) {
    ok_path(c, "ok_path_no_subscriber");
}

fn enabled(c: &mut Criterion) {
    let subscriber = tracing_subscriber::registry().with(Nothing);
    tracing::subscriber::with_default(subscriber, || ok_path(c, "ok_path_registry"));
}

#[inline(never)]
#[tracefault::trace]
fn fails() -> Result<u64, Failure> {
    Err(Failure)
}

#[inline(never)]
#[tracefault::trace]
fn propagates(levels: u32) -> Result<u64, Failure> {
    if levels == 0 {
        fails()
    } else {
        propagates(levels - 1)
    }
}

#[inline(never)]
#[tracing::instrument(err, skip_all)]
fn tracing_fails() -> Result<u64, Failure> {
    Err(Failure)
}

#[inline(never)]
#[tracing::instrument(err, skip_all)]
fn tracing_propagates(levels: u32) -> Result<u64, Failure> {
    if levels == 0 {
        tracing_fails()
    } else {
        tracing_propagates(levels - 1)
    }
}

#[inline(never)]
fn force_capture_fails() -> Result<u64, (Failure, std::backtrace::Backtrace)> {
    Err((Failure, std::backtrace::Backtrace::force_capture()))
}

fn error_path(c: &mut Criterion) {
    tracefault::set_backtrace_rate(u32::MAX - 1);
    let subscriber = tracing_subscriber::registry().with(Nothing);
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("err_path_depth_20");
        group.bench_function("tracefault_1_level", |b| {
            at_depth(20, &mut || b.iter(|| black_box(propagates(0))))
        });
        group.bench_function("tracefault_10_levels", |b| {
            at_depth(20, &mut || b.iter(|| black_box(propagates(9))))
        });
        group.bench_function("tracing_instrument_err_1_level", |b| {
            at_depth(20, &mut || b.iter(|| black_box(tracing_propagates(0))))
        });
        group.bench_function("tracing_instrument_err_10_levels", |b| {
            at_depth(20, &mut || b.iter(|| black_box(tracing_propagates(9))))
        });
        group.bench_function("std_force_capture_at_origin", |b| {
            at_depth(20, &mut || {
                b.iter(|| black_box(force_capture_fails().is_err()))
            })
        });
        group.finish();
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = disabled, enabled, error_path
}
criterion_main!(benches);
