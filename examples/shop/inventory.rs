//! `inventory`: `POST /reservations/{sku}` reserves stock. The stock database refuses sku 42,
//! and sku 7's catalogue row makes the code panic.

use crate::errors::ErrorBody;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::io;
use tower_http::catch_panic::CatchPanicLayer;
use tracefault::integrations::TraceContextLayer;

/// The service, continuing each caller's trace.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/reservations/{sku}", post(post_reservation))
        // Inside the trace layer, so that a panic's answer names the span that handled it too.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceContextLayer::new())
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

/// `POST /reservations/{sku}`: 500 when the reservation fails.
async fn post_reservation(Path(sku): Path<u32>) -> Response {
    match reserve(sku).await {
        Ok(reservation) => Json(reservation).into_response(),
        Err(error) => ErrorBody::from_error(&error).respond(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The answer when a handler panicked: tracefault has printed the traceback (it never catches
/// a panic, so the payload arrives here intact); the caller gets the message.
fn panic_response(payload: Box<dyn Any + Send>) -> Response {
    let message = tracefault::ErrorReport::from_panic(&*payload).message;
    ErrorBody::message(format!("panic: {message}")).respond(StatusCode::INTERNAL_SERVER_ERROR)
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
