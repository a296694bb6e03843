//! What the benchmarks share: the measured functions, a stack of fixed depth, and an executor
//! that adds nothing of its own.

pub mod shapes;

use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Calls `f` under `depth` frames of a function that is never inlined, so that every capture
/// is measured against the same stack.
#[inline(never)]
pub fn at_depth<R>(depth: u32, f: &mut dyn FnMut() -> R) -> R {
    if depth == 0 {
        f()
    } else {
        let result = at_depth(depth - 1, f);
        std::hint::black_box(depth);
        result
    }
}

/// Polls `future` on this thread until it is ready. The measured futures never wait, so a
/// waker that does nothing suffices, and no runtime's scheduling is measured with them.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
