//! W3C Trace Context for the running code: which trace it belongs to, which span it runs in,
//! and the baggage that travels with it.
//!
//! Every `#[trace]` function gets a span context of its own: a new span id, its parent's trace
//! id and flags, or a new trace when it has no parent. It is current while the function runs
//! (for an `async fn`, during each poll), whatever the log level and whether or not a
//! subscriber is installed, so that [`crate::inject`] always puts the right `traceparent` on
//! an outgoing request. Ids are made when something first asks for them.

pub mod baggage;
mod future;
mod ids;
mod lineage;
#[cfg(feature = "otel")]
pub(crate) mod sampler;
pub(crate) mod scope;
pub mod tracestate;
#[cfg(feature = "subscriber")]
mod tracing_spans;

pub use baggage::Baggage;
pub use future::{FutureExt, WithContext};
pub(crate) use ids::decode_hex;
pub use ids::{SpanId, TraceFlags, TraceId};
pub(crate) use lineage::Lineage;
pub use lineage::SpanKind;
pub(crate) use scope::{Role, Scope};
pub use tracestate::TraceState;
#[cfg(feature = "subscriber")]
pub use tracing_spans::ContextLayer;

/// The identity of one span, as W3C Trace Context carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanContext {
    /// The trace this span belongs to.
    pub trace_id: TraceId,
    /// This span's own id (sent as the parent id of a `traceparent`).
    pub span_id: SpanId,
    /// The `trace-flags`: `sampled` and Level 2's `random`.
    pub flags: TraceFlags,
    /// The vendors' `tracestate` members that travel with the trace.
    pub state: TraceState,
    /// Received from another process rather than created here.
    pub is_remote: bool,
}

impl SpanContext {
    /// A span context of these parts.
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

/// A span context and the baggage that goes with it, as a value: what [`crate::extract`] reads
/// off a request, or what is current, kept.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub(crate) span: Option<SpanContext>,
    pub(crate) baggage: Baggage,
    /// The span's parent and kind, for exporters.
    pub(crate) lineage: Lineage,
}

impl Context {
    /// A context of `span` (e.g. received with [`crate::extract`]) and `baggage`.
    pub fn new(span: Option<SpanContext>, baggage: Baggage) -> Context {
        Context {
            span,
            baggage,
            lineage: Lineage::ROOT,
        }
    }

    /// What is current now: the span of the running instrumented function (its ids made now if
    /// nobody asked for them before) and its baggage.
    pub fn current() -> Context {
        scope::with_current(|scope| match scope {
            Some(scope) => Context {
                span: scope.span_context(),
                baggage: scope.shared().1,
                lineage: Lineage {
                    parent: scope.parent_span_id(),
                    parent_is_remote: scope.parent_is_remote(),
                    kind: scope.kind(),
                },
            },
            None => Context::default(),
        })
    }

    /// The context of a new span under `parent`: its trace id, flags, state and baggage, and
    /// a span id of its own; a new trace without a span.
    pub(crate) fn child(parent: &Context) -> Context {
        let span = match &parent.span {
            Some(parent) => SpanContext {
                trace_id: parent.trace_id,
                span_id: SpanId::random(),
                flags: new_span_flags(Some(parent.flags), || parent.trace_id),
                state: parent.state.clone(),
                is_remote: false,
            },
            None => {
                let trace_id = TraceId::random();
                SpanContext {
                    trace_id,
                    span_id: SpanId::random(),
                    flags: new_span_flags(None, || trace_id),
                    state: TraceState::default(),
                    is_remote: false,
                }
            }
        };
        let lineage = Lineage {
            parent: parent.span.as_ref().map(|parent| parent.span_id),
            parent_is_remote: parent.span.as_ref().is_some_and(|parent| parent.is_remote),
            kind: SpanKind::Internal,
        };
        Context {
            span: Some(span),
            baggage: parent.baggage.clone(),
            lineage,
        }
    }

    /// The context of a new span under the current one (a new trace without one).
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn child_of_current() -> Context {
        let mut parent = Context::current();
        parent.lineage = Lineage::ROOT;
        Context::child(&parent)
    }

    /// This context, as the span of a request received from another process.
    pub(crate) fn into_server(mut self) -> Context {
        self.lineage.kind = SpanKind::Server;
        self
    }

    /// This context, as the span of a request to another process.
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn into_client(mut self) -> Context {
        self.lineage.kind = SpanKind::Client;
        self
    }

    /// The span context, if any.
    pub fn span(&self) -> Option<&SpanContext> {
        self.span.as_ref()
    }

    /// The baggage.
    pub fn baggage(&self) -> &Baggage {
        &self.baggage
    }

    /// The trace id; all zeros without a span.
    #[inline]
    pub fn trace_id(&self) -> TraceId {
        self.span
            .as_ref()
            .map_or(TraceId::INVALID, |span| span.trace_id)
    }

    /// The span id; all zeros without a span.
    #[inline]
    pub fn span_id(&self) -> SpanId {
        self.span
            .as_ref()
            .map_or(SpanId::INVALID, |span| span.span_id)
    }
}

/// A new span's flags: its parent's, or a new trace's (sampled, random), with `sampled` as the
/// sampler decides when spans can be exported (under the default, parent-based sampler: the
/// parent's). The trace id is asked for only then.
#[inline]
pub(crate) fn new_span_flags(
    parent: Option<TraceFlags>,
    trace_id: impl FnOnce() -> TraceId,
) -> TraceFlags {
    let flags = parent.unwrap_or(scope::ROOT_FLAGS);
    #[cfg(feature = "otel")]
    let flags = flags.with_sampled(sampler::is_sampled(parent, trace_id()));
    #[cfg(not(feature = "otel"))]
    let _ = trace_id;
    flags
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
    scope::with_current(|scope| scope.and_then(Scope::span_context))
}

/// The trace and span ids of the current context, made now if nobody asked for them before.
#[cfg_attr(not(feature = "subscriber"), allow(dead_code))]
pub(crate) fn current_ids() -> Option<(TraceId, SpanId)> {
    scope::with_current(|scope| {
        scope
            .filter(|scope| scope.has_span())
            .map(|scope| (scope.trace_id(), scope.span_id()))
    })
}

/// The baggage of the running code.
pub fn baggage() -> Baggage {
    scope::with_current(|scope| scope.map(|scope| scope.shared().1).unwrap_or_default())
}

/// Sets a baggage entry for the rest of the current instrumented function and what it calls
/// (and injects); the caller's baggage is untouched. Outside any instrumented function (or
/// future run [in a context](FutureExt::in_current_context)) there is no current context to
/// change, and it has no effect.
pub fn set_baggage(key: &str, value: &str) -> Result<(), baggage::BaggageError> {
    let updated = baggage().insert(key, value)?;
    scope::set_current_baggage(updated);
    Ok(())
}

/// Removes a baggage entry, as [`set_baggage`] sets one.
pub fn remove_baggage(key: &str) {
    let updated = baggage().remove(key);
    scope::set_current_baggage(updated);
}

/// Without the optional white space (spaces and tabs) around it, as the W3C headers' grammars
/// allow.
pub(crate) fn trim_ows(text: &[u8]) -> &[u8] {
    let is_ows = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = text.iter().position(|b| !is_ows(b)).unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last + 1);
    &text[start..end.max(start)]
}
