//! The context current on a thread, set by instrumented frames for as long as they run, and
//! carried by futures between polls.

use super::lineage::{Lineage, SpanKind};
use super::{Baggage, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
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

// Every instrumented call swaps the current context in and out, so the thread keeps it in
// parts: the ids, in cells of their own that are read and written at their own width (a
// struct written field by field and then copied whole stalls store forwarding, which cost
// most of a call when the context sat in one `RefCell<Context>`), and the tracestate and
// baggage, which are usually empty. `IDS` has no destructor, so reaching it costs no
// registration check; `SHARED` is touched only when it or the incoming context is not empty.
thread_local! {
    static IDS: CurrentIds = const {
        CurrentIds {
            trace_id: [Cell::new(0), Cell::new(0)],
            span_id: Cell::new(SpanId::INVALID),
            flags: Cell::new(TraceFlags::new(0)),
            span: Cell::new(Presence::None),
            has_shared: Cell::new(false),
        }
    };
    static SHARED: Shared = const {
        Shared { state: Cell::new(TraceState::EMPTY), baggage: Cell::new(Baggage::EMPTY) }
    };
}

struct CurrentIds {
    /// In two words, read and written one word at a time: see [`TraceWords`].
    trace_id: [Cell<u64>; 2],
    span_id: Cell<SpanId>,
    flags: Cell<TraceFlags>,
    span: Cell<Presence>,
    /// Whether `SHARED` holds a tracestate or baggage.
    has_shared: Cell<bool>,
}

/// The parts of the current context that own heap data.
struct Shared {
    state: Cell<TraceState>,
    baggage: Cell<Baggage>,
}

/// A trace id as two machine words. Built from two random words, it is written a word at a
/// time; a copy that then read it in one 16-byte load would stall store forwarding, so every
/// copy of it is done a word at a time too.
#[derive(Clone, Copy, PartialEq, Eq)]
struct TraceWords {
    high: u64,
    low: u64,
}

impl TraceWords {
    const INVALID: TraceWords = TraceWords { high: 0, low: 0 };

    #[inline(always)]
    fn of(id: TraceId) -> TraceWords {
        let value = u128::from_ne_bytes(id.to_bytes());
        TraceWords {
            high: (value >> 64) as u64,
            low: value as u64,
        }
    }

    #[inline(always)]
    fn to_trace_id(self) -> TraceId {
        let value = u128::from(self.high) << 64 | u128::from(self.low);
        TraceId::from_bytes(value.to_ne_bytes())
    }
}

/// The `Copy` part of a context.
#[derive(Clone, Copy)]
struct Ids {
    trace_id: TraceWords,
    span_id: SpanId,
    flags: TraceFlags,
    span: Presence,
}

/// Whether a context has a span context, and where it was created.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    None,
    Local,
    Remote,
}

impl Ids {
    const NONE: Ids = Ids {
        trace_id: TraceWords::INVALID,
        span_id: SpanId::INVALID,
        flags: TraceFlags::new(0),
        span: Presence::None,
    };

    #[inline]
    fn of(span: Option<&SpanContext>) -> Ids {
        match span {
            Some(span) => Ids {
                trace_id: TraceWords::of(span.trace_id),
                span_id: span.span_id,
                flags: span.flags,
                span: if span.is_remote {
                    Presence::Remote
                } else {
                    Presence::Local
                },
            },
            None => Ids::NONE,
        }
    }

    #[inline(always)]
    fn current() -> Ids {
        IDS.with(|current| Ids {
            trace_id: TraceWords {
                high: current.trace_id[0].get(),
                low: current.trace_id[1].get(),
            },
            span_id: current.span_id.get(),
            flags: current.flags.get(),
            span: current.span.get(),
        })
    }
}

/// A context taken apart as the thread keeps it: what an instrumented frame makes current,
/// and what it saves of its caller's meanwhile.
///
/// Its drop glue is a test of two pointers, inlined (the tracestate and baggage are let go
/// out of line): a value with a drop function that is not inlined must stay in memory for
/// the unwinding path, and is then copied whole, with the stall that avoids.
pub struct FrameContext {
    ids: Ids,
    state: ManuallyDrop<TraceState>,
    baggage: ManuallyDrop<Baggage>,
    /// The span's record for the exporter, opened where its parent is known, until the frame
    /// takes it.
    #[cfg(feature = "otel")]
    pub(crate) export: Option<Box<crate::export::SpanRecord>>,
}

