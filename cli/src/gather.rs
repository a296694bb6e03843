//! What each command keeps of the lines and spans it reads: the sinks. A sink decides from a
//! line's raw bytes whether it is worth parsing (the fast path), then takes the parsed line
//! into the analysis. Shared by the text commands, `html` and `serve`.

use crate::analysis::groups::ErrorGroups;
use crate::analysis::otlp_reports::reports_from_spans;
use crate::analysis::story::TraceEvidence;
use crate::analysis::traces::FailingTraces;
use crate::analysis::waterfall::{SpanTree, TreeNode};
use crate::ids::{IdMap, SpanId, TraceId};
use crate::model::{cut, Cancellation, Report, Span, SpanKind, SpanSighting, MAX_SIGHTING_MESSAGE};
use crate::source::logline::{report_of, Detail, LineFacts as _, LogLine};
use crate::source::{self, LineContext, ReadOptions, ReadStats, Sink};
use crate::time::Timestamp;
use memchr::memmem::Finder;
use std::collections::HashMap;
use tracefault_report::keys;

/// Reads `sources` (files, directories, globs, `-`) into `sink`. Every input unreadable is an
/// error; some unreadable are counted in the stats.
pub fn read(
    sources: &[String],
    options: ReadOptions,
    sink: &mut impl Sink,
) -> anyhow::Result<ReadStats> {
    let inputs = source::resolve(sources)?;
    let mut stats = ReadStats::default();
    source::read_all(&inputs, options, sink, &mut stats);
    if !stats.unreadable.is_empty() && stats.unreadable.len() as u64 == stats.inputs {
        return Err(anyhow::anyhow!(stats.unreadable.join("; ")));
    }
    Ok(stats)
}

/// One line for standard error: what was read, what was skipped and why.
pub fn stats_line(stats: &ReadStats, duplicates: u64) -> String {
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
    if stats.requests > 0 {
        parts.push(format!("{} requests to the backend", stats.requests));
    }
    let mut skipped = Vec::new();
    for (count, what) in [
        (stats.not_ours, "not ours"),
        (stats.malformed, "malformed"),
        (stats.too_long, "too long"),
        (duplicates, "duplicate reports"),
        (stats.duplicate_spans, "spans read more than once"),
        (stats.dropped_spans, "spans without valid ids"),
        (stats.cut_documents, "OTLP documents cut short at the end"),
    ] {
        if count > 0 {
            skipped.push(format!("{count} {what}"));
        }
    }
    if !skipped.is_empty() {
        parts.push(format!("skipped {}", skipped.join(", ")));
    }
    for partial in &stats.partial {
        parts.push(format!("partial: {partial}"));
    }
    for unreadable in &stats.unreadable {
        parts.push(format!("unreadable: {unreadable}"));
    }
    format!("tracefault: {}", parts.join("; "))
}

/// A span id as a line writes it, if it is one.
fn written_span_id(written: &Option<std::borrow::Cow<'_, str>>) -> Option<SpanId> {
    written.as_deref().and_then(SpanId::parse)
}

/// Where a report was read, for `--json` and messages.
fn location(context: &LineContext<'_>) -> String {
    format!("{}:{}", context.input.name(), context.number)
}

/// Where each span of one trace is in its list: a span read twice (overlapping exports, a
/// file read twice, a file and a backend, a backend's search answering a trace once per
/// service) is one span, its last copy kept. The one place spans are deduplicated, for every
/// command: [`SpanStore`] for `errors` and `traces`, [`Gathered`] for a story.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex(IdMap<SpanId, usize>);

impl SpanIndex {
    /// Keeps `span` in `spans`, replacing an earlier copy; false when it was one.
    pub fn keep(&mut self, spans: &mut Vec<Span>, span: Span) -> bool {
        match self.0.get(&span.span_id) {
            Some(&at) => {
                spans[at] = span;
                false
            }
            None => {
                self.0.insert(span.span_id, spans.len());
                spans.push(span);
                true
            }
        }
    }

    pub fn contains(&self, span: SpanId) -> bool {
        self.0.contains_key(&span)
    }
}

/// The spans read, by trace, each once.
#[derive(Clone, Debug, Default)]
pub struct SpanStore {
    traces: HashMap<TraceId, (SpanIndex, Vec<Span>)>,
    /// Copies read after the first, over all traces.
    pub duplicates: u64,
}

impl SpanStore {
    pub fn add(&mut self, span: Span) {
        let (index, spans) = self.traces.entry(span.trace_id).or_default();
        if !index.keep(spans, span) {
            self.duplicates += 1;
        }
    }

    pub fn into_traces(self) -> HashMap<TraceId, Vec<Span>> {
        self.traces
            .into_iter()
            .map(|(trace, (_, spans))| (trace, spans))
            .collect()
    }
}

/// The reports of OTLP spans gathered by trace: the sources without report lines.
pub fn reports_of_span_traces(spans: HashMap<TraceId, Vec<Span>>) -> Vec<Report> {
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

/// Every report line has this key, and almost no other line does: the prefilter.
fn report_key() -> Finder<'static> {
    Finder::new(format!("\"{}\"", keys::EXCEPTION_TYPE).as_bytes()).into_owned()
}

