//! tracefault: Python's `traceback`, for distributed Rust services.
//!
//! `#[tracefault::trace]` opens a [`tracing`] span around a function; when the function
//! returns `Err` or panics, it captures a backtrace at the error's origin only, follows the
//! error up through the instrumented callers that propagate it, and emits one report when the
//! error leaves the outermost of them.
//!
//! ```
//! #[derive(Debug)]
//! struct OutOfStock;
//! impl std::fmt::Display for OutOfStock {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("out of stock")
//!     }
//! }
//! impl std::error::Error for OutOfStock {}
//!
//! #[tracefault::trace(args(sku))]
//! fn reserve(sku: u32) -> Result<(), OutOfStock> {
//!     Err(OutOfStock)
//! }
//!
//! #[tracefault::trace]
//! fn checkout(sku: u32) -> Result<(), OutOfStock> {
//!     reserve(sku)?;
//!     Ok(())
//! }
//!
//! // One `ERROR` event, target `tracefault`, with `exception.type`, `exception.message` and
//! // `exception.stacktrace`, when the error leaves `checkout`.
//! assert!(checkout(42).is_err());
//! ```
//!
//! [`trace`] documents every option of the attribute, with an example each. Where to go next:
//! [`init()`] (a subscriber that prints reports as tracebacks, or writes JSON lines), [`Config`]
//! (every setting), [`context`] and [`propagation`] (W3C Trace Context), [`remote`] (errors
//! across services), [`ErrorReport`] (a report as data). The guides, the cargo features and the
//! `tracefault` command are in the
//! [repository](https://github.com/tracefault/tracefault#readme).

// docs.rs labels each item with the features it needs (`doc_auto_cfg` was merged into
// `doc_cfg` in Rust 1.92, and naming it now fails the docs.rs build).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub use tracefault_macros::trace;

mod capture;
mod config;
pub mod context;
mod expected;
#[cfg(feature = "otel")]
pub mod export;
#[cfg(any(feature = "axum", feature = "reqwest", feature = "reqwest-0-12"))]
pub mod integrations;
pub mod propagation;
pub mod remote;
// The report's wire format is moving into a crate of its own (issue #24), and its docs with
// it; until then its missing docs, and its module doc's links to private modules, are allowed.
#[allow(missing_docs, rustdoc::private_intra_doc_links)]
pub mod report;
mod resource;
mod settings;
#[cfg(feature = "subscriber")]
mod subscriber;
#[cfg(feature = "tokio")]
pub mod task;
// Its module doc maps the folder, private modules included, as links that only
// `--document-private-items` resolves.
#[allow(rustdoc::private_intra_doc_links)]
pub mod traceback;

pub use capture::{backtrace_rate, set_backtrace_rate, DEFAULT_BACKTRACE_RATE};
#[cfg(feature = "subscriber")]
pub use config::init;
pub use config::{Config, Guard};
pub use context::current;
pub use expected::ExpectedError;
pub use propagation::{extract, inject, Extractor, Injector};
pub use remote::{Problem, RemoteError};
pub use report::ErrorReport;
pub use settings::PanicOutput;
#[cfg(feature = "subscriber")]
pub use subscriber::{layer, EscapedFields, EventFormat, Layer, LogFormat};

/// [`Config::new()`] that knows the calling package's version (`env!("CARGO_PKG_VERSION")`,
/// expanded in your crate), which becomes the exported resource's `service.version` unless
/// [`Config::service_version`] or `OTEL_RESOURCE_ATTRIBUTES` says otherwise.
///
/// ```
/// let config = tracefault::config!().backtrace_rate(50);
/// # let _ = config;
/// ```
#[macro_export]
macro_rules! config {
    () => {
        $crate::Config::new().package_version(::core::env!("CARGO_PKG_VERSION"))
    };
}

/// [`init()`] with the calling package's version as the exported resource's `service.version`
/// (see [`config!`]): `let _guard = tracefault::init!()?;` in the binary's `main`.
#[cfg(feature = "subscriber")]
#[macro_export]
macro_rules! init {
    () => {
        $crate::config!().init()
    };
}

/// Installs tracefault's panic hook now, in front of the current hook. Instrumented functions
/// do this on first use. The hook records a panic for the instrumented functions it unwinds,
/// then calls the hook it was installed in front of, unless that one is the standard
/// library's default and tracefault will report the panic: one panic, one report (see
/// [`PanicOutput`]). Calling it again while tracefault's hook is the current one changes
/// nothing.
///
/// Call it after `std::panic::set_hook` when you install a hook of your own later that does
/// not call the one before it: tracefault's goes in front of yours again, and calls it. Call
/// it at the start of `main`, before installing a hook that does call the one before it
/// (sentry's): yours then wraps tracefault's, which skips std's message for the panics it
/// reports, where wrapping yours it would call std's default through it.
pub fn install_panic_hook() {
    __private::panic_hook::install();
}

#[doc(hidden)]
pub mod __private;

// The README's Rust example runs as a doc test, so that the front door cannot drift from the
// code.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;
