//! Which new spans are sampled: the OpenTelemetry samplers that `OTEL_TRACES_SAMPLER` names,
//! decided where a span's context is made, so that the `sampled` flag a span exports with is
//! the one `inject` puts on the wire.

use crate::context::{TraceFlags, TraceId};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

/// A sampling policy, as the OpenTelemetry specification defines them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampler {
    /// Every span is sampled.
    AlwaysOn,
    /// No span is sampled (contexts still propagate, with `sampled` unset).
    AlwaysOff,
    /// A fraction of traces, decided from the trace id so that every service agrees.
    TraceIdRatio(f64),
    /// A span with a parent follows the parent's `sampled` flag; a root follows the inner
    /// sampler. The default: `ParentBased(AlwaysOn)`.
    ParentBased(RootSampler),
}

/// What decides for a root span under [`Sampler::ParentBased`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RootSampler {
    /// Every root span is sampled.
    AlwaysOn,
    /// No root span is sampled.
    AlwaysOff,
    /// A fraction of root spans' traces, decided from the trace id.
    TraceIdRatio(f64),
}

impl Default for Sampler {
    fn default() -> Sampler {
        Sampler::ParentBased(RootSampler::AlwaysOn)
    }
}

impl Sampler {
    /// The sampler that `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name; the default
    /// when it is unset. An unknown name or a bad argument is an error that says so (the
    /// caller warns and keeps the default, as the specification asks).
    pub fn from_env() -> Result<Sampler, String> {
        use crate::settings::env::{self, Variable};
        let Some(name) = env::read(Variable::OtelTracesSampler) else {
            return Ok(Sampler::default());
        };
        let arg = env::read(Variable::OtelTracesSamplerArg);
        Sampler::from_name(&name, arg.as_deref())
    }

    fn from_name(name: &str, arg: Option<&str>) -> Result<Sampler, String> {
        let ratio = || -> Result<f64, String> {
            match arg.map(str::trim) {
                None | Some("") => Ok(1.0),
                Some(text) => match text.parse::<f64>() {
                    Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
                    _ => Err(format!(
                        "OTEL_TRACES_SAMPLER_ARG={text:?} is not a ratio between 0 and 1"
                    )),
                },
            }
        };
        Ok(match name {
            "always_on" => Sampler::AlwaysOn,
            "always_off" => Sampler::AlwaysOff,
            "traceidratio" => Sampler::TraceIdRatio(ratio()?),
            "parentbased_always_on" => Sampler::ParentBased(RootSampler::AlwaysOn),
            "parentbased_always_off" => Sampler::ParentBased(RootSampler::AlwaysOff),
            "parentbased_traceidratio" => Sampler::ParentBased(RootSampler::TraceIdRatio(ratio()?)),
            other => {
                return Err(format!(
                    "OTEL_TRACES_SAMPLER={other:?} is not one of always_on, always_off, \
                     traceidratio, parentbased_always_on, parentbased_always_off, \
                     parentbased_traceidratio"
                ))
            }
        })
    }
}

// The sampler in force, as two words that every new span reads: a mode and, for the ratio
// samplers, the threshold the trace id's random bits are compared with.
static MODE: AtomicU8 = AtomicU8::new(PARENT_BASED | ROOT_ON);
static THRESHOLD: AtomicU64 = AtomicU64::new(u64::MAX);

const ROOT_ON: u8 = 0;
const ROOT_OFF: u8 = 1;
const ROOT_RATIO: u8 = 2;
const PARENT_BASED: u8 = 4;

/// Puts `sampler` in force for spans created from now on.
pub fn set_sampler(sampler: Sampler) {
    let (parent_based, root) = match sampler {
        Sampler::AlwaysOn => (0, RootSampler::AlwaysOn),
        Sampler::AlwaysOff => (0, RootSampler::AlwaysOff),
        Sampler::TraceIdRatio(ratio) => (0, RootSampler::TraceIdRatio(ratio)),
        Sampler::ParentBased(root) => (PARENT_BASED, root),
    };
    let root = match root {
        RootSampler::AlwaysOn => ROOT_ON,
        RootSampler::AlwaysOff => ROOT_OFF,
        RootSampler::TraceIdRatio(ratio) => {
            THRESHOLD.store(ratio_threshold(ratio), Ordering::Relaxed);
            ROOT_RATIO
        }
    };
    MODE.store(parent_based | root, Ordering::Relaxed);
}

