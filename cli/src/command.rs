//! Each command: its sources read into its sink, the analysis finished, the result rendered.

use crate::analysis::groups::ErrorGroups;
use crate::analysis::otlp_reports::reports_from_spans;
use crate::analysis::story::{tell, TraceEvidence};
use crate::analysis::traces::FailingTraces;
use crate::analysis::waterfall::{SpanTree, TreeNode};
use crate::analysis::Filter;
use crate::args::{Cli, Color, Command, ErrorsArgs, Filters, Input, Output, ShowArgs, TracesArgs};
use crate::ids::TraceId;
use crate::model::{Report, Span, SpanKind, SpanSighting};
use crate::render::{self, terminal};
use crate::source::logline::{Detail, LogLine};
use crate::source::{self, LineContext, ReadOptions, ReadStats, Sink};
use crate::time::{parse_instant, Timestamp};
use clap::Parser as _;
use memchr::memmem::Finder;
use serde::Serialize;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

/// The command line's entry point: parses `args`, runs the command, prints its answer.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(answer) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = stdout.write_all(answer.text.as_bytes());
            let _ = stdout.flush();
            if let Some(stats) = answer.stats_line {
                eprintln!("{stats}");
            }
            ExitCode::from(answer.code)
        }
        Err(message) => {
            eprintln!("tracefault: {message}");
            ExitCode::from(2)
        }
    }
}

/// What a command prints.
struct Answer {
    text: String,
    /// What was read and skipped, for standard error.
    stats_line: Option<String>,
    code: u8,
}

fn run(cli: Cli) -> Result<Answer, String> {
    match cli.command {
        Command::Errors(args) => errors(args),
        Command::Traces(args) => traces(args),
        Command::Show(args) => show(args),
    }
}

fn filter(filters: &Filters) -> Result<Filter, String> {
    let now = Timestamp::now();
    let instant = |text: &Option<String>| text.as_deref().map(|text| parse_instant(text, now));
    Ok(Filter {
        service: filters.service.clone(),
        since: instant(&filters.since).transpose()?,
        until: instant(&filters.until).transpose()?,
        type_name: filters.type_name.clone(),
    })
}

fn style(output: &Output) -> terminal::Style {
    let color = match output.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    terminal::Style { color }
}

fn read(input: &Input, sink: &mut impl Sink) -> Result<ReadStats, String> {
    let inputs = source::resolve(&input.sources)?;
    let options = ReadOptions {
        max_line: input.max_line_bytes,
    };
    let mut stats = ReadStats::default();
    source::read_all(&inputs, options, sink, &mut stats);
    if !stats.unreadable.is_empty() && stats.unreadable.len() as u64 == stats.inputs {
        return Err(stats.unreadable.join("; "));
    }
    Ok(stats)
}

/// One line for standard error: what was read, what was skipped and why.
fn stats_line(stats: &ReadStats, duplicates: u64) -> String {
    let mut parts = vec![format!(
        "read {} inputs: {} lines",
        stats.inputs, stats.lines
    )];
    if stats.spans > 0 || stats.otlp_documents > 0 {
        parts.push(format!(
            "{} spans in {} OTLP documents",
            stats.spans, stats.otlp_documents
        ));
    }
    let mut skipped = Vec::new();
    for (count, what) in [
        (stats.not_ours, "not ours"),
        (stats.malformed, "malformed"),
        (stats.too_long, "too long"),
        (duplicates, "duplicate reports"),
    ] {
        if count > 0 {
            skipped.push(format!("{count} {what}"));
        }
    }
    if !skipped.is_empty() {
        parts.push(format!("skipped {}", skipped.join(", ")));
    }
    for unreadable in &stats.unreadable {
        parts.push(format!("unreadable: {unreadable}"));
    }
    format!("tracefault: {}", parts.join("; "))
}

/// Where a report was read, for `--json` and messages.
fn location(context: &LineContext<'_>) -> String {
    format!("{}:{}", context.input.name(), context.number)
}

/// The reports of OTLP spans gathered by trace: the sources without report lines.
fn reports_of_span_traces(spans: HashMap<TraceId, Vec<Span>>) -> Vec<Report> {
    let mut reports = Vec::new();
    for (_, spans) in spans {
        let nodes: Vec<TreeNode> = spans
            .iter()
            .map(|span| TreeNode {
                span_id: span.span_id,
                parent: span.parent_span_id,
                service: span.service.clone(),
                is_server: span.kind == SpanKind::Server,
                start: span.start,
            })
            .collect();
        let tree = SpanTree::build(&nodes);
        reports.extend(reports_from_spans(&spans, &tree));
    }
    reports
}

