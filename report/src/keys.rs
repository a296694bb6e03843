//! Every name a report is written under, defined once: the keys of a JSON log line, the
//! `tracing` span fields of `#[trace]` and the OpenTelemetry attributes of an exception. The
//! runtime writes these, the macros reserve [`SPAN_FIELDS`], the command reads them: a key
//! renamed here is renamed everywhere.
//!
//! ```
//! use tracefault_report::keys;
//! assert_eq!(keys::EXCEPTION_TYPE, "exception.type");
//! assert!(keys::SPAN_FIELDS.contains(&keys::TRACE_ID));
//! ```

/// The target of every event tracefault emits (reports, "error handled").
pub const TARGET: &str = "tracefault";

/// Line key: when the event happened, RFC 3339.
pub const TIMESTAMP: &str = "timestamp";
/// Line key: the event's level (`ERROR`, `INFO`, ...).
pub const LEVEL: &str = "level";
/// Line key: the event's target.
pub const LINE_TARGET: &str = "target";
/// Line key: the event's message.
pub const MESSAGE: &str = "message";
/// Line key: the names of the spans the event is in, outermost first.
pub const SPANS: &str = "spans";

/// Span field: an error or panic escaped this span.
pub const ERROR: &str = "error";
/// Span field, report field and OpenTelemetry attribute: the error's type.
pub const EXCEPTION_TYPE: &str = "exception.type";
/// Span field, report field and OpenTelemetry attribute: the error's message.
pub const EXCEPTION_MESSAGE: &str = "exception.message";
/// Report field and OpenTelemetry attribute: the report's Python-style text.
pub const EXCEPTION_STACKTRACE: &str = "exception.stacktrace";

/// The fields every `#[trace]` span declares for itself: the first three empty until an error
/// escapes it, the ids empty unless ids are recorded as fields. A user's `args(...)` or
/// `fields(...)` cannot take them.
pub const SPAN_FIELDS: &[&str] = &[ERROR, EXCEPTION_TYPE, EXCEPTION_MESSAGE, TRACE_ID, SPAN_ID];

/// What the report fields of a line start with, and what the one-object form
/// ([`crate::Report::json_object`]) leaves out of their names.
pub const EXCEPTION_PREFIX: &str = "exception.";
/// Report field: `error` or `panic`.
pub const EXCEPTION_KIND: &str = "exception.kind";
/// Report field and OpenTelemetry attribute: the `source()` chain, `[{type, message, ...}]`
/// (the members in [`member`]).
pub const EXCEPTION_CAUSES: &str = "exception.causes";
/// Report field: the traceback's shown frames, `[{function, file, line, user}]`.
pub const EXCEPTION_FRAMES: &str = "exception.frames";
/// Report field: how many frames the traceback hides.
pub const EXCEPTION_HIDDEN_FRAMES: &str = "exception.hidden_frames";
/// Report field: the instrumented functions the error passed, `[{function, file, line, span_id}]`.
pub const EXCEPTION_SPAN_TRACE: &str = "exception.span_trace";
/// Report field: why there is no traceback.
pub const EXCEPTION_TRACEBACK_NOTE: &str = "exception.traceback_note";
/// Report field: `true` when the error's origin could not be told (callees' errors that
/// nothing told apart): the span trace then ends where the error was returned, not where it
/// started. Absent otherwise.
pub const EXCEPTION_ORIGIN_UNTOLD: &str = "exception.origin_untold";
/// Report field: where a panic happened, `{file, line, column}`.
pub const EXCEPTION_PANIC_LOCATION: &str = "exception.panic_location";

/// The W3C trace id of the span an event belongs to (a report's: the span the error escaped).
pub const TRACE_ID: &str = "trace_id";
/// The W3C span id of that span.
pub const SPAN_ID: &str = "span_id";
/// That span's parent.
pub const PARENT_SPAN_ID: &str = "parent_span_id";
/// The server span of the request a report's error happened in.
pub const SERVER_SPAN_ID: &str = "server.span_id";
/// That server span's remote parent: the caller's client span.
pub const SERVER_PARENT_SPAN_ID: &str = "server.parent_span_id";
/// That request's method, as OpenTelemetry's HTTP conventions name it.
pub const HTTP_REQUEST_METHOD: &str = "http.request.method";
/// That request's path, as OpenTelemetry's HTTP conventions name it.
pub const URL_PATH: &str = "url.path";
/// The reporting service.
pub const SERVICE: &str = "service";
/// Event field and span attribute: an instrumented future was dropped before it finished
/// (`true`); its status stays unset.
pub const CANCELLED: &str = "tracefault.cancelled";
/// Event field: how long a cancelled future had run, first poll to drop, in microseconds.
pub const ELAPSED_US: &str = "tracefault.elapsed_us";
/// Span attribute and event field: an instrumented function, as OpenTelemetry's code
/// attributes name it (semantic conventions 1.33 and later); on an exported span, and on a
/// cancelled future's event.
pub const CODE_FUNCTION_NAME: &str = "code.function.name";
/// Resource attribute: the service that exported a span, as OpenTelemetry names it.
pub const SERVICE_NAME: &str = "service.name";
/// Log record attribute: a report's record carries the report as tracefault's JSON log line
/// writes it (its frames and `exception.stacktrace` only where stack traces may leave the
/// process), so that a collector's logs file tells the command the same story as the line.
pub const REPORT_LINE: &str = "tracefault.report.line";
/// Resource attribute: that service's version (semantic conventions 1.37).
pub const SERVICE_VERSION: &str = "service.version";
/// Span attribute: the class of error that ended the span, low in cardinality, as
/// OpenTelemetry's conventions for failed operations name it (semantic conventions 1.37,
/// `error.type`): the Rust type of the error, an HTTP status code as text, or `_OTHER`.
pub const ERROR_TYPE: &str = "error.type";
/// Span attribute: the instrumented function's file.
pub const CODE_FILE_PATH: &str = "code.file.path";
/// Span attribute: the line of the instrumented function's attribute.
pub const CODE_LINE_NUMBER: &str = "code.line.number";

/// The members of the objects inside a report: a cause, a frame, a span trace entry, a panic
/// location.
pub mod member {
    /// A cause's type name (`null` when not known).
    pub const TYPE: &str = "type";
    /// A cause's message.
    pub const MESSAGE: &str = "message";
    /// The service a remote cause ran in.
    pub const SERVICE: &str = "service";
    /// A remote cause's server span, or a span trace entry's span.
    pub const SPAN_ID: &str = "span_id";
    /// The HTTP status a remote cause was answered with.
    pub const STATUS: &str = "status";
    /// The method of the request a remote cause answered.
    pub const METHOD: &str = "method";
    /// The path of the request a remote cause answered.
    pub const PATH: &str = "path";
    /// A remote cause's frames there.
    pub const FRAMES: &str = "frames";
    /// A frame's or span trace entry's function.
    pub const FUNCTION: &str = "function";
    /// A frame's, span trace entry's or panic location's file.
    pub const FILE: &str = "file";
    /// A frame's, span trace entry's or panic location's line.
    pub const LINE: &str = "line";
    /// A panic location's column.
    pub const COLUMN: &str = "column";
    /// Whether a frame is the application's own code.
    pub const USER: &str = "user";
}
