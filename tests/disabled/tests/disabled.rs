//! With `default-features = false`, `#[trace]` leaves the function as written: no span, no
//! report, nothing to pay for.

use std::sync::atomic::{AtomicUsize, Ordering};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Default)]
struct Count {
    spans: AtomicUsize,
    events: AtomicUsize,
}

struct Counting(&'static Count);

impl<S: Subscriber> Layer<S> for Counting {
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        self.0.spans.fetch_add(1, Ordering::SeqCst);
    }
    fn on_event(&self, _: &Event<'_>, _: Context<'_, S>) {
        self.0.events.fetch_add(1, Ordering::SeqCst);
    }
}

#[tracefault::trace(args(sku))]
fn reserve(sku: u32) -> Result<u32, String> {
    Err(format!("sku {sku} is out of stock"))
}

#[tracefault::trace]
fn checkout(sku: u32) -> Result<u32, String> {
    reserve(sku)
}

#[test]
fn nothing_is_recorded_when_instrumentation_is_compiled_out() {
    static COUNT: Count = Count {
        spans: AtomicUsize::new(0),
        events: AtomicUsize::new(0),
    };
    let subscriber = tracing_subscriber::registry().with(Counting(&COUNT));
    let result = tracing::subscriber::with_default(subscriber, || checkout(42));
    assert_eq!(result, Err("sku 42 is out of stock".to_owned()));
    assert_eq!(COUNT.spans.load(Ordering::SeqCst), 0);
    assert_eq!(COUNT.events.load(Ordering::SeqCst), 0);
}
