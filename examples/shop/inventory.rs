//! `inventory`: `POST /reservations/{sku}` reserves stock. The stock database refuses sku 42,
//! and sku 7's catalogue row makes the code panic.

use axum::extract::Path;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::io;
use tower_http::catch_panic::CatchPanicLayer;
use tracefault::integrations::{panic_answer, ProblemLayer, TraceContextLayer};
use tracefault::remote::Exposure;
use tracefault::Problem;

/// The service, continuing each caller's trace. Its callers are the shop's own services: its
/// errors, with their chains and the origin's frames, go back to them.
pub(crate) fn router(name: &str) -> Router {
    Router::new()
        .route("/reservations/{sku}", post(post_reservation))
        // A panic unwinds out of the instrumented functions, where tracefault reports it, and
        // is answered 500 (without `CatchPanicLayer::new()`'s own `Service panicked` line);
        // the problem layer gives that answer the report's Problem Details.
        .layer(CatchPanicLayer::custom(panic_answer))
        .layer(ProblemLayer::new())
        .layer(
            TraceContextLayer::new()
                .service_name(name)
                .expose(Exposure::Frames),
        )
}

/// What was reserved.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Reservation {
    pub(crate) sku: u32,
    pub(crate) packs: u32,
}

/// The stock database failed.
#[derive(Debug, thiserror::Error)]
#[error("the stock of sku {sku} could not be read")]
struct StockError {
    sku: u32,
    source: io::Error,
}

/// `POST /reservations/{sku}`: 500 with the error as Problem Details when it fails.
async fn post_reservation(Path(sku): Path<u32>) -> Result<Json<Reservation>, Problem> {
    match reserve(sku).await {
        Ok(reservation) => Ok(Json(reservation)),
        Err(error) => Err(Problem::from_error(500, &error)),
    }
}

/// Reserves the stock of `sku`, in packs.
#[tracefault::trace(args(sku))]
async fn reserve(sku: u32) -> Result<Reservation, StockError> {
    tracing::info!("reserving stock");
    let units = query_stock(sku).map_err(|source| StockError { sku, source })?;
    // Units per pack, from the catalogue, where sku 7's row says 0 and nothing checks it.
    let pack_size = if sku == 7 { 0 } else { 6 };
    let packs = units / pack_size; // sku 7: attempt to divide by zero
    Ok(Reservation { sku, packs })
}

/// The stock database: this is where sku 42's failure starts.
#[tracefault::trace(args(sku))]
fn query_stock(sku: u32) -> io::Result<u32> {
    if sku == 42 {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "connection refused by stock-db:5432",
        ));
    }
    Ok(12)
}
