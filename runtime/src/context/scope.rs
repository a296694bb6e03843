//! The scopes current on a thread. Every instrumented function, every request the tower layer
//! serves and every future run [in the current context](super::FutureExt) is a [`Scope`] while
//! it runs, linked to the scope it runs inside.
//!
//! Ids are made on first demand: a span id when something reads it (`inject`, a report, an
//! exported span, a log line), a new trace's id likewise. A synchronous call asks the scope it
//! runs inside for its trace, which is alive for as long as the call runs; a future copies its
//! parent's lineage on its first poll, because it may outlive the scope that polled it first.

use super::lineage::SpanKind;
use super::{Baggage, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use core::any::Any;
use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ptr;
use std::sync::Arc;

thread_local! {
    /// The innermost scope entered on this thread, null outside any. It has no destructor, so
    /// reaching it costs no registration check.
    static CURRENT: Cell<*const Scope> = const { Cell::new(ptr::null()) };
}

/// The flags of a trace this process starts: sampled, and with an id random in all bytes.
pub(crate) const ROOT_FLAGS: TraceFlags = TraceFlags::SAMPLED.with_random(true);

/// One span's place on a thread while it runs.
pub(crate) struct Scope {
    /// The scope that was current when this one was entered; null while it is not entered.
    outer: Cell<*const Scope>,
    lineage: Cell<Lineage>,
    role: Role,
    kind: SpanKind,
    /// A frame marked `#[trace(panic = false)]`: a panic's record passes it by, to the frame
    /// around it.
    lets_panics_through: bool,
    /// Invalid until asked for.
    span_id: Cell<SpanId>,
    /// Of a root (made when first asked for) and of a copied lineage; a synchronous child asks
    /// its outer scope.
    trace_id: Cell<TraceId>,
    /// `None` until asked for: then the sampler decides them, from the parent's (see
    /// [`new_span_flags`](super::new_span_flags)).
    flags: Cell<Option<TraceFlags>>,
    /// Of a copied lineage: the parent's span and the request's server span.
    copied: Cell<Copied>,
    /// Tracestate and baggage set in this scope, or copied with its lineage; `None`: the outer
    /// scope's (a root or a copy without them has none).
    // The two boxes are let go by `Drop`, which checks first: without drop code of their own,
    // a scope that has neither costs no call to drop.
    shared: ManuallyDrop<Cell<Option<Box<Shared>>>>,
    /// What a layer above keeps with the scope while it lives: a frame's failure records that
    /// its callees left (`__private::inflight::park`), or a served request's last report
    /// (`remote::keep_for_request`). Context only holds it and lets it go with the scope.
    // Type-erased on purpose: both types belong to layers above this one (the records hold
    // reports and tracebacks), and naming them here would make the lowest layer import the
    // highest. Each user downcasts to its own type and puts back what is not its own.
    attached: ManuallyDrop<Cell<Option<Box<dyn Any + Send>>>>,
}

// SAFETY: a scope's cells are read and written only by the thread that runs it: through
// `CURRENT` while it is entered, and by the frame that owns it, from the code that polls or
// calls it. A future holding a scope moves between threads only between polls, while nothing
// points at it, and no method reachable through a shared reference from elsewhere touches the
// cells (`Debug` prints none of them). The `outer` pointer is only followed while the scope is
// entered, when the outer scope is active on this very thread.
unsafe impl Send for Scope {}
unsafe impl Sync for Scope {}

/// Where a scope's trace comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lineage {
    /// Not entered yet, as a synchronous call: decided when it is.
    Pending,
    /// The trace of the scope it is entered in: a synchronous call.
    Outer,
    /// A new trace.
    Root,
    /// A new trace, with the baggage of the spanless context it is entered in: a synchronous
    /// call outside instrumented code, in a future run in that context.
    RootInOuter,
    /// Copied when the scope was made: a future's parent, a caller in another process.
    Copied,
    /// No span: what is current outside instrumented code, carried into a future. Code run in
    /// it that makes a span starts a new trace.
    Spanless,
}

