//! Errors across services as data: Problem Details with RFC 9457's members, what each exposure
//! lets out, round trips from a server's error to a client's `RemoteError`, and answers that
//! are not what they should be.

use axum::extract::Path;
use axum::routing::get;
use proptest::prelude::*;
use std::error::Error;
use std::fmt;
use std::time::Duration;
use tracefault::integrations::{ProblemLayer, ReqwestExt, ResponseExt, TraceContextLayer};
use tracefault::remote::{Exposure, Problem, RemoteError};

/// An error with a chain of causes below it.
#[derive(Debug)]
struct Chain {
    message: String,
    source: Option<Box<Chain>>,
}

impl Chain {
    fn of(messages: &[String]) -> Chain {
        let mut messages = messages.iter().rev();
        let innermost = Chain {
            message: messages.next().cloned().unwrap_or_default(),
            source: None,
        };
        messages.fold(innermost, |below, message| Chain {
            message: message.clone(),
            source: Some(Box::new(below)),
        })
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Chain {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

fn messages() -> Vec<String> {
    [
        "the order could not be placed",
        "the stock could not be read",
        "connection refused",
    ]
    .map(String::from)
    .to_vec()
}

fn json(problem: &Problem) -> serde_json::Value {
    serde_json::from_str(&problem.to_json()).expect("Problem Details are JSON")
}

#[test]
fn problem_details_have_rfc_9457s_members_with_their_types() {
    for exposure in [Exposure::Trace, Exposure::Chain, Exposure::Frames] {
        let problem = Problem::from_error(503, &Chain::of(&messages()))
            .exposure(exposure)
            .with_instance("/orders/42");
        let body = json(&problem);
        let object = body.as_object().unwrap();
        assert!(object["type"].is_string(), "{body}");
        assert_eq!(object["type"], "about:blank");
        assert_eq!(object["title"], "Service Unavailable");
        assert_eq!(
            object["status"], 503,
            "`status` is the answer's status, a number"
        );
        for member in ["detail", "instance"] {
            match exposure {
                Exposure::Trace => assert!(!object.contains_key(member), "{member} in {body}"),
                _ => assert!(object[member].is_string(), "{member} in {body}"),
            }
        }
        if exposure == Exposure::Trace {
            assert!(
                !object.contains_key("exception"),
                "nothing of the error: {body}"
            );
        } else {
            assert_eq!(object["exception"]["type"], "remote::Chain");
            assert_eq!(object["exception"]["causes"].as_array().unwrap().len(), 2);
        }
    }
    assert_eq!(Problem::CONTENT_TYPE, "application/problem+json");
}

proptest! {
    #[test]
    fn a_chain_crosses_the_wire_whole(
        messages in prop::collection::vec("\\PC{0,40}|[\\x00-\\x1f\\u{9b}<>\"'\\\\]{0,10}", 1..8),
        status in 400u16..600,
    ) {
        let error = Chain::of(&messages);
        let body = Problem::from_error(status, &error).exposure(Exposure::Chain).to_json();
        let remote = RemoteError::from_answer("orders", status, Some(Problem::CONTENT_TYPE), body.as_bytes());
        prop_assert_eq!(remote.status(), status);
        let chain: Vec<&str> = remote.chain().iter().map(|cause| cause.message()).collect();
        prop_assert_eq!(chain, messages.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(remote.chain()[0].type_name(), Some("remote::Chain"));
        let walked: Vec<String> = std::iter::successors(remote.source(), |&cause| cause.source())
            .map(ToString::to_string)
            .collect();
        prop_assert_eq!(walked, messages);
    }

    #[test]
    fn any_answer_gives_a_bounded_remote_error(body in prop::collection::vec(any::<u8>(), 0..4096), json in any::<bool>()) {
        let content_type = if json { Problem::CONTENT_TYPE } else { "text/html" };
        let remote = RemoteError::from_answer("edge", 502, Some(content_type), &body);
        prop_assert!(remote.detail().map_or(0, |detail| detail.chars().count()) <= 1024);
        prop_assert!(remote.chain().len() <= 33);
    }
}

#[test]
fn hostile_answers_give_their_text_cut_short_or_nothing() {
    let html = b"<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>";
    let remote = RemoteError::from_answer("proxy", 502, Some("text/html"), html);
    assert_eq!(remote.detail(), Some(std::str::from_utf8(html).unwrap()));
    assert!(remote.chain().is_empty());

    let huge = vec![b'x'; 10 << 20];
    let remote = RemoteError::from_answer("edge", 500, Some("text/plain"), &huge);
    assert_eq!(remote.detail().unwrap().len(), 1024);

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let remote =
        RemoteError::from_answer("edge", 500, Some(Problem::CONTENT_TYPE), deep.as_bytes());
    assert!(
        remote.chain().is_empty(),
        "too deep for a problem: kept as text"
    );

    let wrong_types = br#"{"status":"500","title":7,"detail":["x"],"span_id":12,"exception":{"type":1,"message":"kept","causes":{"a":1},"frames":"x"}}"#;
    let remote = RemoteError::from_answer("edge", 500, Some(Problem::CONTENT_TYPE), wrong_types);
    assert_eq!(remote.status(), 500);
    assert_eq!(remote.detail(), None);
    assert_eq!(remote.span_id(), None);
    assert_eq!(remote.chain().len(), 1);
    assert_eq!(remote.chain()[0].message(), "kept");
    assert_eq!(remote.chain()[0].type_name(), None);

    let invalid_utf8 = [0xff, 0xfe, b'o', b'k'];
    let remote = RemoteError::from_answer("edge", 500, None, &invalid_utf8);
    assert_eq!(remote.detail(), Some("\u{fffd}\u{fffd}ok"));

    let remote = RemoteError::from_answer("edge", 503, None, b"");
    assert_eq!(remote.to_string(), "edge answered 503 Service Unavailable");
}

#[tracefault::trace]
fn read_stock(sku: u32) -> Result<u32, Chain> {
    Err(Chain::of(&[
        format!("sku {sku}: the stock could not be read"),
        "connection refused".into(),
    ]))
}

async fn stock(Path(sku): Path<u32>) -> Result<String, Problem> {
    read_stock(sku)
        .map(|units| units.to_string())
        .map_err(|error| Problem::from_error(500, &error))
}

async fn bare_failure() -> axum::http::StatusCode {
    axum::http::StatusCode::SERVICE_UNAVAILABLE
}

/// A server on loopback whose answers expose `exposure`; its base URL.
async fn serve(exposure: Option<Exposure>) -> (tokio::task::JoinHandle<()>, String) {
    let mut layer = TraceContextLayer::new().service_name("stock");
    if let Some(exposure) = exposure {
        layer = layer.expose(exposure);
    }
    let app = axum::Router::new()
        .route("/stock/{sku}", get(stock))
        .route("/bare", get(bare_failure))
        .layer(ProblemLayer::new())
        .layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (task, url)
}

async fn call(url: &str) -> RemoteError {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = client.get(url).send_traced().await.unwrap();
    response.error_for_problem().await.unwrap_err()
}

#[tokio::test]
async fn each_exposure_lets_out_what_it_says_over_loopback() {
    tokio::time::timeout(Duration::from_secs(60), async {
        // The default: the status and the trace, nothing of the error.
        let (server, url) = serve(None).await;
        let remote = call(&format!("{url}/stock/42")).await;
        assert_eq!(remote.status(), 500);
        assert!(remote.trace_id().is_some());
        assert!(remote.chain().is_empty());
        assert_eq!(remote.detail(), Some("Internal Server Error"));
        assert!(!remote.to_string().contains("sku 42"), "{remote}");
        server.abort();

        let (server, url) = serve(Some(Exposure::Chain)).await;
        let remote = call(&format!("{url}/stock/42")).await;
        assert_eq!(remote.service(), "stock");
        assert!(remote.span_id().is_some(), "the server span, from the body");
        let chain: Vec<(Option<&str>, &str)> = remote
            .chain()
            .iter()
            .map(|cause| (cause.type_name(), cause.message()))
            .collect();
        assert_eq!(
            chain,
            [
                (Some("remote::Chain"), "sku 42: the stock could not be read"),
                (None, "connection refused"),
            ]
        );
        assert!(remote.chain().iter().all(|cause| cause.frames().is_empty()));
        assert_eq!(remote.chain()[0].origin().method.as_deref(), Some("GET"));
        assert_eq!(
            remote.chain()[0].origin().path.as_deref(),
            Some("/stock/42")
        );
        server.abort();

        let (server, url) = serve(Some(Exposure::Frames)).await;
        let remote = call(&format!("{url}/stock/42")).await;
        let frames: Vec<&str> = remote.chain()[0]
            .frames()
            .iter()
            .map(|frame| frame.function.as_str())
            .collect();
        assert!(frames.contains(&"remote::read_stock"), "{frames:?}");
        // A failure without a body of its own gets one.
        let remote = call(&format!("{url}/bare")).await;
        assert_eq!(remote.status(), 503);
        assert!(remote.trace_id().is_some());
        server.abort();
    })
    .await
    .expect("the loopback exchanges finished in time");
}

/// The same exchange with reqwest 0.12's types (feature `reqwest-0-12`), through the same
/// traits.
#[tokio::test]
async fn reqwest_0_12_sends_traced_and_reads_problems_too() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let (server, url) = serve(Some(Exposure::Chain)).await;
        let client = reqwest_0_12::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let response = client
            .get(format!("{url}/stock/42"))
            .with_trace_context()
            .send_traced()
            .await
            .unwrap();
        assert!(tracefault::integrations::traceresponse(&response).is_none());
        let remote = response.error_for_problem().await.unwrap_err();
        assert_eq!(remote.status(), 500);
        assert_eq!(remote.service(), "stock");
        assert_eq!(
            remote.chain()[0].message(),
            "sku 42: the stock could not be read"
        );
        assert_eq!(remote.chain()[0].origin().method.as_deref(), Some("GET"));
        let answer: reqwest_0_12::Response = client
            .get(format!("{url}/stock/42"))
            .send_traced()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 500);
        server.abort();
    })
    .await
    .expect("the loopback exchange finished in time");
}

