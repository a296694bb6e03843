//! Error reports: Python's `TracebackException` for Rust.
//!
//! An [`ErrorReport`] owns everything it says (type names, messages, the source chain, the
//! span trace and the origin's [`Traceback`]) and no reference to the error, so it can be sent
//! to another thread or kept.

use crate::context::{SpanId, TraceId};
use crate::traceback::Traceback;
use std::any::Any;
use std::borrow::Cow;
use std::error::Error;
use std::fmt;

/// The longest `source()` chain a report follows; a longer one is cut, a cyclic one ends.
const MAX_CAUSES: usize = 32;

/// What failed, where it started and where it travelled.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ErrorReport {
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
    /// Why there is no traceback, when there is none.
    pub traceback_note: Option<Cow<'static, str>>,
    /// Where a panic happened.
    pub panic_location: Option<SourceLocation>,
    /// The W3C trace the error happened in.
    pub trace_id: Option<TraceId>,
    /// The span the error escaped from: the outermost instrumented function.
    pub span_id: Option<SpanId>,
}

/// One error of a `source()` chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cause {
    /// Known when the error passed through an instrumented function as itself, or is one of
    /// the standard library's error types; a `dyn Error` does not say its type otherwise.
    pub type_name: Option<Cow<'static, str>>,
    pub message: String,
}

/// An instrumented function on the error's way out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanTraceEntry {
    /// `module::path::function`.
    pub function: String,
    pub file: &'static str,
    pub line: u32,
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
        ErrorReport::new(
            known_type_name(error).unwrap_or("error"),
            error.to_string(),
            causes_of(error.source()),
        )
    }

    /// A report of a panic from its payload, as `catch_unwind` or `JoinError` hands it over.
    pub fn from_panic(payload: &(dyn Any + Send)) -> ErrorReport {
        ErrorReport::new("panic", panic_message(payload), Vec::new())
    }

    pub(crate) fn new(
        type_name: impl Into<Cow<'static, str>>,
        message: String,
        causes: Vec<Cause>,
    ) -> ErrorReport {
        ErrorReport {
            type_name: type_name.into(),
            message,
            causes,
            span_trace: Vec::new(),
            traceback: None,
            traceback_note: None,
            panic_location: None,
            trace_id: None,
            span_id: None,
        }
    }

    /// The Python-style text, as [`Display`](fmt::Display) writes it.
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
            ("exception.type", self.type_name.clone().into_owned()),
            ("exception.message", self.message.clone()),
            ("exception.stacktrace", self.format()),
        ]
    }

    /// The source paths the span trace knows as `file!()` wrote them.
    fn known_files(&self) -> Vec<&'static str> {
        self.span_trace.iter().map(|entry| entry.file).collect()
    }

    /// The report as one line of JSON; see [`ErrorReport`]'s `Serialize` for its shape.
    #[cfg(feature = "json")]
    pub fn format_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|error| {
            format!(
                "{{\"type\":\"tracefault::JsonError\",\"message\":{:?}}}",
                error.to_string()
            )
        })
    }
}

