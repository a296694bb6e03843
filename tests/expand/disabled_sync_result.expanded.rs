fn reserve(sku: u32) -> Result<u32, StockError> {
    lookup(sku)
}
