//! The shop's three services exporting over OTLP/HTTP to a real Jaeger v2 (`scripts/jaeger`:
//! the `jaeger` binary of the Go module v1.75.0, with its in-memory storage), and
//! `tracefault show <id> --url <query>` reading the trace back through Jaeger's api_v3
//! (`GET /api/v3/traces/{id}`): the same story as `tracefault show <id>` tells from the shop's
//! log files. `tracefault errors --url`, `traces --url` (with `--service`, `--since`/`--until`
//! and `--limit`) and `serve --url` search Jaeger through its api_v3 (`GET /api/v3/services`,
//! `GET /api/v3/traces?query...`) and find the groups and traces the log files show. One
//! Jaeger and one run of the shop serve every check: building and starting them is most of
//! the test's time.
//!
//! Fails, rather than skips, when Jaeger cannot be built or started. A machine's first run
//! builds Jaeger from the Go module proxy (docs/TESTING.md says how long); `scripts/test` builds
//! it before the tests, `scripts/jaeger install`.
//!
//! `TRACEFAULT_RECORD_JAEGER=1` writes Jaeger's answer for the failing trace to
//! `tests/fixtures/jaeger-v1.75.0-get-trace.json`, the recorded answer that `tests/backend.rs`
//! serves where it needs a server of its own.

#[path = "common/serve.rs"]
mod serve;
#[path = "common/shop.rs"]
#[allow(dead_code)] // This test's spans go to Jaeger, not to the module's receiver.
mod shop;

use serde_json::Value;
use shop::{build_shop, post, start_shop, TIME_LIMIT, WORKSPACE};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The recorded answer, relative to the package.
const FIXTURE: &str = "tests/fixtures/jaeger-v1.75.0-get-trace.json";

/// Jaeger v2, started by `scripts/jaeger start`; stopped when dropped, however the test ends.
struct Jaeger {
    dir: PathBuf,
    /// OTLP/HTTP base URL.
    endpoint: String,
    /// The query service's base URL.
    query: String,
}

