#[tracefault::trace(fields(error = 1))]
fn load() {}

fn main() {}
