//! A trace's reports rebuilt from its OTLP spans, for a source that has spans and no report
//! lines (a collector's file, a tracing backend): one report per service segment that
//! failed, as that service's log would have said it.
//!
//! A segment is a service's part of the trace: a server span (or a span whose parent is in
//! another service, or none) and the same service's spans under it. Along the error's path,
//! tracefault puts an `exception` event where the error was raised or wrapped and an error
//! status on every span it escaped, so the segment's outermost exception is its report's
//! type and message, the deeper ones its causes, the failing spans its span trace, and the
//! deepest the origin.

use super::waterfall::SpanTree;
use crate::ids::SpanId;
use crate::model::PanicLocation;
use crate::model::{
    Cause, ErrorKind, ExceptionEvent, Frame, Report, Span, SpanKind, SpanStatus, SpanTraceEntry,
};
use crate::source::logline;
use crate::stacktrace::{self, Language};
use std::collections::HashSet;
use tracefault_report::{keys, layout};

/// The reports of one trace's spans, each with the index of its segment's root span.
pub fn reports_from_spans(spans: &[Span], tree: &SpanTree) -> Vec<Report> {
    // The calls that failed: each a span whose child, in another service, failed. A client
    // span whose SDK recorded nothing on it (the error surfaced in the code around it, as a
    // Node.js service's does) still is where the error came in, and what the callee's server
    // span names as its parent: `traces`, which has no spans, links the two by it.
    let failed_calls: HashSet<SpanId> = (0..spans.len())
        .filter(|&index| tree.segment_root[index] == index)
        .filter(|&index| spans[index].status == SpanStatus::Error)
        .filter_map(|index| spans[index].parent_span_id)
        .collect();
    let by_id: std::collections::HashMap<SpanId, usize> = spans
        .iter()
        .enumerate()
        .map(|(index, span)| (span.span_id, index))
        .collect();
    // A failed call the error's path does not reach (its parent is not on the path): the only
    // span of the service that the callee's error came in through.
    let unreached_call = |span: &Span| {
        span.kind == SpanKind::Client
            && failed_calls.contains(&span.span_id)
            && !span
                .parent_span_id
                .and_then(|parent| by_id.get(&parent))
                .is_some_and(|&parent| on_path(&spans[parent]))
    };
    let mut reports = Vec::new();
    for &root in &tree.preorder {
        if tree.segment_root[root] != root {
            continue;
        }
        // The segment's failing spans, outermost first (preorder keeps parents first).
        let failing: Vec<usize> = tree
            .preorder
            .iter()
            .copied()
            .filter(|&index| tree.segment_root[index] == root)
            .filter(|&index| spans[index].status == SpanStatus::Error)
            .collect();
        if failing.is_empty() {
            continue;
        }
        // The span trace: the error's path and the failed calls it made, outermost first.
        let trace: Vec<usize> = tree
            .preorder
            .iter()
            .copied()
            .filter(|&index| tree.segment_root[index] == root)
            .filter(|&index| {
                let span = &spans[index];
                on_path(span) || unreached_call(span)
            })
            .collect();
        reports.push(segment_report(spans, root, &failing, &trace));
    }
    reports
}

/// Whether a failing span is on the error's path: the spans of functions (tracefault's, or a
/// service's own INTERNAL spans), and the CLIENT spans an exception was recorded on (a
/// database or HTTP client's instrumentation records the error where the call failed): the
/// exception is shown where it was recorded, not on the server span around it.
fn on_path(span: &Span) -> bool {
    span.status == SpanStatus::Error
        && match span.kind {
            SpanKind::Server => false,
            SpanKind::Client => !span.exceptions.is_empty(),
            _ => true,
        }
}

