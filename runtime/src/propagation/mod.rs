//! The W3C wire formats: `traceparent` and `tracestate` (Trace Context Level 2), `baggage`
//! (W3C Baggage), and `traceresponse`.

pub mod baggage;
pub mod traceparent;
pub mod tracestate;
