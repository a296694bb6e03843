//! One error, one report, naming its true origin or saying it could not be told: when children
//! of one frame fail in the same poll (`join!`, `select!`, `FuturesUnordered`), when `?` boxes the error, when the error's
//! own `Display` is instrumented, and when the error crosses a spawned task.

mod support;

use std::error::Error;
use std::fmt;
use std::time::Duration;
use support::{capture, capture_async, EventRecord};

/// An error whose message says where it was made, or says nothing that could tell two apart.
#[derive(Debug, Clone, PartialEq)]
struct E(&'static str);

impl fmt::Display for E {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Error for E {}

/// The functions of a report's span trace, outermost first.
fn span_trace(report: &EventRecord) -> Vec<String> {
    let stacktrace = report.field("exception.stacktrace");
    let section = stacktrace
        .split("Span trace (outermost first):")
        .nth(1)
        .unwrap_or_else(|| panic!("no span trace in {stacktrace}"));
    section
        .lines()
        .filter_map(|line| line.trim().strip_prefix("in "))
        .map(|rest| rest.split(' ').next().unwrap().to_owned())
        .collect()
}

/// The functions the traceback shows, outermost first.
fn traceback_functions(report: &EventRecord) -> Vec<String> {
    report
        .field("exception.stacktrace")
        .lines()
        .filter_map(|line| line.trim().strip_prefix("File \""))
        .filter_map(|rest| rest.rsplit(", in ").next().map(str::to_owned))
        .collect()
}

/// tracefault's event for a record let go as handled.
fn is_handled(event: &EventRecord) -> bool {
    event.target == "tracefault"
        && event
            .fields
            .get("message")
            .is_some_and(|m| m == "error handled")
}

fn handled(captured: &support::Captured) -> usize {
    captured.events().iter().filter(|e| is_handled(e)).count()
}

mod join {
    use super::*;

    #[tracefault::trace]
    pub(crate) async fn a(message: &'static str) -> Result<(), E> {
        Err(E(message))
    }

    #[tracefault::trace]
    pub(crate) async fn b(message: &'static str) -> Result<(), E> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        Err(E(message))
    }

    #[tracefault::trace]
    pub(crate) async fn parent(a_says: &'static str, b_says: &'static str) -> Result<(), E> {
        let (ra, _rb) = tokio::join!(a(a_says), b(b_says));
        ra
    }

    #[tracefault::trace]
    pub(crate) async fn parent_returning_b(
        a_says: &'static str,
        b_says: &'static str,
    ) -> Result<(), E> {
        let (_ra, rb) = futures::join!(a(a_says), b(b_says));
        rb
    }
}

/// The report continues the record of the child whose error the parent returned, with that
/// child's traceback; the other child's error was handled.
fn assert_continues(report: &EventRecord, parent: &str, child: &str, message: &str) {
    assert_eq!(report.field("exception.message"), message);
    assert_eq!(
        span_trace(report),
        [
            format!("failure_record::join::{parent}"),
            format!("failure_record::join::{child}")
        ],
        "{}",
        report.field("exception.stacktrace")
    );
    let shown = traceback_functions(report);
    assert!(
        shown
            .last()
            .is_some_and(|function| function.ends_with(&format!("join::{child}"))),
        "the origin's traceback: {shown:?}"
    );
}

#[test]
fn join_the_parent_continues_the_child_whose_error_it_returns() {
    for _ in 0..100 {
        let (result, captured) = capture_async(join::parent("a failed", "b failed"));
        assert_eq!(result, Err(E("a failed")));
        assert_continues(&captured.the_report(), "parent", "a", "a failed");
        assert_eq!(handled(&captured), 1, "b's error was handled");

        let (result, captured) = capture_async(join::parent_returning_b("a failed", "b failed"));
        assert_eq!(result, Err(E("b failed")));
        assert_continues(
            &captured.the_report(),
            "parent_returning_b",
            "b",
            "b failed",
        );
    }
}

/// Two children's errors that say the same in everything, from different functions: the
/// report could name either, so it names neither.
#[test]
fn join_errors_nothing_tells_apart_name_no_child() {
    for _ in 0..100 {
        let (result, captured) = capture_async(join::parent("failed", "failed"));
        assert_eq!(result, Err(E("failed")));
        let report = captured.the_report();
        assert_eq!(span_trace(&report), ["failure_record::join::parent"]);
        let stacktrace = report.field("exception.stacktrace");
        assert!(
            stacktrace.contains("origin could not be told"),
            "{stacktrace}"
        );
        assert!(!stacktrace.contains("(origin)"), "{stacktrace}");
    }
}

mod select {
    use super::*;

    #[tracefault::trace]
    pub(crate) async fn winner() -> Result<(), E> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Err(E("the winner failed"))
    }

    #[tracefault::trace]
    async fn failing_step() -> Result<(), E> {
        Err(E("a step of the loser failed"))
    }

    /// Holds its child's failure while it waits, and is dropped before it returns it.
    #[tracefault::trace]
    pub(crate) async fn loser() -> Result<(), E> {
        let step = failing_step().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        step
    }

    #[tracefault::trace]
    pub(crate) async fn parent() -> Result<(), E> {
        tokio::select! {
            result = winner() => result,
            result = loser() => result,
        }
    }
}

#[test]
fn select_the_losers_record_goes_with_it() {
    let (result, captured) = capture_async(select::parent());
    assert_eq!(result, Err(E("the winner failed")));
    let report = captured.the_report();
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::select::parent",
            "failure_record::select::winner"
        ]
    );
    assert_eq!(handled(&captured), 1, "the loser's step was handled");
}

