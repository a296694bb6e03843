//! One trace through services in five languages, each instrumented the way its users do it:
//!
//! ```text
//! gateway (Rust) -> orders (Python) -> pricing (Node.js) -> warehouse (Go) -> stock (Java)
//!   -> inventory (Rust)
//! ```
//!
//! The two Rust services write tracefault's JSON lines and export no spans; the four others
//! (`examples/polyglot/`, installed and started by `scripts/polyglot`) export their spans with
//! their own OpenTelemetry SDKs over OTLP/HTTP to the receiver of `common/shop.rs`, whose spans
//! this test writes as a collector's file exporter would. A checkout of sku 42 fails in
//! inventory's stock database; each service answers the next with an error in its own
//! language's usual shape (Spring's `ProblemDetail` from Java, `{"error", "detail"}` from Go,
//! `{"error", "message"}` from Node.js, RFC 9457 with tracefault's extension members from
//! Python). Then `tracefault show` and the dashboard read the two services' lines and the
//! collector's file together, and must tell one story: six services, origin first, each
//! foreign part with its language's frames.

#[path = "common/serve.rs"]
mod serve;
#[path = "common/shop.rs"]
#[allow(dead_code)] // Its three-service shop is the other tests'; this one starts its own.
mod shop;

use serde_json::Value;
use shop::{build_shop, otlp_json_lines, post, start_receiver, Received, TIME_LIMIT, WORKSPACE};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The chain, origin first: the order in which the errors happened.
const CHAIN: [&str; 6] = [
    "inventory",
    "stock",
    "warehouse",
    "pricing",
    "orders",
    "gateway",
];
/// The services whose SDKs export their spans.
const EXPORTING: [&str; 4] = ["orders", "pricing", "warehouse", "stock"];

/// A Rust shop service writing only its JSON lines, to `<dir>/<name>.log`.
struct RustService {
    child: Child,
    url: String,
}

