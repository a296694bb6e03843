//! Failures of every shape an instrumented function takes, each reported once: built in each
//! profile by `tests/compare.rs`, whose tracebacks must name the same frames.
//!
//! Each failure's message says which shape it is, so that the reports of two builds can be
//! paired by it.

use std::fmt;

#[derive(Debug)]
struct Failure(&'static str);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Failure {}

mod storage {
    pub mod disk {
        use crate::Failure;

        /// A plain function two modules down, where the error starts.
        #[tracefault::trace]
        pub fn read_block(block: u32) -> Result<u32, Failure> {
            if block > 7 {
                return Err(Failure("sync: block past the end"));
            }
            Ok(block)
        }
    }

    #[tracefault::trace]
    pub fn read(block: u32) -> Result<u32, crate::Failure> {
        let first = disk::read_block(block)?;
        Ok(first + 1)
    }
}

#[tracefault::trace]
fn sync_chain() -> Result<u32, Failure> {
    let value = storage::read(9)?;
    Ok(value * 2)
}

struct Store {
    limit: usize,
}

impl Store {
    /// A method: named with its type.
    #[tracefault::trace]
    fn get(&self, key: usize) -> Result<usize, Failure> {
        if key >= self.limit {
            return Err(Failure("method: key out of range"));
        }
        Ok(key)
    }
}

trait Repository {
    fn find(&self, id: u32) -> Result<u32, Failure>;
}

struct Db;

impl Repository for Db {
    /// A trait method: named `<Db as Repository>::find`.
    #[tracefault::trace]
    fn find(&self, id: u32) -> Result<u32, Failure> {
        Err(Failure(if id == 0 {
            "trait: no row with id 0"
        } else {
            "trait: other"
        }))
    }
}

#[tracefault::trace]
fn methods(store: &Store) -> Result<usize, Failure> {
    store.get(10)
}

#[tracefault::trace]
fn trait_method(repository: &dyn Repository) -> Result<u32, Failure> {
    repository.find(0)
}

/// A closure calls the instrumented function that fails.
#[tracefault::trace]
fn parse_all(items: &[&str]) -> Result<Vec<u32>, Failure> {
    items.iter().map(|item| parse_one(item)).collect()
}

#[tracefault::trace]
fn parse_one(item: &str) -> Result<u32, Failure> {
    item.parse().map_err(|_| Failure("closure: not a number"))
}

/// A generic function.
#[tracefault::trace]
fn load<T: std::str::FromStr>(text: &str) -> Result<T, Failure> {
    text.parse().map_err(|_| Failure("generic: cannot load"))
}

#[tracefault::trace]
fn generic_caller() -> Result<u64, Failure> {
    load::<u64>("x")
}

#[tracefault::trace]
async fn fetch(id: u32) -> Result<u32, Failure> {
    tokio::task::yield_now().await;
    if id == 42 {
        return Err(Failure("async: upstream refused"));
    }
    Ok(id)
}

#[tracefault::trace]
async fn handle(id: u32) -> Result<u32, Failure> {
    let found = fetch(id).await?;
    Ok(found + 1)
}

/// A function that returns `impl Future`: the shape under test, not an `async fn`.
#[allow(clippy::manual_async_fn)]
#[tracefault::trace]
fn lookup(id: u32) -> impl std::future::Future<Output = Result<u32, Failure>> {
    async move {
        tokio::task::yield_now().await;
        Err::<u32, _>(Failure(if id == 1 {
            "impl future: not found"
        } else {
            "impl future: other"
        }))
    }
}

#[tracefault::trace]
async fn impl_future_caller() -> Result<u32, Failure> {
    lookup(1).await
}

#[async_trait::async_trait]
trait Service {
    async fn call(&self, id: u32) -> Result<u32, Failure>;
}

struct Pricing;

#[async_trait::async_trait]
impl Service for Pricing {
    #[tracefault::trace]
    async fn call(&self, id: u32) -> Result<u32, Failure> {
        tokio::task::yield_now().await;
        Err(Failure(if id == 3 {
            "async trait: no price"
        } else {
            "async trait: other"
        }))
    }
}

#[tracefault::trace]
async fn async_trait_caller(service: &dyn Service) -> Result<u32, Failure> {
    service.call(3).await
}

/// A panic deep in a chain: an index out of bounds.
#[tracefault::trace]
fn pick(items: &[u32], index: usize) -> u32 {
    items[index]
}

#[tracefault::trace]
fn panicking_chain(items: &[u32]) -> u32 {
    pick(items, items.len() + 2) + 1
}

/// A helper without the attribute, where a panic starts: inlined into its caller in release
/// builds, where `line-tables-only` debug info names it only `checksum`.
fn checksum(data: &[u32]) -> u32 {
    data[data.len() * 2]
}

#[tracefault::trace]
fn verify(data: &[u32]) -> u32 {
    checksum(data).wrapping_add(1)
}

/// A closure called directly, not through a generic function, where a panic starts.
#[tracefault::trace]
fn scale(values: &[u32]) -> u32 {
    let times = |factor: usize| values[factor] * 2;
    times(values.len() + 4) + 1
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _guard = tracefault::init().expect("no other subscriber is installed");
    let _ = std::hint::black_box(sync_chain());
    let _ = std::hint::black_box(methods(&Store { limit: 3 }));
    let _ = std::hint::black_box(trait_method(&Db));
    let _ = std::hint::black_box(parse_all(&["1", "two"]));
    let _ = std::hint::black_box(generic_caller());
    let _ = std::hint::black_box(handle(42).await);
    let _ = std::hint::black_box(impl_future_caller().await);
    let _ = std::hint::black_box(async_trait_caller(&Pricing).await);
    let items = std::hint::black_box(vec![1, 2, 3]);
    let panicked = std::panic::catch_unwind(|| panicking_chain(&items));
    assert!(panicked.is_err());
    let panicked = std::panic::catch_unwind(|| verify(&items));
    assert!(panicked.is_err());
    let panicked = std::panic::catch_unwind(|| scale(&items));
    assert!(panicked.is_err());
    println!("done");
}
