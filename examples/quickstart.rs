//! tracefault in one process: three nested instrumented functions, an error raised deep inside
//! with a chain of causes, and one traceback printed when it leaves the outermost.
//!
//! Run: `cargo run --example quickstart`, or `cargo run --example quickstart -- --panic` for
//! the panic path.

use std::{fmt, io};

#[derive(Debug)]
struct StockError {
    sku: u32,
    source: io::Error,
}

impl fmt::Display for StockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sku {} is out of stock", self.sku)
    }
}

impl std::error::Error for StockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[derive(Debug)]
struct CheckoutError {
    order: u64,
    source: StockError,
}

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order {} could not be placed", self.order)
    }
}

impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The database call at the bottom: this is where the failure starts.
#[tracefault::trace(args(sku))]
fn query_stock(sku: u32) -> io::Result<u32> {
    if sku == 42 {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "connection refused by stock-db:5432",
        ));
    }
    Ok(10)
}

#[tracefault::trace(args(sku, quantity))]
fn reserve(sku: u32, quantity: u32) -> Result<u32, StockError> {
    let available = query_stock(sku).map_err(|source| StockError { sku, source })?;
    let per_unit = available / quantity; // `--panic` orders zero units: division by zero
    Ok(per_unit)
}

#[tracefault::trace(args(order))]
async fn checkout(order: u64, sku: u32, quantity: u32) -> Result<u32, CheckoutError> {
    tokio::task::yield_now().await;
    let reserved = reserve(sku, quantity).map_err(|source| CheckoutError { order, source })?;
    Ok(reserved)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _guard = tracefault::init!().expect("no other subscriber is installed");
    let panic_path = std::env::args().any(|arg| arg == "--panic");
    if panic_path {
        let outcome = tokio::spawn(checkout(8, 7, 0)).await;
        println!("the checkout task panicked: {}", outcome.is_err());
    } else {
        let outcome = checkout(7, 42, 1).await;
        println!(
            "checkout returned: {}",
            outcome.map_or_else(|e| format!("Err({e})"), |n| format!("Ok({n})"))
        );
    }
}
