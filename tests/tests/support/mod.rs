//! A `tracing` layer that keeps every span and event it sees, for assertions.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

#[derive(Clone, Debug)]
pub struct SpanRecord {
    pub name: String,
    pub fields: BTreeMap<String, String>,
    pub parent: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EventRecord {
    pub target: String,
    pub level: Level,
    pub fields: BTreeMap<String, String>,
    /// The span the event belongs to, explicit parent or current.
    pub span: Option<String>,
}

impl EventRecord {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no field {name} in {self:#?}"))
    }
}

#[derive(Default)]
struct Inner {
    spans: Vec<SpanRecord>,
    index: HashMap<u64, usize>,
    events: Vec<EventRecord>,
}

#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Inner>>);

impl Captured {
    pub fn spans(&self) -> Vec<SpanRecord> {
        self.0.lock().unwrap().spans.clone()
    }

    pub fn span(&self, name: &str) -> SpanRecord {
        let spans = self.spans();
        let mut matching = spans.iter().filter(|span| span.name == name);
        let span = matching
            .next()
            .unwrap_or_else(|| panic!("no span {name} in {spans:#?}"))
            .clone();
        assert!(matching.next().is_none(), "several spans named {name}");
        span
    }

    pub fn events(&self) -> Vec<EventRecord> {
        self.0.lock().unwrap().events.clone()
    }

    /// tracefault's error reports.
    pub fn reports(&self) -> Vec<EventRecord> {
        self.events()
            .into_iter()
            .filter(|event| event.target == "tracefault" && event.level == Level::ERROR)
            .collect()
    }

    /// tracefault's reports at `level` (`WARN`: expected errors).
    pub fn reports_at(&self, level: Level) -> Vec<EventRecord> {
        self.events()
            .into_iter()
            .filter(|event| event.target == "tracefault" && event.level == level)
            .collect()
    }

    pub fn the_report(&self) -> EventRecord {
        let reports = self.reports();
        assert_eq!(
            reports.len(),
            1,
            "expected exactly one report, got {reports:#?}"
        );
        reports.into_iter().next().unwrap()
    }
}

/// One global subscriber routes to the capture active on the current thread. Scoped
/// dispatchers (`with_default`) would share tracing's per-callsite interest cache between
/// tests running in parallel, and a callsite first reached by a test without a subscriber
/// could stay disabled for a test with one.
struct CaptureLayer;

thread_local! {
    static ACTIVE: std::cell::RefCell<Option<(LevelFilter, Captured)>> = const { std::cell::RefCell::new(None) };
}

/// The capture of every thread, for tests whose work runs on threads of a runtime.
static EVERYWHERE: Mutex<Option<(LevelFilter, Captured)>> = Mutex::new(None);

fn active() -> Option<Captured> {
    ACTIVE
        .with(|active| {
            active
                .borrow()
                .as_ref()
                .map(|(_, captured)| captured.clone())
        })
        .or_else(|| {
            EVERYWHERE
                .lock()
                .unwrap()
                .as_ref()
                .map(|(_, captured)| captured.clone())
        })
}

fn active_level() -> Option<LevelFilter> {
    ACTIVE
        .with(|active| active.borrow().as_ref().map(|(level, _)| *level))
        .or_else(|| EVERYWHERE.lock().unwrap().as_ref().map(|(level, _)| *level))
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CaptureLayer {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        active_level().is_some_and(|level| *metadata.level() <= level)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(captured) = active() else { return };
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.name().to_owned());
        let mut inner = captured.0.lock().unwrap();
        let position = inner.spans.len();
        inner.index.insert(id.into_u64(), position);
        inner.spans.push(SpanRecord {
            name: attrs.metadata().name().to_owned(),
            fields: fields.0,
            parent,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let Some(captured) = active() else { return };
        let mut fields = Fields::default();
        values.record(&mut fields);
        let mut inner = captured.0.lock().unwrap();
        if let Some(&position) = inner.index.get(&id.into_u64()) {
            inner.spans[position].fields.extend(fields.0);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(captured) = active() else { return };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let span = ctx.event_span(event).map(|span| span.name().to_owned());
        captured.0.lock().unwrap().events.push(EventRecord {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields: fields.0,
            span,
        });
    }
}

/// Runs `f` with a subscriber that records everything at `TRACE` and above.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    capture_at(LevelFilter::TRACE, f)
}

/// Installs the capturing subscriber, once per test binary. It also lifts the per-callsite
/// backtrace rate limit: tests run in parallel and share callsites, so under the default of 10
/// per second one test's errors could use up the tokens another test asserts frames from.
/// `rate_limit.rs` sets its own rate after calling this.
pub fn install() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracefault::set_backtrace_rate(u32::MAX - 1);
        // With tracefault's context layer, as `tracefault::layer()` has it: `tracing` spans
        // made inside instrumented code carry its trace (`tokio::spawn(f.instrument(span))`).
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry()
                .with(tracefault::context::ContextLayer)
                .with(CaptureLayer),
        )
        .expect("no other global subscriber in the tests");
    });
}

/// Runs `f` with a subscriber that records what every thread emits at `TRACE` and above,
/// for work on a multi-thread runtime. One at a time: it holds a lock while `f` runs, and a
/// binary that uses it should capture nothing else at the same time.
pub fn capture_everywhere<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install();
    let captured = Captured::default();
    *EVERYWHERE.lock().unwrap() = Some((LevelFilter::TRACE, captured.clone()));
    struct Deactivate;
    impl Drop for Deactivate {
        fn drop(&mut self) {
            *EVERYWHERE.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
    let _deactivate = Deactivate;
    (f(), captured)
}

/// Runs `f` with a subscriber that records what `level` lets through.
pub fn capture_at<R>(level: LevelFilter, f: impl FnOnce() -> R) -> (R, Captured) {
    install();
    let captured = Captured::default();
    ACTIVE.with(|active| *active.borrow_mut() = Some((level, captured.clone())));
    struct Deactivate;
    impl Drop for Deactivate {
        fn drop(&mut self) {
            ACTIVE.with(|active| *active.borrow_mut() = None);
        }
    }
    let _deactivate = Deactivate;
    (f(), captured)
}

/// Runs a future to completion on a current-thread tokio runtime inside `capture`.
pub fn capture_async<F: std::future::Future>(future: F) -> (F::Output, Captured) {
    capture(|| block_on(future))
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// An error with an optional source, for building chains.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            source: None,
        }
    }

    pub fn caused_by(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Failure {
        Failure {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
