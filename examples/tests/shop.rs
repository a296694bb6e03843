//! Runs the shop as a user would (`cargo run --example shop`: three services in one process,
//! one checkout that succeeds, one that fails, one that panics) and reads what it prints.

mod support;

use support::example;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Ample for three loopback requests, even on a loaded machine.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The running example; killed when dropped, however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads a pipe to its end on a thread of its own, so that the child never blocks on it.
fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The shop's standard output, from one run shared by the tests.
fn shop() -> &'static str {
    static OUTPUT: OnceLock<String> = OnceLock::new();
    OUTPUT.get_or_init(|| {
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut child = Command::new(example("shop"))
            .current_dir(workspace)
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1")
            .env("TRACEFAULT_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the shop example was built");
        let stdout = read_all(child.stdout.take().unwrap());
        let stderr = read_all(child.stderr.take().unwrap());
        let mut running = Running(child);
        let deadline = Instant::now() + TIME_LIMIT;
        let status = loop {
            if let Some(status) = running.0.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Killing it closes the pipes, so the readers end too.
        drop(running);
        let stdout = stdout.join().unwrap();
        let stderr = stderr.join().unwrap();
        match status {
            Some(status) if status.success() => stdout,
            Some(status) => panic!("the shop failed: {status}\n{stdout}\n{stderr}"),
            None => panic!("the shop did not finish in {TIME_LIMIT:?}\n{stdout}\n{stderr}"),
        }
    })
}

/// The trace id of the checkout of `sku`, from the line the customer side prints, and that line.
fn checkout(sku: u32) -> (String, &'static str) {
    let stdout = shop();
    let prefix = format!("POST /checkout/{sku} -> ");
    let line = stdout
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no response to {prefix:?} in:\n{stdout}"));
    let trace = between(line, "(trace ", ")");
    assert_eq!(trace.len(), 32, "{line}");
    (trace.to_owned(), line)
}

/// The text after `start` up to `end` (or the end of `text`).
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in {text:?}"))
        + start.len();
    let to = text[from..].find(end).unwrap_or(text.len() - from);
    &text[from..from + to]
}

/// The JSON log lines of the run (the customer side's own lines are not JSON).
fn log_lines() -> &'static [serde_json::Value] {
    static LINES: OnceLock<Vec<serde_json::Value>> = OnceLock::new();
    LINES.get_or_init(|| {
        shop()
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect()
    })
}

/// The reports in `trace`.
fn reports_in(trace: &str) -> Vec<&'static serde_json::Value> {
    log_lines()
        .iter()
        .filter(|line| line["target"] == "tracefault" && line["level"] == "ERROR")
        .filter(|line| line["trace_id"] == trace)
        .collect()
}

/// The one report that says `escaped`, e.g. `error escaped shop::gateway::checkout`; its text.
fn report<'a>(reports: &[&'a serde_json::Value], escaped: &str) -> &'a serde_json::Value {
    let found: Vec<&serde_json::Value> = reports
        .iter()
        .copied()
        .filter(|report| report["message"] == escaped)
        .collect();
    assert_eq!(found.len(), 1, "{escaped:?} in {reports:#?}");
    found[0]
}

fn text(report: &serde_json::Value) -> &str {
    report["exception.stacktrace"].as_str().unwrap()
}

/// The log line of `target` with `message` in `trace`.
fn log_line(target: &str, message: &str, trace: &str) -> &'static serde_json::Value {
    log_lines()
        .iter()
        .find(|line| {
            line["target"] == target && line["message"] == message && line["trace_id"] == trace
        })
        .unwrap_or_else(|| panic!("no {target} line {message:?} in trace {trace}"))
}

/// Each of `expected_in_order` in `text`, each after the one before.
fn assert_in_order(text: &str, expected_in_order: &[&str]) {
    let mut rest = text;
    for expected in expected_in_order {
        let at = rest
            .find(expected)
            .unwrap_or_else(|| panic!("{expected:?} missing or out of order in:\n{text}"));
        rest = &rest[at + expected.len()..];
    }
}

