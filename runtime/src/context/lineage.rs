//! Where a span sits in its trace: its parent and its role, which exporters need and
//! propagation does not.

use super::SpanId;

/// The role of a span, as OpenTelemetry's span kinds name them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SpanKind {
    /// Work inside the process: an instrumented function.
    #[default]
    Internal,
    /// The handling of a request from another process (`#[trace(remote = ...)]`, the tower
    /// layer).
    Server,
    /// A request to another process (the reqwest helper).
    Client,
}

/// A span's parent (none for a root) and kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lineage {
    pub(crate) parent: Option<SpanId>,
    /// The parent was received from another process.
    pub(crate) parent_is_remote: bool,
    pub(crate) kind: SpanKind,
}

impl Lineage {
    pub(crate) const ROOT: Lineage = Lineage {
        parent: None,
        parent_is_remote: false,
        kind: SpanKind::Internal,
    };
}
