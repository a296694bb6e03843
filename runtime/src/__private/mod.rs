//! What expansions of `#[trace]` call. Not public API: names and signatures change without
//! notice.

pub mod describe;
mod frame;
pub(crate) mod inflight;
pub(crate) mod panic_hook;
mod site;

pub use crate::capture::RateLimiter;
pub use crate::context::scope::FrameContext;
pub use crate::context::Context;
pub use describe::{as_err, ErrorView};
pub use frame::{call, child_context, remote_context, ArgValue, AsyncFrame, Frame, Instrumented};
pub use site::{BacktraceMode, Site};
pub use tracing;

pub use crate::__tracefault_err_view as err_view;
pub use crate::traceback::captures_on_this_thread;
