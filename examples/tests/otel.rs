//! The shop's three services as three processes, exporting over OTLP/HTTP to a real collector
//! (rotel, from PyPI, started by `scripts/collector`), and what that collector received.
//!
//! Fails, rather than skips, when the collector cannot be installed or started.

mod support;

#[path = "support/collector.rs"]
mod collector;

use collector::{wait_for_spans, ExportedSpan};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::example;

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The collector; stopped when dropped, however the test ends.
struct Collector {
    dir: PathBuf,
    endpoint: String,
    grpc_endpoint: String,
}

impl Collector {
    fn start() -> Collector {
        Collector::start_in("http")
    }

    /// In a directory of its own per test (`name`): tests run in parallel.
    fn start_in(name: &str) -> Collector {
        Collector::start_printing(name, "traces")
    }

    /// One whose log prints what `signal` (`traces` or `logs`) it receives.
    fn start_printing(name: &str, signal: &str) -> Collector {
        let dir =
            std::env::temp_dir().join(format!("tracefault-otel-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("bash")
            .arg("scripts/collector")
            .arg("start")
            .arg(&dir)
            .env("TRACEFAULT_COLLECTOR_DEBUG_LOG", signal)
            .current_dir(WORKSPACE)
            .status()
            .expect("bash runs scripts/collector");
        assert!(status.success(), "scripts/collector could not start rotel");
        let endpoint = std::fs::read_to_string(dir.join("endpoint")).unwrap();
        let grpc_endpoint = std::fs::read_to_string(dir.join("grpc_endpoint")).unwrap();
        Collector {
            dir,
            endpoint,
            grpc_endpoint,
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.join("rotel.log")
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg("scripts/collector")
            .arg("stop")
            .arg(&self.dir)
            .current_dir(WORKSPACE)
            .status();
    }
}

/// One of the shop's services as a process of its own; killed when dropped.
struct Service {
    child: Child,
    url: String,
    /// Everything it prints after its `listening on` line, once it has exited.
    output: mpsc::Receiver<String>,
}

impl Service {
    fn start(name: &str, collector: &Collector, downstream: &[&str]) -> Service {
        let mut child = Command::new(example("shop"))
            .current_dir(WORKSPACE)
            .args(["--service", name, "--port", "0"])
            .args(downstream)
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint)
            .env("OTEL_SERVICE_NAME", name)
            .env("TRACEFAULT_EXPORT_STACKTRACES", "1")
            .env("TRACEFAULT_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the shop example was built");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("{name} exited before listening"))
                .unwrap();
            if let Some(url) = line.strip_prefix(&format!("{name} listening on ")) {
                break url.to_owned();
            }
        };
        let (sender, output) = mpsc::channel();
        std::thread::spawn(move || {
            let rest: Vec<String> = lines.map_while(Result::ok).collect();
            let _ = sender.send(rest.join("\n"));
        });
        Service { child, url, output }
    }

