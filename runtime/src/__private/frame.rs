//! The guards an expansion puts around a function body: `Frame` for a synchronous call,
//! `AsyncFrame` for a future, entered on every poll.

use super::describe::ErrorView;
use super::inflight;
use super::site::Site;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use tracing::span::EnteredSpan;
use tracing::Span;

/// A synchronous call inside its span. Leaving it by [`Frame::leave`] reports the result;
/// dropping it otherwise means the body returned normally or is unwinding.
#[derive(Debug)]
pub struct Frame {
    site: &'static Site,
    span: EnteredSpan,
    guard: DepthGuard,
}

impl Frame {
    #[inline]
    pub fn enter(site: &'static Site, span: Span) -> Frame {
        let guard = DepthGuard::enter(site);
        Frame {
            site,
            span: span.entered(),
            guard,
        }
    }

    /// Reports how the call ended: `Some` for the `Err` it returned.
    #[inline]
    pub fn leave(mut self, error: Option<ErrorView<'_>>) {
        if let Some(error) = error {
            self.guard.left = true;
            inflight::exit(self.guard.depth);
            inflight::leave_err(self.site, &self.span, self.guard.depth, error);
        }
    }
}

impl Drop for Frame {
    #[inline]
    fn drop(&mut self) {
        self.guard.finish(self.site, &self.span);
    }
}

/// Counts one frame in and, unless told how it left, out again when dropped: normally, or
/// by unwinding.
#[derive(Debug)]
struct DepthGuard {
    depth: u32,
    panicking_at_entry: bool,
    left: bool,
}

impl DepthGuard {
    #[inline]
    fn enter(site: &'static Site) -> DepthGuard {
        if site.record_panics {
            super::panic_hook::ensure_installed();
        }
        DepthGuard {
            depth: inflight::enter(),
            panicking_at_entry: std::thread::panicking(),
            left: false,
        }
    }

    #[inline]
    fn finish(&mut self, site: &'static Site, span: &Span) {
        if core::mem::replace(&mut self.left, true) {
            return;
        }
        inflight::exit(self.depth);
        if std::thread::panicking() && !self.panicking_at_entry {
            if site.record_panics {
                inflight::leave_unwinding(site, span, self.depth);
            }
        } else {
            inflight::leave_ok(self.depth);
        }
    }
}

/// The span and site of an instrumented future; the future itself runs inside
/// [`AsyncFrame::instrument`].
#[derive(Debug)]
pub struct AsyncFrame {
    site: &'static Site,
    span: Span,
}

impl AsyncFrame {
    #[inline]
    pub fn new(site: &'static Site, span: Span) -> AsyncFrame {
        AsyncFrame { site, span }
    }

    /// Runs `future` inside this frame: each poll enters the span and counts the frame in.
    #[inline]
    pub fn instrument<R, F: Future<Output = R>>(&self, future: F) -> Instrumented<'_, F> {
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
            Some(error) => inflight::leave_err(self.site, &self.span, depth, error),
            None => inflight::leave_ok(depth),
        }
    }
}

/// A future polled inside an [`AsyncFrame`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<'a, F> {
    frame: &'a AsyncFrame,
    future: F,
}

impl<F: Future> Future for Instrumented<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `Instrumented` implements neither `Drop` nor `Unpin` by hand.
        let (frame, future) = unsafe {
            let this = self.get_unchecked_mut();
            (this.frame, Pin::new_unchecked(&mut this.future))
        };
        let _entered = frame.span.enter();
        let mut polling = Polling {
            frame,
            guard: DepthGuard::enter(frame.site),
        };
        let poll = future.poll(cx);
        if poll.is_ready() {
            // How the future ended is for `AsyncFrame::leave`, which runs next.
            polling.guard.left = true;
            inflight::exit(polling.guard.depth);
        }
        poll
    }
}

/// One poll of an [`Instrumented`] future; dropped at the poll's end, or by unwinding.
struct Polling<'a> {
    frame: &'a AsyncFrame,
    guard: DepthGuard,
}

impl Drop for Polling<'_> {
    #[inline]
    fn drop(&mut self) {
        self.guard.finish(self.frame.site, &self.frame.span);
    }
}

/// Calls the body closure of a synchronous function; the explicit `R` gives the closure the
/// function's return type before its body is checked, so `?` and `.into()` infer as before.
#[inline(always)]
pub fn call<R, F: FnOnce() -> R>(body: F) -> R {
    body()
}
