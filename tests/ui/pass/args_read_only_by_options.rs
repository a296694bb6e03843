//! A parameter that only the attribute's options read is used: the span reads it. rustc
//! called it unused in an `async fn` (whose body takes the parameters over) until the body
//! said so too; every shape is checked here under `deny(unused)`.
#![deny(unused)]

use std::collections::HashMap;
use std::future::Future;

#[derive(Debug)]
struct User {
    id: u64,
}

#[tracefault::trace(args(id))]
async fn async_args(id: u64) -> Result<(), std::io::Error> {
    Ok(())
}

#[tracefault::trace(args(id))]
async fn async_plain(id: u64) {}

#[tracefault::trace(fields(user = user.id))]
async fn async_fields(user: User) -> Result<(), std::io::Error> {
    Ok(())
}

#[tracefault::trace(args(id))]
fn sync_args(id: u64) -> Result<(), std::io::Error> {
    Ok(())
}

#[tracefault::trace(args(id))]
fn sync_plain(id: u64) {}

#[tracefault::trace(args(id))]
fn impl_future(id: u64) -> impl Future<Output = Result<(), std::io::Error>> {
    async { Ok(()) }
}

#[tracefault::trace(remote = &headers, args(id))]
async fn remote(headers: HashMap<String, String>, id: u64) -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {
    let _ = async_args(1);
    let _ = async_plain(1);
    let _ = async_fields(User { id: 1 });
    let _ = sync_args(1);
    sync_plain(1);
    let _ = impl_future(1);
    let _ = remote(HashMap::new(), 1);
}
