//! `gateway`: `POST /checkout/{sku}`, the shop's front door, places the order at `orders` and
//! answers with it, or with 502 and why not.

use crate::downstream::{CallError, Downstream};
use crate::orders::Order;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use tracefault::integrations::{ProblemLayer, TraceContextLayer};
use tracefault::Problem;

/// The service, continuing the caller's trace (a customer's request has none: one starts here)
/// and calling `orders` at `orders_url`. Its callers are customers: its answers say no more
/// of an error than its status and trace id (the default exposure).
pub(crate) fn router(name: &str, client: reqwest::Client, orders_url: String) -> Router {
    Router::new()
        .route("/checkout/{sku}", post(post_checkout))
        .layer(ProblemLayer::new())
        .layer(TraceContextLayer::new().service_name(name))
        .with_state(Downstream::new(client, orders_url).with_timeout(ORDERS_TIMEOUT))
}

/// `orders` failed us.
#[derive(Debug, thiserror::Error)]
#[error("checkout of sku {sku} failed")]
struct CheckoutError {
    sku: u32,
    source: CallError,
}

/// `POST /checkout/{sku}`: 502 when `orders` failed.
async fn post_checkout(
    State(orders): State<Downstream>,
    Path(sku): Path<u32>,
) -> Result<Json<Order>, Problem> {
    match checkout(&orders, sku).await {
        Ok(order) => Ok(Json(order)),
        Err(error) => Err(Problem::from_error(502, &error)),
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
async fn place_order(orders: &Downstream, sku: u32) -> Result<Order, CallError> {
    orders.call(orders.post(&format!("/orders/{sku}"))).await
}

/// How long a checkout waits for `orders`: a customer is not kept waiting for a backorder.
const ORDERS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
