//! Where the data comes from: files, directories, globs and standard input holding JSON log
//! lines or OTLP JSON, and tracing backends over HTTP. Each input is read once, in order,
//! into a [`Sink`]; what could not be read is counted in [`ReadStats`], never fatal.

pub mod container;
pub mod http;
pub mod jaeger_v1;
pub mod lines;
pub mod logline;
pub mod otlp;
pub mod otlp_logs;

use crate::model::Span;
use anyhow::Context as _;
use lines::Line;
use logline::LogLine;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One input named on the command line, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// How messages name it.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }

    /// The service a file's name suggests, for lines that name none: `inventory.log` is
    /// `inventory`'s.
    fn service_hint(&self) -> Option<String> {
        let Input::File(path) = self else {
            return None;
        };
        let stem = path.file_name()?.to_str()?;
        let stem = stem.split('.').next().unwrap_or(stem);
        (!stem.is_empty()).then(|| stem.to_owned())
    }
}

/// Files, directories (every file below, sorted), globs (`logs/*.log`, for shells that did
/// not expand them) and `-`; standard input when there are none.
pub fn resolve(arguments: &[String]) -> anyhow::Result<Vec<Input>> {
    if arguments.is_empty() {
        return Ok(vec![Input::Stdin]);
    }
    let mut inputs = Vec::new();
    for argument in arguments {
        if argument == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(argument);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files, 0)?;
            files.sort();
            inputs.extend(files.into_iter().map(Input::File));
        } else if path.exists() {
            inputs.push(Input::File(path.to_owned()));
        } else if argument.contains(['*', '?', '[']) {
            let matches = glob::glob(argument)
                .with_context(|| format!("{argument:?} is not a valid glob"))?;
            let mut files: Vec<PathBuf> = matches
                .filter_map(Result::ok)
                .filter(|path| path.is_file())
                .collect();
            if files.is_empty() {
                return Err(anyhow::anyhow!("no file matches {argument:?}"));
            }
            files.sort();
            inputs.extend(files.into_iter().map(Input::File));
        } else {
            return Err(anyhow::anyhow!("{argument}: no such file or directory"));
        }
    }
    let stdin_count = inputs
        .iter()
        .filter(|input| **input == Input::Stdin)
        .count();
    if stdin_count > 1 {
        return Err(anyhow::anyhow!("standard input (-) can be read only once"));
    }
    Ok(inputs)
}

/// Directories nest; symbolic links to directories could make a cycle, so depth is bounded.
fn walk(directory: &Path, files: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
    const MAX_DEPTH: usize = 32;
    if depth > MAX_DEPTH {
        return Err(anyhow::anyhow!(
            "{}: directories nested deeper than {MAX_DEPTH}",
            directory.display()
        ));
    }
    let entries =
        std::fs::read_dir(directory).with_context(|| format!("{}", directory.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files, depth + 1)?;
        } else if path.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// What was read, and what was skipped and why.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReadStats {
    pub inputs: u64,
    pub lines: u64,
    /// Lines with no tracefault JSON object on them (another program's output).
    pub not_ours: u64,
    /// Lines whose JSON did not parse (cut, invalid UTF-8, too deeply nested, wrong types).
    pub malformed: u64,
    /// Lines longer than the limit, skipped unread.
    pub too_long: u64,
    pub otlp_documents: u64,
    pub spans: u64,
    /// Spans without a valid trace or span id (empty, zeros, junk), left out.
    pub dropped_spans: u64,
    /// Spans read more than once (overlapping exports, a file read twice), each kept once.
    pub duplicate_spans: u64,
    /// OTLP documents cut short at the end of a file (its writer still writing), not read.
    pub cut_documents: u64,
    /// Requests made to a tracing backend.
    pub requests: u64,
    /// What a backend said of an answer it knows is incomplete, and where the command's own
    /// bounds left something out.
    pub partial: Vec<String>,
    /// Inputs that could not be opened or read, with why.
    pub unreadable: Vec<String>,
}