mod unordered {
    use super::*;
    use futures::stream::{FuturesUnordered, StreamExt};

    static MESSAGES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        (0..100)
            .map(|n| &*Box::leak(format!("child {n} failed").into_boxed_str()))
            .collect()
    });

    #[tracefault::trace]
    async fn child(n: usize) -> Result<usize, E> {
        tokio::time::sleep(Duration::from_micros((n as u64 * 7919) % 500)).await;
        Err(E(MESSAGES[n]))
    }

    #[tracefault::trace]
    pub(crate) async fn parent() -> Result<(), E> {
        let mut children: FuturesUnordered<_> = (0..100).map(child).collect();
        let mut chosen = None;
        while let Some(result) = children.next().await {
            if let Err(error) = result {
                if error.0 == MESSAGES[37] {
                    chosen = Some(error);
                }
            }
        }
        Err(chosen.expect("child 37 failed"))
    }
}

#[test]
fn futures_unordered_the_parent_continues_the_37th() {
    let (result, captured) = capture_async(unordered::parent());
    assert_eq!(result, Err(E("child 37 failed")));
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "child 37 failed");
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::unordered::parent",
            "failure_record::unordered::child"
        ]
    );
    assert_eq!(handled(&captured), 99);
}

mod boxing {
    use super::*;

    #[derive(Debug)]
    pub(crate) struct FrameError;

    impl fmt::Display for FrameError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bad frame header")
        }
    }

    impl Error for FrameError {}

    #[tracefault::trace]
    pub(crate) fn parse_frame() -> Result<(), FrameError> {
        Err(FrameError)
    }

    #[tracefault::trace]
    pub(crate) fn run() -> Result<(), Box<dyn Error + Send + Sync>> {
        parse_frame()?;
        Ok(())
    }

    #[tracefault::trace]
    pub(crate) fn serve() -> Result<(), Box<dyn Error + Send + Sync>> {
        run()?;
        Ok(())
    }

    #[tracefault::trace]
    pub(crate) fn with_anyhow() -> anyhow::Result<()> {
        parse_frame()?;
        Ok(())
    }

    #[tracefault::trace]
    pub(crate) fn with_context() -> anyhow::Result<()> {
        use anyhow::Context as _;
        with_anyhow().context("the connection was closed")
    }

    #[tracefault::trace]
    pub(crate) fn with_eyre() -> eyre::Result<()> {
        parse_frame()?;
        Ok(())
    }
}

#[test]
fn a_boxed_error_is_the_same_error_under_its_own_type() {
    let captures_before = tracefault::__private::captures_on_this_thread();
    let (result, captured) = capture(boxing::serve);
    assert_eq!(result.unwrap_err().to_string(), "bad frame header");
    assert_eq!(
        tracefault::__private::captures_on_this_thread() - captures_before,
        1,
        "captured once, at the origin"
    );
    let report = captured.the_report();
    assert_eq!(
        report.field("exception.type"),
        "failure_record::boxing::FrameError"
    );
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::boxing::serve",
            "failure_record::boxing::run",
            "failure_record::boxing::parse_frame"
        ]
    );

    let anyhow = || drop(boxing::with_anyhow());
    let eyre = || drop(boxing::with_eyre());
    for (function, wrapper) in [(&anyhow as &dyn Fn(), "with_anyhow"), (&eyre, "with_eyre")] {
        let (_, captured) = capture(function);
        let report = captured.the_report();
        assert_eq!(
            report.field("exception.type"),
            "failure_record::boxing::FrameError"
        );
        assert_eq!(
            span_trace(&report),
            [
                format!("failure_record::boxing::{wrapper}"),
                "failure_record::boxing::parse_frame".to_owned()
            ]
        );
    }

    let (_, captured) = capture(boxing::with_context);
    let report = captured.the_report();
    assert_eq!(
        report.field("exception.message"),
        "the connection was closed"
    );
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains("The above error was caused by:\n  failure_record::boxing::FrameError: bad frame header\n"),
        "{stacktrace}"
    );
    assert_eq!(
        span_trace(&report).last().unwrap(),
        "failure_record::boxing::parse_frame"
    );
}

