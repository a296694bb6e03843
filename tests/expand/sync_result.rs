#[tracefault::trace]
fn parse(mut text: String) -> Result<u32, std::num::ParseIntError> {
    text.retain(|c| !c.is_whitespace());
    text.parse()
}
