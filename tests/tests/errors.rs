//! Errors are captured at their origin, carried up by the instrumented callers that propagate
//! them, and reported once, when they leave the outermost.

mod support;

use support::{capture, capture_async, capture_at, Failure};
use tracing::Level;
use tracing_subscriber::filter::LevelFilter;

#[tracefault::trace]
fn level5() -> Result<(), Failure> {
    Err(Failure::new("disk full"))
}
#[tracefault::trace]
fn level4() -> Result<(), Failure> {
    level5()
}
#[tracefault::trace]
fn level3() -> Result<(), Failure> {
    level4()?;
    Ok(())
}
#[tracefault::trace]
fn level2() -> Result<(), Failure> {
    level3()
}
#[tracefault::trace]
fn level1() -> Result<(), Failure> {
    level2()?;
    Ok(())
}

const LEVELS: [&str; 5] = ["level1", "level2", "level3", "level4", "level5"];

fn assert_span_trace(stacktrace: &str, functions: &[&str]) {
    let section = stacktrace
        .split("Span trace (outermost first):")
        .nth(1)
        .expect("a span trace");
    let named: Vec<&str> = section
        .lines()
        .filter_map(|line| line.trim().strip_prefix("in errors::"))
        .map(|rest| rest.split(' ').next().unwrap())
        .collect();
    assert_eq!(named, functions, "{stacktrace}");
}

#[test]
fn an_error_through_five_levels_is_reported_once_by_the_outermost() {
    let captures_before = tracefault::__private::captures_on_this_thread();
    let (result, captured) = capture(level1);
    assert_eq!(result.unwrap_err().message, "disk full");
    assert_eq!(
        tracefault::__private::captures_on_this_thread() - captures_before,
        1
    );

    let report = captured.the_report();
    assert_eq!(report.span.as_deref(), Some("level1"));
    assert_eq!(report.field("exception.type"), "errors::support::Failure");
    assert_eq!(report.field("exception.message"), "disk full");
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.starts_with("Traceback (most recent call last):"),
        "{stacktrace}"
    );
    assert!(
        stacktrace.contains("errors::support::Failure: disk full"),
        "{stacktrace}"
    );
    assert_span_trace(stacktrace, &LEVELS);
    assert!(stacktrace.contains("(origin)"));

    for name in LEVELS {
        assert_eq!(captured.span(name).fields["error"], "true", "{name}");
    }
    let origin = captured.span("level5");
    assert_eq!(origin.fields["exception.type"], "errors::support::Failure");
    assert_eq!(origin.fields["exception.message"], "disk full");
    assert!(!captured
        .span("level4")
        .fields
        .contains_key("exception.type"));
}

#[test]
fn the_traceback_shows_each_level_at_its_call_line_outermost_first() {
    let (_, captured) = capture(level1);
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    let positions: Vec<usize> = LEVELS
        .iter()
        .map(|name| {
            stacktrace
                .find(&format!(", in errors::{name}\n"))
                .unwrap_or_else(|| panic!("{name} missing from the traceback:\n{stacktrace}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{stacktrace}"
    );
    assert!(
        stacktrace.contains("level2()?;"),
        "the source line of a call is shown:\n{stacktrace}"
    );
}

#[tracefault::trace]
async fn async_level5() -> Result<(), Failure> {
    tokio::task::yield_now().await;
    Err(Failure::new("timeout"))
}
#[tracefault::trace]
async fn async_level4() -> Result<(), Failure> {
    async_level5().await
}
#[tracefault::trace]
async fn async_level3() -> Result<(), Failure> {
    async_level4().await?;
    Ok(())
}
#[tracefault::trace]
async fn async_level2() -> Result<(), Failure> {
    tokio::task::yield_now().await;
    async_level3().await
}
#[tracefault::trace]
async fn async_level1() -> Result<(), Failure> {
    async_level2().await?;
    Ok(())
}

#[test]
fn an_async_error_through_five_levels_is_reported_once() {
    let captures_before = tracefault::__private::captures_on_this_thread();
    let (result, captured) = capture_async(async_level1());
    assert_eq!(result.unwrap_err().message, "timeout");
    assert_eq!(
        tracefault::__private::captures_on_this_thread() - captures_before,
        1
    );
    let report = captured.the_report();
    assert_eq!(report.span.as_deref(), Some("async_level1"));
    assert_span_trace(
        report.field("exception.stacktrace"),
        &[
            "async_level1",
            "async_level2",
            "async_level3",
            "async_level4",
            "async_level5",
        ],
    );
}

#[tracefault::trace]
fn recovers() -> Result<u32, Failure> {
    match level3() {
        Ok(()) => Ok(1),
        Err(_) => Ok(0),
    }
}

#[test]
fn a_handled_error_is_not_reported() {
    let (result, captured) = capture(recovers);
    assert_eq!(result.unwrap(), 0);
    assert!(captured.reports().is_empty(), "{:#?}", captured.reports());
    let handled: Vec<_> = captured
        .events()
        .into_iter()
        .filter(|event| event.target == "tracefault" && event.level == Level::DEBUG)
        .collect();
    assert_eq!(handled.len(), 1, "{handled:#?}");
    assert_eq!(handled[0].field("exception.message"), "disk full");
    // The spans the error escaped stay marked; the one that handled it does not.
    for name in ["level3", "level4", "level5"] {
        assert_eq!(captured.span(name).fields["error"], "true");
    }
    let recovers = captured.span("recovers");
    assert!(!recovers.fields.contains_key("error"));
    assert!(!recovers.fields.contains_key("exception.type"));
}

#[tracefault::trace]
async fn recovers_async() -> Result<u32, Failure> {
    Ok(if async_level3().await.is_err() { 0 } else { 1 })
}

#[test]
fn a_handled_async_error_is_not_reported() {
    let (result, captured) = capture_async(recovers_async());
    assert_eq!(result.unwrap(), 0);
    assert!(captured.reports().is_empty(), "{:#?}", captured.reports());
}

#[tracefault::trace]
fn replaces_the_error() -> Result<(), Failure> {
    let _ = level4();
    Err(Failure::new("a different failure"))
}

#[test]
fn a_caller_that_returns_an_unrelated_error_is_its_origin() {
    let captures_before = tracefault::__private::captures_on_this_thread();
    let (_, captured) = capture(replaces_the_error);
    assert_eq!(
        tracefault::__private::captures_on_this_thread() - captures_before,
        2
    );
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "a different failure");
    assert_span_trace(
        report.field("exception.stacktrace"),
        &["replaces_the_error"],
    );
}

#[tracefault::trace]
fn wraps() -> Result<(), Failure> {
    level4().map_err(|source| Failure::caused_by("could not save", source))
}

#[test]
fn a_wrapped_error_keeps_its_origin_and_names_the_wrapped_type() {
    let captures_before = tracefault::__private::captures_on_this_thread();
    let (_, captured) = capture(wraps);
    assert_eq!(
        tracefault::__private::captures_on_this_thread() - captures_before,
        1
    );
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "could not save");
    let stacktrace = report.field("exception.stacktrace");
    assert_span_trace(stacktrace, &["wraps", "level4", "level5"]);
    assert!(
        stacktrace
            .contains("The above error was caused by:\n  errors::support::Failure: disk full"),
        "{stacktrace}"
    );
}

#[test]
fn reports_do_not_depend_on_the_span_level() {
    // With only ERROR enabled, every INFO span is filtered out; the report still comes, with
    // the whole span trace.
    let (_, captured) = capture_at(LevelFilter::ERROR, level1);
    assert!(captured.spans().is_empty());
    let report = captured.the_report();
    assert_span_trace(report.field("exception.stacktrace"), &LEVELS);
}

#[test]
fn without_a_subscriber_errors_pass_through_unchanged() {
    assert_eq!(level1().unwrap_err().message, "disk full");
    assert_eq!(recovers().unwrap(), 0);
}

#[test]
fn successive_errors_are_reported_separately() {
    let (_, captured) = capture(|| {
        let _ = level1();
        let _ = level2();
    });
    let reports = captured.reports();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].span.as_deref(), Some("level1"));
    assert_eq!(reports[1].span.as_deref(), Some("level2"));
}

