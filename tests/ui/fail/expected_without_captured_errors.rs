// `expected` classifies the `Err` a function returns: here none is captured.
#[tracefault::trace(expected, no_err)]
fn find(id: u64) -> Result<u64, String> {
    Ok(id)
}

fn main() {
    let _ = find(1);
}
