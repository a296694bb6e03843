//! Expected errors: an `Err` that is an answer rather than a failure (an unknown id, a
//! callee's 4xx) is reported at `WARN`, "expected error escaped ...", without a backtrace;
//! panics and other errors stay `ERROR`.

mod support;

use support::{capture, Failure};
use tracefault::remote::{Exposure, Problem, RemoteError};
use tracing::Level;

#[tracefault::trace(expected)]
fn find_product(id: u64) -> Result<u64, Failure> {
    if id == 0 {
        Err(Failure::new("no product 0"))
    } else {
        Ok(id)
    }
}

/// Not marked itself: the error that leaves it left an expected function.
#[tracefault::trace]
fn price(id: u64) -> Result<u64, Failure> {
    let id = find_product(id)?;
    Ok(id * 100)
}

#[tracefault::trace(expected)]
fn expected_but_panics(values: &[u64]) -> Result<u64, Failure> {
    Ok(values[3])
}

#[tracefault::trace]
fn load(id: u64) -> Result<u64, Failure> {
    Err(Failure::new(format!("disk full while loading {id}")))
}

/// What a caller gets back from a callee that answered `status` with Problem Details.
fn answered(status: u16) -> RemoteError {
    let body = Problem::from_error(status, &Failure::new("no product 7"))
        .exposure(Exposure::Chain)
        .to_json();
    RemoteError::from_answer(
        "catalog",
        status,
        Some(Problem::CONTENT_TYPE),
        body.as_bytes(),
    )
}

/// Boxed, as clippy asks of a large error. Named by an alias: an error type written with
/// generic arguments is described by its `Display` alone (see the attribute's docs), without
/// the chain that holds the callee's status.
type CatalogError = Box<RemoteError>;

#[tracefault::trace]
fn call_catalog(status: u16) -> Result<u64, CatalogError> {
    Err(Box::new(answered(status)))
}

fn tracefault_events(captured: &support::Captured) -> Vec<support::EventRecord> {
    captured
        .events()
        .into_iter()
        .filter(|event| event.target == "tracefault" && event.level <= Level::WARN)
        .collect()
}

#[test]
fn an_expected_error_is_one_warn_report_without_a_backtrace() {
    let (result, captured) = capture(|| price(0));
    assert_eq!(result.unwrap_err().message, "no product 0");
    let events = tracefault_events(&captured);
    assert_eq!(events.len(), 1, "{events:#?}");
    let report = &events[0];
    assert_eq!(report.level, Level::WARN);
    assert_eq!(
        report.field("message"),
        "expected error escaped expected::price"
    );
    // No backtrace was captured: the traceback is the instrumented functions alone, and says
    // why.
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains("(backtrace not captured: an expected error, #[trace(expected)])"),
        "{stacktrace}"
    );
    assert!(
        !stacktrace.contains("runtime frames hidden"),
        "{stacktrace}"
    );
    // The span still says the function failed.
    assert_eq!(captured.span("find_product").fields["error"], "true");
}

#[test]
fn a_panic_in_an_expected_function_and_other_errors_stay_errors() {
    let (result, captured) =
        capture(|| std::panic::catch_unwind(|| expected_but_panics(&[1, 2])).map(|_| ()));
    assert!(result.is_err());
    assert_eq!(captured.the_report().level, Level::ERROR);

    let (result, captured) = capture(|| load(1));
    assert!(result.is_err());
    assert!(captured
        .the_report()
        .field("exception.stacktrace")
        .starts_with("Traceback"));
}

#[test]
fn a_callees_client_error_is_expected_and_its_server_error_is_not() {
    let (_, captured) = capture(|| call_catalog(404));
    let events = tracefault_events(&captured);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].level, Level::WARN);

    let (_, captured) = capture(|| call_catalog(503));
    assert_eq!(captured.the_report().level, Level::ERROR);
}