#[derive(Clone, Copy, Debug)]
struct Copied {
    parent_flags: Option<TraceFlags>,
    parent_span_id: SpanId,
    parent_is_remote: bool,
    server_span_id: SpanId,
    server_parent_span_id: SpanId,
}

impl Copied {
    const NONE: Copied = Copied {
        parent_flags: None,
        parent_span_id: SpanId::INVALID,
        parent_is_remote: false,
        server_span_id: SpanId::INVALID,
        server_parent_span_id: SpanId::INVALID,
    };
}

/// What a scope and the scopes inside it share, when there is any: rare enough to live on the
/// heap.
#[derive(Clone, Default)]
struct Shared {
    state: TraceState,
    baggage: Baggage,
    request: Option<Arc<Request>>,
}

impl Shared {
    fn is_empty(&self) -> bool {
        self.state.is_empty() && self.baggage.is_empty() && self.request.is_none()
    }
}

/// The request from another process a server scope serves, as its reports name it.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// What the server's answers say of its errors, as the layer that serves it chose;
    /// `None`: the process's choice.
    pub(crate) exposure: Option<crate::settings::Exposure>,
    /// The service that serves it, as its layer names it; `None`: the process's name.
    pub(crate) service: Option<Arc<str>>,
}

/// The current span's place in its trace, kept as values that any thread may read: what a
/// `tracing` span made inside instrumented code carries (see `tracing_spans`), so that code run
/// in it elsewhere, where no instrumented function runs, continues that span.
#[derive(Clone)]
pub(crate) struct Carried {
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
    copied: Copied,
    shared: Shared,
}

impl Carried {
    /// The current scope's place, its ids made now; none outside a scope with a span.
    pub(crate) fn of_current() -> Option<Carried> {
        let current = current_scope().filter(|current| current.has_span())?;
        Some(Carried {
            trace_id: current.trace_id(),
            span_id: current.span_id(),
            flags: current.flags(),
            copied: Copied {
                parent_flags: current.parent_flags(),
                parent_span_id: current.parent_span_id().unwrap_or(SpanId::INVALID),
                parent_is_remote: current.parent_is_remote(),
                server_span_id: current.server_span_id().unwrap_or(SpanId::INVALID),
                server_parent_span_id: current.server_parent_span_id().unwrap_or(SpanId::INVALID),
            },
            shared: current.shared_parts(),
        })
    }

    /// A scope of this span again, under `role`.
    pub(crate) fn scope(&self, role: Role) -> Scope {
        let scope = Scope::synchronous(role, SpanKind::Internal);
        scope.lineage.set(Lineage::Copied);
        scope.trace_id.set(self.trace_id);
        scope.span_id.set(self.span_id);
        scope.flags.set(Some(self.flags));
        scope.copied.set(self.copied);
        scope.share(self.shared.clone());
        scope
    }
}

/// What a scope is to the failures below it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    /// An instrumented function: its callees' failure records wait here for it to continue or
    /// handle them.
    Frame,
    /// A spawned task whose failures travel with its output to whoever awaits it.
    Carrier,
    /// A context and nothing more (a served request, `in_current_context`): failures pass it
    /// to the scope around it.
    Context,
    /// tracefault's own work running user code (an error's `Display`): failures below it are
    /// nobody's, and nothing below it is reported.
    Inert,
}

/// The scope that failures below the current one go to.
pub(crate) enum Collector<'a> {
    /// A frame or a carrier, the nearest around the current scope.
    Scope(&'a Scope),
    /// Inside tracefault's own work.
    Inert,
    /// No instrumented function is running around it on this thread: the failure is at its
    /// edge. `Some`: the span of the frame in whose context it runs apart from it, a task
    /// spawned with [`in_current_context`](super::FutureExt::in_current_context).
    Edge(Option<SpanId>),
}

