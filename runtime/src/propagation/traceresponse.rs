//! The `traceresponse` header (W3C Trace Context Level 2, a draft): a server tells its caller
//! which span handled the request, as `version-traceid-childid-flags`.
//!
//! Sending it reveals a span id to whoever called, so servers send it only after
//! [`set_traceresponse`]`(true)`; reading one is always possible.

use super::carrier::Extractor;
use super::traceparent::{TraceParent, TraceParentError};
use crate::context::{SpanContext, SpanId, TraceFlags, TraceId};
use std::fmt;

/// The header's name.
pub const TRACERESPONSE: &str = "traceresponse";

/// The fields of a valid `traceresponse`.
///
/// ```
/// use tracefault::propagation::traceresponse::TraceResponse;
/// let response =
///     TraceResponse::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(response.child_id.to_string(), "00f067aa0ba902b7");
/// assert_eq!(response.header(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceResponse {
    /// The trace the callee's span belongs to.
    pub trace_id: TraceId,
    /// The id of the span the callee created to handle the request.
    pub child_id: SpanId,
    /// The callee's flags, e.g. whether it sampled the request.
    pub flags: TraceFlags,
}

/// Why a `traceresponse` was rejected; the caller then ignores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceResponseError {
    /// Not what the same fields would make a valid `traceparent`: see [`TraceParentError`].
    Malformed(TraceParentError),
    /// An all-zero child id.
    ZeroChildId,
}

impl fmt::Display for TraceResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The wording of `TraceParentError` names `traceparent`: say which header it was.
            TraceResponseError::Malformed(error) => write!(f, "traceresponse: {error}"),
            TraceResponseError::ZeroChildId => f.write_str("traceresponse child id is all zeros"),
        }
    }
}

impl std::error::Error for TraceResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TraceResponseError::Malformed(error) => Some(error),
            TraceResponseError::ZeroChildId => None,
        }
    }
}

impl TraceResponse {
    /// Parses one header value, by the rules of `traceparent` (the draft gives both the same
    /// grammar): lowercase hex, version `ff` and all-zero ids invalid, optional whitespace
    /// around the value, later versions read by the forward-compatibility rules.
    pub fn parse(header: &str) -> Result<TraceResponse, TraceResponseError> {
        match TraceParent::parse(header) {
            Ok(parent) => Ok(TraceResponse {
                trace_id: parent.trace_id,
                child_id: parent.parent_id,
                flags: parent.flags,
            }),
            Err(TraceParentError::ZeroParentId) => Err(TraceResponseError::ZeroChildId),
            Err(error) => Err(TraceResponseError::Malformed(error)),
        }
    }

    /// The callee's span from a response's headers: `None` without exactly one valid
    /// `traceresponse`, as several would not say which span handled the request.
    ///
    /// ```
    /// use tracefault::propagation::traceresponse::TraceResponse;
    /// let headers = [("traceresponse", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")];
    /// assert!(TraceResponse::extract(&headers[..]).is_some());
    /// ```
    pub fn extract(carrier: &(impl Extractor + ?Sized)) -> Option<TraceResponse> {
        let mut found = None;
        let mut count = 0;
        carrier.for_each(TRACERESPONSE, &mut |value| {
            count += 1;
            found = value.and_then(|value| TraceResponse::parse(value).ok());
        });
        found.filter(|_| count == 1)
    }

    /// The header value, always version `00`, with only the flags that version defines.
    pub fn header(&self) -> String {
        self.to_string()
    }
}

/// The response that names `span` as the one that handled the request.
impl From<&SpanContext> for TraceResponse {
    fn from(span: &SpanContext) -> TraceResponse {
        TraceResponse {
            trace_id: span.trace_id,
            child_id: span.span_id,
            flags: span.flags,
        }
    }
}

/// `00-<trace-id>-<child-id>-<flags>`.
impl fmt::Display for TraceResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Same layout as `traceparent`, so one formatter keeps the two from drifting apart.
        let as_parent = TraceParent {
            trace_id: self.trace_id,
            parent_id: self.child_id,
            flags: self.flags,
        };
        fmt::Display::fmt(&as_parent, f)
    }
}

/// Whether servers in this process add a `traceresponse` header to their responses (off by
/// default). Read by [`TraceContextLayer`](crate::integrations::TraceContextLayer) for each
/// request.
///
/// ```
/// tracefault::propagation::set_traceresponse(true);
/// assert!(tracefault::propagation::traceresponse_enabled());
/// # tracefault::propagation::set_traceresponse(false);
/// ```
pub fn set_traceresponse(enabled: bool) {
    crate::settings::get().set_traceresponse(enabled);
}

/// What [`set_traceresponse`] last set: `false` unless a program opted in.
pub fn traceresponse_enabled() -> bool {
    crate::settings::get().traceresponse()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-12345678901234567890123456789012-1234567890123456-01";

    #[test]
    fn a_valid_value_round_trips() {
        let response = TraceResponse::parse(VALID).unwrap();
        assert_eq!(
            response.trace_id.to_string(),
            "12345678901234567890123456789012"
        );
        assert_eq!(response.child_id.to_string(), "1234567890123456");
        assert!(response.flags.is_sampled());
        assert_eq!(response.header(), VALID);
        assert_eq!(TraceResponse::parse(&format!(" \t{VALID}\t")), Ok(response));
    }

    #[test]
    fn an_all_zero_child_id_is_ignored() {
        assert_eq!(
            TraceResponse::parse("00-12345678901234567890123456789012-0000000000000000-01"),
            Err(TraceResponseError::ZeroChildId)
        );
    }

    #[test]
    fn the_hex_rules_of_traceparent_apply() {
        let cases = [
            (
                "00-00000000000000000000000000000000-1234567890123456-01",
                TraceParentError::ZeroTraceId,
            ),
            (
                "00-ABCDEF78901234567890123456789012-1234567890123456-01",
                TraceParentError::Format,
            ),
            (
                "ff-12345678901234567890123456789012-1234567890123456-01",
                TraceParentError::Version,
            ),
            (
                "00-12345678901234567890123456789012-1234567890123456-01-extra",
                TraceParentError::Length,
            ),
            (
                "00-12345678901234567890123456789012-123456789012345-01",
                TraceParentError::Length,
            ),
        ];
        for (header, error) in cases {
            assert_eq!(
                TraceResponse::parse(header),
                Err(TraceResponseError::Malformed(error)),
                "{header:?}"
            );
        }
    }

    #[test]
    fn later_versions_are_read_and_answered_in_version_00() {
        let response =
            TraceResponse::parse("cc-12345678901234567890123456789012-1234567890123456-03-more")
                .unwrap();
        assert!(response.flags.is_random());
        assert_eq!(
            response.header(),
            "00-12345678901234567890123456789012-1234567890123456-03"
        );
    }

    #[test]
    fn only_one_valid_header_is_extracted() {
        assert!(TraceResponse::extract(&[("TraceResponse", VALID)][..]).is_some());
        assert!(TraceResponse::extract(&[("traceresponse", VALID); 2][..]).is_none());
        assert!(TraceResponse::extract(&[("traceparent", VALID)][..]).is_none());
        assert!(TraceResponse::extract(&[("traceresponse", "00-zz")][..]).is_none());
    }

    #[test]
    fn a_span_context_names_itself() {
        let span = SpanContext::new(
            TraceId::from_bytes([1; 16]),
            SpanId::from_bytes([2; 8]),
            TraceFlags::SAMPLED,
            Default::default(),
            false,
        );
        assert_eq!(
            TraceResponse::from(&span).header(),
            "00-01010101010101010101010101010101-0202020202020202-01"
        );
    }
}
