#[tracefault::trace(panic = "no")]
fn checkout() {}

fn main() {}
