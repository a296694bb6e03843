//! One span on its way to the exporter: opened where its context is made current, closed
//! into the `SpanData` the batch processor sends, with the ids `inject` put on the wire.

use super::pipeline::{self, Pipeline};
#[cfg(any(feature = "axum", feature = "reqwest", feature = "reqwest-0-12"))]
use crate::context::Context;
use crate::context::{Lineage, Scope, SpanId, SpanKind, TraceFlags, TraceId, TraceState};
use crate::report::ErrorReport;
use opentelemetry::trace::{self as otel, Event, Status};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;
use tracefault_report::keys;

/// A sampled span of this process while it runs.
#[derive(Debug)]
pub(crate) struct SpanRecord {
    start: SystemTime,
    context: otel::SpanContext,
    parent: otel::SpanId,
    parent_is_remote: bool,
    kind: otel::SpanKind,
    /// What an error or panic escaping the span wrote on it. A lock, not a cell: an
    /// instrumented future holds its frame by reference across `.await`, so the record must be
    /// `Sync` for the future to stay `Send`. It is taken only on failure and at the end.
    outcome: Mutex<Outcome>,
}

#[derive(Debug, Default)]
struct Outcome {
    status: Status,
    events: Vec<Event>,
    /// The values of `args(...)`.
    args: Vec<KeyValue>,
    /// Dropped before it finished (see `__private::cancelled`).
    cancelled: bool,
    /// `error.type`: what class of error ended the span, when one did.
    error_type: Option<Cow<'static, str>>,
}

/// The record of the span `scope` is, if spans are being exported and it is sampled.
pub(crate) fn open(scope: &Scope) -> Option<Box<SpanRecord>> {
    if !pipeline::is_active() {
        return None;
    }
    let flags = scope.flags();
    if !flags.is_sampled() {
        return None;
    }
    Some(SpanRecord::new(
        scope.trace_id(),
        scope.span_id(),
        flags,
        &scope.shared().0,
        Lineage {
            parent: scope.parent_span_id(),
            parent_is_remote: scope.parent_is_remote(),
            kind: scope.kind(),
        },
    ))
}

impl SpanRecord {
    /// A record of the span `context` describes (an HTTP exchange's), if spans are being
    /// exported and this one is sampled.
    #[cfg(any(feature = "axum", feature = "reqwest", feature = "reqwest-0-12"))]
    pub(crate) fn open(context: &Context) -> Option<Box<SpanRecord>> {
        let span = context.span.as_ref()?;
        if !pipeline::is_active() || !span.flags.is_sampled() {
            return None;
        }
        Some(SpanRecord::new(
            span.trace_id,
            span.span_id,
            span.flags,
            &span.state,
            context.lineage,
        ))
    }

    #[cold]
    #[inline(never)]
    fn new(
        trace_id: TraceId,
        span_id: SpanId,
        flags: TraceFlags,
        state: &TraceState,
        lineage: Lineage,
    ) -> Box<SpanRecord> {
        let state = state
            .header()
            .and_then(|header| header.parse().ok())
            .unwrap_or_default();
        Box::new(SpanRecord {
            start: SystemTime::now(),
            context: otel::SpanContext::new(
                otel::TraceId::from_bytes(trace_id.to_bytes()),
                otel::SpanId::from_bytes(span_id.to_bytes()),
                otel::TraceFlags::new(flags.to_u8()),
                false,
                state,
            ),
            parent: lineage.parent.map_or(otel::SpanId::INVALID, |parent| {
                otel::SpanId::from_bytes(parent.to_bytes())
            }),
            parent_is_remote: lineage.parent_is_remote,
            kind: match lineage.kind {
                SpanKind::Internal => otel::SpanKind::Internal,
                SpanKind::Server => otel::SpanKind::Server,
                SpanKind::Client => otel::SpanKind::Client,
            },
            outcome: Mutex::default(),
        })
    }