/// A line's trace id, up to its opening quote.
fn trace_key() -> Finder<'static> {
    Finder::new(format!("\"{}\":\"", keys::TRACE_ID).as_bytes()).into_owned()
}

/// The string value after `key` (which ends with its opening quote), up to its closing quote.
fn raw_string_after<'a>(json: &'a [u8], key: &Finder<'_>) -> Option<&'a [u8]> {
    let start = key.find(json)? + key.needle().len();
    let length = memchr::memchr(b'"', &json[start..])?;
    Some(&json[start..start + length])
}

/// Our lines start with their timestamp: `{"timestamp":"2026-11-28T04:51:38.632624Z"`.
fn raw_timestamp(json: &[u8]) -> Option<Timestamp> {
    let key = keys::TIMESTAMP.as_bytes();
    let rest = json.strip_prefix(b"{\"")?.strip_prefix(key)?;
    let rest = rest.strip_prefix(b"\":\"")?;
    let length = memchr::memchr(b'"', &rest[..40.min(rest.len())])?;
    Timestamp::parse_rfc3339_bytes(&rest[..length])
}

/// Two sinks reading the same lines in one pass: a line either wants is given to both (each
/// takes what it can of any line), and every span to both.
impl<A: Sink, B: Sink> Sink for (A, B) {
    fn wants(&mut self, json: &[u8]) -> bool {
        // Both are asked: a sink may note something of every line it is shown.
        let first = self.0.wants(json);
        let second = self.1.wants(json);
        first || second
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        self.0.line(line, context);
        self.1.line(line, context);
    }

    fn span(&mut self, span: Span) {
        self.0.span(span.clone());
        self.1.span(span);
    }
}

/// `tracefault errors`: reports into groups. OTLP spans are kept by trace until the end,
/// when each trace's reports are rebuilt from them.
#[derive(Clone, Debug)]
pub struct ErrorsSink {
    pub groups: ErrorGroups,
    report_key: Finder<'static>,
    pub spans: SpanStore,
}

impl ErrorsSink {
    pub fn new(groups: ErrorGroups) -> ErrorsSink {
        ErrorsSink {
            groups,
            report_key: report_key(),
            spans: SpanStore::default(),
        }
    }

    /// The groups, with the reports of the spans read added.
    pub fn finish(mut self) -> crate::analysis::groups::ErrorSummary {
        for report in reports_of_span_traces(std::mem::take(&mut self.spans).into_traces()) {
            self.groups.add(&report);
        }
        self.groups.finish()
    }
}

impl Sink for ErrorsSink {
    fn wants(&mut self, json: &[u8]) -> bool {
        self.report_key.find(json).is_some()
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        if let Some(report) = report_of(line, Detail::Grouping, context.service_hint, || {
            location(context)
        }) {
            self.groups.add(&report);
        }
    }

    fn span(&mut self, span: Span) {
        self.spans.add(span);
    }
}

/// `tracefault traces`: every line dates its trace; reports make a trace failing.
#[derive(Clone, Debug)]
pub struct TracesSink {
    pub traces: FailingTraces,
    report_key: Finder<'static>,
    trace_key: Finder<'static>,
    pub spans: SpanStore,
}

impl TracesSink {
    pub fn new(traces: FailingTraces) -> TracesSink {
        TracesSink {
            traces,
            report_key: report_key(),
            trace_key: trace_key(),
            spans: SpanStore::default(),
        }
    }

    /// The failing traces, newest first, with the spans read dated and their reports added.
    pub fn finish(mut self) -> (Vec<crate::analysis::traces::TraceView>, u64) {
        let span_traces = std::mem::take(&mut self.spans).into_traces();
        let times: Vec<(TraceId, Timestamp)> = span_traces
            .values()
            .flatten()
            .flat_map(|span| {
                [span.start, span.end]
                    .into_iter()
                    .flatten()
                    .map(|at| (span.trace_id, at))
            })
            .collect();
        for report in reports_of_span_traces(span_traces) {
            self.traces.add(&report);
        }
        // Dated once the reports made their traces failing: a trace not yet failing keeps
        // only its first time, and its duration would end at its last report rather than at
        // its last span's end, as `show` has it.
        for (trace, at) in times {
            self.traces.see(trace, at);
        }
        let duplicates = self.traces.duplicates;
        (self.traces.finish(), duplicates)
    }
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
        if let Some(report) = report_of(line, Detail::Grouping, context.service_hint, || {
            location(context)
        }) {
            self.traces.add(&report);
        }
    }

    fn span(&mut self, span: Span) {
        self.spans.add(span);
    }
}

/// How much of one trace's evidence is kept: a trace of millions of spans is shown in part.
#[derive(Clone, Copy, Debug)]
pub struct TraceLimits {
    pub spans: usize,
    pub sightings: usize,
    pub reports: usize,
}

/// What `show` keeps of its one trace.
pub const SHOW_LIMITS: TraceLimits = TraceLimits {
    spans: 500_000,
    sightings: 200_000,
    reports: 10_000,
};

