//! `tracing` events as OTLP log records: every event the subscriber lets through, with the
//! trace and span ids of the instrumented code it happened in, its level as severity, its
//! message as body and its fields as attributes; a report as a record of its own
//! (`tracefault.report`), with the exception attributes its span event has.

use super::logs::{self, EXPORT_TARGET};
use crate::report::wire::Frames;
use crate::report::{fields, sink, ErrorReport};
use opentelemetry::logs::{AnyValue, LogRecord as _, Severity};
use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry_sdk::logs::SdkLogRecord;
use std::borrow::Cow;
use std::time::SystemTime;
use tracefault_report::json::Json;
use tracefault_report::keys;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;

/// The event name of a report's log record.
pub(crate) const REPORT_EVENT_NAME: &str = "tracefault.report";

/// A `tracing-subscriber` layer that exports events as OTLP log records while export runs
/// ([`crate::init()`] installs it; add it to a subscriber of your own with feature `otel`).
/// Without log export it costs one load per event.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogLayer;

impl<S: Subscriber> tracing_subscriber::Layer<S> for LogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let Some(pipeline) = logs::active() else {
            return;
        };
        let metadata = event.metadata();
        if metadata.target().starts_with(EXPORT_TARGET) {
            return;
        }
        let mut record = pipeline.record();
        let now = SystemTime::now();
        record.set_timestamp(now);
        record.set_observed_timestamp(now);
        let (severity, text) = severity(*metadata.level());
        record.set_severity_number(severity);
        record.set_severity_text(text);
        record.set_target(metadata.target());
        let is_report = metadata.target() == fields::TARGET && *metadata.level() == Level::ERROR;
        let reported = is_report
            && sink::with_dispatching(|report| {
                report
                    .map(|report| describe_report(&mut record, report, *metadata.level()))
                    .is_some()
            });
        if !reported {
            event.record(&mut Fields(&mut record));
        }
        set_current_ids(&mut record);
        pipeline.emit(record);
    }
}

/// A report's record: its header as body, the exception attributes of its span event, and
/// the report as the JSON log line has it ([`keys::REPORT_LINE`]).
fn describe_report(record: &mut SdkLogRecord, report: &ErrorReport, level: Level) {
    let stacktraces = super::pipeline::exports_stacktraces();
    record.set_event_name(REPORT_EVENT_NAME);
    record.set_body(AnyValue::from(format!(
        "{}: {}",
        report.type_name, report.message
    )));
    for (name, value) in sink::exception_attributes(report, stacktraces) {
        record.add_attribute(name, value);
    }
    record.add_attribute(keys::REPORT_LINE, report_line(report, level, stacktraces));
}

/// The report as tracefault's JSON log line writes it; its frames and text only when stack
/// traces may leave the process.
fn report_line(report: &ErrorReport, level: Level, stacktraces: bool) -> String {
    use tracing_subscriber::fmt::time::FormatTime as _;
    let mut timestamp = String::new();
    let _ = tracing_subscriber::fmt::time::SystemTime.format_time(
        &mut tracing_subscriber::fmt::format::Writer::new(&mut timestamp),
    );
    let frames = if stacktraces {
        Frames::Shown
    } else {
        Frames::Left
    };
    let shared = report.to_format(frames);
    let mut line: Vec<(Cow<'_, str>, Json<'_>)> = vec![
        (keys::TIMESTAMP.into(), timestamp.as_str().into()),
        (keys::LEVEL.into(), level.as_str().into()),
        (keys::LINE_TARGET.into(), fields::TARGET.into()),
    ];
    line.extend(
        shared
            .json_members()
            .into_iter()
            .map(|(name, value)| (Cow::Borrowed(name), value)),
    );
    if stacktraces {
        line.push((keys::EXCEPTION_STACKTRACE.into(), report.to_string().into()));
    }
    Json::Object(line).to_string()
}

/// The ids of the instrumented code running now, if any.
fn set_current_ids(record: &mut SdkLogRecord) {
    crate::context::scope::with_current(|scope| {
        if let Some(scope) = scope.filter(|scope| scope.has_span()) {
            record.set_trace_context(
                TraceId::from_bytes(scope.trace_id().to_bytes()),
                SpanId::from_bytes(scope.span_id().to_bytes()),
                Some(TraceFlags::new(scope.flags().to_u8())),
            );
        }
    });
}

/// OpenTelemetry's severity for a `tracing` level, as the logs data model maps them.
fn severity(level: Level) -> (Severity, &'static str) {
    match level {
        Level::TRACE => (Severity::Trace, "TRACE"),
        Level::DEBUG => (Severity::Debug, "DEBUG"),
        Level::INFO => (Severity::Info, "INFO"),
        Level::WARN => (Severity::Warn, "WARN"),
        Level::ERROR => (Severity::Error, "ERROR"),
    }
}

/// An event's fields: `message` is the body, the others attributes, each of its own type.
struct Fields<'a>(&'a mut SdkLogRecord);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.set_body(AnyValue::from(value.to_owned()));
        } else {
            self.0.add_attribute(field.name(), value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.0.set_body(AnyValue::from(text));
        } else {
            self.0.add_attribute(field.name(), text);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.add_attribute(field.name(), value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match i64::try_from(value) {
            Ok(value) => self.0.add_attribute(field.name(), value),
            Err(_) => self.0.add_attribute(field.name(), value.to_string()),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.add_attribute(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.add_attribute(field.name(), value);
    }
}
