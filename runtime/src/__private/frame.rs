//! The guards an expansion puts around a function body: `Frame` for a synchronous call,
//! `AsyncFrame` for a future, entered on every poll.

use super::describe::ErrorView;
use super::inflight::{self, Leaving};
use super::site::Site;
use crate::context::scope::FrameContext;
use crate::context::{Context, ContextGuard, SpanId, TraceId};
#[cfg(feature = "otel")]
use crate::export::SpanRecord;
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use core::task::{self, Poll};
use tracing::span::EnteredSpan;
use tracing::Span;

/// A synchronous call inside its span and its W3C context. Leaving it by [`Frame::leave`]
/// reports the result; dropping it otherwise means the body returned normally or is
/// unwinding.
#[derive(Debug)]
pub struct Frame {
    site: &'static Site,
    ids: (TraceId, SpanId),
    span: EnteredSpan,
    guard: DepthGuard,
    #[cfg(feature = "otel")]
    export: Option<Box<SpanRecord>>,
    _context: ContextGuard,
}

impl Frame {
    #[inline(always)]
    #[cfg_attr(not(feature = "otel"), allow(unused_mut))]
    pub fn enter(site: &'static Site, span: Span, mut context: FrameContext) -> Frame {
        let ids = (context.trace_id(), context.span_id());
        #[cfg(feature = "otel")]
        let export = context.export.take();
        // The span is entered first, while nothing else is held that an unwinding would have
        // to drop: what is created after it, by calls that cannot unwind, goes straight into
        // the frame instead of being kept in memory for a landing pad and then copied.
        let span = span.entered();
        let context = ContextGuard::enter(context);
        Frame {
            site,
            ids,
            span,
            guard: DepthGuard::enter(site),
            #[cfg(feature = "otel")]
            export,
            _context: context,
        }
    }

    /// Reports how the call ended: `Some` for the `Err` it returned. The frame itself is
    /// dropped right after, at the end of the function: taking it by value here would copy it
    /// whole.
    #[inline]
    pub fn leave(&self, error: Option<ErrorView<'_>>) {
        if let Some(error) = error {
            self.guard.left.set(true);
            inflight::exit(self.guard.depth);
            inflight::leave_err(self.leaving(), error);
        }
    }

    fn leaving(&self) -> Leaving<'_> {
        Leaving {
            site: self.site,
            span: &self.span,
            depth: self.guard.depth,
            ids: self.ids,
            #[cfg(feature = "otel")]
            export: self.export.as_deref(),
        }
    }
}

impl Drop for Frame {
    #[inline]
    fn drop(&mut self) {
        if self.guard.finish(self.site) {
            inflight::leave_unwinding(self.leaving());
        }
        #[cfg(feature = "otel")]
        close_export(self.site, self.export.take());
    }
}

/// Ends the exported span of a frame, named and located as the function is.
#[cfg(feature = "otel")]
#[inline]
fn close_export(site: &'static Site, record: Option<Box<SpanRecord>>) {
    if let Some(record) = record {
        close_export_record(site, *record);
    }
}

#[cfg(feature = "otel")]
#[cold]
fn close_export_record(site: &'static Site, record: SpanRecord) {
    use opentelemetry::KeyValue;
    let attributes = vec![
        KeyValue::new("code.function.name", site.qualified_name()),
        KeyValue::new("code.file.path", site.file),
        KeyValue::new("code.line.number", i64::from(site.line)),
    ];
    record.close(site.function.into(), attributes);
}

/// Counts one frame in and, unless told how it left, out again when dropped: normally, or
/// by unwinding.
#[derive(Debug)]
struct DepthGuard {
    depth: u32,
    panicking_at_entry: bool,
    left: Cell<bool>,
}

impl DepthGuard {
    #[inline(always)]
    fn enter(site: &'static Site) -> DepthGuard {
        if site.record_panics {
            ensure_panic_hook();
        }
        DepthGuard {
            depth: inflight::enter(),
            panicking_at_entry: panicking(),
            left: Cell::new(false),
        }
    }

    /// Counts the frame out, unless it was told how the frame left; `true` when a panic that
    /// started inside the frame is unwinding it and `site` records panics. The caller then
    /// reports it: only then does it gather what the report needs.
    #[inline]
    fn finish(&mut self, site: &'static Site) -> bool {
        if self.left.replace(true) {
            return false;
        }
        inflight::exit(self.depth);
        if std::thread::panicking() && !self.panicking_at_entry {
            site.record_panics
        } else {
            inflight::leave_ok(self.depth);
            false
        }
    }
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

/// The span, site and W3C context of an instrumented future; the future itself runs inside
/// [`AsyncFrame::instrument`].
#[derive(Debug)]
pub struct AsyncFrame {
    site: &'static Site,
    ids: (TraceId, SpanId),
    span: Span,
    context: FrameContext,
    #[cfg(feature = "otel")]
    export: Option<Box<SpanRecord>>,
}

impl AsyncFrame {
    #[inline]
    #[cfg_attr(not(feature = "otel"), allow(unused_mut))]
    pub fn new(site: &'static Site, span: Span, mut context: FrameContext) -> AsyncFrame {
        AsyncFrame {
            site,
            ids: (context.trace_id(), context.span_id()),
            span,
            #[cfg(feature = "otel")]
            export: context.export.take(),
            context,
        }
    }

