//! Futures that carry the current context into their polls, wherever they are polled.

use super::scope::{Role, Scope};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};

/// Futures that carry a context into their polls, wherever they run.
pub trait FutureExt: Future + Sized {
    /// Runs this future in the context current now, for a future that is not itself
    /// instrumented but is spawned or polled elsewhere:
    /// `tokio::spawn(work().in_current_context())`.
    fn in_current_context(self) -> WithContext<Self> {
        WithContext::new(Scope::same_as_current(Role::Context), self)
    }
}

impl<F: Future> FutureExt for F {}

/// A future that makes its context current while it is polled; see
/// [`FutureExt::in_current_context`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct WithContext<F> {
    scope: Scope,
    future: F,
}

impl<F> WithContext<F> {
    pub(crate) fn new(scope: Scope, future: F) -> WithContext<F> {
        WithContext { scope, future }
    }
}

impl<F: Future> Future for WithContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and `WithContext`
        // implements neither `Drop` nor `Unpin` by hand. `scope` is not pinned, and is only
        // pointed at during this poll.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let _entered = this.scope.enter();
        future.poll(cx)
    }
}
