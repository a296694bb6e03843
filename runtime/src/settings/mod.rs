//! tracefault's process-wide settings: one value, [`Settings`], resolved from the environment
//! once, on first use, and changed only by [`Config::apply`](crate::Config::apply) and the
//! public setters (`set_backtrace_rate`, `set_exposure`, `set_traceresponse`), which all write
//! it; the rules about error types a program registers live beside it ([`error_types`]). The layers read it; none keeps a copy or reads the environment itself ([`env`] is the
//! one module that does).
//!
//! It is the lowest layer, so that every layer can read it: the types of its settings that
//! users name ([`Exposure`]) are defined here and re-exported where users look for them.
//!
//! The sampler is not here: what it keeps is its decision compiled for every new span
//! (`context::sampler`), and it is resolved from the environment only when export starts.

pub(crate) mod env;
pub(crate) mod error_types;

use env::Variable;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

/// The captures per second per callsite when neither `set_backtrace_rate` nor
/// `TRACEFAULT_BACKTRACE_RATE` says otherwise.
pub const DEFAULT_BACKTRACE_RATE: u32 = 10;

/// What leaves a service in the Problem Details of a failed request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exposure {
    /// The status, its title and the trace id: nothing of the error itself. The default, safe
    /// for a public edge.
    #[default]
    Trace,
    /// Also the error's type and message and those of its `source()` chain (including what
    /// services further down said), the service's name and its server span: for callers you
    /// trust with your messages.
    Chain,
    /// Also the origin's frames (functions, files and lines of your code): for internal hops.
    Frames,
}

impl Exposure {
    /// `trace`, `chain` or `frames`, as `TRACEFAULT_ERROR_EXPOSURE` names them.
    pub fn parse(name: &str) -> Option<Exposure> {
        match name.trim().to_ascii_lowercase().as_str() {
            "trace" => Some(Exposure::Trace),
            "chain" => Some(Exposure::Chain),
            "frames" => Some(Exposure::Frames),
            _ => None,
        }
    }

    const ALL: [Exposure; 3] = [Exposure::Trace, Exposure::Chain, Exposure::Frames];

    // Its place in `ALL`, so that the setting is one atomic word.
    fn index(self) -> u8 {
        Exposure::ALL
            .iter()
            .position(|&exposure| exposure == self)
            .unwrap_or(0) as u8
    }
}

/// What a panic in instrumented code prints, besides tracefault's report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PanicOutput {
    /// The report alone: the standard library's panic hook is not called for a panic that
    /// tracefault reports (its payload, location and traceback are in the report), so that
    /// one panic is one report, and `RUST_BACKTRACE=1` does not make std symbolize a second
    /// backtrace first. Every other panic (outside instrumented code) prints std's message.
    /// The default.
    #[default]
    Report,
    /// The report and std's message (and, under `RUST_BACKTRACE=1`, std's backtrace) for
    /// every panic, as without tracefault.
    Both,
}

impl PanicOutput {
    /// `report` or `both`, as `TRACEFAULT_PANIC_OUTPUT` names them.
    pub fn parse(name: &str) -> Option<PanicOutput> {
        match name.trim().to_ascii_lowercase().as_str() {
            "report" => Some(PanicOutput::Report),
            "both" => Some(PanicOutput::Both),
            _ => None,
        }
    }
}

/// Every process-wide setting, in force. Atomics, because every span, error or request reads
/// one of them and a setter may run at any time.
#[derive(Debug)]
pub(crate) struct Settings {
    backtrace_rate: AtomicU32,
    /// `RUST_LIB_BACKTRACE=0`, or `RUST_BACKTRACE=0` without it; not settable from code.
    backtraces_off_by_environment: bool,
    ids_as_fields: AtomicBool,
    traceresponse: AtomicBool,
    exposure: AtomicU8,
    /// Whether std's panic message is printed beside tracefault's report
    /// ([`PanicOutput::Both`]).
    panic_output_both: AtomicBool,
    /// Set from code, else from the environment; each name set lives as long as the process
    /// (a program names itself once or twice), so that reports can borrow it.
    service_name: Mutex<Option<&'static str>>,
}

/// The settings in force, resolved from the environment on first use.
#[inline]
pub(crate) fn get() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(Settings::from_environment)
}

