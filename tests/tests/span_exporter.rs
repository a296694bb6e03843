//! `Config::span_exporter`: spans go to an exporter of the program's own, behind the same batch
//! processor as OTLP. One test: export is once per process.

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
struct Collect(Arc<Mutex<Vec<SpanData>>>, Arc<Mutex<Option<Resource>>>);

impl SpanExporter for Collect {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        *self.1.lock().unwrap() = Some(resource.clone());
    }
}

#[derive(Debug)]
struct OutOfStock;

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of stock")
    }
}

impl std::error::Error for OutOfStock {}

#[tracefault::trace]
fn reserve(quantity: u32) -> Result<u32, OutOfStock> {
    if quantity > 3 {
        return Err(OutOfStock);
    }
    Ok(quantity)
}

#[tracefault::trace]
fn order(quantity: u32) -> Result<u32, OutOfStock> {
    reserve(quantity)
}

/// Boxed on the way out: `error.type` is still the type behind the box.
#[tracefault::trace]
fn place(quantity: u32) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Ok(order(quantity)?)
}

#[test]
fn spans_go_to_the_programs_own_exporter() {
    let collected = Collect::default();
    let guard = tracefault::Config::new()
        .span_exporter(collected.clone())
        .service_version("1.4.2")
        .start_export()
        .expect("export starts")
        .expect("an exporter of its own needs no endpoint");
    assert_eq!(order(1).unwrap(), 1);
    assert!(place(5).is_err());
    drop(guard);

    let spans = collected.0.lock().unwrap();
    assert_eq!(
        spans.len(),
        5,
        "two calls of two and three spans: {spans:#?}"
    );
    let named = |name: &'static str| spans.iter().filter(move |s| s.name == name);
    for outer in named("order") {
        let inner = named("reserve")
            .find(|s| s.parent_span_id == outer.span_context.span_id())
            .expect("each reserve is the child of its order");
        assert_eq!(inner.span_context.trace_id(), outer.span_context.trace_id());
        assert_eq!(inner.span_kind, SpanKind::Internal);
    }
    let failed = named("reserve")
        .find(|s| matches!(s.status, Status::Error { .. }))
        .expect("the reserve that failed is an error");
    let exception = failed
        .events
        .iter()
        .find(|event| event.name == "exception")
        .expect("with an exception event where the error started");
    let message = exception
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "exception.message")
        .map(|kv| kv.value.to_string());
    assert_eq!(message.as_deref(), Some("out of stock"));
    // `error.type` on every span the error left, not only where it started.
    let error_types: Vec<_> = spans
        .iter()
        .filter(|s| matches!(s.status, Status::Error { .. }))
        .map(|s| {
            let error_type = s
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == "error.type");
            (
                s.name.to_string(),
                error_type.map(|kv| kv.value.to_string()),
            )
        })
        .collect();
    let out_of_stock = Some("span_exporter::OutOfStock".to_owned());
    assert_eq!(
        error_types,
        [
            ("reserve".to_owned(), out_of_stock.clone()),
            ("order".to_owned(), out_of_stock.clone()),
            ("place".to_owned(), out_of_stock)
        ]
    );
    let resource = collected.1.lock().unwrap().clone().expect("a resource");
    let version = resource.get(&opentelemetry::Key::from_static_str("service.version"));
    assert_eq!(version.map(|v| v.to_string()).as_deref(), Some("1.4.2"));
    let stats = tracefault::export::stats();
    assert_eq!(stats.exported, 5, "{stats}");
    assert_eq!(stats.dropped, 0, "{stats}");
}
