//! Settings made from code, before the program starts its work.

/// tracefault's settings, as a builder. What is not set keeps its default or the value of its
/// environment variable.
///
/// ```
/// tracefault::Config::new().backtrace_rate(50).apply();
/// assert_eq!(tracefault::backtrace_rate(), 50);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a Config does nothing until it is applied"]
pub struct Config {
    backtrace_rate: Option<u32>,
    traceresponse: Option<bool>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// How many backtraces each instrumented function may capture per second; overrides
    /// `TRACEFAULT_BACKTRACE_RATE` (see [`crate::set_backtrace_rate`]).
    pub fn backtrace_rate(mut self, per_second: u32) -> Config {
        self.backtrace_rate = Some(per_second);
        self
    }

    /// Whether servers answer with a `traceresponse` header naming their span (off by
    /// default: it tells callers a span id).
    pub fn traceresponse(mut self, enabled: bool) -> Config {
        self.traceresponse = Some(enabled);
        self
    }

    /// Puts the settings in force for the whole process.
    pub fn apply(self) {
        if let Some(rate) = self.backtrace_rate {
            crate::set_backtrace_rate(rate);
        }
        if let Some(enabled) = self.traceresponse {
            crate::propagation::set_traceresponse(enabled);
        }
    }

    /// Applies the settings and installs [`crate::init`]'s subscriber.
    #[cfg(feature = "subscriber")]
    pub fn init(self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        self.apply();
        crate::init()
    }
}
