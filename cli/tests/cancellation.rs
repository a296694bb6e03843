//! A caller that gave up, end to end: the shop's three services as processes (as in
//! `common/shop.rs`), one checkout of sku 13, whose supplier `orders` asks for 30 s while the
//! gateway waits 3 s for `orders`. The gateway reports the timeout; `orders`' handler is dropped
//! when the gateway's connection closes, and its futures write their cancellations. Then
//! `tracefault show`, from the log lines and from the spans (the test's receiver answers as
//! Tempo's v2 API does; `jaeger.rs` reads a real Jaeger), and
//! `tracefault html`: the cancelled spans under the gateway's client span, marked, and the
//! gateway's report followed by where `orders` still was.

#[path = "common/shop.rs"]
mod shop;

use shop::{build_shop, post, start_receiver, start_shop, Received, TIME_LIMIT};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The sku whose supplier answers after the gateway's timeout (`examples/shop/orders.rs`).
const BACKORDERED: u32 = 13;

struct Run {
    logs: PathBuf,
    /// The receiver's base URL, also serving the backends' trace-by-id APIs.
    backend: String,
    trace: String,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let shop = build_shop();
        let logs = std::env::temp_dir().join(format!(
            "tracefault-cli-cancellation-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&logs);
        std::fs::create_dir_all(&logs).unwrap();
        let received = Received::default();
        let backend = start_receiver(received.clone());
        let [gateway, orders, inventory] = start_shop(&shop, &logs, &backend);
        let (status, trace) = post(&format!("{}/checkout/{BACKORDERED}", gateway.url));
        assert_eq!(status, 502, "the gateway gave up on orders");
        assert_eq!(
            trace.len(),
            32,
            "the gateway's traceresponse names the trace"
        );
        // Orders' handler is dropped when it sees the gateway's connection close; its
        // graceful shutdown would otherwise wait for the supplier.
        let orders_log = logs.join("orders.log");
        let deadline = Instant::now() + TIME_LIMIT;
        while std::fs::read_to_string(&orders_log)
            .map_or(0, |text| text.matches("\"message\":\"cancelled\"").count())
            < 3
        {
            assert!(
                Instant::now() < deadline,
                "orders never wrote its cancellations"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Stopped, each flushes its lines and spans.
        for service in [gateway, orders, inventory] {
            service.stop();
        }
        Run {
            logs,
            backend,
            trace,
        }
    })
}

fn show(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The waterfall's rows as `service | name, indented by depth | mark`, and each row's
/// duration as printed; times and span ids, which change from run to run, left out.
fn waterfall(text: &str) -> (Vec<String>, Vec<String>) {
    let mut lines = text.lines().skip_while(|line| !line.starts_with("Spans ("));
    let header = lines.nth(1).expect("the waterfall's header");
    // Columns by character: the bars are wider in bytes.
    let name_at = header.find("SPAN ").unwrap();
    let id_at = header.find("SPAN ID").unwrap();
    let mut rows = Vec::new();
    let mut durations = Vec::new();
    for line in lines.take_while(|line| !line.is_empty()) {
        let chars: Vec<char> = line.chars().collect();
        let service = line.split_whitespace().next().unwrap();
        let rest: String = chars[name_at..].iter().collect();
        let indent = rest.len() - rest.trim_start().len();
        let name = rest.trim_start().split("  ").next().unwrap();
        let mut after_name = rest.trim_start()[name.len()..].split_whitespace();
        let _start = after_name.next();
        durations.push(after_name.next().unwrap().to_owned());
        let mark: String = chars[id_at + 16..].iter().collect();
        rows.push(format!(
            "{service} | {}{name} | {}",
            " ".repeat(indent),
            mark.trim()
        ));
    }
    (rows, durations)
}

/// Seconds of a duration as `format_duration` prints one of a few seconds: `3.02s`.
fn seconds(printed: &str) -> f64 {
    printed
        .strip_suffix('s')
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("not a duration of seconds: {printed}"))
}

/// The line after the gateway's report, with the elapsed time checked and taken out.
fn still_in_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|line| line.starts_with("the callee was still in "))
        .unwrap_or_else(|| panic!("no line says where the callee was:\n{text}"));
    let (before, rest) = line.split_once(" (").unwrap();
    let (elapsed, after) = rest.split_once(')').unwrap();
    let elapsed = seconds(elapsed);
    assert!(
        (3.0..30.0).contains(&elapsed),
        "the callee had run for the gateway's 3 s: {line}"
    );
    format!("{before} (…){after}")
}