/// Whether a new span in `trace_id` is sampled, given its parent's flags (`None` for a root).
/// A span left out is counted here, the one place that knows it (`ExportStats::unsampled`).
#[inline]
pub(crate) fn is_sampled(parent: Option<TraceFlags>, trace_id: TraceId) -> bool {
    let sampled = decide(parent, trace_id);
    if !sampled {
        count_unsampled();
    }
    sampled
}

#[inline]
fn decide(parent: Option<TraceFlags>, trace_id: TraceId) -> bool {
    let mode = MODE.load(Ordering::Relaxed);
    if let (true, Some(parent)) = (mode & PARENT_BASED != 0, parent) {
        return parent.is_sampled();
    }
    match mode & !PARENT_BASED {
        ROOT_ON => true,
        ROOT_OFF => false,
        _ => trace_id_is_below(trace_id, THRESHOLD.load(Ordering::Relaxed)),
    }
}

/// The bound that `opentelemetry_sdk`'s `TraceIdRatioBased` compares with, so that a trace
/// sampled by one of our services is sampled by every service with the same ratio.
fn ratio_threshold(ratio: f64) -> u64 {
    if ratio >= 1.0 {
        u64::MAX
    } else {
        (ratio.max(0.0) * (1u64 << 63) as f64) as u64
    }
}

fn trace_id_is_below(trace_id: TraceId, threshold: u64) -> bool {
    if threshold == u64::MAX {
        return true;
    }
    let bytes = trace_id.to_bytes();
    let low = u64::from_be_bytes([
        bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
    ]);
    (low >> 1) < threshold
}

// Spans the sampler left out while export counts them (`ExportStats::unsampled`): counted
// here, where it decides, and read by the export pipeline, which turns the count on and off.
static COUNTING: AtomicBool = AtomicBool::new(false);
static UNSAMPLED: AtomicU64 = AtomicU64::new(0);

#[inline]
fn count_unsampled() {
    if COUNTING.load(Ordering::Relaxed) {
        UNSAMPLED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Whether spans left out are counted: while export is on.
pub(crate) fn count_unsampled_spans(enabled: bool) {
    COUNTING.store(enabled, Ordering::Relaxed);
}

/// How many spans the sampler left out while they were counted.
pub(crate) fn unsampled_spans() -> u64 {
    UNSAMPLED.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_environment_variable_specification() {
        assert_eq!(
            Sampler::from_name("always_off", None),
            Ok(Sampler::AlwaysOff)
        );
        assert_eq!(
            Sampler::from_name("parentbased_traceidratio", Some("0.25")),
            Ok(Sampler::ParentBased(RootSampler::TraceIdRatio(0.25)))
        );
        // The specification's default argument is 1.0.
        assert_eq!(
            Sampler::from_name("traceidratio", None),
            Ok(Sampler::TraceIdRatio(1.0))
        );
        assert!(Sampler::from_name("traceidratio", Some("2")).is_err());
        assert!(Sampler::from_name("jaeger_remote", None).is_err());
    }

    #[test]
    fn the_ratio_agrees_with_opentelemetry_sdk() {
        let threshold = ratio_threshold(0.5);
        let mut low = [0u8; 16];
        low[8] = 0x7f;
        assert!(trace_id_is_below(TraceId::from_bytes(low), threshold));
        low[8] = 0x80;
        assert!(!trace_id_is_below(TraceId::from_bytes(low), threshold));
        assert!(!trace_id_is_below(
            TraceId::from_bytes(low),
            ratio_threshold(0.0)
        ));
    }
}