    /// Stops the service as an orchestrator would (SIGTERM) and returns what it printed.
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = self
            .output
            .recv_timeout(TIME_LIMIT)
            .expect("the service exits on SIGTERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}\n{output}");
        output
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `POST url` over HTTP/1.1, without a trace: the status code.
fn post(url: &str) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (address, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(TIME_LIMIT)).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

/// The counts of the line the shop prints when it stops:
/// `spans: N ended: E exported, F failed, D dropped (queue full), U unsampled, P pending`.
#[derive(Debug)]
struct SpanCounts {
    ended: usize,
    exported: usize,
    failed: usize,
    dropped: usize,
    unsampled: usize,
    pending: usize,
}

fn span_counts(output: &str) -> SpanCounts {
    let line = output
        .lines()
        .find_map(|line| line.strip_prefix("spans: "))
        .unwrap_or_else(|| panic!("no span counts in:\n{output}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    let [ended, exported, failed, dropped, unsampled, pending] = numbers
        .try_into()
        .unwrap_or_else(|_| panic!("not six counts: {line}"));
    let counts = SpanCounts {
        ended,
        exported,
        failed,
        dropped,
        unsampled,
        pending,
    };
    assert_eq!(
        ended,
        exported + failed + dropped + unsampled + pending,
        "every span is counted once: {line}"
    );
    counts
}

/// Ended and exported spans of a run where no span failed, was dropped or was left pending.
fn ended_and_exported(output: &str) -> (usize, usize) {
    let counts = span_counts(output);
    assert_eq!(
        (counts.failed, counts.dropped, counts.pending),
        (0, 0, 0),
        "spans not delivered in:\n{output}"
    );
    (counts.ended, counts.exported)
}

/// The shop's demo (three services in one process, three checkouts) with `env` set; what it
/// printed, once it has finished successfully.
fn run_demo(env: &[(&str, &str)]) -> String {
    let output = Command::new(example("shop"))
        .current_dir(WORKSPACE)
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the shop example was built");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    stdout
}

fn service(span: &ExportedSpan) -> &str {
    span.service_name.as_deref().unwrap_or("")
}

fn find<'a>(spans: &'a [ExportedSpan], id: &str) -> &'a ExportedSpan {
    spans
        .iter()
        .find(|span| span.span_id == id)
        .unwrap_or_else(|| panic!("no span {id}"))
}

/// The spans of the trace that the gateway's server span for `path` starts.
fn trace_of<'a>(spans: &'a [ExportedSpan], path: &str) -> Vec<&'a ExportedSpan> {
    let root = spans
        .iter()
        .find(|span| {
            service(span) == "gateway"
                && span.kind == "server"
                && span.attribute("url.path") == Some(path)
        })
        .unwrap_or_else(|| panic!("no gateway server span for {path}"));
    assert!(
        root.is_root(),
        "a request without traceparent starts a trace"
    );
    spans
        .iter()
        .filter(|span| span.trace_id == root.trace_id)
        .collect()
}

/// Every server span below the gateway has, as its parent, a client span of the service that
/// called it, in the same trace.
fn assert_server_spans_have_client_parents(trace: &[&ExportedSpan], all: &[ExportedSpan]) {
    for (callee, caller) in [("orders", "gateway"), ("inventory", "orders")] {
        let server = trace
            .iter()
            .find(|span| service(span) == callee && span.kind == "server")
            .unwrap_or_else(|| panic!("no {callee} server span in {trace:#?}"));
        let parent = find(all, server.parent_span_id.as_deref().expect("a parent"));
        assert_eq!(parent.kind, "client", "{parent:#?}");
        assert_eq!(service(parent), caller);
        assert_eq!(parent.trace_id, server.trace_id);
    }
}

fn exception_in<'a>(trace: &[&'a ExportedSpan], function: &str) -> &'a ExportedSpan {
    trace
        .iter()
        .copied()
        .find(|span| span.attribute("code.function.name") == Some(function))
        .unwrap_or_else(|| panic!("no span of {function} in {trace:#?}"))
}

#[test]
fn the_shop_exports_one_trace_per_checkout_to_a_real_collector() {
    let collector = Collector::start();
    let inventory = Service::start("inventory", &collector, &[]);
    let orders = Service::start("orders", &collector, &["--inventory", &inventory.url]);
    let gateway = Service::start("gateway", &collector, &["--orders", &orders.url]);
    assert_eq!(post(&format!("{}/checkout/1", gateway.url)), 200);
    assert_eq!(post(&format!("{}/checkout/42", gateway.url)), 502);
    assert_eq!(post(&format!("{}/checkout/7", gateway.url)), 502);
    let mut ended = 0;
    for service in [gateway, orders, inventory] {
        let (service_ended, exported) = ended_and_exported(&service.stop());
        assert_eq!(service_ended, exported, "a clean shutdown sends every span");
        ended += service_ended;
    }
    let log = collector.log();
    let spans = wait_for_spans(&log, Duration::from_secs(10), |spans| spans.len() >= ended);
    assert_eq!(
        spans.len(),
        ended,
        "received as many spans as the services ended"
    );
    check_traces(&spans, &log);
}

/// One log record as rotel's detailed debug log prints it: its lines' `key: value` pairs
/// (`Body`, `EventName`, `SeverityText`, `Trace ID`, and each attribute after `-> `).
type LogRecord = Vec<(String, String)>;

