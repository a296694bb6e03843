#[tracefault::trace(crate = ::my_facade::tracefault)]
fn renamed() -> u32 {
    1
}
