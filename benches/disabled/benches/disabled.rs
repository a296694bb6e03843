//! With tracefault's `enabled` feature off, `#[trace]` expands to the function as written: a
//! bare call, `#[tracing::instrument]` with no subscriber and `#[tracefault::trace]` on the
//! same shapes as `tracefault-benches` (sync and async), in the same run.

use criterion::{criterion_group, criterion_main, Criterion};
use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

#[derive(Debug)]
struct Failure;

#[inline(never)]
fn bare(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracing::instrument(skip_all)]
fn tracing_instrument(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracefault::trace]
fn tracefault(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
async fn async_bare(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracing::instrument(skip_all)]
async fn async_tracing_instrument(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[inline(never)]
#[tracefault::trace]
async fn async_tracefault(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

/// As `tracefault_benches::block_on`: polls on this thread with a waker that does nothing.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn feature_off(c: &mut Criterion) {
    let mut group = c.benchmark_group("feature_off_ok_path");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(1))));
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| tracing_instrument(black_box(1)))
    });
    group.bench_function("tracefault", |b| b.iter(|| tracefault(black_box(1))));
    group.finish();

    let mut group = c.benchmark_group("feature_off_async");
    group.bench_function("bare", |b| b.iter(|| block_on(async_bare(black_box(1)))));
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| block_on(async_tracing_instrument(black_box(1))))
    });
    group.bench_function("tracefault", |b| {
        b.iter(|| block_on(async_tracefault(black_box(1))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = feature_off
}
criterion_main!(benches);
