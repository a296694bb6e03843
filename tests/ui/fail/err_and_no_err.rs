#[tracefault::trace(err, no_err)]
fn load() -> Result<(), String> {
    Ok(())
}

fn main() {}
