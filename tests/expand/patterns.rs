#[tracefault::trace]
fn area((width, height): (u32, u32), _: Unit, mut scale: u32) -> Result<u32, Overflow> {
    scale += 1;
    width.checked_mul(height * scale).ok_or(Overflow)
}