/// ```json
/// {
///   "type": "shop::StockError",
///   "message": "sku 42 is out of stock",
///   "causes": [{ "type": "std::io::Error", "message": "connection refused" }],
///   "span_trace": [{ "function": "shop::checkout", "file": "src/shop.rs", "line": 12 }],
///   "frames": [{ "function": "shop::checkout", "file": "src/shop.rs", "line": 14,
///                "column": 9, "is_user_code": true }],
///   "hidden_frames": 12,
///   "traceback_note": null,
///   "panic_location": null,
///   "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
///   "span_id": "00f067aa0ba902b7"
/// }
/// ```
/// `frames` is outermost first and `null` when no backtrace was captured; a cause's `type` is
/// `null` when it is not known.
#[cfg(feature = "json")]
impl serde::Serialize for ErrorReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Causes<'a>(&'a [Cause]);
        impl serde::Serialize for Causes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|cause| {
                    serde_json::json!({ "type": cause.type_name, "message": cause.message })
                }))
            }
        }
        let span_trace: Vec<_> = self
            .span_trace
            .iter()
            .map(|entry| serde_json::json!({ "function": entry.function, "file": entry.file, "line": entry.line }))
            .collect();
        let known_files = self.known_files();
        let frames = self.traceback.as_ref().map(|traceback| {
            traceback
                .shown_frames(&known_files)
                .iter()
                .map(|shown| {
                    serde_json::json!({
                        "function": shown.function,
                        "file": shown.file,
                        "line": shown.frame.line,
                        "column": shown.frame.column,
                        "is_user_code": shown.frame.is_user_code,
                    })
                })
                .collect::<Vec<_>>()
        });
        let panic_location = self.panic_location.as_ref().map(|location| {
            serde_json::json!({ "file": location.file, "line": location.line, "column": location.column })
        });
        let mut map = serializer.serialize_map(Some(10))?;
        map.serialize_entry("type", &self.type_name)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("causes", &Causes(&self.causes))?;
        map.serialize_entry("span_trace", &span_trace)?;
        map.serialize_entry("frames", &frames)?;
        map.serialize_entry(
            "hidden_frames",
            &self.traceback.as_ref().map_or(0, |t| t.hidden_frames()),
        )?;
        map.serialize_entry("traceback_note", &self.traceback_note)?;
        map.serialize_entry("panic_location", &panic_location)?;
        map.serialize_entry("trace_id", &self.trace_id.map(|id| id.to_string()))?;
        map.serialize_entry("span_id", &self.span_id.map(|id| id.to_string()))?;
        map.end()
    }
}

/// ```text
/// Traceback (most recent call last):
///   File "examples/quickstart.rs", line 31, in quickstart::checkout
///     reserve(order)?;
///   File "examples/quickstart.rs", line 40, in quickstart::reserve
///     fn reserve(order: &Order) -> Result<(), StockError> {
///   [12 runtime frames hidden]
/// quickstart::StockError: sku 42 is out of stock
///
/// The above error was caused by:
///   std::io::Error: connection refused
///
/// Span trace (outermost first):
///   in quickstart::checkout at examples/quickstart.rs:29
///   in quickstart::reserve at examples/quickstart.rs:39 (origin)
///
/// Trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7
/// ```
impl fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Traceback (most recent call last):")?;
        match &self.traceback {
            Some(traceback) => traceback.write_python_style(f, &self.known_files())?,
            None => {
                for entry in &self.span_trace {
                    writeln!(
                        f,
                        "  File \"{}\", line {}, in {}",
                        entry.file, entry.line, entry.function
                    )?;
                }
                if let Some(location) = &self.panic_location {
                    writeln!(
                        f,
                        "  File \"{}\", line {}, in <panic>",
                        location.file, location.line
                    )?;
                }
            }
        }
        if let Some(note) = &self.traceback_note {
            writeln!(f, "  ({note})")?;
        }
        write_error_line(f, Some(&self.type_name), &self.message)?;
        if !self.causes.is_empty() {
            writeln!(f, "\nThe above error was caused by:")?;
            for cause in &self.causes {
                f.write_str("  ")?;
                write_error_line(f, cause.type_name.as_deref(), &cause.message)?;
            }
        }
        if !self.span_trace.is_empty() {
            writeln!(f, "\nSpan trace (outermost first):")?;
            let origin = self.span_trace.len() - 1;
            for (index, entry) in self.span_trace.iter().enumerate() {
                let mark = if index == origin { " (origin)" } else { "" };
                writeln!(
                    f,
                    "  in {} at {}:{}{mark}",
                    entry.function, entry.file, entry.line
                )?;
            }
        }
        if let (Some(trace_id), Some(span_id)) = (self.trace_id, self.span_id) {
            writeln!(f, "\nTrace {trace_id}, span {span_id}")?;
        }
        Ok(())
    }
}

