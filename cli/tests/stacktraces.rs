//! Other runtimes' stack traces through the real binary: a Node.js service calls a Java one,
//! both export their spans with an `exception` event, and `tracefault show` prints each
//! part's frames in one layout, naming its language; a trace in no known format is shown as
//! it came.

use std::path::PathBuf;
use std::process::Command;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/stacktraces/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn text(value: &str) -> serde_json::Value {
    serde_json::json!({"stringValue": value})
}

/// A failing span of `service` with one `exception` event.
fn resource(
    service: &str,
    span: (&str, &str, u64),
    kind: u8,
    exception: (&str, &str, &str),
) -> serde_json::Value {
    let (span_id, parent, start) = span;
    let (type_name, message, stacktrace) = exception;
    serde_json::json!({
        "resource": {"attributes": [{"key": "service.name", "value": text(service)}]},
        "scopeSpans": [{"spans": [{
            "traceId": TRACE, "spanId": span_id, "parentSpanId": parent,
            "name": format!("{service} handler"), "kind": kind,
            "startTimeUnixNano": (1_764_301_847_000_000_000u64 + start).to_string(),
            "endTimeUnixNano": (1_764_301_848_000_000_000u64 - start).to_string(),
            "status": {"code": 2, "message": message},
            "events": [{
                "name": "exception",
                "timeUnixNano": "1764301847500000000",
                "attributes": [
                    {"key": "exception.type", "value": text(type_name)},
                    {"key": "exception.message", "value": text(message)},
                    {"key": "exception.stacktrace", "value": text(stacktrace)},
                ],
            }],
        }]}],
    })
}

/// `tracefault <command> …` over a file of `resources`, with `args` after the file.
fn run(command: &[&str], resources: &[serde_json::Value], name: &str, args: &[&str]) -> String {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "tracefault-cli-{}-stacktraces-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("spans.json");
    let document = serde_json::json!({"resourceSpans": resources});
    std::fs::write(&file, format!("{document}\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(command)
        .arg(&file)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn show(resources: &[serde_json::Value], name: &str, json: bool) -> String {
    let args: &[&str] = if json { &["--json"] } else { &[] };
    run(&["show", TRACE], resources, name, args)
}

fn node_and_java(java_stacktrace: &str) -> Vec<serde_json::Value> {
    vec![
        resource(
            "frontend",
            ("00f067aa0ba902b7", "", 0),
            2,
            (
                "Error",
                "connect ECONNREFUSED 127.0.0.1:5432",
                &fixture("node_from_issue.txt"),
            ),
        ),
        resource(
            "orders",
            ("b7ad6b7169203331", "00f067aa0ba902b7", 1000),
            2,
            (
                "java.lang.IllegalStateException",
                "bad order",
                java_stacktrace,
            ),
        ),
    ]
}

#[test]
fn node_and_java_exceptions_are_shown_as_frames() {
    let shown = show(
        &node_and_java(&fixture("java_caused_by.txt")),
        "frames",
        false,
    );
    assert!(
        shown.contains("Traceback (Node.js, most recent call last):"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  File \"/app/src/orders/repository.js\", line 41, in OrderRepository.find\n"
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  File \"/app/node_modules/pg-protocol/dist/parser.js\", line 287, in Parser.parseErrorMessage\n"
        ),
        "{shown}"
    );
    assert!(shown.contains("[1 runtime frame hidden]"), "{shown}");
    assert!(
        shown.contains("Traceback (Java, most recent call last):"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  File \"Service.java\", line 8, in com.example.Service.main\n  File \"Service.java\", line 5, in com.example.Service.handle\n"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("java.lang.NumberFormatException: For input string: \"x\""),
        "the cause the text chains: {shown}"
    );
    let document: serde_json::Value = serde_json::from_str(&show(
        &node_and_java(&fixture("java_caused_by.txt")),
        "json",
        true,
    ))
    .unwrap();
    let languages: Vec<&str> = document["chain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|link| link["report"]["language"].as_str())
        .collect();
    assert_eq!(languages, ["Java", "Node.js"], "deepest first: {document}");
}

#[test]
fn a_stack_trace_in_no_known_format_is_shown_as_it_came() {
    let unknown = "OrderError at /orders/42\n  frame one <in> nowhere\n\u{1b}[2J forged";
    let shown = show(&node_and_java(unknown), "unknown", false);
    assert!(shown.contains("  | OrderError at /orders/42\n"), "{shown}");
    assert!(shown.contains("  |   frame one <in> nowhere\n"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "escaped: {shown}");
}

#[test]
fn the_dashboard_shows_the_frames_and_names_the_language() {
    let page = run(
        &["html"],
        &node_and_java(&fixture("java_caused_by.txt")),
        "html",
        &["-o", "-"],
    );
    assert!(page.contains("(Java)"), "the language beside the traceback");
    assert!(page.contains("(Node.js)"));
    assert!(page.contains("com.example.Service.handle"));
    assert!(page.contains("Parser.parseErrorMessage"));
    let unknown = run(
        &["html"],
        &node_and_java("OrderError at /orders/42"),
        "html-unknown",
        &["-o", "-"],
    );
    assert!(
        unknown.contains("OrderError at /orders/42"),
        "kept as it came"
    );
}

#[test]
fn a_python_traceback_is_read_as_pythons_not_as_tracefaults() {
    let resources = [resource(
        "pricing",
        ("00f067aa0ba902b7", "", 0),
        2,
        (
            "RuntimeError",
            "config unreadable",
            &fixture("python_chained.txt"),
        ),
    )];
    let shown = show(&resources, "python", false);
    assert!(
        shown.contains("Traceback (Python, most recent call last):"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  File \"/app/t.py\", line 9, in <module>\n  File \"/app/t.py\", line 8, in load\n"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("json.decoder.JSONDecodeError: Expecting property name"),
        "the chained cause: {shown}"
    );
}
