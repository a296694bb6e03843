//! The shop's three services as processes, for the end-to-end tests: building the example,
//! running each service with its JSON lines in a file of its own and its spans exported over
//! OTLP/HTTP to a receiver here (decoded with `opentelemetry-proto`, and served back in Tempo
//! v1's and v2's envelopes; Jaeger's answers come from a real Jaeger, `tests/jaeger.rs`), or to
//! a real backend, and checkouts sent without a trace.
//!
//! The shop binary is built by the test (`cargo build --example shop`): it is another
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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What the receiver was sent: every request's resource spans.
pub(crate) type Received = Arc<Mutex<Vec<ResourceSpans>>>;

/// The target directory this test binary was built in: `<target>/<profile>/deps/shop-…`.
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps")
        .to_owned()
}

pub(crate) fn build_shop() -> PathBuf {
    // The shop in the profile these tests are built in: `cargo test --release` reads what a
    // release build reports, as production runs it.
    let (profile, directory) = if cfg!(debug_assertions) {
        ("dev", "debug")
    } else {
        ("release", "release")
    };
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "tracefault-examples",
            "--example",
            "shop",
            "--profile",
            profile,
        ])
        .arg("--target-dir")
        .arg(target_dir())
        .current_dir(WORKSPACE)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the shop example builds");
    target_dir().join(directory).join("examples").join("shop")
}

/// The OTLP receiver and the backend APIs, on a loopback port, on a runtime of its own.
pub(crate) fn start_receiver(received: Received) -> String {
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
pub(crate) fn traces_data(received: &Received, id: &str) -> Value {
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
pub(crate) struct Service {
    child: Child,
    pub(crate) url: String,
}

impl Service {
    pub(crate) fn start(
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

    pub(crate) fn stop(mut self) {
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

/// The three services, each calling the next, writing their lines into `logs` and exporting
/// to `collector`: `[gateway, orders, inventory]`, callers first, the order to stop them in.
pub(crate) fn start_shop(shop: &Path, logs: &Path, collector: &str) -> [Service; 3] {
    let inventory = Service::start(shop, "inventory", logs, collector, &[]);
    let orders = Service::start(
        shop,
        "orders",
        logs,
        collector,
        &["--inventory", &inventory.url],
    );
    let gateway = Service::start(shop, "gateway", logs, collector, &["--orders", &orders.url]);
    [gateway, orders, inventory]
}

/// `POST url` without a trace; the status and the `traceresponse` header's trace id.
pub(crate) fn post(url: &str) -> (u16, String) {
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

/// Every span received, as the OpenTelemetry Collector's `file` exporter writes them: one
/// OTLP/JSON `TracesData` per line.
#[allow(dead_code)] // Of the two tests that share this module, one reads the spans by trace.
pub(crate) fn otlp_json_lines(received: &Received) -> String {
    let resource_spans = received.lock().unwrap().clone();
    let mut lines = String::new();
    for resource in resource_spans {
        let data = TracesData {
            resource_spans: vec![resource],
        };
        lines.push_str(&serde_json::to_string(&data).unwrap());
        lines.push('\n');
    }
    lines
}
