#[tracefault::trace(args(sku), fields(sku = 2))]
fn load(sku: u32) -> u32 {
    sku
}

fn main() {}