fn parse_log_records(log: &str) -> Vec<LogRecord> {
    let mut records: Vec<LogRecord> = Vec::new();
    let mut inside = false;
    for line in log.lines() {
        if line.starts_with("LogRecord #") {
            records.push(Vec::new());
            inside = true;
        } else if line.starts_with("ScopeLogs") || line.starts_with("ResourceLog") {
            inside = false;
        } else if let (true, Some(record)) = (inside, records.last_mut()) {
            let pair = line.trim().trim_start_matches("-> ");
            if let Some((key, value)) = pair.split_once(':') {
                record.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }
    records
}

fn field<'a>(record: &'a LogRecord, key: &str) -> Option<&'a str> {
    record
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, value)| value.as_str())
}

#[test]
fn the_shop_exports_its_events_and_reports_as_log_records_to_a_real_collector() {
    let collector = Collector::start_printing("logs", "logs");
    let inventory = Service::start("inventory", &collector, &[]);
    let orders = Service::start("orders", &collector, &["--inventory", &inventory.url]);
    let gateway = Service::start("gateway", &collector, &["--orders", &orders.url]);
    assert_eq!(post(&format!("{}/checkout/42", gateway.url)), 502);
    let mut emitted = 0;
    for service in [gateway, orders, inventory] {
        let output = service.stop();
        let line = output
            .lines()
            .find_map(|line| line.strip_prefix("log records: "))
            .unwrap_or_else(|| panic!("no log record counts in:\n{output}"));
        let counts: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|part| part.parse().ok())
            .collect();
        assert_eq!(counts[0], counts[1], "every record exported: {line}");
        emitted += counts[0];
    }
    let log = collector.log();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let records = loop {
        let records = parse_log_records(&std::fs::read_to_string(&log).unwrap());
        if records.len() as u64 >= emitted || std::time::Instant::now() > deadline {
            break records;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        records.len() as u64,
        emitted,
        "(collector log: {})",
        log.display()
    );
    // The origin's report and the gateway's "checking out" are in one trace.
    let report = records
        .iter()
        .find(|record| {
            field(record, "EventName") == Some("tracefault.report")
                && field(record, "exception.type") == Some("Str(shop::inventory::StockError)")
        })
        .unwrap_or_else(|| panic!("inventory's report (collector log: {})", log.display()));
    assert_eq!(field(report, "SeverityText"), Some("ERROR"));
    let trace_id = field(report, "Trace ID").expect("the report's trace id");
    let checking_out = records
        .iter()
        .find(|record| field(record, "Body") == Some("Str(checking out)"))
        .expect("the gateway's event");
    assert_eq!(field(checking_out, "Trace ID"), Some(trace_id));
    assert_eq!(field(checking_out, "SeverityText"), Some("INFO"));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("service.version: Str(0.1.0)"), "{text}");
}

