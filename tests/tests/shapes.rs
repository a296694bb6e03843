//! Every kind of function `#[trace]` accepts compiles, keeps its signature and behaves as
//! written, and opens its span.

mod support;

use std::fmt::Debug;
use std::future::Future;
use support::{block_on, capture, capture_async, Failure};

#[derive(Debug, Clone, PartialEq)]
struct Counter {
    count: u32,
}

impl Counter {
    #[tracefault::trace]
    fn by_value(self) -> u32 {
        self.count
    }

    #[tracefault::trace]
    fn by_ref(&self) -> u32 {
        self.count
    }

    #[tracefault::trace]
    fn by_mut(&mut self) -> Result<u32, Failure> {
        self.count += 1;
        Ok(self.count)
    }

    #[allow(clippy::boxed_local)]
    #[tracefault::trace]
    fn boxed(self: Box<Self>) -> u32 {
        self.count
    }

    #[tracefault::trace]
    fn mut_by_value(mut self) -> Result<Self, Failure> {
        self.count *= 2;
        Ok(self)
    }

    #[tracefault::trace]
    fn constructor(count: u32) -> Self {
        Counter { count }
    }

    #[tracefault::trace]
    async fn async_by_ref(&self, add: u32) -> Result<u32, Failure> {
        tokio::task::yield_now().await;
        Ok(self.count + add)
    }
}

trait Store {
    fn get(&self, key: &str) -> Result<u32, Failure>;
    fn name(&self) -> &str;
}

impl Store for Counter {
    #[tracefault::trace(args(key))]
    fn get(&self, key: &str) -> Result<u32, Failure> {
        if key == "count" {
            Ok(self.count)
        } else {
            Err(Failure::new(format!("no key {key}")))
        }
    }

    #[tracefault::trace]
    fn name(&self) -> &str {
        "counter"
    }
}

#[tracefault::trace]
fn generic<T, U>(value: T, other: U) -> Result<String, Failure>
where
    T: Debug + Clone,
    U: Into<String>,
{
    Ok(format!("{value:?} {}", other.into()))
}

#[tracefault::trace]
fn with_lifetimes<'a>(text: &'a str, _other: &str) -> Result<&'a str, Failure> {
    text.split(' ').next().ok_or_else(|| Failure::new("empty"))
}

#[tracefault::trace]
fn elided(text: &str) -> Result<&str, Failure> {
    Ok(text.trim())
}

#[tracefault::trace]
fn returns_impl_trait(n: u32) -> impl Iterator<Item = u32> {
    0..n
}

#[tracefault::trace]
fn returns_result_of_impl_trait(n: u32) -> Result<impl Iterator<Item = u32>, Failure> {
    Ok(0..n)
}

#[tracefault::trace]
unsafe fn unsafe_fn(pointer: *const u32) -> Result<u32, Failure> {
    Ok(unsafe { *pointer })
}

#[tracefault::trace]
fn patterns(
    (a, b): (u32, u32),
    Counter { count }: Counter,
    [first, ..]: [u8; 3],
) -> Result<u32, Failure> {
    Ok(a + b + count + u32::from(first))
}

#[tracefault::trace]
fn mutable_parameter(mut total: u32, values: &[u32]) -> Result<u32, Failure> {
    for value in values {
        total += value;
    }
    Ok(total)
}

// The shape under test: what `async fn` would be.
#[allow(clippy::manual_async_fn)]
#[tracefault::trace]
fn returns_impl_future(n: u32) -> impl Future<Output = Result<u32, Failure>> + Send {
    async move {
        tokio::task::yield_now().await;
        if n == 0 {
            Err(Failure::new("zero"))
        } else {
            Ok(n * 2)
        }
    }
}

#[tracefault::trace]
fn with_question_mark_conversion(
    text: &str,
) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    let value: u32 = text.parse()?;
    Ok(value)
}

#[tracefault::trace]
fn early_return(n: u32) -> Result<u32, Failure> {
    if n > 10 {
        return Ok(10);
    }
    Ok(n)
}

