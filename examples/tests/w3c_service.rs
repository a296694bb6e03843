//! Plays the W3C Trace Context conformance harness against the `w3c-service` example: starts
//! it on a free loopback port, runs a recorder for its callbacks, and checks the callbacks'
//! `traceparent` and `tracestate` against every request of the suite (`test/test.py` of
//! w3c/trace-context, Level 2 with strict checks), each named by the suite's test it comes
//! from; our own cases, not the suite's code.

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

/// The members of a `tracestate` as the harness reads them: split at commas and at the first
/// `=`, without tracefault's parser.
fn state_members(state: Option<&str>) -> Vec<(String, String)> {
    state
        .into_iter()
        .flat_map(|state| state.split(','))
        .filter_map(|member| member.trim_matches([' ', '\t']).split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// What the suite expects of a callback's `traceparent`.
#[derive(Debug)]
enum Parent {
    /// The harness's trace goes on: its trace id, a parent id of the service's own.
    Continued,
    /// A new trace, which shares no trace id with what the harness sent.
    Restarted,
    /// Only a valid `traceparent`.
    Valid,
}

/// What the suite expects of a callback's `tracestate`.
#[derive(Debug)]
enum Tracestate {
    /// These members, with these values, in this order.
    Inherited(Vec<(String, String)>),
    /// Exactly these members.
    Exactly(Vec<(String, String)>),
    /// None of these keys (the list dropped, or the member alone).
    Without(Vec<String>),
    /// At least one of these members (of a duplicated key, either may be kept).
    OneOf(Vec<(String, String)>),
    /// No `tracestate` header at all: an empty one is never sent.
    Absent,
}

/// One request of the W3C suite (`test/test.py`, Trace Context Level 2, strict), with the
/// name of the suite's test it comes from.
#[derive(Debug)]
struct Case {
    test: &'static str,
    headers: Vec<(&'static str, String)>,
    parent: Parent,
    state: Tracestate,
}

fn case(
    test: &'static str,
    headers: &[(&'static str, &str)],
    parent: Parent,
    state: Tracestate,
) -> Case {
    Case {
        test,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, value.to_string()))
            .collect(),
        parent,
        state,
    }
}

fn members_of(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

fn inherited(pairs: &[(&str, &str)]) -> Tracestate {
    Tracestate::Inherited(members_of(pairs))
}

fn without(keys: &[&str]) -> Tracestate {
    Tracestate::Without(keys.iter().map(|key| key.to_string()).collect())
}

/// `bar01=01,...` from `first` to `last`.
fn bars(first: usize, last: usize) -> String {
    (first..=last)
        .map(|n| format!("bar{n:02}={n:02}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `traceparent` of the suite's usual trace, with `flags`.
const SAMPLED: &str = PARENT;
const UNSAMPLED: &str = "00-12345678901234567890123456789012-1234567890123456-00";

/// The suite's requests with one callback each, in its order.
fn suite_cases() -> Vec<Case> {
    use Parent::{Continued, Restarted, Valid};
    let restart = |test, traceparent: &str| {
        case(
            test,
            &[("traceparent", traceparent), ("tracestate", "foo=1")],
            Restarted,
            Tracestate::Absent,
        )
    };
    let with_state = |test, states: &[&str], state| {
        let mut headers = vec![("traceparent", UNSAMPLED.to_owned())];
        headers.extend(states.iter().map(|value| ("tracestate", value.to_string())));
        Case {
            test,
            headers,
            parent: Continued,
            state,
        }
    };
    let lower_alphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    let key_with_vendor = format!("{lower_alphanumeric}@a-z0-9_-*/");
    let every_value_char: String = (0x20u8..=0x2b)
        .chain(0x2d..=0x3c)
        .chain(0x3e..=0x7e)
        .map(char::from)
        .collect();
    let foo_kept = || inherited(&[("foo", "1")]);
    let mut cases = vec![
        case("test_both_traceparent_and_tracestate_missing", &[], Valid, Tracestate::Absent),
        case("test_traceparent_included_tracestate_missing", &[("traceparent", SAMPLED)], Continued, Tracestate::Absent),
        case(
            "test_traceparent_duplicated",
            &[
                ("traceparent", "00-12345678901234567890123456789011-1234567890123456-01"),
                ("traceparent", SAMPLED),
            ],
            Restarted,
            Tracestate::Absent,
        ),
        case("test_traceparent_header_name", &[("trace-parent", SAMPLED)], Restarted, Tracestate::Absent),
        case("test_traceparent_header_name", &[("trace.parent", SAMPLED)], Restarted, Tracestate::Absent),
        case("test_traceparent_header_name_valid_casing", &[("TraceParent", SAMPLED)], Continued, Tracestate::Absent),
        case("test_traceparent_header_name_valid_casing", &[("TrAcEpArEnT", SAMPLED)], Continued, Tracestate::Absent),
        case("test_traceparent_header_name_valid_casing", &[("TRACEPARENT", SAMPLED)], Continued, Tracestate::Absent),
        restart("test_traceparent_version_0x00", "00-12345678901234567890123456789012-1234567890123456-01."),
        restart(
            "test_traceparent_version_0x00",
            "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        ),
        case(
            "test_traceparent_version_0xcc",
            &[("traceparent", "cc-12345678901234567890123456789012-1234567890123456-01")],
            Continued,
            Tracestate::Absent,
        ),
        case(
            "test_traceparent_version_0xcc",
            &[(
                "traceparent",
                "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
            )],
            Continued,
            Tracestate::Absent,
        ),
        restart(
            "test_traceparent_version_0xcc",
            "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
        ),
        restart("test_traceparent_version_0xff", "ff-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_version_illegal_characters", ".0-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_version_illegal_characters", "0.-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_version_too_long", "000-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_version_too_long", "0000-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_version_too_short", "0-12345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_trace_id_all_zero", "00-00000000000000000000000000000000-1234567890123456-01"),
        restart("test_traceparent_trace_id_illegal_characters", "00-.2345678901234567890123456789012-1234567890123456-01"),
        restart("test_traceparent_trace_id_illegal_characters", "00-1234567890123456789012345678901.-1234567890123456-01"),
        restart("test_traceparent_trace_id_too_long", "00-123456789012345678901234567890123-1234567890123456-01"),
        restart("test_traceparent_trace_id_too_short", "00-1234567890123456789012345678901-1234567890123456-01"),
        restart("test_traceparent_parent_id_all_zero", "00-12345678901234567890123456789012-0000000000000000-01"),
        restart("test_traceparent_parent_id_illegal_characters", "00-12345678901234567890123456789012-.234567890123456-01"),
        restart("test_traceparent_parent_id_illegal_characters", "00-12345678901234567890123456789012-123456789012345.-01"),
        restart("test_traceparent_parent_id_too_long", "00-12345678901234567890123456789012-12345678901234567-01"),
        restart("test_traceparent_parent_id_too_short", "00-12345678901234567890123456789012-123456789012345-01"),
        restart("test_traceparent_trace_flags_illegal_characters", "00-12345678901234567890123456789012-1234567890123456-.0"),
        restart("test_traceparent_trace_flags_illegal_characters", "00-12345678901234567890123456789012-1234567890123456-0."),
        restart("test_traceparent_trace_flags_too_long", "00-12345678901234567890123456789012-1234567890123456-001"),
        restart("test_traceparent_trace_flags_too_short", "00-12345678901234567890123456789012-1234567890123456-1"),
    ];
    for padded in [
        " 00-12345678901234567890123456789012-1234567890123456-01",
        "\t00-12345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456-01 ",
        "00-12345678901234567890123456789012-1234567890123456-01\t",
        "\t 00-12345678901234567890123456789012-1234567890123456-01 \t",
    ] {
        cases.push(case(
            "test_traceparent_ows_handling",
            &[("traceparent", padded)],
            Continued,
            Tracestate::Absent,
        ));
    }
    cases.extend([
        case(
            "test_tracestate_included_traceparent_missing",
            &[("tracestate", "foo=1")],
            Valid,
            Tracestate::Absent,
        ),
        case(
            "test_tracestate_included_traceparent_missing",
            &[("tracestate", "foo=1,bar=2")],
            Valid,
            Tracestate::Absent,
        ),
        with_state(
            "test_tracestate_included_traceparent_included",
            &["foo=1,bar=2"],
            inherited(&[("foo", "1"), ("bar", "2")]),
        ),
        case(
            "test_tracestate_header_name",
            &[("traceparent", UNSAMPLED), ("trace-state", "foo=1")],
            Continued,
            without(&["foo"]),
        ),
        case(
            "test_tracestate_header_name",
            &[("traceparent", UNSAMPLED), ("trace.state", "foo=1")],
            Continued,
            without(&["foo"]),
        ),
        case(
            "test_tracestate_header_name_valid_casing",
            &[("traceparent", UNSAMPLED), ("TraceState", "foo=1")],
            Continued,
            foo_kept(),
        ),
        case(
            "test_tracestate_header_name_valid_casing",
            &[("traceparent", UNSAMPLED), ("TrAcEsTaTe", "foo=1")],
            Continued,
            foo_kept(),
        ),
        case(
            "test_tracestate_header_name_valid_casing",
            &[("traceparent", UNSAMPLED), ("TRACESTATE", "foo=1")],
            Continued,
            foo_kept(),
        ),
        with_state("test_tracestate_empty_header", &[""], Tracestate::Absent),
        with_state("test_tracestate_empty_header", &["foo=1", ""], foo_kept()),
        with_state("test_tracestate_empty_header", &["", "foo=1"], foo_kept()),
        with_state(
            "test_tracestate_multiple_headers_different_keys",
            &["foo=1,bar=2", "rojo=1,congo=2", "baz=3"],
            inherited(&[
                ("foo", "1"),
                ("bar", "2"),
                ("rojo", "1"),
                ("congo", "2"),
                ("baz", "3"),
            ]),
        ),
        // Level 2: a duplicated key no longer drops the list; either member may stay.
        with_state(
            "test_tracestate_duplicated_keys",
            &["foo=1,foo=1"],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_duplicated_keys",
            &["foo=1,foo=2"],
            Tracestate::OneOf(members_of(&[("foo", "1"), ("foo", "2")])),
        ),
        with_state(
            "test_tracestate_duplicated_keys",
            &["foo=1", "foo=1"],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_duplicated_keys",
            &["foo=1", "foo=2"],
            Tracestate::OneOf(members_of(&[("foo", "1"), ("foo", "2")])),
        ),
        with_state(
            "test_tracestate_all_allowed_characters",
            &[&format!("{lower_alphanumeric}={every_value_char}")],
            Tracestate::Inherited(vec![(
                lower_alphanumeric.to_owned(),
                every_value_char.clone(),
            )]),
        ),
        with_state(
            "test_tracestate_all_allowed_characters",
            &[&format!("{key_with_vendor}={every_value_char}")],
            Tracestate::Inherited(vec![(key_with_vendor.clone(), every_value_char.clone())]),
        ),
        with_state(
            "test_tracestate_ows_handling",
            &["foo=1 \t , \t bar=2, \t baz=3"],
            inherited(&[("foo", "1"), ("bar", "2"), ("baz", "3")]),
        ),
        with_state(
            "test_tracestate_ows_handling",
            &["foo=1\t \t,\t \tbar=2,\t \tbaz=3"],
            inherited(&[("foo", "1"), ("bar", "2"), ("baz", "3")]),
        ),
    ]);
    for padded in [" foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t"] {
        cases.push(with_state(
            "test_tracestate_ows_handling",
            &[padded],
            foo_kept(),
        ));
    }
    cases.extend([
        with_state(
            "test_tracestate_key_illegal_characters",
            &["foo =1"],
            without(&["foo ", "foo"]),
        ),
        with_state(
            "test_tracestate_key_illegal_characters",
            &["FOO=1"],
            without(&["FOO"]),
        ),
        with_state(
            "test_tracestate_key_illegal_characters",
            &["foo.bar=1"],
            without(&["foo.bar"]),
        ),
        // Level 2: `@` is a key character anywhere but first; Level 1 dropped all but the second.
        with_state(
            "test_tracestate_key_illegal_vendor_format",
            &["foo@=1,bar=2"],
            inherited(&[("foo@", "1"), ("bar", "2")]),
        ),
        with_state(
            "test_tracestate_key_illegal_vendor_format",
            &["@foo=1,bar=2"],
            without(&["@foo", "bar"]),
        ),
        with_state(
            "test_tracestate_key_illegal_vendor_format",
            &["foo@@bar=1,bar=2"],
            inherited(&[("foo@@bar", "1"), ("bar", "2")]),
        ),
        with_state(
            "test_tracestate_key_illegal_vendor_format",
            &["foo@bar@baz=1,bar=2"],
            inherited(&[("foo@bar@baz", "1"), ("bar", "2")]),
        ),
        with_state(
            "test_tracestate_member_count_limit",
            &[&bars(1, 10), &bars(11, 20), &bars(21, 30), &bars(31, 32)],
            Tracestate::Exactly(state_members(Some(&bars(1, 32)))),
        ),
        with_state(
            "test_tracestate_member_count_limit",
            &[&bars(1, 10), &bars(11, 20), &bars(21, 30), &bars(31, 33)],
            without(&["bar01"]),
        ),
        // Level 2 limits the whole key to 256 characters, wherever its `@`; Level 1 also limited
        // the parts around it to 241 and 14, and dropped the list for the last two.
        with_state(
            "test_tracestate_key_length_limit",
            &["foo=1", &format!("{}=1", "z".repeat(256))],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_key_length_limit",
            &["foo=1", &format!("{}=1", "z".repeat(257))],
            without(&["foo"]),
        ),
        with_state(
            "test_tracestate_key_length_limit",
            &[
                "foo=1",
                &format!("{}@{}=1", "t".repeat(241), "v".repeat(14)),
            ],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_key_length_limit",
            &["foo=1", &format!("{}@v=1", "t".repeat(242))],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_key_length_limit",
            &["foo=1", &format!("t@{}=1", "v".repeat(15))],
            foo_kept(),
        ),
        with_state(
            "test_tracestate_value_illegal_characters",
            &["foo=bar=baz"],
            without(&["foo"]),
        ),
        with_state(
            "test_tracestate_value_illegal_characters",
            &["foo=,bar=3"],
            without(&["foo", "bar"]),
        ),
    ]);
    cases
}

/// What is wrong with `callback` for `case`, if anything.
fn mismatch(case: &Case, callback: &[(String, String)]) -> Option<String> {
    let (parent, state) = trace_context(callback);
    let sent_parents: Vec<&str> = case
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("traceparent"))
        .map(|(_, value)| value.as_str())
        .collect();
    let parent_ok = match case.parent {
        Parent::Continued => parent.trace_id == TRACE_ID && parent.parent_id != PARENT_ID,
        Parent::Restarted => {
            parent.trace_id != TRACE_ID
                && sent_parents
                    .iter()
                    .all(|sent| !sent.contains(parent.trace_id.as_str()))
        }
        Parent::Valid => true,
    };
    let members = state_members(state.as_deref());
    let has = |key: &str, value: &str| members.iter().any(|(k, v)| k == key && v == value);
    let state_ok = match &case.state {
        Tracestate::Inherited(expected) => {
            let positions: Vec<Option<usize>> = expected
                .iter()
                .map(|(key, value)| members.iter().position(|(k, v)| k == key && v == value))
                .collect();
            positions.iter().all(Option::is_some)
                && positions.windows(2).all(|pair| pair[0] < pair[1])
        }
        Tracestate::Exactly(expected) => &members == expected,
        Tracestate::Without(keys) => keys.iter().all(|key| members.iter().all(|(k, _)| k != key)),
        Tracestate::OneOf(expected) => expected.iter().any(|(key, value)| has(key, value)),
        Tracestate::Absent => state.is_none(),
    };
    (!parent_ok || !state_ok).then(|| {
        format!(
            "{}: sent {:?}, expected {:?} and {:?}, got {parent:?} and tracestate {state:?}",
            case.test, case.headers, case.parent, case.state
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_w3c_service_passes_the_harness_cases() {
    tokio::time::timeout(Duration::from_secs(120), harness_cases())
        .await
        .expect("the harness cases finished in time");
}

async fn harness_cases() {
    let mut harness = Harness::start().await;

    // Every request of the suite with one callback; all mismatches are reported together,
    // as the suite does.
    let mut mismatches = Vec::new();
    let cases = suite_cases();
    for case in &cases {
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let callback = harness.make_request(&headers, 1).await.remove(0);
        mismatches.extend(mismatch(case, &callback));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases failed:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );

    // AdvancedTest: with a valid traceparent, every callback continues its trace with a parent
    // id of its own; without one, or with an invalid one, they share a new trace.
    for (headers, inherits) in [
        (
            vec![("traceparent", PARENT), ("tracestate", "foo=1,bar=2")],
            true,
        ),
        (vec![], false),
        (
            vec![(
                "traceparent",
                "00-00000000000000000000000000000000-1234567890123456-01",
            )],
            false,
        ),
    ] {
        let callbacks = harness.make_request(&headers, 3).await;
        let contexts: Vec<_> = callbacks
            .iter()
            .map(|callback| trace_context(callback))
            .collect();
        let mut trace_ids: Vec<&str> = contexts
            .iter()
            .map(|(parent, _)| parent.trace_id.as_str())
            .collect();
        let mut parent_ids: Vec<&str> = contexts
            .iter()
            .map(|(parent, _)| parent.parent_id.as_str())
            .collect();
        trace_ids.dedup();
        parent_ids.sort();
        parent_ids.dedup();
        assert_eq!(trace_ids.len(), 1, "{headers:?}: {callbacks:?}");
        assert_eq!(parent_ids.len(), 3, "{headers:?}: {callbacks:?}");
        assert_eq!(trace_ids[0] == TRACE_ID, inherits, "{headers:?}");
        assert_ne!(trace_ids[0], "0".repeat(32));
        for (parent, state) in &contexts {
            if inherits {
                assert_eq!(parent.flags, "01");
                assert_eq!(state.as_deref(), Some("foo=1,bar=2"));
            }
        }
    }

    // A trace the service starts is random in all its bytes, as Level 2 flags.
    let (first, _) = harness.trace_context(&[]).await;
    let (second, _) = harness.trace_context(&[]).await;
    assert_ne!(first.trace_id, second.trace_id);
    assert_eq!(first.flags, "03");

    // Past the limits: the list read no further than its length limit, the trace kept.
    let spaces = format!("foo=1,{},bar=2", " ".repeat(17_000));
    let (parent, state) = harness
        .trace_context(&[("traceparent", PARENT), ("tracestate", &spaces)])
        .await;
    assert_eq!(parent.trace_id, TRACE_ID);
    assert_eq!(state, None);
}
