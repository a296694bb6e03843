//! A readable report's first line, as an operator reads it among the service's other lines:
//! the time first, as on every line, the request the server was answering, and the server
//! span's id, by which a caller's report names this service's part.

use axum::routing::get;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracefault::integrations::TraceContextLayer;
use tracefault::{EscapedFields, EventFormat, LogFormat};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tracefault::trace]
fn price(sku: u32) -> Result<u32, std::num::ParseIntError> {
    format!("{sku}x").parse()
}

async fn handler(axum::extract::Path(sku): axum::extract::Path<u32>) -> String {
    format!("{:?}", price(sku))
}

/// Whether `text` starts with an RFC 3339 time in UTC: `2026-12-07T05:44:13.123456Z`.
fn starts_with_a_time(text: &str) -> bool {
    let Some((time, _)) = text.split_once(' ') else {
        return false;
    };
    time.len() >= 20
        && time.as_bytes()[4] == b'-'
        && time.as_bytes()[10] == b'T'
        && time.ends_with('Z')
}

#[tokio::test]
async fn the_first_line_has_the_time_and_the_request() {
    let pretty = Buffer::default();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .fmt_fields(EscapedFields)
            .event_format(EventFormat::new(LogFormat::Pretty))
            .with_ansi(false)
            .with_writer({
                let pretty = pretty.clone();
                move || pretty.clone()
            }),
    );
    // The test's runtime has one thread: the server's tasks run under this subscriber.
    let _default = tracing::subscriber::set_default(subscriber);
    let app = axum::Router::new()
        .route("/price/{sku}", get(handler))
        .layer(TraceContextLayer::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/price/42", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let answer = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(answer.starts_with("Err("), "{answer}");
    server.abort();

    let text = String::from_utf8(pretty.0.lock().unwrap().clone()).unwrap();
    let first = text
        .lines()
        .find(|line| line.contains("error escaped pretty_report::price"))
        .unwrap_or_else(|| panic!("no report in:\n{text}"));
    assert!(starts_with_a_time(first), "{first}");
    assert!(first.contains(" ERROR "), "{first}");
    assert!(
        first.contains("error escaped pretty_report::price in GET /price/42 trace_id="),
        "{first}"
    );
    // The server span's id, which a caller's report names this service's part by.
    let server_span = first
        .split_once(" server_span_id=")
        .unwrap_or_else(|| panic!("no server span id in {first}"))
        .1;
    assert_eq!(server_span.len(), 16, "{first}");
    assert!(
        server_span.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first}"
    );
}
