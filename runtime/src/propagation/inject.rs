//! Putting the current context on an outgoing request, and reading a caller's off an
//! incoming one.

use super::baggage::{Baggage, BaggageParser};
use super::carrier::{Extractor, Injector};
use super::traceparent::TraceParent;
use super::tracestate::{TraceState, TraceStateParser};
use crate::context::{self, Context, SpanContext};

pub const TRACEPARENT: &str = "traceparent";
pub const TRACESTATE: &str = "tracestate";
pub const BAGGAGE: &str = "baggage";

/// Writes the current context: `traceparent` (the current span as the parent), `tracestate`
/// when there is one, and `baggage` when there is any. Outside any instrumented function
/// there is no span, and only baggage is written.
///
/// ```
/// #[tracefault::trace]
/// fn call_downstream() -> std::collections::HashMap<String, String> {
///     let mut headers = std::collections::HashMap::new();
///     tracefault::inject(&mut headers);
///     headers
/// }
/// let headers = call_downstream();
/// assert!(headers["traceparent"].starts_with("00-"));
/// ```
pub fn inject(carrier: &mut (impl Injector + ?Sized)) {
    inject_context(&context_of_current(), carrier);
}

fn context_of_current() -> Context {
    Context::new(context::current(), context::baggage())
}

/// Writes `context` as [`inject`] writes the current one.
pub fn inject_context(context: &Context, carrier: &mut (impl Injector + ?Sized)) {
    if let Some(span) = context.span().filter(|span| span.is_valid()) {
        let parent = TraceParent {
            trace_id: span.trace_id,
            parent_id: span.span_id,
            flags: span.flags,
        };
        carrier.set(TRACEPARENT, parent.header());
        if let Some(state) = span.state.header() {
            carrier.set(TRACESTATE, state);
        }
    }
    if let Some(baggage) = context.baggage().header() {
        carrier.set(BAGGAGE, baggage);
    }
}

/// The caller's span context from `traceparent` and `tracestate`, or `None` when there is no
/// valid `traceparent` (then `tracestate` is ignored, as the specification says). Several
/// `traceparent` headers are invalid; several `tracestate` headers are one list.
pub fn extract(carrier: &(impl Extractor + ?Sized)) -> Option<SpanContext> {
    let mut traceparent = None;
    let mut count = 0;
    carrier.for_each(TRACEPARENT, &mut |value| {
        count += 1;
        traceparent = value.and_then(|value| TraceParent::parse(value).ok());
    });
    let parent = traceparent.filter(|_| count == 1)?;
    let mut state = TraceStateParser::default();
    let mut valid = true;
    carrier.for_each(TRACESTATE, &mut |value| {
        // A value that is not text is as malformed as a bad member: the whole list goes.
        valid &= value.is_some_and(|value| state.feed(value).is_ok());
    });
    let state = if valid {
        state.finish().unwrap_or_default()
    } else {
        TraceState::default()
    };
    Some(SpanContext::new(
        parent.trace_id,
        parent.parent_id,
        parent.flags,
        state,
        true,
    ))
}

/// The caller's baggage; see [`Baggage::parse`]. Values that are not text are skipped.
pub fn extract_baggage(carrier: &(impl Extractor + ?Sized)) -> Baggage {
    let mut baggage = BaggageParser::default();
    carrier.for_each(BAGGAGE, &mut |value| {
        value.into_iter().for_each(|value| baggage.feed(value))
    });
    baggage.finish()
}

/// The caller's whole context: span context and baggage.
pub fn extract_context(carrier: &(impl Extractor + ?Sized)) -> Context {
    Context::new(extract(carrier), extract_baggage(carrier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PARENT: &str = "00-12345678901234567890123456789012-1234567890123456-01";

    #[test]
    fn a_valid_traceparent_and_its_tracestate_are_extracted() {
        let headers = [
            ("TraceParent", PARENT),
            ("tracestate", "foo=1"),
            ("TRACESTATE", "bar=2"),
        ];
        let span = extract(&headers[..]).unwrap();
        assert_eq!(
            span.trace_id.to_string(),
            "12345678901234567890123456789012"
        );
        assert_eq!(span.span_id.to_string(), "1234567890123456");
        assert!(span.is_remote && span.flags.is_sampled());
        assert_eq!(span.state.header().unwrap(), "foo=1,bar=2");
    }

    #[test]
    fn without_a_single_valid_traceparent_there_is_no_parent_and_tracestate_is_ignored() {
        assert!(extract(&[("tracestate", "foo=1")][..]).is_none());
        assert!(extract(&[("traceparent", PARENT), ("traceparent", PARENT)][..]).is_none());
        assert!(extract(
            &[(
                "traceparent",
                "00-00000000000000000000000000000000-1234567890123456-01"
            )][..]
        )
        .is_none());
        assert!(extract(&[("trace-parent", PARENT)][..]).is_none());
    }

    #[test]
    fn an_invalid_tracestate_is_dropped_and_the_parent_kept() {
        let span = extract(&[("traceparent", PARENT), ("tracestate", "foo=1,@bar=2")][..]).unwrap();
        assert!(span.state.is_empty());
    }

    #[test]
    fn injecting_writes_only_what_there_is() {
        let mut headers: HashMap<String, String> = HashMap::new();
        inject_context(&Context::default(), &mut headers);
        assert!(headers.is_empty());
        let remote = extract_context(
            &[
                ("traceparent", PARENT),
                ("tracestate", "foo=1"),
                ("baggage", "k=v"),
            ][..],
        );
        inject_context(&remote, &mut headers);
        assert_eq!(headers["traceparent"], PARENT);
        assert_eq!(headers["tracestate"], "foo=1");
        assert_eq!(headers["baggage"], "k=v");
    }

    #[test]
    fn huge_headers_cost_bounded_memory() {
        let huge = "k=v,".repeat(1_000_000);
        let baggage = extract_baggage(&[("baggage", huge.as_str())][..]);
        assert_eq!(baggage.len(), 1);
        let span = extract(&[("traceparent", PARENT), ("tracestate", huge.as_str())][..]).unwrap();
        assert!(span.state.is_empty());
    }
}
