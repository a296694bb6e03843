//! A future whose body does not say its error type (`async move { Ok(()) }`) gets it from the
//! signature, before the `Err` view is chosen: a type parameter with no bound but `'static`,
//! and an error that is not `std::error::Error` (found by scripts/real-crates in bb8 0.9.1's
//! tests, which write a connection customizer this way).
#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;

trait Customize<E> {
    fn on_acquire<'a>(&'a self) -> Pin<Box<dyn Future<Output = Result<(), E>> + Send + 'a>>;
}

struct Counting;

impl<E: 'static> Customize<E> for Counting {
    #[tracefault::trace]
    fn on_acquire<'a>(&'a self) -> Pin<Box<dyn Future<Output = Result<(), E>> + Send + 'a>> {
        Box::pin(async move { Ok(()) })
    }
}

#[tracefault::trace]
fn boxed_with_a_string_error<'a>() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>
{
    Box::pin(async move { Ok(()) })
}

#[tracefault::trace]
fn impl_future_with_a_string_error() -> impl Future<Output = Result<(), String>> {
    async move { Ok(()) }
}

#[tracefault::trace]
fn impl_future_with_a_type_parameter<E>() -> impl Future<Output = Result<u8, E>> {
    async move { Ok(1) }
}

#[tracefault::trace]
fn impl_future_with_an_elided_lifetime(text: &str) -> impl Future<Output = Result<&str, String>> {
    async move { Ok(text) }
}

fn main() {
    drop(Customize::<u8>::on_acquire(&Counting));
    drop(boxed_with_a_string_error());
    drop(impl_future_with_a_string_error());
    drop(impl_future_with_a_type_parameter::<()>());
    drop(impl_future_with_an_elided_lifetime("x"));
}
