#[tracefault::trace(args(sku, quantity))]
fn reserve(sku: u32) -> u32 {
    sku
}

fn main() {}
