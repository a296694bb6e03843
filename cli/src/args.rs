//! The command line.

use crate::source::http::Backend;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find the failure across services: error groups, failing traces and one distributed
/// traceback per trace, from the JSON log lines `tracefault::init()` writes (files,
/// directories, globs, `-` for standard input) or from OTLP traces as JSON (a collector's
/// `file` exporter, Jaeger, Tempo).
#[derive(Debug, Parser)]
#[command(name = "tracefault", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reports grouped by fingerprint (type and in-app frames), largest group first.
    Errors(ErrorsArgs),
    /// One self-contained HTML file: the error groups, the failing traces, and for each
    /// included trace its waterfall and distributed traceback.
    Html(HtmlArgs),
    /// The same pages served live over HTTP, read again from the sources as they grow.
    Serve(ServeArgs),
    /// One trace as one story: its spans, then its distributed traceback, origin first.
    Show(ShowArgs),
    /// The failing traces, newest first.
    Traces(TracesArgs),
}

#[derive(Debug, Args)]
pub struct Input {
    /// Log files, directories, globs, or `-` for standard input (the default); JSON lines or
    /// OTLP JSON, told apart by how each input starts.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Lines longer than this many bytes are skipped and counted.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::lines::DEFAULT_MAX_LINE)]
    pub max_line_bytes: usize,
}

#[derive(Debug, Args)]
pub struct Output {
    /// One JSON document on standard output, for scripts.
    #[arg(long)]
    pub json: bool,
    /// Colour: on a terminal unless NO_COLOR is set (auto), always, or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct Filters {
    /// Only reports of this service.
    #[arg(long)]
    pub service: Option<String>,
    /// Only from this time: RFC 3339 (2026-11-28T04:00:00Z), a date, or a duration before
    /// now (90s, 15m, 2h, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only up to this time, in the same forms as --since.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only this exception type: its full path or its last segments (StockError).
    #[arg(long = "type", value_name = "TYPE")]
    pub type_name: Option<String>,
}

/// A tracing backend to read instead of, or besides, the sources.
#[derive(Debug, Args)]
pub struct BackendArgs {
    /// A tracing backend's base URL (http://jaeger:16686, http://tempo:3200). `show` fetches
    /// its trace; `errors`, `traces` and `serve` search Jaeger's api_v3 for the traces of
    /// --service (every service when not given) from --since (default 24h ago) to --until.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The backend's API at --url.
    #[arg(long, value_enum, default_value_t = Backend::Auto, requires = "url")]
    pub backend: Backend,
    /// A header sent with every request to --url, as curl takes it: -H 'X-Scope-OrgID: t1',
    /// -H 'Authorization: Bearer ...'. Repeatable. Values are never printed.
    #[arg(
        short = 'H',
        long = "header",
        value_name = "NAME: VALUE",
        requires = "url"
    )]
    pub headers: Vec<String>,
    /// Seconds each request to --url may take, from connecting to the answer's last byte.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "url")]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ErrorsArgs {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct TracesArgs {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub filters: Filters,
    /// Show at most this many traces on a terminal (0: all); --json has them all unless set.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The trace id: 32 hex digits (as in every log line and `traceparent`).
    pub trace_id: String,
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct HtmlArgs {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub filters: Filters,
    /// Where to write the file (`-`: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: std::path::PathBuf,
    /// Give at most this many traces a page: the examples of the largest groups, then the
    /// newest. The file stays under 16 MiB whatever this is.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_pages: usize,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Log files, directories (their new files join as they appear) or globs: JSON lines or
    /// OTLP JSON. Not standard input, which cannot be read again. Needed unless --url.
    #[arg(value_name = "SOURCE", required_unless_present = "url")]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Lines longer than this many bytes are skipped and counted.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::lines::DEFAULT_MAX_LINE)]
    pub max_line_bytes: usize,
    #[command(flatten)]
    pub filters: Filters,
    /// The address to listen on: loopback by default; anything else serves your logs to the
    /// network, with no authentication.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:7777")]
    pub listen: std::net::SocketAddr,
}
