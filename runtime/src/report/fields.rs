//! The names under which reports and spans say what failed: `tracing` fields, OpenTelemetry
//! attributes and the keys of JSON lines. They are defined once, in `tracefault-report`, which
//! the macros (for the span fields they reserve) and the `tracefault` command read too.

pub use tracefault_report::keys::*;
