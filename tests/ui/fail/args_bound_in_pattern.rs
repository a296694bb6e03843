#[tracefault::trace(args(sku))]
fn reserve((sku, quantity): (u32, u32)) -> u32 {
    sku + quantity
}

fn main() {}
