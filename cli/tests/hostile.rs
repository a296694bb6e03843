//! Hostile input through the real binary: a 100 MB line, invalid UTF-8, JSON nested 10,000
//! deep, a trace of 100,000 spans, spans that are their own parent or form a cycle, and text
//! that tries to drive the terminal. Each gives a clear error or a bounded result.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TRACE: &str = "5b8efff798038103d269b633813fc60c";

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracefault-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary under a 256 MiB address-space limit, so that holding a 100 MB line (or a
/// structure that grows with the input) fails the test instead of passing quietly.
fn tracefault(args: &[&str]) -> Output {
    let started = Instant::now();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 262144 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .stdin(Stdio::null());
    let output = command.output().expect("the binary runs");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    output
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("the output is UTF-8")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("--json prints JSON")
}

fn report_line(message: &str) -> String {
    serde_json::json!({
        "timestamp": "2026-11-28T04:51:38.632624Z", "level": "ERROR", "target": "tracefault",
        "message": "error escaped reserve", "service": "inventory", "trace_id": TRACE,
        "span_id": "eee19b7ec3c1b174", "exception.type": "shop::StockError",
        "exception.message": message,
        "exception.frames": [{"function": "shop::reserve", "file": "src/shop.rs", "line": 9, "user": true}],
    })
    .to_string()
}

fn write(path: &Path, parts: &[&[u8]]) {
    let mut file = std::fs::File::create(path).unwrap();
    for part in parts {
        file.write_all(part).unwrap();
    }
}

#[test]
fn a_100_mb_line_is_skipped_and_counted_without_being_held() {
    let dir = dir("long");
    let log = dir.join("inventory.log");
    let mut long =
        br#"{"timestamp":"2026-11-28T04:51:38Z","exception.type":"x","message":""#.to_vec();
    long.resize(100 << 20, b'a');
    long.extend_from_slice(b"\"}\n");
    let first = report_line("one") + "\n";
    let last = report_line("two").replace("38.632624", "39.000000");
    write(&log, &[first.as_bytes(), &long, last.as_bytes()]);
    let output = tracefault(&["errors", "--json", log.to_str().unwrap()]);
    let document = json(&output);
    assert_eq!(document["input"]["too_long"], 1);
    assert_eq!(document["input"]["lines"], 3);
    assert_eq!(
        document["groups"][0]["count"], 2,
        "the cut last line is read too"
    );
}

#[test]
fn invalid_utf8_and_deep_nesting_are_counted_as_malformed() {
    let dir = dir("malformed");
    let log = dir.join("inventory.log");
    let good = report_line("fine") + "\n";
    let mut invalid = report_line("bad \u{1}").into_bytes();
    let at = invalid.windows(4).position(|w| w == b"\\u00").unwrap();
    invalid.splice(at..at + 6, [0xff, 0xfe]);
    invalid.push(b'\n');
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_read = format!(
        r#"{{"timestamp":"2026-11-28T04:51:40Z","target":"tracefault","exception.type":"x","exception.causes":{nested}}}"#
    ) + "\n";
    let deep_ignored = format!(
        r#"{{"timestamp":"2026-11-28T04:51:41Z","level":"INFO","target":"t","message":"m","x":{nested}}}"#
    ) + "\n";
    write(
        &log,
        &[
            good.as_bytes(),
            &invalid,
            deep_read.as_bytes(),
            deep_ignored.as_bytes(),
            b"not json at all\n",
        ],
    );
    let document = json(&tracefault(&["errors", "--json", log.to_str().unwrap()]));
    assert_eq!(document["input"]["malformed"], 2, "{document}");
    assert_eq!(document["input"]["not_ours"], 1, "{document}");
    assert_eq!(document["reports"], 1);
}

/// One OTLP document (a collector file exporter's line) of `spans`.
fn otlp_document(spans: &[serde_json::Value]) -> String {
    serde_json::json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "deep"}}]},
        "scopeSpans": [{"spans": spans}],
    }]})
    .to_string()
}

