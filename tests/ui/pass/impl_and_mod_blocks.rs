//! One attribute on an `impl` block (inherent, trait, generic, `#[async_trait]`) or an inline
//! `mod` compiles without a warning: every method with a body instrumented, a method's own
//! attribute completing the block's options, `skip` leaving one out, a `const fn` left alone.
#![deny(warnings)]
#![allow(dead_code)]

use std::fmt::Debug;

#[derive(Debug)]
struct Error;
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("error")
    }
}
impl std::error::Error for Error {}

struct Inventory {
    units: Vec<u32>,
}

#[tracefault::trace(level = "debug", backtrace = "never")]
impl Inventory {
    /// Documented, and `#[must_use]` kept.
    #[must_use]
    pub fn new() -> Self {
        Inventory { units: Vec::new() }
    }

    pub fn reserve(&mut self, sku: u32) -> Result<u32, Error> {
        self.take(sku)
    }

    #[trace(args(sku), level = "info")]
    fn take(&mut self, sku: u32) -> Result<u32, Error> {
        self.units.pop().filter(|unit| *unit == sku).ok_or(Error)
    }

    #[tracefault::trace(args(id))]
    async fn refill(&mut self, id: u32) -> Result<(), Error> {
        self.units.push(1);
        Ok(())
    }

    #[trace(skip)]
    fn len(&self) -> usize {
        self.units.len()
    }

    const fn capacity() -> usize {
        16
    }

    #[track_caller]
    #[trace(no_err)]
    fn checked(&self) -> Result<(), Error> {
        Ok(())
    }
}

trait Store {
    fn get(&self, key: &str) -> Result<u32, Error>;
    fn name(&self) -> &str {
        "store"
    }
}

#[tracefault::trace]
impl Store for Inventory {
    fn get(&self, key: &str) -> Result<u32, Error> {
        key.parse().map_err(|_| Error)
    }
}

struct Wrapper<T>(T);

#[tracefault::trace(panic = false)]
impl<T: Debug + Clone> Wrapper<T>
where
    T: Send,
{
    fn inner(&self) -> T {
        self.0.clone()
    }
}

#[async_trait::async_trait]
trait Remote {
    async fn fetch(&self, id: u32) -> Result<u32, Error>;
}

#[async_trait::async_trait]
#[tracefault::trace]
impl Remote for Inventory {
    async fn fetch(&self, id: u32) -> Result<u32, Error> {
        Ok(id)
    }
}

#[tracefault::trace(target = "shop::pricing")]
mod pricing {
    pub fn price(sku: u32) -> Result<u32, String> {
        Ok(sku * 2)
    }

    pub async fn quote(sku: u32) -> u32 {
        sku
    }

    impl super::Inventory {
        pub fn count(&self) -> usize {
            self.units.len()
        }
    }

    #[trace(level = "trace")]
    pub mod rounding {
        pub fn round(cents: u32) -> u32 {
            cents / 5 * 5
        }
    }

    #[trace(skip)]
    impl super::Wrapper<u8> {
        pub fn byte(&self) -> u8 {
            self.0
        }
    }
}

fn main() {
    let mut inventory = Inventory::new();
    let _ = inventory.reserve(1);
    let _ = inventory.refill(1);
    let _ = (inventory.len(), Inventory::capacity(), inventory.checked());
    let _ = (inventory.get("1"), inventory.name(), inventory.count());
    let _ = Wrapper(1u32).inner();
    let _ = Remote::fetch(&inventory, 1);
    let _ = (pricing::price(1), pricing::quote(1), pricing::rounding::round(12));
    let _ = Wrapper(1u8).byte();
}
