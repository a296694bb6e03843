//! `tracefault::init()`: a ready `tracing-subscriber` stack whose output shows tracefault's
//! reports as the tracebacks they are.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// Installs a global subscriber: `RUST_LOG` filtering (default `info`) and human-readable
/// lines on standard output (coloured on a terminal, unless `NO_COLOR` is set), with error
/// reports printed as multi-line tracebacks.
///
/// Returns an error if a global subscriber is already set.
pub fn init() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .event_format(ReportFormat {
            inner: Format::default(),
        })
        .try_init()
}

/// Writes report events (target `tracefault` with an `exception.stacktrace`) as a header line
/// followed by the traceback; every other event as `inner` does.
struct ReportFormat<F> {
    inner: F,
}

impl<S, N, F> FormatEvent<S, N> for ReportFormat<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if event.metadata().target() != "tracefault" {
            return self.inner.format_event(ctx, writer, event);
        }
        let mut fields = ReportFields::default();
        event.record(&mut fields);
        let Some(stacktrace) = fields.stacktrace else {
            return self.inner.format_event(ctx, writer, event);
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
