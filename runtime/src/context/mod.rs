//! W3C Trace Context for the running code: which trace it belongs to, which span it runs in,
//! and the baggage that travels with it.
//!
//! Every `#[trace]` function gets a span context of its own: a new span id, its parent's trace
//! id and flags, or a new trace when it has no parent. It is current while the function runs
//! (for an `async fn`, during each poll), whatever the log level and whether or not a
//! subscriber is installed, so that [`crate::inject`] always puts the right `traceparent` on
//! an outgoing request.

mod ids;
mod lineage;
pub(crate) mod scope;

pub use crate::propagation::baggage::Baggage;
pub use crate::propagation::tracestate::TraceState;
pub(crate) use ids::decode_hex;
pub use ids::{SpanId, TraceFlags, TraceId};
#[cfg(feature = "otel")]
pub(crate) use lineage::Lineage;
pub use lineage::SpanKind;
pub use scope::Context;
pub(crate) use scope::ContextGuard;
pub use scope::{FutureExt, WithContext};

/// The identity of one span, as W3C Trace Context carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanContext {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub flags: TraceFlags,
    pub state: TraceState,
    /// Received from another process rather than created here.
    pub is_remote: bool,
}

impl SpanContext {
    pub fn new(
        trace_id: TraceId,
        span_id: SpanId,
        flags: TraceFlags,
        state: TraceState,
        is_remote: bool,
    ) -> SpanContext {
        SpanContext {
            trace_id,
            span_id,
            flags,
            state,
            is_remote,
        }
    }

    /// Both ids are non-zero.
    pub fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }
}

/// The span context of the instrumented function running on this thread, if any.
///
/// ```
/// #[tracefault::trace]
/// fn handler() -> Option<tracefault::context::SpanContext> {
///     tracefault::current()
/// }
/// let context = handler().unwrap();
/// assert!(context.is_valid());
/// assert!(tracefault::current().is_none());
/// ```
pub fn current() -> Option<SpanContext> {
    scope::current_span()
}

/// The trace and span ids of the current context, without copying its state.
#[cfg_attr(not(feature = "subscriber"), allow(dead_code))]
pub(crate) fn current_ids() -> Option<(TraceId, SpanId)> {
    scope::current_ids()
}

/// The baggage of the running code.
pub fn baggage() -> Baggage {
    scope::current_baggage()
}

/// Sets a baggage entry for the rest of the current instrumented function and what it calls
/// (and injects); the caller's baggage is untouched.
pub fn set_baggage(
    key: &str,
    value: &str,
) -> Result<(), crate::propagation::baggage::BaggageError> {
    let updated = baggage().insert(key, value)?;
    scope::set_current_baggage(updated);
    Ok(())
}

/// Removes a baggage entry, as [`set_baggage`] sets one.
pub fn remove_baggage(key: &str) {
    let updated = baggage().remove(key);
    scope::set_current_baggage(updated);
}
