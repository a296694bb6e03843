#[tracefault::trace(level = "loud", args(missing), bogus)]
fn load() {}

fn main() {}