impl FrameContext {
    const NONE: FrameContext = FrameContext {
        ids: Ids::NONE,
        state: ManuallyDrop::new(TraceState::EMPTY),
        baggage: ManuallyDrop::new(Baggage::EMPTY),
        #[cfg(feature = "otel")]
        export: None,
    };

    /// The trace id, for span fields; all zeros without a span.
    #[inline]
    pub fn trace_id(&self) -> TraceId {
        self.ids.trace_id.to_trace_id()
    }

    /// The span id, for span fields; all zeros without a span.
    #[inline]
    pub fn span_id(&self) -> SpanId {
        self.ids.span_id
    }

    #[inline]
    fn has_shared(&self) -> bool {
        !self.state.is_empty() || !self.baggage.is_empty()
    }

    #[inline]
    fn take_shared(&mut self) -> (TraceState, Baggage) {
        (
            core::mem::take(&mut *self.state),
            core::mem::take(&mut *self.baggage),
        )
    }

    #[cfg(test)]
    pub(crate) fn into_context(mut self) -> Context {
        let (state, baggage) = self.take_shared();
        Context {
            span: span_context(self.ids, state),
            baggage,
            lineage: Lineage::ROOT,
        }
    }

    /// Exchanges this context with the thread's current one, field by field.
    #[inline(always)]
    fn swap_with_current(&mut self) {
        let has_shared = self.has_shared();
        let ids = &mut self.ids;
        let current_has_shared = IDS.with(|current| {
            ids.trace_id = TraceWords {
                high: current.trace_id[0].replace(ids.trace_id.high),
                low: current.trace_id[1].replace(ids.trace_id.low),
            };
            ids.span_id = current.span_id.replace(ids.span_id);
            ids.flags = current.flags.replace(ids.flags);
            ids.span = current.span.replace(ids.span);
            current.has_shared.replace(has_shared)
        });
        if has_shared || current_has_shared {
            let mut parts = self.take_shared();
            swap_shared_with_current(&mut parts);
            (*self.state, *self.baggage) = parts;
        }
    }

    /// Makes this context current, letting go of the current one and leaving this one empty.
    /// Unlike a swap, it does not read the ids it overwrites, which were written moments ago
    /// in other widths; and it reads this context in place, field by field, rather than
    /// moving it whole first.
    #[inline(always)]
    fn replace_current(&mut self) {
        let has_shared = self.has_shared();
        let ids = &self.ids;
        let current_has_shared = IDS.with(|current| {
            current.trace_id[0].set(ids.trace_id.high);
            current.trace_id[1].set(ids.trace_id.low);
            current.span_id.set(ids.span_id);
            current.flags.set(ids.flags);
            current.span.set(ids.span);
            current.has_shared.replace(has_shared)
        });
        if has_shared || current_has_shared {
            let mut parts = self.take_shared();
            swap_shared_with_current(&mut parts);
            let_go(parts);
        }
    }
}

impl FrameContext {
    /// Makes this context current, in place, until the returned guard is dropped; then the
    /// previous one is current again and this one holds what the code changed in it. Nothing
    /// is moved: a future's context is swapped field by field where the future keeps it.
    #[inline(always)]
    pub(crate) fn enter(&mut self) -> EnteredInPlace<'_> {
        self.swap_with_current();
        EnteredInPlace { context: self }
    }
}

/// A context made current in place by [`FrameContext::enter`].
pub(crate) struct EnteredInPlace<'a> {
    context: &'a mut FrameContext,
}

impl Drop for EnteredInPlace<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.context.swap_with_current();
    }
}

impl From<Context> for FrameContext {
    fn from(context: Context) -> FrameContext {
        let Context { span, baggage, .. } = context;
        FrameContext {
            ids: Ids::of(span.as_ref()),
            state: ManuallyDrop::new(span.map(|span| span.state).unwrap_or_default()),
            baggage: ManuallyDrop::new(baggage),
            #[cfg(feature = "otel")]
            export: None,
        }
    }
}

impl FrameContext {
    /// The context of a frame that continues a caller's trace (`#[trace(remote = ...)]`):
    /// `context` as a server span, with its record for the exporter.
    pub(crate) fn of_server(context: Context) -> FrameContext {
        let context = context.into_server();
        #[cfg(feature = "otel")]
        let export = crate::export::SpanRecord::open(&context);
        #[cfg_attr(not(feature = "otel"), allow(unused_mut))]
        let mut frame_context = FrameContext::from(context);
        #[cfg(feature = "otel")]
        {
            frame_context.export = export;
        }
        frame_context
    }
}

