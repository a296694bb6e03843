#[tracefault::trace(remote = &count)]
fn handle(count: u32) -> u32 {
    count
}

fn main() {}