impl Jaeger {
    fn start() -> Jaeger {
        let dir = std::env::temp_dir().join(format!("tracefault-jaeger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("bash")
            .arg("scripts/jaeger")
            .arg("start")
            .arg(&dir)
            .current_dir(WORKSPACE)
            .stdin(Stdio::null())
            .status()
            .expect("bash runs scripts/jaeger");
        assert!(status.success(), "scripts/jaeger could not start Jaeger");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        Jaeger {
            endpoint: read("endpoint"),
            query: read("query"),
            dir,
        }
    }

    /// Jaeger's answer for trace `id` once it holds the spans of all three services and no
    /// more arrive; Jaeger's batch processor stores what it was sent a moment later.
    fn trace(&self, id: &str) -> String {
        let url = format!("{}/api/v3/traces/{id}", self.query);
        let client = reqwest::blocking::Client::new();
        let deadline = Instant::now() + TIME_LIMIT;
        let mut last: Option<(usize, String)> = None;
        loop {
            let response = client.get(&url).send().expect("Jaeger answers");
            let status = response.status();
            let body = response.text().unwrap();
            // 404 until the first span is stored.
            if status.is_success() {
                let answer: Value = serde_json::from_str(&body).unwrap();
                let (services, spans) = services_and_spans(&answer);
                if services.len() == 3 {
                    if last.as_ref().is_some_and(|(count, _)| *count == spans) {
                        return body;
                    }
                    last = Some((spans, body));
                }
            } else {
                assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{body}");
            }
            assert!(
                Instant::now() < deadline,
                "Jaeger did not hold trace {id} of three services within {TIME_LIMIT:?}: {:?}\n\
                 its log: {}",
                last.map(|(_, body)| body),
                self.dir.join("jaeger.log").display()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for Jaeger {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg("scripts/jaeger")
            .arg("stop")
            .arg(&self.dir)
            .current_dir(WORKSPACE)
            .stdin(Stdio::null())
            .status();
    }
}

/// The services named in an api_v3 answer, and how many spans it holds.
fn services_and_spans(answer: &Value) -> (Vec<String>, usize) {
    let mut services = Vec::new();
    let mut spans = 0;
    for resource in answer["result"]["resourceSpans"].as_array().unwrap() {
        let attributes = resource["resource"]["attributes"].as_array();
        let service = attributes
            .into_iter()
            .flatten()
            .find(|attribute| attribute["key"] == "service.name")
            .and_then(|attribute| attribute["value"]["stringValue"].as_str());
        if let Some(service) = service {
            if !services.iter().any(|known| known == service) {
                services.push(service.to_owned());
            }
        }
        for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
            spans += scope["spans"].as_array().map_or(0, Vec::len);
        }
    }
    (services, spans)
}

/// `tracefault ARGS --json` from the logs and from Jaeger (`--url`), each with `extra`.
fn both(command: &str, logs: &[String], query: &str, extra: &[&str]) -> (Value, Value) {
    let mut from_logs = vec![command, "--json"];
    from_logs.extend(extra);
    from_logs.extend(logs.iter().map(String::as_str));
    let mut from_jaeger = vec![command, "--json", "--url", query];
    from_jaeger.extend(extra);
    (tracefault(&from_logs), tracefault(&from_jaeger))
}

/// What an error group must show alike from the logs and from spans: its fingerprint, type,
/// kind, count, services, origin and example trace. Times differ (a log line's, or a span
/// event's), and so may the example's message (the log line's text carries its causes).
fn groups(errors: &Value) -> Vec<Value> {
    let mut groups: Vec<Value> = errors["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| {
            serde_json::json!({
                "fingerprint": group["fingerprint"],
                "type": group["type"],
                "kind": group["kind"],
                "count": group["count"],
                "services": group["services"],
                "origin": group["origin"],
            })
        })
        .collect();
    groups.sort_by_key(|group| group.to_string());
    groups
}

/// What a failing trace must show alike: its id, root, services, report count and origin.
fn trace_rows(traces: &Value) -> Vec<Value> {
    let mut rows: Vec<Value> = traces["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|trace| {
            serde_json::json!({
                "trace_id": trace["trace_id"],
                "root_service": trace["root_service"],
                "root_route": trace["root_route"],
                "services": trace["services"],
                "reports": trace["reports"],
                "origin": [trace["origin"]["service"], trace["origin"]["kind"],
                    trace["origin"]["type"], trace["origin"]["location"]],
            })
        })
        .collect();
    rows.sort_by_key(|row| row.to_string());
    rows
}

/// `errors`, `traces` and `serve` searching Jaeger find what they find in the logs.
fn searches_tell_what_the_logs_tell(jaeger: &Jaeger, logs: &[String], failing: &[String]) {
    let query = jaeger.query.as_str();
    let (from_logs, from_jaeger) = both("errors", logs, query, &[]);
    assert_eq!(
        groups(&from_jaeger),
        groups(&from_logs),
        "{from_jaeger}\nfrom the logs: {from_logs}"
    );
    assert!(!groups(&from_logs).is_empty());
    // Every service's search answers the traces it is in: the spans are read once each.
    assert!(from_jaeger["input"]["duplicate_spans"].as_u64().unwrap() > 0);
    assert_eq!(from_jaeger["duplicates"], 0, "{from_jaeger}");
    let requests = from_jaeger["input"]["requests"].as_u64().unwrap();
    // The services list, then one search per service (gateway, inventory, orders, and
    // Jaeger's own, when it traces itself): nothing more for a handful of traces.
    assert!((4..=8).contains(&requests), "{requests} requests");

    let (from_logs, from_jaeger) = both("traces", logs, query, &[]);
    assert_eq!(
        trace_rows(&from_jaeger),
        trace_rows(&from_logs),
        "{from_jaeger}\nfrom the logs: {from_logs}"
    );
    // One trace, one duration: the list's is the story's.
    for trace in from_jaeger["traces"].as_array().unwrap() {
        let id = trace["trace_id"].as_str().unwrap();
        let shown = tracefault(&["show", id, "--json", "--url", query]);
        assert_eq!(trace["duration"], shown["duration"], "{id}");
    }
    let mut listed: Vec<String> = trace_rows(&from_jaeger)
        .iter()
        .map(|row| row["trace_id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut expected = failing.to_vec();
    expected.sort();
    assert_eq!(listed, expected);

    // --service: the search asks for that service's traces only, and the filter keeps that
    // service's reports, as it does of the logs.
    let (from_logs, from_jaeger) = both("errors", logs, query, &["--service", "inventory"]);
    assert_eq!(groups(&from_jaeger), groups(&from_logs));
    assert!(groups(&from_jaeger)
        .iter()
        .all(|group| group["services"] == serde_json::json!(["inventory"])));
    assert_eq!(from_jaeger["input"]["requests"], 1, "{from_jaeger}");
    let (from_logs, from_jaeger) = both("traces", logs, query, &["--service", "orders"]);
    assert_eq!(trace_rows(&from_jaeger), trace_rows(&from_logs));

    // A window before the shop ran: nothing, from either.
    let before = [
        "--since",
        "2020-01-01T00:00:00Z",
        "--until",
        "2020-01-02T00:00:00Z",
    ];
    let (from_logs, from_jaeger) = both("errors", logs, query, &before);
    assert_eq!(groups(&from_logs), Vec::<Value>::new());
    assert_eq!(groups(&from_jaeger), Vec::<Value>::new());
    // A window around the run: everything.
    let around = ["--since", "15m", "--until", "2100-01-01T00:00:00Z"];
    let (from_logs, from_jaeger) = both("traces", logs, query, &around);
    assert_eq!(trace_rows(&from_jaeger), trace_rows(&from_logs));
    assert_eq!(trace_rows(&from_jaeger).len(), failing.len());

    // --limit shows the newest, and says how many there were.
    let (from_logs, from_jaeger) = both("traces", logs, query, &["--limit", "1"]);
    assert_eq!(from_jaeger["traces"].as_array().unwrap().len(), 1);
    assert_eq!(
        from_jaeger["traces"][0]["trace_id"],
        from_logs["traces"][0]["trace_id"]
    );
    assert_eq!(from_jaeger["total"], failing.len());

    // serve --url: the overview lists the failing traces, and a trace's page is Jaeger's.
    let server = serve::Server::start(&["--url", query]);
    let client = reqwest::blocking::Client::new();
    let get = |path: &str| {
        let response = client
            .get(format!("http://{}{path}", server.address))
            .send()
            .unwrap();
        (response.status(), response.text().unwrap())
    };
    let (status, overview) = get("/");
    assert_eq!(status, 200, "{overview}");
    for trace in failing {
        assert!(overview.contains(trace.as_str()), "{trace} not listed");
        let (status, page) = get(&format!("/trace/{trace}"));
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("inventory") && page.contains("query_stock"));
    }
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

/// What the logs and Jaeger must agree on, link by link, origin first: the service, the route
/// and the spans; the report's kind, type, message, direct cause, frames and span trace; and
/// where it was raised.
///
/// What legitimately differs is left out: where a report was read (a file's line, or the URL),
/// its timestamp (the log line's, or the span event's), its rendered text and the names of the
/// spans it was logged in (only a log line carries them); the causes after the first (a log
/// line's report carries the callees' whole chain as it crossed the wire; the report rebuilt
/// from the span's event keeps its direct cause, the callees' own links telling the rest); and
/// how a link was found:
/// from the logs, by the callee's server span named in the caller's cause (`cause_span`); from
/// spans, by the span tree, the caller's client span being the parent of the callee's server
/// span (`parent_span`). Neither is guessed from the time. A panic's location (with its column)
/// is a key of the report line (`exception.panic_location`) that the span's exception event does
/// not carry; the origin's file, line and function, which both tell, are compared.
fn story(show: &Value) -> Vec<Value> {
    show["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|link| {
            let report = &link["report"];
            let basis = link["caused_next_by"].as_str();
            assert!(
                matches!(basis, None | Some("cause_span" | "parent_span")),
                "a link found from the structure, not the time: {link}"
            );
            let direct_cause = report["causes"].get(0).map(|cause| {
                serde_json::json!({"type": cause["type_name"], "message": cause["message"]})
            });
            serde_json::json!({
                "service": link["service"],
                "route": link["route"],
                "span_id": link["span_id"],
                "span_name": link["span_name"],
                "origin": link["origin"],
                "kind": report["kind"],
                "type": report["type_name"],
                "message": report["message"],
                "direct_cause": direct_cause,
                "frames": report["frames"],
                "hidden_frames": report["hidden_frames"],
                "span_trace": report["span_trace"],
                "origin_untold": report["origin_untold"],
                "spans": [report["trace_id"], report["span_id"], report["parent_span_id"],
                    report["server_span_id"], report["server_parent_span_id"]],
                "request": [report["method"], report["path"]],
            })
        })
        .collect()
}

fn log_files(logs: &Path) -> Vec<String> {
    ["gateway", "orders", "inventory"]
        .iter()
        .map(|name| logs.join(format!("{name}.log")).display().to_string())
        .collect()
}

#[test]
fn show_from_a_real_jaeger_tells_the_same_story_as_the_logs() {
    let shop = build_shop();
    let jaeger = Jaeger::start();
    let logs = jaeger.dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let [gateway, orders, inventory] = start_shop(&shop, &logs, &jaeger.endpoint);
    // sku 1 succeeds, 42 fails in inventory's `query_stock`, 7 panics there.
    let mut traces = Vec::new();
    for (sku, expected) in [(1, 200), (42, 502), (7, 502), (42, 502)] {
        let (status, trace) = post(&format!("{}/checkout/{sku}", gateway.url));
        assert_eq!(status, expected, "checkout of {sku}");
        assert_eq!(
            trace.len(),
            32,
            "the gateway's traceresponse names the trace"
        );
        traces.push((sku, trace));
    }
    // The services flush their spans at SIGTERM.
    for service in [gateway, orders, inventory] {
        service.stop();
    }
    let logs = log_files(&logs);
    let failing: Vec<String> = traces
        .iter()
        .filter(|(sku, _)| *sku != 1)
        .map(|(_, trace)| trace.clone())
        .collect();
    for (sku, trace) in traces.iter().filter(|(sku, _)| *sku != 1) {
        let answer = jaeger.trace(trace);
        if *sku == 42 && std::env::var_os("TRACEFAULT_RECORD_JAEGER").is_some() {
            let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
            std::fs::write(&fixture, &answer).unwrap();
        }
        let mut args = vec!["show", trace.as_str(), "--json"];
        args.extend(logs.iter().map(String::as_str));
        let from_logs = tracefault(&args);
        for backend in ["jaeger", "auto", "jaeger-v1"] {
            let from_jaeger = tracefault(&[
                "show",
                trace,
                "--json",
                "--url",
                &jaeger.query,
                "--backend",
                backend,
            ]);
            assert_eq!(
                story(&from_jaeger),
                story(&from_logs),
                "sku {sku}, --backend {backend}: {from_jaeger}\nfrom the logs: {from_logs}"
            );
            // From spans, the waterfall has the spans' own times, and the origin's span raised.
            assert_eq!(from_jaeger["timing"], "measured");
            let waterfall = from_jaeger["waterfall"].as_array().unwrap();
            let origin_span = &from_jaeger["chain"][0]["span_id"];
            assert!(
                waterfall
                    .iter()
                    .any(|row| &row["span_id"] == origin_span && row["raised"] == true),
                "sku {sku}, --backend {backend}: {from_jaeger}"
            );
            let mut services: Vec<&str> = waterfall
                .iter()
                .filter_map(|row| row["service"].as_str())
                .collect();
            services.sort_unstable();
            services.dedup();
            assert_eq!(services, ["gateway", "inventory", "orders"]);
        }
    }
    searches_tell_what_the_logs_tell(&jaeger, &logs, &failing);
    // A trace Jaeger never saw is its 404, in its api_v3 error envelope, which `auto` takes as
    // Jaeger's answer.
    let unknown = "4bf92f3577b34da6a3ce929d0e0e4736";
    for backend in ["jaeger", "auto"] {
        let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
            .args([
                "show",
                unknown,
                "--url",
                &jaeger.query,
                "--backend",
                backend,
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "--backend {backend}");
        let said = String::from_utf8(output.stderr).unwrap();
        assert!(
            said.contains(&format!("/api/v3/traces/{unknown}: 404 Not Found: "))
                && said.contains("No traces found"),
            "--backend {backend}: {said}"
        );
    }
}

/// The measurement docs/COMMAND.md quotes ("At scale"): 10,000 traces of the shop's failing
/// checkout (the recorded answer's 11 spans each, new trace ids, spread over the last hour)
/// posted to a real Jaeger over OTLP/HTTP JSON, then `tracefault errors --url` timed by GNU
/// time. Ignored: it measures, and its numbers belong to a quiet machine.
///
/// `TRACEFAULT_MEASURE_BIN` names the tracefault to time (a release build:
/// `target/release/tracefault`); the debug one of the test otherwise.
///
///     cargo test -p tracefault-cli --test jaeger -- --ignored --nocapture
#[test]
#[ignore]
fn measure_errors_over_ten_thousand_traces() {
    const TRACES: usize = 10_000;
    const PER_POST: usize = 100;
    let jaeger = Jaeger::start();
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap(),
    )
    .unwrap();
    let template = &recorded["result"];
    let first_start = template["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|resource| resource["scopeSpans"].as_array().unwrap())
        .flat_map(|scope| scope["spans"].as_array().unwrap())
        .map(|span| {
            span["startTimeUnixNano"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .min()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    // Trace i starts 3600 s * i / TRACES after an hour ago.
    let hour = 3_600_000_000_000u64;
    let client = reqwest::blocking::Client::new();
    let posting = Instant::now();
    for batch in 0..TRACES / PER_POST {
        let mut resources = Vec::new();
        for index in batch * PER_POST..(batch + 1) * PER_POST {
            let shift = now - hour + hour / TRACES as u64 * index as u64 - first_start;
            let trace_id = format!("{:032x}", 0x7f00_0000_0000_0000_u128 + index as u128 + 1);
            let mut copy = template["resourceSpans"].clone();
            for resource in copy.as_array_mut().unwrap() {
                for scope in resource["scopeSpans"].as_array_mut().unwrap() {
                    for span in scope["spans"].as_array_mut().unwrap() {
                        span["traceId"] = Value::from(trace_id.clone());
                        for key in ["startTimeUnixNano", "endTimeUnixNano"] {
                            let at: u64 = span[key].as_str().unwrap().parse().unwrap();
                            span[key] = Value::from((at + shift).to_string());
                        }
                        for event in span["events"].as_array_mut().into_iter().flatten() {
                            let at: u64 = event["timeUnixNano"].as_str().unwrap().parse().unwrap();
                            event["timeUnixNano"] = Value::from((at + shift).to_string());
                        }
                    }
                }
                resources.push(resource.clone());
            }
        }
        let body = serde_json::json!({ "resourceSpans": resources }).to_string();
        let response = client
            .post(format!("{}/v1/traces", jaeger.endpoint))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert!(response.status().is_success(), "{:?}", response.text());
    }
    let posted = posting.elapsed();
    let binary = std::env::var("TRACEFAULT_MEASURE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_tracefault").to_owned());
    // Jaeger stores what it was sent a moment later: wait until the search finds it all.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let traces = tracefault(&["traces", "--json", "--limit", "1", "--url", &jaeger.query]);
        if traces["total"] == TRACES {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Jaeger holds {}",
            traces["total"]
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    for command in ["errors", "traces"] {
        let output = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&binary)
            .args([command, "--json", "--url", &jaeger.query])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success());
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        let time = String::from_utf8_lossy(&output.stderr);
        let field = |name: &str| {
            time.lines()
                .find_map(|line| line.trim().strip_prefix(name))
                .unwrap_or("?")
                .trim()
                .to_owned()
        };
        let counted = match command {
            "errors" => format!("{} reports", document["reports"]),
            _ => format!("{} failing traces", document["total"]),
        };
        println!(
            "{binary} {command} --url: {counted} from {} spans; {} requests; elapsed {}; \
             peak RSS {} KiB; user {} s, system {} s (posting {TRACES} traces took {posted:?})",
            document["input"]["spans"],
            document["input"]["requests"],
            field("Elapsed (wall clock) time (h:mm:ss or m:ss):"),
            field("Maximum resident set size (kbytes):"),
            field("User time (seconds):"),
            field("System time (seconds):"),
        );
    }
}
