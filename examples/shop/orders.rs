//! `orders`: `POST /orders/{sku}` reserves the stock at `inventory` and answers with the order,
//! or with 502 and why not.

use crate::downstream::{CallError, Downstream};
use crate::inventory::Reservation;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use tracefault::integrations::{ProblemLayer, TraceContextLayer};
use tracefault::remote::Exposure;
use tracefault::Problem;

/// The service, continuing each caller's trace and calling `inventory` at `inventory_url`.
/// Its caller is the gateway: its errors, with their chains, go back there.
pub(crate) fn router(name: &str, client: reqwest::Client, inventory_url: String) -> Router {
    Router::new()
        .route("/orders/{sku}", post(post_order))
        .layer(ProblemLayer::new())
        .layer(
            TraceContextLayer::new()
                .service_name(name)
                .expose(Exposure::Frames),
        )
        .with_state(Downstream::new(client, inventory_url))
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
    source: CallError,
}

/// `POST /orders/{sku}`: 502 with the error as Problem Details when `inventory` failed.
async fn post_order(
    State(inventory): State<Downstream>,
    Path(sku): Path<u32>,
) -> Result<Json<Order>, Problem> {
    match place_order(&inventory, sku).await {
        Ok(order) => Ok(Json(order)),
        Err(error) => Err(Problem::from_error(502, &error)),
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
async fn reserve_stock(inventory: &Downstream, sku: u32) -> Result<Reservation, CallError> {
    if sku == BACKORDERED {
        ask_supplier(sku).await;
    }
    let request = inventory.post(&format!("/reservations/{sku}"));
    inventory.call(request).await
}

/// Sku 13 is backordered: its supplier is asked first, and answers after the gateway has given
/// up on the checkout, which drops this request (see `tracefault show` on "cancelled").
const BACKORDERED: u32 = 13;

/// How long the supplier of a backordered sku takes to answer.
const SUPPLIER_DELAY: std::time::Duration = std::time::Duration::from_secs(30);

/// Asks the supplier when it can deliver `sku`.
#[tracefault::trace(args(sku))]
async fn ask_supplier(sku: u32) {
    tracing::info!("asking the supplier when sku {sku} can be delivered");
    tokio::time::sleep(SUPPLIER_DELAY).await;
}
