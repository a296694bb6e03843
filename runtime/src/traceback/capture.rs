//! Capturing: the current stack's return addresses walked into a fixed buffer, as cheaply as
//! the build allows, and nothing else (no symbol lookup, no allocation).
//!
//! With frame pointers (`-C force-frame-pointers=yes`), every frame starts with the caller's
//! frame pointer and the return address, so the walk is a few loads per frame instead of the
//! platform unwinder's table lookups (tens of nanoseconds against microseconds at depth 20).
//! Whether the build has them cannot be seen from inside, so the first capture in a process
//! walks both ways and trusts frame pointers only if they agree with the unwinder. Every load
//! stays inside the current thread's stack, and a walk that finds no usable chain (a stack that
//! is not the thread's, a frame without a frame pointer) falls back to the unwinder.

use super::{Origin, Traceback, MAX_FRAMES};
use std::cell::Cell;
use std::sync::OnceLock;

thread_local! {
    static CAPTURES: Cell<u64> = const { Cell::new(0) };
}

/// How many tracebacks this thread has captured: lets tests check that an error is captured
/// once, however far it travels.
#[doc(hidden)]
pub fn captures_on_this_thread() -> u64 {
    CAPTURES.try_with(Cell::get).unwrap_or(0)
}

impl Traceback {
    /// Records the current stack's instruction pointers; no symbol lookup, no allocation.
    #[inline(never)]
    pub fn capture() -> Traceback {
        Traceback::capture_with(None)
    }

    /// [`Traceback::capture`] in the instrumented function `origin`, which names the innermost
    /// frame where debug info cannot.
    #[inline(never)]
    pub(crate) fn capture_in(origin: Origin) -> Traceback {
        Traceback::capture_with(Some(origin))
    }

    #[inline(always)]
    fn capture_with(origin: Option<Origin>) -> Traceback {
        let _ = CAPTURES.try_with(|count| count.set(count.get() + 1));
        let mut ips = [0; MAX_FRAMES];
        let len = walk(&mut ips);
        Traceback {
            ips,
            len,
            origin,
            resolved: OnceLock::new(),
        }
    }
}

/// Fills `ips` with return addresses, innermost first; returns how many.
#[inline(never)]
fn walk(ips: &mut [usize]) -> usize {
    if frame_pointers_are_trusted() {
        let len = frame_pointers::walk(ips);
        if len >= MIN_FRAME_POINTER_FRAMES {
            return len;
        }
    }
    with_unwinder(ips)
}

/// A chain shorter than this did not come from frame pointers worth trusting.
const MIN_FRAME_POINTER_FRAMES: usize = 3;

/// The platform unwinder, through the `backtrace` crate: always right, and slow.
#[inline(never)]
fn with_unwinder(ips: &mut [usize]) -> usize {
    let mut len = 0;
    backtrace::trace(|frame| {
        ips[len] = frame.ip() as usize;
        len += 1;
        len < ips.len()
    });
    len
}

fn frame_pointers_are_trusted() -> bool {
    static TRUSTED: OnceLock<bool> = OnceLock::new();
    *TRUSTED.get_or_init(frame_pointers_agree_with_the_unwinder)
}

/// Walks this stack both ways: frame pointers are trusted if, from this function's caller on,
/// they give the unwinder's return addresses, every one and in the same order. A function
/// built without frame pointers leaves the register to its caller's value, so a walk through
/// it silently skips it and everything down to the nearest frame that has one (a user's crate
/// built without them, under a `std` built with them): finding the walk's addresses somewhere
/// on the stack is not enough, they must be the stack.
#[inline(never)]
fn frame_pointers_agree_with_the_unwinder() -> bool {
    let mut from_frame_pointers = [0; 32];
    let walked = frame_pointers::walk(&mut from_frame_pointers);
    if walked < MIN_FRAME_POINTER_FRAMES {
        return false;
    }
    // The unwinder's frame of this very function, found by the start of the function each
    // frame is in; the frames after it are its callers.
    let this_function = frame_pointers_agree_with_the_unwinder as fn() -> bool as usize;
    let mut callers = [0; 64];
    let mut len = 0;
    let mut seen_this_function = false;
    backtrace::trace(|frame| {
        if seen_this_function {
            callers[len] = frame.ip() as usize;
            len += 1;
        } else {
            seen_this_function = frame.symbol_address() as usize == this_function;
        }
        len < callers.len()
    });
    // The first return address leads back into this function, from a different call than the
    // unwinder's; the callers above must be the same, with none missing. Without this
    // function's frame in the unwinder's walk, nothing is trusted: slower, never wrong.
    let callers_walked = &from_frame_pointers[1..walked];
    len >= callers_walked.len() && callers[..callers_walked.len()] == *callers_walked
}

#[cfg(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    any(target_os = "linux", target_os = "android")
))]
mod frame_pointers {
    use std::cell::Cell;

