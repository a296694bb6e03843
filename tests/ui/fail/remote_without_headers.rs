#[tracefault::trace(remote)]
fn handle(headers: Vec<(String, String)>) -> usize {
    headers.len()
}

fn main() {}
