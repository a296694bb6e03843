//! The `tracefault` command as a library: sources (JSON log lines, OTLP JSON files, tracing
//! backends over HTTP) are read into one model (reports, spans, traces), analysed (error
//! groups, failing traces, one trace's story) and rendered (terminal text or JSON).
//!
//! The model and the analysis know nothing of terminals: a renderer reads them, so that
//! another (an HTML dashboard) can be added beside the two here.

pub mod analysis;
pub mod args;
mod command;
pub mod dashboard;
pub mod gather;
pub mod ids;
pub mod model;
pub mod render;
pub mod serve;
pub mod source;
pub mod stacktrace;
pub mod time;

pub use command::main;
