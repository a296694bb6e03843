//! Plays the W3C Trace Context conformance harness against the `w3c-service` example: starts
//! it on a free loopback port, runs a recorder for its callbacks, and checks a handful of the
//! suite's cases on the callbacks' `traceparent` and `tracestate`.

mod support;

use support::example;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

const TRACE_ID: &str = "12345678901234567890123456789012";
const PARENT_ID: &str = "1234567890123456";
const PARENT: &str = "00-12345678901234567890123456789012-1234567890123456-01";

/// The example, running; killed when dropped, however the test ends.
struct Service {
    child: Child,
    url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service() -> Service {
    let mut child = Command::new(example("w3c-service"))
        .args(["--port", "0"])
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("TRACEFAULT_LOG_FORMAT", "pretty")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the w3c-service example was built");
    let stdout = child.stdout.take().unwrap();
    let (address, receive) = mpsc::channel();
    // Reads on after the first line, so that the service never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = address.send(url.to_owned());
            }
        }
    });
    let mut service = Service {
        child,
        url: String::new(),
    };
    service.url = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("the service printed its address");
    assert!(
        service.url.starts_with("http://127.0.0.1:"),
        "{}",
        service.url
    );
    service
}

/// The headers of each callback the service made, by `<scope>.<index>`, lowercase names.
type Recorded = Arc<Mutex<HashMap<String, Vec<(String, String)>>>>;

async fn record(
    State(recorded): State<Recorded>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> &'static str {
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    recorded.lock().unwrap().insert(id, headers);
    "null"
}

/// The harness's side: the recorder's address, what it recorded, and a client.
struct Harness {
    service: Service,
    recorder: String,
    recorded: Recorded,
    client: reqwest::Client,
    scopes: usize,
}

impl Harness {
    async fn start() -> Harness {
        let recorded = Recorded::default();
        let app = axum::Router::new()
            .route("/callback/{id}", axum::routing::post(record))
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let recorder = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Harness {
            service: start_service(),
            recorder,
            recorded,
            client: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            scopes: 0,
        }
    }

    /// Sends the service `headers` and `count` callbacks to make; returns each callback's
    /// headers, in order.
    async fn make_request(
        &mut self,
        headers: &[(&str, &str)],
        count: usize,
    ) -> Vec<Vec<(String, String)>> {
        self.scopes += 1;
        let scope = self.scopes;
        let callbacks: Vec<serde_json::Value> = (0..count)
            .map(|index| {
                serde_json::json!({
                    "url": format!("{}/callback/{scope}.{index}", self.recorder),
                    "arguments": [],
                })
            })
            .collect();
        let mut request = self.client.post(&self.service.url).json(&callbacks);
        for (name, value) in headers {
            // `header` appends: two `traceparent`s stay two.
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{headers:?}");
        let mut recorded = self.recorded.lock().unwrap();
        (0..count)
            .map(|index| {
                recorded
                    .remove(&format!("{scope}.{index}"))
                    .unwrap_or_else(|| panic!("callback {index} was made for {headers:?}"))
            })
            .collect()
    }

    /// One callback's `(traceparent, tracestate)`, the latter `None` when not sent.
    async fn trace_context(&mut self, headers: &[(&str, &str)]) -> (TraceParent, Option<String>) {
        let callback = self.make_request(headers, 1).await.remove(0);
        trace_context(&callback)
    }
}

/// A `traceparent` as the harness reads it, checked without tracefault's parser.
#[derive(Debug)]
struct TraceParent {
    trace_id: String,
    parent_id: String,
    flags: String,
}

fn trace_context(headers: &[(String, String)]) -> (TraceParent, Option<String>) {
    let values = |wanted: &str| -> Vec<&str> {
        headers
            .iter()
            .filter(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
            .collect()
    };
    let traceparent = values("traceparent");
    assert_eq!(traceparent.len(), 1, "one traceparent in {headers:?}");
    let fields: Vec<&str> = traceparent[0].split('-').collect();
    let lengths: Vec<usize> = fields.iter().map(|field| field.len()).collect();
    assert_eq!(lengths, [2, 32, 16, 2], "{traceparent:?}");
    assert_eq!(fields[0], "00", "{traceparent:?}");
    assert!(
        fields.iter().all(|field| field
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))),
        "lowercase hex: {traceparent:?}"
    );
    assert_ne!(fields[1], "0".repeat(32), "{traceparent:?}");
    assert_ne!(fields[2], "0".repeat(16), "{traceparent:?}");
    let tracestate = values("tracestate");
    assert!(tracestate.len() <= 1, "{headers:?}");
    let parent = TraceParent {
        trace_id: fields[1].to_owned(),
        parent_id: fields[2].to_owned(),
        flags: fields[3].to_owned(),
    };
    (parent, tracestate.first().map(|value| value.to_string()))
}

