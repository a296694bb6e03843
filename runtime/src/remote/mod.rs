//! Errors across services, as data: a server answers a failure with RFC 9457 Problem Details
//! ([`Problem`]), and a client turns such an answer back into a [`RemoteError`], whose
//! `source()` chain is the callee's, each cause knowing its type and the service it ran in. A
//! caller's report then chains the callee's, as Python's "The above exception was the direct
//! cause of the following exception".
//!
//! What leaves a service is chosen by [`Exposure`]: by default only the status, its title and
//! the trace id, which is safe at a public edge; the chain of types and messages, and the
//! origin's frames, only where you say (internal hops). Messages can carry secrets (a path, a
//! query, a user's data): expose them only to callers you trust.

pub mod as_error;
mod exposure;
#[cfg(feature = "http")]
mod parse;
mod problem;

/// Defined beside the report, which reads its causes; at home here, where answers are read.
pub use crate::report::remote_error::{RemoteCause, RemoteError};
pub use as_error::AsDynError;
pub use exposure::{set_exposure, Exposure};
#[cfg(feature = "http")]
pub use parse::MAX_BODY;
pub(crate) use problem::keep_for_request;
pub use problem::Problem;