fn log_files(run: &Run) -> Vec<String> {
    ["gateway", "orders", "inventory"]
        .iter()
        .map(|name| run.logs.join(format!("{name}.log")).display().to_string())
        .collect()
}

const STILL_IN: &str =
    "the callee was still in orders's shop::orders::ask_supplier (…) when the caller gave up";

#[test]
fn from_the_log_lines_the_cancelled_spans_hang_under_the_gateways_call_marked() {
    let run = run();
    let mut args = vec!["show", run.trace.as_str(), "--color", "never"];
    let logs = log_files(run);
    args.extend(logs.iter().map(String::as_str));
    let text = show(&args);
    let (rows, durations) = waterfall(&text);
    assert_eq!(
        rows,
        [
            "gateway | POST /checkout/13 | ✗",
            "gateway |   checkout | ✗",
            "gateway |     place_order | ✗ raised here",
            "gateway |       POST | ✗",
            "orders |         POST /orders/13 | ",
            "orders |           place_order | ⊘ cancelled",
            "orders |             reserve_stock | ⊘ cancelled",
            "orders |               ask_supplier | ⊘ cancelled",
        ],
        "{text}"
    );
    // Each cancelled span ran from its first poll to its drop, not a 0 µs tick.
    for duration in &durations[5..] {
        assert!(seconds(duration) >= 3.0, "{text}");
    }
    assert_eq!(still_in_line(&text), STILL_IN, "{text}");
    // It follows the gateway's report, the one that gave up.
    let report = text
        .find("shop::gateway::CheckoutError: checkout of sku 13")
        .unwrap();
    assert!(text.find(STILL_IN.split(" (").next().unwrap()).unwrap() > report);
}

#[test]
fn from_the_spans_the_cancelled_spans_hang_under_the_gateways_client_span_marked() {
    let run = run();
    let text = show(&[
        "show",
        &run.trace,
        "--url",
        &run.backend,
        "--backend",
        "tempo",
        "--color",
        "never",
    ]);
    let (rows, durations) = waterfall(&text);
    assert_eq!(
        rows,
        [
            "gateway | POST /checkout/{sku} | ✗",
            "gateway |   checkout | ✗ raised here",
            "gateway |     place_order | ✗ raised here",
            "gateway |       POST | ✗",
            "orders |         POST /orders/{sku} | ",
            "orders |           place_order | ⊘ cancelled",
            "orders |             reserve_stock | ⊘ cancelled",
            "orders |               ask_supplier | ⊘ cancelled",
        ],
        "{text}"
    );
    for duration in &durations[5..] {
        assert!(seconds(duration) >= 3.0, "{text}");
    }
    assert_eq!(still_in_line(&text), STILL_IN, "{text}");
}

#[test]
fn the_dashboards_trace_page_marks_the_cancelled_spans_and_says_where_the_callee_was() {
    let run = run();
    let page = run.logs.join("dashboard.html");
    let page_arg = page.display().to_string();
    let mut args = vec!["html", "-o", page_arg.as_str()];
    let logs = log_files(run);
    args.extend(logs.iter().map(String::as_str));
    show(&args);
    let html = std::fs::read_to_string(&page).unwrap();
    let cancelled_bars = html.matches("class=\"bar cancelled\"").count();
    assert_eq!(
        cancelled_bars, 3,
        "place_order, reserve_stock, ask_supplier"
    );
    assert_eq!(html.matches("⊘ cancelled").count(), 3, "each says so");
    let still_in = html
        .split("<p class=\"still-in\">")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .unwrap();
    assert_eq!(
        still_in,
        "the callee was still in orders's shop::orders::ask_supplier"
    );
}
