#[tracefault::trace(backtrace = "sometimes")]
fn checkout() {}

fn main() {}
