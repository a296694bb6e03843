//! The measured functions: one body under each instrumentation, so that the benchmarks differ
//! only in the attribute. All are `#[inline(never)]` and pass their input through `black_box`.

use std::hint::black_box;

/// The error every failing shape returns.
#[derive(Debug)]
pub struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failure")
    }
}

impl std::error::Error for Failure {}

/// The Ok path: a sync function returning `Result<u64, Failure>`.
pub mod sync {
    use super::{black_box, Failure};

    #[inline(never)]
    pub fn bare(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[tracing::instrument(skip_all)]
    pub fn tracing_instrument(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[fastrace::trace]
    pub fn fastrace(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[tracefault::trace]
    pub fn tracefault(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }
}

/// The Ok path: the same body as an `async fn`, to be polled to completion.
pub mod asynchronous {
    use super::{black_box, Failure};

    #[inline(never)]
    pub async fn bare(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[tracing::instrument(skip_all)]
    pub async fn tracing_instrument(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[fastrace::trace]
    pub async fn fastrace(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }

    #[inline(never)]
    #[tracefault::trace]
    pub async fn tracefault(x: u64) -> Result<u64, Failure> {
        Ok(black_box(x) + 1)
    }
}

/// The Err path: an error made at the origin and returned through `levels` frames above it
/// (`levels` ≥ 1), under each way of recording where it came from.
pub mod err {
    use super::Failure;
    use std::backtrace::Backtrace;

    /// Nothing recorded: what returning an error costs by itself.
    pub mod bare {
        use super::Failure;

        #[inline(never)]
        fn origin() -> Result<u64, Failure> {
            Err(Failure)
        }

        #[inline(never)]
        pub fn propagate(levels: u32) -> Result<u64, Failure> {
            if levels <= 1 {
                origin()
            } else {
                propagate(levels - 1)
            }
        }
    }

    /// Every frame instrumented; the backtrace is captured at the origin and reported once.
    pub mod tracefault {
        use super::Failure;

        #[inline(never)]
        #[tracefault::trace]
        fn origin() -> Result<u64, Failure> {
            Err(Failure)
        }

        #[inline(never)]
        #[tracefault::trace]
        pub fn propagate(levels: u32) -> Result<u64, Failure> {
            if levels <= 1 {
                origin()
            } else {
                propagate(levels - 1)
            }
        }
    }

    /// Every frame instrumented with `err`: an error event at every level, no backtrace.
    pub mod tracing_instrument {
        use super::Failure;

        #[inline(never)]
        #[tracing::instrument(err, skip_all)]
        fn origin() -> Result<u64, Failure> {
            Err(Failure)
        }

        #[inline(never)]
        #[tracing::instrument(err, skip_all)]
        pub fn propagate(levels: u32) -> Result<u64, Failure> {
            if levels <= 1 {
                origin()
            } else {
                propagate(levels - 1)
            }
        }
    }

    /// An error that carries the backtrace captured where it was made.
    #[derive(Debug)]
    pub struct Captured {
        pub failure: Failure,
        pub backtrace: Backtrace,
    }

    /// What one would write by hand: `Backtrace::force_capture()` at the origin, the error
    /// returned as it is through the frames above.
    pub mod force_capture {
        use super::{Backtrace, Captured, Failure};

        #[inline(never)]
        fn origin() -> Result<u64, Captured> {
            Err(Captured {
                failure: Failure,
                backtrace: Backtrace::force_capture(),
            })
        }

        #[inline(never)]
        pub fn propagate(levels: u32) -> Result<u64, Captured> {
            if levels <= 1 {
                origin()
            } else {
                propagate(levels - 1)
            }
        }
    }
}
