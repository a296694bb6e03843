#[tracefault::trace]
fn parse(text: &str) -> Result<u32, String> {
    let value: u32 = text.len();
    Ok(value)
}

#[tracefault::trace]
async fn load(text: &str) -> Result<u32, String> {
    Ok(text)
}

fn main() {}
