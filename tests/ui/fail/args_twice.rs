#[tracefault::trace(args(sku, %sku))]
fn reserve(sku: u32) -> u32 {
    sku
}

fn main() {}