impl ReadStats {
    /// Adds what another reading of other inputs counted.
    pub fn absorb(&mut self, other: ReadStats) {
        self.inputs += other.inputs;
        self.lines += other.lines;
        self.not_ours += other.not_ours;
        self.malformed += other.malformed;
        self.too_long += other.too_long;
        self.otlp_documents += other.otlp_documents;
        self.spans += other.spans;
        self.dropped_spans += other.dropped_spans;
        self.duplicate_spans += other.duplicate_spans;
        self.cut_documents += other.cut_documents;
        self.requests += other.requests;
        self.partial.extend(other.partial);
        self.unreadable.extend(other.unreadable);
    }

    /// Adds what one OTLP read gave.
    pub fn add_otlp(&mut self, read: otlp::OtlpRead) {
        self.otlp_documents += read.documents;
        self.dropped_spans += read.dropped_spans;
        self.cut_documents += read.cut;
        self.partial.extend(read.partial);
    }
}

/// A log line that passed the sink's prefilter and parsed.
#[derive(Clone, Copy, Debug)]
pub struct LineContext<'a> {
    pub input: &'a Input,
    pub number: u64,
    /// The service named by the line's prefix (kubectl's `--prefix`, docker compose's) or
    /// the file's name.
    pub service_hint: Option<&'a str>,
}

/// What the commands do with what is read.
pub trait Sink {
    /// Whether a line is worth parsing, from its raw bytes: the fast path. `json` starts at
    /// the line's JSON object.
    fn wants(&mut self, json: &[u8]) -> bool;
    /// A line that was wanted and parsed.
    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>);
    /// An OTLP span.
    fn span(&mut self, span: Span);
}

/// How inputs are read.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    pub max_line: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_line: lines::DEFAULT_MAX_LINE,
        }
    }
}

/// Reads every input into `sink`; an input that cannot be opened is recorded and skipped.
pub fn read_all(
    inputs: &[Input],
    options: ReadOptions,
    sink: &mut impl Sink,
    stats: &mut ReadStats,
) {
    read_all_with(inputs, options, sink, stats, None);
}

/// The same, with standard input read from `stdin_copy` when given: a copy of it made by a
/// command that reads its inputs more than once.
pub fn read_all_with(
    inputs: &[Input],
    options: ReadOptions,
    sink: &mut impl Sink,
    stats: &mut ReadStats,
    stdin_copy: Option<&Path>,
) {
    for input in inputs {
        stats.inputs += 1;
        let path = match input {
            Input::Stdin => stdin_copy,
            Input::File(path) => Some(path.as_path()),
        };
        let outcome = match path {
            None => read_one(io::stdin().lock(), input, options, sink, stats),
            Some(path) => match std::fs::File::open(path) {
                Ok(file) => read_one(file, input, options, sink, stats),
                Err(error) => Err(error.into()),
            },
        };
        if let Err(error) = outcome {
            let error = crate::command::with_causes(&error);
            stats.unreadable.push(format!("{}: {error}", input.name()));
        }
    }
}

/// One input: OTLP JSON if it starts like a trace document, log lines otherwise.
pub fn read_one(
    input: impl Read,
    name: &Input,
    options: ReadOptions,
    sink: &mut impl Sink,
    stats: &mut ReadStats,
) -> anyhow::Result<()> {
    read_one_at(input, name, 0, options, sink, stats)
}

/// The same for a part of an input that starts after `lines_before` lines of it (what a file
/// gained since it was last read), so that reports are located by their line in the file.
pub fn read_one_at(
    input: impl Read,
    name: &Input,
    lines_before: u64,
    options: ReadOptions,
    sink: &mut impl Sink,
    stats: &mut ReadStats,
) -> anyhow::Result<()> {
    let mut joiner = container::Joiner::default();
    read_one_joined(input, name, lines_before, options, sink, stats, &mut joiner)
}

