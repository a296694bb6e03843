//! `orders`: `POST /orders/{sku}` reserves the stock at `inventory` and answers with the order,
//! or with 502 and why not.

use crate::downstream::Downstream;
use crate::errors::{ErrorBody, RemoteError};
use crate::inventory::Reservation;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use tracefault::integrations::TraceContextLayer;

/// The service, continuing each caller's trace and calling `inventory` at `inventory_url`.
pub(crate) fn router(client: reqwest::Client, inventory_url: String) -> Router {
    Router::new()
        .route("/orders/{sku}", post(post_order))
        .layer(TraceContextLayer::new())
        .with_state(Downstream::new("inventory", client, inventory_url))
}

/// A placed order.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Order {
    pub(crate) order: u64,
    pub(crate) sku: u32,
    pub(crate) packs: u32,
}

/// `inventory` failed us.
#[derive(Debug, thiserror::Error)]
#[error("no stock could be reserved for sku {sku}")]
struct OrderError {
    sku: u32,
    source: RemoteError,
}

/// `POST /orders/{sku}`: 502 when `inventory` failed.
async fn post_order(State(inventory): State<Downstream>, Path(sku): Path<u32>) -> Response {
    match place_order(&inventory, sku).await {
        Ok(order) => Json(order).into_response(),
        Err(error) => ErrorBody::from_error(&error).respond(StatusCode::BAD_GATEWAY),
    }
}

/// Reserves the stock, then numbers the order.
#[tracefault::trace(args(sku))]
async fn place_order(inventory: &Downstream, sku: u32) -> Result<Order, OrderError> {
    static NEXT_ORDER: AtomicU64 = AtomicU64::new(1001);
    tracing::info!("placing an order");
    let reserved = reserve_stock(inventory, sku).await;
    let reservation = reserved.map_err(|source| OrderError { sku, source })?;
    let order = NEXT_ORDER.fetch_add(1, Ordering::Relaxed);
    Ok(Order {
        order,
        sku,
        packs: reservation.packs,
    })
}

/// The call, in a span of its own, whose client span is inventory's parent.
#[tracefault::trace(args(sku))]
async fn reserve_stock(inventory: &Downstream, sku: u32) -> Result<Reservation, RemoteError> {
    let request = inventory.post(&format!("/reservations/{sku}"));
    inventory.call(request).await
}