impl Settings {
    /// Each setting from its variable, else its default.
    fn from_environment() -> Settings {
        let backtrace_rate = env::read(Variable::BacktraceRate)
            .and_then(|value| value.parse::<u32>().ok())
            .unwrap_or(DEFAULT_BACKTRACE_RATE);
        let backtrace_setting =
            env::read(Variable::RustLibBacktrace).or_else(|| env::read(Variable::RustBacktrace));
        let exposure = env::read(Variable::ErrorExposure)
            .and_then(|name| Exposure::parse(&name))
            .unwrap_or_default();
        let panic_output = env::read(Variable::PanicOutput)
            .and_then(|name| PanicOutput::parse(&name))
            .unwrap_or_default();
        Settings {
            backtrace_rate: AtomicU32::new(capped_rate(backtrace_rate)),
            backtraces_off_by_environment: backtrace_setting.as_deref() == Some("0"),
            ids_as_fields: AtomicBool::new(env::is_one(Variable::IdsAsFields)),
            traceresponse: AtomicBool::new(false),
            exposure: AtomicU8::new(exposure.index()),
            panic_output_both: AtomicBool::new(panic_output == PanicOutput::Both),
            service_name: Mutex::new(service_name_from_environment()),
        }
    }

    /// Backtraces per second per instrumented function.
    #[inline]
    pub(crate) fn backtrace_rate(&self) -> u32 {
        self.backtrace_rate.load(Ordering::Relaxed)
    }

    pub(crate) fn set_backtrace_rate(&self, per_second: u32) {
        self.backtrace_rate
            .store(capped_rate(per_second), Ordering::Relaxed);
    }

    /// Whether the environment turned backtraces off, as it does for `std`'s.
    #[inline]
    pub(crate) fn backtraces_off_by_environment(&self) -> bool {
        self.backtraces_off_by_environment
    }

    /// Whether every `#[trace]` span records its `trace_id` and `span_id` as fields.
    #[inline]
    pub(crate) fn ids_as_fields(&self) -> bool {
        self.ids_as_fields.load(Ordering::Relaxed)
    }

    pub(crate) fn set_ids_as_fields(&self, enabled: bool) {
        self.ids_as_fields.store(enabled, Ordering::Relaxed);
    }

    /// Whether servers answer with a `traceresponse` header (off unless a program opts in: a
    /// span id in every response is information a public server may not want to give away;
    /// it has no variable).
    pub(crate) fn traceresponse(&self) -> bool {
        self.traceresponse.load(Ordering::Relaxed)
    }

    pub(crate) fn set_traceresponse(&self, enabled: bool) {
        self.traceresponse.store(enabled, Ordering::Relaxed);
    }

    /// What this process's answers to failed requests say of their errors.
    pub(crate) fn exposure(&self) -> Exposure {
        Exposure::ALL[usize::from(self.exposure.load(Ordering::Relaxed))]
    }

    pub(crate) fn set_exposure(&self, exposure: Exposure) {
        self.exposure.store(exposure.index(), Ordering::Relaxed);
    }

    /// What a panic in instrumented code prints besides the report.
    pub(crate) fn panic_output(&self) -> PanicOutput {
        if self.panic_output_both.load(Ordering::Relaxed) {
            PanicOutput::Both
        } else {
            PanicOutput::Report
        }
    }

    pub(crate) fn set_panic_output(&self, output: PanicOutput) {
        self.panic_output_both
            .store(output == PanicOutput::Both, Ordering::Relaxed);
    }

    /// The service's name: set from code, else `OTEL_SERVICE_NAME`, else `service.name` in
    /// `OTEL_RESOURCE_ATTRIBUTES`, else none.
    pub(crate) fn service_name(&self) -> Option<&'static str> {
        *self
            .service_name
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn set_service_name(&self, name: &str) {
        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
        *self
            .service_name
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(name);
    }
}

/// `u32::MAX` stays free: a rate is at most effectively unlimited.
fn capped_rate(per_second: u32) -> u32 {
    per_second.min(u32::MAX - 1)
}

fn service_name_from_environment() -> Option<&'static str> {
    let name = env::read(Variable::OtelServiceName).or_else(|| {
        let attributes = env::read(Variable::OtelResourceAttributes)?;
        attributes.split(',').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == tracefault_report::keys::SERVICE_NAME)
                .then(|| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        })
    })?;
    Some(Box::leak(name.into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exposure_round_trips_through_its_word() {
        for exposure in Exposure::ALL {
            assert_eq!(Exposure::ALL[usize::from(exposure.index())], exposure);
        }
        assert_eq!(Exposure::parse(" Frames "), Some(Exposure::Frames));
        assert_eq!(Exposure::parse("all"), None);
    }

    #[test]
    fn a_panic_output_is_read_from_its_word() {
        assert_eq!(PanicOutput::parse(" Both"), Some(PanicOutput::Both));
        assert_eq!(PanicOutput::parse("report"), Some(PanicOutput::Report));
        assert_eq!(PanicOutput::parse("std"), None);
    }

    #[test]
    fn a_rate_leaves_room_for_nothing_above_unlimited() {
        assert_eq!(capped_rate(u32::MAX), u32::MAX - 1);
        assert_eq!(capped_rate(7), 7);
    }
}
