//! The report as data: what failed, where it started, what caused it and where it travelled.
//! Text is borrowed where it can be (from the runtime's own report while it writes a line, from
//! the line while the command reads one) and owned otherwise.

use crate::ids::{SpanId, TraceId};
use std::borrow::Cow;

/// One error or panic that escaped the outermost instrumented function of one service.
///
/// ```
/// use tracefault_report::{Cause, Report};
/// let report = Report {
///     type_name: "shop::StockError".into(),
///     message: "sku 42 is out of stock".into(),
///     causes: vec![Cause::new(Some("std::io::Error".into()), "connection refused".into())],
///     ..Report::default()
/// };
/// assert!(report.python_style().ends_with("  std::io::Error: connection refused\n"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report<'a> {
    /// An error returned, or a panic.
    pub kind: ReportKind,
    /// The error's type (`shop::StockError`), or `panic`.
    pub type_name: Cow<'a, str>,
    /// The error's `Display`, or the panic's payload.
    pub message: Cow<'a, str>,
    /// The `source()` chain, outermost first.
    pub causes: Vec<Cause<'a>>,
    /// The traceback's shown frames, outermost first; `None` when no backtrace was captured.
    pub frames: Option<Vec<Frame<'a>>>,
    /// How many frames the traceback leaves out.
    pub hidden_frames: Option<u64>,
    /// The instrumented functions the error passed through, outermost first, origin last.
    pub span_trace: Vec<SpanTraceEntry<'a>>,
    /// Why there is no traceback, when there is none.
    pub traceback_note: Option<Cow<'a, str>>,
    /// The origin could not be told: the last entry of the span trace is where the error was
    /// returned, not where it started ([`keys::EXCEPTION_ORIGIN_UNTOLD`](crate::keys::EXCEPTION_ORIGIN_UNTOLD)).
    pub origin_untold: bool,
    /// Where a panic happened.
    pub panic_location: Option<PanicLocation<'a>>,
    /// The W3C trace the error happened in.
    pub trace_id: Option<TraceId>,
    /// The span the error escaped from: the outermost instrumented function.
    pub span_id: Option<SpanId>,
    /// That span's parent.
    pub parent_span_id: Option<SpanId>,
    /// The request from another process the error happened in, when there was one.
    pub server: Option<ServerSpan<'a>>,
    /// The service that reports.
    pub service: Option<Cow<'a, str>>,
}

/// Whether a report is of an error or a panic.
///
/// ```
/// use tracefault_report::ReportKind;
/// assert_eq!(ReportKind::parse("panic"), Some(ReportKind::Panic));
/// assert_eq!(ReportKind::Error.as_str(), "error");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportKind {
    /// A function returned `Err`.
    #[default]
    Error,
    /// A function panicked.
    Panic,
}

impl ReportKind {
    /// `"error"` or `"panic"`, as a line's `exception.kind` says.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Error => "error",
            ReportKind::Panic => "panic",
        }
    }

    /// The kind a line's `exception.kind` names.
    pub fn parse(text: &str) -> Option<ReportKind> {
        match text {
            "error" => Some(ReportKind::Error),
            "panic" => Some(ReportKind::Panic),
            _ => None,
        }
    }
}

/// One error of a `source()` chain.
///
/// ```
/// use tracefault_report::Cause;
/// let cause = Cause::new(None, "connection refused".into());
/// assert!(cause.remote.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cause<'a> {
    /// The error's type, when it is known.
    pub type_name: Option<Cow<'a, str>>,
    /// The error's `Display`.
    pub message: Cow<'a, str>,
    /// Where the error ran, when that was another service.
    pub remote: Option<RemoteOrigin<'a>>,
}

impl<'a> Cause<'a> {
    /// A cause of this service's own.
    pub fn new(type_name: Option<Cow<'a, str>>, message: Cow<'a, str>) -> Cause<'a> {
        Cause {
            type_name,
            message,
            remote: None,
        }
    }
}

/// The service an error of a chain ran in, as the answer that carried it said.
///
/// ```
/// use tracefault_report::RemoteOrigin;
/// let origin = RemoteOrigin { service: Some("inventory".into()), status: Some(500), ..RemoteOrigin::default() };
/// assert_eq!(origin.method, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteOrigin<'a> {
    /// The service's name.
    pub service: Option<Cow<'a, str>>,
    /// The server span that handled the request there.
    pub span_id: Option<SpanId>,
    /// The status it answered with.
    pub status: Option<u16>,
    /// The method of the request it answered.
    pub method: Option<Cow<'a, str>>,
    /// The path of the request it answered.
    pub path: Option<Cow<'a, str>>,
    /// The error's frames there, outermost first, when that service exposes them.
    pub frames: Vec<Frame<'a>>,
}