fn check_traces(spans: &[ExportedSpan], log: &Path) {
    let context = || format!("(collector log: {})", log.display());
    for path in ["/checkout/1", "/checkout/42", "/checkout/7"] {
        let trace = trace_of(spans, path);
        for name in ["gateway", "orders", "inventory"] {
            assert!(
                trace.iter().any(|span| service(span) == name),
                "{name} has spans in the trace of {path} {}",
                context()
            );
        }
        assert_server_spans_have_client_parents(&trace, spans);
    }

    let ok = trace_of(spans, "/checkout/1");
    assert!(ok
        .iter()
        .all(|span| span.status_code == "unset" && span.events.is_empty()));

    let failed = trace_of(spans, "/checkout/42");
    let origin = exception_in(&failed, "shop::inventory::query_stock");
    assert_eq!(origin.status_code, "error");
    assert_eq!(origin.status_message, "connection refused by stock-db:5432");
    let exception = origin
        .event("exception")
        .expect("an exception event at the origin");
    assert_eq!(
        exception.attribute("exception.type"),
        Some("std::io::Error")
    );
    let stacktrace = exception.attribute("exception.stacktrace").unwrap();
    assert!(
        stacktrace.contains("in shop::inventory::query_stock"),
        "{stacktrace}"
    );
    assert_eq!(
        origin.attribute("code.file.path"),
        Some("examples/shop/inventory.rs")
    );
    assert!(origin.attribute("code.line.number").is_some());
    // `#[trace(args(sku))]`: the recorded argument is an attribute of the exported span.
    assert_eq!(origin.attribute("sku"), Some("42"));
    // Every span the error escapes says so; the gateway's answer is a 502, its server span an
    // error too.
    let gateway_checkout = exception_in(&failed, "shop::gateway::checkout");
    assert_eq!(gateway_checkout.status_code, "error");
    assert!(failed
        .iter()
        .filter(|span| span.kind == "server")
        .all(|span| span.status_code == "error"));
    // `error.type` on every span the error left: the Rust type, or a server's status code.
    assert_eq!(origin.attribute("error.type"), Some("std::io::Error"));
    assert_eq!(
        gateway_checkout.attribute("error.type"),
        Some("shop::gateway::CheckoutError")
    );
    let servers: Vec<_> = failed.iter().filter(|span| span.kind == "server").collect();
    for server in &servers {
        let route = server
            .attribute("http.route")
            .expect("a server span's route");
        assert_eq!(server.name, format!("POST {route}"));
        assert_eq!(
            server.attribute("error.type"),
            server.attribute("http.response.status_code")
        );
        // What the caller asked for (its `Host` header): plain HTTP on loopback.
        assert_eq!(server.attribute("url.scheme"), Some("http"));
        assert_eq!(server.attribute("server.address"), Some("127.0.0.1"));
        assert_eq!(server.attribute_type("server.port"), Some("Int"));
    }
    let mut routes: Vec<_> = servers
        .iter()
        .filter_map(|span| span.attribute("http.route"))
        .collect();
    routes.sort_unstable();
    assert_eq!(
        routes,
        ["/checkout/{sku}", "/orders/{sku}", "/reservations/{sku}"]
    );

    let panicked = trace_of(spans, "/checkout/7");
    let origin = exception_in(&panicked, "shop::inventory::reserve");
    assert_eq!(origin.status_code, "error");
    let exception = origin
        .event("exception")
        .expect("an exception event for the panic");
    assert_eq!(exception.attribute("exception.type"), Some("panic"));
    assert_eq!(
        exception.attribute("exception.message"),
        Some("attempt to divide by zero")
    );
    let stacktrace = exception.attribute("exception.stacktrace").unwrap();
    assert!(
        stacktrace.contains("in shop::inventory::reserve"),
        "{stacktrace}"
    );
}

/// A collector that is not there: the service neither blocks nor fails; the spans are counted
/// as failed, and one warning says so (not one per batch).
#[test]
fn a_collector_that_is_down_costs_one_warning_and_nothing_else() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let stdout = run_demo(&[
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("http://127.0.0.1:{port}"),
        ),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("TRACEFAULT_LOG_FORMAT", "json"),
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let counts = span_counts(&stdout);
    assert!(counts.ended > 0, "{stdout}");
    assert_eq!(
        (counts.exported, counts.failed),
        (0, counts.ended),
        "{stdout}"
    );
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("\"level\":\"WARN\"") && line.contains("OTLP export"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    // Log lines inside instrumented functions carry the W3C ids of the function.
    let inside: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("\"message\":\"checking out\""))
        .collect();
    assert_eq!(inside.len(), 3, "{stdout}");
    assert!(inside
        .iter()
        .all(|line| line.contains("\"trace_id\":\"") && line.contains("\"span_id\":\"")));
    assert!(
        stdout.contains("not every span reached the collector"),
        "the shutdown counts what was lost:\n{stdout}"
    );
}

