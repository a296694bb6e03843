//! Each command: its sources read into its sink, the analysis finished, the result rendered.

use crate::analysis::groups::ErrorGroups;
use crate::analysis::story::tell;
use crate::analysis::traces::FailingTraces;
use crate::analysis::Filter;
use crate::args::{
    BackendArgs, Cli, Color, Command, ErrorsArgs, Filters, HtmlArgs, Input, Output, ServeArgs,
    ShowArgs, TracesArgs,
};
use crate::dashboard::{self, DashboardLimits};
use crate::gather::{self, stats_line, ErrorsSink, EvidenceSink, TracesSink, SHOW_LIMITS};
use crate::ids::TraceId;
use crate::render::html::{report_file, FileBudget, FileContents};
use crate::render::{self, terminal};
use crate::source::http::{parse_header, BackendOptions, Connection};
use crate::source::{ReadOptions, ReadStats, Sink};
use crate::time::{parse_instant, Timestamp};
use anyhow::Context as _;
use clap::Parser as _;
use serde::Serialize;
use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

/// The command line's entry point: parses `args`, runs the command, prints its answer.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(answer) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = stdout.write_all(answer.text.as_bytes());
            let _ = stdout.flush();
            if let Some(stats) = answer.stats_line {
                eprintln!("{stats}");
            }
            ExitCode::from(answer.code)
        }
        Err(error) => {
            eprintln!("tracefault: {}", with_causes(&error));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, `outer: cause: cause`, as ripgrep prints a chain;
/// a cause whose words its error already said (an HTTP client's often repeats them) once.
pub(crate) fn with_causes(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let said = cause.to_string();
        if text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// What a command prints.
struct Answer {
    text: String,
    /// What was read and skipped, for standard error.
    stats_line: Option<String>,
    code: u8,
}

fn run(cli: Cli) -> anyhow::Result<Answer> {
    match cli.command {
        Command::Errors(args) => errors(args),
        Command::Traces(args) => traces(args),
        Command::Show(args) => show(args),
        Command::Html(args) => html(args),
        Command::Serve(args) => serve(args),
    }
}

fn filter(filters: &Filters) -> anyhow::Result<Filter> {
    let now = Timestamp::now();
    let instant = |text: &Option<String>| text.as_deref().map(|text| parse_instant(text, now));
    Ok(Filter {
        service: filters.service.clone(),
        since: instant(&filters.since).transpose()?,
        until: instant(&filters.until).transpose()?,
        type_name: filters.type_name.clone(),
    })
}

fn style(output: &Output) -> terminal::Style {
    let color = match output.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    terminal::Style { color }
}

fn read(input: &Input, sink: &mut impl Sink) -> anyhow::Result<ReadStats> {
    gather::read(&input.sources, read_options(input), sink)
}

/// The backend `--url` names, if any, with its headers parsed.
pub(crate) fn backend_options(args: &BackendArgs) -> anyhow::Result<Option<BackendOptions>> {
    let Some(url) = &args.url else {
        return Ok(None);
    };
    if args.timeout == 0 {
        return Err(anyhow::anyhow!("--timeout 0: a request needs some time"));
    }
    Ok(Some(BackendOptions {
        url: url.clone(),
        backend: args.backend,
        headers: args
            .headers
            .iter()
            .map(|header| parse_header(header))
            .collect::<anyhow::Result<_>>()?,
        timeout: std::time::Duration::from_secs(args.timeout),
    }))
}

/// How far back a search of a backend looks without `--since`: a backend holds days or weeks
/// of traces, and a search of all of them is rarely what is meant.
const DEFAULT_LOOKBACK_MICROS: i64 = 24 * 3600 * 1_000_000;

/// The traces a backend holds for the filter's service and time window, into `sink`.
pub(crate) fn search(
    options: &BackendOptions,
    filter: &Filter,
    sink: &mut impl Sink,
) -> anyhow::Result<ReadStats> {
    let mut connection = Connection::open(options)?;
    let now = Timestamp::now();
    let until = filter.until.unwrap_or(now);
    let since = filter
        .since
        .unwrap_or(Timestamp(until.0 - DEFAULT_LOOKBACK_MICROS));
    let mut stats = ReadStats {
        inputs: 1,
        ..ReadStats::default()
    };
    let found = connection.find_traces(filter.service.as_deref(), since, until, |span| {
        stats.spans += 1;
        sink.span(span);
    });
    stats.requests = connection.requests;
    stats.add_otlp(found?.read);
    Ok(stats)
}

/// The sources and the backend, each when named: standard input only when neither is.
fn read_with_backend(
    input: &Input,
    backend: &BackendArgs,
    filter: &Filter,
    sink: &mut impl Sink,
) -> anyhow::Result<ReadStats> {
    let mut stats = ReadStats::default();
    if let Some(options) = backend_options(backend)? {
        stats.absorb(search(&options, filter, sink)?);
        if input.sources.is_empty() {
            return Ok(stats);
        }
    }
    stats.absorb(read(input, sink)?);
    Ok(stats)
}

fn read_options(input: &Input) -> ReadOptions {
    ReadOptions {
        max_line: input.max_line_bytes,
    }
}

// ---------------------------------------------------------------------------------------
// errors

fn errors(args: ErrorsArgs) -> anyhow::Result<Answer> {
    let filter = filter(&args.filters)?;
    let mut sink = ErrorsSink::new(ErrorGroups::new(filter.clone()));
    let mut stats = read_with_backend(&args.input, &args.backend, &filter, &mut sink)?;
    stats.duplicate_spans += sink.spans.duplicates;
    let summary = sink.finish();
    let stats_line = stats_line(&stats, summary.duplicates);
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(flatten)]
            summary: &'a crate::analysis::groups::ErrorSummary,
            input: &'a ReadStats,
        }
        render::json(&Document {
            summary: &summary,
            input: &stats,
        })
    } else {
        terminal::errors(&summary, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line),
        code: 0,
    })
}

