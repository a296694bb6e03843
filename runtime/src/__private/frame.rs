//! The frames an expansion puts around a function body: [`Frame`] for a synchronous call,
//! entered once, and [`AsyncFrame`] for a future, entered on every poll. Both are a span, a
//! scope (the W3C context, and where the callees' failure records wait) and, when spans are
//! exported, the exported span.

use super::describe::ErrorView;
use super::inflight::{self, Leaving};
use super::site::Site;
use crate::context::scope::{current_collector, Collector, Entered};
use crate::context::{Context, Role, Scope, SpanKind};
#[cfg(feature = "otel")]
use crate::export::SpanRecord;
use core::cell::{Cell, UnsafeCell};
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{self, Poll};
use tracing::Span;

/// What both kinds of frame are.
#[derive(Debug)]
struct FrameCore {
    site: &'static Site,
    scope: Scope,
    span: Span,
    #[cfg(feature = "otel")]
    export: Option<Box<SpanRecord>>,
}

impl FrameCore {
    #[inline(always)]
    fn new(site: &'static Site, span: Span, mut scope: Scope) -> FrameCore {
        if site.records_panics() {
            ensure_panic_hook();
        } else {
            scope.let_panics_through();
        }
        FrameCore {
            site,
            scope,
            span,
            #[cfg(feature = "otel")]
            export: None,
        }
    }

    /// The frame, on its way out, as the records see it.
    fn leaving<'a>(&'a self, collector: Collector<'a>) -> Leaving<'a> {
        Leaving {
            site: self.site,
            span: &self.span,
            scope: &self.scope,
            collector,
            #[cfg(feature = "otel")]
            export: self.export.as_deref(),
        }
    }

    /// How the frame's code ended: `Some` for the `Err` it returned. Failures go to `collector`.
    #[inline]
    fn leave<'a>(
        &'a self,
        error: Option<ErrorView<'_>>,
        collector: impl FnOnce() -> Collector<'a>,
    ) {
        match error {
            Some(error) => inflight::leave_err(self.leaving(collector()), error),
            None => self.leave_ok(),
        }
    }

    /// The frame finished without an error (or was dropped unfinished): what its callees left
    /// with it, if anything, it handled.
    #[inline]
    fn leave_ok(&self) {
        if let Some(parked) = self.scope.take_attached() {
            inflight::leave_ok(parked, &self.scope, self.site, &self.span);
        }
    }

    /// The span's ids as its fields, for subscribers other than tracefault's (see
    /// `Config::ids_as_fields`).
    #[cold]
    #[inline(never)]
    fn record_ids(&self) {
        use crate::report::fields;
        if !self.span.is_disabled() {
            self.span.record(
                fields::TRACE_ID,
                tracing::field::display(self.scope.trace_id()),
            );
            self.span.record(
                fields::SPAN_ID,
                tracing::field::display(self.scope.span_id()),
            );
        }
    }

    /// The recorded arguments, for the exported span; `args` is called only when there is one.
    #[inline]
    fn export_args<const N: usize>(&self, args: impl FnOnce() -> [(&'static str, ArgValue); N]) {
        #[cfg(feature = "otel")]
        if let Some(record) = &self.export {
            record.set_args(args().map(|(name, value)| (name, value.0)));
        }
        #[cfg(not(feature = "otel"))]
        let _ = args;
    }
}

// The exported span ends when the frame goes: after the call, after the future's last poll,
// or when the future is dropped unfinished.
#[cfg(feature = "otel")]
impl Drop for FrameCore {
    #[inline]
    fn drop(&mut self) {
        if let Some(record) = self.export.take() {
            record.close_for(
                self.site.function,
                self.site.qualified_name(),
                self.site.file,
                self.site.line,
            );
        }
    }
}

/// A synchronous call inside its span and its W3C context. Its guard drops it, so that a
/// function's frame and guard cost it two calls in and one out and no drop code of its own; a
/// frame never entered would leak its span.
///
/// What an expansion calls is inlined in a release build and not in a debug build: there, the
/// calls reach tracefault's own code, optimized if the profile says so for the `tracefault`
/// package (as the README advises), rather than an unoptimized copy in every crate.
#[derive(Debug)]
pub struct Frame {
    core: UnsafeCell<ManuallyDrop<FrameCore>>,
    /// Whether the frame's span is its site's, made on entry, where the frame already is
    /// where it stays: a span made first and moved into place costs more than the rest of an
    /// entry with no subscriber.
    site_span: bool,
}

impl Frame {
    /// The frame of a call whose caller is the code running now, in the site's span.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn new(site: &'static Site) -> Frame {
        Frame::of(
            site,
            Span::none(),
            Scope::synchronous(Role::Frame, SpanKind::Internal),
            true,
        )
    }

    /// The same, in a span of the expansion's: one with the fields the attribute names.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn with_span(site: &'static Site, span: Span) -> Frame {
        Frame::of(
            site,
            span,
            Scope::synchronous(Role::Frame, SpanKind::Internal),
            false,
        )
    }

    /// The frame of a call continuing the trace of the caller whose headers `carrier` holds
    /// (`#[trace(remote = ...)]`): a new trace without a valid `traceparent`.
    pub fn remote<E: crate::Extractor + ?Sized>(site: &'static Site, carrier: &E) -> Frame {
        Frame::of(site, Span::none(), remote_scope(carrier), true)
    }

    pub fn remote_with_span<E: crate::Extractor + ?Sized>(
        site: &'static Site,
        span: Span,
        carrier: &E,
    ) -> Frame {
        Frame::of(site, span, remote_scope(carrier), false)
    }

    #[inline(always)]
    fn of(site: &'static Site, span: Span, scope: Scope, site_span: bool) -> Frame {
        Frame {
            core: UnsafeCell::new(ManuallyDrop::new(FrameCore::new(site, span, scope))),
            site_span,
        }
    }

    fn core(&self) -> &FrameCore {
        // SAFETY: the core is only dropped by the guard, after its last use (see `Drop`).
        unsafe { &*self.core.get() }
    }

    /// Makes the frame current until the guard is left or dropped; the guard drops the frame.
    #[cfg_attr(not(debug_assertions), inline)]
    #[cfg_attr(not(feature = "otel"), allow(unused_mut))]
    pub fn enter(&mut self) -> FrameGuard<'_> {
        if self.site_span {
            let core = self.core.get_mut();
            if core.site.is_enabled() {
                core.span = core.site.new_span();
            }
        }
        #[cfg(feature = "otel")]
        if crate::export::is_active() {
            let core = self.core.get_mut();
            // Entered once first, for the lineage the exported span names.
            let export = {
                let _entered = core.scope.enter();
                crate::export::open(&core.scope)
            };
            core.export = export;
        }
        let frame = &*self;
        let core = frame.core();
        let scope = core.scope.enter();
        if ids_as_fields() {
            core.record_ids();
        }
        let span = (!core.span.is_none()).then(|| core.span.enter());
        FrameGuard {
            frame,
            panicking_at_entry: panicking(),
            left: Cell::new(false),
            scope: ManuallyDrop::new(scope),
            span: ManuallyDrop::new(span),
        }
    }
}

