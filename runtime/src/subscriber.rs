//! `tracefault::init()` and `tracefault::layer()`: a ready `tracing-subscriber` stack whose
//! output shows tracefault's reports as the tracebacks they are, readable on a terminal and
//! as JSON lines for log collectors.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{DefaultFields, Format, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

/// How [`layer`] writes events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event; reports as a header line and the indented traceback.
    Pretty,
    /// One JSON object per line, with `trace_id` and `span_id` inside instrumented spans.
    Json,
}

impl LogFormat {
    /// `TRACEFAULT_LOG_FORMAT` (`pretty` or `json`) if set; otherwise `Pretty` when standard
    /// output is a terminal and `Json` when it is not (a file, a pipe, a container's log).
    pub fn from_env() -> LogFormat {
        use std::io::IsTerminal as _;
        match std::env::var("TRACEFAULT_LOG_FORMAT")
            .as_deref()
            .map(str::trim)
        {
            Ok("json") => LogFormat::Json,
            Ok("pretty") => LogFormat::Pretty,
            _ if std::io::stdout().is_terminal() => LogFormat::Pretty,
            _ => LogFormat::Json,
        }
    }
}

/// The `tracing-subscriber` layer that [`init`] installs, for a subscriber of your own:
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
        && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .event_format(EventFormat {
            format,
            pretty: Format::default(),
        })
}

/// The type of [`layer`]: a `tracing_subscriber::fmt::Layer` with tracefault's formatting.
pub type Layer<S, W = fn() -> std::io::Stdout> =
    tracing_subscriber::fmt::Layer<S, DefaultFields, EventFormat, W>;

/// Installs a global subscriber: `RUST_LOG` filtering (default `info`) and [`layer`]'s
/// output; with feature `otel` and `OTEL_EXPORTER_OTLP_ENDPOINT` set, also OTLP export. Keep
/// the returned guard until the program ends: dropping it flushes the spans still queued.
///
/// Returns an error if a global subscriber is already set. [`crate::Config`] does the same
/// with settings from code.
pub fn init() -> Result<Guard, Box<dyn std::error::Error + Send + Sync>> {
    crate::Config::new().init()
}

pub(crate) fn install() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(layer())
        .with(filter)
        .try_init()?;
    Ok(())
}

/// Returned by [`init`]: while it lives, spans are exported (with feature `otel` and an
/// endpoint); dropping it sends what is still queued, waiting a bounded time.
#[derive(Debug, Default)]
#[must_use = "dropping the guard stops export; keep it until the program ends"]
pub struct Guard {
    #[cfg(feature = "otel")]
    pub(crate) export: Option<crate::export::ExportGuard>,
}

impl Guard {
    /// Whether spans are being exported to a collector.
    pub fn is_exporting(&self) -> bool {
        #[cfg(feature = "otel")]
        return self.export.is_some();
        #[cfg(not(feature = "otel"))]
        false
    }
}

/// The event format of [`layer`]: report events (target `tracefault`, with an
/// `exception.stacktrace`) as a header line followed by the traceback, or as JSON lines.
#[derive(Debug)]
pub struct EventFormat {
    format: LogFormat,
    pretty: Format,
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
        match self.format {
            LogFormat::Json => format_json(ctx, writer, event),
            LogFormat::Pretty => self.format_pretty(ctx, writer, event),
        }
    }
}

impl EventFormat {
    fn format_pretty<S, N>(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        if event.metadata().target() != "tracefault" {
            return self.pretty.format_event(ctx, writer, event);
        }
        let mut fields = ReportFields::default();
        event.record(&mut fields);
        let Some(stacktrace) = fields.stacktrace else {
            return self.pretty.format_event(ctx, writer, event);
        };
        let mut scope = String::new();
        if let Some(spans) = ctx.event_scope() {
            for span in spans.from_root() {
                scope.push_str(span.name());
                scope.push(':');
            }
        }
        let level = event.metadata().level();
        if writer.has_ansi_escapes() {
            writeln!(
                writer,
                "\x1b[31m{level:>5}\x1b[0m {scope} {}{}",
                fields.message, fields.ids
            )?;
        } else {
            writeln!(
                writer,
                "{level:>5} {scope} {}{}",
                fields.message, fields.ids
            )?;
        }
        for line in stacktrace.lines() {
            writeln!(writer, "    {line}")?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct ReportFields {
    message: String,
    stacktrace: Option<String>,
    ids: String,
}

impl Visit for ReportFields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "exception.stacktrace" => self.stacktrace = Some(format!("{value:?}")),
            "trace_id" | "span_id" => self.ids.push_str(&format!(" {}={value:?}", field.name())),
            _ => {}
        }
    }
}

/// One event as one line of JSON: `timestamp`, `level`, `target`, `message`, the event's
/// other fields, the names of the spans it is in (`spans`, outermost first), and the W3C
/// `trace_id` and `span_id` of the instrumented function it happened in.
fn format_json<S, N>(
    ctx: &FmtContext<'_, S, N>,
    mut writer: Writer<'_>,
    event: &Event<'_>,
) -> fmt::Result
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    use serde_json::Value;
    let mut timestamp = String::new();
    SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
    let metadata = event.metadata();
    // In this order, the order a reader scans a line in; a map would sort the keys.
    let mut line: Vec<(&str, Value)> = vec![
        ("timestamp", timestamp.into()),
        ("level", metadata.level().as_str().into()),
        ("target", metadata.target().into()),
    ];
    let mut fields = JsonFields(Vec::new());
    event.record(&mut fields);
    let mut fields = fields.0;
    if let Some(position) = fields.iter().position(|(name, _)| *name == "message") {
        line.push(fields.remove(position));
    }
    if let Some(spans) = ctx.event_scope() {
        let names = spans.from_root().map(|span| span.name().into()).collect();
        line.push(("spans", Value::Array(names)));
    }
    if !fields.iter().any(|(name, _)| *name == "trace_id") {
        if let Some((trace_id, span_id)) = crate::context::current_ids() {
            line.push(("trace_id", trace_id.to_string().into()));
            line.push(("span_id", span_id.to_string().into()));
        }
    }
    line.extend(fields);
    writer.write_char('{')?;
    for (position, (name, value)) in line.iter().enumerate() {
        let separator = if position == 0 { "" } else { "," };
        let name = serde_json::to_string(name).map_err(|_| fmt::Error)?;
        let value = serde_json::to_string(value).map_err(|_| fmt::Error)?;
        write!(writer, "{separator}{name}:{value}")?;
    }
    writeln!(writer, "}}")
}

struct JsonFields(Vec<(&'static str, serde_json::Value)>);

impl JsonFields {
    fn insert(&mut self, field: &Field, value: serde_json::Value) {
        self.0.push((field.name(), value));
    }
}

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, value.to_string().into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, format!("{value:?}").into());
    }
}
