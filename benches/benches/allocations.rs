//! Heap allocations per call on the Ok path, counted by a global allocator: tracefault with no
//! subscriber, with a `Registry` and a layer that does nothing, and with a formatting layer,
//! beside a bare call and `#[tracing::instrument]` on the same subscribers.
//!
//! Not a criterion benchmark: it prints a table and writes `allocations.json` beside
//! criterion's results, where `scripts/bench-ratios` reads it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tracefault_benches::block_on;
use tracefault_benches::shapes::{asynchronous, sync};
use tracing_subscriber::layer::SubscriberExt;

/// The system allocator, counting every allocation and the bytes asked for. A reallocation
/// counts as an allocation of its new size.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

fn count(size: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
}

// SAFETY: every call is passed on unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Calls made before counting, so that lazily built state (thread-locals, the `Registry`'s
/// slab pages, callsite registration) is not charged to every call.
const WARM_UP: u64 = 1_000;
/// Calls counted.
const CALLS: u64 = 100_000;

struct PerCall {
    name: String,
    allocations: f64,
    bytes: f64,
}

/// Counts what `CALLS` calls of `call` allocate, after `WARM_UP` uncounted ones. Nothing else
/// runs in this process meanwhile: no other thread is started.
fn per_call(name: &str, mut call: impl FnMut()) -> PerCall {
    for _ in 0..WARM_UP {
        call();
    }
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);
    let bytes = BYTES.load(Ordering::SeqCst);
    for _ in 0..CALLS {
        call();
    }
    // Read before `name.to_owned()` allocates.
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - allocations;
    let bytes = BYTES.load(Ordering::SeqCst) - bytes;
    PerCall {
        name: name.to_owned(),
        allocations: allocations as f64 / CALLS as f64,
        bytes: bytes as f64 / CALLS as f64,
    }
}

fn sync_call(f: fn(u64) -> Result<u64, tracefault_benches::shapes::Failure>) -> impl FnMut() {
    move || {
        black_box(f(black_box(1))).ok();
    }
}

/// The instrumented shapes, sync and async, measured under whatever subscriber is current.
fn instrumented(subscriber: &str, results: &mut Vec<PerCall>) {
    results.push(per_call(
        &format!("ok_path_{subscriber}/tracing_instrument"),
        sync_call(sync::tracing_instrument),
    ));
    results.push(per_call(
        &format!("ok_path_{subscriber}/tracefault"),
        sync_call(sync::tracefault),
    ));
    results.push(per_call(
        &format!("async_{subscriber}/tracing_instrument"),
        || {
            black_box(block_on(asynchronous::tracing_instrument(black_box(1)))).ok();
        },
    ));
    results.push(per_call(&format!("async_{subscriber}/tracefault"), || {
        black_box(block_on(asynchronous::tracefault(black_box(1)))).ok();
    }));
}

/// Where criterion writes its results: `CRITERION_HOME`, else `criterion` in the target
/// directory (`CARGO_TARGET_DIR`, else three levels above this binary, in `<target>/release/deps`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .ok()?
            .ancestors()
            .nth(3)?
            .to_path_buf(),
    };
    Some(target.join("criterion"))
}

fn main() {
    let mut results = vec![
        per_call("ok_path_no_subscriber/bare", sync_call(sync::bare)),
        per_call("async_no_subscriber/bare", || {
            black_box(block_on(asynchronous::bare(black_box(1)))).ok();
        }),
    ];
    instrumented("no_subscriber", &mut results);
    let subscriber = tracing_subscriber::registry().with(Nothing);
    tracing::subscriber::with_default(subscriber, || instrumented("registry", &mut results));
    // tracefault's own formatting layer, for both sides: the same work per span.
    let layer = tracefault::layer().with_writer(std::io::sink);
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || instrumented("fmt_sink", &mut results));

    println!("allocations per call on the Ok path ({CALLS} calls after {WARM_UP}):");
    println!("{:<40} {:>12} {:>10}", "", "allocations", "bytes");
    let mut json = String::from("{\n");
    for (i, result) in results.iter().enumerate() {
        println!(
            "{:<40} {:>12.3} {:>10.1}",
            result.name, result.allocations, result.bytes
        );
        let comma = if i + 1 < results.len() { "," } else { "" };
        let _ = writeln!(
            json,
            "  \"{}\": {{\"allocations\": {}, \"bytes\": {}}}{comma}",
            result.name, result.allocations, result.bytes
        );
    }
    json.push_str("}\n");

    let Some(dir) = criterion_dir() else {
        eprintln!("allocations: no target directory found; allocations.json not written");
        return;
    };
    let path = dir.join("allocations.json");
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, json)) {
        Ok(()) => println!("written to {}", path.display()),
        Err(error) => eprintln!("allocations: cannot write {}: {error}", path.display()),
    }
}

/// A layer that is interested in everything and does nothing with it.
struct Nothing;
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Nothing {}
