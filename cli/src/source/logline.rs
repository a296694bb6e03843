//! One JSON log line as `tracefault::init()` writes it: read by `tracefault-report`'s reader
//! (which owns every key, and reads the text of older lines back through the shared layout),
//! and mapped here into the command's own model, with the ids and times as the command keeps
//! them.

use crate::ids::{SpanId, TraceId};
use crate::model::{Cause, ErrorKind, Frame, PanicLocation, Report, SpanTraceEntry};
use crate::time::Timestamp;
use std::borrow::Cow;
pub use tracefault_report::read::{Detail, LogLine};

/// What the command reads of any line, report or not, in its own types.
pub trait LineFacts {
    /// The line's time.
    fn timestamp(&self) -> Option<Timestamp>;
    /// The trace of the code that wrote the line.
    fn trace_id(&self) -> Option<TraceId>;
    /// The span of the code that wrote the line.
    fn span_id(&self) -> Option<SpanId>;
}

impl LineFacts for LogLine<'_> {
    fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp.as_deref().and_then(Timestamp::parse_rfc3339)
    }

    fn trace_id(&self) -> Option<TraceId> {
        self.trace_id.as_deref().and_then(TraceId::parse)
    }

    fn span_id(&self) -> Option<SpanId> {
        self.span_id.as_deref().and_then(SpanId::parse)
    }
}

/// The report `line` is, if it is one. `service` is used when the line names none (a prefix
/// such as kubectl's, or the file's name, may).
pub fn report_of(
    line: &LogLine<'_>,
    detail: Detail,
    service: Option<&str>,
    location: impl FnOnce() -> String,
) -> Option<Report> {
    let read = line.report(detail)?;
    let report = read.report;
    let server = report.server.unwrap_or_default();
    Some(Report {
        timestamp: line.timestamp(),
        service: owned(report.service).or(service.map(str::to_owned)),
        trace_id: report
            .trace_id
            .map(TraceId::from)
            .or_else(|| line.trace_id()),
        span_id: report.span_id.map(SpanId::from),
        parent_span_id: report.parent_span_id.map(SpanId::from),
        server_span_id: server.span_id.map(SpanId::from),
        server_parent_span_id: server.parent_span_id.map(SpanId::from),
        method: owned(server.method),
        path: owned(server.path),
        kind: match report.kind {
            tracefault_report::ReportKind::Panic => ErrorKind::Panic,
            _ => ErrorKind::Error,
        },
        type_name: report.type_name.into_owned(),
        message: report.message.into_owned(),
        causes: report.causes.into_iter().map(cause).collect(),
        frames: report
            .frames
            .unwrap_or_default()
            .into_iter()
            .map(frame)
            .collect(),
        hidden_frames: report.hidden_frames,
        traceback_note: owned(report.traceback_note),
        origin_untold: report.origin_untold,
        panic_location: report.panic_location.map(|location| PanicLocation {
            file: location.file.into_owned(),
            line: location.line,
            column: location.column,
        }),
        span_trace: report
            .span_trace
            .into_iter()
            .map(span_trace_entry)
            .collect(),
        stacktrace: read.text,
        // A report line is tracefault's own, read by its own layout.
        language: None,
        unread_stacktrace: None,
        spans: line
            .spans
            .iter()
            .flatten()
            .map(|name| name.clone().into_owned())
            .collect(),
        location: location(),
    })
}

fn owned(text: Option<Cow<'_, str>>) -> Option<String> {
    text.map(Cow::into_owned)
}

/// A frame of the shared format in the command's model.
pub fn frame(frame: tracefault_report::Frame<'_>) -> Frame {
    Frame {
        function: frame.function.into_owned(),
        file: owned(frame.file),
        line: frame.line,
        user: frame.user,
        source: owned(frame.source),
    }
}

/// A span trace entry of the shared format in the command's model.
pub fn span_trace_entry(entry: tracefault_report::SpanTraceEntry<'_>) -> SpanTraceEntry {
    SpanTraceEntry {
        function: entry.function.into_owned(),
        file: owned(entry.file),
        line: entry.line,
        span_id: entry.span_id.map(SpanId::from),
    }
}

/// A cause of the shared format in the command's model: where it ran, when another service.
pub fn cause(cause: tracefault_report::Cause<'_>) -> Cause {
    let origin = cause.remote.unwrap_or_default();
    Cause {
        type_name: owned(cause.type_name),
        message: cause.message.into_owned(),
        service: owned(origin.service),
        span_id: origin.span_id.map(SpanId::from),
        status: origin.status,
        method: owned(origin.method),
        path: owned(origin.path),
        frames: origin.frames.into_iter().map(frame).collect(),
    }
}

