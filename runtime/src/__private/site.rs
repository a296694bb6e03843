//! What an expansion knows about its function at compile time, kept in one `static` per
//! instrumented function.

use crate::capture::RateLimiter;

/// One instrumented function.
#[derive(Debug)]
pub struct Site {
    /// The function's name as written.
    pub function: &'static str,
    pub module_path: &'static str,
    pub file: &'static str,
    /// The line of the `fn` keyword's function name.
    pub line: u32,
    pub backtrace: BacktraceMode,
    /// `false` with `#[trace(panic = false)]`: panics unwind through without a record.
    pub record_panics: bool,
    /// Bounds how often this site captures a backtrace during an error storm.
    pub limiter: RateLimiter,
}

/// `#[trace(backtrace = "...")]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BacktraceMode {
    /// Capture where an error starts, within the rate limit, unless `RUST_LIB_BACKTRACE` or
    /// `RUST_BACKTRACE` is `0`.
    Origin,
    /// Capture where an error starts, regardless of the rate limit and the environment.
    Always,
    /// Never capture here.
    Never,
}

impl Site {
    /// `module::path::function`, as a reader looks for it.
    pub(crate) fn qualified_name(&self) -> String {
        format!("{}::{}", self.module_path, self.function)
    }

    pub(crate) fn span_trace_entry(&self) -> crate::report::SpanTraceEntry {
        crate::report::SpanTraceEntry {
            function: self.qualified_name(),
            file: self.file,
            line: self.line,
        }
    }
}
