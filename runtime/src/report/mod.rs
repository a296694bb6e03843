//! Error reports: Python's `TracebackException` for Rust.
//!
//! An [`ErrorReport`] owns everything it says (type names, messages, the source chain, the
//! span trace and the origin's [`Traceback`]) and no reference to the error, so it can be sent
//! to another thread or kept. Inside tracefault one module writes it, [`builder`], while an
//! error travels; `wire` maps it onto the shared format of `tracefault-report`, whose layout
//! [`render`] writes as the Python-style text and whose JSON writer writes the structured form;
//! [`sink`] hands a finished report to `tracing` under the names in [`fields`].

pub(crate) mod builder;
pub mod fields;
pub(crate) mod names;
pub(crate) mod remote_error;
mod render;
pub(crate) mod sink;
pub(crate) mod wire;

use crate::context::{SpanId, TraceId};
use crate::traceback::Traceback;
use std::any::Any;
use std::borrow::Cow;
use std::error::Error;

/// What failed, where it started and where it travelled.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ErrorReport {
    /// An error returned, or a panic.
    pub kind: ReportKind,
    /// The error's type (`shop::StockError`), or `panic`.
    pub type_name: Cow<'static, str>,
    pub message: String,
    /// The `source()` chain, outermost first.
    pub causes: Vec<Cause>,
    /// The instrumented functions the error passed through, outermost (the edge) first and
    /// the origin last.
    pub span_trace: Vec<SpanTraceEntry>,
    /// The stack at the origin, when one was captured.
    pub traceback: Option<Traceback>,
    /// Why there is no traceback, when there is none; or what the traceback and span trace
    /// cannot tell (which of several alike calls the error came from).
    pub traceback_note: Option<Cow<'static, str>>,
    /// Whether the last function of the span trace is where the error was made. It is not
    /// when callees returned errors that agree with it in everything, and the report could not
    /// tell which it was: it then starts where the error was returned, and says so.
    pub origin_known: bool,
    /// Where a panic happened.
    pub panic_location: Option<SourceLocation>,
    /// The W3C trace the error happened in.
    pub trace_id: Option<TraceId>,
    /// The span the error escaped from: the outermost instrumented function.
    pub span_id: Option<SpanId>,
    /// That span's parent.
    pub parent_span_id: Option<SpanId>,
    /// The request from another process the error happened in, when there was one.
    pub server: Option<ServerSpan>,
    /// The service that reports (`Config::service_name`, `OTEL_SERVICE_NAME`).
    pub service: Option<Cow<'static, str>>,
}

/// Whether a report is of an error or a panic: the shared format's, so that a line's
/// `exception.kind` is spelled once.
pub use tracefault_report::ReportKind;

/// One error of a `source()` chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cause {
    /// Known when the error passed through an instrumented function as itself, or is one of
    /// the standard library's error types, or came from another service that said; a
    /// `dyn Error` does not say its type otherwise.
    pub type_name: Option<Cow<'static, str>>,
    pub message: String,
    /// Where the error ran, when that was another service (it crossed the wire in a
    /// [`RemoteError`](remote_error::RemoteError)).
    pub remote: Option<Box<RemoteOrigin>>,
}

impl Cause {
    pub fn new(type_name: Option<Cow<'static, str>>, message: String) -> Cause {
        Cause {
            type_name,
            message,
            remote: None,
        }
    }
}

/// The service an error of a chain ran in, as the answer that carried it said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteOrigin {
    pub service: Option<String>,
    /// The server span that handled the request there.
    pub span_id: Option<SpanId>,
    /// The status it answered with, and the request it answered.
    pub status: Option<u16>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The error's frames there, outermost first, when that service exposes them.
    pub frames: Vec<RemoteFrame>,
}

/// A frame of another service's traceback.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteFrame {
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

impl RemoteFrame {
    pub fn new(function: String, file: Option<String>, line: Option<u32>) -> RemoteFrame {
        RemoteFrame {
            function,
            file,
            line,
        }
    }
}

