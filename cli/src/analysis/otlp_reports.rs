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
use crate::model::PanicLocation;
use crate::model::{
    Cause, ErrorKind, ExceptionEvent, Frame, Report, Span, SpanKind, SpanStatus, SpanTraceEntry,
};
use crate::source::logline;
use tracefault_report::{keys, layout};

/// The reports of one trace's spans, each with the index of its segment's root span.
pub fn reports_from_spans(spans: &[Span], tree: &SpanTree) -> Vec<Report> {
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
        reports.push(segment_report(spans, root, &failing));
    }
    reports
}

fn segment_report(spans: &[Span], root: usize, failing: &[usize]) -> Report {
    let server = &spans[root];
    // The error's path: failing spans that are not the server or client spans, which
    // tracefault's functions are.
    let path: Vec<&Span> = failing
        .iter()
        .map(|&index| &spans[index])
        .filter(|span| !matches!(span.kind, SpanKind::Server | SpanKind::Client))
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
    let causes = exceptions
        .iter()
        .skip(1)
        .map(|(_, event)| Cause {
            type_name: event.type_name.clone(),
            message: event.message.clone().unwrap_or_default(),
            ..Cause::default()
        })
        .collect();
    // The origin's rendered report, when the service exported stack traces.
    let stacktrace = exceptions
        .iter()
        .rev()
        .find_map(|(_, event)| event.stacktrace.clone());
    let origin_text = stacktrace.as_deref().map(layout::parse);
    let (frames, hidden_frames, panic_location): (Vec<Frame>, _, _) = match origin_text {
        Some(parsed) => (
            parsed
                .frames
                .unwrap_or_default()
                .into_iter()
                .map(logline::frame)
                .collect(),
            parsed.hidden_frames,
            parsed.panic_location.map(|location| PanicLocation {
                file: location.file.into_owned(),
                line: location.line,
                column: location.column,
            }),
        ),
        None => (Vec::new(), None, None),
    };
    let edge = path.first().copied().unwrap_or(server);
    let is_server = server.kind == SpanKind::Server;
    Report {
        timestamp: edge.end.or(server.end),
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
        frames,
        hidden_frames,
        traceback_note: None,
        origin_untold: false,
        panic_location,
        span_trace: path
            .iter()
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
        spans: Vec::new(),
        location: String::new(),
    }
}
