//! `RUST_BACKTRACE=0` turns capture off, as it does for `std`'s backtraces, unless a function
//! says `backtrace = "always"`. (Its own test binary: the environment is read once.)

mod support;

use support::{capture, Failure};

#[tracefault::trace]
fn fails() -> Result<(), Failure> {
    Err(Failure::new("no backtrace wanted"))
}

#[tracefault::trace(backtrace = "always")]
fn fails_loudly() -> Result<(), Failure> {
    Err(Failure::new("backtrace wanted"))
}

#[test]
fn rust_backtrace_zero_means_never_unless_always() {
    std::env::remove_var("RUST_LIB_BACKTRACE");
    std::env::set_var("RUST_BACKTRACE", "0");
    let before = tracefault::__private::captures_on_this_thread();
    let (_, captured) = capture(|| {
        let _ = fails();
        let _ = fails_loudly();
    });
    assert_eq!(tracefault::__private::captures_on_this_thread() - before, 1);
    let reports = captured.reports();
    let quiet = reports[0].field("exception.stacktrace");
    assert!(
        quiet.contains("(backtrace not captured: RUST_BACKTRACE=0)"),
        "{quiet}"
    );
    assert!(
        quiet.contains("File \"tests/tests/backtrace_env.rs\", line 9, in backtrace_env::fails"),
        "{quiet}"
    );
    let loud = reports[1].field("exception.stacktrace");
    assert!(
        loud.contains(", in backtrace_env::fails_loudly\n"),
        "{loud}"
    );
    assert!(loud.contains("runtime frames hidden]"), "{loud}");
}