/// An instrumented function on the error's way out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanTraceEntry {
    /// `module::path::function`, or `module::path::Type::method`.
    pub function: Cow<'static, str>,
    pub file: &'static str,
    pub line: u32,
    /// The span of this call.
    pub span_id: Option<SpanId>,
}

/// The server span of a request another process sent: where its trace entered this service.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerSpan {
    pub span_id: SpanId,
    /// The caller's span: its client span, which sent the request.
    pub parent_span_id: Option<SpanId>,
    /// The request's method and path, when the server said.
    pub method: Option<String>,
    pub path: Option<String>,
}

/// A file, line and column in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl ErrorReport {
    /// A report of `error` and its `source()` chain, without a span trace or traceback.
    ///
    /// ```
    /// let error = std::io::Error::new(std::io::ErrorKind::NotFound, "no such sku");
    /// let report = tracefault::report::ErrorReport::from_error(&error);
    /// assert_eq!(report.type_name, "std::io::Error");
    /// assert_eq!(report.message, "no such sku");
    /// ```
    pub fn from_error(error: &(dyn Error + 'static)) -> ErrorReport {
        builder::ReportBuilder::of_dyn_error(error).finish()
    }

    /// A report of a panic from its payload, as `catch_unwind` or `JoinError` hands it over.
    pub fn from_panic(payload: &(dyn Any + Send)) -> ErrorReport {
        builder::ReportBuilder::of_panic_payload(payload).finish()
    }

    /// The Python-style text, as [`Display`](std::fmt::Display) writes it.
    pub fn format(&self) -> String {
        self.to_string()
    }

    /// The instrumented function where the error started.
    pub fn origin(&self) -> Option<&SpanTraceEntry> {
        self.span_trace.last()
    }

    /// The OpenTelemetry semantic-convention attributes of an exception: `exception.type`,
    /// `exception.message` and `exception.stacktrace` (the text of [`ErrorReport::format`]).
    pub fn otel_attributes(&self) -> [(&'static str, String); 3] {
        [
            (fields::EXCEPTION_TYPE, self.type_name.clone().into_owned()),
            (fields::EXCEPTION_MESSAGE, self.message.clone()),
            (fields::EXCEPTION_STACKTRACE, self.format()),
        ]
    }

    /// The report as one line of JSON:
    ///
    /// ```json
    /// {"kind": "error", "type": "shop::StockError", "message": "sku 42 is out of stock",
    ///  "causes": [{"type": "std::io::Error", "message": "connection refused"}],
    ///  "frames": [{"function": "shop::checkout", "file": "src/shop.rs", "line": 14, "user": true}],
    ///  "hidden_frames": 12,
    ///  "span_trace": [{"function": "shop::checkout", "file": "src/shop.rs", "line": 12, "span_id": "00f067aa0ba902b7"}],
    ///  "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"}
    /// ```
    ///
    /// `frames` (outermost first) is absent when no backtrace was captured, and so is every
    /// other member that has no value; a cause's `type` is `null` when it is not known.
    pub fn format_json(&self) -> String {
        self.to_format(wire::Frames::Shown)
            .json_object()
            .to_string()
    }

    /// The source paths the span trace knows as `file!()` wrote them.
    pub(crate) fn known_files(&self) -> Vec<&'static str> {
        self.span_trace.iter().map(|entry| entry.file).collect()
    }
}

/// The report as [`ErrorReport::format_json`] writes it.
#[cfg(feature = "json")]
impl serde::Serialize for ErrorReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JsonValue(&self.to_format(wire::Frames::Shown).json_object()).serialize(serializer)
    }
}

/// `serde::Serialize` for the shared format's JSON value, which has no serde of its own.
#[cfg(feature = "json")]
struct JsonValue<'v, 'a>(&'v tracefault_report::json::Json<'a>);

#[cfg(feature = "json")]
impl serde::Serialize for JsonValue<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        use tracefault_report::json::Json;
        match self.0 {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Number(value) => serializer.serialize_i64(*value),
            Json::Float(value) if value.is_finite() => serializer.serialize_f64(*value),
            Json::Float(_) => serializer.serialize_unit(),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsonValue(item))?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name.as_ref(), &JsonValue(value))?;
                }
                map.end()
            }
        }
    }
}