#[tracefault::trace]
fn returns_a_string_error() -> Result<(), String> {
    Err("plain text".into())
}

#[tracefault::trace]
fn returns_a_boxed_error() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err(Box::new(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "missing",
    )))
}

#[test]
fn errors_that_are_not_std_errors_are_described_as_well_as_they_allow() {
    let (_, captured) = capture(returns_a_string_error);
    let report = captured.the_report();
    assert_eq!(report.field("exception.type"), "String");
    assert_eq!(report.field("exception.message"), "plain text");

    let (_, captured) = capture(returns_a_boxed_error);
    let report = captured.the_report();
    assert_eq!(report.field("exception.type"), "std::io::Error");
    assert_eq!(report.field("exception.message"), "missing");
}

#[derive(Debug)]
struct Layered {
    message: &'static str,
    source: Option<Box<Layered>>,
}

impl std::fmt::Display for Layered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Layered {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[tracefault::trace]
fn three_deep() -> Result<(), Layered> {
    let io = Layered {
        message: "socket closed",
        source: None,
    };
    let db = Layered {
        message: "query failed",
        source: Some(Box::new(io)),
    };
    Err(Layered {
        message: "order not saved",
        source: Some(Box::new(db)),
    })
}

#[test]
fn a_chain_of_three_errors_is_printed_in_order() {
    let (_, captured) = capture(three_deep);
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    let expected = "errors::Layered: order not saved\n\n\
                    The above error was caused by:\n  \
                    query failed\n  \
                    socket closed\n";
    assert!(stacktrace.contains(expected), "{stacktrace}");
}

#[inline(never)]
fn descend(depth: u32) -> Result<(), Failure> {
    if depth == 0 {
        return level5();
    }
    descend(depth - 1)?;
    std::hint::black_box(depth);
    Ok(())
}

#[test]
fn recursion_is_shown_three_times_then_counted_as_python_does() {
    let (_, captured) = capture(|| descend(10));
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    assert_eq!(
        stacktrace.matches(", in errors::descend\n").count(),
        4,
        "{stacktrace}"
    );
    assert!(
        stacktrace.contains("[Previous line repeated 7 more times]"),
        "{stacktrace}"
    );
}

/// `Error` only for `'static` contents: described by `Display`, without a bound added.
#[derive(Debug)]
struct Full<T>(T);
impl<T> std::fmt::Display for Full<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the ring is full")
    }
}
impl<T: 'static + std::fmt::Debug> std::error::Error for Full<T> {}

#[tracefault::trace]
fn push_str(text: &str) -> Result<(), Full<&str>> {
    Err(Full(text))
}

#[test]
fn an_error_whose_error_impl_needs_static_is_described_by_display() {
    let (result, captured) = capture(|| push_str("sku 42").map_err(|full| full.0.to_owned()));
    assert_eq!(result, Err("sku 42".to_owned()));
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "the ring is full");
    assert_eq!(report.field("exception.type"), "errors::Full<&str>");
}
