//! What the sources say, in one shape whatever they were: error reports (from report lines,
//! or rebuilt from OTLP spans) and spans. Owned, so that it outlives the line it came from.

use crate::ids::{SpanId, TraceId};
pub use crate::stacktrace::Language;
use crate::time::Timestamp;
use serde::Serialize;
use tracefault_report::keys;

/// An error or a panic that escaped an instrumented function: one report of one service.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub timestamp: Option<Timestamp>,
    pub service: Option<String>,
    pub trace_id: Option<TraceId>,
    /// The span the error escaped from: the outermost instrumented function.
    pub span_id: Option<SpanId>,
    pub parent_span_id: Option<SpanId>,
    /// The server span of the request the error happened in.
    pub server_span_id: Option<SpanId>,
    /// That server span's remote parent: the caller's client span.
    pub server_parent_span_id: Option<SpanId>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub kind: ErrorKind,
    pub type_name: String,
    pub message: String,
    /// The `source()` chain, outermost first.
    pub causes: Vec<Cause>,
    /// The visible frames at the origin, outermost first.
    pub frames: Vec<Frame>,
    pub hidden_frames: Option<u64>,
    /// Why there is no backtrace (rate-limited, turned off), when the report says.
    pub traceback_note: Option<String>,
    /// The origin could not be told: `span_trace` ends where the error was returned.
    pub origin_untold: bool,
    /// Where a panic happened, when the report is of one and says.
    pub panic_location: Option<PanicLocation>,
    /// The instrumented functions the error passed through, outermost first, origin last.
    pub span_trace: Vec<SpanTraceEntry>,
    /// The report as the service rendered it (the Python-style text), when the source has it.
    pub stacktrace: Option<String>,
    /// The runtime whose stack trace the frames were read from, when another than
    /// tracefault's wrote it (a Java or Node.js service's `exception.stacktrace`).
    pub language: Option<Language>,
    /// A stack trace in no format the command reads, kept as it came (its first
    /// [`crate::stacktrace::MAX_INPUT`] bytes) rather than dropped.
    pub unread_stacktrace: Option<String>,
    /// The names of the spans the report was emitted in, outermost first.
    pub spans: Vec<String>,
    /// Where this report was read: a file and line, or a URL.
    pub location: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    #[default]
    Error,
    Panic,
}

/// One error of a `source()` chain; one that came from another service says which, from
/// which span, with what status.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Cause {
    pub type_name: Option<String>,
    pub message: String,
    pub service: Option<String>,
    /// The callee's server span.
    pub span_id: Option<SpanId>,
    pub status: Option<u16>,
    /// The request the callee answered.
    pub method: Option<String>,
    pub path: Option<String>,
    pub frames: Vec<Frame>,
}

impl Cause {
    /// The request the callee answered, `POST /reservations/42`, when the report says.
    pub fn route(&self) -> Option<String> {
        route(self.method.as_deref(), self.path.as_deref())
    }
}

/// Where a panic happened: `file:line:column`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PanicLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Frame {
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The application's own code, not the runtime's or a dependency's.
    pub user: bool,
    /// The line of source the service printed under the frame, when it could read its file.
    pub source: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SpanTraceEntry {
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub span_id: Option<SpanId>,
}

/// A place in the code: `function (file:line)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CodeLocation {
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

impl Report {
    /// Where the error started: the innermost of the application's frames, else the origin
    /// of the span trace; none when the report says its origin could not be told (its span
    /// trace then ends where the error was returned, which is not where it started).
    pub fn origin(&self) -> Option<CodeLocation> {
        if self.origin_untold {
            return None;
        }
        let frame = self.frames.iter().rev().find(|frame| frame.user);
        if let Some(frame) = frame {
            return Some(CodeLocation {
                function: frame.function.clone(),
                file: frame.file.clone(),
                line: frame.line,
            });
        }
        self.span_trace.last().map(|entry| CodeLocation {
            function: entry.function.clone(),
            file: entry.file.clone(),
            line: entry.line,
        })
    }

    /// The request's route, `POST /orders/42`, when the report says.
    pub fn route(&self) -> Option<String> {
        route(self.method.as_deref(), self.path.as_deref())
    }

    /// The span ids this report knows to be its service's own: the edge, the span trace and
    /// the server span.
    pub fn own_span_ids(&self) -> impl Iterator<Item = SpanId> + '_ {
        self.span_id
            .into_iter()
            .chain(self.server_span_id)
            .chain(self.span_trace.iter().filter_map(|entry| entry.span_id))
    }
}

