//! The shop: three HTTP services, `gateway` → `orders` → `inventory`, in one W3C trace. A
//! checkout at the gateway places an order there, which reserves stock here; when the stock
//! database refuses the connection (sku 42) or the inventory code panics (sku 7), each service
//! prints a traceback, and the gateway's says in its "caused by" chain which service failed,
//! in which span, and why. Sku 13 is backordered: orders asks its supplier, slower than the
//! gateway waits for orders, and the gateway gives up (a timeout; orders' work is cancelled).
//!
//! All three in this process, on free loopback ports, with one checkout per sku (1 succeeds,
//! 42 fails, 7 panics); the responses are printed at the end:
//!
//! ```sh
//! cargo run --example shop
//! ```
//!
//! Or each as a process of its own, listening on 127.0.0.1 only:
//!
//! ```sh
//! cargo run --example shop -- --service inventory --port 7003
//! cargo run --example shop -- --service orders --port 7002 --inventory http://127.0.0.1:7003
//! cargo run --example shop -- --service gateway --port 7001 --orders http://127.0.0.1:7002
//! curl -X POST http://127.0.0.1:7001/checkout/42
//! ```
//!
//! Flags: `--service gateway|orders|inventory` (without it, the demo above); `--port N` (0, the
//! default, lets the system pick; the service prints `<service> listening on <url>`);
//! `--orders URL`, the gateway's `orders`; `--inventory URL`, orders' `inventory`.

mod downstream;
mod gateway;
mod inventory;
mod orders;

use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "usage: shop [--service inventory | --service orders --inventory URL | \
                     --service gateway --orders URL] [--port N]";

/// The command line.
#[derive(Debug, Default)]
struct Options {
    service: Option<String>,
    port: u16,
    orders: Option<String>,
    inventory: Option<String>,
}

/// Parses `--flag value` pairs.
fn options() -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--service" => options.service = Some(value),
            "--port" => options.port = value.parse().map_err(|_| format!("not a port: {value}"))?,
            "--orders" => options.orders = Some(value),
            "--inventory" => options.inventory = Some(value),
            _ => return Err(USAGE.to_owned()),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let options = options()?;
    // Every response names the span that handled it, so that a caller's error can point at it.
    // `config!()`: this package's version is the exported spans' `service.version`.
    let mut config = tracefault::config!().traceresponse(true);
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        let service = options.service.as_deref().unwrap_or("demo");
        config = config.service_name(format!("shop-{service}"));
    }
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, spans go to that collector until `guard` is dropped.
    let guard = config.init()?;
    let exporting = guard.is_exporting();
    let outcome = run(options).await;
    drop(guard);
    if exporting {
        // Every span in one sum: exported, failed, dropped (queue full), unsampled, pending.
        println!("spans: {}", tracefault::export::stats());
        println!("log records: {}", tracefault::export::log_stats());
    }
    outcome
}

async fn run(options: Options) -> Result<(), BoxError> {
    let client = reqwest::Client::builder()
        // Loopback addresses: a proxy from the environment must not see them.
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()?;
    let Some(service) = options.service.as_deref() else {
        return demo(client).await;
    };
    // The service's name, as the process's: `OTEL_SERVICE_NAME`, else `shop-<service>`.
    let name = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| format!("shop-{service}"));
    let router = match (service, options.orders, options.inventory) {
        ("inventory", None, None) => inventory::router(&name),
        ("orders", None, Some(inventory)) => orders::router(&name, client, inventory),
        ("gateway", Some(orders), None) => gateway::router(&name, client, orders),
        _ => return Err(USAGE.into()),
    };
    // Loopback only: this is a demo, not a shop to open to the network.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
    println!("{service} listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router)
        .with_graceful_shutdown(terminated())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so that the service stops serving and its spans are flushed.
async fn terminated() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler can be installed");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// The three services in this process, then one checkout per sku, as a customer would send it:
/// without a trace, so that the gateway starts one.
async fn demo(client: reqwest::Client) -> Result<(), BoxError> {
    // Three services in one process: each names itself in its reports and answers.
    let inventory = serve(inventory::router("shop-inventory")).await?;
    let orders = serve(orders::router("shop-orders", client.clone(), inventory)).await?;
    let gateway = serve(gateway::router("shop-gateway", client.clone(), orders)).await?;
    for sku in [1, 42, 7] {
        let response = client
            .post(format!("{gateway}/checkout/{sku}"))
            .send()
            .await?;
        let status = response.status();
        let trace = tracefault::integrations::traceresponse(&response)
            .map(|gateway| gateway.trace_id.to_string())
            .unwrap_or_default();
        let body = response.text().await?;
        println!("POST /checkout/{sku} -> {status} (trace {trace}): {body}");
    }
    Ok(())
}

/// Serves `router` in the background on a free loopback port; its base URL.
async fn serve(router: axum::Router) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}
