//! Where finished reports go: one `ERROR` event per report (`WARN` for an expected error),
//! whose fields any subscriber can
//! read, with the report itself handed to tracefault's own layer for as long as the event is
//! being recorded, so that it writes the report structured rather than parse it back. Fields
//! carry the values as they are; whoever shows them escapes them (the report's own text, in
//! `exception.stacktrace`, is escaped already).

use super::{fields, ErrorReport};
use core::cell::Cell;
use core::ptr;
use tracing::Span;

thread_local! {
    /// The report whose event is being dispatched on this thread, null otherwise.
    static DISPATCHING: Cell<*const ErrorReport> = const { Cell::new(ptr::null()) };
}

/// Emits `report`'s event, in `span` when it is enabled: the error left `edge`, the outermost
/// instrumented function. An `expected` error (`#[trace(expected)]`, a callee's 4xx) is a
/// `WARN` event, "expected error escaped ...": an outcome to count, not a failure to page for.
pub(crate) fn emit(report: &ErrorReport, span: &Span, edge: &str, expected: bool) {
    let previous = DISPATCHING.with(|current| current.replace(report));
    let trace_id = report.trace_id.unwrap_or(crate::context::TraceId::INVALID);
    let span_id = report.span_id.unwrap_or(crate::context::SpanId::INVALID);
    let kind = report.kind.as_str();
    // `tracing` fixes an event's level where it is written: one call per level.
    macro_rules! event {
        ($level:expr, $prefix:literal, $($parent:tt)*) => {
            tracing::event!(
                target: "tracefault",
                $($parent)*
                $level,
                { fields::EXCEPTION_TYPE } = %report.type_name,
                { fields::EXCEPTION_MESSAGE } = %report.message,
                { fields::EXCEPTION_STACKTRACE } = %report,
                { fields::TRACE_ID } = %trace_id,
                { fields::SPAN_ID } = %span_id,
                "{}{kind} escaped {edge}", $prefix
            )
        };
    }
    match (expected, span.is_disabled()) {
        (false, true) => event!(tracing::Level::ERROR, "",),
        (false, false) => event!(tracing::Level::ERROR, "", parent: span,),
        (true, true) => event!(tracing::Level::WARN, "expected ",),
        (true, false) => event!(tracing::Level::WARN, "expected ", parent: span,),
    }
    DISPATCHING.with(|current| current.set(previous));
}

/// Emits the report of a panic caught inside `function` (by `catch_unwind` or the like,
/// inside instrumented code), in `span`: an `ERROR` event, "panic caught in ...". std's
/// hook prints a panic whether or not it is caught; tracefault, which does not call it for
/// the panics it records, reports a caught one rather than lose it.
pub(crate) fn caught(report: &ErrorReport, span: &Span, function: &str) {
    let previous = DISPATCHING.with(|current| current.replace(report));
    let trace_id = report.trace_id.unwrap_or(crate::context::TraceId::INVALID);
    let span_id = report.span_id.unwrap_or(crate::context::SpanId::INVALID);
    let kind = report.kind.as_str();
    macro_rules! event {
        ($($parent:tt)*) => {
            tracing::event!(
                target: "tracefault",
                $($parent)*
                tracing::Level::ERROR,
                { fields::EXCEPTION_TYPE } = %report.type_name,
                { fields::EXCEPTION_MESSAGE } = %report.message,
                { fields::EXCEPTION_STACKTRACE } = %report,
                { fields::TRACE_ID } = %trace_id,
                { fields::SPAN_ID } = %span_id,
                "{kind} caught in {function}"
            )
        };
    }
    if span.is_disabled() {
        event!();
    } else {
        event!(parent: span,);
    }
    DISPATCHING.with(|current| current.set(previous));
}

/// The report whose event is being recorded on this thread, for tracefault's layer.
#[cfg_attr(not(feature = "subscriber"), allow(dead_code))]
pub(crate) fn with_dispatching<R>(f: impl FnOnce(Option<&ErrorReport>) -> R) -> R {
    // SAFETY: the pointer is set only while `emit` holds the report borrowed, on this thread.
    f(unsafe { DISPATCHING.with(Cell::get).as_ref() })
}

/// The attributes of the OpenTelemetry `exception` event of where `report`'s error was raised:
/// `exception.type`, `exception.message`, the `source()` chain (with what other services said)
/// as JSON in `exception.causes`, and with `stacktrace` the report's text.
#[cfg_attr(not(feature = "otel"), allow(dead_code))]
pub(crate) fn exception_attributes(
    report: &ErrorReport,
    stacktrace: bool,
) -> Vec<(&'static str, String)> {
    let mut attributes = vec![
        (
            fields::EXCEPTION_TYPE,
            report.type_name.clone().into_owned(),
        ),
        (fields::EXCEPTION_MESSAGE, report.message.clone()),
    ];
    if !report.causes.is_empty() {
        let causes: Vec<_> = report.causes.iter().map(super::wire::cause).collect();
        let causes = tracefault_report::json::causes_json(&causes).to_string();
        attributes.push((fields::EXCEPTION_CAUSES, causes));
    }
    if stacktrace {
        attributes.push((fields::EXCEPTION_STACKTRACE, report.format()));
    }
    attributes
}

/// An error did not leave the function that received it: no report, a `DEBUG` event saying
/// so.
pub(crate) fn handled(report: &ErrorReport) {
    tracing::event!(
        target: "tracefault",
        tracing::Level::DEBUG,
        { fields::EXCEPTION_TYPE } = %report.type_name,
        { fields::EXCEPTION_MESSAGE } = %report.message,
        "error handled"
    );
}

/// `TARGET` is what the events above are emitted under: `tracing` needs it as a literal.
const _: () = assert!(matches!(fields::TARGET.as_bytes(), b"tracefault"));