/// A [`Frame`] while its call runs. Leaving it by [`FrameGuard::leave`] reports the result;
/// dropping it otherwise means the call returned normally or is unwinding. It drops the frame.
#[derive(Debug)]
pub struct FrameGuard<'a> {
    frame: &'a Frame,
    panicking_at_entry: bool,
    left: Cell<bool>,
    scope: ManuallyDrop<Entered<'a>>,
    /// `None` for a disabled span, which entering does nothing for.
    span: ManuallyDrop<Option<tracing::span::Entered<'a>>>,
}

impl FrameGuard<'_> {
    fn core(&self) -> &FrameCore {
        self.frame.core()
    }

    /// Reports how the call ended: `Some` for the `Err` it returned.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn leave(&self, error: Option<ErrorView<'_>>) {
        self.left.set(true);
        let core = self.core();
        core.leave(error, || core.scope.collector_around());
    }

    #[inline]
    pub fn export_args<const N: usize>(
        &self,
        args: impl FnOnce() -> [(&'static str, ArgValue); N],
    ) {
        self.core().export_args(args);
    }
}

impl Drop for FrameGuard<'_> {
    // Inlined whole in a release build: all but what is rare here is a few loads and stores.
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn drop(&mut self) {
        let core = self.core();
        if !self.left.get() {
            if unwinding_since(self.panicking_at_entry) {
                self.unwinding();
            } else {
                core.leave_ok();
            }
        }
        // The scope first, so that a failure record found the frame's scope still current
        // while it was being written; then the span, then the frame.
        // SAFETY: each is dropped once, here, and not used after; nothing borrows the frame's
        // core once its scope and span are left, and the frame is never used after its guard.
        unsafe {
            ManuallyDrop::drop(&mut self.scope);
            ManuallyDrop::drop(&mut self.span);
            ManuallyDrop::drop(&mut *self.frame.core.get());
        }
    }
}

impl FrameGuard<'_> {
    #[cold]
    #[inline(never)]
    fn unwinding(&self) {
        let core = self.core();
        if core.site.records_panics() {
            inflight::leave_unwinding(core.leaving(core.scope.collector_around()));
        } else {
            // Its callees' errors were not returned; a panic's record passed it by.
            core.leave_ok();
        }
    }
}