fn span(id: u64, parent: u64, error: bool) -> serde_json::Value {
    serde_json::json!({
        "traceId": TRACE, "spanId": format!("{id:016x}"),
        "parentSpanId": if parent == 0 { String::new() } else { format!("{parent:016x}") },
        "name": format!("f{id}"), "kind": 1,
        "startTimeUnixNano": (1_764_301_847_000_000_000u64 + id * 1000).to_string(),
        "endTimeUnixNano": (1_764_301_848_000_000_000u64 - id * 1000).to_string(),
        "status": {"code": if error { 2 } else { 0 }},
    })
}

#[test]
fn a_trace_of_100000_spans_100000_deep_is_shown_in_bounded_output() {
    let dir = dir("deep");
    let file = dir.join("spans.json");
    let spans: Vec<serde_json::Value> = (1..=100_000u64)
        .map(|id| span(id, id - 1, id == 100_000))
        .collect();
    write(&file, &[otlp_document(&spans).as_bytes(), b"\n"]);
    let text = stdout(&tracefault(&["show", TRACE, file.to_str().unwrap()]));
    assert!(text.lines().count() < 500, "{} lines", text.lines().count());
    assert!(text.contains("… 99700 more spans"), "{text}");
    let document = json(&tracefault(&[
        "show",
        TRACE,
        "--json",
        file.to_str().unwrap(),
    ]));
    assert_eq!(document["waterfall"].as_array().unwrap().len(), 100_000);
    assert_eq!(document["waterfall"][99_999]["depth"], 99_999);
    assert_eq!(document["chain"].as_array().unwrap().len(), 1);
}

#[test]
fn a_span_that_is_its_own_parent_and_a_cycle_of_parents_end_with_a_note() {
    let dir = dir("cycle");
    let file = dir.join("spans.json");
    let spans = [
        span(1, 1, true),
        // 2 → 3 → 4 → 2: no root reaches them.
        span(2, 4, false),
        span(3, 2, false),
        span(4, 3, true),
    ];
    write(&file, &[otlp_document(&spans).as_bytes()]);
    let document = json(&tracefault(&[
        "show",
        TRACE,
        "--json",
        file.to_str().unwrap(),
    ]));
    assert_eq!(document["waterfall"].as_array().unwrap().len(), 4);
    let notes = document["notes"].to_string();
    assert!(notes.contains("form a cycle"), "{notes}");
    let text = stdout(&tracefault(&["show", TRACE, file.to_str().unwrap()]));
    assert!(text.contains("Distributed traceback"), "{text}");
}

#[test]
fn text_from_the_logs_cannot_drive_the_terminal() {
    let dir = dir("escape");
    let log = dir.join("inventory.log");
    let hostile = "sku 42\r\x1b[2J\x1b]0;owned\x07\nERROR forged\u{202e}";
    write(&log, &[report_line(hostile).as_bytes()]);
    for args in [
        vec!["errors", "--color", "always"],
        vec!["traces", "--color", "always"],
        vec!["show", TRACE, "--color", "always"],
    ] {
        let mut args = args.clone();
        args.push(log.to_str().unwrap());
        let text = stdout(&tracefault(&args));
        // Our own colours are the only escape sequences: `ESC[` followed by digits and `m`.
        let without_colours = text.split('\x1b').skip(1).all(|after| {
            after.starts_with('[') && after[1..].starts_with(|c: char| c.is_ascii_digit())
        });
        assert!(without_colours, "{args:?}: {text:?}");
        assert!(!text.contains('\r') && !text.contains('\x07') && !text.contains('\u{202e}'));
        assert!(!text.contains("\nERROR forged"), "{text}");
        if args[0] != "traces" {
            assert!(text.contains("\\x1b[2J"), "{args:?}: {text}");
        }
    }
}

#[test]
fn a_trace_that_is_not_there_and_a_bad_id_are_clear_errors() {
    let dir = dir("missing");
    let log = dir.join("inventory.log");
    write(&log, &[report_line("x").as_bytes()]);
    let output = tracefault(&[
        "show",
        "0123456789abcdef0123456789abcdef",
        log.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not in the sources"));
    let output = tracefault(&["show", "not-an-id", log.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a trace id"));
    let output = tracefault(&["errors", "/nonexistent/x.log"]);
    assert_eq!(output.status.code(), Some(2));
}
