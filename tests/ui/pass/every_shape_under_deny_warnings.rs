//! Every shape compiles without a warning, with the standard prelude's names shadowed.
#![deny(warnings)]
#![allow(dead_code)]

use ::std::future::Future;

mod core {}
mod std {}
struct Option;
struct Box;
type Result<T> = ::core::result::Result<T, Error>;
#[derive(Debug)]
struct Error;
impl ::std::fmt::Display for Error {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str("error")
    }
}
impl ::std::error::Error for Error {}

#[tracefault::trace(args(a), fields(doubled = a * 2))]
fn sync_plain(a: u32) -> u32 {
    a
}

#[tracefault::trace]
fn sync_result(mut a: u32, (b, _): (u32, u32)) -> Result<u32> {
    a += b;
    Ok(a)
}

#[tracefault::trace]
async fn async_result(a: u32) -> Result<u32> {
    Ok(a)
}

#[tracefault::trace]
async fn async_plain(a: &str) -> &str {
    a
}

#[tracefault::trace]
fn impl_future(a: u32) -> impl Future<Output = Result<u32>> {
    async move { Ok(a) }
}

struct Service;

impl Service {
    /// Documented.
    #[tracefault::trace(level = "debug", backtrace = "always", panic = false)]
    pub fn method(&self) -> Result<()> {
        Err(Error)
    }

    #[tracefault::trace(no_err)]
    pub fn by_value(self) -> Result<Self> {
        Ok(self)
    }
}

#[tracefault::trace(crate = ::tracefault)]
unsafe fn unsafe_fn(pointer: *const u32) -> u32 {
    unsafe { *pointer }
}

fn main() {}
