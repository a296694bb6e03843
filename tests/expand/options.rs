#[tracefault::trace(
    name = "load_order",
    target = "shop::db",
    level = "debug",
    args(id, %customer),
    fields(order.kind = "bulk", attempt = ?attempt, pending),
    backtrace = "always",
    panic = false,
)]
fn load_order(id: u64, customer: &Customer, attempt: u8) -> Result<Order, DbError> {
    query(id, customer)
}

// An expected outcome, not a failure: reported at WARN, without a backtrace.
#[tracefault::trace(expected)]
fn find_product(id: u64) -> Result<Product, NotFound> {
    catalog(id)
}