impl Scope {
    /// A synchronous call's scope: its lineage is the scope it is entered in.
    #[inline(always)]
    pub(crate) const fn synchronous(role: Role, kind: SpanKind) -> Scope {
        Scope::new(role, kind, Lineage::Pending)
    }

    #[inline(always)]
    const fn new(role: Role, kind: SpanKind, lineage: Lineage) -> Scope {
        Scope {
            outer: Cell::new(ptr::null()),
            lineage: Cell::new(lineage),
            role,
            kind,
            lets_panics_through: false,
            span_id: Cell::new(SpanId::INVALID),
            trace_id: Cell::new(TraceId::INVALID),
            flags: Cell::new(None),
            copied: Cell::new(Copied::NONE),
            shared: ManuallyDrop::new(Cell::new(None)),
            attached: ManuallyDrop::new(Cell::new(None)),
        }
    }

    /// A scope whose lineage is the current one's, copied now: a future's, which may be polled
    /// after the scope that made it is gone, or on another thread.
    #[cfg(test)]
    pub(crate) fn copy_of_current(role: Role, kind: SpanKind) -> Scope {
        let scope = Scope::synchronous(role, kind);
        scope.take_lineage_of_current();
        scope
    }

    /// Makes a scope not entered yet a copy of the current one's lineage, in place.
    #[inline]
    pub(crate) fn take_lineage_of_current(&self) {
        match current_scope() {
            None => self.lineage.set(Lineage::Root),
            Some(parent) => self.copy_lineage_of(parent),
        }
    }

    /// A scope that is the current one again, under another role: the same span, for a future
    /// that runs in the current context wherever it is polled (`in_current_context`, a spawned
    /// task). Outside any scope it has no span.
    pub(crate) fn same_as_current(role: Role) -> Scope {
        if let Some(carried) = Carried::of_current() {
            return carried.scope(role);
        }
        let scope = Scope::without_span(role);
        if let Some(current) = current_scope() {
            scope.share(current.shared_parts());
        }
        scope
    }

    /// A scope with no span of its own: what is current outside any instrumented code. Code
    /// run in it that makes a span starts a new trace.
    pub(crate) const fn without_span(role: Role) -> Scope {
        Scope::new(role, SpanKind::Internal, Lineage::Spanless)
    }

    #[cold]
    #[inline(never)]
    fn copy_lineage_of(&self, parent: &Scope) {
        self.share(parent.shared_parts());
        if !parent.has_span() {
            self.lineage.set(Lineage::Root);
            return;
        }
        self.lineage.set(Lineage::Copied);
        self.trace_id.set(parent.trace_id());
        self.copied.set(Copied {
            parent_flags: Some(parent.flags()),
            parent_span_id: parent.span_id(),
            parent_is_remote: false,
            server_span_id: parent.server_span_id().unwrap_or(SpanId::INVALID),
            server_parent_span_id: parent.server_parent_span_id().unwrap_or(SpanId::INVALID),
        });
    }

    /// A scope of the span `context` describes, whose parent is the one its lineage names
    /// (a caller in another process, for a served request); a new trace without a span.
    pub(crate) fn of_context(context: super::Context, role: Role) -> Scope {
        let super::Context {
            span,
            baggage,
            lineage,
        } = context;
        let Some(span) = span else {
            let scope = Scope::without_span(role);
            scope.share(Shared {
                baggage,
                ..Shared::default()
            });
            return scope;
        };
        let scope = Scope::new(role, lineage.kind, Lineage::Copied);
        scope.trace_id.set(span.trace_id);
        scope.span_id.set(span.span_id);
        scope.flags.set(Some(span.flags));
        scope.copied.set(Copied {
            parent_flags: None,
            parent_span_id: lineage.parent.unwrap_or(SpanId::INVALID),
            parent_is_remote: lineage.parent_is_remote,
            server_span_id: SpanId::INVALID,
            server_parent_span_id: SpanId::INVALID,
        });
        scope.share(Shared {
            state: span.state,
            baggage,
            request: None,
        });
        scope
    }

