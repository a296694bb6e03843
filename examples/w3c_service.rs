//! A service for the W3C Trace Context conformance suite (github.com/w3c/trace-context, folder
//! `test/`). The harness sends `POST /test` with a JSON array of `{"url": ..., "arguments":
//! ...}`; for each element, in order, the service POSTs `arguments` as JSON to `url`, in the
//! harness's trace, and then answers. The harness reads the `traceparent` and `tracestate` of
//! those callbacks.
//!
//! Run: `cargo run --example w3c-service -- --port 5000`, then, in the suite's `test/` folder,
//! `python test.py http://127.0.0.1:5000/test`. With `--port 0` the system picks a free port.
//! The first line on standard output is `listening on http://<address>/test`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use std::time::Duration;
use tracefault::integrations::{ReqwestExt, TraceContextLayer};

/// One instruction of the harness: POST `arguments` to `url`.
#[derive(Debug, Deserialize)]
struct Callback {
    url: String,
    #[serde(default)]
    arguments: serde_json::Value,
}

/// `POST /test`. `TraceContextLayer` has already made the harness's trace current (a new one
/// when its `traceparent` is invalid), so the callbacks below continue it.
async fn test(State(client): State<reqwest::Client>, body: Bytes) -> StatusCode {
    // The body, not `axum::Json`: the harness is not held to sending a content type.
    let Ok(callbacks) = serde_json::from_slice::<Vec<Callback>>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    for callback in &callbacks {
        if call_back(&client, callback).await.is_err() {
            // tracefault has printed the traceback: which callback, and why.
            return StatusCode::BAD_GATEWAY;
        }
    }
    StatusCode::OK
}

/// One callback, in a span of its own, so that each carries a parent id of its own.
#[tracefault::trace(fields(url = %callback.url))]
async fn call_back(client: &reqwest::Client, callback: &Callback) -> Result<(), reqwest::Error> {
    client
        .post(&callback.url)
        .json(&callback.arguments)
        .with_trace_context()
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// `--port N`, or the suite's usual 5000.
fn port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(5000),
        (Some("--port"), Some(port)) => port.parse().map_err(|_| format!("not a port: {port}")),
        _ => Err("usage: w3c-service [--port N]".to_owned()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let _guard = tracefault::init!()?;
    let port = port()?;
    let client = reqwest::Client::builder()
        // The harness names loopback addresses: a proxy from the environment must not see them.
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()?;
    let app = Router::new()
        .route("/test", post(test))
        .layer(TraceContextLayer::new())
        .with_state(client);
    // Loopback only: this service calls whatever URL it is sent.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/test", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
