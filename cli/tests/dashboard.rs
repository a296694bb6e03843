//! `tracefault html` and `tracefault serve` through the binary, without a browser: the
//! file's policy allows exactly its own script and style; no attribute of the page is a style
//! or a handler; pages are given up to the limit and the file says what it left out; standard
//! input is read twice through a copy; the server reads a growing log from where it left it,
//! waits for a line's end, reads a rotated log again and picks up a new file.

#[path = "common/gave_up.rs"]
mod gave_up;
#[path = "common/serve.rs"]
mod serve;

use serve::Server;
use sha2::{Digest as _, Sha256};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tracefault-dashboard-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tracefault(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracefault"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A report of `trace`, as `tracefault::init()` writes one: an inventory error from
/// `query_stock`, `second` seconds into the hour.
fn report(trace: u128, second: u64, type_name: &str) -> String {
    serde_json::json!({
        "timestamp": format!("2026-11-28T04:{:02}:{:02}.000000Z", second / 60 % 60, second % 60),
        "level": "ERROR", "target": "tracefault", "message": "error escaped reserve",
        "service": "inventory", "trace_id": format!("{trace:032x}"),
        "span_id": format!("{:016x}", trace as u64 | 1 << 62),
        "exception.kind": "error", "exception.type": type_name,
        "exception.message": format!("the stock of trace {trace} could not be read"),
        "exception.frames": [{"function": "shop::inventory::query_stock", "file": "examples/shop/inventory.rs", "line": 68, "user": true}],
        "exception.span_trace": [{"function": "shop::inventory::query_stock", "file": "examples/shop/inventory.rs", "line": 68,
                                  "span_id": format!("{:016x}", trace as u64 | 1 << 62)}],
        "exception.stacktrace": "Traceback (most recent call last):\n  File \"examples/shop/inventory.rs\", line 68, in shop::inventory::query_stock\n    fn query_stock(sku: u32) -> io::Result<u32> {\n",
    })
    .to_string()
        + "\n"
}

fn reports(traces: u128) -> String {
    (1..=traces)
        .map(|trace| report(trace, trace as u64 % 3_600, "shop::inventory::StockError"))
        .collect()
}

/// The attribute values of every start tag, outside the data blocks.
fn start_tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<script type=\"application/json\"") {
            let close = rest.find("</script>").unwrap();
            rest = &rest[close + 1..];
        } else {
            tags.push(tag);
            rest = &rest[end.min(rest.len())..];
        }
    }
    tags
}

fn inline(html: &str, open: &str, close: &str) -> Vec<String> {
    html.split(open)
        .skip(1)
        .map(|part| part.split(close).next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_files_policy_allows_exactly_its_own_script_and_style_and_nothing_inline() {
    let dir = dir("policy");
    let log = dir.join("inventory.log");
    std::fs::write(&log, reports(3)).unwrap();
    let out = dir.join("report.html");
    tracefault(
        &["html", log.to_str().unwrap(), "-o", out.to_str().unwrap()],
        None,
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let policy = html
        .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the policy is the first thing in <head>");
    assert!(html.find("Content-Security-Policy") < html.find("<style>"));
    let hash = |text: &str| {
        use base64::Engine as _;
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        )
    };
    let scripts = inline(&html, "<script>", "</script>");
    let styles = inline(&html, "<style>", "</style>");
    assert_eq!(
        (scripts.len(), styles.len()),
        (1, 1),
        "one script, one style"
    );
    assert!(
        policy.contains(&format!("script-src {};", hash(&scripts[0]))),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("style-src {};", hash(&styles[0]))),
        "{policy}"
    );
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(
        policy.contains("require-trusted-types-for 'script'"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    for tag in start_tags(&html) {
        assert!(!tag.contains(" style="), "an inline style: {tag}");
        let handler = tag
            .split_whitespace()
            .any(|word| word.starts_with("on") && word.contains('='));
        assert!(!handler, "an inline handler: {tag}");
        for link in ["href=\"", "src=\""] {
            if let Some(value) = tag.split(link).nth(1) {
                assert!(
                    value.starts_with('#') || value.starts_with('/'),
                    "a link out of the page: {tag}"
                );
            }
        }
    }
    // The page's source lines come from the report's text.
    assert!(html.contains("fn query_stock(sku: u32) -&gt; io::Result&lt;u32&gt; {"));
}

#[test]
fn many_failing_traces_get_pages_up_to_the_limit_and_the_file_says_what_it_left_out() {
    let dir = dir("many");
    let log = dir.join("inventory.log");
    std::fs::write(&log, reports(600)).unwrap();
    let out = dir.join("report.html");
    let output = tracefault(
        &[
            "html",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--max-pages",
            "50",
        ],
        None,
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("600 failing traces, 50 with a page"),
        "{said}"
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert_eq!(html.matches("<section id=\"trace-").count(), 50);
    assert!(
        html.contains("50 of the 600 failing traces have a page in this file"),
        "the file says what it left out"
    );
    assert!(html.contains("the newest 300 are listed"));
    assert_eq!(html.matches("<a class=\"trace-link\"").count(), 50 + 1);
}

#[test]
fn standard_input_is_read_twice_through_a_copy_and_dash_writes_to_standard_output() {
    let logs = reports(5);
    let output = tracefault(&["html", "-o", "-"], Some(logs.as_bytes()));
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<section id=\"trace-").count(),
        5,
        "the second pass read standard input's copy"
    );
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("tracefault-stdin-{}-", std::process::id()))
        })
        .count();
    assert_eq!(leftovers, 0);
}

// ---------------------------------------------------------------------------------------
// serve

