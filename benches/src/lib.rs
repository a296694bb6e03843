//! Shapes shared by the benchmarks.

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
