/// Adds one.
#[must_use]
#[tracefault::trace]
pub fn increment(value: u32) -> u32 {
    value + 1
}
