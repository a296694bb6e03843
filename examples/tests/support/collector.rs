//! Reads what a real OTLP collector received: the detailed trace debug log of rotel, started by
//! `scripts/collector start <dir>` (`--exporter blackhole --debug-log traces
//! --debug-log-verbosity detailed`, output in `<dir>/rotel.log`).
//!
//! rotel prints one block per OTLP request, in the format of the OpenTelemetry Collector's
//! debug exporter:
//!
//! ```text
//! ResourceSpans #0
//! Resource SchemaURL:
//! Resource attributes:
//!      -> service.name: Str(tracefault-sample)
//! ScopeSpans #0
//! ScopeSpans SchemaURL:
//! InstrumentationScope tracefault-sample-scope
//! Span #0
//!     Trace ID       : 4bf92f3577b34da6a3ce929d0e0e4736
//!     Parent ID      : 4cb8d097321b0587
//!     ID             : 19d40af830500032
//!     Name           : charge_card
//!     Kind           : SPAN_KIND_INTERNAL
//! Start time: 1795841021814283598
//! End time: 1795841021814286099
//!     Status code    : STATUS_CODE_ERROR
//!     Status message : card declined
//! Attributes:
//!      -> code.line.number: Int(87)
//! Events:
//! SpanEvent #0
//!      -> Name: exception
//!      -> Timestamp: 1795841021814284261
//!      -> DroppedAttributesCount: 0
//!      -> Attributes::
//!           -> exception.stacktrace: Str(   0: shop::payment::charge_card
//!              at examples/shop/payment.rs:87:9)
//! ```
//!
//! Values are printed raw inside a type wrapper (`Str(..)`, `Int(..)`, `Double(..)`,
//! `Bool(..)`, `Bytes([..])`, `Slice(..)`, `Map(..)`), newlines included, so a value can span
//! several lines; the parser strips the wrapper and keeps its type apart. `Slice` and `Map`
//! keep their inner text as printed (`Str(a), Int(1)`, `k:Str(v)`). Empty sections
//! (`Attributes:`, `Events:`, `Links:`) are not printed, and neither are the status lines when
//! the span carries no status at all (which the parser reports as `unset`). rotel's own log
//! lines (`2026-..Z  INFO ..`) and the harness's (`scripts/collector: ..`) are skipped.
//!
//! rotel answers the HTTP request first and writes the block right after (one `write`, well
//! under a millisecond later): after the exporter's flush returns, poll the log (see
//! [`wait_for_spans`]) rather than reading it once.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::time::{Duration, Instant};

/// One span as the collector received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportedSpan {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// `None` for a root span (rotel prints an empty parent; all zeros counts as none too).
    pub parent_span_id: Option<String>,
    pub name: String,
    /// `server`, `client`, `internal`, `producer`, `consumer` or `unspecified`.
    pub kind: String,
    /// `error`, `ok` or `unset`.
    pub status_code: String,
    pub status_message: String,
    /// `service.name` of the span's resource.
    pub service_name: Option<String>,
    /// The span's attributes in order, values without their type wrapper.
    pub attributes: Vec<(String, String)>,
    /// The type of each attribute, in the same order: `Str`, `Int`, `Double`, `Bool`, ...
    pub attribute_types: Vec<(String, String)>,
    pub events: Vec<ExportedEvent>,
    pub links: Vec<ExportedLink>,
    /// All attributes of the span's resource (`service.name`, `telemetry.sdk.*`, ...).
    pub resource_attributes: Vec<(String, String)>,
    /// Name of the instrumentation scope (the tracer's name).
    pub scope_name: String,
    pub trace_state: String,
    pub start_time_unix_nano: u64,
    pub end_time_unix_nano: u64,
}

/// One event of a span.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportedEvent {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub attribute_types: Vec<(String, String)>,
    pub time_unix_nano: u64,
}

/// One link of a span.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportedLink {
    pub trace_id: String,
    pub span_id: String,
    pub trace_state: String,
    pub attributes: Vec<(String, String)>,
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl ExportedSpan {
    /// The value of the first attribute named `key`, without its type wrapper.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        lookup(&self.attributes, key)
    }

    /// The type rotel printed for attribute `key`: `Str`, `Int`, `Double`, `Bool`, ...
    pub fn attribute_type(&self, key: &str) -> Option<&str> {
        lookup(&self.attribute_types, key)
    }

    /// The first event named `name`.
    pub fn event(&self, name: &str) -> Option<&ExportedEvent> {
        self.events.iter().find(|e| e.name == name)
    }

    pub fn resource_attribute(&self, key: &str) -> Option<&str> {
        lookup(&self.resource_attributes, key)
    }

    pub fn is_root(&self) -> bool {
        self.parent_span_id.is_none()
    }
}