mod reentry {
    use super::*;

    /// An error whose formatting is itself instrumented, as `#[trace]` on a whole `impl`
    /// block makes it.
    #[derive(Debug)]
    pub(crate) struct Loud(pub u32);

    impl fmt::Display for Loud {
        #[tracefault::trace]
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "loud error {}", self.0)
        }
    }

    impl Error for Loud {}

    #[tracefault::trace]
    pub(crate) fn origin() -> Result<(), Loud> {
        Err(Loud(7))
    }

    #[tracefault::trace]
    pub(crate) fn middle() -> Result<(), Loud> {
        origin()
    }

    #[tracefault::trace]
    pub(crate) fn edge() -> Result<(), Loud> {
        middle()?;
        Ok(())
    }
}

#[test]
fn tracefaults_own_formatting_is_not_seen_by_the_record() {
    let (_, captured) = capture(reentry::edge);
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "loud error 7");
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::reentry::edge",
            "failure_record::reentry::middle",
            "failure_record::reentry::origin"
        ]
    );
    assert_eq!(handled(&captured), 0);
}

mod tasks {
    use super::*;

    #[tracefault::trace]
    pub(crate) async fn spawned() -> Result<(), E> {
        tokio::task::yield_now().await;
        Err(E("the spawned work failed"))
    }

    #[tracefault::trace]
    pub(crate) async fn awaiting() -> Result<(), E> {
        tracefault::task::spawn(spawned()).await.expect("no panic")
    }

    /// `tokio::spawn` as users write it, in the spawner's context, awaited.
    #[tracefault::trace]
    pub(crate) async fn awaiting_tokio_spawn() -> Result<(), E> {
        use tracefault::context::FutureExt as _;
        tokio::spawn(spawned().in_current_context())
            .await
            .expect("no panic")
    }

    /// `tokio::spawn` as `tracing` users write it: the task in a span of their own, made
    /// inside the spawner.
    #[tracefault::trace]
    pub(crate) async fn awaiting_instrumented_tokio_spawn(
        trace_id: &std::sync::Mutex<String>,
    ) -> Result<(), E> {
        use tracing::Instrument as _;
        *trace_id.lock().unwrap() = tracefault::current().expect("a span").trace_id.to_string();
        tokio::spawn(spawned().instrument(tracing::info_span!("worker")))
            .await
            .expect("no panic")
    }

    #[tracefault::trace]
    pub(crate) async fn not_awaiting_instrumented_tokio_spawn() -> Result<(), E> {
        use tracing::Instrument as _;
        drop(tokio::spawn(
            spawned().instrument(tracing::info_span!("worker")),
        ));
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(())
    }

    #[tracefault::trace]
    pub(crate) async fn not_awaiting_tokio_spawn() -> Result<(), E> {
        use tracefault::context::FutureExt as _;
        drop(tokio::spawn(spawned().in_current_context()));
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(())
    }

    /// Awaits a task that fails with an error, then fails with one of its own that says the
    /// same: only the task's is the task's.
    #[tracefault::trace]
    pub(crate) async fn awaiting_and_failing_otherwise() -> Result<(), E> {
        use tracefault::context::FutureExt as _;
        let _ = tokio::spawn(spawned().in_current_context()).await;
        Err(E("the awaiting work failed"))
    }

    #[tracefault::trace]
    pub(crate) async fn not_awaiting() -> Result<(), E> {
        let handle = tracefault::task::spawn(spawned());
        drop(handle);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(())
    }
}

#[test]
fn an_error_across_a_spawned_task_is_reported_once_by_whoever_awaits_it() {
    let (result, captured) = capture_async(tasks::awaiting());
    assert_eq!(result, Err(E("the spawned work failed")));
    let report = captured.the_report();
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::tasks::awaiting",
            "failure_record::tasks::spawned"
        ]
    );
    let shown = traceback_functions(&report);
    assert!(
        shown
            .iter()
            .any(|function| function.ends_with("tasks::spawned")),
        "the spawned origin's traceback: {shown:?}"
    );
    // The awaiting function's trace is the spawned one's.
    assert!(report.field("trace_id").len() == 32);
}

