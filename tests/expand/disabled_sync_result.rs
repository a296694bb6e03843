// Expanded with the `enabled` feature off: the function exactly as written.
#[tracefault::trace(args(sku))]
fn reserve(sku: u32) -> Result<u32, StockError> {
    lookup(sku)
}
