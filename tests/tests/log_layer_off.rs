//! Without log export, `export::LogLayer` costs an event nothing on the heap: the same
//! allocations as the same subscriber without it. A binary of its own, for its allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tracing_subscriber::layer::SubscriberExt as _;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator as it is; only a count is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[tracefault::trace]
fn checkout(sku: u32) -> Result<u32, std::io::Error> {
    tracing::info!(sku, customer = "c-17", "checking out");
    Ok(sku)
}

/// Allocations on this thread while `f` runs, after a first run that warms up callsites.
fn allocations(f: impl Fn()) -> u64 {
    f();
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn without_log_export_the_layer_allocates_nothing() {
    let without = tracing::Dispatch::new(tracing_subscriber::registry());
    let with =
        tracing::Dispatch::new(tracing_subscriber::registry().with(tracefault::export::LogLayer));
    let run = |dispatch: &tracing::Dispatch| {
        allocations(|| {
            tracing::dispatcher::with_default(dispatch, || {
                checkout(7).unwrap();
            })
        })
    };
    let (base, layered) = (run(&without), run(&with));
    assert_eq!(
        layered, base,
        "allocations per call with the layer vs without"
    );
}