#[test]
fn a_spawned_task_nobody_awaits_reports_at_its_own_edge() {
    let (result, captured) = capture_async(tasks::not_awaiting());
    assert_eq!(result, Ok(()));
    let report = captured.the_report();
    assert_eq!(span_trace(&report), ["failure_record::tasks::spawned"]);
}

#[test]
fn tokio_spawn_in_the_current_context_awaited_by_its_spawner_is_reported_once() {
    let (result, captured) = capture_async(tasks::awaiting_tokio_spawn());
    assert_eq!(result, Err(E("the spawned work failed")));
    let report = captured.the_report();
    assert_eq!(span_trace(&report), ["failure_record::tasks::spawned"]);
    assert_eq!(handled(&captured), 0);
    let awaiting = captured.span("awaiting_tokio_spawn");
    assert_eq!(
        awaiting.fields.get("error").map(String::as_str),
        Some("true")
    );

    let (result, captured) = capture_async(tasks::awaiting_and_failing_otherwise());
    assert_eq!(result, Err(E("the awaiting work failed")));
    let reports = captured.reports();
    assert_eq!(reports.len(), 2, "{reports:#?}");
}

#[test]
fn tokio_spawn_of_an_instrumented_future_awaited_by_its_spawner_is_reported_once() {
    let spawners_trace = std::sync::Mutex::default();
    let (result, captured) =
        capture_async(tasks::awaiting_instrumented_tokio_spawn(&spawners_trace));
    assert_eq!(result, Err(E("the spawned work failed")));
    let report = captured.the_report();
    assert_eq!(span_trace(&report), ["failure_record::tasks::spawned"]);
    assert_eq!(handled(&captured), 0);
    // One trace: the task's report is in the spawner's, whose span the error left too.
    assert_eq!(report.field("trace_id"), *spawners_trace.lock().unwrap());
    let awaiting = captured.span("awaiting_instrumented_tokio_spawn");
    assert_eq!(
        awaiting.fields.get("error").map(String::as_str),
        Some("true")
    );

    let (result, captured) = capture_async(tasks::not_awaiting_instrumented_tokio_spawn());
    assert_eq!(result, Ok(()));
    let report = captured.the_report();
    assert_eq!(span_trace(&report), ["failure_record::tasks::spawned"]);
}

#[test]
fn tokio_spawn_in_the_current_context_not_awaited_reports_on_its_own() {
    let (result, captured) = capture_async(tasks::not_awaiting_tokio_spawn());
    assert_eq!(result, Ok(()));
    let report = captured.the_report();
    assert_eq!(span_trace(&report), ["failure_record::tasks::spawned"]);
}

mod handled_in_a_loop {
    use super::*;

    #[tracefault::trace]
    pub(crate) fn child(i: usize, n: usize) -> Result<(), E> {
        if i + 1 == n {
            Err(E("the last failed"))
        } else {
            Err(E("an earlier one failed"))
        }
    }

    /// Tries `n` inputs, handles every failure, and returns the last one's error when asked.
    #[tracefault::trace]
    pub(crate) fn parent(n: usize, halfway: usize, return_last: bool) -> Result<usize, E> {
        let mut last = None;
        for i in 0..n {
            if i == halfway {
                tracing::info!("halfway");
            }
            last = child(i, n).err();
        }
        match last {
            Some(error) if return_last => Err(error),
            _ => Ok(n),
        }
    }
}

/// The number that tracefault's runtime keeps at most for one frame (`MAX_PARKED`).
const MAX_PARKED: usize = 256;

#[test]
fn errors_handled_in_a_loop_do_not_pile_up_in_the_frame_around_them() {
    let (result, captured) = capture(|| handled_in_a_loop::parent(2_000, 1_000, false));
    assert_eq!(result, Ok(2_000));
    let events = captured.events();
    let halfway = events
        .iter()
        .position(|event| event.fields.get("message").is_some_and(|m| m == "halfway"))
        .expect("the halfway event");
    let handled_before = events[..halfway].iter().filter(|e| is_handled(e)).count();
    // By the 1,000th child, all but the latest MAX_PARKED records were let go as handled.
    assert_eq!(handled_before, 1_000 - MAX_PARKED);
    assert_eq!(handled(&captured), 2_000, "every error was handled once");
    assert!(captured.reports().is_empty());
}

#[test]
fn an_error_returned_after_a_loop_of_handled_ones_continues_the_latest() {
    let (result, captured) = capture(|| handled_in_a_loop::parent(2_000, 0, true));
    assert_eq!(result, Err(E("the last failed")));
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "the last failed");
    assert_eq!(
        span_trace(&report),
        [
            "failure_record::handled_in_a_loop::parent",
            "failure_record::handled_in_a_loop::child"
        ]
    );
    assert_eq!(handled(&captured), 1_999);
}
