//! The W3C wire formats: `traceparent` and `tracestate` (Trace Context Level 2), `baggage`
//! (W3C Baggage), and `traceresponse`.

mod carrier;
mod inject;
pub mod traceparent;
pub mod traceresponse;

// The model's types, at the paths they have always had here.
pub use crate::context::{baggage, tracestate};

pub use carrier::{Extractor, Injector};
pub use inject::{
    extract, extract_baggage, extract_context, inject, inject_context, BAGGAGE, TRACEPARENT,
    TRACESTATE,
};
pub use traceresponse::{set_traceresponse, traceresponse_enabled, TraceResponse, TRACERESPONSE};