    /// This scope, as the server span of `method` `path`, which its reports name.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn serving(self, request: Request) -> Scope {
        let mut shared = self.shared_parts();
        shared.request = Some(Arc::new(request));
        self.share(shared);
        self
    }

    /// Makes this scope current until the guard is dropped. A synchronous call's lineage is
    /// decided here: the scope it is entered in, or a new trace outside any.
    #[inline(always)]
    pub(crate) fn enter(&self) -> Entered<'_> {
        let outer = CURRENT.with(|current| current.replace(self));
        self.outer.set(outer);
        if self.lineage.get() == Lineage::Pending {
            // SAFETY: the outer scope is active on this thread (see `outer`).
            self.lineage.set(match unsafe { outer.as_ref() } {
                Some(outer) if outer.has_span() => Lineage::Outer,
                Some(_) => Lineage::RootInOuter,
                None => Lineage::Root,
            });
        }
        Entered { scope: self }
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    /// Whether a panic's record passes this frame by (`#[trace(panic = false)]`).
    pub(crate) fn lets_panics_through(&self) -> bool {
        self.lets_panics_through
    }

    /// Makes this frame one that a panic's record passes by.
    pub(crate) fn let_panics_through(&mut self) {
        self.lets_panics_through = true;
    }

    /// Whether this scope is a span (every scope but a spanless context is).
    pub(crate) fn has_span(&self) -> bool {
        self.lineage.get() != Lineage::Spanless
    }

    pub(crate) fn kind(&self) -> SpanKind {
        self.kind
    }

    /// The scope this one runs inside, while it is entered.
    fn outer(&self) -> Option<&Scope> {
        // SAFETY: `outer` is set while this scope is entered, and the outer scope is active on
        // this thread, further up its stack, until this one is left (see `Entered`).
        unsafe { self.outer.get().as_ref() }
    }

    /// The scope whose trace this one continues, while it is entered: its outer one for a
    /// synchronous call, none otherwise.
    fn inherits_from(&self) -> Option<&Scope> {
        match self.lineage.get() {
            Lineage::Outer => self.outer(),
            Lineage::Pending
            | Lineage::Root
            | Lineage::RootInOuter
            | Lineage::Copied
            | Lineage::Spanless => None,
        }
    }

    /// This scope's span id, made now if nobody asked for it before.
    #[inline]
    pub(crate) fn span_id(&self) -> SpanId {
        let id = self.span_id.get();
        if id.is_valid() {
            return id;
        }
        let id = SpanId::random();
        self.span_id.set(id);
        id
    }

    /// The trace this scope is in; a root's id is made when first asked for.
    pub(crate) fn trace_id(&self) -> TraceId {
        let id = self.trace_id.get();
        if id.is_valid() {
            return id;
        }
        match self.inherits_from() {
            Some(outer) => outer.trace_id(),
            None => {
                let id = TraceId::random();
                self.trace_id.set(id);
                id
            }
        }
    }

    /// This span's flags, decided when first asked for.
    pub(crate) fn flags(&self) -> TraceFlags {
        if let Some(flags) = self.flags.get() {
            return flags;
        }
        let flags = super::new_span_flags(self.parent_flags(), || self.trace_id());
        self.flags.set(Some(flags));
        flags
    }

    /// The flags of this span's parent (`None` for a new trace): what a sampler decides from.
    fn parent_flags(&self) -> Option<TraceFlags> {
        match self.lineage.get() {
            Lineage::Outer => self.outer().map(Scope::flags),
            Lineage::Copied => self.copied.get().parent_flags,
            Lineage::Pending | Lineage::Root | Lineage::RootInOuter | Lineage::Spanless => None,
        }
    }

    /// The parent span: the outer scope's for a synchronous call, the copied one otherwise.
    pub(crate) fn parent_span_id(&self) -> Option<SpanId> {
        match self.lineage.get() {
            Lineage::Outer => self.outer().map(Scope::span_id),
            Lineage::Copied => Some(self.copied.get().parent_span_id).filter(|id| id.is_valid()),
            Lineage::Pending | Lineage::Root | Lineage::RootInOuter | Lineage::Spanless => None,
        }
    }

    /// The parent of [`Scope::server_span_id`]'s span: the caller's span in the other process.
    pub(crate) fn server_parent_span_id(&self) -> Option<SpanId> {
        if self.kind == SpanKind::Server {
            return self.parent_span_id();
        }
        match self.lineage.get() {
            Lineage::Outer => self.outer().and_then(Scope::server_parent_span_id),
            Lineage::Copied => {
                Some(self.copied.get().server_parent_span_id).filter(|id| id.is_valid())
            }
            Lineage::Pending | Lineage::Root | Lineage::RootInOuter | Lineage::Spanless => None,
        }
    }

    /// Whether the parent span was received from another process.
    pub(crate) fn parent_is_remote(&self) -> bool {
        self.lineage.get() == Lineage::Copied && self.copied.get().parent_is_remote
    }

    /// The span of the request from another process this scope serves, if any: its own, or
    /// the nearest around it.
    pub(crate) fn server_span_id(&self) -> Option<SpanId> {
        if self.kind == SpanKind::Server {
            return Some(self.span_id());
        }
        match self.lineage.get() {
            Lineage::Outer => self.outer().and_then(Scope::server_span_id),
            Lineage::Copied => Some(self.copied.get().server_span_id).filter(|id| id.is_valid()),
            Lineage::Pending | Lineage::Root | Lineage::RootInOuter | Lineage::Spanless => None,
        }
    }

    /// Copies of the tracestate and baggage in force here.
    pub(crate) fn shared(&self) -> (TraceState, Baggage) {
        let Shared { state, baggage, .. } = self.shared_parts();
        (state, baggage)
    }

    /// The request from another process this scope serves, or runs inside.
    pub(crate) fn request(&self) -> Option<Arc<Request>> {
        self.shared_parts().request
    }

    /// A copy of what is shared in force here (counts of `Arc`s, when not empty).
    fn shared_parts(&self) -> Shared {
        let own = self.shared.take();
        let result = match &own {
            Some(shared) => (**shared).clone(),
            None => match self.lineage.get() {
                Lineage::Outer => self.outer().map(Scope::shared_parts).unwrap_or_default(),
                // A new trace keeps the baggage, never a tracestate, of what it runs in.
                Lineage::RootInOuter => Shared {
                    baggage: self
                        .outer()
                        .map(|outer| outer.shared().1)
                        .unwrap_or_default(),
                    ..Shared::default()
                },
                _ => Shared::default(),
            },
        };
        self.shared.set(own);
        result
    }

    /// Makes `shared` this scope's own, unless there is nothing in it.
    fn share(&self, shared: Shared) {
        if !shared.is_empty() {
            self.shared.set(Some(Box::new(shared)));
        }
    }

    /// This scope's span context, its ids made now if nobody asked for them before; none for a
    /// spanless context.
    pub(crate) fn span_context(&self) -> Option<SpanContext> {
        self.has_span().then(|| SpanContext {
            trace_id: self.trace_id(),
            span_id: self.span_id(),
            flags: self.flags(),
            state: self.shared().0,
            is_remote: false,
        })
    }

    /// Takes what another layer attached to this scope.
    #[inline]
    pub(crate) fn take_attached(&self) -> Option<Box<dyn Any + Send>> {
        self.attached.take()
    }

    pub(crate) fn attach(&self, attachment: Box<dyn Any + Send>) {
        self.attached.set(Some(attachment));
    }

    /// Where failures that leave this scope go: the nearest frame or carrier around it, past
    /// plain contexts. Called while the scope is entered.
    pub(crate) fn collector_around(&self) -> Collector<'_> {
        collector_from(self.outer())
    }
}