// ---------------------------------------------------------------------------------------
// traces

fn traces(args: TracesArgs) -> anyhow::Result<Answer> {
    let filter = filter(&args.filters)?;
    let mut sink = TracesSink::new(FailingTraces::new(filter.clone()));
    let mut stats = read_with_backend(&args.input, &args.backend, &filter, &mut sink)?;
    stats.duplicate_spans += sink.spans.duplicates;
    let (views, duplicates) = sink.finish();
    let total = views.len();
    let limit = match (args.limit, args.output.json) {
        (Some(0), _) | (None, true) => total,
        (Some(limit), _) => limit,
        (None, false) => 20,
    };
    let shown = &views[..total.min(limit)];
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            traces: &'a [crate::analysis::traces::TraceView],
            total: usize,
            input: &'a ReadStats,
        }
        render::json(&Document {
            traces: shown,
            total,
            input: &stats,
        })
    } else {
        terminal::traces(shown, total, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line(&stats, duplicates)),
        code: 0,
    })
}

// ---------------------------------------------------------------------------------------
// show

fn show(args: ShowArgs) -> anyhow::Result<Answer> {
    let trace_id = TraceId::parse(&args.trace_id).with_context(|| {
        format!(
            "{:?} is not a trace id: expected 32 hex digits",
            args.trace_id
        )
    })?;
    let mut sink = EvidenceSink::new([trace_id], SHOW_LIMITS);
    let mut stats = ReadStats::default();
    let mut fetched_from = None;
    let backend = backend_options(&args.backend)?;
    if let Some(options) = &backend {
        let mut connection = Connection::open(options)?;
        let fetched = connection.fetch_trace(trace_id, |span| {
            stats.spans += 1;
            sink.span(span);
        });
        stats.requests += connection.requests;
        let fetched = fetched?;
        stats.inputs += 1;
        stats.add_otlp(fetched.read);
        fetched_from = Some(fetched.url);
    }
    if backend.is_none() || !args.input.sources.is_empty() {
        stats.absorb(read(&args.input, &mut sink)?);
    }
    let gathered = sink.into_gathered().remove(&trace_id).unwrap_or_default();
    if gathered.is_empty() {
        return Err(match &fetched_from {
            // The backend's answer was one this reads, and held nothing of the trace.
            Some(url) => anyhow::anyhow!(
                "trace {trace_id}: {url} answered no spans of it{}",
                if args.input.sources.is_empty() {
                    ""
                } else {
                    ", and the sources have nothing of it"
                }
            ),
            None => anyhow::anyhow!("trace {trace_id} is not in the sources"),
        });
    }
    stats.duplicate_spans += gathered.duplicate_spans;
    let mut notes: Vec<String> = stats
        .partial
        .iter()
        .map(|why| format!("partial: {why}"))
        .collect();
    notes.extend(gathered.dropped_note(SHOW_LIMITS));
    notes.extend(gathered.duplicates_note());
    let mut story = tell(trace_id, gathered.evidence);
    story.notes.extend(notes);
    if let Some(url) = &fetched_from {
        story.notes.push(format!("spans from {url}"));
    }
    let text = if args.output.json {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(flatten)]
            story: &'a crate::analysis::story::Story,
            input: &'a ReadStats,
        }
        render::json(&Document {
            story: &story,
            input: &stats,
        })
    } else {
        terminal::story(&story, style(&args.output))
    };
    Ok(Answer {
        text,
        stats_line: Some(stats_line(&stats, 0)),
        code: 0,
    })
}

