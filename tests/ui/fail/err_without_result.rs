#[tracefault::trace(err)]
fn count() -> u32 {
    1
}

fn main() {}
