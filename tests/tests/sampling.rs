//! The sampler decides the `sampled` flag where a span's context is made, so what goes on the
//! wire and what is exported agree; an unsampled trace still propagates.
//!
//! One test: the sampler is process-wide.

use std::collections::HashMap;
use tracefault::export::{set_sampler, RootSampler, Sampler};

#[tracefault::trace]
fn outgoing_flags() -> String {
    let mut headers = HashMap::new();
    tracefault::inject(&mut headers);
    headers["traceparent"][53..].to_owned()
}

#[tracefault::trace(remote = headers.as_slice())]
fn handle(headers: Vec<(&'static str, String)>) -> String {
    outgoing_flags()
}

fn from_caller(flags: &str) -> String {
    let traceparent = format!("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-{flags}");
    handle(vec![("traceparent", traceparent)])
}

#[test]
fn samplers_decide_the_flag_that_propagates() {
    // The default: parent-based, sampling every new trace.
    assert_eq!(outgoing_flags(), "03", "a root is sampled, its id random");
    assert_eq!(from_caller("01"), "01");
    assert_eq!(
        from_caller("00"),
        "00",
        "an unsampled caller's choice is kept"
    );

    set_sampler(Sampler::AlwaysOff);
    assert_eq!(outgoing_flags(), "02");
    assert_eq!(
        from_caller("01"),
        "00",
        "not parent-based: the caller's flag is overridden"
    );

    set_sampler(Sampler::ParentBased(RootSampler::AlwaysOff));
    assert_eq!(outgoing_flags(), "02");
    assert_eq!(from_caller("01"), "01");

    set_sampler(Sampler::TraceIdRatio(0.0));
    assert_eq!(outgoing_flags(), "02");
    set_sampler(Sampler::TraceIdRatio(1.0));
    assert_eq!(outgoing_flags(), "03");

    // About half of many random trace ids fall under a ratio of one half.
    set_sampler(Sampler::TraceIdRatio(0.5));
    let sampled = (0..2000).filter(|_| outgoing_flags() == "03").count();
    assert!((800..1200).contains(&sampled), "{sampled} of 2000");

    set_sampler(Sampler::default());
}