    /// The values of the parameters `#[trace(args(...))]` records, as attributes.
    pub(crate) fn set_args(&self, args: impl IntoIterator<Item = (&'static str, String)>) {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        outcome.args = args
            .into_iter()
            .map(|(name, value)| KeyValue::new(name, value))
            .collect();
    }

    /// The span's future was dropped before it finished.
    pub(crate) fn mark_cancelled(&self) {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cancelled = true;
    }

    /// An error or panic left the span: its status is `Error` with the message, `error.type`
    /// its type. Where it was raised, the span also gets the `exception` event of
    /// OpenTelemetry's semantic conventions, or (`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs`,
    /// `logs/dup`) an `exception` log record, or both; `exception.stacktrace` only when the
    /// program opted in.
    pub(crate) fn record_failure(&self, report: &ErrorReport, raised_here: bool) {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        outcome.status = Status::error(report.message.clone());
        // The concrete type, also behind `Box<dyn Error>` or `anyhow::Error`: the report names
        // the type it could tell.
        outcome.error_type = Some(report.type_name.clone());
        let signal = super::logs::exception_signal();
        if raised_here && signal != super::logs::ExceptionSignal::SpanEvents {
            super::logs::emit_exception(
                report,
                self.context.trace_id(),
                self.context.span_id(),
                self.context.trace_flags(),
            );
        }
        if raised_here && signal.span_events() {
            let attributes =
                crate::report::sink::exception_attributes(report, pipeline::exports_stacktraces())
                    .into_iter()
                    .map(|(name, value)| KeyValue::new(name, value))
                    .collect();
            outcome
                .events
                .push(Event::new("exception", SystemTime::now(), attributes, 0));
        }
    }

    /// The span failed without an error value to describe (an HTTP status, say): `error_type`
    /// is its class (`"503"`, `"_OTHER"`).
    #[cfg_attr(
        not(any(feature = "axum", feature = "reqwest", feature = "reqwest-0-12")),
        allow(dead_code)
    )]
    pub(crate) fn record_error_status(&self, error_type: Cow<'static, str>, description: String) {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        if outcome.status == Status::Unset {
            outcome.status = Status::error(description);
        }
        outcome.error_type.get_or_insert(error_type);
    }

    /// Ends the span of an instrumented function now, named and located as the function is.
    pub(crate) fn close_for(
        self,
        function: &'static str,
        qualified_name: &str,
        file: &'static str,
        line: u32,
    ) {
        let attributes = vec![
            KeyValue::new(keys::CODE_FUNCTION_NAME, qualified_name.to_owned()),
            KeyValue::new(keys::CODE_FILE_PATH, file),
            KeyValue::new(keys::CODE_LINE_NUMBER, i64::from(line)),
        ];
        self.close(function.into(), attributes);
    }

    /// Ends the span now and hands it to the exporter.
    pub(crate) fn close(self, name: Cow<'static, str>, mut attributes: Vec<KeyValue>) {
        let Some(pipeline) = pipeline::active() else {
            return;
        };
        let outcome = self
            .outcome
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        attributes.extend(outcome.args);
        if outcome.cancelled {
            attributes.push(KeyValue::new(keys::CANCELLED, true));
        }
        if let Some(error_type) = outcome.error_type {
            attributes.push(KeyValue::new(keys::ERROR_TYPE, error_type));
        }
        let mut events = SpanEvents::default();
        events.events = outcome.events;
        let data = SpanData {
            span_context: self.context,
            parent_span_id: self.parent,
            parent_span_is_remote: self.parent_is_remote,
            span_kind: self.kind,
            name,
            start_time: self.start,
            end_time: SystemTime::now(),
            attributes,
            dropped_attributes_count: 0,
            events,
            links: SpanLinks::default(),
            status: outcome.status,
            instrumentation_scope: pipeline.scope().clone(),
        };
        Pipeline::send(pipeline, data);
    }
}