/// The nearest frame or carrier from `scope` outward, past plain contexts.
fn collector_from(mut scope: Option<&Scope>) -> Collector<'_> {
    let mut spawner = None;
    while let Some(candidate) = scope {
        match candidate.role {
            Role::Frame | Role::Carrier => return Collector::Scope(candidate),
            Role::Inert => return Collector::Inert,
            // A plain context's outer scope is active while it is entered.
            Role::Context => {
                // A server's context is a request from another process, not a spawner's.
                let carried = candidate.kind == SpanKind::Internal
                    && candidate.lineage.get() == Lineage::Copied;
                if carried && spawner.is_none() {
                    spawner = Some(candidate.span_id());
                }
                scope = candidate.outer();
            }
        }
    }
    Collector::Edge(spawner)
}

/// The scope of the request from another process that `scope` runs in, when a server layer
/// (not an instrumented function) serves it: where that layer keeps what it learns of the
/// request while it is served.
pub(crate) fn server_context_from(mut scope: Option<&Scope>) -> Option<&Scope> {
    while let Some(candidate) = scope {
        if candidate.kind == SpanKind::Server && candidate.role == Role::Context {
            return Some(candidate);
        }
        scope = candidate.outer();
    }
    None
}

/// Where failures of code running now go, for a frame that has already left its scope.
pub(crate) fn current_collector<'a>() -> Collector<'a> {
    // SAFETY: the current scope is active on this thread for as long as the caller, which runs
    // inside it, uses the collector.
    collector_from(unsafe { CURRENT.with(Cell::get).as_ref() })
}

