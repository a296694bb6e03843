//! One `#[trace]` on an `impl` block or an inline `mod` instruments what is inside as a
//! `#[trace]` on each function would: the block's options for all, a method's own attribute
//! completing them, `skip` leaving a method out.

mod support;

use support::{block_on, capture, capture_at, Failure};
use tracing_subscriber::filter::LevelFilter;

struct Inventory {
    units: Vec<u32>,
}

#[tracefault::trace(level = "debug")]
impl Inventory {
    fn reserve(&mut self, sku: u32) -> Result<u32, Failure> {
        self.take(sku)
    }

    // Its own options win (`level`), the block's fill the rest.
    #[trace(args(sku), level = "info")]
    fn take(&mut self, sku: u32) -> Result<u32, Failure> {
        match self.units.iter().position(|unit| *unit == sku) {
            Some(index) => Ok(self.units.remove(index)),
            None => Err(Failure::new(format!("sku {sku} is out of stock"))),
        }
    }

    #[trace(skip)]
    fn len(&self) -> usize {
        self.units.len()
    }

    async fn refill(&mut self, sku: u32) -> u32 {
        self.units.push(sku);
        sku
    }
}

trait Store {
    fn get(&self, index: usize) -> Result<u32, Failure>;
}

#[tracefault::trace]
impl Store for Inventory {
    fn get(&self, index: usize) -> Result<u32, Failure> {
        self.units
            .get(index)
            .copied()
            .ok_or_else(|| Failure::new("no such unit"))
    }
}

#[tracefault::trace]
mod pricing {
    use super::Failure;

    pub(crate) fn price(sku: u32) -> Result<u32, Failure> {
        cents(sku).map(|cents| cents * 2)
    }

    fn cents(sku: u32) -> Result<u32, Failure> {
        if sku == 0 {
            Err(Failure::new("no price for sku 0"))
        } else {
            Ok(sku * 100)
        }
    }

    #[trace(skip)]
    pub(crate) fn currency() -> &'static str {
        "EUR"
    }
}

#[test]
fn every_method_of_an_impl_block_opens_its_span_except_a_skipped_one() {
    let mut inventory = Inventory { units: vec![1, 2] };
    let (taken, captured) = capture(|| {
        let taken = inventory.reserve(2);
        let _ = inventory.len();
        let _ = Store::get(&inventory, 0);
        block_on(inventory.refill(3));
        taken
    });
    assert_eq!(taken.unwrap(), 2);
    assert_eq!(inventory.units, vec![1, 3]);
    captured.span("reserve");
    captured.span("get");
    captured.span("refill");
    assert_eq!(captured.span("take").fields["sku"], "2");
    assert!(
        captured.spans().iter().all(|span| span.name != "len"),
        "{:#?}",
        captured.spans()
    );
}

#[test]
fn the_blocks_level_applies_unless_the_method_sets_its_own() {
    let mut inventory = Inventory { units: vec![] };
    let (result, captured) = capture_at(LevelFilter::INFO, || inventory.reserve(7));
    assert_eq!(result.unwrap_err().message, "sku 7 is out of stock");
    let names: Vec<String> = captured.spans().into_iter().map(|s| s.name).collect();
    // `reserve` takes the block's `debug`, filtered out at `INFO`; `take` its own `info`.
    assert_eq!(names, ["take"]);
    // One report, when the error leaves `reserve`, the outermost instrumented frame.
    let report = captured.the_report();
    assert!(
        report
            .field("exception.stacktrace")
            .contains("blocks::Inventory::reserve"),
        "{report:#?}"
    );
}

#[test]
fn the_functions_of_a_mod_are_instrumented_and_report_once() {
    let (result, captured) = capture(|| pricing::price(0));
    assert_eq!(result.unwrap_err().message, "no price for sku 0");
    assert_eq!(captured.span("cents").fields["error"], "true");
    assert_eq!(captured.span("price").fields["error"], "true");
    assert_eq!(captured.reports().len(), 1);

    let (currency, captured) = capture(pricing::currency);
    assert_eq!(currency, "EUR");
    assert!(captured.spans().is_empty(), "{:#?}", captured.spans());
}
