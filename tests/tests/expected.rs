//! Expected errors: an `Err` that is an answer rather than a failure (an unknown id, a
//! callee's 4xx, an error of a type registered as expected or whose type says so) is reported
//! at `WARN`, "expected error escaped ...", without a backtrace; panics and other errors stay
//! `ERROR`.

mod support;

use support::{capture, Failure};
use tracefault::remote::{Exposure, Problem, RemoteError};
use tracing::Level;

#[tracefault::trace(expected)]
fn find_product(id: u64) -> Result<u64, Failure> {
    if id == 0 {
        Err(Failure::new("no product 0"))
    } else {
        Ok(id)
    }
}

/// Not marked itself: the error that leaves it left an expected function.
#[tracefault::trace]
fn price(id: u64) -> Result<u64, Failure> {
    let id = find_product(id)?;
    Ok(id * 100)
}

#[tracefault::trace(expected)]
fn expected_but_panics(values: &[u64]) -> Result<u64, Failure> {
    Ok(values[3])
}

#[tracefault::trace]
fn load(id: u64) -> Result<u64, Failure> {
    Err(Failure::new(format!("disk full while loading {id}")))
}

/// What a caller gets back from a callee that answered `status` with Problem Details.
fn answered(status: u16) -> RemoteError {
    let body = Problem::from_error(status, &Failure::new("no product 7"))
        .exposure(Exposure::Chain)
        .to_json();
    RemoteError::from_answer(
        "catalog",
        status,
        Some(Problem::CONTENT_TYPE),
        body.as_bytes(),
    )
}

/// Boxed, as clippy asks of a large error. Named by an alias: an error type written with
/// generic arguments is described by its `Display` alone (see the attribute's docs), without
/// the chain that holds the callee's status.
type CatalogError = Box<RemoteError>;

#[tracefault::trace]
fn call_catalog(status: u16) -> Result<u64, CatalogError> {
    Err(Box::new(answered(status)))
}

fn tracefault_events(captured: &support::Captured) -> Vec<support::EventRecord> {
    captured
        .events()
        .into_iter()
        .filter(|event| event.target == "tracefault" && event.level <= Level::WARN)
        .collect()
}

#[test]
fn an_expected_error_is_one_warn_report_without_a_backtrace() {
    let (result, captured) = capture(|| price(0));
    assert_eq!(result.unwrap_err().message, "no product 0");
    let events = tracefault_events(&captured);
    assert_eq!(events.len(), 1, "{events:#?}");
    let report = &events[0];
    assert_eq!(report.level, Level::WARN);
    assert_eq!(
        report.field("message"),
        "expected error escaped expected::price"
    );
    // No backtrace was captured: the traceback is the instrumented functions alone, and says
    // why.
    let stacktrace = report.field("exception.stacktrace");
    assert!(
        stacktrace.contains("(backtrace not captured: an expected error, #[trace(expected)])"),
        "{stacktrace}"
    );
    assert!(
        !stacktrace.contains("runtime frames hidden"),
        "{stacktrace}"
    );
    // The span still says the function failed.
    assert_eq!(captured.span("find_product").fields["error"], "true");
}

#[test]
fn a_panic_in_an_expected_function_and_other_errors_stay_errors() {
    let (result, captured) =
        capture(|| std::panic::catch_unwind(|| expected_but_panics(&[1, 2])).map(|_| ()));
    assert!(result.is_err());
    assert_eq!(captured.the_report().level, Level::ERROR);

    let (result, captured) = capture(|| load(1));
    assert!(result.is_err());
    assert!(captured
        .the_report()
        .field("exception.stacktrace")
        .starts_with("Traceback"));
}

#[test]
fn a_callees_client_error_is_expected_and_its_server_error_is_not() {
    let (_, captured) = capture(|| call_catalog(404));
    let events = tracefault_events(&captured);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].level, Level::WARN);

    let (_, captured) = capture(|| call_catalog(503));
    assert_eq!(captured.the_report().level, Level::ERROR);
}

/// Registered as expected by type (each test registers what it needs: the rules are the
/// process's, and the tests run in any order).
#[derive(Debug)]
struct NotFound(u64);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no basket {}", self.0)
    }
}

impl std::error::Error for NotFound {}

fn expect_not_found() {
    tracefault::Config::new().expected::<NotFound>().apply();
}

#[tracefault::trace]
fn basket(id: u64) -> Result<u64, NotFound> {
    Err(NotFound(id))
}

#[tracefault::trace]
fn basket_boxed(id: u64) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    Err(Box::new(NotFound(id)))
}

#[tracefault::trace]
fn basket_with_context(id: u64) -> anyhow::Result<u64> {
    use anyhow::Context as _;
    let basket = Err(NotFound(id)).context("loading the checkout page")?;
    Ok(basket)
}

