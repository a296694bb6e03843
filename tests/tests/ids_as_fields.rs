//! With `Config::ids_as_fields(true)`, every span carries its W3C ids as fields, for
//! subscribers other than tracefault's: the ids `inject` puts on the wire.

mod support;

use std::collections::HashMap;
use support::capture;

#[tracefault::trace]
fn call_downstream() -> HashMap<String, String> {
    let mut headers = HashMap::new();
    tracefault::inject(&mut headers);
    headers
}

#[tracefault::trace]
async fn call_downstream_later() -> HashMap<String, String> {
    tokio::task::yield_now().await;
    call_downstream()
}

#[test]
fn span_fields_carry_the_same_ids_as_the_wire() {
    tracefault::Config::new().ids_as_fields(true).apply();
    let (outgoing, captured) = capture(call_downstream);
    let span = captured.span("call_downstream");
    let traceparent: Vec<&str> = outgoing["traceparent"].split('-').collect();
    assert_eq!(span.fields["trace_id"], traceparent[1]);
    assert_eq!(span.fields["span_id"], traceparent[2]);

    let (outgoing, captured) = support::capture_async(call_downstream_later());
    let outer = captured.span("call_downstream_later");
    let inner = captured.span("call_downstream");
    let traceparent: Vec<&str> = outgoing["traceparent"].split('-').collect();
    assert_eq!(outer.fields["trace_id"], traceparent[1]);
    assert_eq!(inner.fields["span_id"], traceparent[2]);
    assert_ne!(outer.fields["span_id"], inner.fields["span_id"]);
}