/// The same, with the parts of a line a container runtime cut that an earlier part of the
/// input left in `joiner` (`serve` reads a growing file a part at a time, and a part may end
/// between a line's records).
pub fn read_one_joined(
    input: impl Read,
    name: &Input,
    lines_before: u64,
    options: ReadOptions,
    sink: &mut impl Sink,
    stats: &mut ReadStats,
    joiner: &mut container::Joiner,
) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(64 << 10, input);
    let head = reader.fill_buf()?;
    if looks_like_otlp(head) {
        let mut spans = 0;
        let read = otlp::read_spans(reader, otlp::Ending::MayBeCut, |span| {
            spans += 1;
            sink.span(span);
        });
        stats.spans += spans;
        stats.add_otlp(read?);
        return Ok(());
    }
    let service_hint = name.service_hint();
    if looks_like(head_of(&mut reader)?, b"\"resourceLogs\"") {
        // A collector's logs: each record's text is a line, numbered by its place.
        let mut number = lines_before;
        let read = otlp_logs::read_lines(reader, |line, service| {
            number += 1;
            stats.lines += 1;
            let context = LineContext {
                input: name,
                number,
                service_hint: service.or(service_hint.as_deref()),
            };
            read_line(line.as_bytes(), &context, sink, stats);
        })?;
        stats.otlp_documents += read.documents;
        stats.not_ours += read.not_text;
        stats.cut_documents += read.cut;
        return Ok(());
    }
    lines::for_each_line(reader, options.max_line, |number, line| {
        let number = lines_before + number;
        let line = match line {
            Line::Complete(line) => line,
            Line::TooLong(_) => {
                stats.lines += 1;
                stats.too_long += 1;
                return;
            }
        };
        // A container runtime's record holds the program's line, or a part of it.
        let line = match joiner.unwrap(line, options.max_line) {
            container::Unwrapped::Plain(line) => Cow::Borrowed(line),
            container::Unwrapped::Line(line) => line,
            container::Unwrapped::Part => return,
            container::Unwrapped::TooLong(_) => {
                stats.lines += 1;
                stats.too_long += 1;
                return;
            }
        };
        stats.lines += 1;
        let context = LineContext {
            input: name,
            number,
            service_hint: service_hint.as_deref(),
        };
        read_line(&line, &context, sink, stats);
    })
    .map_err(anyhow::Error::from)
}

/// One program's line: to the sink if it is one of ours it wants, counted if not.
fn read_line(line: &[u8], context: &LineContext<'_>, sink: &mut impl Sink, stats: &mut ReadStats) {
    let Some(start) = json_start(line) else {
        stats.not_ours += 1;
        return;
    };
    let json = &line[start..];
    if !sink.wants(json) {
        if !json.starts_with(OUR_START) {
            stats.not_ours += 1;
        }
        return;
    }
    match LogLine::parse(json) {
        Ok(parsed) if parsed.level.is_some() || parsed.timestamp.is_some() => {
            let prefix_service = prefix_service(&line[..start]);
            let context = LineContext {
                service_hint: prefix_service.or(context.service_hint),
                ..*context
            };
            sink.line(&parsed, &context);
        }
        Ok(_) => stats.not_ours += 1,
        Err(_) => stats.malformed += 1,
    }
}

/// Every line `tracefault::init()` writes starts with this: the timestamp is its first key.
const OUR_START: &[u8] = b"{\"timestamp\":\"";

/// Where the line's JSON object starts, after any prefix (`[pod/x/c] `, `svc-1  | `, a
/// syslog header): our own opening if it is there, else the first `{"`.
fn json_start(line: &[u8]) -> Option<usize> {
    if line.starts_with(OUR_START) {
        return Some(0);
    }
    memchr::memmem::find(line, OUR_START).or_else(|| memchr::memmem::find(line, b"{\""))
}