/// The same export over OTLP/gRPC (feature `otel-grpc`): the shop's demo in one process.
#[test]
fn spans_go_over_grpc_too() {
    let collector = Collector::start_in("grpc");
    let stdout = run_demo(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.grpc_endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("TRACEFAULT_LOG_FORMAT", "json"),
    ]);
    let (ended, exported) = ended_and_exported(&stdout);
    assert!(ended > 0);
    assert_eq!(ended, exported);
    let spans = wait_for_spans(&collector.log(), Duration::from_secs(10), |spans| {
        spans.len() >= ended
    });
    assert_eq!(spans.len(), ended);
    assert!(spans
        .iter()
        .all(|span| span.service_name.as_deref() == Some("shop-demo")));
    // Without TRACEFAULT_EXPORT_STACKTRACES, no stack trace leaves the process.
    let exceptions: Vec<_> = spans
        .iter()
        .filter_map(|span| span.event("exception"))
        .collect();
    assert!(!exceptions.is_empty());
    assert!(exceptions
        .iter()
        .all(|event| event.attribute("exception.stacktrace").is_none()));
}

/// A collector that accepts connections and never answers: the service still finishes, its
/// shutdown waiting at most the guard's timeout (5 s), and says what was not delivered.
#[test]
fn a_collector_that_hangs_delays_shutdown_by_a_bounded_time() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for connection in listener.incoming() {
            held.push(connection);
        }
    });
    let started = std::time::Instant::now();
    let stdout = run_demo(&[
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("http://127.0.0.1:{port}"),
        ),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("TRACEFAULT_LOG_FORMAT", "json"),
    ]);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert!(
        stdout.contains("not every span reached the collector"),
        "{stdout}"
    );
    let counts = span_counts(&stdout);
    assert!(counts.ended > 0 && counts.exported == 0, "{stdout}");
}

/// A queue of one span and a collector that never answers: nearly every span is dropped, and
/// each is counted once, as exported, failed, dropped (queue full) or pending at shutdown.
/// Pending are at most the span in the unanswered export and the one queued behind it.
#[test]
fn a_full_queue_drops_spans_and_counts_every_one() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for connection in listener.incoming() {
            held.push(connection);
        }
    });
    let stdout = run_demo(&[
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("http://127.0.0.1:{port}"),
        ),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "1"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("TRACEFAULT_LOG_FORMAT", "json"),
    ]);
    let counts = span_counts(&stdout);
    // How many spans the demo ends, counted apart from the queue: with a collector that
    // refuses at once, every one fails.
    let refusing = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = span_counts(&run_demo(&[
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            &format!("http://127.0.0.1:{refusing}"),
        ),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
    ]));
    assert_eq!(refused.failed, refused.ended, "{refused:?}");
    assert_eq!(counts.ended, refused.ended, "{stdout}");
    assert_eq!((counts.exported, counts.unsampled), (0, 0), "{stdout}");
    assert!(counts.pending <= 2, "{stdout}");
    assert!(counts.dropped > 0, "{stdout}");
    let warning = stdout
        .lines()
        .find(|line| line.contains("not every span reached the collector"))
        .unwrap_or_else(|| panic!("the shutdown says what was lost:\n{stdout}"));
    assert!(
        warning.contains(&format!("\"spans_dropped\":{}", counts.dropped)),
        "{warning}"
    );
}

/// An unsampled trace is not exported, but it still propagates and its errors are still
/// reported in the log.
#[test]
fn unsampled_traces_propagate_and_report_but_are_not_exported() {
    let collector = Collector::start_in("unsampled");
    let stdout = run_demo(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint),
        ("OTEL_TRACES_SAMPLER", "always_off"),
        ("TRACEFAULT_LOG_FORMAT", "json"),
    ]);
    let counts = span_counts(&stdout);
    assert!(counts.unsampled > 0, "{stdout}");
    assert_eq!(counts.ended, counts.unsampled, "{stdout}");
    assert_eq!(
        counts.exported + counts.failed + counts.dropped,
        0,
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|line| line.starts_with("POST /checkout/42 -> 502"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let trace = line
        .split("(trace ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    assert_eq!(
        trace.len(),
        32,
        "traceresponse still names the trace: {line}"
    );
    let reports = stdout
        .lines()
        .filter(|line| line.contains("\"target\":\"tracefault\"") && line.contains(trace))
        .count();
    assert_eq!(reports, 3, "one report per service:\n{stdout}");
    std::thread::sleep(Duration::from_millis(200));
    let log = std::fs::read_to_string(collector.log()).unwrap();
    assert!(collector::parse_rotel_log(&log).is_empty(), "{log}");
}