impl ExportedEvent {
    /// The value of the first attribute named `key`, without its type wrapper.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        lookup(&self.attributes, key)
    }

    pub fn attribute_type(&self, key: &str) -> Option<&str> {
        lookup(&self.attribute_types, key)
    }
}

impl ExportedLink {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        lookup(&self.attributes, key)
    }
}

/// Where `-> key: value` lines currently go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Resource,
    Scope,
    SpanAttributes,
    Events,
    EventAttributes,
    Links,
    LinkAttributes,
}

const SPAN_FIELDS: &[&str] = &[
    "Trace ID",
    "Parent ID",
    "ID",
    "Name",
    "Kind",
    "TraceState",
    "Status code",
    "Status message",
];

/// `#` followed by digits only, e.g. the rest of `Span #12`.
fn is_counter(rest: &str) -> bool {
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
}

/// rotel's own log lines (text, with or without colour, or JSON) and the harness's notes.
fn is_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    let timestamp = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'T';
    timestamp
        || line.starts_with("\u{1b}[")
        || line.starts_with("{\"v\":")
        || line.starts_with("scripts/collector: ")
}

/// `    Label      : value` for one of the span's own fields, as (label, value).
fn span_field(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("    ")?;
    if rest.starts_with(' ') {
        return None;
    }
    let (label, value) = rest.split_once(':')?;
    let label = label.trim_end();
    if !SPAN_FIELDS.contains(&label) {
        return None;
    }
    Some((label, value.strip_prefix(' ').unwrap_or(value)))
}

/// `     -> rest` (depth 1) or `          -> rest` (depth 2).
fn arrow(line: &str) -> Option<(usize, &str)> {
    if let Some(rest) = line.strip_prefix("          -> ") {
        Some((2, rest))
    } else {
        line.strip_prefix("     -> ").map(|rest| (1, rest))
    }
}

/// Whether line `i` starts a new element of rotel's layout (so it ends a multi-line value).
fn is_boundary(lines: &[&str], i: usize) -> bool {
    let line = lines[i];
    if is_log_line(line) || span_field(line).is_some() || arrow(line).is_some() {
        return true;
    }
    if let Some(rest) = line.strip_prefix("Span #") {
        // A value may contain "Span #3"; a real span header is followed by its trace id.
        return is_counter(rest)
            && lines
                .get(i + 1)
                .is_some_and(|next| next.starts_with("    Trace ID"));
    }
    for counted in [
        "ResourceSpans #",
        "ScopeSpans #",
        "SpanEvent #",
        "SpanLink #",
    ] {
        if let Some(rest) = line.strip_prefix(counted) {
            return is_counter(rest);
        }
    }
    matches!(line, "Attributes:" | "Events:" | "Links:")
        || [
            "Resource SchemaURL:",
            "Resource attributes:",
            "ScopeSpans SchemaURL:",
            "InstrumentationScope ",
            "Start time: ",
            "End time: ",
        ]
        .iter()
        .any(|p| line.starts_with(p))
}

/// The value that starts with `first` on line `i`, continued over the following lines up to
/// the next boundary. A `wrapped` value (`Str(..)`) also needs its closing parenthesis there,
/// so a line inside the value that merely looks like a boundary does not cut it short. Returns
/// the text and the index of the first line after it.
fn gather(lines: &[&str], i: usize, first: &str, wrapped: bool) -> (String, usize) {
    let mut value = first.to_string();
    let mut j = i + 1;
    while j < lines.len() {
        if is_boundary(lines, j) && (!wrapped || value.ends_with(')')) {
            return (value, j);
        }
        value.push('\n');
        value.push_str(lines[j]);
        j += 1;
    }
    if wrapped && !value.ends_with(')') {
        // Unterminated (a block still being written?): stop at the first boundary after all.
        return gather(lines, i, first, false);
    }
    (value, j)
}

