#[tracefault::trace]
pub struct Order {
    pub sku: u32,
}

fn main() {}
