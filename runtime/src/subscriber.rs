//! `tracefault::layer()`: a `tracing-subscriber` fmt layer whose lines show tracefault's
//! reports as the tracebacks they are, readable on a terminal and as JSON lines for log
//! collectors, with the W3C ids of the running code on every line. Text from outside (field
//! values, messages) is escaped in both, so that no log line can forge another or drive a
//! terminal.

use crate::context::ContextLayer;
use crate::report::wire::Frames;
use crate::report::{fields, sink, ErrorReport};
use crate::settings::env::Variable;
use core::any::TypeId;
use std::fmt::{self, Write as _};
use tracefault_report::escape::write_escaped;
use tracefault_report::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

/// How [`layer`] writes events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event; reports as a header line and the indented traceback.
    Pretty,
    /// One JSON object per line, with `trace_id` and `span_id` inside instrumented code, and
    /// reports structured.
    Json,
}

impl LogFormat {
    /// `TRACEFAULT_LOG_FORMAT` (`pretty` or `json`) if set; otherwise `Pretty` when standard
    /// output is a terminal and `Json` when it is not (a file, a pipe, a container's log).
    pub fn from_env() -> LogFormat {
        use std::io::IsTerminal as _;
        match crate::settings::env::read(Variable::LogFormat).as_deref() {
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            _ if std::io::stdout().is_terminal() => LogFormat::Pretty,
            _ => LogFormat::Json,
        }
    }
}

/// The `tracing-subscriber` layer that [`crate::init()`] installs, for a subscriber of your own:
/// `tracing_subscriber::registry().with(tracefault::layer()).with(filter)`. It writes to
/// standard output in the [`LogFormat::from_env`] format; `.with_writer(...)` changes where.
pub fn layer<S>() -> Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    use std::io::IsTerminal as _;
    let format = LogFormat::from_env();
    let ansi = format == LogFormat::Pretty
        && std::io::stdout().is_terminal()
        && crate::settings::env::read(Variable::NoColor).is_none();
    Layer {
        lines: tracing_subscriber::fmt::layer()
            .with_ansi(ansi)
            .fmt_fields(EscapedFields)
            .event_format(EventFormat { format }),
        context: ContextLayer,
    }
}

/// The type of [`layer`]: a `tracing_subscriber::fmt` layer with tracefault's formatting,
/// and [`ContextLayer`], which lets `tracing` spans made inside instrumented code carry its
/// trace to where they are entered (`tokio::spawn(work().instrument(span))`).
pub struct Layer<S, W = fn() -> std::io::Stdout> {
    lines: tracing_subscriber::fmt::Layer<S, EscapedFields, EventFormat, W>,
    context: ContextLayer,
}

impl<S, W> Layer<S, W> {
    /// The same lines, written by `writer` (`std::io::stderr`, a file, `std::io::sink`).
    pub fn with_writer<W2>(self, writer: W2) -> Layer<S, W2>
    where
        W2: for<'writer> MakeWriter<'writer> + 'static,
    {
        Layer {
            lines: self.lines.with_writer(writer),
            context: self.context,
        }
    }

    /// The same lines, with ANSI colours or without.
    pub fn with_ansi(self, ansi: bool) -> Layer<S, W> {
        Layer {
            lines: self.lines.with_ansi(ansi),
            context: self.context,
        }
    }
}

impl<S, W> fmt::Debug for Layer<S, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer").finish_non_exhaustive()
    }
}

// Every call goes to the lines' layer; the context layer hears of the spans made, entered and
// left, after the lines' layer has.
impl<S, W> tracing_subscriber::Layer<S> for Layer<S, W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'writer> MakeWriter<'writer> + 'static,
{
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.lines.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.lines.on_layer(subscriber);
    }

    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        self.lines.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.lines.enabled(metadata, ctx)
    }

    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.lines.on_new_span(attributes, id, ctx.clone());
        self.context.on_new_span(attributes, id, ctx);
    }

    fn on_record(&self, span: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.lines.on_record(span, values, ctx);
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: Context<'_, S>) {
        self.lines.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(&self, event: &Event<'_>, ctx: Context<'_, S>) -> bool {
        self.lines.event_enabled(event, ctx)
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.lines.on_event(event, ctx);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.lines.on_enter(id, ctx.clone());
        self.context.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.lines.on_exit(id, ctx.clone());
        self.context.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.lines.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &Id, new: &Id, ctx: Context<'_, S>) {
        self.lines.on_id_change(old, new, ctx);
    }

    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        if id == TypeId::of::<Self>() {
            return Some(self as *const Self as *const ());
        }
        if id == TypeId::of::<ContextLayer>() {
            return Some(&self.context as *const ContextLayer as *const ());
        }
        // SAFETY: the lines' layer answers for its own types, as `Layered` asks it to.
        unsafe { self.lines.downcast_raw(id) }
    }
}

