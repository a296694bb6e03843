//! End to end with the real thing: the shop's three services as processes, each writing JSON
//! lines to its own file and exporting its spans over OTLP/HTTP to a receiver in this test
//! (decoded with `opentelemetry-proto`, served back in Tempo v1's and v2's envelopes); a few
//! hundred checkouts, some failing (sku 42), some panicking (sku 7); then `tracefault errors`,
//! `traces` and `show`, from the logs and from each backend API. Jaeger's API is not imitated
//! here: `tests/jaeger.rs` reads the shop's traces from a real Jaeger v2.
//!
//! The shop runs as in `common/shop.rs`.

#[path = "common/shop.rs"]
mod shop;

use serde_json::Value;
use shop::{build_shop, post, start_receiver, start_shop, traces_data, Received, TIME_LIMIT};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Checkouts per sku: 1 succeeds, 42 fails in inventory's `query_stock`, 7 panics there.
const OK: usize = 120;
const FAILING: usize = 60;
const PANICKING: usize = 40;

struct Run {
    logs: PathBuf,
    received: Received,
    /// The receiver's base URL, also serving the backends' trace-by-id APIs.
    backend: String,
    /// A trace of each kind, by the sku of its checkout.
    failing_trace: String,
    panicking_trace: String,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let shop = build_shop();
        let logs = std::env::temp_dir().join(format!("tracefault-cli-shop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&logs);
        std::fs::create_dir_all(&logs).unwrap();
        let received = Received::default();
        let backend = start_receiver(received.clone());
        let [gateway, orders, inventory] = start_shop(&shop, &logs, &backend);
        let mut failing_trace = String::new();
        let mut panicking_trace = String::new();
        let skus = [(1, OK, 200), (42, FAILING, 502), (7, PANICKING, 502)];
        let mut order: Vec<(u32, u16)> = Vec::new();
        for (sku, count, status) in skus {
            order.extend(std::iter::repeat_n((sku, status), count));
        }
        // Interleaved, as a shop's traffic is.
        order.sort_by_key(|&(sku, _)| sku * 7 % 5);
        for (sku, expected) in order {
            let (status, trace) = post(&format!("{}/checkout/{sku}", gateway.url));
            assert_eq!(status, expected, "checkout of {sku}");
            match sku {
                42 => failing_trace = trace,
                7 => panicking_trace = trace,
                _ => {}
            }
        }
        for service in [gateway, orders, inventory] {
            service.stop();
        }
        assert_eq!(
            failing_trace.len(),
            32,
            "the gateway's traceresponse names the trace"
        );
        Run {
            logs,
            received,
            backend,
            failing_trace,
            panicking_trace,
        }
    })
}

fn tracefault(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

fn log_files(run: &Run) -> Vec<String> {
    ["gateway", "orders", "inventory"]
        .iter()
        .map(|name| run.logs.join(format!("{name}.log")).display().to_string())
        .collect()
}

fn with_logs<'a>(args: &[&'a str], logs: &'a [String]) -> Vec<&'a str> {
    args.iter()
        .copied()
        .chain(logs.iter().map(String::as_str))
        .collect()
}

#[test]
fn errors_groups_the_shops_reports_with_exact_counts() {
    let run = run();
    let logs = log_files(run);
    let document = tracefault(&with_logs(&["errors", "--json"], &logs));
    let groups = document["groups"].as_array().unwrap();
    // A type is a group per root cause (#27.6): the gateway's and orders' errors over a stock
    // error and over a panic are two groups each; the counts add up over them.
    let count = |type_name: &str| {
        let found: Vec<&Value> = groups.iter().filter(|g| g["type"] == type_name).collect();
        let roots =
            if type_name.starts_with("shop::gateway") || type_name.starts_with("shop::orders") {
                2
            } else {
                1
            };
        assert_eq!(found.len(), roots, "groups of {type_name} in {document}");
        assert!(found
            .iter()
            .all(|group| group["services"] == found[0]["services"]));
        (
            found
                .iter()
                .map(|group| group["count"].as_u64().unwrap())
                .sum::<u64>(),
            found[0]["services"].clone(),
        )
    };
    let failed = (FAILING + PANICKING) as u64;
    assert_eq!(
        count("shop::gateway::CheckoutError"),
        (failed, serde_json::json!(["gateway"]))
    );
    assert_eq!(
        count("shop::orders::OrderError"),
        (failed, serde_json::json!(["orders"]))
    );
    assert_eq!(
        count("shop::inventory::StockError"),
        (FAILING as u64, serde_json::json!(["inventory"]))
    );
    assert_eq!(
        count("panic"),
        (PANICKING as u64, serde_json::json!(["inventory"]))
    );
    assert_eq!(
        groups.len(),
        6,
        "four types, two of them over two root causes: {document}"
    );
    assert_eq!(document["reports"], failed * 3);
    let stock = groups
        .iter()
        .find(|g| g["type"] == "shop::inventory::StockError")
        .unwrap();
    assert_eq!(stock["origin"]["function"], "shop::inventory::query_stock");
    assert_eq!(stock["origin"]["file"], "examples/shop/inventory.rs");
    // Largest first.
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|pair| pair[0] >= pair[1]),
        "{counts:?}"
    );
    // The same logs twice (two overlapping exports) count once.
    let twice: Vec<String> = logs.iter().chain(&logs).cloned().collect();
    let again = tracefault(&with_logs(&["errors", "--json"], &twice));
    assert_eq!(again["reports"], failed * 3);
    assert_eq!(again["duplicates"], failed * 3);
    let only = tracefault(&with_logs(
        &[
            "errors",
            "--json",
            "--service",
            "inventory",
            "--type",
            "StockError",
        ],
        &logs,
    ));
    assert_eq!(only["groups"].as_array().unwrap().len(), 1);
}

