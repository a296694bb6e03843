// One attribute on an `impl` block: every method with a body is instrumented with the block's
// options; a method's own attribute completes them, and `skip` leaves one out.
#[tracefault::trace(level = "debug")]
impl Inventory {
    pub fn reserve(&mut self, sku: u32) -> Result<u32, StockError> {
        self.take(sku)
    }

    #[trace(args(sku), backtrace = "never")]
    fn take(&mut self, sku: u32) -> Result<u32, StockError> {
        Ok(sku)
    }

    #[trace(skip)]
    fn len(&self) -> usize {
        self.units.len()
    }

    const fn capacity() -> usize {
        16
    }
}

// On an inline `mod`: its functions and the methods of its `impl` blocks.
#[tracefault::trace(no_err)]
mod pricing {
    pub fn price(sku: u32) -> Result<u32, String> {
        Ok(sku * 2)
    }

    impl super::Inventory {
        fn count(&self) -> usize {
            self.units.len()
        }
    }
}