/// Splits `key: Type(value)` into (key, type, value); a value without a known wrapper is kept
/// whole, with an empty type.
fn split_attribute(text: &str) -> (String, String, String) {
    const TYPES: &[&str] = &[
        "Str", "Int", "Double", "Bool", "Bytes", "Slice", "Map", "Empty",
    ];
    let mut search = 0;
    while let Some(pos) = text[search..].find(": ") {
        let at = search + pos;
        let rest = &text[at + 2..];
        for ty in TYPES {
            if let Some(inner) = rest.strip_prefix(ty).and_then(|r| r.strip_prefix('(')) {
                let inner = inner.strip_suffix(')').unwrap_or(inner);
                return (text[..at].to_string(), ty.to_string(), inner.to_string());
            }
        }
        search = at + 2;
    }
    match text.split_once(": ") {
        Some((k, v)) => (k.to_string(), String::new(), v.to_string()),
        None => (
            text.trim_end_matches(':').to_string(),
            String::new(),
            String::new(),
        ),
    }
}

fn lowercase_after(value: &str, prefix: &str) -> String {
    let value = value.trim();
    value
        .strip_prefix(prefix)
        .unwrap_or(value)
        .to_ascii_lowercase()
}

/// Parses rotel's detailed trace debug log (the whole `rotel.log`, any number of requests and
/// resources, with rotel's own log lines in between) into the spans it printed, in order.
pub fn parse_rotel_log(text: &str) -> Vec<ExportedSpan> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }

    let mut spans = Vec::new();
    let mut span: Option<ExportedSpan> = None;
    let mut resource: Vec<(String, String)> = Vec::new();
    let mut scope_name = String::new();
    let mut section = Section::None;

    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let mut next = i + 1;

        if is_log_line(line) {
            section = Section::None;
        } else if line.starts_with("ResourceSpans #") && is_boundary(&lines, i) {
            spans.extend(span.take());
            resource.clear();
            scope_name.clear();
            section = Section::None;
        } else if line.starts_with("ScopeSpans #") && is_boundary(&lines, i) {
            spans.extend(span.take());
            scope_name.clear();
            section = Section::None;
        } else if line == "Resource attributes:" {
            section = Section::Resource;
        } else if line == "InstrumentationScope attributes:" {
            section = Section::Scope;
        } else if let Some(rest) = line.strip_prefix("InstrumentationScope ") {
            // "InstrumentationScope <name> <version>"
            scope_name = rest
                .rsplit_once(' ')
                .map_or(rest, |(name, _)| name)
                .to_string();
            section = Section::None;
        } else if line.starts_with("Span #") && is_boundary(&lines, i) {
            spans.extend(span.take());
            span = Some(ExportedSpan {
                status_code: "unset".to_string(),
                service_name: lookup(&resource, "service.name").map(str::to_string),
                resource_attributes: resource.clone(),
                scope_name: scope_name.clone(),
                ..ExportedSpan::default()
            });
            section = Section::None;
        } else if let (Some((label, value)), Some(s)) = (span_field(line), span.as_mut()) {
            match label {
                "Trace ID" => s.trace_id = value.trim().to_string(),
                "ID" => s.span_id = value.trim().to_string(),
                "Parent ID" => {
                    let parent = value.trim();
                    s.parent_span_id = (!parent.is_empty() && parent.bytes().any(|b| b != b'0'))
                        .then(|| parent.to_string());
                }
                "Kind" => s.kind = lowercase_after(value, "SPAN_KIND_"),
                "Status code" => s.status_code = lowercase_after(value, "STATUS_CODE_"),
                "TraceState" => s.trace_state = value.trim().to_string(),
                "Name" | "Status message" => {
                    let (text, after) = gather(&lines, i, value, false);
                    next = after;
                    if label == "Name" {
                        s.name = text;
                    } else {
                        s.status_message = text;
                    }
                }
                _ => {}
            }
        } else if let (Some(rest), Some(s)) = (line.strip_prefix("Start time: "), span.as_mut()) {
            s.start_time_unix_nano = rest.trim().parse().unwrap_or(0);
        } else if let (Some(rest), Some(s)) = (line.strip_prefix("End time: "), span.as_mut()) {
            s.end_time_unix_nano = rest.trim().parse().unwrap_or(0);
        } else if line == "Attributes:" {
            section = Section::SpanAttributes;
        } else if line == "Events:" {
            section = Section::Events;
        } else if line == "Links:" {
            section = Section::Links;
        } else if line.starts_with("SpanEvent #") && is_boundary(&lines, i) {
            if let Some(s) = span.as_mut() {
                s.events.push(ExportedEvent::default());
            }
            section = Section::Events;
        } else if line.starts_with("SpanLink #") && is_boundary(&lines, i) {
            if let Some(s) = span.as_mut() {
                s.links.push(ExportedLink::default());
            }
            section = Section::Links;
        } else if let Some((depth, rest)) = arrow(line) {
            let attribute = |next: &mut usize| {
                let (text, after) = gather(&lines, i, rest, true);
                *next = after;
                split_attribute(&text)
            };
            match (section, depth) {
                (Section::Resource, 1) => {
                    let (k, _, v) = attribute(&mut next);
                    resource.push((k, v));
                }
                (Section::Scope, 1) => {
                    attribute(&mut next);
                }
                (Section::SpanAttributes, 1) => {
                    let (k, ty, v) = attribute(&mut next);
                    if let Some(s) = span.as_mut() {
                        s.attribute_types.push((k.clone(), ty));
                        s.attributes.push((k, v));
                    }
                }
                (Section::Events, 1) => {
                    let event = span.as_mut().and_then(|s| s.events.last_mut());
                    if let (Some(e), Some(field)) = (event, rest.split_once(": ")) {
                        match field {
                            ("Name", name) => {
                                let (text, after) = gather(&lines, i, name, false);
                                next = after;
                                e.name = text;
                            }
                            ("Timestamp", t) => e.time_unix_nano = t.trim().parse().unwrap_or(0),
                            _ => {}
                        }
                    }
                    if rest.starts_with("Attributes:") {
                        section = Section::EventAttributes;
                    }
                }
                (Section::EventAttributes, 2) => {
                    let (k, ty, v) = attribute(&mut next);
                    if let Some(e) = span.as_mut().and_then(|s| s.events.last_mut()) {
                        e.attribute_types.push((k.clone(), ty));
                        e.attributes.push((k, v));
                    }
                }
                (Section::Links, 1) => {
                    let link = span.as_mut().and_then(|s| s.links.last_mut());
                    if let (Some(l), Some(field)) = (link, rest.split_once(':')) {
                        let value = field.1.trim().to_string();
                        match field.0 {
                            "Trace ID" => l.trace_id = value,
                            "ID" => l.span_id = value,
                            "TraceState" => l.trace_state = value,
                            _ => {}
                        }
                    }
                    if rest.starts_with("Attributes:") {
                        section = Section::LinkAttributes;
                    }
                }
                (Section::LinkAttributes, 2) => {
                    let (k, _, v) = attribute(&mut next);
                    if let Some(l) = span.as_mut().and_then(|s| s.links.last_mut()) {
                        l.attributes.push((k, v));
                    }
                }
                _ => {}
            }
        }
        i = next;
    }
    spans.extend(span);
    spans
}