/// A report of the model in the shared format, borrowed, for the shared layout: how a report
/// rebuilt from structured fields (an OTLP source) is shown in the shape its service would
/// have printed.
pub fn shared(report: &Report) -> tracefault_report::Report<'_> {
    use tracefault_report as format;
    fn text(text: &Option<String>) -> Option<Cow<'_, str>> {
        text.as_deref().map(Cow::Borrowed)
    }
    fn shared_frame(frame: &Frame) -> tracefault_report::Frame<'_> {
        tracefault_report::Frame {
            function: frame.function.as_str().into(),
            file: text(&frame.file),
            line: frame.line,
            user: frame.user,
            source: text(&frame.source),
        }
    }
    let span_id = |id: Option<SpanId>| id.map(|id| format::SpanId(id.0.to_be_bytes()));
    format::Report {
        kind: match report.kind {
            ErrorKind::Panic => format::ReportKind::Panic,
            ErrorKind::Error => format::ReportKind::Error,
        },
        type_name: report.type_name.as_str().into(),
        message: report.message.as_str().into(),
        causes: report
            .causes
            .iter()
            .map(|cause| {
                let remote = cause.service.is_some()
                    || cause.span_id.is_some()
                    || cause.status.is_some()
                    || cause.path.is_some()
                    || !cause.frames.is_empty();
                format::Cause {
                    type_name: text(&cause.type_name),
                    message: cause.message.as_str().into(),
                    remote: remote.then(|| format::RemoteOrigin {
                        service: text(&cause.service),
                        span_id: span_id(cause.span_id),
                        status: cause.status,
                        method: text(&cause.method),
                        path: text(&cause.path),
                        frames: cause.frames.iter().map(shared_frame).collect(),
                    }),
                }
            })
            .collect(),
        frames: (!report.frames.is_empty())
            .then(|| report.frames.iter().map(shared_frame).collect()),
        hidden_frames: report.hidden_frames,
        span_trace: report
            .span_trace
            .iter()
            .map(|entry| format::SpanTraceEntry {
                function: entry.function.as_str().into(),
                file: text(&entry.file),
                line: entry.line,
                span_id: span_id(entry.span_id),
            })
            .collect(),
        traceback_note: text(&report.traceback_note),
        origin_untold: report.origin_untold,
        panic_location: report
            .panic_location
            .as_ref()
            .map(|location| format::PanicLocation {
                file: location.file.as_str().into(),
                line: location.line,
                column: location.column,
            }),
        trace_id: report
            .trace_id
            .map(|id| format::TraceId(id.0.to_be_bytes())),
        span_id: span_id(report.span_id),
        parent_span_id: span_id(report.parent_span_id),
        server: None,
        service: text(&report.service),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_line_maps_into_the_model_with_the_sources_service() {
        let line = br#"{"timestamp":"2026-11-28T03:50:47.313900Z","target":"tracefault","trace_id":"b73cd2680addb2be7e75ca0af05023e6","exception.type":"shop::StockError","exception.message":"out of stock","exception.frames":[{"function":"shop::reserve","file":"src/shop.rs","line":68,"user":true},{"function":"tokio::run","user":false}],"exception.hidden_frames":61,"exception.span_trace":[{"function":"shop::checkout","file":"src/shop.rs","line":57}]}"#;
        let line = LogLine::parse(line).unwrap();
        let report = report_of(&line, Detail::Grouping, Some("inventory"), String::new).unwrap();
        assert_eq!(report.service.as_deref(), Some("inventory"));
        assert_eq!(
            report.trace_id.unwrap().to_string(),
            "b73cd2680addb2be7e75ca0af05023e6"
        );
        assert_eq!(report.timestamp, line.timestamp());
        assert_eq!(report.frames.len(), 2);
        assert_eq!(report.hidden_frames, Some(61));
        assert_eq!(report.origin().unwrap().function, "shop::reserve");
        assert_eq!(report.span_trace[0].line, Some(57));
    }

    #[test]
    fn a_report_whose_origin_could_not_be_told_names_none() {
        let line = br#"{"timestamp":"2026-11-28T03:50:47.313900Z","target":"tracefault","exception.type":"app::Failure","exception.message":"refused","exception.origin_untold":true,"exception.traceback_note":"origin could not be told","exception.span_trace":[{"function":"app::handler","file":"src/app.rs","line":12}]}"#;
        let line = LogLine::parse(line).unwrap();
        let report = report_of(&line, Detail::Grouping, None, String::new).unwrap();
        assert!(report.origin_untold);
        // The span trace ends where the error was returned: not an origin to show.
        assert_eq!(report.origin(), None);
        assert_eq!(report.span_trace.len(), 1);
    }

    #[test]
    fn a_remote_causes_request_and_a_panics_place_are_read() {
        let line = br#"{"target":"tracefault","exception.kind":"panic","exception.type":"panic","exception.message":"boom","exception.frames":[],"exception.panic_location":{"file":"src/a.rs","line":3,"column":9},"exception.causes":[{"type":null,"message":"refused","service":"inventory","status":503,"method":"POST","path":"/reservations"}]}"#;
        let line = LogLine::parse(line).unwrap();
        let report = report_of(&line, Detail::Full, None, String::new).unwrap();
        assert_eq!(report.kind, ErrorKind::Panic);
        let location = report.panic_location.unwrap();
        assert_eq!(
            (location.file.as_str(), location.line, location.column),
            ("src/a.rs", 3, 9)
        );
        assert_eq!(report.causes[0].method.as_deref(), Some("POST"));
        assert_eq!(report.causes[0].path.as_deref(), Some("/reservations"));
    }

    #[test]
    fn a_line_that_is_not_a_report_is_none() {
        let line = LogLine::parse(br#"{"timestamp":"2026-11-28T04:51:38.632624Z","level":"INFO","target":"shop::gateway","message":"checking out"}"#).unwrap();
        assert!(report_of(&line, Detail::Full, None, String::new).is_none());
    }
}