/// `RUST_LOG` filtering (default `info`), [`layer`] and `more` (export's log records, which
/// the caller, above both, chooses), as the global subscriber.
pub(crate) fn install<L>(more: L) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    L: tracing_subscriber::Layer<
            tracing_subscriber::layer::Layered<
                Layer<tracing_subscriber::Registry>,
                tracing_subscriber::Registry,
            >,
        > + Send
        + Sync
        + 'static,
{
    let filter = crate::settings::env::read(Variable::RustLog)
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(layer())
        .with(more)
        .with(filter)
        .try_init()?;
    Ok(())
}

/// The event format of [`layer`]: ordinary events as one line, reports (the events of
/// tracefault's sink) as a header line followed by the traceback, or as JSON lines. For a fmt
/// layer of your own: `tracing_subscriber::fmt::layer().fmt_fields(EscapedFields)
/// .event_format(EventFormat::new(LogFormat::Json))`.
#[derive(Debug)]
pub struct EventFormat {
    format: LogFormat,
}

impl EventFormat {
    /// Lines in `format`.
    pub fn new(format: LogFormat) -> EventFormat {
        EventFormat { format }
    }
}

impl<S, N> FormatEvent<S, N> for EventFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        sink::with_dispatching(|report| {
            let report = report.filter(|_| is_report_event(event));
            match self.format {
                LogFormat::Json => write_json_line(ctx, writer, event, report),
                LogFormat::Pretty => write_pretty_line(ctx, writer, event, report),
            }
        })
    }
}

/// The report sink's events, as opposed to others recorded while one is dispatched: `ERROR`,
/// or `WARN` for an expected error.
fn is_report_event(event: &Event<'_>) -> bool {
    let metadata = event.metadata();
    metadata.target() == fields::TARGET
        && (*metadata.level() == Level::ERROR || *metadata.level() == Level::WARN)
}

/// `2026-11-28T03:50:47.312485Z  INFO span{fields}:inner: target: message k=v trace_id=… span_id=…`,
/// and for a report its text, indented, on the lines after.
fn write_pretty_line<S, N>(
    ctx: &FmtContext<'_, S, N>,
    mut writer: Writer<'_>,
    event: &Event<'_>,
    report: Option<&ErrorReport>,
) -> fmt::Result
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    let ansi = writer.has_ansi_escapes();
    let metadata = event.metadata();
    // A report's first line starts with the time too, as every other line does: it is how a
    // reader finds it among the lines of the request that failed.
    SystemTime.format_time(&mut writer)?;
    writer.write_char(' ')?;
    let level = metadata.level();
    if ansi {
        write!(writer, "{}{level:>5}\x1b[0m ", level_colour(level))?;
    } else {
        write!(writer, "{level:>5} ")?;
    }
    if let Some(scope) = ctx.event_scope() {
        for span in scope.from_root() {
            writer.write_str(span.name())?;
            let extensions = span.extensions();
            if report.is_none() {
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write!(writer, "{{{fields}}}")?;
                    }
                }
            }
            writer.write_char(':')?;
        }
        writer.write_char(' ')?;
    }
    match report {
        Some(report) => {
            let mut message = Message::default();
            event.record(&mut message);
            write_escaped(&mut writer, &message.0)?;
            // The request being served when the error escaped, as the server said it.
            if let Some(server) = &report.server {
                if let (Some(method), Some(path)) = (&server.method, &server.path) {
                    writer.write_str(" in ")?;
                    write_escaped(&mut writer, method)?;
                    writer.write_char(' ')?;
                    write_escaped(&mut writer, path)?;
                }
            }
            write_ids(&mut writer, report.trace_id.zip(report.span_id))?;
            // The id a caller's report names this service's part by ("In pricing, span ..."),
            // which is the server span's, not the span the error escaped from: written here so
            // that a search of this service's log for it finds the report.
            if let Some(server) = report
                .server
                .as_ref()
                .filter(|server| Some(server.span_id) != report.span_id)
            {
                write!(writer, " server_span_id={}", server.span_id)?;
            }
            writer.write_char('\n')?;
            for line in report.to_string().lines() {
                if line.is_empty() {
                    writer.write_char('\n')?;
                } else {
                    writeln!(writer, "    {line}")?;
                }
            }
            Ok(())
        }
        None => {
            write!(writer, "{}: ", metadata.target())?;
            EscapedFields.format_fields(writer.by_ref(), event)?;
            write_ids(&mut writer, crate::context::current_ids())?;
            writer.write_char('\n')
        }
    }
}

