//! Errors reported at the edge of a task that a frame spawned in its own context
//! (`tokio::spawn(work().in_current_context())`). The task's report goes out when the task
//! ends, as a detached task's must: nothing says whether anyone will await it. It is
//! remembered here for a while, so that the spawning frame, when it awaits the task and returns
//! that error, passes it on without reporting it a second time.

use super::identity::{Identity, Returned};
use crate::context::{Scope, SpanId, TraceId};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

struct Reported {
    trace_id: TraceId,
    /// The span of the frame that spawned the task.
    spawner: SpanId,
    identity: Identity,
    /// What the error displays, as its report says.
    message: String,
}

/// The latest reports of spawned tasks, oldest first.
static REPORTED: Mutex<Vec<Reported>> = Mutex::new(Vec::new());

/// How many there are, read without the lock: on an error path with none, claiming costs one
/// load.
static COUNT: AtomicUsize = AtomicUsize::new(0);

/// A spawner awaits its task right after the task ends, while at most a few other tasks
/// fail; 64 bound the memory and the search of every error path while any are kept.
const MAX_REMEMBERED: usize = 64;

fn lock() -> std::sync::MutexGuard<'static, Vec<Reported>> {
    REPORTED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error `identity`, displaying `message`, of trace `trace_id`, was reported at the edge
/// of a task that the frame whose span is `spawner` spawned in its context.
pub(super) fn remember(trace_id: TraceId, spawner: SpanId, identity: Identity, message: String) {
    let mut reported = lock();
    if reported.len() == MAX_REMEMBERED {
        reported.remove(0);
    }
    reported.push(Reported {
        trace_id,
        spawner,
        identity,
        message,
    });
    COUNT.store(reported.len(), Ordering::Relaxed);
}

/// Whether `returned`, leaving the frame `scope`, continues an error that a task this frame
/// spawned has reported; if so, that one is forgotten, as it has been claimed.
pub(super) fn claim(scope: &Scope, returned: &Returned<'_>) -> bool {
    if COUNT.load(Ordering::Relaxed) == 0 || !scope.has_span() {
        return false;
    }
    let (trace_id, span_id) = (scope.trace_id(), scope.span_id());
    let mut reported = lock();
    let claimed = reported.iter().rposition(|reported| {
        reported.trace_id == trace_id
            && reported.spawner == span_id
            && reported
                .identity
                .continued_by(&reported.message, returned)
                .is_some()
    });
    if let Some(position) = claimed {
        reported.remove(position);
        COUNT.store(reported.len(), Ordering::Relaxed);
    }
    claimed.is_some()
}