/// The span, scope and exported span of an instrumented future; the future itself runs
/// inside [`AsyncFrame::instrument`]. Made with nothing but constants, and opened where it
/// stays (in the future that holds it), for the same reason as a [`Frame`]'s span.
#[derive(Debug)]
pub struct AsyncFrame {
    core: FrameCore,
    opening: Opening,
    /// When it was opened, in [`ticks`](super::cancelled::ticks).
    opened_at: u64,
    /// Whether it ran to its end: dropped otherwise, it was cancelled (see `cancelled`).
    left: AtomicBool,
}

/// What opening an [`AsyncFrame`] still has to do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opening {
    /// Take the lineage of the code running then, and make the site's span.
    WithSiteSpan,
    /// Take the lineage of the code running then; the span is the expansion's.
    WithOwnSpan,
    /// Nothing: the scope came with its lineage (from a caller's headers), and the span with
    /// the frame.
    Remote,
    Done,
}

impl AsyncFrame {
    /// The frame of a future in the site's span, whose parent is the code running when it is
    /// opened: its first poll for an `async fn`, or its call by [`AsyncFrame::open`].
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn new(site: &'static Site) -> AsyncFrame {
        AsyncFrame::of(
            site,
            Span::none(),
            Scope::synchronous(Role::Frame, SpanKind::Internal),
            Opening::WithSiteSpan,
        )
    }

    /// The same, in a span of the expansion's: one with the fields the attribute names.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn with_span(site: &'static Site, span: Span) -> AsyncFrame {
        AsyncFrame::of(
            site,
            span,
            Scope::synchronous(Role::Frame, SpanKind::Internal),
            Opening::WithOwnSpan,
        )
    }

    /// The frame of a future continuing the trace of the caller whose headers `carrier` holds.
    pub fn remote<E: crate::Extractor + ?Sized>(site: &'static Site, carrier: &E) -> AsyncFrame {
        AsyncFrame::remote_with_span(site, site.span(), carrier)
    }

    pub fn remote_with_span<E: crate::Extractor + ?Sized>(
        site: &'static Site,
        span: Span,
        carrier: &E,
    ) -> AsyncFrame {
        AsyncFrame::of(site, span, remote_scope(carrier), Opening::Remote)
    }

    #[inline(always)]
    fn of(site: &'static Site, span: Span, scope: Scope, opening: Opening) -> AsyncFrame {
        AsyncFrame {
            core: FrameCore::new(site, span, scope),
            opening,
            opened_at: 0,
            left: AtomicBool::new(false),
        }
    }

    /// Takes the lineage of the code running now, for a future made by a call and polled
    /// later (a function returning `impl Future`); an `async fn`'s frame opens on its first
    /// poll. Opening again does nothing.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn open(&mut self) {
        if self.opening != Opening::Done {
            self.open_now();
        }
    }

    #[inline]
    fn open_now(&mut self) {
        let core = &mut self.core;
        match self.opening {
            Opening::WithSiteSpan => {
                core.scope.take_lineage_of_current();
                if core.site.is_enabled() {
                    core.span = core.site.new_span();
                }
            }
            Opening::WithOwnSpan => core.scope.take_lineage_of_current(),
            Opening::Remote | Opening::Done => {}
        }
        self.opening = Opening::Done;
        self.opened_at = super::cancelled::ticks();
        #[cfg(feature = "otel")]
        if crate::export::is_active() {
            core.export = crate::export::open(&core.scope);
        }
        if ids_as_fields() {
            core.record_ids();
        }
    }

    /// Runs `future` inside this frame: each poll enters the span and makes the frame's scope
    /// current.
    #[inline]
    pub fn instrument<F: Future>(&mut self, future: F) -> Instrumented<'_, F> {
        self.open();
        Instrumented {
            frame: &self.core,
            future,
        }
    }

    /// Reports how the future ended, right after its last poll: `Some` for the `Err` it
    /// returned. Its scope is no longer current: a failure goes to the frame around the code
    /// that polled it.
    #[cfg_attr(not(debug_assertions), inline)]
    pub fn leave(&self, error: Option<ErrorView<'_>>) {
        self.left.store(true, Ordering::Relaxed);
        self.core.leave(error, current_collector);
    }

    /// The recorded arguments, for the exported span: opened first, where the arguments are
    /// read, before the body takes them.
    #[inline]
    pub fn export_args<const N: usize>(
        &mut self,
        args: impl FnOnce() -> [(&'static str, ArgValue); N],
    ) {
        self.open();
        self.core.export_args(args);
    }
}

// A future dropped after it was opened and before its end was cancelled. One dropped while a
// panic unwinds through it was not: the panic is its end, recorded by the poll it left.
impl Drop for AsyncFrame {
    #[inline]
    fn drop(&mut self) {
        if self.opening == Opening::Done && !*self.left.get_mut() && !std::thread::panicking() {
            self.cancelled();
        }
    }
}

impl AsyncFrame {
    #[cold]
    #[inline(never)]
    fn cancelled(&self) {
        super::cancelled::record(
            self.core.site,
            &self.core.scope,
            &self.core.span,
            self.opened_at,
        );
        #[cfg(feature = "otel")]
        if let Some(export) = &self.core.export {
            export.mark_cancelled();
        }
    }
}

/// A future polled inside an [`AsyncFrame`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<'a, F> {
    frame: &'a FrameCore,
    future: F,
}

