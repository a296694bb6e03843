//! The names under which reports and spans say what failed, defined once: `tracing` fields,
//! OpenTelemetry attributes and the keys of JSON lines. The macro crate declares the span
//! fields under the same names (a test checks that the two lists agree).

/// The target of every event tracefault emits (reports, "error handled").
pub const TARGET: &str = "tracefault";

/// Span field: an error or panic escaped this span.
pub const ERROR: &str = "error";
/// Span field, report field and OpenTelemetry attribute: the error's type.
pub const EXCEPTION_TYPE: &str = "exception.type";
/// Span field, report field and OpenTelemetry attribute: the error's message.
pub const EXCEPTION_MESSAGE: &str = "exception.message";
/// Report field and OpenTelemetry attribute: the report's Python-style text.
pub const EXCEPTION_STACKTRACE: &str = "exception.stacktrace";

/// The fields every `#[trace]` span declares for itself: the first three empty until an error
/// escapes it, the ids empty unless ids are recorded as fields (`Config::ids_as_fields`).
pub const SPAN_FIELDS: &[&str] = &[ERROR, EXCEPTION_TYPE, EXCEPTION_MESSAGE, TRACE_ID, SPAN_ID];

/// Report field: `error` or `panic`.
pub const EXCEPTION_KIND: &str = "exception.kind";
/// Report field: the `source()` chain, `[{type, message}]`.
pub const EXCEPTION_CAUSES: &str = "exception.causes";
/// Report field: the traceback's shown frames, `[{function, file, line, user}]`.
pub const EXCEPTION_FRAMES: &str = "exception.frames";
/// Report field: how many frames the traceback hides.
pub const EXCEPTION_HIDDEN_FRAMES: &str = "exception.hidden_frames";
/// Report field: the instrumented functions the error passed, `[{function, file, line, span_id}]`.
pub const EXCEPTION_SPAN_TRACE: &str = "exception.span_trace";

/// Report field: why there is no traceback.
pub const EXCEPTION_TRACEBACK_NOTE: &str = "exception.traceback_note";
/// Report field: where a panic happened, `{file, line, column}`.
pub const EXCEPTION_PANIC_LOCATION: &str = "exception.panic_location";

/// The W3C ids of the span an event belongs to (a report's: the span the error escaped).
pub const TRACE_ID: &str = "trace_id";
pub const SPAN_ID: &str = "span_id";
pub const PARENT_SPAN_ID: &str = "parent_span_id";
/// The server span of the request a report's error happened in, and its remote parent.
pub const SERVER_SPAN_ID: &str = "server.span_id";
pub const SERVER_PARENT_SPAN_ID: &str = "server.parent_span_id";
/// That request's method and path, as OpenTelemetry's HTTP conventions name them.
pub const HTTP_REQUEST_METHOD: &str = "http.request.method";
pub const URL_PATH: &str = "url.path";
/// The reporting service.
pub const SERVICE: &str = "service";
