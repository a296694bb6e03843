#[tracefault::trace(skip)]
fn load(id: u64) -> Result<u64, String> {
    Ok(id)
}

fn main() {}
