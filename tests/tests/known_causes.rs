//! Causes of the common crates' error types are named in reports, though a `source()` chain
//! gives only `dyn Error`: `serde_json::Error` and `http`'s (feature `http`), `axum`'s
//! (`axum`), `tokio`'s (`tokio`), `reqwest::Error` (features `reqwest`, `reqwest-0-12`); and
//! the types a program names itself (`Config::name_error_type`), in the text, the JSON report
//! and Problem Details alike.

mod support;

use support::{block_on, capture, Failure};
use tracefault::remote::{Exposure, Problem};
use tracefault::ErrorReport;

#[tracefault::trace]
fn read_prices(text: &str) -> Result<u64, Failure> {
    serde_json::from_str::<u64>(text).map_err(|error| Failure::caused_by("bad price table", error))
}

#[tracefault::trace]
fn fetch_0_13() -> Result<(), Failure> {
    let error = block_on(reqwest::Client::new().get("not a url").send()).unwrap_err();
    Err(Failure::caused_by("calling pricing", error))
}

#[tracefault::trace]
fn fetch_0_12() -> Result<(), Failure> {
    let error = block_on(reqwest_0_12::Client::new().get("not a url").send()).unwrap_err();
    Err(Failure::caused_by("calling pricing", error))
}

fn cause_line(stacktrace: &str) -> &str {
    let after = stacktrace
        .split_once("The above error was caused by:")
        .unwrap_or_else(|| panic!("no causes in {stacktrace}"))
        .1;
    after
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap()
}

#[test]
fn serde_json_and_reqwest_causes_are_named() {
    let (_, captured) = capture(|| read_prices("\"12.99\""));
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    assert!(
        cause_line(&stacktrace).starts_with("serde_json::Error: invalid type: string \"12.99\""),
        "{stacktrace}"
    );
    for fetch in [fetch_0_13 as fn() -> Result<(), Failure>, fetch_0_12] {
        let (_, captured) = capture(fetch);
        let stacktrace = captured
            .the_report()
            .field("exception.stacktrace")
            .to_owned();
        assert!(
            cause_line(&stacktrace).starts_with("reqwest::Error: builder error"),
            "{stacktrace}"
        );
    }
}

/// The `type` of the first cause in a JSON object's `causes`.
fn first_cause_type(json: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let causes = value
        .get("causes")
        .or_else(|| value.pointer("/exception/causes"))
        .unwrap_or_else(|| panic!("no causes in {json}"));
    causes[0]["type"].clone()
}

/// A cause's type, as the JSON report and the Problem Details of its error say it.
fn named_as(cause: impl std::error::Error + Send + Sync + 'static) -> (String, String) {
    let error = Failure::caused_by("calling stock", cause);
    let report = first_cause_type(&ErrorReport::from_error(&error).format_json());
    let problem = Problem::from_error(502, &error)
        .exposure(Exposure::Chain)
        .to_json();
    let problem = first_cause_type(&problem);
    let name = |value: serde_json::Value| value.as_str().unwrap_or("null").to_owned();
    (name(report), name(problem))
}

#[test]
fn tokio_http_and_axum_causes_are_named() {
    let elapsed = block_on(async {
        tokio::time::timeout(std::time::Duration::ZERO, std::future::pending::<()>()).await
    })
    .unwrap_err();
    let join_error = block_on(async {
        let task = tokio::spawn(std::future::pending::<()>());
        task.abort();
        task.await.unwrap_err()
    });
    let invalid_uri = "http://exa mple.com".parse::<http::Uri>().unwrap_err();
    let invalid_header = http::HeaderValue::from_str("a\nb").unwrap_err();
    let bytes_rejection = block_on(async {
        use axum::extract::FromRequest as _;
        // A body whose first read fails.
        let reset = futures::stream::once(async {
            Err::<axum::body::Bytes, _>(std::io::Error::other("connection reset"))
        });
        let request = http::Request::builder()
            .body(axum::body::Body::from_stream(reset))
            .unwrap();
        axum::body::Bytes::from_request(request, &())
            .await
            .unwrap_err()
    });
    let names = [
        (named_as(elapsed), "tokio::time::error::Elapsed"),
        (named_as(join_error), "tokio::task::JoinError"),
        (named_as(invalid_uri), "http::uri::InvalidUri"),
        (named_as(invalid_header), "http::header::InvalidHeaderValue"),
        (
            named_as(bytes_rejection),
            "axum::extract::rejection::BytesRejection",
        ),
    ];
    for ((report, problem), expected) in names {
        assert_eq!((report.as_str(), problem.as_str()), (expected, expected));
    }
}

/// An error type of another crate, say, that no feature of tracefault knows.
#[derive(Debug)]
struct PoolTimedOut;

impl std::fmt::Display for PoolTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("pool timed out while waiting for an open connection")
    }
}

impl std::error::Error for PoolTimedOut {}

#[derive(Debug)]
struct NeverNamed;

impl std::fmt::Display for NeverNamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("nobody named me")
    }
}

impl std::error::Error for NeverNamed {}

#[test]
fn a_type_the_program_names_is_named_and_others_stay_unknown() {
    assert_eq!(named_as(NeverNamed), ("null".to_owned(), "null".to_owned()));
    tracefault::Config::new()
        .name_error_type::<PoolTimedOut>()
        .apply();
    let name = "known_causes::PoolTimedOut";
    assert_eq!(named_as(PoolTimedOut), (name.to_owned(), name.to_owned()));
    // In the text of the report of an instrumented function's error too.
    let (_, captured) = capture(|| caused_by(PoolTimedOut));
    let stacktrace = captured
        .the_report()
        .field("exception.stacktrace")
        .to_owned();
    assert!(
        cause_line(&stacktrace).starts_with(
            "known_causes::PoolTimedOut: pool timed out while waiting for an open connection"
        ),
        "{stacktrace}"
    );
    assert_eq!(named_as(NeverNamed), ("null".to_owned(), "null".to_owned()));
}

#[tracefault::trace]
fn caused_by(cause: PoolTimedOut) -> Result<(), Failure> {
    Err(Failure::caused_by("loading the basket", cause))
}
