//! Spawned tasks whose errors travel with their output (feature `tokio`): one error, one
//! report, however many tasks it crosses.
//!
//! `tokio::spawn(work())` runs `work` where no instrumented function is around it, so an error
//! leaving it is reported at its edge; if the code awaiting the task returns that error too,
//! it is reported again. [`spawn`] runs the task in the current context and keeps such an
//! error's record with the task's output: the instrumented function that awaits the
//! [`JoinHandle`] continues it, with the spawned functions in its span trace and the spawned
//! origin's traceback. A task whose handle is dropped, or never awaited, reports its error
//! itself. A panic is reported where it unwinds out of the task, as always: the task's
//! `JoinError` carries the payload on.

use crate::__private::inflight::{self, Records};
use crate::context::scope::current_collector;
use crate::context::{Role, Scope};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

/// Spawns `future` on the current tokio runtime, in the current context, like
/// `tokio::spawn(future.in_current_context())`, and keeps the record of an error it returns
/// for whoever awaits the handle.
///
/// ```
/// # #[derive(Debug)] struct OutOfStock;
/// # impl std::fmt::Display for OutOfStock {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("out of stock") }
/// # }
/// # impl std::error::Error for OutOfStock {}
/// #[tracefault::trace]
/// async fn reserve() -> Result<(), OutOfStock> {
///     Err(OutOfStock)
/// }
///
/// #[tracefault::trace]
/// async fn checkout() -> Result<(), OutOfStock> {
///     // One report, from `checkout`, whose span trace runs through `reserve`.
///     tracefault::task::spawn(reserve()).await.expect("the task did not panic")
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async { assert!(checkout().await.is_err()) });
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let slot = Arc::new(Slot::default());
    let carried = Carried {
        scope: Scope::same_as_current(Role::Carrier),
        slot: slot.clone(),
        future,
    };
    JoinHandle {
        task: tokio::task::spawn(carried),
        slot,
    }
}

/// The handle of a task spawned with [`spawn`]: a `tokio::task::JoinHandle` whose output also
/// brings the task's error record to the instrumented function awaiting it.
#[derive(Debug)]
#[must_use = "a dropped handle detaches the task, which then reports its own error"]
pub struct JoinHandle<T> {
    task: tokio::task::JoinHandle<T>,
    slot: Arc<Slot>,
}

impl<T> JoinHandle<T> {
    /// Aborts the task, as `tokio::task::JoinHandle::abort` does.
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = std::task::ready!(Pin::new(&mut self.task).poll(cx));
        for record in self.slot.take_for_awaiter() {
            inflight::collect(current_collector(), record);
        }
        Poll::Ready(output)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        for record in self.slot.detach() {
            inflight::report_detached(record);
        }
    }
}

/// Where a task leaves its records for its handle.
#[derive(Debug, Default)]
struct Slot(Mutex<SlotState>);

#[derive(Debug, Default)]
struct SlotState {
    records: Records,
    /// The handle is gone: nobody will await the task.
    detached: bool,
}

impl Slot {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The task finished with `records`: kept for the handle, or given back to be reported
    /// when the handle is gone.
    fn leave(&self, records: Records) -> Records {
        let mut state = self.lock();
        if state.detached {
            records
        } else {
            state.records.extend(records);
            Vec::new()
        }
    }

    fn take_for_awaiter(&self) -> Records {
        std::mem::take(&mut self.lock().records)
    }

    fn detach(&self) -> Records {
        let mut state = self.lock();
        state.detached = true;
        std::mem::take(&mut state.records)
    }
}

/// The spawned future, run in its carrier scope.
struct Carried<F> {
    scope: Scope,
    slot: Arc<Slot>,
    future: F,
}

impl<F: Future> Future for Carried<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`, and `Carried`
        // implements neither `Drop` nor `Unpin` by hand. The other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let poll = {
            let _entered = this.scope.enter();
            future.poll(cx)
        };
        if poll.is_ready() {
            let records = inflight::take_parked_records(&this.scope);
            for record in this.slot.leave(records) {
                inflight::report_detached(record);
            }
        }
        poll
    }
}
