//! What an expansion knows about its function at compile time, kept in one `static` per
//! instrumented function: with the `tracing` callsite of its span, so that an expansion makes
//! the span with one call rather than a `span!` of its own.

use crate::capture::RateLimiter;
use crate::report::fields::SPAN_FIELDS;
use std::sync::OnceLock;
use tracing::callsite::{DefaultCallsite, Identifier};
use tracing::field::FieldSet;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::metadata::Kind;
use tracing::{Level, Metadata, Span};

/// One instrumented function.
#[derive(Debug)]
pub struct Site {
    /// The function's name as written.
    pub function: &'static str,
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// The line of its body's closing brace.
    pub end_line: u32,
    /// What `type_name` says of a function inside the function: its path, with the `Self` type
    /// of a method, which only the compiler knows.
    item_inside: fn() -> &'static str,
    options: u8,
    /// Bounds how often this site captures a backtrace during an error storm.
    pub limiter: RateLimiter,
    qualified_name: OnceLock<Box<str>>,
    callsite: DefaultCallsite,
    /// The span's: its name, target and level, and tracefault's fields.
    metadata: Metadata<'static>,
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
/// `#[trace(expected)]`: see [`Site::EXPECTED`].
const EXPECTS_ERRORS: u8 = 0b1000;

impl Site {
    /// The site of `function`, whose span is at `INFO` under its own name, with the default
    /// options. `this` is the `static` being initialized: its callsite and metadata name
    /// each other.
    pub const fn new(
        this: &'static Site,
        function: &'static str,
        target: &'static str,
        file: &'static str,
        line: u32,
        end_line: u32,
        item_inside: fn() -> &'static str,
    ) -> Site {
        Site::with(
            this,
            function,
            function,
            target,
            file,
            line,
            end_line,
            Level::INFO,
            item_inside,
            Site::DEFAULT,
        )
    }

    /// A site whose attribute sets a span name, a level or options (what [`Site::options`]
    /// makes of the attribute's).
    #[allow(clippy::too_many_arguments)]
    pub const fn with(
        this: &'static Site,
        function: &'static str,
        span_name: &'static str,
        target: &'static str,
        file: &'static str,
        line: u32,
        end_line: u32,
        level: Level,
        item_inside: fn() -> &'static str,
        options: u8,
    ) -> Site {
        Site {
            function,
            file,
            line,
            end_line,
            item_inside,
            options,
            limiter: RateLimiter::new(),
            qualified_name: OnceLock::new(),
            callsite: DefaultCallsite::new(&this.metadata),
            metadata: Metadata::new(
                span_name,
                target,
                level,
                Some(file),
                Some(line),
                Some(target),
                FieldSet::new(SPAN_FIELDS, Identifier(&this.callsite)),
                Kind::SPAN,
            ),
        }
    }

    /// The function's span, if a subscriber wants it: what `tracing::span!` decides, without
    /// its code in every function.
    #[inline]
    pub(crate) fn span(&'static self) -> Span {
        if self.is_enabled() {
            self.new_span()
        } else {
            Span::none()
        }
    }

    #[inline]
    pub(crate) fn is_enabled(&'static self) -> bool {
        let level = *self.metadata.level();
        level <= STATIC_MAX_LEVEL && level <= LevelFilter::current() && self.is_wanted()
    }

    /// Whether a subscriber wants this span, as `span!` asks: the callsite's interest, cached
    /// by `tracing`, then the subscriber when it is only sometimes interested.
    #[inline(never)]
    fn is_wanted(&'static self) -> bool {
        let interest = self.callsite.interest();
        !interest.is_never()
            && (interest.is_always()
                || tracing::dispatcher::get_default(|dispatch| dispatch.enabled(&self.metadata)))
    }

    #[inline(never)]
    pub(crate) fn new_span(&'static self) -> Span {
        Span::new(&self.metadata, &self.metadata.fields().value_set(&[]))
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

    /// Added to the options by `#[trace(expected)]`: the `Err` values the function returns are
    /// expected outcomes, reported at `WARN` and without a backtrace.
    pub const EXPECTED: u8 = EXPECTS_ERRORS;

    pub(crate) fn backtrace(&self) -> BacktraceMode {
        match self.options & BACKTRACE_MASK {
            BACKTRACE_ALWAYS => BacktraceMode::Always,
            BACKTRACE_NEVER => BacktraceMode::Never,
            _ => BacktraceMode::Origin,
        }
    }

    /// Whether the errors that leave this function are expected (`#[trace(expected)]`).
    pub(crate) fn expects_errors(&self) -> bool {
        self.options & EXPECTS_ERRORS != 0
    }

    #[inline]
    pub(crate) fn records_panics(&self) -> bool {
        self.options & IGNORES_PANICS == 0
    }

    /// The function, as a traceback captured in it names its innermost frame: by its
    /// expansion (`by_expansion`, an error's origin) or by the panic hook.
    pub(crate) fn origin(&'static self, by_expansion: bool) -> crate::traceback::Origin {
        crate::traceback::Origin {
            function: self.qualified_name(),
            file: self.file,
            lines: (self.line, self.end_line),
            by_expansion,
        }
    }

    /// `module::path::function`, or `module::path::Type::method` for a method, as Python's
    /// `__qualname__` and as the traceback's symbols name it.
    pub(crate) fn qualified_name(&self) -> &str {
        self.qualified_name.get_or_init(|| {
            crate::report::names::function_of_item_inside((self.item_inside)()).into()
        })
    }
}
