#[tracefault::trace(name = "")]
fn load() {}

fn main() {}
