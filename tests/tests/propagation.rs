//! One trace across services: every instrumented function has a W3C context of its own,
//! `inject` puts it on outgoing requests, and `remote = ...` continues a caller's trace,
//! whatever the log level and with or without a subscriber.

mod support;

use std::collections::HashMap;
use support::{block_on, capture, capture_at, Failure};
use tracefault::context::{FutureExt, SpanContext};
use tracing_subscriber::filter::LevelFilter;

const INCOMING_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_PARENT: &str = "00f067aa0ba902b7";

fn incoming() -> Vec<(&'static str, String)> {
    vec![
        (
            "traceparent",
            format!("00-{INCOMING_TRACE}-{INCOMING_PARENT}-01"),
        ),
        (
            "tracestate",
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".to_owned(),
        ),
        ("baggage", "tenant=acme,region=eu%20west".to_owned()),
    ]
}

/// What a downstream call would receive, and who sent it.
struct Outgoing {
    headers: HashMap<String, String>,
    sender: SpanContext,
}

#[tracefault::trace]
fn call_downstream() -> Outgoing {
    let mut headers = HashMap::new();
    tracefault::inject(&mut headers);
    Outgoing {
        headers,
        sender: tracefault::current().expect("inside an instrumented function"),
    }
}

#[tracefault::trace(remote = headers.as_slice())]
fn handle(headers: Vec<(&'static str, String)>) -> (SpanContext, Outgoing) {
    (tracefault::current().unwrap(), call_downstream())
}

fn traceparent(outgoing: &Outgoing) -> (String, String, String) {
    let value = &outgoing.headers["traceparent"];
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!(parts.len(), 4, "{value}");
    assert_eq!(parts[0], "00");
    (
        parts[1].to_owned(),
        parts[2].to_owned(),
        parts[3].to_owned(),
    )
}

fn assert_continues_the_incoming_trace(server: &SpanContext, outgoing: &Outgoing) {
    assert_eq!(server.trace_id.to_string(), INCOMING_TRACE);
    assert_ne!(server.span_id.to_string(), INCOMING_PARENT);
    let (trace, parent, flags) = traceparent(outgoing);
    assert_eq!(trace, INCOMING_TRACE);
    assert_eq!(
        parent,
        outgoing.sender.span_id.to_string(),
        "the parent is the calling function"
    );
    assert_ne!(outgoing.sender.span_id, server.span_id);
    assert_eq!(flags, "01");
    assert_eq!(
        outgoing.headers["tracestate"],
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
    );
    assert_eq!(outgoing.headers["baggage"], "tenant=acme,region=eu%20west");
}

#[test]
fn a_server_continues_the_callers_trace_and_passes_it_on() {
    let (server, outgoing) = handle(incoming());
    assert_continues_the_incoming_trace(&server, &outgoing);
    assert!(
        tracefault::current().is_none(),
        "nothing stays current after the call"
    );
}

#[test]
fn propagation_does_not_depend_on_the_log_level_or_a_subscriber() {
    // Every INFO span filtered out:
    let ((server, outgoing), captured) = capture_at(LevelFilter::ERROR, || handle(incoming()));
    assert!(captured.spans().is_empty());
    assert_continues_the_incoming_trace(&server, &outgoing);
    // No subscriber at all (this test's thread has no capture active):
    let (server, outgoing) = handle(incoming());
    assert_continues_the_incoming_trace(&server, &outgoing);
}

#[test]
fn without_a_valid_traceparent_a_server_starts_a_new_trace() {
    let headers = vec![
        (
            "traceparent",
            format!("00-{INCOMING_TRACE}-0000000000000000-01"),
        ),
        ("tracestate", "rojo=1".to_owned()),
    ];
    let (server, outgoing) = handle(headers);
    assert_ne!(server.trace_id.to_string(), INCOMING_TRACE);
    assert!(server.is_valid() && server.flags.is_sampled() && server.flags.is_random());
    let (trace, _, _) = traceparent(&outgoing);
    assert_eq!(trace, server.trace_id.to_string());
    assert!(
        !outgoing.headers.contains_key("tracestate"),
        "tracestate goes with its traceparent"
    );
}

#[test]
fn a_function_without_a_caller_starts_a_trace_and_its_callees_join_it() {
    #[tracefault::trace]
    fn root() -> (SpanContext, Outgoing) {
        (tracefault::current().unwrap(), call_downstream())
    }
    let (root, outgoing) = root();
    assert!(!root.is_remote);
    assert_eq!(outgoing.sender.trace_id, root.trace_id);
    let (_, other) = self::root_again();
    assert_ne!(
        other.sender.trace_id, root.trace_id,
        "each root starts its own trace"
    );
}

#[tracefault::trace]
fn root_again() -> (SpanContext, Outgoing) {
    (tracefault::current().unwrap(), call_downstream())
}

#[test]
fn spans_carry_no_ids_as_fields_unless_asked_for() {
    let (_, captured) = capture(call_downstream);
    let span = captured.span("call_downstream");
    assert!(!span.fields.contains_key("trace_id"), "{span:?}");
    assert!(!span.fields.contains_key("span_id"), "{span:?}");
}

#[tracefault::trace]
async fn async_downstream() -> (SpanContext, HashMap<String, String>) {
    let before = tracefault::current().unwrap();
    tokio::task::yield_now().await;
    let mut headers = HashMap::new();
    tracefault::inject(&mut headers);
    assert_eq!(
        tracefault::current().unwrap(),
        before,
        "the context survives the await"
    );
    (before, headers)
}

#[tracefault::trace(remote = &headers)]
async fn async_handler(
    headers: HashMap<String, String>,
) -> Vec<(SpanContext, HashMap<String, String>)> {
    let awaited = async_downstream().await;
    let spawned = tokio::spawn(async_downstream().in_current_context())
        .await
        .unwrap();
    let detached = tokio::spawn(async_downstream()).await.unwrap();
    vec![awaited, spawned, detached]
}

#[test]
fn the_context_follows_awaits_and_spawns_with_in_current_context() {
    let headers: HashMap<String, String> = incoming()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let results = block_on(async_handler(headers));
    let [(awaited, headers), (spawned, _), (detached, _)] = &results[..] else {
        panic!()
    };
    assert_eq!(awaited.trace_id.to_string(), INCOMING_TRACE);
    assert!(headers["traceparent"].contains(&awaited.span_id.to_string()));
    assert_eq!(spawned.trace_id.to_string(), INCOMING_TRACE);
    assert_ne!(
        detached.trace_id.to_string(),
        INCOMING_TRACE,
        "a spawned future polled without its context starts a trace"
    );
    assert!(tracefault::current().is_none());
}

#[test]
fn baggage_set_in_a_function_travels_down_and_not_back_up() {
    #[tracefault::trace]
    fn tags_and_calls() -> Outgoing {
        tracefault::context::set_baggage("user", "alice").unwrap();
        call_downstream()
    }
    let outgoing = tags_and_calls();
    assert_eq!(outgoing.headers["baggage"], "user=alice");
    assert!(tracefault::context::baggage().is_empty());
}

#[tracefault::trace(remote = &headers)]
fn failing_handler(headers: Vec<(&'static str, String)>) -> Result<(), (SpanContext, Failure)> {
    Err((tracefault::current().unwrap(), Failure::new("no stock")))
}

#[test]
fn reports_name_the_trace_and_the_span_the_error_escaped() {
    let (result, captured) = capture(|| failing_handler(incoming()));
    let (handler, _) = result.unwrap_err();
    let report = captured.the_report();
    assert_eq!(report.field("trace_id"), INCOMING_TRACE);
    assert_eq!(report.field("span_id"), handler.span_id.to_string());
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains(&format!("Trace {INCOMING_TRACE}, span {}", handler.span_id)),
        "{stacktrace}"
    );
}

#[test]
fn http_header_maps_are_carriers_and_non_text_values_are_invalid() {
    use http::{HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        HeaderValue::from_str(&format!("00-{INCOMING_TRACE}-{INCOMING_PARENT}-01")).unwrap(),
    );
    headers.append("tracestate", HeaderValue::from_static("foo=1"));
    headers.append("tracestate", HeaderValue::from_static("bar=2"));
    let span = tracefault::extract(&headers).unwrap();
    assert_eq!(span.state.header().unwrap(), "foo=1,bar=2");

    headers.append("tracestate", HeaderValue::from_bytes(b"baz=\xff").unwrap());
    assert!(
        tracefault::extract(&headers).unwrap().state.is_empty(),
        "a non-text tracestate drops the list"
    );

    headers.insert("traceparent", HeaderValue::from_bytes(b"00-\xff").unwrap());
    assert!(
        tracefault::extract(&headers).is_none(),
        "a non-text traceparent is invalid"
    );

    let (_, outgoing) = handle(incoming());
    let mut out = HeaderMap::new();
    let context = tracefault::propagation::extract_context(&outgoing.headers);
    tracefault::propagation::inject_context(&context, &mut out);
    assert_eq!(out["traceparent"], outgoing.headers["traceparent"].as_str());
    assert_eq!(out["baggage"], "tenant=acme,region=eu%20west");
}

#[test]
fn header_maps_are_read_only_as_far_as_the_limits() {
    use http::{HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        HeaderValue::from_str(&format!("00-{INCOMING_TRACE}-{INCOMING_PARENT}-01")).unwrap(),
    );
    for _ in 0..10_000 {
        headers.append("tracestate", HeaderValue::from_static("k=v"));
        headers.append("baggage", HeaderValue::from_static("k=v"));
    }
    headers.append("baggage", HeaderValue::from_static("late=1"));
    let context = tracefault::propagation::extract_context(&headers);
    let span = context.span().expect("the traceparent is valid");
    assert_eq!(span.trace_id.to_string(), INCOMING_TRACE);
    assert!(span.state.is_empty(), "10000 members are more than 32");
    let keys: Vec<&str> = context.baggage().iter().map(|e| &*e.key).collect();
    assert_eq!(keys, ["k"], "read up to the limit, which `late` is past");

    // The bytes as received: a member that is not ASCII is malformed, the others are kept.
    let mut headers = HeaderMap::new();
    headers.append(
        "baggage",
        HeaderValue::from_bytes(b"name=caf\xc3\xa9,ok=1").unwrap(),
    );
    let baggage = tracefault::propagation::extract_baggage(&headers);
    let keys: Vec<&str> = baggage.iter().map(|e| &*e.key).collect();
    assert_eq!(keys, ["ok"]);
}
