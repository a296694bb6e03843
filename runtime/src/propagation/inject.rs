//! Putting the current context on an outgoing request, and reading a caller's off an
//! incoming one.

use super::baggage::{Baggage, BaggageParser};
use super::carrier::{Extractor, Injector};
use super::traceparent::TraceParent;
use super::tracestate::{TraceState, TraceStateParser};
use crate::context::{self, Context, SpanContext};
use std::ops::ControlFlow;

/// The W3C Trace Context header that carries the trace id, the parent span id and the flags.
pub const TRACEPARENT: &str = "traceparent";
/// The W3C Trace Context header that carries the vendors' members.
pub const TRACESTATE: &str = "tracestate";
/// The W3C Baggage header.
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
///
/// However many and however large the headers, the work is bounded by the parsers' limits:
/// a second `traceparent` ends the reading of them, and `tracestate` is read up to
/// [`MAX_LENGTH`](super::tracestate::MAX_LENGTH) bytes.
pub fn extract(carrier: &(impl Extractor + ?Sized)) -> Option<SpanContext> {
    let mut traceparent = None;
    let mut count = 0;
    carrier.for_each_bytes(TRACEPARENT, &mut |value| {
        count += 1;
        if count > 1 {
            return ControlFlow::Break(());
        }
        traceparent = value.and_then(|value| TraceParent::parse_bytes(value).ok());
        ControlFlow::Continue(())
    });
    let parent = traceparent.filter(|_| count == 1)?;
    let mut state = TraceStateParser::default();
    let mut valid = true;
    carrier.for_each_bytes(TRACESTATE, &mut |value| {
        // A value that is not text is as malformed as a bad member: the whole list goes.
        valid = value.is_some_and(|value| state.feed_bytes(value).is_ok());
        if valid {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
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

/// The caller's baggage; see [`Baggage::parse`]. A value the carrier passes as not text is
/// skipped, and reading stops once nothing more would be kept.
pub fn extract_baggage(carrier: &(impl Extractor + ?Sized)) -> Baggage {
    let mut baggage = BaggageParser::default();
    carrier.for_each_bytes(BAGGAGE, &mut |value| match value {
        Some(value) => baggage.feed_bytes(value),
        None => ControlFlow::Continue(()),
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

    /// Hands out `values` for every name, counting how many it was asked for.
    struct Counting {
        values: Vec<String>,
        visited: std::cell::Cell<usize>,
    }

    impl Extractor for Counting {
        fn for_each(&self, _: &str, _: &mut dyn FnMut(Option<&str>)) {
            unreachable!("the parsers read through for_each_bytes")
        }

        fn for_each_bytes(&self, _: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
            for value in &self.values {
                self.visited.set(self.visited.get() + 1);
                if visit(Some(value.as_bytes())).is_break() {
                    return;
                }
            }
        }
    }

    #[test]
    fn reading_stops_at_the_limits_however_many_headers() {
        let many = |value: &str| Counting {
            values: vec![value.to_owned(); 100_000],
            visited: Default::default(),
        };
        let parents = many(PARENT);
        assert!(extract(&parents).is_none());
        assert_eq!(parents.visited.get(), 2, "a second traceparent is enough");
        let members = many("k=v");
        assert_eq!(extract_baggage(&members).len(), 1);
        assert_eq!(
            members.visited.get(),
            crate::propagation::baggage::MAX_READ_BYTES / 4,
            "each value costs its 3 bytes and a comma"
        );
        let empty = many("");
        assert!(extract_baggage(&empty).is_empty());
        assert_eq!(
            empty.visited.get(),
            crate::propagation::baggage::MAX_READ_BYTES
        );
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
