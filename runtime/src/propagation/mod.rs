//! The W3C wire formats: `traceparent` and `tracestate` (Trace Context Level 2), `baggage`
//! (W3C Baggage), and `traceresponse`.

pub mod baggage;
mod carrier;
mod inject;
pub mod traceparent;
pub mod traceresponse;
pub mod tracestate;

pub use carrier::{Extractor, Injector};
pub use inject::{
    extract, extract_baggage, extract_context, inject, inject_context, BAGGAGE, TRACEPARENT,
    TRACESTATE,
};
pub use traceresponse::{set_traceresponse, traceresponse_enabled, TraceResponse, TRACERESPONSE};

/// Without the optional white space (spaces and tabs) around it, as the headers' grammars allow.
pub(crate) fn trim_ows(text: &[u8]) -> &[u8] {
    let is_ows = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = text.iter().position(|b| !is_ows(b)).unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last + 1);
    &text[start..end.max(start)]
}