#[tracefault::trace]
fn never_returns() -> ! {
    panic!("diverges")
}

#[async_trait::async_trait]
trait Inventory {
    async fn reserve(&self, sku: u32) -> Result<u32, Failure>;
    async fn release(&self, sku: u32) -> u32;
}

struct Warehouse;

#[async_trait::async_trait]
impl Inventory for Warehouse {
    #[tracefault::trace(args(sku))]
    async fn reserve(&self, sku: u32) -> Result<u32, Failure> {
        tokio::task::yield_now().await;
        if sku == 0 {
            Err(Failure::new("sku 0 is out of stock"))
        } else {
            Ok(sku)
        }
    }

    #[tracefault::trace]
    async fn release(&self, sku: u32) -> u32 {
        sku + 1
    }
}

#[test]
fn methods_keep_their_receivers() {
    let counter = Counter { count: 3 };
    assert_eq!(counter.by_ref(), 3);
    assert_eq!(counter.clone().by_value(), 3);
    assert_eq!(Box::new(counter.clone()).boxed(), 3);
    let mut counter = counter;
    assert_eq!(counter.by_mut().unwrap(), 4);
    assert_eq!(counter.clone().mut_by_value().unwrap().count, 8);
    assert_eq!(Counter::constructor(5).count, 5);
    assert_eq!(block_on(counter.async_by_ref(2)).unwrap(), 6);
    assert_eq!(Store::get(&counter, "count").unwrap(), 4);
    assert_eq!(counter.name(), "counter");
}

#[test]
fn signatures_with_generics_lifetimes_and_patterns_work() {
    assert_eq!(generic(vec![1], "x").unwrap(), "[1] x");
    assert_eq!(with_lifetimes("a b", "c").unwrap(), "a");
    assert_eq!(elided("  x ").unwrap(), "x");
    assert_eq!(returns_impl_trait(3).sum::<u32>(), 3);
    assert_eq!(returns_result_of_impl_trait(4).unwrap().count(), 4);
    assert_eq!(unsafe { unsafe_fn(&7) }.unwrap(), 7);
    assert_eq!(
        patterns((1, 2), Counter { count: 3 }, [4, 5, 6]).unwrap(),
        10
    );
    assert_eq!(mutable_parameter(1, &[2, 3]).unwrap(), 6);
    assert_eq!(with_question_mark_conversion("12").unwrap(), 12);
    assert!(with_question_mark_conversion("x").is_err());
    assert_eq!(early_return(50).unwrap(), 10);
    assert!(std::panic::catch_unwind(|| never_returns()).is_err());
}

#[test]
fn each_shape_opens_its_span() {
    let (_, captured) = capture(|| {
        let _ = generic(1, "a");
        let _ = returns_impl_trait(1);
        let _ = Counter { count: 1 }.by_ref();
    });
    for name in ["generic", "returns_impl_trait", "by_ref"] {
        captured.span(name);
    }
}

#[test]
fn an_impl_future_is_instrumented_for_its_whole_life() {
    let (result, captured) = capture(|| block_on(returns_impl_future(0)));
    assert_eq!(result.unwrap_err().message, "zero");
    let report = captured.the_report();
    assert_eq!(report.span.as_deref(), Some("returns_impl_future"));
    assert_eq!(block_on(returns_impl_future(2)).unwrap(), 4);
}

#[test]
fn async_trait_methods_are_instrumented_under_async_trait() {
    let (result, captured) = capture_async(async {
        let warehouse = Warehouse;
        let released = warehouse.release(1).await;
        (warehouse.reserve(0).await, released)
    });
    assert_eq!(result.1, 2);
    assert_eq!(result.0.unwrap_err().message, "sku 0 is out of stock");
    assert_eq!(captured.span("reserve").fields["sku"], "0");
    captured.span("release");
    let report = captured.the_report();
    assert_eq!(report.span.as_deref(), Some("reserve"));
    assert!(report.field("exception.stacktrace").contains(
        "in <shapes::Warehouse as shapes::Inventory>::reserve at tests/tests/shapes.rs:"
    ));
}
