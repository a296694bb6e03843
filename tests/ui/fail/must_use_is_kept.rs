#![deny(unused_must_use)]

#[must_use = "the reservation must be confirmed"]
#[tracefault::trace]
fn reserve(sku: u32) -> Result<u32, String> {
    Ok(sku)
}

fn main() {
    reserve(1);
}