/// A frame of a traceback.
///
/// ```
/// use tracefault_report::Frame;
/// let frame = Frame::new("shop::checkout".into(), Some("src/shop.rs".into()), Some(14));
/// assert!(frame.user);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// `module::path::function`.
    pub function: Cow<'a, str>,
    /// The source file, relative to where the code was built when that is known.
    pub file: Option<Cow<'a, str>>,
    /// The line in it.
    pub line: Option<u32>,
    /// The application's own code, not the runtime's or a dependency's.
    pub user: bool,
    /// The line of source, when the service could read its file.
    pub source: Option<Cow<'a, str>>,
}

impl<'a> Frame<'a> {
    /// A frame of the application's own code, without its source line.
    pub fn new(function: Cow<'a, str>, file: Option<Cow<'a, str>>, line: Option<u32>) -> Frame<'a> {
        Frame {
            function,
            file,
            line,
            user: true,
            source: None,
        }
    }
}

/// An instrumented function on the error's way out.
///
/// ```
/// use tracefault_report::SpanTraceEntry;
/// let entry = SpanTraceEntry { function: "shop::reserve".into(), file: Some("src/shop.rs".into()), line: Some(39), span_id: None };
/// assert_eq!(entry.line, Some(39));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanTraceEntry<'a> {
    /// `module::path::function`, or `module::path::Type::method`.
    pub function: Cow<'a, str>,
    /// Where it is defined, as `file!()` says.
    pub file: Option<Cow<'a, str>>,
    /// The line of its definition.
    pub line: Option<u32>,
    /// The span of this call.
    pub span_id: Option<SpanId>,
}

/// The server span of a request another process sent: where its trace entered this service.
///
/// ```
/// use tracefault_report::ServerSpan;
/// let server = ServerSpan { method: Some("POST".into()), path: Some("/orders".into()), ..ServerSpan::default() };
/// assert_eq!(server.span_id, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerSpan<'a> {
    /// The server span.
    pub span_id: Option<SpanId>,
    /// The caller's span: its client span, which sent the request.
    pub parent_span_id: Option<SpanId>,
    /// The request's method, when the server said.
    pub method: Option<Cow<'a, str>>,
    /// The request's path, when the server said.
    pub path: Option<Cow<'a, str>>,
}

/// Where a panic happened.
///
/// ```
/// use tracefault_report::PanicLocation;
/// let location = PanicLocation { file: "src/main.rs".into(), line: 3, column: 5 };
/// assert_eq!(location.column, 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PanicLocation<'a> {
    /// The file.
    pub file: Cow<'a, str>,
    /// The line.
    pub line: u32,
    /// The column.
    pub column: u32,
}

/// An owned copy, free of the text it was read from or written for.
pub trait IntoOwned {
    /// The same value, with `'static` text.
    type Owned;
    /// Copies every borrowed string.
    fn into_owned(self) -> Self::Owned;
}

fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

fn own_opt(text: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    text.map(own)
}

impl IntoOwned for Frame<'_> {
    type Owned = Frame<'static>;
    fn into_owned(self) -> Frame<'static> {
        Frame {
            function: own(self.function),
            file: own_opt(self.file),
            line: self.line,
            user: self.user,
            source: own_opt(self.source),
        }
    }
}

impl IntoOwned for Cause<'_> {
    type Owned = Cause<'static>;
    fn into_owned(self) -> Cause<'static> {
        Cause {
            type_name: own_opt(self.type_name),
            message: own(self.message),
            remote: self.remote.map(|origin| RemoteOrigin {
                service: own_opt(origin.service),
                span_id: origin.span_id,
                status: origin.status,
                method: own_opt(origin.method),
                path: own_opt(origin.path),
                frames: origin.frames.into_iter().map(Frame::into_owned).collect(),
            }),
        }
    }
}

impl IntoOwned for Report<'_> {
    type Owned = Report<'static>;
    fn into_owned(self) -> Report<'static> {
        Report {
            kind: self.kind,
            type_name: own(self.type_name),
            message: own(self.message),
            causes: self.causes.into_iter().map(Cause::into_owned).collect(),
            frames: self
                .frames
                .map(|frames| frames.into_iter().map(Frame::into_owned).collect()),
            hidden_frames: self.hidden_frames,
            span_trace: self
                .span_trace
                .into_iter()
                .map(|entry| SpanTraceEntry {
                    function: own(entry.function),
                    file: own_opt(entry.file),
                    line: entry.line,
                    span_id: entry.span_id,
                })
                .collect(),
            traceback_note: own_opt(self.traceback_note),
            origin_untold: self.origin_untold,
            panic_location: self.panic_location.map(|location| PanicLocation {
                file: own(location.file),
                line: location.line,
                column: location.column,
            }),
            trace_id: self.trace_id,
            span_id: self.span_id,
            parent_span_id: self.parent_span_id,
            server: self.server.map(|server| ServerSpan {
                span_id: server.span_id,
                parent_span_id: server.parent_span_id,
                method: own_opt(server.method),
                path: own_opt(server.path),
            }),
            service: own_opt(self.service),
        }
    }
}
