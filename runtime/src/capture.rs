//! When to capture a backtrace: the environment's word, and a per-callsite rate limit so that
//! an error storm does not become a CPU storm.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

pub use crate::settings::DEFAULT_BACKTRACE_RATE;

/// Sets how many backtraces each instrumented function may capture per second (a token bucket
/// of that many tokens); `0` captures none, `u32::MAX - 1` is effectively unlimited.
/// Overrides `TRACEFAULT_BACKTRACE_RATE`.
pub fn set_backtrace_rate(per_second: u32) {
    crate::settings::get().set_backtrace_rate(per_second);
}

/// The rate in force: [`set_backtrace_rate`], else `TRACEFAULT_BACKTRACE_RATE`, else
/// [`DEFAULT_BACKTRACE_RATE`].
pub fn backtrace_rate() -> u32 {
    crate::settings::get().backtrace_rate()
}

/// `RUST_LIB_BACKTRACE=0`, or `RUST_BACKTRACE=0` without `RUST_LIB_BACKTRACE`, turns capture off
/// as it does for `std::backtrace::Backtrace::capture`, except where a function says
/// `backtrace = "always"`.
pub(crate) fn disabled_by_environment() -> bool {
    crate::settings::get().backtraces_off_by_environment()
}

/// Nanoseconds on a process-wide monotonic clock.
pub(crate) fn now_nanos() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// A token bucket in two atomics: capacity and refill rate are both the configured rate, so a
/// callsite can capture `rate` backtraces in a burst and `rate` per second after that.
#[derive(Debug)]
pub struct RateLimiter {
    /// Tokens times `SCALE`, so fractions of a token accrue between calls.
    tokens: AtomicU64,
    last_refill_nanos: AtomicU64,
    suppressed: AtomicU32,
}

const SCALE: u64 = 1_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;
const NEVER_REFILLED: u64 = u64::MAX;

impl RateLimiter {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> RateLimiter {
        RateLimiter {
            tokens: AtomicU64::new(0),
            last_refill_nanos: AtomicU64::new(NEVER_REFILLED),
            suppressed: AtomicU32::new(0),
        }
    }

    /// Takes a token at `now_nanos` if one is left at `rate` per second. On success, also
    /// returns how many captures were refused since the last success.
    pub(crate) fn try_acquire(&self, rate: u32, now_nanos: u64) -> Result<u32, ()> {
        if rate == 0 {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return Err(());
        }
        let capacity = u64::from(rate) * SCALE;
        let last = self.last_refill_nanos.swap(now_nanos, Ordering::AcqRel);
        let refill = match last {
            NEVER_REFILLED => capacity,
            last => {
                let elapsed = now_nanos.saturating_sub(last);
                (u128::from(elapsed) * u128::from(capacity) / u128::from(NANOS_PER_SECOND))
                    .min(u128::from(capacity)) as u64
            }
        };
        let mut taken = false;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                let available = tokens.saturating_add(refill).min(capacity);
                taken = available >= SCALE;
                Some(if taken { available - SCALE } else { available })
            });
        if taken {
            Ok(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            Err(())
        }
    }

    /// How many captures were refused since the last one that went through.
    pub(crate) fn suppressed(&self) -> u32 {
        self.suppressed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_burst_of_rate_is_allowed_then_refused() {
        let limiter = RateLimiter::new();
        for _ in 0..10 {
            assert!(limiter.try_acquire(10, 5 * MS).is_ok());
        }
        assert!(limiter.try_acquire(10, 5 * MS).is_err());
        assert!(limiter.try_acquire(10, 6 * MS).is_err());
        assert_eq!(limiter.suppressed(), 2);
    }

    #[test]
    fn tokens_refill_at_the_rate_and_report_what_was_suppressed() {
        let limiter = RateLimiter::new();
        let mut now = 0;
        while limiter.try_acquire(10, now).is_ok() {}
        // One token every 100 ms at 10 per second.
        now += 50 * MS;
        assert!(limiter.try_acquire(10, now).is_err());
        now += 60 * MS;
        assert_eq!(limiter.try_acquire(10, now), Ok(2));
        assert!(limiter.try_acquire(10, now).is_err());
    }

    #[test]
    fn a_long_pause_refills_no_more_than_the_capacity() {
        let limiter = RateLimiter::new();
        while limiter.try_acquire(3, 0).is_ok() {}
        let later = 3600 * NANOS_PER_SECOND;
        let allowed = (0..10)
            .filter(|_| limiter.try_acquire(3, later).is_ok())
            .count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn a_rate_of_zero_never_captures() {
        let limiter = RateLimiter::new();
        assert!(limiter.try_acquire(0, 0).is_err());
        assert_eq!(limiter.suppressed(), 1);
    }
}