impl RustService {
    fn start(shop: &Path, name: &str, dir: &Path, downstream: &[&str]) -> RustService {
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let mut child = Command::new(shop)
            .current_dir(WORKSPACE)
            .args(["--service", name, "--port", "0"])
            .args(downstream)
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            // No exporter: what these services say is in their lines alone.
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .env("TRACEFAULT_LOG_FORMAT", "json")
            .env("OTEL_SERVICE_NAME", name)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the shop runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix(&format!("{name} listening on "))
            .unwrap_or_else(|| panic!("{name} said {first:?}"))
            .to_owned();
        std::thread::spawn(move || {
            let mut log = log;
            let _ = std::io::copy(&mut stdout, &mut log);
            let _ = log.flush();
        });
        RustService { child, url }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + TIME_LIMIT;
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RustService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scripts/polyglot` with `args`; its standard output.
fn polyglot(args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg(Path::new(WORKSPACE).join("scripts/polyglot"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("bash runs scripts/polyglot");
    assert!(
        output.status.success(),
        "scripts/polyglot {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Stops the script's services even when the test fails between start and stop.
struct Polyglot(PathBuf);

impl Drop for Polyglot {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Path::new(WORKSPACE).join("scripts/polyglot"))
            .arg("stop")
            .arg(&self.0)
            .status();
    }
}

struct Run {
    dir: PathBuf,
    trace: String,
    /// What the gateway answered the customer.
    answered: u16,
    /// Problem Details as the services wrote them: inventory's (the Rust runtime's) for a
    /// failure and a panic, orders' (Python's, by hand) and stock's (Java's, Spring's shape).
    problems: Vec<(String, String)>,
}

impl Run {
    /// The sources as a user names them: the Rust services' logs and the collector's file.
    fn sources(&self) -> Vec<String> {
        ["gateway.log", "inventory.log", "collector.jsonl"]
            .iter()
            .map(|name| self.dir.join(name).display().to_string())
            .collect()
    }
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let shop = build_shop();
        let dir = shop::target_dir().join(format!("polyglot-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let received = Received::default();
        let collector = start_receiver(received.clone());
        let inventory = RustService::start(&shop, "inventory", &dir, &[]);
        let services = Polyglot(dir.clone());
        let dir_arg = dir.display().to_string();
        let started = polyglot(&[
            "start",
            &dir_arg,
            "--collector",
            &collector,
            "--inventory",
            &inventory.url,
        ]);
        let orders = started
            .lines()
            .last()
            .expect("the script prints orders' URL");
        let stock =
            std::fs::read_to_string(dir.join("stock.url")).expect("the script names stock's URL");
        let gateway = RustService::start(&shop, "gateway", &dir, &["--orders", orders]);

        let (status, _) = post(&format!("{}/checkout/1", gateway.url));
        assert_eq!(status, 200, "a checkout through all six services succeeds");
        let (answered, trace) = post(&format!("{}/checkout/42", gateway.url));
        assert_eq!(trace.len(), 32, "the gateway names its trace");

        let problems = vec![
            (
                "inventory-error".to_owned(),
                post_body(&format!("{}/reservations/42", inventory.url)),
            ),
            (
                "inventory-panic".to_owned(),
                post_body(&format!("{}/reservations/7", inventory.url)),
            ),
            (
                "orders".to_owned(),
                post_body(&format!("{orders}/orders/42")),
            ),
            (
                "stock".to_owned(),
                post_body(&format!("{stock}/reservations/42")),
            ),
        ];

        gateway.stop();
        // Stopped, the SDKs flush what is left of their batches.
        drop(services);
        inventory.stop();
        wait_for_spans(&received, &trace);
        std::fs::write(dir.join("collector.jsonl"), otlp_json_lines(&received)).unwrap();
        Run {
            dir,
            trace,
            answered,
            problems,
        }
    })
}

/// Until the four SDKs' spans of `trace` have all arrived.
fn wait_for_spans(received: &Received, trace: &str) {
    let deadline = Instant::now() + TIME_LIMIT;
    loop {
        let data = shop::traces_data(received, trace);
        let services: Vec<String> = data["resourceSpans"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|resource| resource["resource"]["attributes"].as_array().cloned())
            .flatten()
            .filter(|attribute| attribute["key"] == "service.name")
            .filter_map(|attribute| {
                attribute["value"]["stringValue"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        if EXPORTING
            .iter()
            .all(|service| services.iter().any(|known| known == service))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the SDKs exported the trace's spans: {services:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tracefault(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn show_json(run: &Run) -> Value {
    let sources = run.sources();
    let mut args = vec!["show", run.trace.as_str(), "--json"];
    args.extend(sources.iter().map(String::as_str));
    let output = tracefault(&args);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The functions of a report's frames.
fn functions(report: &Value) -> Vec<String> {
    report["frames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|frame| frame["function"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn show_tells_one_story_through_six_services_in_five_languages() {
    let run = run();
    assert_eq!(run.answered, 502);
    let story = show_json(run);
    let chain = story["chain"].as_array().unwrap();
    let services: Vec<&str> = chain
        .iter()
        .map(|link| link["service"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(services, CHAIN, "{story:#}");
    // Every link is known by ids, none by time alone.
    let bases: Vec<&str> = chain
        .iter()
        .filter_map(|link| link["caused_next_by"].as_str())
        .collect();
    assert_eq!(bases.len(), 5, "{story:#}");
    assert!(!bases.contains(&"time"), "{bases:?}");
    // In the order the errors happened: each caller reported after its callee.
    let times: Vec<&str> = chain
        .iter()
        .map(|link| link["report"]["timestamp"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);

    let link = |service: &str| &chain[CHAIN.iter().position(|s| *s == service).unwrap()];
    let report = |service: &str| &link(service)["report"];
    // Each foreign part names its language and has its frames, read from the stack trace its
    // SDK recorded.
    let stock = report("stock");
    assert_eq!(stock["language"], "Java", "{stock:#}");
    assert_eq!(stock["type_name"], "shop.stock.StockUnavailableException");
    // The application's frames, outermost first; the JDK's HTTP server and thread pool below
    // them are counted, not shown.
    assert_eq!(
        functions(stock),
        [
            "shop.stock.ReservationHandler.handle",
            "shop.stock.ReservationHandler.reserve"
        ],
        "{stock:#}"
    );
    assert!(stock["hidden_frames"].as_u64() > Some(0), "{stock:#}");
    // Its cause, from the `Caused by:` of the stack trace: what inventory answered, as the
    // Java client read it from inventory's Problem Details.
    let stock_causes: Vec<(&str, &str)> = stock["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cause| {
            (
                cause["type_name"].as_str().unwrap_or(""),
                cause["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        stock_causes,
        [(
            "shop.stock.InventoryException",
            "inventory answered 500 to the reservation of sku 42: the stock of sku 42 could not be read"
        )],
        "{stock:#}"
    );
    let warehouse = report("warehouse");
    assert_eq!(warehouse["language"], "Go", "{warehouse:#}");
    assert_eq!(warehouse["type_name"], "*main.ReservationError");
    assert!(
        functions(warehouse).iter().any(|f| f == "main.reserve"),
        "{warehouse:#}"
    );
    let pricing = report("pricing");
    assert_eq!(pricing["language"], "Node.js", "{pricing:#}");
    assert_eq!(pricing["type_name"], "StockError");
    assert!(
        functions(pricing).iter().any(|f| f == "requestStock"),
        "{pricing:#}"
    );
    let orders = report("orders");
    assert_eq!(orders["language"], "Python", "{orders:#}");
    assert!(functions(orders).iter().any(|f| f == "quote"), "{orders:#}");
    // Python's exception was recorded on the client span where the call failed: the report is
    // of that span, not of the server span around it.
    let orders_span = link("orders")["span_name"].as_str().unwrap_or_default();
    assert_ne!(orders_span, "POST /orders/{sku}", "{:#}", link("orders"));
    // The origin is Rust's, from inventory's lines.
    assert_eq!(
        report("inventory")["type_name"],
        "shop::inventory::StockError"
    );

    // The gateway's report chains the foreign errors, from the Problem Details orders sent.
    let gateway = report("gateway");
    let causes = gateway["causes"].as_array().unwrap();
    let cause = |type_name: &str| {
        causes
            .iter()
            .find(|cause| cause["type_name"] == type_name)
            .unwrap_or_else(|| panic!("no cause {type_name} in {gateway:#}"))
    };
    assert_eq!(cause("OrderError")["service"], "orders", "{gateway:#}");
    // Python's frames, outermost first, as its traceback prints them.
    let frames: Vec<&str> = cause("OrderError")["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|frame| frame["function"].as_str())
        .collect();
    assert_eq!(frames, ["do_POST", "place_order"], "{gateway:#}");
    assert_eq!(cause("StockError")["service"], "pricing", "{gateway:#}");
    // Go's `{"error", "detail"}` and Node.js's `{"error", "message"}` carry no types: the Java
    // error reaches the gateway as what each caller said of it, pricing's message quoting
    // warehouse's, which quotes stock's ProblemDetail.
    let said = cause("StockError")["message"].as_str().unwrap_or_default();
    assert!(
        said.ends_with(
            "stock answered 502 to the reservation of sku 42: no stock could be held for sku 42"
        ),
        "{gateway:#}"
    );

    // One waterfall: the Rust services' spans, known from their lines, beside the measured.
    let rows = story["waterfall"].as_array().unwrap();
    for service in CHAIN {
        assert!(
            rows.iter().any(|row| row["service"] == service),
            "no span of {service} in the waterfall: {story:#}"
        );
    }
    // One tree: a single root, the gateway's.
    let roots: Vec<&Value> = rows.iter().filter(|row| row["depth"] == 0).collect();
    assert_eq!(roots.len(), 1, "{rows:#?}");
    assert_eq!(roots[0]["service"], "gateway");
    // "Raised here" only where an error started: in orders, PricingError on the client span
    // and OrderError in place_order, not on the server span that OrderError only escaped
    // (Python's SDK recorded it on both).
    // The spans of `service` marked raised, as (name, kind).
    let raised_in = |service: &str| -> Vec<(&str, &str)> {
        rows.iter()
            .filter(|row| row["raised"] == true && row["service"] == service)
            .map(|row| {
                (
                    row["name"].as_str().unwrap(),
                    row["kind"].as_str().unwrap_or(""),
                )
            })
            .collect()
    };
    assert_eq!(
        raised_in("orders"),
        [("place_order", "internal"), ("POST", "client")],
        "{rows:#?}"
    );
    // In stock, where Java's SDK recorded the exception: the server span that handled it, not
    // the client span whose answer was an error status.
    assert_eq!(
        raised_in("stock"),
        [("POST /reservations/{sku}", "server")],
        "{rows:#?}"
    );
}

#[test]
fn show_as_text_names_each_language_in_the_order_the_errors_happened() {
    let run = run();
    let sources = run.sources();
    let mut args = vec!["show", run.trace.as_str(), "--color", "never"];
    args.extend(sources.iter().map(String::as_str));
    let text = String::from_utf8(tracefault(&args).stdout).unwrap();
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in:\n{text}"))
    };
    let java = at("Traceback (Java, most recent call last):");
    let go = at("Traceback (Go, most recent call last):");
    let node = at("Traceback (Node.js, most recent call last):");
    let python = at("Traceback (Python, most recent call last):");
    let origin = at("shop::inventory::StockError: the stock of sku 42");
    assert!(
        origin < java && java < go && go < node && node < python,
        "{text}"
    );
    // Java's `Caused by:`, under its traceback.
    let java_cause = at("shop.stock.InventoryException: inventory answered 500");
    assert!(java < java_cause && java_cause < go, "{text}");
    assert_eq!(
        text.matches("The above error was the direct cause of the following error")
            .count(),
        5,
        "{text}"
    );
}

#[test]
fn the_dashboard_tells_the_same_story() {
    let run = run();
    let server = serve::Server::start(&run.sources());
    let page = get(&server.address, &format!("/trace/{}", run.trace));
    for needle in CHAIN.iter().copied().chain([
        "shop.stock.ReservationHandler.reserve",
        "shop.stock.StockUnavailableException",
        "shop.stock.InventoryException",
        "main.reserve",
        "requestStock",
        "quote",
        "Java",
        "Node.js",
        "Python",
        "Go",
    ]) {
        assert!(page.contains(needle), "{needle:?} is not on the page");
    }
    // The waterfall's data: every service's spans in it.
    let open = format!(
        "<script type=\"application/json\" id=\"spans-{}\">",
        run.trace
    );
    let json = page
        .split_once(&open)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .expect("the page has its spans as JSON");
    let rows: Value = serde_json::from_str(json).unwrap();
    let text = rows.to_string();
    for service in CHAIN {
        assert!(
            text.contains(&format!("\"{service}\"")),
            "{service} in {text}"
        );
    }
    // The distributed traceback in the same order as `show`'s: origin first, each foreign
    // part naming its language.
    let traceback = &page[page
        .find(&format!("id=\"traceback-{}\"", run.trace))
        .expect("the page has its distributed traceback")..];
    let positions: Vec<usize> = [
        "post_reservation",
        "(Java)",
        "shop.stock.ReservationHandler.reserve",
        "(Go)",
        "main.reserve",
        "(Node.js)",
        "requestStock",
        "(Python)",
        "CheckoutError",
    ]
    .iter()
    .map(|needle| traceback.find(needle).unwrap_or_else(|| panic!("{needle}")))
    .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

/// `GET path` from the dashboard at `address`; the body.
fn get(address: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIME_LIMIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{}",
        &response[..response.len().min(300)]
    );
    response.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// `POST url` without a trace; the body of its error answer.
fn post_body(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (address, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIME_LIMIT)).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{url}: {head}"
    );
    body.to_owned()
}

#[test]
fn problem_details_of_rust_python_and_java_services_validate_against_the_published_schema() {
    let run = run();
    let schema = Path::new(WORKSPACE).join("docs/problem-details.schema.json");
    let mut files = Vec::new();
    for (name, body) in &run.problems {
        let problem: Value = serde_json::from_str(body).unwrap();
        let file = run.dir.join(format!("problem-{name}.json"));
        std::fs::write(&file, body).unwrap();
        files.push(file);
        if name == "stock" {
            // Spring's `ProblemDetail`, as a Java service sends it: RFC 9457's members alone,
            // which the schema takes as they are (its extension members are optional).
            assert_eq!(
                problem,
                serde_json::json!({
                    "type": "about:blank",
                    "title": "Bad Gateway",
                    "status": 502,
                    "detail": "no stock could be held for sku 42",
                    "instance": "/reservations/42",
                }),
            );
            continue;
        }
        // Not vacuous: each carries the extension members, with causes and frames.
        let exception = &problem["exception"];
        assert!(problem["span_id"].is_string(), "{name}: {problem:#}");
        assert!(problem["service"].is_string(), "{name}: {problem:#}");
        assert!(exception["type"].is_string(), "{name}: {problem:#}");
        assert!(
            !exception["frames"].as_array().unwrap().is_empty(),
            "{name}: {problem:#}"
        );
        if name != "inventory-panic" {
            assert!(
                !exception["causes"].as_array().unwrap().is_empty(),
                "{name}: {problem:#}"
            );
        }
    }
    // And one the schema must refuse: a span id that is not one.
    let wrong = run.dir.join("problem-wrong.json");
    std::fs::write(
        &wrong,
        r#"{"status":500,"span_id":"not-a-span","exception":{"type":"E"}}"#,
    )
    .unwrap();
    let python = Path::new(WORKSPACE).join("target/polyglot/venv/bin/python");
    let check = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = [error.message for error in validator.iter_errors(json.load(open(path)))]
    print(path, "valid" if not errors else "invalid: " + "; ".join(errors))
"#;
    let output = Command::new(python)
        .args(["-c", check])
        .arg(&schema)
        .args(&files)
        .arg(&wrong)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in &files {
        assert!(
            stdout.contains(&format!("{} valid", file.display())),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("{} invalid:", wrong.display())),
        "{stdout}"
    );
}

#[test]
fn traces_and_errors_read_the_mixed_sources_alike() {
    let run = run();
    let sources = run.sources();
    let mut args = vec!["traces", "--json"];
    args.extend(sources.iter().map(String::as_str));
    let traces: Value = serde_json::from_slice(&tracefault(&args).stdout).unwrap();
    let trace = traces["traces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|trace| trace["trace_id"] == run.trace.as_str())
        .unwrap_or_else(|| panic!("{traces:#}"));
    // Its root is the gateway, its origin inventory's, and all six took part: linked by span
    // ids (a callee's server span under the caller's failed call), as `show` links them.
    assert_eq!(trace["root_service"], "gateway", "{trace:#}");
    assert_eq!(trace["origin"]["service"], "inventory", "{trace:#}");
    let mut services: Vec<&str> = trace["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    services.sort_unstable();
    let mut expected = CHAIN;
    expected.sort_unstable();
    assert_eq!(services, expected);

    let mut args = vec!["errors", "--json"];
    args.extend(sources.iter().map(String::as_str));
    let errors: Value = serde_json::from_slice(&tracefault(&args).stdout).unwrap();
    let text = errors.to_string();
    // Each foreign error is a group, its origin the application's innermost frame (not the
    // OpenTelemetry SDK's, which recorded the stack).
    for (type_name, origin) in [
        (
            "shop.stock.StockUnavailableException",
            "shop.stock.ReservationHandler.reserve",
        ),
        ("*main.ReservationError", "main.reserve"),
        ("StockError", "requestStock"),
    ] {
        assert!(text.contains(type_name), "{type_name} in {text}");
        assert!(
            text.contains(&format!("\"{origin}\"")),
            "{origin} in {text}"
        );
    }
}

#[test]
fn the_script_refuses_what_it_cannot_do_plainly() {
    let run_script = |args: &[&str]| {
        Command::new("bash")
            .arg(Path::new(WORKSPACE).join("scripts/polyglot"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // Without what the chain needs: the usage, exit 2.
    let output = run_script(&[
        "start",
        "/nonexistent-dir-for-tracefault",
        "--collector",
        "x",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: scripts/polyglot"));
    // A pid file that holds no process id is an error, and nothing is killed.
    let dir = shop::target_dir().join(format!("polyglot-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("orders.pid"), "1; rm -rf /").unwrap();
    let output = run_script(&["stop", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("does not hold a process id"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Nothing started there: stopping is a no-op.
    std::fs::remove_file(dir.join("orders.pid")).unwrap();
    assert!(run_script(&["stop", &dir.display().to_string()])
        .status
        .success());
}
