#[tracefault::trace(args(sku quantity))]
fn load(sku: u32, quantity: u32) -> u32 {
    sku + quantity
}

fn main() {}
