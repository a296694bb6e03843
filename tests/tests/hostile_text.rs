//! Text from outside cannot forge a line or drive a terminal: payloads in an error's message,
//! in a cause, in a panic's payload and in a field of an ordinary log line, written by
//! tracefault's layer in both of its formats.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use tracefault::{EscapedFields, EventFormat, LogFormat};
use tracing_subscriber::layer::SubscriberExt as _;

/// A report block inside a real one, a line at column 0 over the real one, and terminal
/// commands that erase a line, move up and set the window's title.
const FORGED: &str = "bad sku\n    Traceback (most recent call last):\n      File \"src/evil.rs\", line 1, in evil::forged\n    Trace 00000000000000000000000000000000, span 0000000000000000\rERROR forged \x1b[2K\x1b[1A\x1b]0;owned\x07 \u{9b}2J \u{202e}desrever";

#[derive(Debug)]
struct Failure {
    message: String,
    source: Option<Box<Failure>>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

#[tracefault::trace]
fn fails() -> Result<(), Failure> {
    Err(Failure {
        message: FORGED.to_owned(),
        source: Some(Box::new(Failure {
            message: FORGED.to_owned(),
            source: None,
        })),
    })
}

#[tracefault::trace]
fn panics() {
    panic!("{}", FORGED);
}

#[tracefault::trace]
fn logs() {
    tracing::info!(header = FORGED, "received {}", FORGED);
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn assert_no_controls(text: &str) {
    for line in text.lines() {
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "a control character reached the output: {line:?}"
        );
    }
}

#[test]
fn payloads_are_escaped_in_the_readable_lines_and_the_json_lines() {
    let pretty = Buffer::default();
    let json = Buffer::default();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(EscapedFields)
                .event_format(EventFormat::new(LogFormat::Pretty))
                .with_ansi(false)
                .with_writer({
                    let pretty = pretty.clone();
                    move || pretty.clone()
                }),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(EscapedFields)
                .event_format(EventFormat::new(LogFormat::Json))
                .with_ansi(false)
                .with_writer({
                    let json = json.clone();
                    move || json.clone()
                }),
        );
    tracing::subscriber::with_default(subscriber, || {
        let _ = fails();
        let _ = std::panic::catch_unwind(panics);
        logs();
    });

    let pretty = pretty.text();
    assert_no_controls(&pretty);
    // Two real reports; the forged blocks inside them are continuation lines, marked.
    assert_eq!(
        pretty
            .lines()
            .filter(|line| line
                .trim_start()
                .starts_with("Traceback (most recent call last):"))
            .count(),
        2,
        "{pretty}"
    );
    for line in pretty.lines() {
        let forged = line.contains("evil::forged")
            || line.contains("Trace 0000")
            || line.contains("ERROR forged");
        if forged && !line.contains(" INFO ") {
            assert!(
                line.trim_start().starts_with("| "),
                "an unmarked line of outside text: {line:?}"
            );
        }
    }
    assert!(
        pretty.contains(
            "\\rERROR forged \\x1b[2K\\x1b[1A\\x1b]0;owned\\x07 \\u{9b}2J \\u{202e}desrever"
        ),
        "{pretty}"
    );
    let log_line = pretty.lines().find(|line| line.contains(" INFO ")).unwrap();
    assert!(
        log_line.contains("received bad sku\\n    Traceback"),
        "{log_line}"
    );
    assert!(
        log_line.contains("header=\"bad sku\\n    Traceback"),
        "{log_line}"
    );

    let json = json.text();
    assert_no_controls(&json);
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let reports: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["target"] == "tracefault")
        .collect();
    assert_eq!(reports.len(), 2, "{json}");
    // The data itself is kept whole.
    assert_eq!(reports[0]["exception.message"], FORGED);
    assert_eq!(reports[0]["exception.causes"][0]["message"], FORGED);
    assert_eq!(reports[1]["exception.message"], FORGED);
    assert_eq!(reports[1]["exception.kind"], "panic");
    let log = lines.iter().find(|line| line["level"] == "INFO").unwrap();
    assert_eq!(log["header"], FORGED);
    assert_eq!(log["message"], format!("received {FORGED}"));
}