/// Reads and parses the log at `path` until `done` accepts the spans, for at most `timeout`;
/// panics with the log's text when it never does. An absent file counts as empty.
pub fn wait_for_spans(
    path: &Path,
    timeout: Duration,
    mut done: impl FnMut(&[ExportedSpan]) -> bool,
) -> Vec<ExportedSpan> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let spans = parse_rotel_log(&text);
        if done(&spans) {
            return spans;
        }
        if start.elapsed() > timeout {
            panic!(
                "the collector's log {} did not hold the expected spans within {timeout:?}; \
                 parsed {} spans: {spans:#?}\n--- log ---\n{text}",
                path.display(),
                spans.len(),
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../tests/fixtures/rotel-sample.log");

    fn spans() -> Vec<ExportedSpan> {
        parse_rotel_log(SAMPLE)
    }

    fn named<'a>(spans: &'a [ExportedSpan], name: &str) -> &'a ExportedSpan {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no span named {name:?} in {spans:#?}"))
    }

    #[test]
    fn finds_every_span_of_every_request_and_resource() {
        let spans = spans();
        let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "child-internal",
                "root-op",
                "call inventory",
                "charge_card",
                "GET /orders/{id}",
                "producer-op",
                "child span: with colon",
                "noresource",
                "types",
                "prod",
                "cons",
            ]
        );
        // Every span header is followed by its trace id; one stacktrace holds a "Span #9" line.
        assert_eq!(
            spans.len(),
            SAMPLE.matches("\n    Trace ID       : ").count()
        );
        assert_eq!(SAMPLE.matches("\nSpan #").count(), spans.len() + 1);
    }

    #[test]
    fn root_and_local_child() {
        let spans = spans();
        let root = named(&spans, "root-op");
        let child = named(&spans, "child-internal");
        assert_eq!(root.trace_id, "6fed3c3ffa5c6bc40cd4c01357589d38");
        assert_eq!(root.span_id, "c33923442c720627");
        assert_eq!(root.parent_span_id, None);
        assert!(root.is_root());
        assert_eq!(root.kind, "internal");
        assert_eq!(root.status_code, "unset");
        assert_eq!(root.status_message, "");
        assert_eq!(root.service_name.as_deref(), Some("tracefault-sample"));
        assert_eq!(root.scope_name, "tracefault-sample-scope");
        assert_eq!(
            root.resource_attribute("telemetry.sdk.language"),
            Some("rust")
        );
        assert_eq!(root.attributes, [("sample.kind".into(), "root".into())]);
        assert_eq!(root.start_time_unix_nano, 1795841021812187155);
        assert_eq!(root.end_time_unix_nano, 1795841021812205982);
        assert!(root.events.is_empty());

        assert_eq!(child.trace_id, root.trace_id);
        assert_eq!(child.parent_span_id.as_deref(), Some("c33923442c720627"));
        assert_eq!(child.attribute("answer"), Some("42"));
        assert_eq!(child.attribute_type("answer"), Some("Int"));
        assert_eq!(child.attribute("ratio"), Some("0.5"));
        assert_eq!(child.attribute_type("ratio"), Some("Double"));
        assert_eq!(child.attribute("flag"), Some("true"));
        assert_eq!(child.attribute_type("flag"), Some("Bool"));
        assert_eq!(child.attribute("missing"), None);
    }

    #[test]
    fn server_span_with_remote_parent_and_client_child() {
        let spans = spans();
        let server = named(&spans, "GET /orders/{id}");
        assert_eq!(server.kind, "server");
        assert_eq!(server.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(server.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
        assert_eq!(server.span_id, "4cb8d097321b0587");
        assert_eq!(server.attribute("http.route"), Some("/orders/{id}"));
        assert_eq!(server.status_code, "unset");

        let client = named(&spans, "call inventory");
        assert_eq!(client.kind, "client");
        assert_eq!(client.parent_span_id.as_deref(), Some("4cb8d097321b0587"));
        assert_eq!(client.status_code, "ok");
        assert!(client.attributes.is_empty());
    }

    #[test]
    fn error_span_with_exception_event_and_multi_line_stacktrace() {
        let spans = spans();
        let failing = named(&spans, "charge_card");
        assert_eq!(failing.status_code, "error");
        assert_eq!(failing.status_message, "card declined");
        assert_eq!(
            failing.attribute("code.function.name"),
            Some("shop::payment::charge_card")
        );
        assert_eq!(
            failing.attribute("code.file.path"),
            Some("examples/shop/payment.rs")
        );
        assert_eq!(failing.attribute("code.line.number"), Some("87"));
        assert_eq!(failing.attribute_type("code.line.number"), Some("Int"));
        assert_eq!(failing.attribute_type("code.file.path"), Some("Str"));

        assert_eq!(failing.events.len(), 2);
        let exception = failing.event("exception").expect("an exception event");
        assert_eq!(exception.time_unix_nano, 1795841021814284261);
        assert_eq!(
            exception.attribute("exception.type"),
            Some("shop::payment::PaymentError")
        );
        assert_eq!(
            exception.attribute("exception.message"),
            Some("card declined: insufficient funds (code 51)")
        );
        assert_eq!(
            exception.attribute("exception.stacktrace"),
            Some(
                "   0: shop::payment::charge_card\n             at examples/shop/payment.rs:87:9\n   1: shop::checkout::run\n             at examples/shop/checkout.rs:42:5\n   2: main"
            )
        );
        let retry = &failing.events[1];
        assert_eq!(retry.name, "retry");
        assert_eq!(retry.attributes, [("attempt".into(), "2".into())]);
    }

    #[test]
    fn resources_do_not_leak_into_each_other() {
        let spans = spans();
        assert_eq!(
            named(&spans, "producer-op").service_name.as_deref(),
            Some("tracefault-other")
        );
        assert_eq!(named(&spans, "producer-op").kind, "producer");
        assert_eq!(
            named(&spans, "child span: with colon")
                .service_name
                .as_deref(),
            Some("svc2")
        );
        let bare = named(&spans, "noresource");
        assert_eq!(bare.service_name, None);
        assert!(bare.resource_attributes.is_empty());
        assert_eq!(bare.scope_name, "");
        assert_eq!(bare.kind, "unspecified");
        // No status at all: rotel prints no status lines.
        assert_eq!(bare.status_code, "unset");
        assert_eq!(named(&spans, "types").service_name.as_deref(), Some("svc3"));
    }

    #[test]
    fn values_that_look_like_the_layout_stay_whole() {
        let spans = spans();
        let span = named(&spans, "child span: with colon");
        assert_eq!(span.kind, "client");
        assert_eq!(span.status_code, "ok");
        assert_eq!(span.trace_state, "a=b");
        assert_eq!(span.scope_name, "s2");
        // Scope attributes are not span attributes.
        assert_eq!(span.attribute("sa"), None);
        assert_eq!(span.attribute("arr"), Some("Str(a), Int(1)"));
        assert_eq!(span.attribute_type("arr"), Some("Slice"));
        assert_eq!(span.attribute("kv"), Some("in:Str(z)"));
        assert_eq!(span.attribute("empty"), Some(""));
        assert_eq!(span.attribute("paren"), Some("a(b)c)"));
        let exception = span.event("exception").unwrap();
        assert_eq!(
            exception.attribute("exception.stacktrace"),
            Some("at a\n  -> b: Str(x)\nSpan #9\n")
        );
        assert_eq!(span.events[1].name, "ev2");
        assert!(span.events[1].attributes.is_empty());
        assert_eq!(span.links.len(), 1);
        assert_eq!(span.links[0].trace_id, "5b8efff798038103d269b633813fc60d");
        assert_eq!(span.links[0].span_id, "eee19b7ec3c1b176");
        assert_eq!(span.links[0].attribute("l"), Some("lv"));

        let types = named(&spans, "types");
        assert_eq!(types.kind, "internal");
        assert_eq!(types.status_code, "unset");
        assert_eq!(types.status_message, "ignored");
        assert_eq!(types.attribute("b"), Some("[1, 2, 3]"));
        assert_eq!(types.attribute_type("b"), Some("Bytes"));
        assert_eq!(types.attribute("neg"), Some("-3"));
        assert_eq!(types.attribute("f"), Some("false"));
        assert_eq!(types.attribute("crlf"), Some("a\r\nb"));
        assert_eq!(types.attribute("trail"), Some("x\n"));
        assert_eq!(named(&spans, "cons").kind, "consumer");
    }

    #[test]
    fn multi_line_names_and_status_messages() {
        let log = "ResourceSpans #0\nResource attributes:\n     -> service.name: Str(s)\n\
                   ScopeSpans #0\nInstrumentationScope t \nSpan #0\n    Trace ID       : 01\n\
                   \x20   Parent ID      : 0000000000000000\n    ID             : 02\n\
                   \x20   Name           : two\nlines\n    Kind           : SPAN_KIND_SERVER\n\
                   Start time: 1\nEnd time: 2\n    Status code    : STATUS_CODE_ERROR\n\
                   \x20   Status message : first\nsecond\n\
                   2026-01-01T00:00:00.000000Z  INFO Shutdown signal received.\n";
        let spans = parse_rotel_log(log);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].name, "two\nlines");
        assert_eq!(spans[0].parent_span_id, None);
        assert_eq!(spans[0].status_message, "first\nsecond");
        assert_eq!(spans[0].status_code, "error");
        assert_eq!(spans[0].kind, "server");
    }

    #[test]
    fn a_log_cut_inside_a_value_keeps_what_is_there() {
        let cut = SAMPLE
            .find("   2: main)")
            .expect("the sample has the stacktrace");
        let spans = parse_rotel_log(&SAMPLE[..cut]);
        let failing = named(&spans, "charge_card");
        let stack = failing.events[0].attribute("exception.stacktrace").unwrap();
        assert!(stack.ends_with("checkout.rs:42:5"), "{stack:?}");
    }

    #[test]
    fn an_empty_log_has_no_spans() {
        assert!(parse_rotel_log("").is_empty());
        assert!(parse_rotel_log(
            "2026-11-28T04:43:41.677868Z  INFO Starting Rotel. grpc_endpoint=\"127.0.0.1:1\"\n"
        )
        .is_empty());
    }
}
