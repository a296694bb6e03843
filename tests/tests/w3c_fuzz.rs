//! Property tests of the three parsers over arbitrary input: they never panic, keep within
//! their limits, and what they accept formats to a header they accept again, unchanged.

use proptest::prelude::*;
use tracefault::context::{Baggage, TraceState};
use tracefault::propagation::traceparent::TraceParent;

fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary text, arbitrary bytes made text lossily.
        ".{0,300}",
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        // Near-valid shapes, to reach the deeper rules.
        "[0-9a-fA-F]{2}-[0-9a-f]{30,34}-[0-9a-f]{14,18}-[0-9a-f]{1,3}(-.{0,5})?",
        "([a-z0-9_*/@-]{1,12}=[ -~]{0,12}[ \t,]{0,3}){0,40}",
        "([A-Za-z0-9!#$&'*+.^_|~-]{1,10}[ \t]*=[ \t]*[!-~]{0,12}(;[a-z]{1,4}(=[a-z0-9]{0,4})?)?[ \t,]{0,3}){0,80}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn traceparent_accepts_only_what_round_trips(input in header_text()) {
        if let Ok(parent) = TraceParent::parse(&input) {
            let header = parent.header();
            prop_assert_eq!(header.len(), 55);
            let again = TraceParent::parse(&header).unwrap();
            prop_assert_eq!(again.trace_id, parent.trace_id);
            prop_assert_eq!(again.parent_id, parent.parent_id);
            prop_assert!(parent.trace_id.is_valid() && parent.parent_id.is_valid());
        }
    }

    #[test]
    fn tracestate_accepts_only_what_round_trips(first in header_text(), second in header_text()) {
        if let Ok(state) = TraceState::parse([first.as_str(), second.as_str()]) {
            prop_assert!(state.len() <= tracefault::propagation::tracestate::MAX_MEMBERS);
            if let Some(header) = state.header() {
                prop_assert_eq!(TraceState::parse([header.as_str()]).unwrap(), state);
            }
        }
    }

    #[test]
    fn baggage_keeps_within_limits_and_round_trips(first in header_text(), second in header_text()) {
        let baggage = Baggage::parse([first.as_str(), second.as_str()]);
        prop_assert!(baggage.len() <= tracefault::propagation::baggage::MAX_MEMBERS);
        if let Some(header) = baggage.header() {
            prop_assert!(header.len() <= tracefault::propagation::baggage::MAX_BYTES);
            prop_assert_eq!(Baggage::parse([header.as_str()]), baggage);
        }
    }

    #[test]
    fn extract_never_panics_on_any_headers(
        traceparent in header_text(), tracestate in header_text(), baggage in header_text(),
    ) {
        let headers = [("traceparent", traceparent), ("tracestate", tracestate), ("baggage", baggage)];
        let context = tracefault::propagation::extract_context(&headers[..]);
        let mut out = std::collections::HashMap::new();
        tracefault::propagation::inject_context(&context, &mut out);
        let again = tracefault::propagation::extract_context(&out);
        prop_assert_eq!(again.span().map(|s| (s.trace_id, s.span_id)), context.span().map(|s| (s.trace_id, s.span_id)));
        prop_assert_eq!(again.baggage(), context.baggage());
    }
}
