#[tracefault::trace(nmae = "checkout")]
fn checkout() {}

fn main() {}
