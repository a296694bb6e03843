//! An error storm does not become a CPU storm: each function captures a bounded number of
//! backtraces per second, and every error is still reported. (Its own test binary: the rate
//! is process-wide.)

mod support;

use support::{capture, Failure};

#[tracefault::trace]
fn storms() -> Result<(), Failure> {
    Err(Failure::new("overloaded"))
}

#[tracefault::trace(backtrace = "always")]
fn always_captures() -> Result<(), Failure> {
    Err(Failure::new("overloaded"))
}

#[test]
fn captures_over_the_rate_are_suppressed_but_reported() {
    support::install();
    tracefault::set_backtrace_rate(2);
    assert_eq!(tracefault::backtrace_rate(), 2);
    // Without a subscriber nothing is formatted, so the storm takes microseconds, far less
    // than the half second in which the bucket regains a token.
    let before = tracefault::__private::captures_on_this_thread();
    for _ in 0..5 {
        let _ = storms();
    }
    assert_eq!(tracefault::__private::captures_on_this_thread() - before, 2);

    let (_, captured) = capture(storms);
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    assert!(
        stacktrace.contains(
            "(backtrace suppressed: 4 similar errors here since the last captured one, over the \
             limit of 2 per second)"
        ),
        "{stacktrace}"
    );
    assert!(stacktrace.contains("in rate_limit::storms at tests/tests/rate_limit.rs:"));
    assert_eq!(tracefault::__private::captures_on_this_thread() - before, 2);

    // `backtrace = "always"` is not limited.
    let before = tracefault::__private::captures_on_this_thread();
    for _ in 0..5 {
        let _ = always_captures();
    }
    assert_eq!(tracefault::__private::captures_on_this_thread() - before, 5);
}
