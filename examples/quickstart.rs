use std::fmt;

#[derive(Debug)]
struct StockError {
    sku: u32,
    source: std::io::Error,
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

#[tracefault::trace(args(sku))]
fn lookup(sku: u32) -> Result<u32, std::io::Error> {
    Err(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, format!("connection refused for {sku}")))
}

#[tracefault::trace(args(sku))]
fn reserve(sku: u32) -> Result<u32, StockError> {
    let stock = lookup(sku).map_err(|source| StockError { sku, source })?;
    Ok(stock)
}

#[tracefault::trace]
async fn checkout(sku: u32) -> Result<u32, StockError> {
    let n = reserve(sku)?;
    Ok(n)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracefault::init().unwrap();
    let _ = checkout(42).await;
}