impl<F: Future> Future for Instrumented<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut task::Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `Instrumented` implements neither `Drop` nor `Unpin` by hand.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let _polling = this.frame.polling();
        future.poll(cx)
    }
}

impl FrameCore {
    /// Enters the frame for one poll: not generic, so that each future's `poll` holds a call
    /// to it rather than a copy.
    #[cfg_attr(not(debug_assertions), inline)]
    fn polling(&self) -> Polling<'_> {
        let scope = self.scope.enter();
        Polling {
            frame: self,
            panicking_at_entry: panicking(),
            _scope: scope,
            _span: self.span.enter(),
        }
    }
}

/// One poll of an [`Instrumented`] future. How the future ended is for [`AsyncFrame::leave`];
/// a poll that returns `Pending` leaves its callees' records waiting, and one that unwinds is
/// recorded here.
struct Polling<'a> {
    frame: &'a FrameCore,
    panicking_at_entry: bool,
    // Dropped after `drop` has run, the scope first, as a `FrameGuard`'s.
    _scope: Entered<'a>,
    _span: tracing::span::Entered<'a>,
}

impl Drop for Polling<'_> {
    #[cfg_attr(not(debug_assertions), inline)]
    fn drop(&mut self) {
        if unwinding_since(self.panicking_at_entry) && self.frame.site.records_panics() {
            self.unwound();
        }
    }
}

impl Polling<'_> {
    #[cold]
    #[inline(never)]
    fn unwound(&self) {
        inflight::leave_unwinding(self.frame.leaving(self.frame.scope.collector_around()));
    }
}

/// Whether every span records its `trace_id` and `span_id` as fields, for a subscriber of your
/// own that shows fields (tracefault's layer writes the ids of the running code on every line
/// without them): `Config::ids_as_fields`, `TRACEFAULT_IDS_AS_FIELDS=1`.
#[inline]
fn ids_as_fields() -> bool {
    crate::settings::get().ids_as_fields()
}

fn remote_scope<E: crate::Extractor + ?Sized>(carrier: &E) -> Scope {
    let context = Context::child(&crate::propagation::extract_context(carrier)).into_server();
    Scope::of_context(context, Role::Frame)
}

/// Whether the thread is unwinding from a panic that started after `panicking_at_entry` was
/// read: a frame entered while unwinding (in a `Drop`) and left normally was not unwound.
#[inline]
fn unwinding_since(panicking_at_entry: bool) -> bool {
    !panicking_at_entry && std::thread::panicking()
}

// The two calls a frame makes on entry, neither of which can panic, declared so that the
// compiler knows it: `extern "C"` functions abort rather than unwind. A call that may unwind
// needs a landing pad that drops what the caller holds, which keeps the caller's frame in
// memory and costs a copy of it.
#[inline]
extern "C" fn ensure_panic_hook() {
    super::panic_hook::ensure_installed();
}

#[inline]
extern "C" fn panicking() -> bool {
    std::thread::panicking()
}

/// Calls the body closure of a synchronous function; the explicit `R` gives the closure the
/// function's return type before its body is checked, so `?` and `.into()` infer as before.
#[inline(always)]
pub fn call<R, F: FnOnce() -> R>(body: F) -> R {
    body()
}

/// The value of a parameter that `args(...)` records, as exported spans carry it.
#[derive(Debug)]
pub struct ArgValue(#[cfg_attr(not(feature = "otel"), allow(dead_code))] String);

impl ArgValue {
    pub fn debug(value: &dyn core::fmt::Debug) -> ArgValue {
        ArgValue(format!("{value:?}"))
    }

    pub fn display(value: &dyn core::fmt::Display) -> ArgValue {
        ArgValue(value.to_string())
    }
}