#[test]
fn the_ok_checkout_succeeds_without_a_report() {
    let (trace, line) = checkout(1);
    assert!(line.contains("-> 200 OK"), "{line}");
    assert!(
        line.ends_with(r#"{"order":1001,"sku":1,"packs":2}"#),
        "{line}"
    );
    assert!(reports_in(&trace).is_empty(), "{trace}");
    for (target, message) in [
        ("shop::gateway", "checking out"),
        ("shop::orders", "placing an order"),
        ("shop::inventory", "reserving stock"),
    ] {
        let line = log_line(target, message, &trace);
        assert_eq!(line["span_id"].as_str().map(str::len), Some(16), "{line}");
    }
}

#[test]
fn one_trace_crosses_the_three_services_and_the_gateway_report_names_the_cause() {
    let (trace, line) = checkout(42);
    assert!(line.contains("-> 502 Bad Gateway"), "{line}");

    // Every service logged the request in the trace the gateway started.
    log_line("shop::gateway", "checking out", &trace);
    log_line("shop::orders", "placing an order", &trace);
    log_line("shop::inventory", "reserving stock", &trace);

    // One report per service, all in the same trace.
    let reports = reports_in(&trace);
    assert_eq!(reports.len(), 3, "{reports:#?}");
    let inventory = report(&reports, "error escaped shop::inventory::reserve");
    assert_in_order(
        text(inventory),
        &[
            "shop::inventory::StockError: the stock of sku 42 could not be read",
            "std::io::Error: connection refused by stock-db:5432",
            "in shop::inventory::query_stock at examples/shop/inventory.rs:",
            "(origin)",
        ],
    );
    let orders = report(&reports, "error escaped shop::orders::place_order");
    let gateway = report(&reports, "error escaped shop::gateway::checkout");
    assert_eq!(gateway["service"], "shop-gateway");
    assert_eq!(orders["service"], "shop-orders");
    assert_eq!(inventory["service"], "shop-inventory");
    let inventory_span = inventory["server.span_id"].as_str().unwrap();
    let orders_span = orders["server.span_id"].as_str().unwrap();

    // The gateway's report chains the callees' errors, deepest first, each headed by where it
    // ran, with the frames the internal services sent.
    assert_in_order(
        text(gateway),
        &[
            &format!(
                "In shop-inventory, span {inventory_span}, POST /reservations/42 → 500 Internal Server Error:"
            ),
            "Traceback (most recent call last):",
            "in shop::inventory::query_stock",
            "shop::inventory::StockError: the stock of sku 42 could not be read",
            "caused by std::io::Error: connection refused by stock-db:5432",
            &format!(
                "The above error was the direct cause of the following error, in shop-orders, span {orders_span}, POST /orders/42 → 502 Bad Gateway:"
            ),
            "in shop::orders::reserve_stock",
            "shop::orders::OrderError: no stock could be reserved for sku 42",
            &format!("caused by tracefault::RemoteError: shop-inventory answered 500 Internal Server Error from span {inventory_span}"),
            "The above error was the direct cause of the following error, in shop-gateway:",
            "Traceback (most recent call last):",
            "in shop::gateway::post_checkout",
            "in shop::gateway::place_order",
            "shop::gateway::CheckoutError: checkout of sku 42 failed",
            "The above error was caused by:",
            &format!("tracefault::RemoteError: shop-orders answered 502 Bad Gateway from span {orders_span}: no stock could be reserved for sku 42"),
            "Span trace (outermost first):",
            "in shop::gateway::checkout at examples/shop/gateway.rs:",
            "in shop::gateway::place_order at examples/shop/gateway.rs:",
            "(origin)",
            &format!("Trace {trace}, span "),
        ],
    );
    assert_eq!(
        text(gateway)
            .matches("Traceback (most recent call last):")
            .count(),
        3,
        "the gateway's own, and the two its callees sent"
    );

    // The same chain, structured: each remote cause with its type and where it ran.
    let causes: Vec<(String, String)> = gateway["exception.causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cause| {
            (
                cause["type"].as_str().unwrap_or("").to_owned(),
                cause["service"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        causes,
        [
            ("tracefault::RemoteError".to_owned(), String::new()),
            (
                "shop::orders::OrderError".to_owned(),
                "shop-orders".to_owned()
            ),
            (
                "tracefault::RemoteError".to_owned(),
                "shop-orders".to_owned()
            ),
            (
                "shop::inventory::StockError".to_owned(),
                "shop-inventory".to_owned()
            ),
            ("std::io::Error".to_owned(), "shop-inventory".to_owned()),
        ]
    );
    assert_eq!(gateway["exception.causes"][1]["span_id"], orders_span);
    assert_eq!(gateway["exception.causes"][3]["span_id"], inventory_span);

    // The public edge answered with the status and the trace, and nothing of the error.
    let body: serde_json::Value = serde_json::from_str(line.split_once("): ").unwrap().1).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "type": "about:blank",
            "title": "Bad Gateway",
            "status": 502,
            "trace_id": trace,
        })
    );

    // Each service's server span is the child of its caller's client span.
    assert_eq!(inventory["http.request.method"], "POST");
    assert_eq!(inventory["url.path"], "/reservations/42");
    assert_eq!(orders["url.path"], "/orders/42");
    assert_eq!(gateway["url.path"], "/checkout/42");
    assert!(
        gateway.get("server.parent_span_id").is_none(),
        "the customer sent no trace"
    );
    assert!(inventory["server.parent_span_id"].is_string());
}

#[test]
fn the_panic_in_inventory_is_reported_there_and_reaches_the_gateway_as_an_http_error() {
    let (trace, line) = checkout(7);
    assert!(line.contains("-> 502 Bad Gateway"), "{line}");
    let reports = reports_in(&trace);
    assert_eq!(reports.len(), 3, "{reports:#?}");
    let inventory = report(&reports, "panic escaped shop::inventory::reserve");
    assert_eq!(inventory["exception.kind"], "panic");
    // One panic, one line: `CatchPanicLayer::custom(panic_answer)` answers without logging
    // tower-http's `Service panicked` beside the report.
    let service_panicked: Vec<_> = log_lines()
        .iter()
        .filter(|line| {
            line["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("Service panicked"))
        })
        .collect();
    assert!(service_panicked.is_empty(), "{service_panicked:#?}");
    assert_in_order(
        text(inventory),
        &[
            "in shop::inventory::reserve",
            "let packs = units / pack_size;",
            "panic: attempt to divide by zero",
            "in shop::inventory::reserve at examples/shop/inventory.rs:",
        ],
    );
    let inventory_span = inventory["server.span_id"].as_str().unwrap();
    assert_in_order(
        text(report(&reports, "error escaped shop::gateway::checkout")),
        &[
            &format!(
                "In shop-inventory, span {inventory_span}, POST /reservations/7 → 500 Internal Server Error:"
            ),
            "in shop::inventory::reserve",
            "panic: attempt to divide by zero",
            "in shop-orders",
            "shop::orders::OrderError: no stock could be reserved for sku 7",
            "in shop-gateway:",
            "shop::gateway::CheckoutError: checkout of sku 7 failed",
        ],
    );
}
