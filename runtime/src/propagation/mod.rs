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