// ---------------------------------------------------------------------------------------
// html

fn html(args: HtmlArgs) -> anyhow::Result<Answer> {
    let limits = DashboardLimits {
        max_pages: args.max_pages,
        ..DashboardLimits::default()
    };
    let dashboard = dashboard::gather(
        &args.input.sources,
        read_options(&args.input),
        filter(&args.filters)?,
        limits,
    )?;
    let outcome = report_file(
        FileContents {
            summary: &dashboard.summary,
            traces: &dashboard.traces,
            traces_total: dashboard.traces_total,
            stats: &dashboard.stats,
            max_groups: dashboard.max_groups,
            notes: dashboard.notes.clone(),
            stories: &dashboard.stories,
        },
        FileBudget::default(),
    );
    let written = if args.output.as_os_str() == "-" {
        return Ok(Answer {
            text: outcome.html,
            stats_line: Some(stats_line(&dashboard.stats, dashboard.summary.duplicates)),
            code: 0,
        });
    } else {
        write_atomically(&args.output, outcome.html.as_bytes())?;
        args.output.display().to_string()
    };
    Ok(Answer {
        text: String::new(),
        stats_line: Some(format!(
            "{}\ntracefault: wrote {written} ({:.1} MB): {} groups, {} failing traces, {} with \
             a page{}",
            stats_line(&dashboard.stats, dashboard.summary.duplicates),
            outcome.html.len() as f64 / 1e6,
            dashboard.summary.groups.len(),
            dashboard.traces_total,
            outcome.pages,
            if outcome.left_out > 0 {
                format!(
                    " ({} left out to stay under the size budget)",
                    outcome.left_out
                )
            } else {
                String::new()
            }
        )),
        code: 0,
    })
}

/// Written beside its place and renamed into it: a reader never sees half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| {
            let _ = std::fs::remove_file(&temporary);
            anyhow::Error::new(error).context(path.display().to_string())
        })
}

// ---------------------------------------------------------------------------------------
// serve

fn serve(args: ServeArgs) -> anyhow::Result<Answer> {
    let filter = filter(&args.filters)?;
    crate::serve::serve(
        args.sources,
        ReadOptions {
            max_line: args.max_line_bytes,
        },
        filter,
        backend_options(&args.backend)?,
        args.listen,
        |line| {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{line}");
            let _ = stdout.flush();
        },
    )?;
    Ok(Answer {
        text: String::new(),
        stats_line: None,
        code: 0,
    })
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn an_error_is_printed_with_its_causes_each_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let error = anyhow::Error::new(io)
            .context("connection refused")
            .context("GET http://tempo/api/traces/1");
        assert_eq!(
            with_causes(&error),
            "GET http://tempo/api/traces/1: connection refused"
        );
        let error = anyhow::anyhow!("not OTLP JSON").context("spans.json");
        assert_eq!(with_causes(&error), "spans.json: not OTLP JSON");
    }
}