    /// The current thread's stack, `[low, high)`.
    fn stack_bounds() -> Option<(usize, usize)> {
        thread_local! {
            static BOUNDS: Cell<Option<Option<(usize, usize)>>> = const { Cell::new(None) };
        }
        BOUNDS
            .try_with(|bounds| match bounds.get() {
                Some(known) => known,
                None => {
                    let queried = query_stack_bounds();
                    bounds.set(Some(queried));
                    queried
                }
            })
            .ok()
            .flatten()
    }

    fn query_stack_bounds() -> Option<(usize, usize)> {
        // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is read and destroyed
        // once; the out-pointers are valid locals.
        unsafe {
            let mut attr: libc::pthread_attr_t = core::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
                return None;
            }
            let mut low: *mut libc::c_void = core::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let status = libc::pthread_attr_getstack(&attr, &mut low, &mut size);
            libc::pthread_attr_destroy(&mut attr);
            (status == 0 && !low.is_null()).then(|| (low as usize, low as usize + size))
        }
    }

    #[inline(always)]
    fn current_frame_pointer() -> usize {
        let frame_pointer: usize;
        // SAFETY: reads a register, touches no memory.
        unsafe {
            #[cfg(target_arch = "x86_64")]
            core::arch::asm!("mov {}, rbp", out(reg) frame_pointer, options(nomem, nostack, preserves_flags));
            #[cfg(target_arch = "aarch64")]
            core::arch::asm!("mov {}, x29", out(reg) frame_pointer, options(nomem, nostack, preserves_flags));
        }
        frame_pointer
    }

    /// Follows the chain of saved frame pointers from this function's frame: each frame holds
    /// the caller's frame pointer and, a word above it, the return address. Stops at a null
    /// frame pointer, or at one that is misaligned, outside the stack, or not above the last.
    #[inline(never)]
    pub(super) fn walk(ips: &mut [usize]) -> usize {
        const WORD: usize = core::mem::size_of::<usize>();
        let Some((low, high)) = stack_bounds() else {
            return 0;
        };
        let mut frame = current_frame_pointer();
        let mut len = 0;
        while len < ips.len() {
            if frame % WORD != 0 || frame < low || frame.saturating_add(2 * WORD) > high {
                break;
            }
            // SAFETY: `frame` and `frame + WORD` lie inside this thread's stack, between the
            // current frame and the stack's top, which is mapped and in use.
            let (caller_frame, return_address) =
                unsafe { (*(frame as *const usize), *((frame + WORD) as *const usize)) };
            if return_address == 0 {
                break;
            }
            ips[len] = return_address;
            len += 1;
            if caller_frame <= frame {
                break;
            }
            frame = caller_frame;
        }
        len
    }
}

#[cfg(not(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    any(target_os = "linux", target_os = "android")
)))]
mod frame_pointers {
    /// No frame-pointer walk on this platform: the unwinder does the work.
    pub(super) fn walk(_ips: &mut [usize]) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn at_depth(depth: u32, f: &mut dyn FnMut()) {
        if depth == 0 {
            f();
        } else {
            at_depth(depth - 1, f);
            std::hint::black_box(depth);
        }
    }

    #[test]
    fn both_walks_find_the_same_callers() {
        at_depth(10, &mut || {
            let mut unwound = [0; 64];
            let unwound_len = with_unwinder(&mut unwound);
            assert!(unwound_len > 10);
            let mut walked = [0; 64];
            let walked_len = walk(&mut walked);
            assert!(walked_len > 10, "{walked_len}");
            let unwound = &unwound[..unwound_len];
            // Whichever walk ran, the callers' return addresses are the unwinder's.
            let common = walked[..walked_len]
                .iter()
                .filter(|ip| unwound.contains(ip))
                .count();
            assert!(common >= 10, "{common} of {walked_len}");
        });
    }

    #[test]
    fn frame_pointers_are_trusted_exactly_when_the_build_keeps_them() {
        let walked = {
            let mut ips = [0; 64];
            frame_pointers::walk(&mut ips)
        };
        let agree = frame_pointers_agree_with_the_unwinder();
        if agree {
            assert!(walked >= MIN_FRAME_POINTER_FRAMES);
        }
        // This repository builds with frame pointers (`.cargo/config.toml`) on the platforms
        // that have a frame-pointer walk.
        if cfg!(all(
            any(target_arch = "x86_64", target_arch = "aarch64"),
            target_os = "linux"
        )) {
            assert!(
                agree,
                "frame pointers walked {walked} frames but disagree with the unwinder"
            );
        }
    }

    #[test]
    fn a_full_buffer_stops_both_walks() {
        at_depth(20, &mut || {
            let mut ips = [0; 8];
            assert_eq!(walk(&mut ips), 8);
            assert_eq!(with_unwinder(&mut ips), 8);
        });
    }
}
