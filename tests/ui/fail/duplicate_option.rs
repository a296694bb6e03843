#[tracefault::trace(name = "a", level = "debug", name = "b")]
fn checkout() {}

fn main() {}