fn segment_report(spans: &[Span], root: usize, failing: &[usize], trace: &[usize]) -> Report {
    let server = &spans[root];
    let path: Vec<&Span> = failing
        .iter()
        .map(|&index| &spans[index])
        .filter(|span| on_path(span))
        .collect();
    let exceptions: Vec<(&Span, &ExceptionEvent)> = failing
        .iter()
        .map(|&index| &spans[index])
        .flat_map(|span| span.exceptions.iter().map(move |event| (span, event)))
        .collect();
    let outermost = exceptions.first();
    let (type_name, message) = match outermost {
        Some((_, event)) => (
            event
                .type_name
                .clone()
                .unwrap_or_else(|| "error".to_owned()),
            event.message.clone().unwrap_or_default(),
        ),
        None => {
            let deepest = &spans[*failing.last().unwrap_or(&root)];
            ("error".to_owned(), deepest.status_message.clone())
        }
    };
    // One exception recorded on each span it escapes (Python's `start_as_current_span` does)
    // is one cause, not one per span.
    let mut causes: Vec<Cause> = Vec::new();
    let mut previous = outermost.map(|(_, event)| (&event.type_name, &event.message));
    for (_, event) in exceptions.iter().skip(1) {
        if previous == Some((&event.type_name, &event.message)) {
            continue;
        }
        previous = Some((&event.type_name, &event.message));
        causes.push(Cause {
            type_name: event.type_name.clone(),
            message: event.message.clone().unwrap_or_default(),
            ..Cause::default()
        });
    }
    // The origin's stack trace, when the service exported one: tracefault's own layout, or
    // another runtime's.
    let origin = exceptions
        .iter()
        .rev()
        .find_map(|(_, event)| event.stacktrace.as_deref())
        .map(origin_traceback)
        .unwrap_or_default();
    // A tracefault service exports the whole chain with the outermost exception, its
    // callees' parts too: the same causes as its report line, which group alike (#27.6).
    let causes = match outermost.filter(|(_, event)| !event.causes.is_empty()) {
        Some((_, event)) => event.causes.clone(),
        None => causes.into_iter().chain(origin.causes).collect(),
    };
    let edge = path.first().copied().unwrap_or(server);
    let is_server = server.kind == SpanKind::Server;
    Report {
        // When the error was recorded: a span ends after its answer was sent, so its caller's
        // error can be recorded before it ends; the exception's own instant keeps the order in
        // which the errors happened.
        timestamp: outermost
            .and_then(|(_, event)| event.timestamp)
            .or(edge.end)
            .or(server.end),
        service: server.service.clone(),
        trace_id: Some(server.trace_id),
        span_id: Some(edge.span_id),
        parent_span_id: edge.parent_span_id,
        server_span_id: is_server.then_some(server.span_id),
        server_parent_span_id: if is_server {
            server.parent_span_id
        } else {
            None
        },
        method: server
            .attribute(keys::HTTP_REQUEST_METHOD)
            .map(str::to_owned)
            .filter(|_| is_server),
        path: server
            .attribute(keys::URL_PATH)
            .map(str::to_owned)
            .filter(|_| is_server),
        kind: if type_name == "panic" {
            ErrorKind::Panic
        } else {
            ErrorKind::Error
        },
        type_name,
        message,
        causes,
        frames: origin.frames,
        hidden_frames: origin.hidden_frames,
        traceback_note: None,
        origin_untold: false,
        panic_location: origin.panic_location,
        span_trace: trace
            .iter()
            .map(|&index| &spans[index])
            .map(|span| SpanTraceEntry {
                function: span
                    .attribute(keys::CODE_FUNCTION_NAME)
                    .unwrap_or(&span.name)
                    .to_owned(),
                file: span.attribute(keys::CODE_FILE_PATH).map(str::to_owned),
                line: span
                    .attribute(keys::CODE_LINE_NUMBER)
                    .and_then(|line| line.parse().ok()),
                span_id: Some(span.span_id),
            })
            .collect(),
        // Shown from the structured fields, as every source without report lines is: the
        // exported text is the origin's, not this segment's report.
        stacktrace: None,
        language: origin.language,
        unread_stacktrace: origin.unread,
        spans: Vec::new(),
        location: String::new(),
    }
}

/// What a report shows of its origin's exported stack trace.
#[derive(Default)]
struct OriginTraceback {
    frames: Vec<Frame>,
    hidden_frames: Option<u64>,
    panic_location: Option<PanicLocation>,
    /// The causes the text chains (a JVM's `Caused by:`), outermost first.
    causes: Vec<Cause>,
    language: Option<Language>,
    unread: Option<String>,
}

/// Reads `text` as tracefault's own layout, which has the frames' source lines and the
/// runtime's hidden count; else as another runtime's stack trace; else keeps it as it came.
/// Python prints the same header and frame lines as ours, so a Python trace is read as
/// Python's (its files, its chained exceptions), not as ours.
fn origin_traceback(text: &str) -> OriginTraceback {
    let own = layout::parse(text);
    if own.frames.is_some() && !stacktrace::is_python(text) {
        return OriginTraceback {
            frames: own
                .frames
                .unwrap_or_default()
                .into_iter()
                .map(logline::frame)
                .collect(),
            hidden_frames: own.hidden_frames,
            panic_location: own.panic_location.map(|location| PanicLocation {
                file: location.file.into_owned(),
                line: location.line,
                column: location.column,
            }),
            ..OriginTraceback::default()
        };
    }
    let Some(trace) = stacktrace::parse(text) else {
        if text.trim().is_empty() {
            return OriginTraceback::default();
        }
        return OriginTraceback {
            unread: Some(stacktrace::bounded_text(text).to_owned()),
            ..OriginTraceback::default()
        };
    };
    let mut exceptions = trace.exceptions.into_iter();
    let reported = exceptions.next().unwrap_or_default();
    // The runtime's own frames are counted, not shown, as tracefault's are; unless the
    // trace has no others, when they are all there is to show.
    let all_runtime = reported
        .frames
        .iter()
        .all(|frame| frame.code == stacktrace::Code::Runtime);
    let (shown, hidden): (Vec<_>, Vec<_>) = reported
        .frames
        .into_iter()
        .partition(|frame| all_runtime || frame.code != stacktrace::Code::Runtime);
    OriginTraceback {
        frames: shown
            .into_iter()
            .map(|frame| Frame {
                user: frame.code == stacktrace::Code::Application,
                function: frame.function,
                file: frame.file,
                line: frame.line,
                source: None,
            })
            .collect(),
        hidden_frames: (!hidden.is_empty()).then_some(hidden.len() as u64),
        panic_location: None,
        causes: exceptions
            .map(|cause| Cause {
                type_name: cause.type_name,
                message: cause.message,
                ..Cause::default()
            })
            .collect(),
        language: Some(trace.language),
        unread: None,
    }
}