impl Drop for Scope {
    #[inline]
    fn drop(&mut self) {
        // Only what owns heap data needs letting go, and usually nothing does.
        if self.shared.get_mut().is_some() || self.attached.get_mut().is_some() {
            self.let_go();
        }
    }
}

impl Scope {
    #[cold]
    #[inline(never)]
    fn let_go(&mut self) {
        drop(self.shared.take());
        drop(self.attached.take());
    }
}

impl core::fmt::Debug for Scope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The cells are the running thread's alone (see the `Sync` impl).
        f.debug_struct("Scope")
            .field("role", &self.role)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A scope made current by [`Scope::enter`]; dropping it makes the outer one current again.
#[derive(Debug)]
pub(crate) struct Entered<'a> {
    scope: &'a Scope,
}

impl Drop for Entered<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.scope.leave();
    }
}

impl Scope {
    /// Makes the scope current that was current when this one was entered.
    #[inline(always)]
    fn leave(&self) {
        let outer = self.outer.replace(ptr::null());
        CURRENT.with(|current| current.set(outer));
    }

    /// Enters this scope until [`Scope::leave_unguarded`], for an owner that cannot hold an
    /// [`Entered`] (a `tracing` span's enter and exit, which are two calls).
    #[cfg(feature = "subscriber")]
    pub(crate) fn enter_unguarded(&self) {
        core::mem::forget(self.enter());
    }

    /// Leaves this scope, entered with [`Scope::enter_unguarded`]; `false` (and nothing done)
    /// unless it is the current one, as it must be when scopes are left in the order they
    /// were entered.
    #[cfg(feature = "subscriber")]
    pub(crate) fn leave_unguarded(&self) -> bool {
        let is_current = ptr::eq(CURRENT.with(Cell::get), self);
        if is_current {
            self.leave();
        }
        is_current
    }

    /// Whether no scope is current on this thread.
    #[inline]
    #[cfg(feature = "subscriber")]
    pub(crate) fn none_current() -> bool {
        CURRENT.with(Cell::get).is_null()
    }
}