fn level_colour(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "\x1b[31m",
        Level::WARN => "\x1b[33m",
        Level::INFO => "\x1b[32m",
        Level::DEBUG => "\x1b[34m",
        Level::TRACE => "\x1b[35m",
    }
}

fn write_ids(
    writer: &mut Writer<'_>,
    ids: Option<(crate::context::TraceId, crate::context::SpanId)>,
) -> fmt::Result {
    match ids {
        Some((trace_id, span_id)) => write!(writer, " trace_id={trace_id} span_id={span_id}"),
        None => Ok(()),
    }
}

/// The `message` field of an event.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

/// One event as one line of JSON: `timestamp`, `level`, `target`, `message`, the names of
/// the spans it is in (`spans`, outermost first), the `service`, the W3C `trace_id` and
/// `span_id` of the code it happened in, and the event's other fields; a report's line has the
/// report's members instead (see `tracefault_report::Report::json_members`).
fn write_json_line<S, N>(
    ctx: &FmtContext<'_, S, N>,
    mut writer: Writer<'_>,
    event: &Event<'_>,
    report: Option<&ErrorReport>,
) -> fmt::Result
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    use json::Json;
    let mut timestamp = String::new();
    SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
    let metadata = event.metadata();
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let shared = report.map(|report| report.to_format(Frames::Shown));
    let mut line: Vec<(&str, Json<'_>)> = vec![
        (fields::TIMESTAMP, timestamp.into()),
        (fields::LEVEL, metadata.level().as_str().into()),
        (fields::LINE_TARGET, metadata.target().into()),
    ];
    if let Some(position) = fields
        .0
        .iter()
        .position(|(name, _)| *name == fields::MESSAGE)
    {
        line.push(fields.0.remove(position));
    }
    if let Some(scope) = ctx.event_scope() {
        let names = scope
            .from_root()
            .map(|span| Json::from(span.name()))
            .collect();
        line.push((fields::SPANS, Json::Array(names)));
    }
    match (report, &shared) {
        (Some(report), Some(shared)) => {
            line.extend(shared.json_members());
            line.push((fields::EXCEPTION_STACKTRACE, report.to_string().into()));
        }
        _ => {
            if let Some(service) = crate::resource::service_here() {
                line.push((fields::SERVICE, Json::String(service)));
            }
            if !fields.0.iter().any(|(name, _)| *name == fields::TRACE_ID) {
                if let Some((trace_id, span_id)) = crate::context::current_ids() {
                    line.push((fields::TRACE_ID, trace_id.to_string().into()));
                    line.push((fields::SPAN_ID, span_id.to_string().into()));
                }
            }
            line.extend(fields.0);
        }
    }
    writer.write_char('{')?;
    for (position, (name, value)) in line.iter().enumerate() {
        if position > 0 {
            writer.write_char(',')?;
        }
        json::write_string(&mut writer, name)?;
        writer.write_char(':')?;
        json::write_value(&mut writer, value)?;
    }
    writer.write_str("}\n")
}

/// An event's fields as JSON values.
#[derive(Default)]
struct JsonFields(Vec<(&'static str, json::Json<'static>)>);

impl JsonFields {
    fn insert(&mut self, field: &Field, value: json::Json<'static>) {
        self.0.push((field.name(), value));
    }
}

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, json::Json::Float(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, json::Json::Number(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        let value = i64::try_from(value)
            .map_or_else(|_| json::Json::Float(value as f64), json::Json::Number);
        self.insert(field, value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, json::Json::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, value.to_owned().into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, value.to_string().into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, format!("{value:?}").into());
    }
}

/// The field formatter of [`layer`]: `message` first, then `name=value`, with every control
/// character of the values escaped (`\n` and `\r` included, which `tracing-subscriber`'s own
/// formatter leaves as they are).
#[derive(Clone, Copy, Debug, Default)]
pub struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'a, 'writer> {
    writer: &'a mut Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_, '_> {
    fn write(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if self.result.is_err() {
            return;
        }
        self.result = (|| {
            if !self.first {
                self.writer.write_char(' ')?;
            }
            self.first = false;
            if field.name() != "message" {
                write!(self.writer, "{}=", field.name().trim_start_matches("r#"))?;
            }
            write_escaped(self.writer, &value.to_string())
        })();
    }
}

impl Visit for EscapingVisitor<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.write(field, format_args!("{value}"));
        } else {
            self.write(field, format_args!("{value:?}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.write(field, format_args!("{value:?}"));
    }
}
