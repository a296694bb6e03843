//! What expansions of `#[trace]` call. Not public API: names and signatures change without
//! notice.

pub(crate) mod cancelled;
pub mod describe;
pub(crate) mod frame;
pub(crate) mod inflight;
pub(crate) mod panic_hook;
mod site;
mod span;

pub use crate::report::fields;
pub use describe::{as_err, ErrorView};
pub use frame::{call, ArgValue, AsyncFrame, Frame, FrameGuard, Instrumented};
pub use site::{BacktraceMode, Site};
pub use tracing;

pub use crate::__tracefault_err_view as err_view;
pub use crate::__tracefault_span as span;
pub use crate::traceback::captures_on_this_thread;
