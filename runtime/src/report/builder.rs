//! The one writer of an [`ErrorReport`]: it is made at the error's origin (or a panic's site),
//! extended by each frame the error climbs, rewritten where a caller wraps it, and finished at
//! the edge. Everything else reads reports.

use super::names::{causes_of, known_type_name, panic_message, readable_type_name};
use super::{Cause, ErrorReport, ReportKind, ServerSpan, SourceLocation, SpanTraceEntry};
use crate::context::{SpanId, TraceId};
use crate::traceback::Traceback;
use std::any::Any;
use std::borrow::Cow;
use std::error::Error;

/// A report while its error is in flight.
#[derive(Debug)]
pub(crate) struct ReportBuilder {
    report: ErrorReport,
}

/// The levels an error usually climbs: room for them is made at its origin, so that climbing
/// does not reallocate.
const USUAL_LEVELS: usize = 16;

impl ReportBuilder {
    pub(crate) fn new(
        kind: ReportKind,
        type_name: Cow<'static, str>,
        message: String,
        causes: Vec<Cause>,
    ) -> ReportBuilder {
        ReportBuilder {
            report: ErrorReport {
                kind,
                type_name,
                message,
                causes,
                span_trace: Vec::with_capacity(USUAL_LEVELS),
                traceback: None,
                traceback_note: None,
                origin_known: true,
                panic_location: None,
                trace_id: None,
                span_id: None,
                parent_span_id: None,
                server: None,
                service: None,
            },
        }
    }