#[test]
fn traces_lists_every_failing_trace_with_its_origin() {
    let run = run();
    let logs = log_files(run);
    let document = tracefault(&with_logs(&["traces", "--json"], &logs));
    let traces = document["traces"].as_array().unwrap();
    assert_eq!(traces.len(), FAILING + PANICKING);
    assert!(traces.iter().all(|trace| trace["root_route"]
        .as_str()
        .is_some_and(|route| route.starts_with("POST /checkout/"))));
    assert!(traces.iter().all(|trace| trace["root_service"] == "gateway"
        && trace["services"] == serde_json::json!(["gateway", "orders", "inventory"])
        && trace["origin"]["service"] == "inventory"));
    let failing = traces
        .iter()
        .find(|trace| trace["trace_id"] == run.failing_trace.as_str())
        .expect("the failing checkout's trace");
    assert_eq!(failing["origin"]["type"], "shop::inventory::StockError");
    assert_eq!(
        failing["origin"]["location"]["function"],
        "shop::inventory::query_stock"
    );
    let starts: Vec<&str> = traces
        .iter()
        .map(|t| t["start"].as_str().unwrap())
        .collect();
    assert!(
        starts.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
}

/// The services of a story's chain, origin first, and its origin's function.
fn chain(story: &Value) -> (Vec<String>, Vec<String>, String) {
    let links = story["chain"].as_array().unwrap();
    let services = links
        .iter()
        .map(|l| l["service"].as_str().unwrap().to_owned())
        .collect();
    let types = links
        .iter()
        .map(|l| l["report"]["type_name"].as_str().unwrap().to_owned())
        .collect();
    let function = links[0]["origin"]["function"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (services, types, function)
}

#[test]
fn show_tells_the_failing_trace_from_the_logs_origin_first() {
    let run = run();
    let logs = log_files(run);
    let story = tracefault(&with_logs(&["show", &run.failing_trace, "--json"], &logs));
    let (services, types, origin) = chain(&story);
    assert_eq!(services, ["inventory", "orders", "gateway"]);
    assert_eq!(
        types,
        [
            "shop::inventory::StockError",
            "shop::orders::OrderError",
            "shop::gateway::CheckoutError"
        ]
    );
    assert_eq!(origin, "shop::inventory::query_stock");
    assert!(
        story["others"].as_array().unwrap().is_empty(),
        "every report once: {story}"
    );
    // Each caller names its callee by the callee's server span, which crossed the wire in the
    // callee's Problem Details: no link is guessed from the time.
    let bases: Vec<&str> = story["chain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|link| link["caused_next_by"].as_str())
        .collect();
    assert_eq!(bases, ["cause_span", "cause_span"], "{story}");
    let text = {
        let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
            .args(with_logs(&["show", &run.failing_trace], &logs))
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let joints = text
        .matches("The above error was the direct cause of the following error")
        .count();
    assert_eq!(joints, 2, "{text}");
    assert_eq!(
        text.matches("shop::inventory::StockError: the stock of sku 42")
            .count(),
        1
    );
    let panicked = tracefault(&with_logs(&["show", &run.panicking_trace, "--json"], &logs));
    let (services, types, _) = chain(&panicked);
    assert_eq!(services, ["inventory", "orders", "gateway"]);
    assert_eq!(types[0], "panic");
}

#[test]
fn show_from_each_backend_api_tells_the_same_story_as_the_logs() {
    let run = run();
    let logs = log_files(run);
    // The services flushed their spans at SIGTERM; the receiver has them all.
    let deadline = Instant::now() + TIME_LIMIT;
    while traces_data(&run.received, &run.failing_trace)["resourceSpans"]
        .as_array()
        .is_none_or(|resources| resources.len() < 3)
    {
        assert!(
            Instant::now() < deadline,
            "the spans of all three services arrive"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let from_logs = chain(&tracefault(&with_logs(
        &["show", &run.failing_trace, "--json"],
        &logs,
    )));
    // `auto` asks Jaeger's path first; this receiver does not know it (404) and Tempo's answers.
    for backend in ["tempo", "tempo-v1", "auto"] {
        let story = tracefault(&[
            "show",
            &run.failing_trace,
            "--json",
            "--url",
            &run.backend,
            "--backend",
            backend,
        ]);
        assert_eq!(chain(&story), from_logs, "{backend}: {story}");
        assert_eq!(story["timing"], "measured");
        let waterfall = story["waterfall"].as_array().unwrap();
        assert!(
            waterfall.len() >= 9,
            "{backend}: the spans of three services"
        );
        let raised: Vec<&Value> = waterfall
            .iter()
            .filter(|row| row["raised"] == true)
            .collect();
        assert!(
            raised.iter().any(|row| row["name"] == "query_stock"),
            "{backend}"
        );
    }
}
