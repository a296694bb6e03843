//! Backtrace capture at stack depth 20 and report formatting, first and cached, against
//! `std::backtrace::Backtrace` and the `backtrace` crate in the same run.

use criterion::{criterion_group, BatchSize, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tracefault::report::ErrorReport;
use tracefault::traceback::Traceback;
use tracefault_benches::at_depth;

const DEPTH: u32 = 20;

fn capture(c: &mut Criterion) {
    let mut group = c.benchmark_group("capture_depth_20");
    group.bench_function("tracefault", |b| {
        at_depth(DEPTH, &mut || b.iter(|| black_box(Traceback::capture())))
    });
    group.bench_function("std_force_capture", |b| {
        at_depth(DEPTH, &mut || {
            b.iter(|| black_box(std::backtrace::Backtrace::force_capture()))
        })
    });
    group.bench_function("backtrace_new_unresolved", |b| {
        at_depth(DEPTH, &mut || {
            b.iter(|| black_box(backtrace::Backtrace::new_unresolved()))
        })
    });
    group.finish();
}

fn report_of(traceback: Traceback) -> ErrorReport {
    let mut report = ErrorReport::from_error(&std::io::Error::other("connection refused"));
    report.traceback = Some(traceback);
    report
}

fn format(c: &mut Criterion) {
    let mut group = c.benchmark_group("format_depth_20");
    // Each iteration formats a fresh capture with tracefault's caches emptied just before it:
    // one setup per iteration, or the batch's later iterations would find the symbols and
    // text that its first one cached.
    group.bench_function("tracefault_first", |b| {
        b.iter_batched(
            || {
                tracefault::traceback::clear_caches();
                report_of(at_depth(DEPTH, &mut Traceback::capture))
            },
            |report| black_box(report.to_string()),
            BatchSize::PerIteration,
        )
    });
    // A fresh capture of the same call path: its symbols are cached.
    group.bench_function("tracefault_cached", |b| {
        b.iter_batched(
            || report_of(at_depth(DEPTH, &mut Traceback::capture)),
            |report| black_box(report.to_string()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("std", |b| {
        b.iter_batched(
            || at_depth(DEPTH, &mut std::backtrace::Backtrace::force_capture),
            |backtrace| black_box(backtrace.to_string()),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The first formatting in a fresh process, where the debug info is read for the first time:
/// each iteration runs this benchmark binary again in `cold` mode and adds up what it timed.
fn format_cold(c: &mut Criterion) {
    let mut group = c.benchmark_group("format_depth_20");
    group.sample_size(10);
    group.bench_function("tracefault_first_in_process", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let output = std::process::Command::new(std::env::current_exe().unwrap())
                        .env(COLD, "1")
                        .output()
                        .expect("the benchmark binary runs again");
                    let nanos: u64 = String::from_utf8_lossy(&output.stdout)
                        .trim()
                        .parse()
                        .unwrap();
                    Duration::from_nanos(nanos)
                })
                .sum()
        })
    });
    group.finish();
}

const COLD: &str = "TRACEFAULT_BENCH_COLD";

/// `cold` mode: capture and format once, print the nanoseconds the formatting took.
fn format_once_cold() {
    let report = report_of(at_depth(DEPTH, &mut Traceback::capture));
    let start = std::time::Instant::now();
    black_box(report.to_string());
    println!("{}", start.elapsed().as_nanos());
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = capture, format, format_cold
}

fn main() {
    if std::env::var_os(COLD).is_some() {
        format_once_cold();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