/// The service a line's prefix names: kubectl's `--prefix` (`[pod/shop-orders-5d8f/orders]`:
/// the container) or docker compose's (`orders-1  | `: the service).
fn prefix_service(prefix: &[u8]) -> Option<&str> {
    let prefix = std::str::from_utf8(prefix).ok()?.trim();
    if let Some(inside) = prefix
        .strip_prefix("[pod/")
        .and_then(|rest| rest.strip_suffix(']'))
    {
        return inside.rsplit('/').next().filter(|name| !name.is_empty());
    }
    let name = prefix.strip_suffix('|')?.trim_end();
    let name = match name.rsplit_once('-') {
        Some((service, replica)) if replica.bytes().all(|b| b.is_ascii_digit()) => service,
        _ => name,
    };
    (!name.is_empty() && !name.contains(char::is_whitespace)).then_some(name)
}

/// A trace document starts with one of the envelopes' keys. `data` is a common first key of
/// other programs' JSON lines too: it is Jaeger's (a trace saved from its UI or API) only when
/// its spans' `traceID` follows.
fn looks_like_otlp(head: &[u8]) -> bool {
    let jaeger_v1 =
        || looks_like(head, b"\"data\"") && memchr::memmem::find(head, b"\"traceID\"").is_some();
    [
        &b"\"resourceSpans\""[..],
        b"\"result\"",
        b"\"batches\"",
        b"\"trace\"",
    ]
    .iter()
    .any(|key| looks_like(head, key))
        || jaeger_v1()
}

/// Whether `head` is a JSON object whose first key is `key`.
fn looks_like(head: &[u8], key: &[u8]) -> bool {
    let text = head.trim_ascii_start();
    text.strip_prefix(b"{")
        .is_some_and(|rest| rest.trim_ascii_start().starts_with(key))
}

fn head_of(reader: &mut impl BufRead) -> io::Result<&[u8]> {
    reader.fill_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_services() {
        assert_eq!(
            prefix_service(b"[pod/shop-orders-5d8f9/orders] "),
            Some("orders")
        );
        assert_eq!(prefix_service(b"inventory-1  | "), Some("inventory"));
        assert_eq!(prefix_service(b"gateway | "), Some("gateway"));
        assert_eq!(prefix_service(b"Nov 28 04:51:38 host app: "), None);
        assert_eq!(prefix_service(b""), None);
    }

    #[test]
    fn json_starts_after_a_prefix() {
        assert_eq!(json_start(br#"{"timestamp":"x"}"#), Some(0));
        assert_eq!(
            json_start(br#"[pod/a/b] {"x":{"timestamp":1}} {"timestamp":"x"}"#),
            Some(32)
        );
        assert_eq!(json_start(br#"x | {"level":"INFO"}"#), Some(4));
        assert_eq!(json_start(b"plain text { not json"), None);
    }

    #[test]
    fn otlp_documents_are_told_from_log_lines() {
        assert!(looks_like_otlp(b"  {\n  \"resourceSpans\": []}"));
        assert!(looks_like_otlp(br#"{"result":{"resourceSpans":[]}}"#));
        assert!(!looks_like_otlp(br#"{"timestamp":"2026-11-28T04:51:38Z"}"#));
        assert!(!looks_like_otlp(b"[pod/a/b] {\"resourceSpans\":[]}"));
        // Jaeger's own JSON model, as its UI saves a trace; another program's `data` is not.
        assert!(looks_like_otlp(
            br#"{"data":[{"traceID":"0000000000000001","spans":[]}]}"#
        ));
        assert!(!looks_like_otlp(br#"{"data":{"user":"x"},"level":"info"}"#));
    }

    #[test]
    fn a_missing_file_and_a_glob_without_matches_are_errors() {
        assert!(resolve(&["/nonexistent/file.log".to_owned()]).is_err());
        assert!(resolve(&["/nonexistent/*.log".to_owned()]).is_err());
        assert!(resolve(&["-".to_owned(), "-".to_owned()]).is_err());
        assert_eq!(resolve(&[]).unwrap(), vec![Input::Stdin]);
    }
}
