//! A panic inside an instrumented function is reported once and unwinds on unchanged: the same
//! payload reaches `catch_unwind`, tokio's `JoinError` and the test harness.

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use support::{block_on, capture, capture_async};

#[derive(Debug, PartialEq)]
struct Payload(u32);

#[tracefault::trace]
fn explodes(code: u32) -> u32 {
    std::panic::panic_any(Payload(code))
}

#[tracefault::trace]
fn validates(input: &str) -> Result<u32, std::num::ParseIntError> {
    if input.is_empty() {
        panic!("empty input for {input:?}");
    }
    input.parse()
}

#[tracefault::trace]
fn outer_caller() -> Result<u32, std::num::ParseIntError> {
    let value = validates("")?;
    Ok(value + 1)
}

#[test]
fn the_payload_is_unchanged() {
    let (payload, captured) = capture(|| catch_unwind(|| explodes(7)).unwrap_err());
    assert_eq!(payload.downcast_ref::<Payload>(), Some(&Payload(7)));
    let report = captured.the_report();
    assert_eq!(report.field("exception.type"), "panic");
    assert_eq!(report.field("exception.message"), "Box<dyn Any>");
    assert_eq!(captured.span("explodes").fields["error"], "true");
}

#[test]
fn a_panic_is_reported_once_with_its_message_and_site() {
    let (payload, captured) = capture(|| catch_unwind(outer_caller).unwrap_err());
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("empty input for \"\"")
    );
    let report = captured.the_report();
    assert_eq!(report.span.as_deref(), Some("outer_caller"));
    assert_eq!(report.field("exception.message"), "empty input for \"\"");
    let stacktrace = report.field("exception.stacktrace");
    assert!(stacktrace.contains("panic: empty input"), "{stacktrace}");
    let site = stacktrace
        .find("panic!(\"empty input")
        .expect("the panic site's line");
    let caller = stacktrace
        .find("validates(\"\")?")
        .expect("the caller's line");
    assert!(caller < site, "most recent call last:\n{stacktrace}");
    assert!(
        stacktrace.contains("in panics::outer_caller at tests/tests/panics.rs:"),
        "{stacktrace}"
    );
    assert!(
        stacktrace.contains("in panics::validates at tests/tests/panics.rs:"),
        "{stacktrace}"
    );
    assert_eq!(captured.span("validates").fields["exception.type"], "panic");
    assert_eq!(captured.span("outer_caller").fields["error"], "true");
}

#[tracefault::trace]
async fn explodes_later(code: u32) -> u32 {
    tokio::task::yield_now().await;
    std::panic::panic_any(Payload(code))
}

#[test]
fn a_panic_in_an_async_fn_polled_by_tokio_reaches_the_join_handle_unchanged() {
    let (error, captured) =
        capture_async(async { tokio::spawn(explodes_later(9)).await.unwrap_err() });
    assert!(error.is_panic());
    assert_eq!(
        error.into_panic().downcast_ref::<Payload>(),
        Some(&Payload(9))
    );
    let report = captured.the_report();
    assert_eq!(report.field("exception.type"), "panic");
    assert_eq!(report.span.as_deref(), Some("explodes_later"));
}

/// std prints a panic whether it is caught or not; tracefault, which does not call std's hook
/// for the panics it records, reports one caught inside instrumented code where it was
/// caught, once, rather than lose it.
#[test]
fn a_panic_caught_inside_an_instrumented_function_is_reported_once_as_caught_there() {
    #[tracefault::trace]
    fn catches() -> bool {
        catch_unwind(|| explodes(1)).is_err()
    }
    let (caught, captured) = capture(catches);
    assert!(caught);
    let report = captured.the_report();
    let message = report.field("message");
    assert!(
        message.starts_with("panic caught in panics::") && message.ends_with("::catches"),
        "{message}"
    );
    assert_eq!(report.span.as_deref(), Some("catches"));
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains("std::panic::panic_any(Payload(code))"),
        "the panic site: {stacktrace}"
    );
    assert!(
        stacktrace.contains("in panics::explodes at"),
        "{stacktrace}"
    );
    // The function that unwound failed; the one that caught the panic did not.
    assert_eq!(captured.span("explodes").fields["error"], "true");
    assert!(!captured.span("catches").fields.contains_key("error"));

    // Caught before it unwound any instrumented function: the same.
    #[tracefault::trace]
    fn catches_its_own() -> bool {
        catch_unwind(|| -> u32 { panic!("caught at once") }).is_err()
    }
    let (caught, captured) = capture(catches_its_own);
    assert!(caught);
    let report = captured.the_report();
    assert!(report.field("message").ends_with("::catches_its_own"));
    assert_eq!(report.field("exception.message"), "caught at once");
    assert!(report
        .field("exception.stacktrace")
        .contains("panic!(\"caught at once\")"));
}

#[test]
fn a_panic_hook_installed_before_still_runs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    // The harness runs tests on several threads; this hook counts only this test's panics.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<Payload>() == Some(&Payload(4242)) {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }
        previous(info);
    }));
    tracefault::install_panic_hook();
    let _ = catch_unwind(|| explodes(4242));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
}

#[test]
fn panic_false_lets_the_panic_through_without_a_record() {
    #[tracefault::trace(panic = false)]
    fn unrecorded() {
        panic!("not recorded here");
    }
    let (_, captured) = capture(|| catch_unwind(unrecorded).unwrap_err());
    assert!(captured.reports().is_empty());
    assert!(!captured.span("unrecorded").fields.contains_key("error"));
}

#[test]
fn a_panic_without_a_subscriber_unwinds_as_before() {
    let payload = catch_unwind(AssertUnwindSafe(|| block_on(explodes_later(3)))).unwrap_err();
    assert_eq!(payload.downcast_ref::<Payload>(), Some(&Payload(3)));
}