impl Default for FrameContext {
    fn default() -> FrameContext {
        FrameContext::NONE
    }
}

impl Drop for FrameContext {
    #[inline(always)]
    fn drop(&mut self) {
        if self.has_shared() {
            let shared = self.take_shared();
            let_go(shared);
        }
    }
}

impl fmt::Debug for FrameContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameContext")
            .field("span", &span_context(self.ids, (*self.state).clone()))
            .field("baggage", &*self.baggage)
            .finish()
    }
}

#[cold]
#[inline(never)]
fn let_go(_shared: (TraceState, Baggage)) {}

/// Exchanges `parts` with the thread's tracestate and baggage.
///
/// `extern "C"`, which aborts rather than unwinds, tells the compiler that it cannot unwind
/// (it cannot: it only moves pointers). A frame calls it after entering its span, and a call
/// that may unwind would need a landing pad that drops the span, which keeps the span in memory
/// and costs a copy of it on every call.
#[cold]
#[inline(never)]
extern "C" fn swap_shared_with_current(parts: &mut (TraceState, Baggage)) {
    // Only while the thread is being torn down is there nowhere to put the shared parts; they
    // stay with the guard then, as if the thread had none.
    let _ = SHARED.try_with(|shared| {
        parts.0 = shared.state.replace(core::mem::take(&mut parts.0));
        parts.1 = shared.baggage.replace(core::mem::take(&mut parts.1));
    });
}

fn span_context(ids: Ids, state: TraceState) -> Option<SpanContext> {
    (ids.span != Presence::None).then(|| SpanContext {
        trace_id: ids.trace_id.to_trace_id(),
        span_id: ids.span_id,
        flags: ids.flags,
        state,
        is_remote: ids.span == Presence::Remote,
    })
}

/// A copy of one of the thread's shared parts (an `Arc` count, when it is not empty).
#[inline]
fn copy_of<T: Clone + Default>(cell: &Cell<T>) -> T {
    read_in(cell, T::clone)
}

/// What `read` finds in `cell`, which holds no `Copy` value.
#[inline]
fn read_in<T: Default, R>(cell: &Cell<T>, read: impl FnOnce(&T) -> R) -> R {
    let value = cell.take();
    let result = read(&value);
    cell.set(value);
    result
}

pub(super) fn current_span() -> Option<SpanContext> {
    let ids = Ids::current();
    if ids.span == Presence::None {
        return None;
    }
    span_context(ids, current_shared().0)
}

pub(super) fn current_baggage() -> Baggage {
    current_shared().1
}

/// Copies of the current tracestate and baggage.
#[inline]
fn current_shared() -> (TraceState, Baggage) {
    if !IDS.with(|current| current.has_shared.get()) {
        return Default::default();
    }
    current_shared_slow()
}

#[inline(never)]
fn current_shared_slow() -> (TraceState, Baggage) {
    SHARED
        .try_with(|shared| (copy_of(&shared.state), copy_of(&shared.baggage)))
        .unwrap_or_default()
}

pub(super) fn set_current_baggage(baggage: Baggage) {
    let _ = SHARED.try_with(|shared| {
        shared.baggage.set(baggage);
        let has_shared = !read_in(&shared.state, TraceState::is_empty)
            || !read_in(&shared.baggage, Baggage::is_empty);
        IDS.with(|current| current.has_shared.set(has_shared));
    });
}

/// The flags of a trace this process starts: sampled, and with an id random in all bytes.
const ROOT_FLAGS: TraceFlags = TraceFlags::SAMPLED.with_random(true);

/// A new span's flags: its parent's, or [`ROOT_FLAGS`] for a root, with `sampled` as the
/// sampler decides when spans can be exported (under the default, parent-based sampler: the
/// parent's). The trace id is asked for only then.
#[inline(always)]
fn new_span_flags(parent: Option<TraceFlags>, trace_id: impl FnOnce() -> TraceId) -> TraceFlags {
    let flags = parent.unwrap_or(ROOT_FLAGS);
    #[cfg(feature = "otel")]
    let flags = flags.with_sampled(crate::export::is_sampled(parent, trace_id()));
    #[cfg(not(feature = "otel"))]
    let _ = trace_id;
    flags
}

pub(super) fn current_ids() -> Option<(TraceId, SpanId)> {
    let ids = Ids::current();
    (ids.span != Presence::None).then(|| (ids.trace_id.to_trace_id(), ids.span_id))
}

