#[tracefault::trace]
fn evens(limit: u32) -> Result<impl Iterator<Item = u32>, RangeError> {
    Ok((0..limit).filter(|n| n % 2 == 0))
}
