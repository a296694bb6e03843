//! Property tests of the three parsers over arbitrary input: they never panic, keep within
//! their limits, and what they accept formats to a header they accept again, unchanged. And
//! over inputs far past the limits (all commas, all whitespace, one giant member, thousands of
//! members, many headers): what is kept stays within the limits, and nothing past the bytes
//! the limits let a parser read changes what it keeps.

use proptest::prelude::*;
use tracefault::context::{Baggage, TraceState};
use tracefault::propagation::baggage::{self, MAX_READ_BYTES};
use tracefault::propagation::traceparent::{self, TraceParent};
use tracefault::propagation::tracestate::{self, TraceStateError};

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

/// Headers of the shapes that once made the work grow with the header, at sizes past every
/// limit.
fn oversized_header() -> impl Strategy<Value = String> {
    let repeated = |units: &'static [&'static str]| {
        (proptest::sample::select(units), 0..12_000usize)
            .prop_map(|(unit, count)| unit.repeat(count))
    };
    prop_oneof![
        repeated(&[",", " ", "\t", " ,\t", ",,;"]),
        repeated(&["k=v,", "k=v;p=1,", "a@b=1,", "k=%41,", "bad key=1,", "=,"]),
        (0..30_000usize, "[a-z=,]{0,20}")
            .prop_map(|(size, tail)| format!("big={},{tail},ok=1", "x".repeat(size))),
        (0..40usize, 0..2_000usize).prop_map(|(width, count)| {
            (0..count)
                .map(|n| format!("k{n}={}", "v".repeat(width)))
                .collect::<Vec<_>>()
                .join(",")
        }),
        ("[ ,=;%a@\t]{1,16}", 0..4_000usize).prop_map(|(pattern, count)| pattern.repeat(count)),
    ]
}

fn oversized_headers() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        proptest::collection::vec(oversized_header(), 0..4),
        // Many small headers: each costs its joining comma.
        (
            proptest::collection::vec("[a-z]{0,3}(=[a-z]{0,2})?", 1..8),
            0..12_000usize
        )
            .prop_map(|(values, count)| values
                .iter()
                .cycle()
                .take(count)
                .cloned()
                .collect()),
    ]
}

proptest! {
    // Each case is up to 100 KB: fewer of them.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn oversized_baggage_keeps_within_the_limits(headers in oversized_headers()) {
        let baggage = Baggage::parse(headers.iter().map(String::as_str));
        prop_assert!(baggage.len() <= baggage::MAX_MEMBERS);
        if let Some(header) = baggage.header() {
            prop_assert!(header.len() <= baggage::MAX_BYTES);
        }
        let keys: std::collections::HashSet<&str> = baggage.iter().map(|entry| &*entry.key).collect();
        prop_assert_eq!(keys.len(), baggage.len(), "of members with one key, one is kept");
    }

    #[test]
    fn baggage_past_the_read_limit_changes_nothing(header in oversized_header(), suffix in oversized_header()) {
        // Repeated past the limit, the shape stays the same.
        let header = match header.len() {
            0 => ",".repeat(MAX_READ_BYTES + 1),
            len => header.repeat(MAX_READ_BYTES / len + 1),
        };
        // All it may look at is the bytes up to the limit and the one after, which may be the
        // comma that ends the last member read.
        let read = &header[..=MAX_READ_BYTES];
        let changed = format!("{read}{suffix}");
        prop_assert_eq!(Baggage::parse([header.as_str()]), Baggage::parse([changed.as_str()]));
    }

    #[test]
    fn oversized_tracestate_keeps_within_the_limits(headers in oversized_headers()) {
        let joined = headers.iter().map(String::len).sum::<usize>() + headers.len().saturating_sub(1);
        match TraceState::parse(headers.iter().map(String::as_str)) {
            Ok(state) => {
                prop_assert!(joined <= tracestate::MAX_LENGTH);
                prop_assert!(state.len() <= tracestate::MAX_MEMBERS);
                prop_assert!(state.header().map_or(0, |header| header.len()) <= tracestate::MAX_LENGTH);
            }
            Err(TraceStateError::TooLong) => prop_assert!(joined > tracestate::MAX_LENGTH),
            Err(_) => {}
        }
    }

    #[test]
    fn extract_reads_any_header_map(
        traceparent in proptest::collection::vec(any::<u8>(), 0..700),
        tracestate in oversized_header(),
        baggage in oversized_header(),
        raw in proptest::collection::vec(any::<u8>(), 0..2_000),
    ) {
        let mut headers = http::HeaderMap::new();
        let mut add = |name: &'static str, bytes: &[u8]| {
            // What HTTP allows in a value: no control characters but tab.
            let bytes: Vec<u8> = bytes.iter().map(|&b| if b < 0x20 && b != b'\t' || b == 0x7f { b'x' } else { b }).collect();
            if let Ok(value) = http::HeaderValue::from_bytes(&bytes) {
                headers.append(name, value);
            }
        };
        add("traceparent", &traceparent);
        add("tracestate", tracestate.as_bytes());
        add("tracestate", &raw);
        add("baggage", baggage.as_bytes());
        add("baggage", &raw);
        let context = tracefault::propagation::extract_context(&headers);
        prop_assert!(context.baggage().len() <= baggage::MAX_MEMBERS);
        if let Some(span) = context.span() {
            prop_assert!(traceparent.len() <= traceparent::MAX_LENGTH);
            prop_assert!(span.state.len() <= tracestate::MAX_MEMBERS);
        }
    }
}
