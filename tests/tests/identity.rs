//! The report names the error that was returned, or says plainly that it could not tell: never
//! another callee's. Named cases (a retry loop, a handled sibling, an error held across other
//! calls, `join!`/`select!`, boxing), then a model-based property test over random trees of
//! instrumented calls whose errors often say the same.

mod support;

use std::error::Error;
use std::fmt;
use support::{capture, EventRecord};

/// A cause that only its code tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code(pub(crate) u8);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {}", self.0)
    }
}

impl Error for Code {}

/// An error whose message is one of few, with its cause inline.
#[derive(Debug)]
pub(crate) struct Leaf {
    pub(crate) message: &'static str,
    pub(crate) cause: Option<Code>,
}

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl Error for Leaf {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.cause
            .as_ref()
            .map(|cause| cause as &(dyn Error + 'static))
    }
}

/// An error with its cause in a box of its own.
#[derive(Debug)]
pub(crate) struct Wrapped {
    pub(crate) message: String,
    pub(crate) source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for Wrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Wrapped {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// What a report says of where its error came from.
#[derive(Debug, PartialEq, Eq)]
struct Said {
    /// The span trace's functions, outermost first, without the test's module path.
    span_trace: Vec<String>,
    /// Whether the last of them is marked as the origin.
    origin_named: bool,
    message: String,
    causes: Vec<String>,
}

fn said(report: &EventRecord) -> Said {
    let stacktrace = report.field("exception.stacktrace");
    let (before, after) = stacktrace
        .split_once("Span trace (outermost first):")
        .unwrap_or_else(|| panic!("no span trace in {stacktrace}"));
    let mut span_trace = Vec::new();
    let mut origin_named = false;
    for line in after.lines() {
        let Some(entry) = line.trim().strip_prefix("in ") else {
            continue;
        };
        origin_named = entry.ends_with(" (origin)");
        let function = entry.split(' ').next().unwrap();
        span_trace.push(function.rsplit("::").next().unwrap().to_owned());
    }
    let causes = before
        .split_once("The above error was caused by:\n")
        .map(|(_, causes)| {
            causes
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| line.rsplit_once(": ").map_or(line, |(_, m)| m).to_owned())
                .collect()
        })
        .unwrap_or_default();
    Said {
        span_trace,
        origin_named,
        message: report.field("exception.message").to_owned(),
        causes,
    }
}

fn names(functions: &[&str]) -> Vec<String> {
    functions.iter().map(|name| (*name).to_owned()).collect()
}

mod retry {
    use super::*;

    #[tracefault::trace]
    pub(crate) fn fetch(attempt: u8) -> Result<u32, Leaf> {
        Err(Leaf {
            message: "fetch failed",
            cause: Some(Code(attempt)),
        })
    }

    #[tracefault::trace]
    pub(crate) fn fetch_alike() -> Result<u32, Leaf> {
        Err(Leaf {
            message: "fetch failed",
            cause: Some(Code(7)),
        })
    }

    #[tracefault::trace]
    pub(crate) fn with_retries() -> Result<u32, Leaf> {
        let mut last = None;
        for attempt in 1..=3 {
            match fetch(attempt) {
                Ok(value) => return Ok(value),
                Err(error) => last = Some(error),
            }
        }
        Err(last.expect("three attempts"))
    }

    #[tracefault::trace]
    pub(crate) fn with_retries_alike() -> Result<u32, Leaf> {
        let mut last = None;
        for _ in 0..3 {
            match fetch_alike() {
                Ok(value) => return Ok(value),
                Err(error) => last = Some(error),
            }
        }
        Err(last.expect("three attempts"))
    }
}

#[test]
fn a_retry_loop_reports_the_last_attempts_cause() {
    let (result, captured) = capture(retry::with_retries);
    assert!(result.is_err());
    assert_eq!(
        said(&captured.the_report()),
        Said {
            span_trace: names(&["with_retries", "fetch"]),
            origin_named: true,
            message: "fetch failed".into(),
            causes: names(&["code 3"]),
        }
    );
}

#[test]
fn a_retry_loop_of_errors_alike_names_their_one_origin_but_no_call() {
    let (_, captured) = capture(retry::with_retries_alike);
    let report = captured.the_report();
    assert_eq!(
        said(&report).span_trace,
        names(&["with_retries_alike", "fetch_alike"])
    );
    assert!(said(&report).origin_named);
    let stacktrace = report.field("exception.stacktrace");
    assert!(stacktrace.contains("one of 3 errors alike"), "{stacktrace}");
}

mod sibling {
    use super::*;

    #[tracefault::trace]
    pub(crate) fn a(code: u8) -> Result<(), Leaf> {
        Err(Leaf {
            message: "failed",
            cause: Some(Code(code)),
        })
    }

    #[tracefault::trace]
    pub(crate) fn b(code: u8) -> Result<(), Leaf> {
        Err(Leaf {
            message: "failed",
            cause: Some(Code(code)),
        })
    }

    /// Ignores `a`'s error, returns `b`'s.
    #[tracefault::trace]
    pub(crate) fn caller(a_code: u8, b_code: u8) -> Result<(), Leaf> {
        let _ = a(a_code);
        b(b_code)
    }

    /// Keeps `a`'s error while `b` fails and is handled, then returns `a`'s.
    #[tracefault::trace]
    pub(crate) fn holder(a_code: u8, b_code: u8) -> Result<(), Leaf> {
        let held = a(a_code).unwrap_err();
        if b(b_code).is_err() {
            tracing::debug!("b failed, and that is fine");
        }
        Err(held)
    }
}

#[test]
fn a_handled_sibling_is_not_the_origin() {
    let (_, captured) = capture(|| sibling::caller(1, 2));
    assert_eq!(
        said(&captured.the_report()),
        Said {
            span_trace: names(&["caller", "b"]),
            origin_named: true,
            message: "failed".into(),
            causes: names(&["code 2"]),
        }
    );
}

#[test]
fn siblings_that_nothing_tells_apart_name_no_callee() {
    let (_, captured) = capture(|| sibling::caller(4, 4));
    let report = captured.the_report();
    let said = said(&report);
    assert_eq!(said.span_trace, names(&["caller"]));
    assert!(!said.origin_named);
    let handled = captured
        .events()
        .iter()
        .filter(|event| {
            event
                .fields
                .get("message")
                .is_some_and(|m| m == "error handled")
        })
        .count();
    assert_eq!(handled, 1, "one of the two was handled, the other returned");
    assert!(
        report
            .field("exception.stacktrace")
            .contains("origin could not be told"),
        "{}",
        report.field("exception.stacktrace")
    );
}

#[test]
fn an_error_held_across_other_calls_keeps_its_origin() {
    let (_, captured) = capture(|| sibling::holder(1, 2));
    assert_eq!(
        said(&captured.the_report()),
        Said {
            span_trace: names(&["holder", "a"]),
            origin_named: true,
            message: "failed".into(),
            causes: names(&["code 1"]),
        }
    );
}

mod many {
    use super::*;

    #[tracefault::trace]
    pub(crate) fn numbered(n: u16) -> Result<(), Wrapped> {
        Err(Wrapped {
            message: "failed".into(),
            source: Box::new(Leaf {
                message: "numbered",
                cause: Some(Code((n % 256) as u8)),
            }),
        })
    }

    /// Keeps the first callee's error through 300 more failures, more than a frame keeps
    /// records of, and returns it.
    #[tracefault::trace]
    pub(crate) fn first_of_many() -> Result<(), Wrapped> {
        let first = numbered(0).unwrap_err();
        for n in 1..=300 {
            let _ = numbered(n);
        }
        Err(first)
    }
}

#[test]
fn an_error_kept_past_the_frames_bound_on_records_is_not_taken_for_its_own() {
    let (_, captured) = capture(many::first_of_many);
    let report = captured.the_report();
    let said = said(&report);
    assert_eq!(said.span_trace, names(&["first_of_many"]));
    assert!(!said.origin_named);
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains("let go of older errors"),
        "{stacktrace}"
    );
}

mod concurrent {
    use super::*;

    #[tracefault::trace]
    pub(crate) async fn left(code: u8) -> Result<(), Leaf> {
        tokio::task::yield_now().await;
        Err(Leaf {
            message: "failed",
            cause: Some(Code(code)),
        })
    }

    #[tracefault::trace]
    pub(crate) async fn right(code: u8) -> Result<(), Leaf> {
        Err(Leaf {
            message: "failed",
            cause: Some(Code(code)),
        })
    }

    #[tracefault::trace]
    pub(crate) async fn joined(returns_left: bool) -> Result<(), Leaf> {
        let (l, r) = tokio::join!(left(1), right(2));
        if returns_left {
            l
        } else {
            r
        }
    }

    #[tracefault::trace]
    pub(crate) async fn selected() -> Result<(), Leaf> {
        tokio::select! {
            biased;
            result = right(2) => result,
            result = left(1) => result,
        }
    }
}

#[test]
fn join_and_select_name_the_child_whose_error_was_returned() {
    for (returns_left, child, code) in [(true, "left", "code 1"), (false, "right", "code 2")] {
        let (_, captured) = support::capture_async(concurrent::joined(returns_left));
        assert_eq!(
            said(&captured.the_report()),
            Said {
                span_trace: names(&["joined", child]),
                origin_named: true,
                message: "failed".into(),
                causes: names(&[code]),
            }
        );
    }
    let (_, captured) = support::capture_async(concurrent::selected());
    assert_eq!(
        said(&captured.the_report()),
        Said {
            span_trace: names(&["selected", "right"]),
            origin_named: true,
            message: "failed".into(),
            causes: names(&["code 2"]),
        }
    );
}

mod boxing {
    use super::*;

    #[tracefault::trace]
    pub(crate) fn first() -> Result<(), Wrapped> {
        Err(Wrapped {
            message: "failed".into(),
            source: Box::new(Code(1)),
        })
    }

    #[tracefault::trace]
    pub(crate) fn second() -> Result<(), Wrapped> {
        Err(Wrapped {
            message: "failed".into(),
            source: Box::new(Code(1)),
        })
    }

    /// Both errors say the same; only the boxes their causes live in tell them apart.
    #[tracefault::trace]
    pub(crate) fn boxed() -> Result<(), Box<dyn Error + Send + Sync>> {
        let kept = first().unwrap_err();
        second()?;
        drop(kept);
        Ok(())
    }

    #[tracefault::trace]
    pub(crate) fn with_anyhow() -> anyhow::Result<()> {
        let kept = first().unwrap_err();
        second()?;
        drop(kept);
        Ok(())
    }
}

#[test]
fn boxing_keeps_the_origin_told_by_where_the_cause_lives() {
    let (_, captured) = capture(boxing::boxed);
    assert_eq!(
        said(&captured.the_report()),
        Said {
            span_trace: names(&["boxed", "second"]),
            origin_named: true,
            message: "failed".into(),
            causes: names(&["code 1"]),
        }
    );
    let (_, captured) = capture(boxing::with_anyhow);
    assert_eq!(
        said(&captured.the_report()).span_trace,
        names(&["with_anyhow", "second"])
    );
}

/// Random trees of instrumented calls, run for real, beside a model that knows which error
/// comes out at the top and where it was made.
mod model {
    use super::*;
    use proptest::prelude::*;
    use std::future::Future;
    use std::pin::Pin;

    pub(crate) type DynBox = Box<dyn Error + Send + Sync>;

    /// The error type an instrumented function returns.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Shape {
        Leaf,
        Wrapped,
        DynBox,
        Anyhow,
    }

    /// One instrumented function of the tree.
    #[derive(Clone, Debug)]
    pub(crate) struct Node {
        pub(crate) asynchronous: bool,
        pub(crate) shape: Shape,
        pub(crate) work: Work,
    }

    #[derive(Clone, Debug)]
    pub(crate) enum Work {
        /// Fails on attempts before `fails_until` with `message`; its cause's code, if it has
        /// one, moves with the attempt, so retries say the same only sometimes.
        Leaf {
            fails_until: u8,
            message: &'static str,
            code: Option<u8>,
        },
        /// Calls its callees in turn (the first two at once with `join!`, when `joined` and
        /// asynchronous), handles each result as its `Call` says, then ends.
        Calls {
            calls: Vec<Call>,
            joined: bool,
            ending: Ending,
        },
    }

    #[derive(Clone, Debug)]
    pub(crate) struct Call {
        pub(crate) callee: Node,
        /// Tries again while it fails, up to this many times in all.
        pub(crate) attempts: u8,
        pub(crate) handling: Handling,
    }

    /// What the caller does with the callee's error.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Handling {
        /// `let _ = ...`.
        Drop,
        /// Keeps it (letting go of one kept before), to return at the end.
        Store,
        /// Returns it: as it is, or boxed by `?`'s `From`.
        Return,
        /// Returns a new error wrapping it: `map_err` into `Wrapped`, or `anyhow`'s `context`.
        Wrap,
    }

    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Ending {
        Ok,
        /// Returns what it kept (as `Return` would), or `Ok` if nothing.
        ReturnKept,
        /// Fails with an error of its own, with a cause when `Some`.
        Fail(Option<u8>),
    }

    /// An error value in a caller's hands, whatever the callee's type.
    pub(crate) enum Held {
        Leaf(Leaf),
        Wrapped(Wrapped),
        DynBox(DynBox),
        Anyhow(anyhow::Error),
    }

    const MESSAGES: [&str; 2] = ["failed", "timed out"];

    /// The error a leaf makes, before it becomes its function's type.
    fn leaf_error(message: &'static str, code: Option<u8>, attempt: u8) -> Leaf {
        Leaf {
            message,
            cause: code.map(|code| Code((code + attempt) % 3)),
        }
    }

    /// A message only a caller at `depth` writes: an error a caller makes never says the same
    /// as one its callees returned (see the README's limits of the identity).
    fn own_message(depth: usize) -> String {
        format!("gave up at depth {depth}")
    }

    fn wrap_message(depth: usize) -> String {
        format!("request failed at depth {depth}")
    }

    fn fresh(shape: Shape, leaf: Leaf) -> Held {
        match shape {
            Shape::Leaf => Held::Leaf(leaf),
            Shape::Wrapped => Held::Wrapped(Wrapped {
                message: leaf.message.to_owned(),
                source: Box::new(leaf.cause.unwrap_or(Code(9))),
            }),
            Shape::DynBox => Held::DynBox(Box::new(leaf)),
            Shape::Anyhow => Held::Anyhow(anyhow::Error::new(leaf)),
        }
    }

    fn own_error(shape: Shape, depth: usize, code: Option<u8>) -> Held {
        let message = own_message(depth);
        match shape {
            Shape::Leaf => unreachable!("a leaf-typed function has no callees"),
            Shape::Wrapped => Held::Wrapped(Wrapped {
                message,
                source: Box::new(Code(code.unwrap_or(9))),
            }),
            Shape::DynBox | Shape::Anyhow => {
                let wrapped = Wrapped {
                    message,
                    source: Box::new(Code(code.unwrap_or(9))),
                };
                if shape == Shape::DynBox {
                    Held::DynBox(Box::new(wrapped))
                } else {
                    Held::Anyhow(anyhow::Error::new(wrapped))
                }
            }
        }
    }

    /// A new error of `shape` wrapping `held`.
    fn wrap(shape: Shape, depth: usize, held: Held) -> Held {
        let source: DynBox = match held {
            Held::Leaf(error) => Box::new(error),
            Held::Wrapped(error) => Box::new(error),
            Held::DynBox(error) => error,
            Held::Anyhow(error) => {
                if shape == Shape::Anyhow {
                    return Held::Anyhow(error.context(wrap_message(depth)));
                }
                error.into()
            }
        };
        let wrapped = Wrapped {
            message: wrap_message(depth),
            source,
        };
        match shape {
            Shape::Leaf => unreachable!("a leaf-typed function has no callees"),
            Shape::Wrapped => Held::Wrapped(wrapped),
            Shape::DynBox => Held::DynBox(Box::new(wrapped)),
            Shape::Anyhow => Held::Anyhow(anyhow::Error::new(wrapped).context(wrap_message(depth))),
        }
    }

    /// `held` as `shape`: itself, or boxed by `?` (`From`) when the types differ; a type that
    /// cannot hold it is wrapped instead.
    fn pass(shape: Shape, depth: usize, held: Held) -> Held {
        match (shape, held) {
            (Shape::Leaf, held) => held,
            (Shape::Wrapped, Held::Wrapped(error)) => Held::Wrapped(error),
            (Shape::DynBox, Held::Leaf(error)) => Held::DynBox(question_mark(Err(error))),
            (Shape::DynBox, Held::Wrapped(error)) => Held::DynBox(question_mark(Err(error))),
            (Shape::DynBox, Held::DynBox(error)) => Held::DynBox(error),
            (Shape::Anyhow, Held::Leaf(error)) => Held::Anyhow(question_mark_anyhow(Err(error))),
            (Shape::Anyhow, Held::Wrapped(error)) => Held::Anyhow(question_mark_anyhow(Err(error))),
            (Shape::Anyhow, Held::DynBox(error)) => Held::Anyhow(anyhow::anyhow!(error)),
            (Shape::Anyhow, Held::Anyhow(error)) => Held::Anyhow(error),
            (shape, held) => wrap(shape, depth, held),
        }
    }

    fn question_mark<E: Error + Send + Sync + 'static>(result: Result<(), E>) -> DynBox {
        fn inner<E: Error + Send + Sync + 'static>(result: Result<(), E>) -> Result<(), DynBox> {
            result?;
            Ok(())
        }
        inner(result).unwrap_err()
    }

    fn question_mark_anyhow<E: Error + Send + Sync + 'static>(
        result: Result<(), E>,
    ) -> anyhow::Error {
        fn inner<E: Error + Send + Sync + 'static>(result: Result<(), E>) -> anyhow::Result<()> {
            result?;
            Ok(())
        }
        inner(result).unwrap_err()
    }

    /// The caller's state between calls.
    struct Caller<'a> {
        node: &'a Node,
        depth: usize,
        kept: Option<Held>,
    }

    impl Caller<'_> {
        /// What the caller does with one callee's result: `Some` to return now.
        fn handle(&mut self, result: Result<(), Held>, handling: Handling) -> Option<Held> {
            let error = result.err()?;
            match handling {
                Handling::Drop => {
                    drop(error);
                    None
                }
                Handling::Store => {
                    self.kept = Some(error);
                    None
                }
                Handling::Return => Some(pass(self.node.shape, self.depth, error)),
                Handling::Wrap => Some(wrap(self.node.shape, self.depth, error)),
            }
        }

        fn end(self, ending: Ending) -> Result<(), Held> {
            match ending {
                Ending::Ok => Ok(()),
                Ending::ReturnKept => match self.kept {
                    Some(kept) => Err(pass(self.node.shape, self.depth, kept)),
                    None => Ok(()),
                },
                Ending::Fail(code) => Err(own_error(self.node.shape, self.depth, code)),
            }
        }
    }

    fn run_leaf(node: &Node, attempt: u8) -> Result<(), Held> {
        let Work::Leaf {
            fails_until,
            message,
            code,
        } = node.work
        else {
            unreachable!()
        };
        if attempt < fails_until {
            Err(fresh(node.shape, leaf_error(message, code, attempt)))
        } else {
            Ok(())
        }
    }

    fn run_sync(node: &Node, depth: usize, attempt: u8) -> Result<(), Held> {
        let Work::Calls { calls, ending, .. } = &node.work else {
            return run_leaf(node, attempt);
        };
        let mut caller = Caller {
            node,
            depth,
            kept: None,
        };
        for call in calls {
            let mut result = call_sync(&call.callee, depth + 1, 0);
            for attempt in 1..call.attempts {
                if result.is_ok() {
                    break;
                }
                result = call_sync(&call.callee, depth + 1, attempt);
            }
            if let Some(returned) = caller.handle(result, call.handling) {
                return Err(returned);
            }
        }
        caller.end(*ending)
    }

    async fn run_async(node: &Node, depth: usize, attempt: u8) -> Result<(), Held> {
        let Work::Calls {
            calls,
            joined,
            ending,
        } = &node.work
        else {
            yield_once().await;
            return run_leaf(node, attempt);
        };
        let mut caller = Caller {
            node,
            depth,
            kept: None,
        };
        let mut rest = &calls[..];
        if *joined && calls.len() >= 2 {
            let (first, second) = futures::join!(
                call_async(&calls[0].callee, depth + 1, 0),
                call_async(&calls[1].callee, depth + 1, 0)
            );
            for (result, call) in [(first, &calls[0]), (second, &calls[1])] {
                if let Some(returned) = caller.handle(result, call.handling) {
                    return Err(returned);
                }
            }
            rest = &calls[2..];
        }
        for call in rest {
            let mut result = call_async(&call.callee, depth + 1, 0).await;
            for attempt in 1..call.attempts {
                if result.is_ok() {
                    break;
                }
                result = call_async(&call.callee, depth + 1, attempt).await;
            }
            if let Some(returned) = caller.handle(result, call.handling) {
                return Err(returned);
            }
        }
        caller.end(*ending)
    }

    /// A callee called from synchronous code; an asynchronous one is run to completion there.
    fn call_sync(node: &Node, depth: usize, attempt: u8) -> Result<(), Held> {
        if node.asynchronous {
            block_on(call_async(node, depth, attempt))
        } else {
            match node.shape {
                Shape::Leaf => sync_leaf(node, depth, attempt).map_err(Held::Leaf),
                Shape::Wrapped => sync_wrapped(node, depth, attempt).map_err(Held::Wrapped),
                Shape::DynBox => sync_dyn_box(node, depth, attempt).map_err(Held::DynBox),
                Shape::Anyhow => sync_anyhow(node, depth, attempt).map_err(Held::Anyhow),
            }
        }
    }

    fn call_async<'a>(
        node: &'a Node,
        depth: usize,
        attempt: u8,
    ) -> Pin<Box<dyn Future<Output = Result<(), Held>> + 'a>> {
        Box::pin(async move {
            if !node.asynchronous {
                return call_sync(node, depth, attempt);
            }
            match node.shape {
                Shape::Leaf => async_leaf(node, depth, attempt).await.map_err(Held::Leaf),
                Shape::Wrapped => async_wrapped(node, depth, attempt)
                    .await
                    .map_err(Held::Wrapped),
                Shape::DynBox => async_dyn_box(node, depth, attempt)
                    .await
                    .map_err(Held::DynBox),
                Shape::Anyhow => async_anyhow(node, depth, attempt)
                    .await
                    .map_err(Held::Anyhow),
            }
        })
    }

    fn into_leaf(held: Held) -> Leaf {
        match held {
            Held::Leaf(error) => error,
            _ => unreachable!("a leaf-typed function makes leaves"),
        }
    }

    fn into_wrapped(held: Held) -> Wrapped {
        match held {
            Held::Wrapped(error) => error,
            _ => unreachable!("pass and wrap give the caller's type"),
        }
    }

    fn into_dyn_box(held: Held) -> DynBox {
        match held {
            Held::DynBox(error) => error,
            _ => unreachable!("pass and wrap give the caller's type"),
        }
    }

    fn into_anyhow(held: Held) -> anyhow::Error {
        match held {
            Held::Anyhow(error) => error,
            _ => unreachable!("pass and wrap give the caller's type"),
        }
    }

    // The instrumented functions: one per type and kind. Backtraces are not what is tested
    // here, and capturing one in each of 10,000 cases costs more than the rest.
    #[tracefault::trace(backtrace = "never")]
    pub(crate) fn sync_leaf(node: &Node, depth: usize, attempt: u8) -> Result<(), Leaf> {
        run_sync(node, depth, attempt).map_err(into_leaf)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) fn sync_wrapped(node: &Node, depth: usize, attempt: u8) -> Result<(), Wrapped> {
        run_sync(node, depth, attempt).map_err(into_wrapped)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) fn sync_dyn_box(node: &Node, depth: usize, attempt: u8) -> Result<(), DynBox> {
        run_sync(node, depth, attempt).map_err(into_dyn_box)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) fn sync_anyhow(node: &Node, depth: usize, attempt: u8) -> anyhow::Result<()> {
        run_sync(node, depth, attempt).map_err(into_anyhow)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) async fn async_leaf(node: &Node, depth: usize, attempt: u8) -> Result<(), Leaf> {
        run_async(node, depth, attempt).await.map_err(into_leaf)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) async fn async_wrapped(
        node: &Node,
        depth: usize,
        attempt: u8,
    ) -> Result<(), Wrapped> {
        run_async(node, depth, attempt).await.map_err(into_wrapped)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) async fn async_dyn_box(
        node: &Node,
        depth: usize,
        attempt: u8,
    ) -> Result<(), DynBox> {
        run_async(node, depth, attempt).await.map_err(into_dyn_box)
    }

    #[tracefault::trace(backtrace = "never")]
    pub(crate) async fn async_anyhow(node: &Node, depth: usize, attempt: u8) -> anyhow::Result<()> {
        run_async(node, depth, attempt).await.map_err(into_anyhow)
    }

    /// Pending once, so that `join!`'s callees interleave.
    async fn yield_once() {
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await;
    }

    pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    /// The function that runs `node`, as span traces name it.
    pub(crate) fn function_of(node: &Node) -> String {
        let kind = if node.asynchronous { "async" } else { "sync" };
        let shape = match node.shape {
            Shape::Leaf => "leaf",
            Shape::Wrapped => "wrapped",
            Shape::DynBox => "dyn_box",
            Shape::Anyhow => "anyhow",
        };
        format!("{kind}_{shape}")
    }

    /// What the model says comes out of a call: the error's message and causes, and the
    /// functions from its origin up (innermost first).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Expected {
        pub(crate) message: String,
        pub(crate) causes: Vec<String>,
        pub(crate) path: Vec<String>,
    }

    impl Expected {
        fn climbed(mut self, node: &Node) -> Expected {
            self.path.push(function_of(node));
            self
        }

        fn wrapped(mut self, message: String) -> Expected {
            self.causes
                .insert(0, core::mem::replace(&mut self.message, message));
            self
        }
    }

    fn model_pass(node: &Node, depth: usize, error: Expected, from: Shape) -> Expected {
        let wraps = matches!(
            (node.shape, from),
            (Shape::Wrapped, Shape::Leaf | Shape::DynBox | Shape::Anyhow)
                | (Shape::DynBox, Shape::Anyhow)
        );
        if wraps {
            model_wrap(node, depth, error, from)
        } else {
            error
        }
    }

    fn model_wrap(node: &Node, depth: usize, error: Expected, from: Shape) -> Expected {
        let message = wrap_message(depth);
        if from == Shape::Anyhow && node.shape == Shape::Anyhow {
            return error.wrapped(message);
        }
        let error = error.wrapped(message.clone());
        if node.shape == Shape::Anyhow {
            error.wrapped(message)
        } else {
            error
        }
    }

    /// What `node`'s call returns, per the model: `Err` with the error's shape.
    pub(crate) fn model(node: &Node, depth: usize, attempt: u8) -> Result<(), (Expected, Shape)> {
        let result = match &node.work {
            Work::Leaf {
                fails_until,
                message,
                code,
            } => {
                if attempt < *fails_until {
                    let leaf = leaf_error(message, *code, attempt);
                    let causes = match node.shape {
                        Shape::Wrapped => vec![leaf.cause.unwrap_or(Code(9)).to_string()],
                        _ => leaf.cause.iter().map(ToString::to_string).collect(),
                    };
                    Err(Expected {
                        message: (*message).to_owned(),
                        causes,
                        path: Vec::new(),
                    })
                } else {
                    Ok(())
                }
            }
            Work::Calls { calls, ending, .. } => model_calls(node, depth, calls, *ending),
        };
        result.map_err(|error| (error.climbed(node), node.shape))
    }

    fn model_calls(
        node: &Node,
        depth: usize,
        calls: &[Call],
        ending: Ending,
    ) -> Result<(), Expected> {
        let mut kept: Option<(Expected, Shape)> = None;
        let joined = matches!(node.work, Work::Calls { joined: true, .. })
            && node.asynchronous
            && calls.len() >= 2;
        for (index, call) in calls.iter().enumerate() {
            let attempts = if joined && index < 2 {
                1
            } else {
                call.attempts
            };
            let mut result = model(&call.callee, depth + 1, 0);
            for attempt in 1..attempts {
                if result.is_ok() {
                    break;
                }
                result = model(&call.callee, depth + 1, attempt);
            }
            let Err((error, from)) = result else { continue };
            match call.handling {
                Handling::Drop => {}
                Handling::Store => kept = Some((error, from)),
                Handling::Return => return Err(model_pass(node, depth, error, from)),
                Handling::Wrap => return Err(model_wrap(node, depth, error, from)),
            }
        }
        match ending {
            Ending::Ok => Ok(()),
            Ending::ReturnKept => match kept {
                Some((error, from)) => Err(model_pass(node, depth, error, from)),
                None => Ok(()),
            },
            Ending::Fail(code) => Err(Expected {
                message: own_message(depth),
                causes: vec![Code(code.unwrap_or(9)).to_string()],
                path: Vec::new(),
            }),
        }
    }

    /// Runs `node` as the outermost call, as the tree's plan says.
    pub(crate) fn run(node: &Node) -> Result<(), Held> {
        call_sync(node, 0, 0)
    }

    // The strategies.

    fn shape_of_caller() -> impl Strategy<Value = Shape> {
        prop_oneof![
            Just(Shape::Wrapped),
            Just(Shape::DynBox),
            Just(Shape::Anyhow)
        ]
    }

    fn leaf() -> impl Strategy<Value = Node> {
        (
            any::<bool>(),
            prop_oneof![
                3 => Just(Shape::Leaf),
                1 => Just(Shape::Wrapped),
                1 => Just(Shape::DynBox),
                1 => Just(Shape::Anyhow)
            ],
            prop_oneof![1 => Just(0u8), 1 => Just(1), 1 => Just(2), 3 => Just(u8::MAX)],
            prop::sample::select(&MESSAGES[..]),
            prop::option::weighted(0.7, 0u8..3),
        )
            .prop_map(|(asynchronous, shape, fails_until, message, code)| Node {
                asynchronous,
                shape,
                work: Work::Leaf {
                    fails_until,
                    message,
                    code,
                },
            })
    }

    fn handling() -> impl Strategy<Value = Handling> {
        prop_oneof![
            1 => Just(Handling::Drop),
            1 => Just(Handling::Store),
            2 => Just(Handling::Return),
            1 => Just(Handling::Wrap)
        ]
    }

    fn ending() -> impl Strategy<Value = Ending> {
        prop_oneof![
            1 => Just(Ending::Ok),
            3 => Just(Ending::ReturnKept),
            1 => Just(Ending::Fail(None)),
            1 => Just(Ending::Fail(Some(1)))
        ]
    }

    pub(crate) fn tree() -> impl Strategy<Value = Node> {
        leaf().prop_recursive(5, 48, 4, |callee| {
            let call = (callee, 1u8..=3, handling()).prop_map(|(callee, attempts, handling)| {
                // Retrying a big tree multiplies its work: only small callees are retried.
                let attempts = if size(&callee) <= 3 { attempts } else { 1 };
                Call {
                    callee,
                    attempts,
                    handling,
                }
            });
            (
                any::<bool>(),
                shape_of_caller(),
                prop::collection::vec(call, 1..=4),
                any::<bool>(),
                ending(),
            )
                .prop_map(|(asynchronous, shape, calls, joined, ending)| Node {
                    asynchronous,
                    shape,
                    work: Work::Calls {
                        calls,
                        joined,
                        ending,
                    },
                })
        })
    }

    pub(crate) fn size(node: &Node) -> usize {
        match &node.work {
            Work::Leaf { .. } => 1,
            Work::Calls { calls, .. } => {
                1 + calls.iter().map(|call| size(&call.callee)).sum::<usize>()
            }
        }
    }

    pub(crate) fn depth(node: &Node) -> usize {
        match &node.work {
            Work::Leaf { .. } => 1,
            Work::Calls { calls, .. } => {
                1 + calls
                    .iter()
                    .map(|call| depth(&call.callee))
                    .max()
                    .unwrap_or(0)
            }
        }
    }
}