#[tracefault::trace]
fn basket_behind_a_wrapper(id: u64) -> Result<u64, Failure> {
    Err(Failure::caused_by("the checkout page failed", NotFound(id)))
}

fn level_and_message(captured: &support::Captured) -> (Level, String) {
    let events = tracefault_events(captured);
    assert_eq!(events.len(), 1, "{events:#?}");
    (events[0].level, events[0].field("message").to_owned())
}

#[test]
fn a_type_registered_as_expected_is_expected_as_is_boxed_with_context_and_as_a_cause() {
    expect_not_found();
    let (_, captured) = capture(|| basket(1));
    assert_eq!(
        level_and_message(&captured),
        (
            Level::WARN,
            "expected error escaped expected::basket".to_owned()
        )
    );
    // Expected where it started: no backtrace was paid for.
    let stacktrace = captured.reports_at(Level::WARN)[0]
        .field("exception.stacktrace")
        .to_owned();
    assert!(
        stacktrace.contains("(backtrace not captured: an expected error, by its type)"),
        "{stacktrace}"
    );

    for (function, run) in [
        (
            "basket_boxed",
            (|| basket_boxed(2).map_err(|_| ())) as fn() -> Result<u64, ()>,
        ),
        ("basket_with_context", || {
            basket_with_context(3).map_err(|_| ())
        }),
        ("basket_behind_a_wrapper", || {
            basket_behind_a_wrapper(4).map_err(|_| ())
        }),
    ] {
        let (result, captured) = capture(run);
        assert!(result.is_err());
        assert_eq!(
            level_and_message(&captured),
            (
                Level::WARN,
                format!("expected error escaped expected::{function}")
            ),
            "{function}"
        );
    }
}

/// A store's error, of which only one value is an answer.
#[derive(Debug)]
enum StoreError {
    RowNotFound,
    PoolClosed,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreError::RowNotFound => "no rows returned",
            StoreError::PoolClosed => "the pool was closed",
        })
    }
}

impl std::error::Error for StoreError {}

#[tracefault::trace]
fn load_order(store: StoreError) -> anyhow::Result<u64> {
    use anyhow::Context as _;
    let order = Err(store).context("loading order 7")?;
    Ok(order)
}

#[tracefault::trace]
fn load_order_as_is(store: StoreError) -> Result<u64, StoreError> {
    Err(store)
}

#[test]
fn a_predicate_decides_by_the_value_where_it_can_be_handed_over() {
    tracefault::Config::new()
        .expected_if::<StoreError>(|error| matches!(error, StoreError::RowNotFound))
        .apply();
    let (_, captured) = capture(|| load_order(StoreError::RowNotFound));
    assert_eq!(level_and_message(&captured).0, Level::WARN);
    let (_, captured) = capture(|| load_order(StoreError::PoolClosed));
    assert_eq!(level_and_message(&captured).0, Level::ERROR);
    // Returned as is, the value is not handed to a predicate (see `ExpectedError`): the report
    // is an error, with its traceback.
    let (_, captured) = capture(|| load_order_as_is(StoreError::RowNotFound));
    assert_eq!(level_and_message(&captured).0, Level::ERROR);
    assert!(captured
        .the_report()
        .field("exception.stacktrace")
        .starts_with("Traceback"));
}

/// An error type of the program's own that says which of its values are expected.
#[derive(Debug)]
enum ShopError {
    NoSuchOrder(u64),
    Database(&'static str),
}

impl std::fmt::Display for ShopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShopError::NoSuchOrder(id) => write!(f, "no order {id}"),
            ShopError::Database(why) => write!(f, "the database failed: {why}"),
        }
    }
}

impl std::error::Error for ShopError {}

impl tracefault::ExpectedError for ShopError {
    fn is_expected(&self) -> bool {
        matches!(self, ShopError::NoSuchOrder(_))
    }
}

#[tracefault::trace]
fn find_order(error: ShopError) -> Result<u64, ShopError> {
    Err(error)
}

/// The error climbs through a caller that returns it as is.
#[tracefault::trace]
fn show_order(error: ShopError) -> Result<String, ShopError> {
    let order = find_order(error)?;
    Ok(order.to_string())
}

#[test]
fn an_error_type_that_says_which_of_its_values_are_expected_is_asked() {
    let (result, captured) = capture(|| show_order(ShopError::NoSuchOrder(7)));
    assert_eq!(result.unwrap_err().to_string(), "no order 7");
    assert_eq!(
        level_and_message(&captured),
        (
            Level::WARN,
            "expected error escaped expected::show_order".to_owned()
        )
    );
    let (_, captured) = capture(|| show_order(ShopError::Database("disk full")));
    let report = captured.the_report();
    assert!(report
        .field("exception.stacktrace")
        .starts_with("Traceback"));
}