// ---------------------------------------------------------------------------------------
// errors

struct ErrorsSink {
    groups: ErrorGroups,
    report_key: Finder<'static>,
    spans: HashMap<TraceId, Vec<Span>>,
}

impl Sink for ErrorsSink {
    fn wants(&mut self, json: &[u8]) -> bool {
        self.report_key.find(json).is_some()
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        if let Some(report) =
            line.to_report(Detail::Grouping, context.service_hint, || location(context))
        {
            self.groups.add(&report);
        }
    }

    fn span(&mut self, span: Span) {
        self.spans.entry(span.trace_id).or_default().push(span);
    }
}

/// Every report line has this key, and almost no other line does: the prefilter.
const REPORT_KEY: &[u8] = b"\"exception.type\"";

fn errors(args: ErrorsArgs) -> Result<Answer, String> {
    let mut sink = ErrorsSink {
        groups: ErrorGroups::new(filter(&args.filters)?),
        report_key: Finder::new(REPORT_KEY),
        spans: HashMap::new(),
    };
    let stats = read(&args.input, &mut sink)?;
    for report in reports_of_span_traces(std::mem::take(&mut sink.spans)) {
        sink.groups.add(&report);
    }
    let summary = sink.groups.finish();
    let stats_line = stats_line(&stats, summary.duplicates);
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(flatten)]
            summary: &'a crate::analysis::groups::ErrorSummary,
            input: &'a ReadStats,
        }
        render::json(&Document {
            summary: &summary,
            input: &stats,
        })
    } else {
        terminal::errors(&summary, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line),
        code: 0,
    })
}

// ---------------------------------------------------------------------------------------
// traces

struct TracesSink {
    traces: FailingTraces,
    report_key: Finder<'static>,
    trace_key: Finder<'static>,
    spans: HashMap<TraceId, Vec<Span>>,
}

impl Sink for TracesSink {
    fn wants(&mut self, json: &[u8]) -> bool {
        // Every line of a trace dates it; read from the raw bytes, without parsing.
        if let (Some(trace), Some(at)) = (
            raw_string_after(json, &self.trace_key).and_then(TraceId::from_hex_bytes),
            raw_timestamp(json),
        ) {
            self.traces.see(trace, at);
        }
        self.report_key.find(json).is_some()
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        if let Some(report) =
            line.to_report(Detail::Grouping, context.service_hint, || location(context))
        {
            self.traces.add(&report);
        }
    }

    fn span(&mut self, span: Span) {
        self.spans.entry(span.trace_id).or_default().push(span);
    }
}

/// The string value after `key` (which ends with its opening quote), up to its closing quote.
fn raw_string_after<'a>(json: &'a [u8], key: &Finder<'_>) -> Option<&'a [u8]> {
    let start = key.find(json)? + key.needle().len();
    let length = memchr::memchr(b'"', &json[start..])?;
    Some(&json[start..start + length])
}

/// Our lines start with their timestamp: `{"timestamp":"2026-11-28T04:51:38.632624Z"`.
fn raw_timestamp(json: &[u8]) -> Option<Timestamp> {
    let rest = json.strip_prefix(b"{\"timestamp\":\"")?;
    let length = memchr::memchr(b'"', &rest[..40.min(rest.len())])?;
    Timestamp::parse_rfc3339_bytes(&rest[..length])
}

fn traces(args: TracesArgs) -> Result<Answer, String> {
    let mut sink = TracesSink {
        traces: FailingTraces::new(filter(&args.filters)?),
        report_key: Finder::new(REPORT_KEY),
        trace_key: Finder::new(b"\"trace_id\":\""),
        spans: HashMap::new(),
    };
    let stats = read(&args.input, &mut sink)?;
    let span_traces = std::mem::take(&mut sink.spans);
    for spans in span_traces.values() {
        for span in spans {
            if let Some(start) = span.start {
                sink.traces.see(span.trace_id, start);
            }
            if let Some(end) = span.end {
                sink.traces.see(span.trace_id, end);
            }
        }
    }
    for report in reports_of_span_traces(span_traces) {
        sink.traces.add(&report);
    }
    let duplicates = sink.traces.duplicates;
    let views = sink.traces.finish();
    let total = views.len();
    let limit = match (args.limit, args.output.json) {
        (Some(0), _) | (None, true) => total,
        (Some(limit), _) => limit,
        (None, false) => 20,
    };
    let shown = &views[..total.min(limit)];
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            traces: &'a [crate::analysis::traces::TraceView],
            total: usize,
            input: &'a ReadStats,
        }
        render::json(&Document {
            traces: shown,
            total,
            input: &stats,
        })
    } else {
        terminal::traces(shown, total, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line(&stats, duplicates)),
        code: 0,
    })
}

