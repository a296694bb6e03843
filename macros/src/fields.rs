//! The span fields every `#[trace]` span declares for itself, which a user's `args(...)` or
//! `fields(...)` cannot take. The runtime declares them under the same names
//! (`tracefault::__private::fields::SPAN_FIELDS`; a test checks that the lists agree).

pub(crate) const SPAN_FIELDS: &[&str] = &[
    "error",
    "exception.type",
    "exception.message",
    "trace_id",
    "span_id",
];
