//! A future dropped before it finished: cancelled, by a `select!` that took another branch, a
//! timeout, an aborted task, a client that went away. That is not an error of the future's own
//! (the caller that gave up has the error, if there is one), so it gets no report. What is
//! recorded is where it was when it was dropped:
//!
//! - an `INFO` event under the `tracefault` target, in the future's own span, saying
//!   `cancelled`, with the function (`code.function.name`) and how long the future had been
//!   running (`tracefault.elapsed_us`), which a filter silences like any other
//!   (`RUST_LOG=tracefault=warn`). It is emitted with the future's scope current, so that its
//!   line carries the future's own trace and span ids (whatever dropped it runs outside them:
//!   a server's connection task, say), and it names the span's parent and, inside a request
//!   from another service, the server span and its remote parent, the caller's client span,
//!   as a report does: without them a reader of the log lines could not place the spans of a
//!   request whose caller gave up, which leaves no other line saying where they belong;
//! - on the exported span, the attribute `tracefault.cancelled = true`, with the status left
//!   unset: OpenTelemetry's conventions keep the `Error` status for operations that failed, and
//!   have no attribute for cancellation outside RPC systems, so the mark is one of ours, under
//!   our namespace, as the conventions ask of attributes they do not define.

use super::site::Site;
use crate::context::Scope;
use tracing::Span;

use tracefault_report::keys::{
    CANCELLED, CODE_FUNCTION_NAME as CODE_FUNCTION, ELAPSED_US, HTTP_REQUEST_METHOD,
    PARENT_SPAN_ID, SERVER_PARENT_SPAN_ID, SERVER_SPAN_ID, URL_PATH,
};

/// When a future started, in ticks of the cheapest clock there is: read for every
/// instrumented future, while its cancellation is rare. On x86-64 the time-stamp counter
/// (a few nanoseconds, where `Instant::now` costs tens on some virtual machines), turned into
/// nanoseconds only when a future is cancelled; elsewhere the monotonic clock.
#[inline]
pub(crate) fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        let _ = tsc::origin();
        tsc::read()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::capture::now_nanos()
    }
}

/// The nanoseconds since `start`, a reading of [`ticks`].
#[cold]
fn nanos_since(start: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        tsc::nanos_since(start)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::capture::now_nanos().saturating_sub(start)
    }
}

#[cfg(target_arch = "x86_64")]
mod tsc {
    use std::sync::OnceLock;
    use std::time::Instant;

    /// Both clocks, read when the first future started: the counter's rate is told by how far
    /// each has gone since, a baseline at least as long as any future measured against it.
    static ORIGIN: OnceLock<(Instant, u64)> = OnceLock::new();

    #[inline]
    pub(super) fn origin() -> &'static (Instant, u64) {
        ORIGIN.get_or_init(|| (Instant::now(), read()))
    }

    #[inline]
    pub(super) fn read() -> u64 {
        // SAFETY: `rdtsc` is available on every x86-64 processor, and only reads a counter.
        unsafe { core::arch::x86_64::_rdtsc() }
    }

    /// The counter runs at a constant rate on the processors of the last fifteen years.
    pub(super) fn nanos_since(start: u64) -> u64 {
        let &(origin, origin_ticks) = origin();
        let now = read();
        let (nanos, ticks) = (origin.elapsed().as_nanos(), now.wrapping_sub(origin_ticks));
        if ticks == 0 {
            return 0;
        }
        let since = u128::from(now.saturating_sub(start));
        u64::try_from(since * nanos / u128::from(ticks)).unwrap_or(u64::MAX)
    }
}

/// The future of `site`, in `span` and `scope`, was dropped; it started at `started`, a
/// reading of [`ticks`].
#[cold]
#[inline(never)]
pub(crate) fn record(site: &'static Site, scope: &Scope, span: &Span, started: u64) {
    let elapsed_us = nanos_since(started) / 1_000;
    let _entered = scope.enter();
    let request = scope.request();
    tracing::event!(
        target: "tracefault",
        parent: span,
        tracing::Level::INFO,
        { CODE_FUNCTION } = site.qualified_name(),
        { ELAPSED_US } = elapsed_us,
        { CANCELLED } = true,
        { PARENT_SPAN_ID } = scope.parent_span_id().map(tracing::field::display),
        { SERVER_SPAN_ID } = scope.server_span_id().map(tracing::field::display),
        { SERVER_PARENT_SPAN_ID } = scope.server_parent_span_id().map(tracing::field::display),
        { HTTP_REQUEST_METHOD } = request.as_ref().map(|request| request.method.as_str()),
        { URL_PATH } = request.as_ref().map(|request| request.path.as_str()),
        "cancelled"
    );
}
