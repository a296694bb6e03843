#[track_caller]
#[tracefault::trace]
fn load() -> Result<(), String> {
    Ok(())
}

fn main() {}
