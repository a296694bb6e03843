//! The error report of [tracefault](https://docs.rs/tracefault), as data and as text, defined
//! once for everyone who writes or reads one: the runtime writes reports through it, the
//! `#[trace]` macro reserves its span fields, and the `tracefault` command reads log lines
//! with it.
//!
//! As ripgrep keeps its JSON wire types in one module, this crate keeps the report's formats
//! in one place so that the writer and the readers cannot drift apart:
//!
//! - [`keys`]: every key of a log line and a report, every span field and attribute name;
//! - [`Report`] and its parts ([`Cause`], [`RemoteOrigin`], [`Frame`], [`SpanTraceEntry`],
//!   [`ServerSpan`], [`PanicLocation`]) and the ids ([`TraceId`], [`SpanId`]);
//! - [`json`]: the JSON writer of a log line's report members (hand-written: no serde);
//! - [`layout`]: the Python-style text, its one renderer and its one parser;
//! - [`escape`]: the one policy for showing text from outside;
//! - `read` (feature `read`): the reader of log lines, with serde.
//!
//! Without features it has no dependencies.
//!
//! ```
//! use tracefault_report::{keys, Report};
//! let report = Report { type_name: "app::Failure".into(), message: "it broke".into(), ..Report::default() };
//! let members = report.json_members();
//! assert_eq!(members[1].0, keys::EXCEPTION_TYPE);
//! assert!(report.python_style().contains("app::Failure: it broke"));
//! ```

#![deny(missing_docs)]

pub mod escape;
mod ids;
pub mod json;
pub mod keys;
pub mod layout;
#[cfg(feature = "read")]
pub mod read;
mod report;

pub use ids::{SpanId, TraceId};
pub use report::{
    Cause, Frame, IntoOwned, PanicLocation, RemoteOrigin, Report, ReportKind, ServerSpan,
    SpanTraceEntry,
};
