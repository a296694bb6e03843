//! What an expansion knows about its function at compile time, kept in one `static` per
//! instrumented function.

use crate::capture::RateLimiter;
use std::sync::OnceLock;

/// One instrumented function.
#[derive(Debug)]
pub struct Site {
    /// The function's name as written.
    pub function: &'static str,
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// What `type_name` says of a closure inside the function: its path, with the `Self` type
    /// of a method, which only the compiler knows.
    item_inside: fn() -> &'static str,
    options: u8,
    /// Bounds how often this site captures a backtrace during an error storm.
    pub limiter: RateLimiter,
    qualified_name: OnceLock<Box<str>>,
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

const BACKTRACE_MASK: u8 = 0b11;
const BACKTRACE_ALWAYS: u8 = 1;
const BACKTRACE_NEVER: u8 = 2;
/// `#[trace(panic = false)]`: panics unwind through without a record.
const IGNORES_PANICS: u8 = 0b100;

impl Site {
    /// A site; `options` is what [`Site::options`] makes of the attribute's.
    pub const fn new(
        function: &'static str,
        file: &'static str,
        line: u32,
        item_inside: fn() -> &'static str,
        options: u8,
    ) -> Site {
        Site {
            function,
            file,
            line,
            item_inside,
            options,
            limiter: RateLimiter::new(),
            qualified_name: OnceLock::new(),
        }
    }

    /// The options of a site, in the order the attribute writes them.
    pub const fn options(backtrace: BacktraceMode, record_panics: bool) -> u8 {
        let backtrace = match backtrace {
            BacktraceMode::Origin => 0,
            BacktraceMode::Always => BACKTRACE_ALWAYS,
            BacktraceMode::Never => BACKTRACE_NEVER,
        };
        if record_panics {
            backtrace
        } else {
            backtrace | IGNORES_PANICS
        }
    }

    /// The options of a site whose attribute sets none.
    pub const DEFAULT: u8 = 0;

    pub(crate) fn backtrace(&self) -> BacktraceMode {
        match self.options & BACKTRACE_MASK {
            BACKTRACE_ALWAYS => BacktraceMode::Always,
            BACKTRACE_NEVER => BacktraceMode::Never,
            _ => BacktraceMode::Origin,
        }
    }

    #[inline]
    pub(crate) fn records_panics(&self) -> bool {
        self.options & IGNORES_PANICS == 0
    }

    /// `module::path::function`, or `module::path::Type::method` for a method, as Python's
    /// `__qualname__` and as the traceback's symbols name it.
    pub(crate) fn qualified_name(&self) -> &str {
        self.qualified_name.get_or_init(|| {
            crate::report::names::function_of_item_inside((self.item_inside)()).into()
        })
    }
}