fn write_error_line(
    f: &mut fmt::Formatter<'_>,
    type_name: Option<&str>,
    message: &str,
) -> fmt::Result {
    match (type_name, message.is_empty()) {
        (Some(type_name), false) => writeln!(f, "{type_name}: {message}"),
        (Some(type_name), true) => writeln!(f, "{type_name}"),
        (None, _) => writeln!(f, "{message}"),
    }
}

/// The `source()` chain below an error, outermost first.
pub(crate) fn causes_of(mut source: Option<&(dyn Error + 'static)>) -> Vec<Cause> {
    let mut causes = Vec::new();
    while let Some(error) = source {
        if causes.len() == MAX_CAUSES {
            causes.push(Cause {
                type_name: None,
                message: "[further causes omitted]".into(),
            });
            break;
        }
        causes.push(Cause {
            type_name: known_type_name(error).map(Cow::Borrowed),
            message: error.to_string(),
        });
        source = error.source();
    }
    causes
}

/// The message of a panic payload: `panic!` gives a `&str` or a `String`.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// The name of the standard library's error types, which a `dyn Error` cannot tell.
pub(crate) fn known_type_name(error: &(dyn Error + 'static)) -> Option<&'static str> {
    macro_rules! known {
        ($($ty:ty => $name:literal,)*) => {
            $(if error.is::<$ty>() { return Some($name); })*
        };
    }
    known! {
        std::io::Error => "std::io::Error",
        std::fmt::Error => "std::fmt::Error",
        std::num::ParseIntError => "std::num::ParseIntError",
        std::num::ParseFloatError => "std::num::ParseFloatError",
        std::num::TryFromIntError => "std::num::TryFromIntError",
        std::str::Utf8Error => "std::str::Utf8Error",
        std::string::FromUtf8Error => "std::string::FromUtf8Error",
        std::str::ParseBoolError => "std::str::ParseBoolError",
        std::char::ParseCharError => "std::char::ParseCharError",
        std::net::AddrParseError => "std::net::AddrParseError",
        std::env::VarError => "std::env::VarError",
        std::time::SystemTimeError => "std::time::SystemTimeError",
        std::array::TryFromSliceError => "std::array::TryFromSliceError",
        std::cell::BorrowError => "std::cell::BorrowError",
        std::cell::BorrowMutError => "std::cell::BorrowMutError",
        std::sync::mpsc::RecvError => "std::sync::mpsc::RecvError",
        std::ffi::NulError => "std::ffi::NulError",
    }
    None
}

/// Type names as a reader writes them: `std::io::Error` rather than `std::io::error::Error`.
pub(crate) fn readable_type_name(type_name: &'static str) -> Cow<'static, str> {
    const REWRITES: &[(&str, &str)] = &[
        ("std::io::error::Error", "std::io::Error"),
        ("alloc::string::String", "String"),
        ("alloc::boxed::Box", "Box"),
        ("core::fmt::Error", "std::fmt::Error"),
        ("core::num::error::", "std::num::"),
        ("core::error::Error", "Error"),
    ];
    if !REWRITES.iter().any(|(from, _)| type_name.contains(from)) {
        return Cow::Borrowed(type_name);
    }
    let mut name = type_name.to_owned();
    for (from, to) in REWRITES {
        name = name.replace(from, to);
    }
    Cow::Owned(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1
                .as_deref()
                .map(|inner| inner as &(dyn Error + 'static))
        }
    }

    #[test]
    fn the_source_chain_is_kept_in_order() {
        let error = Layer(
            "top",
            Some(Box::new(Layer(
                "middle",
                Some(Box::new(Layer("bottom", None))),
            ))),
        );
        let report = ErrorReport::from_error(&error);
        let messages: Vec<&str> = report.causes.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(report.message, "top");
        assert_eq!(messages, ["middle", "bottom"]);
        let text = report.to_string();
        let middle = text.find("  middle").unwrap();
        assert!(middle < text.find("  bottom").unwrap());
    }

    #[test]
    fn a_report_without_traceback_lists_its_span_trace() {
        let mut report = ErrorReport::new(
            "app::Failure",
            "it broke".into(),
            vec![Cause {
                type_name: Some("std::io::Error".into()),
                message: "connection refused".into(),
            }],
        );
        report.span_trace = vec![
            SpanTraceEntry {
                function: "app::outer".into(),
                file: "src/app.rs",
                line: 3,
            },
            SpanTraceEntry {
                function: "app::inner".into(),
                file: "src/app.rs",
                line: 9,
            },
        ];
        report.traceback_note = Some("backtrace not captured: RUST_BACKTRACE=0".into());
        assert_eq!(
            report.to_string(),
            "Traceback (most recent call last):\n  \
             File \"src/app.rs\", line 3, in app::outer\n  \
             File \"src/app.rs\", line 9, in app::inner\n  \
             (backtrace not captured: RUST_BACKTRACE=0)\n\
             app::Failure: it broke\n\n\
             The above error was caused by:\n  \
             std::io::Error: connection refused\n\n\
             Span trace (outermost first):\n  \
             in app::outer at src/app.rs:3\n  \
             in app::inner at src/app.rs:9 (origin)\n"
        );
    }

    #[test]
    fn the_opentelemetry_attributes_name_the_exception() {
        let report = ErrorReport::new("app::Failure", "it broke".into(), Vec::new());
        let [kind, message, stacktrace] = report.otel_attributes();
        assert_eq!(kind, ("exception.type", "app::Failure".to_owned()));
        assert_eq!(message, ("exception.message", "it broke".to_owned()));
        assert_eq!(stacktrace.0, "exception.stacktrace");
        assert!(stacktrace.1.ends_with("app::Failure: it broke\n"));
    }

    #[cfg(feature = "json")]
    #[test]
    fn the_json_shape() {
        let mut report = ErrorReport::new(
            "app::Failure",
            "it broke".into(),
            vec![
                Cause {
                    type_name: Some("std::io::Error".into()),
                    message: "refused".into(),
                },
                Cause {
                    type_name: None,
                    message: "unnamed".into(),
                },
            ],
        );
        report.span_trace = vec![SpanTraceEntry {
            function: "app::run".into(),
            file: "src/app.rs",
            line: 3,
        }];
        report.traceback_note = Some("backtrace not captured: RUST_BACKTRACE=0".into());
        let json: serde_json::Value = serde_json::from_str(&report.format_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "app::Failure",
                "message": "it broke",
                "causes": [
                    { "type": "std::io::Error", "message": "refused" },
                    { "type": null, "message": "unnamed" },
                ],
                "span_trace": [{ "function": "app::run", "file": "src/app.rs", "line": 3 }],
                "frames": null,
                "hidden_frames": 0,
                "traceback_note": "backtrace not captured: RUST_BACKTRACE=0",
                "panic_location": null,
                "trace_id": null,
                "span_id": null,
            })
        );
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_frames_are_the_visible_ones_outermost_first() {
        let mut report = ErrorReport::from_error(&std::io::Error::other("x"));
        report.traceback = Some(Traceback::capture());
        let json: serde_json::Value = serde_json::from_str(&report.format_json()).unwrap();
        let frames = json["frames"].as_array().unwrap();
        assert!(frames.iter().all(|frame| frame["function"].is_string()));
        assert!(json["hidden_frames"].as_u64().unwrap() > 0);
    }

    #[test]
    fn panic_payloads_give_their_message() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("owned")), "owned");
        assert_eq!(panic_message(&42_u8), "Box<dyn Any>");
    }

    #[test]
    fn standard_type_names_are_shortened() {
        assert_eq!(
            readable_type_name("std::io::error::Error"),
            "std::io::Error"
        );
        assert_eq!(
            readable_type_name("alloc::boxed::Box<dyn core::error::Error>"),
            "Box<dyn Error>"
        );
        assert_eq!(readable_type_name("shop::StockError"), "shop::StockError");
    }
}