fn members(count: usize) -> String {
    (0..count)
        .map(|index| format!("k{index}=v"))
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_w3c_service_passes_the_harness_cases() {
    tokio::time::timeout(Duration::from_secs(120), harness_cases())
        .await
        .expect("the harness cases finished in time");
}

async fn harness_cases() {
    let mut harness = Harness::start().await;

    // The trace id is inherited, each callback has a parent id of its own, and tracestate
    // passes on in order.
    let callbacks = harness
        .make_request(&[("traceparent", PARENT), ("tracestate", "foo=1,bar=2")], 3)
        .await;
    let mut parent_ids = Vec::new();
    for callback in &callbacks {
        let (parent, state) = trace_context(callback);
        assert_eq!(parent.trace_id, TRACE_ID);
        assert_ne!(parent.parent_id, PARENT_ID);
        assert_eq!(parent.flags, "01");
        assert_eq!(state.as_deref(), Some("foo=1,bar=2"));
        parent_ids.push(parent.parent_id);
    }
    parent_ids.sort();
    parent_ids.dedup();
    assert_eq!(parent_ids.len(), 3, "{callbacks:?}");

    // The header name is matched without regard to case; several tracestates are one list.
    let (parent, state) = harness
        .trace_context(&[
            ("TrAcEpArEnT", PARENT),
            ("tracestate", "foo=1,bar=2"),
            ("tracestate", "rojo=1,congo=2"),
        ])
        .await;
    assert_eq!(parent.trace_id, TRACE_ID);
    assert_eq!(state.as_deref(), Some("foo=1,bar=2,rojo=1,congo=2"));

    // Without a traceparent the service starts a trace: random in all its bytes, as Level 2
    // flags, and tracestate alone is not kept.
    let (first, state) = harness.trace_context(&[("tracestate", "foo=1")]).await;
    let (second, _) = harness.trace_context(&[]).await;
    assert_ne!(first.trace_id, second.trace_id);
    assert_eq!(first.flags, "03");
    assert_eq!(state, None);

    // An invalid traceparent starts a new trace and drops tracestate.
    let invalid = [
        vec![(
            "traceparent",
            "00-00000000000000000000000000000000-1234567890123456-01",
        )],
        vec![(
            "traceparent",
            "00-ABCDEF78901234567890123456789012-1234567890123456-01",
        )],
        vec![(
            "traceparent",
            "ff-12345678901234567890123456789012-1234567890123456-01",
        )],
        vec![(
            "traceparent",
            "00-12345678901234567890123456789012-1234567890123456-01.",
        )],
        vec![
            (
                "traceparent",
                "00-12345678901234567890123456789011-1234567890123456-01",
            ),
            ("traceparent", PARENT),
        ],
    ];
    for mut headers in invalid {
        headers.push(("tracestate", "foo=1"));
        let (parent, state) = harness.trace_context(&headers).await;
        assert_ne!(parent.trace_id, TRACE_ID, "{headers:?}");
        assert_ne!(
            parent.trace_id, "12345678901234567890123456789011",
            "{headers:?}"
        );
        assert_ne!(
            parent.trace_id, "abcdef78901234567890123456789012",
            "{headers:?}"
        );
        assert_eq!(state, None, "{headers:?}");
    }

    // A tracestate of 32 members passes; 33 members or a duplicated key drop it, and the
    // trace goes on.
    let limit = members(32);
    let (parent, state) = harness
        .trace_context(&[("traceparent", PARENT), ("tracestate", &limit)])
        .await;
    assert_eq!(parent.trace_id, TRACE_ID);
    assert_eq!(state.as_deref(), Some(limit.as_str()));
    let over = members(33);
    for tracestate in [
        vec![over.as_str()],
        vec!["foo=1,foo=2"],
        vec!["foo=1", "foo=1"],
    ] {
        let mut headers = vec![("traceparent", PARENT)];
        headers.extend(tracestate.iter().map(|value| ("tracestate", *value)));
        let (parent, state) = harness.trace_context(&headers).await;
        assert_eq!(parent.trace_id, TRACE_ID, "{headers:?}");
        assert_eq!(state, None, "{headers:?}");
    }
}
