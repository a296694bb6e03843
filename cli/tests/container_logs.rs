//! The shop's log lines as container runtimes store them: Docker's `json-file` driver, the
//! CRI format of containerd and CRI-O (what `/var/log/pods` holds), and the OpenTelemetry
//! Collector's `file` exporter for logs. Each tells what the plain log tells: the same lines,
//! the same error groups, the same story. The lines are a real run's (`orders.log` of the shop
//! exporting to Jaeger in `tests/jaeger.rs`); each runtime's wrapping is written here, with
//! its records cut into parts shorter than a report, as runtimes cut lines longer than 16 KiB.

#[path = "common/serve.rs"]
mod serve;

use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/backends/shop-orders.log"
);

/// Parts this long: every report of the log is cut into several.
const PART: usize = 700;

fn tracefault(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
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

/// The line in parts of at most [`PART`] bytes, cut at character boundaries.
fn parts(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = line;
    while rest.len() > PART {
        let mut at = PART;
        while !rest.is_char_boundary(at) {
            at -= 1;
        }
        parts.push(&rest[..at]);
        rest = &rest[at..];
    }
    parts.push(rest);
    parts
}

fn written(dir: &Path, name: &str, text: String) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Docker's `json-file` records: `log` holds the part, the last with its newline.
fn docker(log: &str) -> String {
    let mut out = String::new();
    for (number, line) in log.lines().enumerate() {
        let cut = parts(line);
        let last = cut.len() - 1;
        for (index, part) in cut.into_iter().enumerate() {
            let text = if index == last {
                format!("{part}\n")
            } else {
                part.to_owned()
            };
            let record = serde_json::json!({
                "log": text,
                // Every other line to standard error, as a service's panics are.
                "stream": if number % 2 == 0 { "stdout" } else { "stderr" },
                "time": format!("2026-11-28T04:51:{:02}.123456789Z", number % 60),
            });
            out.push_str(&record.to_string());
            out.push('\n');
        }
    }
    out
}

/// CRI records: `<time> <stream> P|F <part>`, standard output's parts between standard
/// error's.
fn cri(log: &str) -> String {
    let mut records: Vec<String> = Vec::new();
    let lines: Vec<&str> = log.lines().collect();
    for pair in lines.chunks(2) {
        let streams: Vec<Vec<String>> = pair
            .iter()
            .zip(["stderr", "stdout"])
            .map(|(line, stream)| {
                let cut = parts(line);
                let last = cut.len() - 1;
                cut.into_iter()
                    .enumerate()
                    .map(|(index, part)| {
                        let tag = if index == last { "F" } else { "P" };
                        format!("2026-11-28T04:51:38.669794202Z {stream} {tag} {part}")
                    })
                    .collect()
            })
            .collect();
        // Interleaved: one part of each stream in turn.
        let longest = streams.iter().map(Vec::len).max().unwrap_or(0);
        for index in 0..longest {
            for stream in &streams {
                if let Some(record) = stream.get(index) {
                    records.push(record.clone());
                }
            }
        }
    }
    records.join("\n") + "\n"
}

/// The collector's `file` exporter for logs, its `filelog` receiver having read each line into
/// a record's body: one `LogsData` per line, a few records each.
fn collector(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let mut out = String::new();
    for batch in lines.chunks(5) {
        let records: Vec<Value> = batch
            .iter()
            .map(|line| {
                serde_json::json!({
                    "timeUnixNano": "1764305498669794202",
                    "observedTimeUnixNano": "1764305498669794202",
                    "body": {"stringValue": line},
                    "attributes": [{"key": "log.file.name", "value": {"stringValue": "orders.log"}}],
                })
            })
            .collect();
        let document = serde_json::json!({"resourceLogs": [{
            "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "orders"}}
            ]},
            "scopeLogs": [{"scope": {}, "logRecords": records}]
        }]});
        out.push_str(&document.to_string());
        out.push('\n');
    }
    out
}

