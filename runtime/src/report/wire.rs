//! An [`ErrorReport`] in the shared form of `tracefault-report`, borrowed from it, for the
//! writers that crate owns: the JSON members of a log line, the Python-style text, a Problem
//! Details answer's causes. The runtime's own types stay richer (a live [`Traceback`], static
//! file names); this is the one place that says how they map onto the format.
//!
//! [`Traceback`]: crate::traceback::Traceback

use super::{Cause, ErrorReport, RemoteFrame, RemoteOrigin};
use crate::context::{SpanId, TraceId};
use std::borrow::Cow;
use tracefault_report as format;

/// Which of the traceback's frames to put in the shared form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frames {
    /// None, nor their hidden count: the text is rendered from the traceback's cached lines
    /// instead.
    Left,
    /// Every shown frame, for the JSON members.
    Shown,
}

pub(crate) fn trace_id(id: TraceId) -> format::TraceId {
    format::TraceId(id.to_bytes())
}

pub(crate) fn span_id(id: SpanId) -> format::SpanId {
    format::SpanId(id.to_bytes())
}

impl ErrorReport {
    /// This report in the shared form. With [`Frames::Left`], `frames` is `Some` but empty when
    /// there is a traceback, so that the text still shows one (from the cached lines).
    pub(crate) fn to_format(&self, frames: Frames) -> format::Report<'_> {
        let traceback_frames = self.traceback.as_ref().map(|traceback| match frames {
            Frames::Left => Vec::new(),
            Frames::Shown => traceback
                .shown_frames(&self.known_files())
                .into_iter()
                .map(|shown| format::Frame {
                    function: shown.function.into(),
                    file: shown.file.map(Cow::Borrowed),
                    line: shown.frame.line,
                    user: shown.frame.is_user_code,
                    source: None,
                })
                .collect(),
        });
        format::Report {
            kind: self.kind,
            type_name: self.type_name.as_ref().into(),
            message: self.message.as_str().into(),
            causes: self.causes.iter().map(cause).collect(),
            frames: traceback_frames,
            // Counting them resolves every frame's symbols: left to the cached text too.
            hidden_frames: self
                .traceback
                .as_ref()
                .filter(|_| frames == Frames::Shown)
                .map(|traceback| traceback.hidden_frames() as u64),
            span_trace: self
                .span_trace
                .iter()
                .map(|entry| format::SpanTraceEntry {
                    function: entry.function.as_ref().into(),
                    file: Some(entry.file.into()),
                    line: Some(entry.line),
                    span_id: entry.span_id.map(span_id),
                })
                .collect(),
            traceback_note: self.traceback_note.as_deref().map(Cow::Borrowed),
            origin_untold: !self.origin_known,
            panic_location: self
                .panic_location
                .as_ref()
                .map(|location| format::PanicLocation {
                    file: location.file.as_str().into(),
                    line: location.line,
                    column: location.column,
                }),
            trace_id: self.trace_id.map(trace_id),
            span_id: self.span_id.map(span_id),
            parent_span_id: self.parent_span_id.map(span_id),
            server: self.server.as_ref().map(|server| format::ServerSpan {
                span_id: Some(span_id(server.span_id)),
                parent_span_id: server.parent_span_id.map(span_id),
                method: server.method.as_deref().map(Cow::Borrowed),
                path: server.path.as_deref().map(Cow::Borrowed),
            }),
            service: self.service.as_deref().map(Cow::Borrowed),
        }
    }
}

/// A cause of the `source()` chain in the shared form.
pub(crate) fn cause(cause: &Cause) -> format::Cause<'_> {
    format::Cause {
        type_name: cause.type_name.as_deref().map(Cow::Borrowed),
        message: cause.message.as_str().into(),
        remote: cause.remote.as_deref().map(remote_origin),
    }
}

pub(crate) fn remote_origin(origin: &RemoteOrigin) -> format::RemoteOrigin<'_> {
    format::RemoteOrigin {
        service: origin.service.as_deref().map(Cow::Borrowed),
        span_id: origin.span_id.map(span_id),
        status: origin.status,
        method: origin.method.as_deref().map(Cow::Borrowed),
        path: origin.path.as_deref().map(Cow::Borrowed),
        frames: remote_frames(&origin.frames),
    }
}

pub(crate) fn remote_frames(frames: &[RemoteFrame]) -> Vec<format::Frame<'_>> {
    frames
        .iter()
        .map(|frame| {
            format::Frame::new(
                frame.function.as_str().into(),
                frame.file.as_deref().map(Cow::Borrowed),
                frame.line,
            )
        })
        .collect()
}