/// `POST /orders/42`, or the path alone.
pub fn route(method: Option<&str>, path: Option<&str>) -> Option<String> {
    match (method, path) {
        (Some(method), Some(path)) => Some(format!("{method} {path}")),
        (None, Some(path)) => Some(path.to_owned()),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// OTLP's enum, by number or (tolerated, though OTLP/JSON forbids it) by name.
    pub fn from_otlp(number: Option<i64>, name: Option<&str>) -> SpanKind {
        match (number, name) {
            (Some(1), _) | (_, Some("SPAN_KIND_INTERNAL")) => SpanKind::Internal,
            (Some(2), _) | (_, Some("SPAN_KIND_SERVER")) => SpanKind::Server,
            (Some(3), _) | (_, Some("SPAN_KIND_CLIENT")) => SpanKind::Client,
            (Some(4), _) | (_, Some("SPAN_KIND_PRODUCER")) => SpanKind::Producer,
            (Some(5), _) | (_, Some("SPAN_KIND_CONSUMER")) => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    #[default]
    Unset,
    Ok,
    Error,
}

/// An OTLP span, with what the analysis reads of it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    pub service: Option<String>,
    pub kind: SpanKind,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub status: SpanStatus,
    pub status_message: String,
    /// Attributes as text, in the order the span had them.
    pub attributes: Vec<(String, String)>,
    pub exceptions: Vec<ExceptionEvent>,
    /// Every event of the span (exceptions too), in order, at most [`MAX_SPAN_EVENTS`].
    pub events: Vec<SpanEvent>,
    /// Events past [`MAX_SPAN_EVENTS`], counted.
    pub more_events: u64,
}

/// What a span keeps of its events; more are counted.
pub const MAX_SPAN_EVENTS: usize = 64;

/// A span event: a log record inside the span, as OTLP carries it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SpanEvent {
    pub timestamp: Option<Timestamp>,
    pub name: String,
    /// As text, in order; an exception's `exception.stacktrace` is left to its report.
    pub attributes: Vec<(String, String)>,
}

impl Span {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    /// The span's future was dropped before it finished, as its attribute says: it had run
    /// from the span's start to its end.
    pub fn cancellation(&self) -> Option<Cancellation> {
        (self.attribute(keys::CANCELLED) == Some("true")).then(|| Cancellation {
            function: self.attribute(keys::CODE_FUNCTION_NAME).map(str::to_owned),
            elapsed: self.start.zip(self.end).map(|(from, to)| to.0 - from.0),
        })
    }
}

/// A future dropped before it finished (its caller gave up, a `select!` took another
/// branch): not an error of its own, but where it was when it stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cancellation {
    /// The function it was in, as `code.function.name` says it.
    pub function: Option<String>,
    /// Microseconds from its first poll to its drop.
    pub elapsed: Option<i64>,
}

/// An `exception` event, by OpenTelemetry's conventions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExceptionEvent {
    pub timestamp: Option<Timestamp>,
    pub type_name: Option<String>,
    pub message: Option<String>,
    pub stacktrace: Option<String>,
    /// The `source()` chain a tracefault service exported with it (`exception.causes`, with
    /// what its callees said), outermost first; empty from other SDKs.
    pub causes: Vec<Cause>,
}

/// A log line inside a span, reduced to what a waterfall needs: when it was, in which span.
#[derive(Clone, Debug, Serialize)]
pub struct SpanSighting {
    pub timestamp: Timestamp,
    pub service: Option<String>,
    pub span_id: SpanId,
    /// The innermost span's name.
    pub span_name: Option<String>,
    pub level: Option<String>,
    /// The line's message, cut to [`MAX_SIGHTING_MESSAGE`] bytes.
    pub message: Option<String>,
    /// The span's parent, when the line names it (a cancellation's does).
    pub parent_span_id: Option<SpanId>,
    /// The server span of the request the line was written in, when it names it.
    pub server_span_id: Option<SpanId>,
    /// That server span's remote parent: the caller's client span.
    pub server_parent_span_id: Option<SpanId>,
    /// That request's method and path.
    pub method: Option<String>,
    pub path: Option<String>,
    /// The line says the span's future was dropped before it finished.
    pub cancelled: Option<Cancellation>,
}

/// A sighting keeps this much of its line's message: enough to read, bounded per line.
pub const MAX_SIGHTING_MESSAGE: usize = 1024;

/// `text` cut to at most `max` bytes at a character boundary, with `…` where it was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
