//! What backends answer, read right, and what they fail with, said plainly within a bounded
//! time. The answers are the backends' own (fixtures/backends/README.md says where each comes
//! from), served by a loopback server of the test's own that also plays the backends that are
//! down, never answer, answer a byte at a time, or answer something else.

use serde_json::Value;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn tracefault(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json_of(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

/// How the server answers one request.
#[derive(Clone)]
enum Answer {
    /// A status line's status and a body.
    Full(&'static str, String),
    /// Headers, then the body a byte every 200 ms.
    Trickle(String),
    /// Reads the request and says nothing, holding the connection.
    Silent,
}

/// A loopback server answering each request by its path; the requests' heads are kept.
struct Server {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

fn server(answer: impl Fn(&str) -> Answer + Send + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            seen.lock().unwrap().push(head);
            let answer = answer(&path);
            std::thread::spawn(move || respond(stream, answer));
        }
    });
    Server { url, heads }
}

fn respond(mut stream: TcpStream, answer: Answer) {
    match answer {
        Answer::Full(status, body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Trickle(body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            for byte in body.bytes() {
                if stream.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Answer::Silent => std::thread::sleep(Duration::from_secs(60)),
    }
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Runs `args` against a backend, expecting a failure within `within`; its message.
fn fails_within(args: &[&str], within: Duration) -> String {
    let started = Instant::now();
    let output = tracefault(args);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    assert!(took < within, "{args:?} took {took:?}");
    let said = String::from_utf8(output.stderr).unwrap();
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    said
}

#[test]
fn a_backend_down_slow_or_answering_garbage_is_a_clear_error_in_bounded_time() {
    // Down: a port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let silent = server(|_| Answer::Silent);
    // A byte every 200 ms of a valid answer, longer than the timeout allows.
    let trickle = server(|path| {
        Answer::Trickle(if path.starts_with("/api/v3/services") {
            format!("{{\"services\":[{}\"x\"]}}", "\"a-service\",".repeat(20))
        } else {
            format!("{{\"result\":{{\"resourceSpans\":[]{}}}}}", " ".repeat(100))
        })
    });
    let garbage = server(|_| Answer::Full("200 OK", "<html>hello</html>".to_owned()));
    let unknown = server(|_| Answer::Full("200 OK", "{\"traces\":[]}".to_owned()));
    let limit = Duration::from_secs(10);
    for command in [
        vec!["show", TRACE, "--backend", "jaeger"],
        vec!["errors"],
        vec!["traces"],
    ] {
        let with = |url: &str| {
            let mut args = command.clone();
            args.extend(["--url", url, "--timeout", "2"]);
            args.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let run = |url: &str| {
            let args = with(url);
            fails_within(&args.iter().map(String::as_str).collect::<Vec<_>>(), limit)
        };
        let said = run(&down);
        assert!(said.contains("GET ") && said.contains("onnect"), "{said}");
        let said = run(&silent.url);
        assert!(
            said.contains("timed out") || said.contains("timeout"),
            "{said}"
        );
        let said = run(&trickle.url);
        assert!(
            said.contains("timed out") || said.contains("timeout"),
            "{said}"
        );
        let said = run(&garbage.url);
        assert!(said.contains(&garbage.url), "{said}");
        assert!(!said.contains("not in the sources"), "{said}");
        let said = run(&unknown.url);
        assert!(said.contains("not an answer this command reads"), "{said}");
        assert!(!said.contains("not in the sources"), "{said}");
    }
}

#[test]
fn headers_reach_the_backend_and_their_values_are_never_printed() {
    let backend = server(|_| Answer::Full("500 Internal Server Error", "no".to_owned()));
    let said = fails_within(
        &[
            "errors",
            "--url",
            &backend.url,
            "-H",
            "X-Scope-OrgID: tenant-1",
            "-H",
            "Authorization: Bearer s3cr3t-token",
        ],
        Duration::from_secs(10),
    );
    assert!(
        !said.contains("s3cr3t") && !said.contains("tenant-1"),
        "{said}"
    );
    let heads = backend.heads.lock().unwrap();
    let head = heads[0].to_ascii_lowercase();
    assert!(head.starts_with("get /api/v3/services "), "{head}");
    assert!(head.contains("x-scope-orgid: tenant-1\r\n"), "{head}");
    assert!(
        head.contains("authorization: bearer s3cr3t-token\r\n"),
        "{head}"
    );
    // A header that is not `Name: value` is refused without repeating what was given.
    let output = tracefault(&["errors", "--url", &backend.url, "-H", "s3cr3t-token"]);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains("-H: expected 'Name: value'") && !said.contains("s3cr3t"),
        "{said}"
    );
}

/// Jaeger's api_v3 gateway snapshots, as its own tests compare its answers to them: the
/// services list, then one search per service with its window and page size.
#[test]
fn a_search_reads_jaegers_services_then_each_services_traces() {
    let backend = server(|path| {
        let name = if path.starts_with("/api/v3/services") {
            "backends/jaeger-v1.75.0-api_v3-GetServices.json"
        } else {
            "backends/jaeger-v1.75.0-api_v3-FindTraces.json"
        };
        Answer::Full("200 OK", fixture(name))
    });
    let output = tracefault(&[
        "traces",
        "--json",
        "--url",
        &backend.url,
        "--since",
        "2026-11-28T04:00:00Z",
        "--until",
        "2026-11-28T05:00:00Z",
    ]);
    let document = json_of(&output);
    assert_eq!(document["input"]["requests"], 2, "{document}");
    assert_eq!(document["input"]["spans"], 1, "{document}");
    let heads = backend.heads.lock().unwrap();
    let search = heads[1].lines().next().unwrap();
    assert_eq!(
        search,
        "GET /api/v3/traces?query.service_name=foo\
         &query.start_time_min=2026-11-28T04%3A00%3A00.000000Z\
         &query.start_time_max=2026-11-28T05%3A00%3A00.000000Z&query.num_traces=500 HTTP/1.1"
    );
}

/// Tempo's answer for a trace over its size limit holds part of it; `show` says so, on the
/// terminal and in `--json`.
#[test]
fn tempos_partial_answer_is_said_to_be_partial() {
    let backend = server(|_| Answer::Full("200 OK", fixture("backends/tempo-v2-partial.json")));
    let answer: Value = serde_json::from_str(&fixture("backends/tempo-v2-partial.json")).unwrap();
    let span = &answer["trace"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    let trace = span["traceId"].as_str().unwrap();
    let args = ["show", trace, "--url", &backend.url, "--backend", "tempo"];
    let document = json_of(&tracefault(&[&args[..], &["--json"]].concat()));
    let said = "Trace exceeds maximum size of 5242880 bytes, a partial trace is returned";
    assert_eq!(document["input"]["partial"], serde_json::json!([said]));
    assert!(
        document["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|note| note.as_str().unwrap().contains(said)),
        "{document}"
    );
    let output = tracefault(&[&args[..], &["--color", "never"]].concat());
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(&format!("partial: {said}")), "{text}");
}

/// Jaeger's own JSON model, as every Jaeger v1 (and v2 still) answers `/api/traces/{id}`:
/// read, not taken for "no such trace".
#[test]
fn jaegers_v1_json_model_is_read() {
    let backend = server(|_| {
        Answer::Full(
            "200 OK",
            fixture("backends/jaeger-v1.75.0-api-traces-ui_01.json"),
        )
    });
    let trace = "00000000000000000000000000000001";
    let document = json_of(&tracefault(&[
        "show",
        trace,
        "--json",
        "--url",
        &backend.url,
        "--backend",
        "jaeger-v1",
    ]));
    // Five spans, one of them given twice: four, the copy counted.
    assert_eq!(document["input"]["spans"], 5, "{document}");
    assert_eq!(document["input"]["duplicate_spans"], 1, "{document}");
    let waterfall = document["waterfall"].as_array().unwrap();
    assert_eq!(waterfall.len(), 4, "{document}");
    let services: Vec<&str> = waterfall
        .iter()
        .filter_map(|row| row["service"].as_str())
        .collect();
    assert!(services.contains(&"service-x") && services.contains(&"service-y"));
    // The reference to a span of another trace is not the parent; the CHILD_OF within is.
    let row = |span: &str| {
        waterfall
            .iter()
            .find(|row| row["span_id"] == span)
            .unwrap_or_else(|| panic!("{span} in {document}"))
    };
    assert_eq!(row("0000000000000004")["parent"], "0000000000000002");
    assert_eq!(row("0000000000000005")["parent"], "0000000000000004");
    assert_eq!(document["timing"], "measured");
    // The same answer saved to a file (as Jaeger's UI saves a trace) reads alike.
    let saved = format!("{FIXTURES}/backends/jaeger-v1.75.0-api-traces-ui_01.json");
    let from_file = json_of(&tracefault(&["show", trace, "--json", &saved]));
    assert_eq!(from_file["waterfall"], document["waterfall"]);
}

/// A collector's file exporter still writing: the complete lines are read, the cut one
/// counted. The same file read twice counts each report once.
#[test]
fn a_cut_last_line_is_counted_and_spans_read_twice_count_once() {
    let file = format!("{FIXTURES}/backends/file-exporter-cut-last-line.json");
    let once = json_of(&tracefault(&["errors", "--json", &file]));
    assert_eq!(once["input"]["otlp_documents"], 1, "{once}");
    assert_eq!(once["input"]["cut_documents"], 1, "{once}");
    assert_eq!(once["input"]["spans"], 11, "{once}");
    assert!(once["reports"].as_u64().unwrap() > 0, "{once}");
    let twice = json_of(&tracefault(&["errors", "--json", &file, &file]));
    assert_eq!(twice["reports"], once["reports"], "{twice}");
    assert_eq!(twice["input"]["duplicate_spans"], 11, "{twice}");
    let counts = |document: &Value| -> Vec<Value> {
        let groups = document["groups"].as_array().unwrap();
        groups.iter().map(|group| group["count"].clone()).collect()
    };
    assert_eq!(counts(&twice), counts(&once));
    let stderr = String::from_utf8(tracefault(&["errors", &file]).stderr).unwrap();
    assert!(
        stderr.contains("1 OTLP documents cut short at the end"),
        "{stderr}"
    );
}

/// Spans whose ids are empty cannot be placed: counted and said, not dropped silently. An id
/// in base64's URL-safe alphabet is an id.
#[test]
fn spans_without_ids_are_counted_and_url_safe_ids_read() {
    let dir = std::env::temp_dir().join(format!("tracefault-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("spans.json");
    let span = |trace: &str, span: &str| {
        format!(
            r#"{{"traceId":"{trace}","spanId":"{span}","name":"x","startTimeUnixNano":"1764301847313000000","endTimeUnixNano":"1764301847314000000"}}"#
        )
    };
    std::fs::write(
        &file,
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{},{},{}]}}]}}]}}"#,
            span("", ""),
            span("5b8efff798038103d269b633813fc60c", ""),
            span("W47_95gDgQPSabYzgT_GDA", "7uGbfsPBsXQ"),
        ),
    )
    .unwrap();
    let file = file.display().to_string();
    let document = json_of(&tracefault(&["errors", "--json", &file]));
    assert_eq!(document["input"]["dropped_spans"], 2, "{document}");
    assert_eq!(document["input"]["spans"], 1, "{document}");
    let stderr = String::from_utf8(tracefault(&["errors", &file]).stderr).unwrap();
    assert!(stderr.contains("2 spans without valid ids"), "{stderr}");
    let shown = json_of(&tracefault(&[
        "show",
        "5b8efff798038103d269b633813fc60c",
        "--json",
        &file,
    ]));
    assert_eq!(shown["waterfall"][0]["span_id"], "eee19b7ec3c1b174");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One trace, one duration: `traces` lists it as long as `show` tells it, from spans (the
/// recorded Jaeger answer, read as a file) and from log lines (the shop's log).
#[test]
fn traces_and_show_give_one_trace_one_duration() {
    for source in [
        format!("{FIXTURES}/jaeger-v1.75.0-get-trace.json"),
        format!("{FIXTURES}/backends/shop-orders.log"),
    ] {
        let traces = json_of(&tracefault(&["traces", "--json", &source]));
        let listed = traces["traces"].as_array().unwrap();
        assert!(!listed.is_empty(), "{source}");
        for trace in listed {
            let id = trace["trace_id"].as_str().unwrap();
            let shown = json_of(&tracefault(&["show", id, "--json", &source]));
            assert_eq!(trace["duration"], shown["duration"], "{source}: {id}");
            assert_eq!(trace["start"], shown["start"], "{source}: {id}");
        }
    }
}