impl Server {
    fn get(&self, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{path}: {response}");
        response
    }

    /// The overview's report counts, by group.
    fn counts(&self) -> Vec<u64> {
        self.get("/")
            .split("<strong class=\"count\">")
            .skip(1)
            .map(|cell| {
                cell.split('<')
                    .next()
                    .unwrap()
                    .replace(',', "")
                    .parse()
                    .unwrap()
            })
            .collect()
    }

    fn generation(&self) -> u64 {
        let answer = self.get("/api/generation");
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        value["generation"].as_u64().unwrap()
    }
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn the_server_reads_a_growing_log_from_where_it_left_it_and_waits_for_a_lines_end() {
    let dir = dir("grow");
    let log = dir.join("inventory.log");
    std::fs::write(&log, reports(1)).unwrap();
    let server = Server::start(&[&dir]);
    assert_eq!(server.counts(), [1]);
    let generation = server.generation();
    assert_eq!(
        server.generation(),
        generation,
        "nothing new, nothing changes"
    );
    let second = report(2, 2, "shop::inventory::StockError");
    let third = report(3, 3, "shop::inventory::StockError");
    let (half, rest) = third.split_at(third.len() / 2);
    append(&log, &format!("{second}{half}"));
    assert_eq!(
        server.counts(),
        [2],
        "a half-written line waits for its end"
    );
    assert!(server.generation() > generation);
    append(&log, rest);
    assert_eq!(server.counts(), [3]);
    // A line left without its newline is read once its file has rested.
    append(&log, report(4, 4, "shop::inventory::StockError").trim_end());
    assert_eq!(server.counts(), [3]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.counts() != [4] {
        assert!(Instant::now() < deadline, "the settled last line is read");
        std::thread::sleep(Duration::from_millis(300));
    }
    // A new file in the directory joins; a report's page is served.
    std::fs::write(
        dir.join("orders.log"),
        report(5, 5, "shop::orders::OrderError"),
    )
    .unwrap();
    assert_eq!(server.counts(), [4, 1]);
    let page = server.get(&format!("/trace/{:032x}", 5));
    assert!(page.contains("shop::<wbr>orders::<wbr>OrderError"));
}

#[test]
fn a_rotated_log_is_read_again_from_its_start_and_counted_once() {
    let dir = dir("rotate");
    let log = dir.join("inventory.log");
    std::fs::write(&log, reports(3)).unwrap();
    let server = Server::start(&[&log]);
    assert_eq!(server.counts(), [3]);
    // Rotation: a new file under the old name, with one report of its own.
    let fresh = dir.join("inventory.log.new");
    std::fs::write(&fresh, report(9, 9, "shop::inventory::StockError")).unwrap();
    std::fs::rename(&fresh, &log).unwrap();
    assert_eq!(server.counts(), [1]);
    // Cut shorter in place (truncated and written again): read again too.
    std::fs::write(&log, reports(2)).unwrap();
    assert_eq!(server.counts(), [2]);
}

#[test]
fn a_callers_give_up_hangs_the_cancelled_spans_under_its_call_and_says_where_the_callee_was() {
    let dir = dir("gave-up");
    let log = dir.join("shop.log");
    std::fs::write(&log, gave_up::lines("shop::orders::<script>ask_supplier")).unwrap();
    let out = dir.join("report.html");
    tracefault(
        &["html", log.to_str().unwrap(), "-o", out.to_str().unwrap()],
        None,
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let trace = gave_up::TRACE;
    assert_eq!(html.matches("class=\"bar cancelled\"").count(), 3);
    assert_eq!(html.matches("⊘ cancelled").count(), 3);
    assert!(html.contains("<span class=\"key cancel\">cancelled</span>"));
    // The function's name is outside text: escaped, as every other.
    let still_in = inline(&html, "<p class=\"still-in\">", "</p>");
    assert_eq!(
        still_in,
        [format!(
            "the callee was still in orders's shop::orders::&lt;script&gt;ask_supplier (3.03s) \
             when the caller gave up <a class=\"to-bar\" href=\"#bar-{trace}-00000000000000b4\" \
             title=\"Show this span in the waterfall\">▴</a>"
        )]
    );
    assert!(!html.contains("<script>ask_supplier"));
    // Each bar's parent, in the page's data: orders' server span under the gateway's call, a
    // client span the cancellations name, under the gateway's function that made it.
    let data = inline(
        &html,
        &format!("<script type=\"application/json\" id=\"spans-{trace}\">"),
        "</script>",
    );
    let bars: Vec<serde_json::Value> = serde_json::from_str(&data[0]).unwrap();
    let bar = |span: &str| {
        bars.iter()
            .find(|bar| bar["id"] == span)
            .unwrap_or_else(|| panic!("no bar {span} in {bars:#?}"))
    };
    let parent = |span: &str| {
        bar(span)["p"]
            .as_str()
            .map(|p| p.rsplit('-').next().unwrap())
    };
    assert_eq!(parent("00000000000000b1"), Some("00000000000000c1"));
    assert_eq!(parent("00000000000000c1"), Some("00000000000000a3"));
    assert_eq!(bar("00000000000000c1")["k"], "client");
    assert_eq!(bar("00000000000000c1")["e"], true);
    for cancelled in ["00000000000000b2", "00000000000000b3", "00000000000000b4"] {
        assert_eq!(bar(cancelled)["x"], true);
        assert_eq!(
            bar(cancelled)["d"],
            "3.03s",
            "from its first poll to its drop"
        );
    }
    assert_eq!(
        bar("00000000000000b1")["x"],
        false,
        "a server span is not a future"
    );
}
