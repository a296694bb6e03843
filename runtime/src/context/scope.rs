//! The context current on a thread, set by instrumented frames for as long as they run, and
//! carried by futures between polls.

use super::lineage::{Lineage, SpanKind};
use super::{Baggage, SpanContext, SpanId, TraceFlags, TraceId};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// What is current for running code: a span context (inside an instrumented function, or
/// received from a caller) and the baggage that goes with it.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub(crate) span: Option<SpanContext>,
    pub(crate) baggage: Baggage,
    /// The span's parent and kind, for exporters.
    pub(crate) lineage: Lineage,
}

thread_local! {
    // Initialised at compile time: every instrumented call reads and writes it.
    static CURRENT: RefCell<Context> = const { RefCell::new(Context { span: None, baggage: Baggage::EMPTY, lineage: Lineage::ROOT }) };
}

pub(super) fn with_current<R>(read: impl Fn(&Context) -> R) -> R {
    CURRENT
        .try_with(|current| read(&current.borrow()))
        // The thread is being torn down: nothing is current any more.
        .unwrap_or_else(|_| read(&Context::default()))
}

pub(super) fn update_current(update: impl FnOnce(&mut Context)) {
    let _ = CURRENT.try_with(|current| update(&mut current.borrow_mut()));
}

/// The flags of a trace this process starts: sampled unless a sampler says otherwise, and
/// with an id random in all bytes.
#[inline]
fn root_flags(trace_id: TraceId) -> TraceFlags {
    let flags = TraceFlags::SAMPLED.with_random(true);
    #[cfg(feature = "otel")]
    let flags = flags.with_sampled(crate::export::is_sampled(None, trace_id));
    let _ = trace_id;
    flags
}

/// A child's flags: its parent's, with `sampled` as the sampler decides (under the default,
/// parent-based sampler: the parent's).
#[inline]
fn child_flags(parent: TraceFlags, trace_id: TraceId) -> TraceFlags {
    #[cfg(feature = "otel")]
    let parent = parent.with_sampled(crate::export::is_sampled(Some(parent), trace_id));
    let _ = trace_id;
    parent
}

impl Context {
    /// The context of a new span whose parent is the current one; a new trace without one.
    #[inline]
    pub(crate) fn child_of_current() -> Context {
        with_current(Context::child)
    }

    /// The context of a new span under `parent`: its trace id, flags, state and baggage, and
    /// a span id of its own.
    pub(crate) fn child(parent: &Context) -> Context {
        let span = match &parent.span {
            Some(parent) => SpanContext {
                trace_id: parent.trace_id,
                span_id: SpanId::random(),
                flags: child_flags(parent.flags, parent.trace_id),
                state: parent.state.clone(),
                is_remote: false,
            },
            None => {
                let trace_id = TraceId::random();
                SpanContext {
                    trace_id,
                    span_id: SpanId::random(),
                    flags: root_flags(trace_id),
                    state: Default::default(),
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

    /// A context of `span` (e.g. received with [`crate::extract`]) and `baggage`.
    pub fn new(span: Option<SpanContext>, baggage: Baggage) -> Context {
        Context {
            span,
            baggage,
            lineage: Lineage::ROOT,
        }
    }

    /// The span context, if any.
    pub fn span(&self) -> Option<&SpanContext> {
        self.span.as_ref()
    }

    /// The baggage.
    pub fn baggage(&self) -> &Baggage {
        &self.baggage
    }

    /// The trace id, for span fields; all zeros without a span.
    pub fn trace_id(&self) -> TraceId {
        self.span
            .as_ref()
            .map_or(TraceId::INVALID, |span| span.trace_id)
    }

    /// The span id, for span fields; all zeros without a span.
    pub fn span_id(&self) -> SpanId {
        self.span
            .as_ref()
            .map_or(SpanId::INVALID, |span| span.span_id)
    }
}

/// Makes a context current until dropped, then restores what was current before, and hands
/// back the context as the code left it (with its baggage changes).
#[derive(Debug)]
pub(crate) struct ContextGuard {
    previous: Option<Context>,
}

impl ContextGuard {
    #[inline]
    pub(crate) fn enter(context: Context) -> ContextGuard {
        let previous = CURRENT.try_with(|current| current.replace(context)).ok();
        ContextGuard { previous }
    }

    /// Restores the previous context and returns the one this guard made current.
    #[inline]
    pub(crate) fn exit(mut self) -> Context {
        self.restore().unwrap_or_default()
    }

    fn restore(&mut self) -> Option<Context> {
        let previous = self.previous.take()?;
        CURRENT.try_with(|current| current.replace(previous)).ok()
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Futures that carry a context into their polls, wherever they run.
pub trait FutureExt: Future + Sized {
    /// Runs this future in the context current now, for a future that is not itself
    /// instrumented but is spawned or polled elsewhere:
    /// `tokio::spawn(work().in_current_context())`.
    fn in_current_context(self) -> WithContext<Self> {
        WithContext {
            context: with_current(Context::clone),
            future: self,
        }
    }
}

impl<F: Future> FutureExt for F {}

/// A future that makes its context current while it is polled; see
/// [`FutureExt::in_current_context`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct WithContext<F> {
    context: Context,
    future: F,
}

impl<F: Future> Future for WithContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and `WithContext`
        // implements neither `Drop` nor `Unpin` by hand.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let guard = ContextGuard::enter(std::mem::take(&mut this.context));
        let poll = future.poll(cx);
        this.context = guard.exit();
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_continues_its_parents_trace_with_a_new_span_id() {
        let root = Context::child(&Context::default());
        let root_span = root.span().unwrap().clone();
        assert!(root_span.is_valid());
        assert!(root_span.flags.is_sampled() && root_span.flags.is_random());
        let child = Context::child(&root);
        let child_span = child.span().unwrap();
        assert_eq!(child_span.trace_id, root_span.trace_id);
        assert_ne!(child_span.span_id, root_span.span_id);
        assert_eq!(child_span.flags, root_span.flags);
    }

    #[test]
    fn a_guard_restores_the_previous_context_and_keeps_changes() {
        let outer = Context::child(&Context::default());
        let outer_id = outer.span_id();
        let guard = ContextGuard::enter(outer);
        assert_eq!(crate::current().unwrap().span_id, outer_id);
        crate::context::set_baggage("tenant", "a").unwrap();
        let inner = ContextGuard::enter(Context::child_of_current());
        assert_eq!(crate::context::baggage().get("tenant"), Some("a"));
        let left = inner.exit();
        assert_eq!(left.trace_id(), crate::current().unwrap().trace_id);
        let outer = guard.exit();
        assert_eq!(outer.baggage.get("tenant"), Some("a"));
        assert!(crate::current().is_none());
        assert!(crate::context::baggage().is_empty());
    }
}
