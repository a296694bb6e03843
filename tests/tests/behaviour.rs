//! Instrumentation changes nothing the function's caller can see: values, drop order,
//! `Send`-ness; and it records only what the user names.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use support::{block_on, capture, capture_async, Failure};

thread_local! {
    static DROPS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        DROPS.with(|drops| drops.borrow_mut().push(self.0));
    }
}

fn drops_of(f: impl FnOnce()) -> Vec<&'static str> {
    DROPS.with(|drops| drops.borrow_mut().clear());
    f();
    DROPS.with(|drops| drops.borrow_mut().drain(..).collect())
}

macro_rules! twins {
    ($(#[$attr:meta])* fn $plain:ident / $traced:ident $($rest:tt)*) => {
        $(#[$attr])* fn $plain $($rest)*
        $(#[$attr])* #[tracefault::trace] fn $traced $($rest)*
    };
    ($(#[$attr:meta])* async fn $plain:ident / $traced:ident $($rest:tt)*) => {
        $(#[$attr])* async fn $plain $($rest)*
        $(#[$attr])* #[tracefault::trace] async fn $traced $($rest)*
    };
}

twins! {
    fn result_plain / result_traced(first: Noisy, (second, _third): (Noisy, Noisy), _: Noisy, _unused: Noisy) -> Result<&'static str, Failure> {
        let _local = Noisy("local");
        let moved = second;
        drop(moved);
        Ok(first.0)
    }
}

twins! {
    fn value_plain / value_traced(first: Noisy, _second: Noisy) -> &'static str {
        let _local = Noisy("local");
        first.0
    }
}

twins! {
    async fn async_plain / async_traced(first: Noisy, _second: Noisy, (third, _): (Noisy, Noisy)) -> Result<&'static str, Failure> {
        let _local = Noisy("local");
        tokio::task::yield_now().await;
        drop(third);
        Ok(first.0)
    }
}

fn arguments() -> (Noisy, (Noisy, Noisy), Noisy, Noisy) {
    (
        Noisy("first"),
        (Noisy("second"), Noisy("third")),
        Noisy("wildcard"),
        Noisy("unused"),
    )
}

#[test]
fn drop_order_and_return_values_are_unchanged() {
    let mut returned = Vec::new();
    let plain = drops_of(|| {
        let (a, b, c, d) = arguments();
        returned.push(result_plain(a, b, c, d).unwrap());
    });
    let traced = drops_of(|| {
        let (a, b, c, d) = arguments();
        returned.push(result_traced(a, b, c, d).unwrap());
    });
    assert_eq!(plain, traced);
    assert_eq!(returned, ["first", "first"]);

    let plain = drops_of(|| assert_eq!(value_plain(Noisy("a"), Noisy("b")), "a"));
    let traced = drops_of(|| assert_eq!(value_traced(Noisy("a"), Noisy("b")), "a"));
    assert_eq!(plain, traced);

    let args = || {
        (
            Noisy("first"),
            Noisy("second"),
            (Noisy("third"), Noisy("fourth")),
        )
    };
    let plain = drops_of(|| {
        let (a, b, c) = args();
        assert_eq!(block_on(async_plain(a, b, c)).unwrap(), "first");
    });
    let traced = drops_of(|| {
        let (a, b, c) = args();
        assert_eq!(block_on(async_traced(a, b, c)).unwrap(), "first");
    });
    assert_eq!(plain, traced);
}

/// `is_send!(value)` is `true` exactly when the value's type is `Send`, decided at compile
/// time: the inherent method exists only for `Send` types and wins over the trait's.
macro_rules! is_send {
    ($value:expr) => {{
        struct Probe<T>(T);
        #[allow(dead_code)]
        trait NotSend {
            fn is_send(&self) -> bool {
                false
            }
        }
        impl<T> NotSend for Probe<T> {}
        impl<T: Send> Probe<T> {
            #[allow(dead_code)]
            fn is_send(&self) -> bool {
                true
            }
        }
        Probe($value).is_send()
    }};
}

twins! {
    async fn sendable_plain / sendable_traced(value: u32) -> Result<u32, Failure> {
        tokio::task::yield_now().await;
        Ok(value)
    }
}

twins! {
    async fn local_plain / local_traced(value: u32) -> Result<u32, Failure> {
        let shared = Rc::new(value);
        tokio::task::yield_now().await;
        Ok(*shared)
    }
}

#[test]
fn futures_are_send_exactly_when_the_original_is() {
    assert!(is_send!(sendable_plain(1)));
    assert!(is_send!(sendable_traced(1)));
    assert!(!is_send!(local_plain(1)));
    assert!(!is_send!(local_traced(1)));
}

#[tracefault::trace]
fn secret_arguments(user: &str, password: &str) -> usize {
    user.len() + password.len()
}

#[tracefault::trace(args(user, %shown, ?debugged))]
fn named_arguments(user: &str, password: &str, shown: u32, debugged: Option<u8>) -> usize {
    user.len() + password.len() + shown as usize + usize::from(debugged.unwrap_or(0))
}

#[test]
fn only_named_arguments_are_recorded() {
    let (_, captured) = capture(|| secret_arguments("ada", "hunter2"));
    let fields = captured.span("secret_arguments").fields;
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert!(
        names.is_empty(),
        "no argument, and no ids unless asked for: {names:?}"
    );

    let (_, captured) = capture(|| named_arguments("ada", "hunter2", 5, Some(1)));
    let fields = captured.span("named_arguments").fields;
    assert_eq!(fields.get("user").map(String::as_str), Some("\"ada\""));
    assert_eq!(fields.get("shown").map(String::as_str), Some("5"));
    assert_eq!(fields.get("debugged").map(String::as_str), Some("Some(1)"));
    assert!(!fields.contains_key("password"));
    assert!(!fields.values().any(|value| value.contains("hunter2")));
}

#[tracefault::trace(name = "load_order", target = "shop::db", level = "debug", fields(order.id = id * 10, kind = %"bulk", pending))]
fn options(id: u64) -> u64 {
    id
}

#[test]
fn name_target_level_and_fields_shape_the_span() {
    let (_, captured) = capture(|| options(4));
    let span = captured.span("load_order");
    assert_eq!(span.fields.get("order.id").map(String::as_str), Some("40"));
    assert_eq!(span.fields.get("kind").map(String::as_str), Some("bulk"));
    assert!(!span.fields.contains_key("pending"));

    let (_, captured) =
        support::capture_at(tracing_subscriber::filter::LevelFilter::INFO, || options(4));
    assert!(captured.spans().is_empty(), "a debug span is off at INFO");
}

#[tracefault::trace(backtrace = "never")]
fn never_captures() -> Result<(), Failure> {
    Err(Failure::new("no backtrace wanted"))
}

#[tracefault::trace(no_err)]
fn errors_not_captured() -> Result<(), Failure> {
    Err(Failure::new("ignored"))
}

#[tracefault::trace(err)]
fn aliased() -> Outcome {
    Err(Failure::new("through an alias"))
}
type Outcome = Result<(), Failure>;

#[test]
fn err_options_and_backtrace_modes() {
    let before = tracefault::__private::captures_on_this_thread();
    let (_, captured) = capture(never_captures);
    assert_eq!(tracefault::__private::captures_on_this_thread(), before);
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    assert!(
        stacktrace.contains("backtrace not captured: backtrace = \"never\""),
        "{stacktrace}"
    );
    assert!(
        stacktrace.contains("File \"tests/tests/behaviour.rs\", line"),
        "{stacktrace}"
    );

    let (result, captured) = capture(errors_not_captured);
    assert!(result.is_err());
    assert!(captured.reports().is_empty());
    assert!(!captured
        .span("errors_not_captured")
        .fields
        .contains_key("error"));

    let (_, captured) = capture(aliased);
    assert_eq!(
        captured.the_report().field("exception.message"),
        "through an alias"
    );
}

#[test]
fn instrumented_async_fns_run_under_a_multi_threaded_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..8).map(|n| tokio::spawn(sendable_traced(n))).collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap().unwrap());
        }
        results
    });
    assert_eq!(results, (0..8).collect::<Vec<_>>());
    let (_, captured) = capture_async(sendable_traced(3));
    captured.span("sendable_traced");
}
