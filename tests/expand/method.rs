impl Inventory {
    #[tracefault::trace(args(sku))]
    pub fn reserve(&mut self, sku: u32, quantity: u32) -> Result<Reservation, StockError> {
        self.take(sku, quantity)
    }
}