impl FrameContext {
    /// The context of a new span whose parent is the current one; a new trace without one.
    #[inline(always)]
    pub(crate) fn child_of_current() -> FrameContext {
        let parent = Ids::current();
        let (state, baggage) = current_shared();
        let (trace_id, parent_flags) = match parent.span {
            Presence::None => (new_trace_id(), None),
            Presence::Local | Presence::Remote => (parent.trace_id, Some(parent.flags)),
        };
        let flags = new_span_flags(parent_flags, || trace_id.to_trace_id());
        let span_id = SpanId::random();
        #[cfg(feature = "otel")]
        let export = crate::export::SpanRecord::open_child(
            trace_id.to_trace_id(),
            span_id,
            flags,
            &state,
            Lineage {
                parent: parent_flags.map(|_| parent.span_id),
                parent_is_remote: parent.span == Presence::Remote,
                kind: SpanKind::Internal,
            },
        );
        FrameContext {
            ids: Ids {
                trace_id,
                span_id,
                flags,
                span: Presence::Local,
            },
            state: ManuallyDrop::new(state),
            baggage: ManuallyDrop::new(baggage),
            #[cfg(feature = "otel")]
            export,
        }
    }
}

/// A trace id for a new trace, in words: returned in two registers rather than through
/// memory.
#[inline(never)]
fn new_trace_id() -> TraceWords {
    TraceWords::of(TraceId::random())
}

impl Context {
    /// The context of a new span under `parent`: its trace id, flags, state and baggage, and
    /// a span id of its own.
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

    /// The context of a new span under the current one (a new trace without one).
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) fn child_of_current() -> Context {
        let (state, baggage) = current_shared();
        let parent = Context::new(span_context(Ids::current(), state), baggage);
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
    #[inline]
    pub fn trace_id(&self) -> TraceId {
        self.span
            .as_ref()
            .map_or(TraceId::INVALID, |span| span.trace_id)
    }

    /// The span id, for span fields; all zeros without a span.
    #[inline]
    pub fn span_id(&self) -> SpanId {
        self.span
            .as_ref()
            .map_or(SpanId::INVALID, |span| span.span_id)
    }
}

/// Makes a context current until dropped, then restores what was current before.
#[derive(Debug)]
pub(crate) struct ContextGuard {
    /// What was current before.
    swapped: FrameContext,
}

impl ContextGuard {
    #[inline(always)]
    pub(crate) fn enter(context: impl Into<FrameContext>) -> ContextGuard {
        let mut swapped = context.into();
        swapped.swap_with_current();
        ContextGuard { swapped }
    }
}

impl Drop for ContextGuard {
    #[inline]
    fn drop(&mut self) {
        self.swapped.replace_current();
    }
}

/// Futures that carry a context into their polls, wherever they run.
pub trait FutureExt: Future + Sized {
    /// Runs this future in the context current now, for a future that is not itself
    /// instrumented but is spawned or polled elsewhere:
    /// `tokio::spawn(work().in_current_context())`.
    fn in_current_context(self) -> WithContext<Self> {
        let (state, baggage) = current_shared();
        WithContext {
            context: FrameContext {
                ids: Ids::current(),
                state: ManuallyDrop::new(state),
                baggage: ManuallyDrop::new(baggage),
                #[cfg(feature = "otel")]
                export: None,
            },
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
    context: FrameContext,
    future: F,
}

impl<F: Future> Future for WithContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and `WithContext`
        // implements neither `Drop` nor `Unpin` by hand.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let _context = this.context.enter();
        future.poll(cx)
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
        let mut outer = FrameContext::from(Context::child(&Context::default()));
        let outer_id = outer.span_id();
        let entered = outer.enter();
        assert_eq!(crate::current().unwrap().span_id, outer_id);
        crate::context::set_baggage("tenant", "a").unwrap();
        let inner = ContextGuard::enter(FrameContext::child_of_current());
        assert_eq!(crate::context::baggage().get("tenant"), Some("a"));
        let inner_trace_id = crate::current().unwrap().trace_id;
        drop(inner);
        assert_eq!(crate::current().unwrap().span_id, outer_id);
        assert_eq!(inner_trace_id, crate::current().unwrap().trace_id);
        drop(entered);
        assert_eq!(outer.into_context().baggage.get("tenant"), Some("a"));
        assert!(crate::current().is_none());
        assert!(crate::context::baggage().is_empty());
    }
}