    /// An error seen through `dyn Error` only: its type is known only for the standard
    /// library's types.
    pub(crate) fn of_dyn_error(error: &(dyn Error + 'static)) -> ReportBuilder {
        ReportBuilder::new(
            ReportKind::Error,
            Cow::Borrowed(known_type_name(error).unwrap_or("error")),
            error.to_string(),
            causes_of(error.source()),
        )
    }

    /// An error of the type `type_name` (as `type_name` says it) with `message` and `causes`.
    pub(crate) fn of_error(
        type_name: &'static str,
        message: String,
        causes: Vec<Cause>,
    ) -> ReportBuilder {
        ReportBuilder::new(
            ReportKind::Error,
            readable_type_name(type_name),
            message,
            causes,
        )
    }

    pub(crate) fn of_panic_payload(payload: &(dyn Any + Send)) -> ReportBuilder {
        ReportBuilder::of_panic(panic_message(payload))
    }

    pub(crate) fn of_panic(message: String) -> ReportBuilder {
        ReportBuilder::new(
            ReportKind::Panic,
            Cow::Borrowed("panic"),
            message,
            Vec::new(),
        )
    }

    pub(crate) fn report(&self) -> &ErrorReport {
        &self.report
    }

    pub(crate) fn traceback(&mut self, traceback: Traceback) {
        self.report.traceback = Some(traceback);
    }

    /// Why there is no traceback.
    pub(crate) fn note(&mut self, note: Cow<'static, str>) {
        self.report.traceback_note = Some(note);
    }

    /// The error continues one of `calls` callees' errors that say the same in everything a
    /// report shows, down to the functions they climbed: the origin is theirs, but which call
    /// it was is not known, so the span ids below here (one call's) are left out, and so is
    /// the traceback unless every call's stack was the `same_stack`.
    pub(crate) fn one_of_alike(&mut self, calls: usize, same_stack: bool) {
        for entry in &mut self.report.span_trace {
            entry.span_id = None;
        }
        let origin = self
            .report
            .span_trace
            .first()
            .map(|entry| entry.function.clone());
        let origin = origin.as_deref().unwrap_or("one function");
        let mut note = format!(
            "one of {calls} errors alike, each from {origin}: which call, nothing told, so \
             their span ids are left out"
        );
        if !same_stack && self.report.traceback.take().is_some() {
            note.push_str(", and the traceback, as their stacks differ");
        }
        self.report.traceback_note = Some(match self.report.traceback_note.take() {
            Some(why) => Cow::Owned(format!("{note}; {why}")),
            None => Cow::Owned(note),
        });
    }

    /// Which callee's error this is could not be told, for the reason `why`: the report
    /// starts where it was returned, names no callee, and has no traceback, as the stack there
    /// is not its origin's.
    pub(crate) fn origin_untold(&mut self, why: Cow<'static, str>) {
        self.report.origin_known = false;
        self.report.traceback = None;
        self.report.traceback_note = Some(why);
    }

    /// The panic's traceback, captured by the panic hook, starts in `origin`, the first
    /// instrumented function that the panic reached.
    pub(crate) fn origin_of_panic(&mut self, origin: crate::traceback::Origin) {
        if let Some(traceback) = &mut self.report.traceback {
            traceback.set_origin(origin);
        }
    }

    pub(crate) fn panic_location(&mut self, location: SourceLocation) {
        self.report.panic_location = Some(location);
    }

    /// A caller returned an error whose `source()` chain (`causes`) holds this one at
    /// `position`: the wrapper heads the report, the wrapped error keeps its type name in the
    /// chain, and the origin's traceback stays.
    pub(crate) fn wrapped_by(
        &mut self,
        type_name: &'static str,
        message: String,
        causes: Vec<Cause>,
        position: usize,
    ) {
        let report = &mut self.report;
        let wrapped_type = core::mem::replace(&mut report.type_name, readable_type_name(type_name));
        let wrapped_causes = core::mem::take(&mut report.causes);
        report.message = message;
        report.causes = causes;
        // The chain is walked again here; an error whose `source()` changed between the two
        // walks keeps its chain unnamed rather than misnamed.
        if let Some(cause) = report.causes.get_mut(position) {
            cause.type_name = Some(wrapped_type);
        }
        let below = report.causes.iter_mut().skip(position + 1);
        for (cause, known) in below.zip(wrapped_causes) {
            if cause.type_name.is_none() && cause.message == known.message {
                cause.type_name = known.type_name;
            }
        }
    }

    /// The error passed through one more instrumented function.
    pub(crate) fn climbed(&mut self, entry: SpanTraceEntry) {
        self.report.span_trace.push(entry);
    }

    /// The function the error has reached is the outermost: the report is finished with its
    /// ids, and the span trace is turned outermost first.
    pub(crate) fn at_edge(&mut self, edge: Edge) {
        let report = &mut self.report;
        if edge.trace_id.is_valid() {
            report.trace_id = Some(edge.trace_id);
            report.span_id = Some(edge.span_id);
            report.parent_span_id = edge.parent_span_id;
        }
        report.server = edge.server;
        report.service = edge.service;
    }

    #[cfg(test)]
    pub(crate) fn with_span_trace(&mut self, outermost_first: Vec<SpanTraceEntry>) {
        self.report.span_trace = outermost_first;
        self.report.span_trace.reverse();
    }

    /// The report, its span trace outermost first.
    pub(crate) fn finish(mut self) -> ErrorReport {
        self.report.span_trace.reverse();
        self.report
    }

    /// The report finished where it is, its span trace outermost first: for a report that is
    /// emitted and then let go.
    pub(crate) fn finished(&mut self) -> &ErrorReport {
        self.report.span_trace.reverse();
        &self.report
    }
}

/// What the outermost frame knows of where the error leaves it.
#[derive(Debug)]
pub(crate) struct Edge {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    pub(crate) parent_span_id: Option<SpanId>,
    pub(crate) server: Option<ServerSpan>,
    pub(crate) service: Option<Cow<'static, str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
    fn a_wrapper_heads_the_report_and_names_what_it_wrapped() {
        let inner = Layer("bottom", None);
        let mut builder = ReportBuilder::of_error("app::Inner", "bottom".into(), Vec::new());
        let wrapper = Layer("top", Some(Box::new(inner)));
        builder.wrapped_by("app::Outer", "top".into(), causes_of(wrapper.source()), 0);
        let report = builder.finish();
        assert_eq!(report.type_name, "app::Outer");
        assert_eq!(report.causes[0].type_name.as_deref(), Some("app::Inner"));
        assert_eq!(report.causes[0].message, "bottom");
    }

    #[test]
    fn the_span_trace_is_finished_outermost_first() {
        let mut builder = ReportBuilder::of_panic("boom".into());
        for (function, line) in [("app::inner", 9), ("app::outer", 3)] {
            builder.climbed(SpanTraceEntry {
                function: function.into(),
                file: "src/app.rs",
                line,
                span_id: None,
            });
        }
        let report = builder.finish();
        assert_eq!(report.origin().unwrap().function, "app::inner");
        assert_eq!(report.span_trace[0].function, "app::outer");
        assert_eq!(report.kind, ReportKind::Panic);
    }

    #[test]
    fn the_opentelemetry_attributes_name_the_exception() {
        let report = ReportBuilder::new(
            ReportKind::Error,
            "app::Failure".into(),
            "it broke".into(),
            vec![],
        )
        .finish();
        let [kind, message, stacktrace] = report.otel_attributes();
        assert_eq!(kind, ("exception.type", "app::Failure".to_owned()));
        assert_eq!(message, ("exception.message", "it broke".to_owned()));
        assert_eq!(stacktrace.0, "exception.stacktrace");
        assert!(stacktrace.1.ends_with("app::Failure: it broke\n"));
    }
}