/// Everything the sources say of some traces: their reports, spans and log lines.
#[derive(Debug)]
pub struct EvidenceSink {
    wanted: IdMap<TraceId, Gathered>,
    limits: TraceLimits,
    /// For one trace, its quoted id anywhere on the line; for several, the line's `trace_id`.
    needle: Option<Finder<'static>>,
    trace_key: Finder<'static>,
}

/// One trace's evidence, and how much of it was read and not kept.
#[derive(Debug, Default)]
pub struct Gathered {
    pub evidence: TraceEvidence,
    /// Where each span is in `evidence.spans`: each is kept once.
    span_index: SpanIndex,
    pub dropped: u64,
    /// Spans read more than once, each kept once.
    pub duplicate_spans: u64,
}

impl Gathered {
    /// The note a story gets when evidence was left out.
    pub fn dropped_note(&self, limits: TraceLimits) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "{} more lines or spans of this trace were read and not kept (the limits: {} \
                 spans, {} log lines, {} reports)",
                self.dropped, limits.spans, limits.sightings, limits.reports
            )
        })
    }

    /// The note a story gets when spans were read more than once.
    pub fn duplicates_note(&self) -> Option<String> {
        (self.duplicate_spans > 0)
            .then(|| format!("{} spans were read more than once", self.duplicate_spans))
    }

    pub fn is_empty(&self) -> bool {
        let evidence = &self.evidence;
        evidence.reports.is_empty() && evidence.spans.is_empty() && evidence.sightings.is_empty()
    }

    /// Keeps `span`, replacing an earlier copy of it.
    fn add_span(&mut self, span: Span) {
        if !self.span_index.keep(&mut self.evidence.spans, span) {
            self.duplicate_spans += 1;
        }
    }
}

impl EvidenceSink {
    pub fn new(traces: impl IntoIterator<Item = TraceId>, limits: TraceLimits) -> EvidenceSink {
        let wanted: IdMap<TraceId, Gathered> = traces
            .into_iter()
            .map(|trace| (trace, Gathered::default()))
            .collect();
        // The lines write ids in lowercase: the prefilter looks for exactly that.
        let needle = match wanted.keys().collect::<Vec<_>>()[..] {
            [only] => Some(Finder::new(format!("\"{only}\"").as_bytes()).into_owned()),
            _ => None,
        };
        EvidenceSink {
            wanted,
            limits,
            needle,
            trace_key: trace_key(),
        }
    }

    pub fn limits(&self) -> TraceLimits {
        self.limits
    }

    pub fn into_gathered(self) -> IdMap<TraceId, Gathered> {
        self.wanted
    }
}

impl Sink for EvidenceSink {
    fn wants(&mut self, json: &[u8]) -> bool {
        match &self.needle {
            Some(needle) => needle.find(json).is_some(),
            None => raw_string_after(json, &self.trace_key)
                .and_then(TraceId::from_hex_bytes)
                .is_some_and(|trace| self.wanted.contains_key(&trace)),
        }
    }

    fn line(&mut self, line: &LogLine<'_>, context: &LineContext<'_>) {
        let Some(gathered) = line.trace_id().and_then(|id| self.wanted.get_mut(&id)) else {
            return;
        };
        let limits = self.limits;
        let evidence = &mut gathered.evidence;
        if line.is_report() {
            if evidence.reports.len() >= limits.reports {
                gathered.dropped += 1;
                return;
            }
            let report = report_of(line, Detail::Full, context.service_hint, || {
                location(context)
            });
            evidence.reports.extend(report);
            return;
        }
        let (Some(timestamp), Some(span_id)) = (line.timestamp(), line.span_id()) else {
            return;
        };
        if evidence.sightings.len() >= limits.sightings {
            gathered.dropped += 1;
            return;
        }
        evidence.sightings.push(SpanSighting {
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
                .map(|message| cut(message, MAX_SIGHTING_MESSAGE)),
            parent_span_id: written_span_id(&line.parent_span_id),
            server_span_id: written_span_id(&line.server_span_id),
            server_parent_span_id: written_span_id(&line.server_parent_span_id),
            method: line
                .method
                .as_deref()
                .map(|method| cut(method, MAX_SIGHTING_MESSAGE)),
            path: line
                .path
                .as_deref()
                .map(|path| cut(path, MAX_SIGHTING_MESSAGE)),
            cancelled: (line.cancelled == Some(true)).then(|| Cancellation {
                function: line
                    .code_function
                    .as_deref()
                    .map(|function| cut(function, MAX_SIGHTING_MESSAGE)),
                elapsed: line
                    .elapsed_us
                    .and_then(|elapsed| i64::try_from(elapsed).ok()),
            }),
        });
    }

    fn span(&mut self, span: Span) {
        let limits = self.limits;
        let Some(gathered) = self.wanted.get_mut(&span.trace_id) else {
            return;
        };
        if gathered.evidence.spans.len() >= limits.spans
            && !gathered.span_index.contains(span.span_id)
        {
            gathered.dropped += 1;
            return;
        }
        gathered.add_span(span);
    }
}
