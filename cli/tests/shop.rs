//! End to end with the real thing: the shop's three services as processes, each writing JSON
//! lines to its own file and exporting its spans over OTLP/HTTP to a receiver in this test
//! (decoded with `opentelemetry-proto`, served back in Jaeger v3's and Tempo v1's and v2's
//! envelopes); a few hundred checkouts, some failing (sku 42), some panicking (sku 7); then
//! `tracefault errors`, `traces` and `show`, from the logs and from each backend API.
//!
//! The shop binary is built by this test (`cargo build --example shop`): it is another
//! package's example, which cargo does not build for this package's tests.

use axum::extract::{Path as UrlPath, State};
use axum::routing::get;
use axum::Router;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, TracesData};
use prost::Message as _;
use serde_json::Value;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Checkouts per sku: 1 succeeds, 42 fails in inventory's `query_stock`, 7 panics there.
const OK: usize = 120;
const FAILING: usize = 60;
const PANICKING: usize = 40;

/// What the receiver was sent: every request's resource spans.
type Received = Arc<Mutex<Vec<ResourceSpans>>>;

struct Run {
    logs: PathBuf,
    received: Received,
    /// The receiver's base URL, also serving the backends' trace-by-id APIs.
    backend: String,
    /// A trace of each kind, by the sku of its checkout.
    failing_trace: String,
    panicking_trace: String,
}

/// The target directory this test binary was built in: `<target>/<profile>/deps/shop-…`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps")
        .to_owned()
}

fn build_shop() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "tracefault-examples",
            "--example",
            "shop",
        ])
        .arg("--target-dir")
        .arg(target_dir())
        .current_dir(WORKSPACE)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the shop example builds");
    target_dir().join("debug").join("examples").join("shop")
}

/// The OTLP receiver and the backend APIs, on a loopback port, on a runtime of its own.
fn start_receiver(received: Received) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Router::new()
                .route("/v1/traces", axum::routing::post(receive))
                .route("/api/v3/traces/{id}", get(jaeger_v3))
                .route("/api/traces/{id}", get(tempo_v1))
                .route("/api/v2/traces/{id}", get(tempo_v2))
                .with_state(received);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

async fn receive(State(received): State<Received>, body: axum::body::Bytes) -> Vec<u8> {
    let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
    received.lock().unwrap().extend(request.resource_spans);
    // An empty ExportTraceServiceResponse.
    Vec::new()
}

/// The received spans of trace `id`, as OTLP/JSON `TracesData` (hex ids, as the spec says).
fn traces_data(received: &Received, id: &str) -> Value {
    let wanted = hex_bytes(id);
    let mut resource_spans: Vec<ResourceSpans> = received.lock().unwrap().clone();
    for resource in &mut resource_spans {
        for scope in &mut resource.scope_spans {
            scope.spans.retain(|span| span.trace_id == wanted);
        }
        resource.scope_spans.retain(|scope| !scope.spans.is_empty());
    }
    resource_spans.retain(|resource| !resource.scope_spans.is_empty());
    serde_json::to_value(TracesData { resource_spans }).unwrap()
}

async fn jaeger_v3(State(received): State<Received>, UrlPath(id): UrlPath<String>) -> String {
    serde_json::json!({ "result": traces_data(&received, &id) }).to_string()
}

async fn tempo_v2(State(received): State<Received>, UrlPath(id): UrlPath<String>) -> String {
    serde_json::json!({ "trace": traces_data(&received, &id), "status": "complete" }).to_string()
}

/// Tempo's v1 answer: `batches`, and ids in base64 (protobuf's own JSON mapping of bytes).
async fn tempo_v1(State(received): State<Received>, UrlPath(id): UrlPath<String>) -> String {
    let mut data = traces_data(&received, &id);
    to_base64_ids(&mut data);
    serde_json::json!({ "batches": data["resourceSpans"] }).to_string()
}

fn to_base64_ids(value: &mut Value) {
    use base64::Engine as _;
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if matches!(key.as_str(), "traceId" | "spanId" | "parentSpanId") {
                    if let Some(hex) = field.as_str() {
                        let encoded =
                            base64::engine::general_purpose::STANDARD.encode(hex_bytes(hex));
                        *field = Value::String(encoded);
                    }
                } else {
                    to_base64_ids(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_base64_ids),
        _ => {}
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|at| u8::from_str_radix(&hex[at * 2..at * 2 + 2], 16).unwrap())
        .collect()
}

/// A shop service writing its JSON lines to `<logs>/<name>.log`; stopped by SIGTERM.
struct Service {
    child: Child,
    url: String,
}

impl Service {
    fn start(
        shop: &Path,
        name: &str,
        logs: &Path,
        collector: &str,
        downstream: &[&str],
    ) -> Service {
        let log = std::fs::File::create(logs.join(format!("{name}.log"))).unwrap();
        let mut child = Command::new(shop)
            .current_dir(WORKSPACE)
            .args(["--service", name, "--port", "0"])
            .args(downstream)
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .env("TRACEFAULT_LOG_FORMAT", "json")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
            .env("OTEL_SERVICE_NAME", name)
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env("TRACEFAULT_EXPORT_STACKTRACES", "1")
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
        // The rest of its output, its JSON lines, goes to its log file.
        std::thread::spawn(move || {
            let mut log = log;
            let _ = std::io::copy(&mut stdout, &mut log);
            let _ = log.flush();
        });
        Service { child, url }
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

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `POST url` without a trace; the status and the `traceresponse` header's trace id.
fn post(url: &str) -> (u16, String) {
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
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap();
    let trace = response
        .lines()
        .find_map(|line| line.strip_prefix("traceresponse: "))
        .and_then(|value| value.split('-').nth(1))
        .unwrap_or_default()
        .to_owned();
    (status, trace)
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
        let inventory = Service::start(&shop, "inventory", &logs, &backend, &[]);
        let orders = Service::start(
            &shop,
            "orders",
            &logs,
            &backend,
            &["--inventory", &inventory.url],
        );
        let gateway = Service::start(
            &shop,
            "gateway",
            &logs,
            &backend,
            &["--orders", &orders.url],
        );
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
    let count = |type_name: &str| {
        let found: Vec<&Value> = groups.iter().filter(|g| g["type"] == type_name).collect();
        assert_eq!(found.len(), 1, "one group of {type_name} in {document}");
        (
            found[0]["count"].as_u64().unwrap(),
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
    assert_eq!(groups.len(), 4, "{document}");
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
    for backend in ["jaeger", "tempo", "tempo-v1", "auto"] {
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
