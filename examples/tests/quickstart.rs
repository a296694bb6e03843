//! Runs the quickstart as a user would and reads what it prints.

mod support;

use support::example;

use std::process::Command;

fn run_quickstart(args: &[&str]) -> String {
    run_quickstart_as(args, "pretty")
}

fn run_quickstart_as(args: &[&str], format: &str) -> String {
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(example("quickstart"))
        .args(args)
        .current_dir(workspace)
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .env("TRACEFAULT_LOG_FORMAT", format)
        .output()
        .expect("the quickstart example was built");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_quickstart_prints_one_traceback_with_the_span_trace_and_the_causes() {
    let stdout = run_quickstart(&[]);
    assert_eq!(
        stdout.matches("Traceback (most recent call last):").count(),
        1,
        "{stdout}"
    );
    let expected_in_order = [
        "ERROR checkout: error escaped quickstart::checkout",
        "in quickstart::checkout",
        "let reserved = reserve(sku, quantity)",
        "in quickstart::reserve",
        "let available = query_stock(sku)",
        "in quickstart::query_stock",
        "quickstart::CheckoutError: order 7 could not be placed",
        "The above error was caused by:",
        "quickstart::StockError: sku 42 is out of stock",
        "std::io::Error: connection refused by stock-db:5432",
        "Span trace (outermost first):",
        "in quickstart::checkout at examples/quickstart.rs:",
        "in quickstart::reserve at examples/quickstart.rs:",
        "in quickstart::query_stock at examples/quickstart.rs:",
        "(origin)",
        "checkout returned: Err(order 7 could not be placed)",
    ];
    let mut rest = stdout.as_str();
    for expected in expected_in_order {
        let at = rest
            .find(expected)
            .unwrap_or_else(|| panic!("{expected:?} missing or out of order in:\n{stdout}"));
        rest = &rest[at + expected.len()..];
    }
}

#[test]
fn the_quickstart_panic_path_reports_the_panic_site() {
    let stdout = run_quickstart(&["--panic"]);
    assert_eq!(
        stdout.matches("Traceback (most recent call last):").count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains("ERROR checkout: panic escaped quickstart::checkout"),
        "{stdout}"
    );
    assert!(
        stdout.contains("let per_unit = available / quantity;"),
        "{stdout}"
    );
    assert!(
        stdout.contains("panic: attempt to divide by zero"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the checkout task panicked: true"),
        "{stdout}"
    );
}

/// Off a terminal (or with `TRACEFAULT_LOG_FORMAT=json`), one JSON object per line; the report
/// keeps its traceback whole in `exception.stacktrace`, with the ids beside it.
#[test]
fn json_lines_carry_the_report_and_its_ids() {
    let stdout = run_quickstart_as(&[], "json");
    // The quickstart's own `println!`s are not log lines.
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let report = lines
        .iter()
        .find(|line| line["target"] == "tracefault" && line["level"] == "ERROR")
        .unwrap_or_else(|| panic!("no report in {stdout}"));
    assert_eq!(report["message"], "error escaped quickstart::checkout");
    assert_eq!(report["exception.kind"], "error");
    assert_eq!(report["exception.type"], "quickstart::CheckoutError");
    assert_eq!(
        report["exception.causes"],
        serde_json::json!([
            { "type": "quickstart::StockError", "message": "sku 42 is out of stock" },
            { "type": "std::io::Error", "message": "connection refused by stock-db:5432" },
        ])
    );
    let functions = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} in {report}"))
            .iter()
            .map(|entry| entry["function"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        functions("exception.frames"),
        [
            "quickstart::main",
            "quickstart::checkout",
            "quickstart::reserve",
            "quickstart::query_stock"
        ]
    );
    assert!(report["exception.frames"]
        .as_array()
        .unwrap()
        .iter()
        .all(|frame| frame["user"] == true && frame["file"] == "examples/quickstart.rs"));
    assert_eq!(
        functions("exception.span_trace"),
        [
            "quickstart::checkout",
            "quickstart::reserve",
            "quickstart::query_stock"
        ]
    );
    let span_ids: Vec<&str> = report["exception.span_trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["span_id"].as_str().unwrap())
        .collect();
    assert_eq!(span_ids[0], report["span_id"], "the edge is outermost");
    assert!(span_ids[1] != span_ids[0] && span_ids[2] != span_ids[1]);
    let stacktrace = report["exception.stacktrace"].as_str().unwrap();
    assert!(stacktrace.starts_with("Traceback (most recent call last):\n"));
    assert!(stacktrace.contains("in quickstart::query_stock"));
    assert_eq!(report["trace_id"].as_str().unwrap().len(), 32);
    assert_eq!(report["span_id"].as_str().unwrap().len(), 16);
    assert_eq!(report["spans"], serde_json::json!(["checkout"]));
    assert!(report["timestamp"].as_str().unwrap().ends_with('Z'));
}