    /// Runs `future` inside this frame: each poll enters the span, makes the frame's context
    /// current and counts the frame in.
    #[inline]
    pub fn instrument<F: Future>(&mut self, future: F) -> Instrumented<'_, F> {
        Instrumented {
            frame: self,
            future,
        }
    }

    /// Reports how the future ended, right after its last poll: `Some` for the `Err` it
    /// returned.
    #[inline]
    pub fn leave(&self, error: Option<ErrorView<'_>>) {
        let depth = inflight::depth_of_leaving_frame();
        match error {
            Some(error) => {
                let leaving = Leaving {
                    site: self.site,
                    span: &self.span,
                    depth,
                    ids: self.ids,
                    #[cfg(feature = "otel")]
                    export: self.export.as_deref(),
                };
                inflight::leave_err(leaving, error);
            }
            None => inflight::leave_ok(depth),
        }
    }
}

// The exported span ends when the frame goes: after the future's last poll, or when the
// future is dropped unfinished.
#[cfg(feature = "otel")]
impl Drop for AsyncFrame {
    #[inline]
    fn drop(&mut self) {
        close_export(self.site, self.export.take());
    }
}

/// A future polled inside an [`AsyncFrame`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<'a, F> {
    /// The frame, whose context is swapped in and out in place around each poll: with what
    /// the future changed in it between polls.
    frame: &'a mut AsyncFrame,
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
        let AsyncFrame {
            site,
            ids,
            span,
            context,
            #[cfg(feature = "otel")]
            export,
            ..
        } = &mut *this.frame;
        let context = context.enter();
        let _entered = span.enter();
        let polling = Polling {
            site,
            span,
            ids: *ids,
            #[cfg(feature = "otel")]
            export: export.as_deref(),
            guard: DepthGuard::enter(site),
        };
        let poll = future.poll(cx);
        if poll.is_ready() {
            // How the future ended is for `AsyncFrame::leave`, which runs next.
            polling.guard.left.set(true);
            inflight::exit(polling.guard.depth);
        }
        drop(polling);
        drop(context);
        poll
    }
}

/// One poll of an [`Instrumented`] future; dropped at the poll's end, or by unwinding.
struct Polling<'a> {
    site: &'static Site,
    span: &'a Span,
    ids: (TraceId, SpanId),
    #[cfg(feature = "otel")]
    export: Option<&'a SpanRecord>,
    guard: DepthGuard,
}

impl Drop for Polling<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.guard.finish(self.site) {
            inflight::leave_unwinding(Leaving {
                site: self.site,
                span: self.span,
                depth: self.guard.depth,
                ids: self.ids,
                #[cfg(feature = "otel")]
                export: self.export,
            });
        }
    }
}

/// The context of a new span under the current one, or of a new trace.
#[inline(always)]
pub fn child_context() -> FrameContext {
    FrameContext::child_of_current()
}

/// The context of a new span continuing the trace of the caller whose headers `carrier`
/// holds (`#[trace(remote = ...)]`): a new trace without a valid `traceparent`.
pub fn remote_context<E: crate::Extractor + ?Sized>(carrier: &E) -> FrameContext {
    FrameContext::of_server(Context::child(&crate::propagation::extract_context(
        carrier,
    )))
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

// The recorded arguments, for the exported span; `args` is called only when there is one.
impl Frame {
    #[inline]
    pub fn export_args<const N: usize>(
        &self,
        args: impl FnOnce() -> [(&'static str, ArgValue); N],
    ) {
        #[cfg(feature = "otel")]
        if let Some(record) = &self.export {
            record.set_args(args().map(|(name, value)| (name, value.0)));
        }
        #[cfg(not(feature = "otel"))]
        let _ = args;
    }
}

impl AsyncFrame {
    #[inline]
    pub fn export_args<const N: usize>(
        &self,
        args: impl FnOnce() -> [(&'static str, ArgValue); N],
    ) {
        #[cfg(feature = "otel")]
        if let Some(record) = &self.export {
            record.set_args(args().map(|(name, value)| (name, value.0)));
        }
        #[cfg(not(feature = "otel"))]
        let _ = args;
    }
}
