//! `gateway`: `POST /checkout/{sku}`, the shop's front door, places the order at `orders` and
//! answers with it, or with 502 and why not.

use crate::downstream::Downstream;
use crate::errors::{ErrorBody, RemoteError};
use crate::orders::Order;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use tracefault::integrations::TraceContextLayer;

/// The service, continuing the caller's trace (a customer's request has none: one starts here)
/// and calling `orders` at `orders_url`.
pub(crate) fn router(client: reqwest::Client, orders_url: String) -> Router {
    Router::new()
        .route("/checkout/{sku}", post(post_checkout))
        .layer(TraceContextLayer::new())
        .with_state(Downstream::new("orders", client, orders_url))
}

/// `orders` failed us.
#[derive(Debug, thiserror::Error)]
#[error("checkout of sku {sku} failed")]
struct CheckoutError {
    sku: u32,
    source: RemoteError,
}

/// `POST /checkout/{sku}`: 502 when `orders` failed.
async fn post_checkout(State(orders): State<Downstream>, Path(sku): Path<u32>) -> Response {
    match checkout(&orders, sku).await {
        Ok(order) => Json(order).into_response(),
        Err(error) => ErrorBody::from_error(&error).respond(StatusCode::BAD_GATEWAY),
    }
}

/// A customer's checkout: today, only the order.
#[tracefault::trace(args(sku))]
async fn checkout(orders: &Downstream, sku: u32) -> Result<Order, CheckoutError> {
    tracing::info!("checking out");
    let placed = place_order(orders, sku).await;
    placed.map_err(|source| CheckoutError { sku, source })
}

/// The call, in a span of its own: `traceparent` names this span as orders' parent.
#[tracefault::trace(args(sku))]
async fn place_order(orders: &Downstream, sku: u32) -> Result<Order, RemoteError> {
    orders.call(orders.post(&format!("/orders/{sku}"))).await
}
