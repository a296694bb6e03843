#[tracefault::trace(level = "verbose")]
fn checkout() {}

fn main() {}