/// The error's message and causes, as the value returned at the top says them.
fn chain_of(held: &model::Held) -> (String, Vec<String>) {
    let error: &(dyn Error + 'static) = match held {
        model::Held::Leaf(error) => error,
        model::Held::Wrapped(error) => error,
        model::Held::DynBox(error) => &**error,
        model::Held::Anyhow(error) => &**error,
    };
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    (error.to_string(), causes)
}

/// How many cases the property test runs: `TRACEFAULT_IDENTITY_CASES` overrides.
fn cases() -> u32 {
    std::env::var("TRACEFAULT_IDENTITY_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(10_000)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// The report names the origin and the causes of the error that came out, or says it could
    /// not tell (and then names only the functions the error was seen leaving): never another.
    #[test]
    fn the_report_names_the_returned_errors_origin_or_says_it_cannot(tree in model::tree()) {
        proptest::prop_assume!(model::depth(&tree) <= 6);
        let expected = model::model(&tree, 0, 0);
        let (result, captured) = capture(|| model::run(&tree));
        match (result, expected) {
            (Ok(()), Ok(())) => proptest::prop_assert!(captured.reports().is_empty()),
            (Err(held), Err((expected, _))) => {
                let (message, causes) = chain_of(&held);
                proptest::prop_assert_eq!(
                    (&message, &causes),
                    (&expected.message, &expected.causes),
                    "the model and the run disagree on the error"
                );
                let reports = captured.reports();
                proptest::prop_assert_eq!(reports.len(), 1, "{:#?}", reports);
                let said = said(&reports[0]);
                proptest::prop_assert_eq!(&said.message, &message);
                proptest::prop_assert_eq!(&said.causes, &causes);
                let mut path = expected.path.clone();
                path.reverse();
                if said.origin_named {
                    proptest::prop_assert_eq!(&said.span_trace, &path, "a wrong origin");
                } else {
                    proptest::prop_assert!(
                        reports[0].field("exception.stacktrace").contains("origin could not be told"),
                        "no origin and no word why"
                    );
                    proptest::prop_assert!(
                        path.starts_with(&said.span_trace) && said.span_trace.len() < path.len(),
                        "the functions it was seen leaving, {:?}, are not on its way up, {:?}",
                        said.span_trace,
                        path
                    );
                }
            }
            (result, expected) => proptest::prop_assert!(
                false,
                "the run returned {:?}, the model {:?}",
                result.map_err(|held| chain_of(&held)),
                expected
            ),
        }
    }
}