/// The current scope, if any.
#[inline]
fn current_scope<'a>() -> Option<&'a Scope> {
    // SAFETY: the current scope is active on this thread until the code running inside it,
    // which is the caller, returns.
    unsafe { CURRENT.with(Cell::get).as_ref() }
}

/// Runs `f` with the current scope, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Scope>) -> R) -> R {
    f(current_scope())
}

/// Sets the baggage of the current scope, for it and what it calls; the scope it runs inside
/// keeps its own. Outside any scope there is nothing current to change.
pub(crate) fn set_current_baggage(baggage: Baggage) {
    if let Some(scope) = current_scope() {
        let mut shared = scope.shared_parts();
        shared.baggage = baggage;
        scope.shared.set(Some(Box::new(shared)));
    }
}

/// Runs `work`, tracefault's own, with the failures of any instrumented code it calls (an
/// error's `Display`, a user's panic hook) kept away from the record being built.
pub(crate) fn inert<R>(work: impl FnOnce() -> R) -> R {
    let scope = Scope::synchronous(Role::Inert, SpanKind::Internal);
    let _entered = scope.enter();
    work()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synchronous_child_continues_the_trace_it_is_entered_in() {
        let root = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _root = root.enter();
        let child = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _child = child.enter();
        assert_eq!(child.trace_id(), root.trace_id());
        assert_eq!(child.parent_span_id(), Some(root.span_id()));
        assert_ne!(child.span_id(), root.span_id());
        assert_eq!(child.flags(), ROOT_FLAGS);
        assert!(root.parent_span_id().is_none());
    }

    #[test]
    fn ids_are_made_when_first_asked_for_and_then_kept() {
        let scope = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _entered = scope.enter();
        assert!(!scope.span_id.get().is_valid());
        assert!(!scope.trace_id.get().is_valid());
        let span_id = scope.span_id();
        let trace_id = scope.trace_id();
        assert_eq!(scope.span_id(), span_id);
        assert_eq!(scope.trace_id(), trace_id);
    }

    #[test]
    fn a_copy_outlives_the_scope_it_was_copied_from() {
        let copy = {
            let parent = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let _parent = parent.enter();
            let copy = Scope::copy_of_current(Role::Frame, SpanKind::Internal);
            assert_eq!(copy.parent_span_id(), Some(parent.span_id()));
            (copy, parent.trace_id())
        };
        let (scope, trace_id) = copy;
        let _entered = scope.enter();
        assert_eq!(scope.trace_id(), trace_id);
        assert!(scope.parent_span_id().is_some());
    }

    #[test]
    fn leaving_restores_the_outer_scope() {
        assert!(current_scope().is_none());
        let outer = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let entered = outer.enter();
        {
            let inner = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let _inner = inner.enter();
            assert!(ptr::eq(current_scope().unwrap(), &inner));
        }
        assert!(ptr::eq(current_scope().unwrap(), &outer));
        drop(entered);
        assert!(current_scope().is_none());
    }

    #[test]
    fn failures_pass_plain_contexts_to_the_frame_around_them() {
        let frame = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _frame = frame.enter();
        let context = Scope::synchronous(Role::Context, SpanKind::Internal);
        let _context = context.enter();
        let child = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _child = child.enter();
        assert!(
            matches!(child.collector_around(), Collector::Scope(found) if ptr::eq(found, &frame))
        );
        inert(|| assert!(matches!(current_collector(), Collector::Inert)));
    }

    #[test]
    fn baggage_set_in_a_scope_stays_in_it() {
        let outer = Scope::synchronous(Role::Frame, SpanKind::Internal);
        let _outer = outer.enter();
        {
            let inner = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let _inner = inner.enter();
            set_current_baggage(Baggage::default().insert("tenant", "a").unwrap());
            assert_eq!(inner.shared().1.get("tenant"), Some("a"));
        }
        assert!(outer.shared().1.is_empty());
    }
}
