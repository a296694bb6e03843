//! A future dropped before it finished: cancelled, by a `select!` that took another branch, a
//! timeout, an aborted task, a client that went away. That is not an error of the future's own
//! (the caller that gave up has the error, if there is one), so it gets no report. What is
//! recorded is where it was when it was dropped:
//!
//! - an `INFO` event under the `tracefault` target, in the future's own span, saying
//!   `cancelled`, with the function (`code.function.name`) and how long the future had been
//!   running (`tracefault.elapsed_us`), which a filter silences like any other
//!   (`RUST_LOG=tracefault=warn`);
//! - on the exported span, the attribute `tracefault.cancelled = true`, with the status left
//!   unset: OpenTelemetry's conventions keep the `Error` status for operations that failed, and
//!   have no attribute for cancellation outside RPC systems, so the mark is one of ours, under
//!   our namespace, as the conventions ask of attributes they do not define.

use super::site::Site;
use tracing::Span;

/// The attribute and field that mark a cancelled span and event.
pub(crate) const CANCELLED: &str = "tracefault.cancelled";
/// How long the future had run, from its first poll to its drop, in microseconds.
pub(crate) const ELAPSED_US: &str = "tracefault.elapsed_us";
/// The function the future was in, as OpenTelemetry names the attribute.
pub(crate) const CODE_FUNCTION: &str = "code.function.name";

/// Whether anybody listens to the cancellation event: only then is a future's start read from
/// the clock.
#[inline]
pub(crate) fn is_wanted() -> bool {
    tracing::enabled!(target: "tracefault", tracing::Level::INFO)
}

/// The future of `site`, in `span`, was dropped `elapsed_nanos` after it started (when that
/// was read).
#[cold]
#[inline(never)]
pub(crate) fn record(site: &'static Site, span: &Span, elapsed_nanos: Option<u64>) {
    let elapsed_us = elapsed_nanos.map(|nanos| nanos / 1_000);
    tracing::event!(
        target: "tracefault",
        parent: span,
        tracing::Level::INFO,
        { CODE_FUNCTION } = site.qualified_name(),
        { ELAPSED_US } = elapsed_us,
        { CANCELLED } = true,
        "cancelled"
    );
}