#[tokio::test]
async fn a_huge_answer_is_read_only_as_far_as_the_bound() {
    async fn huge() -> (axum::http::StatusCode, String) {
        (axum::http::StatusCode::BAD_GATEWAY, "x".repeat(10 << 20))
    }
    tokio::time::timeout(Duration::from_secs(60), async {
        let app = axum::Router::new().route("/", get(huge));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let remote = call(&url).await;
        assert_eq!(remote.status(), 502);
        assert_eq!(remote.detail().unwrap().len(), 1024);
        server.abort();
    })
    .await
    .expect("the loopback exchange finished in time");
}

#[test]
fn anyhow_and_eyre_errors_are_taken_as_they_are() {
    use anyhow::Context as _;
    let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "prices.json not found");
    let anyhow_error = Err::<(), _>(io())
        .context("loading the price table")
        .unwrap_err();
    let eyre_error = eyre::Report::new(io()).wrap_err("loading the price table");
    let boxed: Box<dyn Error + Send + Sync> = Box::new(io());
    let local: Box<dyn Error> = Box::new(io());
    for (problem, type_name, chain) in [
        (
            Problem::from_error(502, &anyhow_error),
            "anyhow::Error",
            &["loading the price table", "prices.json not found"][..],
        ),
        (
            Problem::from_error(502, &eyre_error),
            "eyre::Report",
            &["loading the price table", "prices.json not found"][..],
        ),
        // A well-known type behind the pointer is named, not the pointer.
        (
            Problem::from_error(502, &boxed),
            "std::io::Error",
            &["prices.json not found"][..],
        ),
        (
            Problem::from_error(502, &local),
            "std::io::Error",
            &["prices.json not found"][..],
        ),
        (
            Problem::from_error(502, &*boxed),
            "std::io::Error",
            &["prices.json not found"][..],
        ),
    ] {
        let body = problem.exposure(Exposure::Chain).to_json();
        let remote =
            RemoteError::from_answer("pricing", 502, Some(Problem::CONTENT_TYPE), body.as_bytes());
        let messages: Vec<&str> = remote.chain().iter().map(|cause| cause.message()).collect();
        assert_eq!(messages, chain, "{body}");
        assert_eq!(remote.chain()[0].type_name(), Some(type_name), "{body}");
    }
}
