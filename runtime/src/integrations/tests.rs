//! Server and client together on loopback: a reqwest call made in one context is handled by
//! an axum router behind [`TraceContextLayer`] in the same trace.
//!
//! The only test in this binary that changes `set_traceresponse`: the switch is process-wide,
//! and tests run in parallel.

use super::{traceresponse, ReqwestExt, TraceContextLayer};
use crate::context::{Context, Role, Scope};
use crate::propagation::{extract_context, set_traceresponse, TraceResponse};
use std::time::Duration;

const PARENT: &str = "00-12345678901234567890123456789012-1234567890123456-01";

/// What the handler saw: `trace_id span_id tracestate baggage`, the same after an `.await`.
async fn handler() -> String {
    let seen = || {
        let span = crate::current().expect("the layer makes a span current");
        format!(
            "{} {} {} {}",
            span.trace_id,
            span.span_id,
            span.state,
            crate::context::baggage().header().unwrap_or_default()
        )
    };
    let before = seen();
    tokio::task::yield_now().await;
    assert_eq!(
        seen(),
        before,
        "the context follows the handler across .await"
    );
    before
}

/// A running server; aborted when dropped, so a failed assertion does not leave it behind.
struct Server(tokio::task::JoinHandle<()>, String);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve() -> Server {
    let app = axum::Router::new()
        .route("/", axum::routing::get(handler))
        .layer(TraceContextLayer::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server(task, url)
}

/// Sends a request built while `context` is current (with none, a request without context),
/// and returns the server's `traceresponse` and what the handler saw, split in its fields.
async fn call(
    client: &reqwest::Client,
    url: &str,
    context: Option<&Context>,
) -> (Option<TraceResponse>, Vec<String>) {
    let request = match context {
        Some(context) => {
            let scope = Scope::of_context(context.clone(), Role::Context);
            let _current = scope.enter();
            client.get(url).with_trace_context()
        }
        None => client.get(url),
    };
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{response:?}");
    let callee = traceresponse(&response);
    let body = response.text().await.unwrap();
    (callee, body.split(' ').map(str::to_owned).collect())
}

#[tokio::test]
async fn a_call_continues_the_callers_trace_and_traceresponse_is_opt_in() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let server = serve().await;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        // The caller: a span of its own under a remote parent, with state and baggage.
        let remote = extract_context(
            &[
                ("traceparent", PARENT),
                ("tracestate", "foo=1,bar=2"),
                ("baggage", "tenant=a"),
            ][..],
        );
        let caller = Context::child(&remote);
        let caller_span = caller.span().unwrap().clone();

        let (callee, seen) = call(&client, &server.1, Some(&caller)).await;
        assert_eq!(seen[0], "12345678901234567890123456789012", "{seen:?}");
        assert_ne!(seen[1], caller_span.span_id.to_string(), "{seen:?}");
        assert_ne!(seen[1], "1234567890123456", "{seen:?}");
        assert_eq!(seen[2], "foo=1,bar=2", "{seen:?}");
        assert_eq!(seen[3], "tenant=a", "{seen:?}");
        assert!(callee.is_none(), "off by default");

        set_traceresponse(true);
        let (callee, seen) = call(&client, &server.1, Some(&caller)).await;
        let (fresh, unrelated) = call(&client, &server.1, None).await;
        set_traceresponse(false);
        let callee = callee.expect("opted in");
        assert_eq!(callee.trace_id, caller_span.trace_id);
        assert_eq!(
            callee.child_id.to_string(),
            seen[1],
            "the server span is named"
        );
        assert!(callee.flags.is_sampled());
        // Without a traceparent the server starts a trace, and names its span in that one.
        let fresh = fresh.expect("opted in");
        assert_ne!(fresh.trace_id, caller_span.trace_id);
        assert_eq!(fresh.trace_id.to_string(), unrelated[0]);
        assert_eq!(fresh.child_id.to_string(), unrelated[1]);
        assert!(fresh.flags.is_random());

        let (callee, _) = call(&client, &server.1, Some(&caller)).await;
        assert!(callee.is_none(), "off again");
    })
    .await
    .expect("the loopback exchange finished in time");
}

/// `send_traced()` sends a client span of its own: a new span id under the current one, in the
/// same trace, with its baggage.
#[tokio::test]
async fn send_traced_sends_a_client_span_under_the_current_one() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let server = echo_traceparent().await;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let remote = extract_context(&[("traceparent", PARENT), ("baggage", "tenant=a")][..]);
        let caller = Context::child(&remote);
        let caller_span = caller.span().unwrap().clone();
        let sent = {
            let scope = Scope::of_context(caller.clone(), Role::Context);
            let _current = scope.enter();
            client.get(&server.1).send_traced()
        };
        let seen = sent.await.unwrap().text().await.unwrap();
        let fields: Vec<&str> = seen.split(' ').collect();
        let traceparent: Vec<&str> = fields[0].split('-').collect();
        assert_eq!(traceparent[1], caller_span.trace_id.to_string(), "{seen}");
        assert_ne!(traceparent[2], caller_span.span_id.to_string(), "{seen}");
        assert_ne!(traceparent[2], "1234567890123456", "{seen}");
        assert_eq!(fields[1], "tenant=a", "{seen}");
    })
    .await
    .expect("the loopback exchange finished in time");
}

/// A server, without the layer, that answers with the `traceparent` and `baggage` it got.
async fn echo_traceparent() -> Server {
    async fn echo(headers: http::HeaderMap) -> String {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        format!("{} {}", get("traceparent"), get("baggage"))
    }
    let app = axum::Router::new().route("/", axum::routing::get(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server(task, url)
}