fn groups(errors: &Value) -> Value {
    let groups = errors["groups"].as_array().unwrap();
    groups
        .iter()
        .map(|group| {
            serde_json::json!([
                group["fingerprint"],
                group["count"],
                group["services"],
                group["origin"],
                group["example_trace_id"],
                group["example_message"]
            ])
        })
        .collect()
}

fn chain(show: &Value) -> Value {
    let chain = show["chain"].as_array().unwrap();
    chain
        .iter()
        .map(|link| {
            serde_json::json!([
                link["service"],
                link["report"]["type_name"],
                link["report"]["message"],
                link["report"]["frames"],
                link["report"]["causes"]
            ])
        })
        .collect()
}

#[test]
fn container_runtimes_logs_tell_what_the_log_tells() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("tracefault-containers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = std::fs::read_to_string(LOG).unwrap();
    let longest = log.lines().map(str::len).max().unwrap();
    assert!(longest > 3 * PART, "a report is cut into several parts");
    let plain = tracefault(&["errors", "--json", LOG]);
    assert!(!groups(&plain).as_array().unwrap().is_empty());
    let lines = log.lines().count() as u64;
    assert_eq!(plain["input"]["lines"], lines);
    let trace = plain["groups"][0]["example_trace_id"].as_str().unwrap();
    let story = tracefault(&["show", trace, "--json", LOG]);
    for (name, text) in [
        ("docker-json.log", docker(&log)),
        ("cri.log", cri(&log)),
        ("collector-logs.json", collector(&log)),
    ] {
        let path = written(&dir, name, text);
        let errors = tracefault(&["errors", "--json", &path]);
        assert_eq!(groups(&errors), groups(&plain), "{name}: {errors}");
        assert_eq!(errors["input"]["lines"], lines, "{name}: {errors}");
        assert_eq!(errors["input"]["malformed"], 0, "{name}");
        assert_eq!(errors["input"]["too_long"], 0, "{name}");
        let shown = tracefault(&["show", trace, "--json", &path]);
        assert_eq!(chain(&shown), chain(&story), "{name}");
        let traces = tracefault(&["traces", "--json", &path]);
        assert_eq!(
            traces["traces"],
            tracefault(&["traces", "--json", LOG])["traces"],
            "{name}"
        );
    }
    // A report longer than a line may be, in parts: one line too long, not many malformed.
    let path = written(&dir, "cri-long.log", cri(&log));
    let limited = tracefault(&["errors", "--json", "--max-line-bytes", "2000", &path]);
    let too_long = log.lines().filter(|line| line.len() > 2000).count();
    assert!(too_long > 0);
    assert_eq!(limited["input"]["too_long"], too_long as u64, "{limited}");
    assert_eq!(limited["input"]["malformed"], 0, "{limited}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `serve` reads a growing file a part at a time: a report whose first records were written
/// before its last is still one report, joined across the reads.
#[test]
fn serve_joins_a_reports_parts_written_between_two_reads() {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "tracefault-containers-serve-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let log = std::fs::read_to_string(LOG).unwrap();
    let report = log
        .lines()
        .find(|line| line.contains("\"exception.type\"") && line.len() > 3 * PART)
        .unwrap();
    let trace = serde_json::from_str::<Value>(report).unwrap()["trace_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let records: Vec<String> = cri(report).lines().map(str::to_owned).collect();
    let (first, rest) = records.split_at(records.len() / 2);
    let path = dir.join("cri.log");
    std::fs::write(&path, first.join("\n") + "\n").unwrap();
    let server = serve::Server::start(&[&path]);
    let get = || {
        reqwest::blocking::get(format!("http://{}/", server.address))
            .unwrap()
            .text()
            .unwrap()
    };
    assert!(!get().contains(&trace), "half a report is no report yet");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all((rest.join("\n") + "\n").as_bytes()).unwrap();
    drop(file);
    assert!(
        get().contains(&trace),
        "the report, joined across two reads"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
