//! The failure record under load: a thousand parents on a multi-thread runtime, each joining
//! children that fail in the same poll, each reporting once, from the child whose error it
//! returned, whatever thread each poll ran on.

mod support;

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;
use support::capture_everywhere;

#[derive(Debug, PartialEq)]
struct E(String);

impl fmt::Display for E {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for E {}

#[tracefault::trace]
async fn first(task: usize) -> Result<(), E> {
    Err(E(format!("task {task}: first failed")))
}

#[tracefault::trace]
async fn second(task: usize) -> Result<(), E> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    Err(E(format!("task {task}: second failed")))
}

#[tracefault::trace]
async fn joined(task: usize) -> Result<(), E> {
    let (first, second) = tokio::join!(first(task), second(task));
    // Odd tasks return the second child's error, even ones the first's.
    if task % 2 == 1 {
        second
    } else {
        first
    }
}

#[tracefault::trace]
async fn child(task: usize, n: usize) -> Result<(), E> {
    tokio::task::yield_now().await;
    Err(E(format!("task {task}: child {n} failed")))
}

#[tracefault::trace]
async fn unordered(task: usize) -> Result<(), E> {
    use futures::stream::{FuturesUnordered, StreamExt};
    let mut children: FuturesUnordered<_> = (0..10).map(|n| child(task, n)).collect();
    let wanted = format!("task {task}: child {} failed", task % 10);
    let mut chosen = None;
    while let Some(result) = children.next().await {
        if let Err(error) = result {
            if error.0 == wanted {
                chosen = Some(error);
            }
        }
    }
    Err(chosen.unwrap())
}

fn run_tasks<F, Fut>(tasks: usize, work: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), E>> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let handles: Vec<_> = (0..tasks).map(|task| tokio::spawn(work(task))).collect();
        for handle in handles {
            assert!(handle.await.unwrap().is_err());
        }
    });
}

/// The origin (the last span trace entry) of every report, by message.
fn origins(captured: &support::Captured) -> HashMap<String, String> {
    let mut origins = HashMap::new();
    for report in captured.reports() {
        let message = report.field("exception.message").to_owned();
        let stacktrace = report.field("exception.stacktrace");
        let origin = stacktrace
            .lines()
            .find(|line| line.ends_with("(origin)"))
            .unwrap_or_else(|| panic!("no origin in {stacktrace}"))
            .trim()
            .to_owned();
        assert!(
            origins.insert(message.clone(), origin).is_none(),
            "two reports of {message}"
        );
    }
    origins
}

#[test]
fn a_thousand_joins_on_four_threads_report_once_each_from_the_returned_child() {
    const TASKS: usize = 1000;
    let ((), captured) = capture_everywhere(|| run_tasks(TASKS, joined));
    let origins = origins(&captured);
    assert_eq!(origins.len(), TASKS);
    for task in 0..TASKS {
        let (message, function) = if task % 2 == 1 {
            (format!("task {task}: second failed"), "concurrency::second")
        } else {
            (format!("task {task}: first failed"), "concurrency::first")
        };
        let origin = &origins[&message];
        assert!(
            origin.starts_with(&format!("in {function} at")),
            "{message}: {origin}"
        );
    }
}

#[test]
fn a_thousand_futures_unordered_on_four_threads_report_the_chosen_child() {
    const TASKS: usize = 1000;
    let ((), captured) = capture_everywhere(|| run_tasks(TASKS, unordered));
    let origins = origins(&captured);
    assert_eq!(origins.len(), TASKS);
    for task in 0..TASKS {
        let message = format!("task {task}: child {} failed", task % 10);
        assert!(
            origins[&message].starts_with("in concurrency::child at"),
            "{message}: {}",
            origins[&message]
        );
    }
}

#[tracefault::trace]
async fn awaits_spawned(task: usize) -> Result<(), E> {
    tracefault::task::spawn(child(task, 0)).await.unwrap()
}

#[test]
fn a_thousand_spawned_errors_are_reported_once_each_by_whoever_awaits_them() {
    const TASKS: usize = 1000;
    let ((), captured) = capture_everywhere(|| run_tasks(TASKS, awaits_spawned));
    assert_eq!(captured.reports().len(), TASKS);
    for report in captured.reports() {
        let stacktrace = report.field("exception.stacktrace");
        assert!(
            stacktrace.contains(
                "Span trace (outermost first):\n  in concurrency::awaits_spawned at tests/tests/concurrency.rs:"
            ) && stacktrace.contains("in concurrency::child at"),
            "{stacktrace}"
        );
    }
}
