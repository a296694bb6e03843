//! Causes of the common crates' error types are named in reports, though a `source()` chain
//! gives only `dyn Error`: `serde_json::Error` (feature `http`), `reqwest::Error` (features
//! `reqwest`, `reqwest-0-12`).

mod support;

use support::{block_on, capture, Failure};

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