// ---------------------------------------------------------------------------------------
// show

/// One trace's evidence is bounded too: a trace of millions of spans is shown in part.
const MAX_TRACE_SPANS: usize = 500_000;
const MAX_TRACE_SIGHTINGS: usize = 200_000;
const MAX_TRACE_REPORTS: usize = 10_000;

struct ShowSink {
    trace_id: TraceId,
    needle: Finder<'static>,
    evidence: TraceEvidence,
    dropped: u64,
}

impl Sink for ShowSink {
    fn wants(&mut self, json: &[u8]) -> bool {
        self.needle.find(json).is_some()
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        if line.trace_id() != Some(self.trace_id) {
            return;
        }
        if line.is_report() {
            if self.evidence.reports.len() >= MAX_TRACE_REPORTS {
                self.dropped += 1;
                return;
            }
            let report = line.to_report(Detail::Full, context.service_hint, || location(context));
            self.evidence.reports.extend(report);
            return;
        }
        let (Some(timestamp), Some(span_id)) = (line.timestamp(), line.span_id()) else {
            return;
        };
        if self.evidence.sightings.len() >= MAX_TRACE_SIGHTINGS {
            self.dropped += 1;
            return;
        }
        self.evidence.sightings.push(SpanSighting {
            timestamp,
            service: line
                .service
                .as_deref()
                .or(context.service_hint)
                .map(str::to_owned),
            span_id,
            span_name: line
                .spans
                .as_ref()
                .and_then(|spans| spans.last())
                .map(|name| name.clone().into_owned()),
            level: line.level.as_deref().map(str::to_owned),
            message: line
                .message
                .as_deref()
                .map(|message| crate::model::cut(message, crate::model::MAX_SIGHTING_MESSAGE)),
        });
    }

    fn span(&mut self, span: Span) {
        if span.trace_id != self.trace_id {
            return;
        }
        if self.evidence.spans.len() >= MAX_TRACE_SPANS {
            self.dropped += 1;
            return;
        }
        self.evidence.spans.push(span);
    }
}

fn show(args: ShowArgs) -> Result<Answer, String> {
    let trace_id = TraceId::parse(&args.trace_id).ok_or_else(|| {
        format!(
            "{:?} is not a trace id: expected 32 hex digits",
            args.trace_id
        )
    })?;
    // The lines write ids in lowercase: the prefilter looks for exactly that.
    let needle = format!("\"{trace_id}\"").into_bytes();
    let mut sink = ShowSink {
        trace_id,
        needle: Finder::new(&needle).into_owned(),
        evidence: TraceEvidence::default(),
        dropped: 0,
    };
    let mut stats = ReadStats::default();
    let mut fetched_from = None;
    if let Some(url) = &args.url {
        fetched_from = Some(source::http::fetch_trace(
            url,
            args.backend,
            trace_id,
            |span| {
                stats.spans += 1;
                sink.span(span);
            },
        )?);
    }
    if args.url.is_none() || !args.input.sources.is_empty() {
        let read = read(&args.input, &mut sink)?;
        stats = ReadStats {
            spans: stats.spans + read.spans,
            ..read
        };
    }
    let dropped = sink.dropped;
    let evidence = sink.evidence;
    if evidence.reports.is_empty() && evidence.spans.is_empty() && evidence.sightings.is_empty() {
        return Err(format!("trace {trace_id} is not in the sources"));
    }
    let mut story = tell(trace_id, evidence);
    if dropped > 0 {
        story.notes.push(format!(
            "{dropped} more lines or spans of this trace were read and not kept (the limits: \
             {MAX_TRACE_SPANS} spans, {MAX_TRACE_SIGHTINGS} log lines, {MAX_TRACE_REPORTS} \
             reports)"
        ));
    }
    if let Some(url) = &fetched_from {
        story.notes.push(format!("spans from {url}"));
    }
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(flatten)]
            story: &'a crate::analysis::story::Story,
            input: &'a ReadStats,
        }
        render::json(&Document {
            story: &story,
            input: &stats,
        })
    } else {
        terminal::story(&story, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line(&stats, 0)),
        code: 0,
    })
}
