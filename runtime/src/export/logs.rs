//! The process's log record pipeline: `tracing` events, reports and (when asked for) exceptions
//! as OTLP log records, sent by `opentelemetry-otlp`'s log exporter from a thread of their own.
//!
//! Records are built on the thread that logs and moved, not copied, into one bounded queue;
//! the thread exports them in batches. The SDK's batch log processor copies every record
//! and its scope into a box of its own on the logging thread, which is most of a record's
//! cost; here that copy does not exist (benches/otel: `logs`).

use super::pipeline::ExportError;
use crate::settings::env::{read as env, Variable};
use opentelemetry::logs::{LogRecord as _, Logger as _, Severity};
use opentelemetry::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLogRecord, SdkLogger, SdkLoggerProvider};
use opentelemetry_sdk::Resource;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// How exceptions are exported, as `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN` says (semantic
/// conventions for exceptions: span events by default, `logs`, or `logs/dup` for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExceptionSignal {
    SpanEvents,
    Logs,
    Both,
}

impl ExceptionSignal {
    fn from_env() -> ExceptionSignal {
        match env(Variable::OtelSemconvExceptionSignalOptIn).as_deref() {
            Some("logs") => ExceptionSignal::Logs,
            Some("logs/dup") => ExceptionSignal::Both,
            _ => ExceptionSignal::SpanEvents,
        }
    }

    pub(crate) fn span_events(self) -> bool {
        self != ExceptionSignal::Logs
    }
}

pub(crate) struct LogPipeline {
    /// Makes records; its provider has no processor of its own.
    logger: SdkLogger,
    _provider: SdkLoggerProvider,
    shared: Arc<Shared>,
    max_queue_size: usize,
    max_batch_size: usize,
    exception_signal: ExceptionSignal,
    /// The exporting thread's end, sent when it has exported what was queued and stopped.
    done: Mutex<Option<mpsc::Receiver<()>>>,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

#[derive(Default)]
struct Queue {
    records: Vec<SdkLogRecord>,
    stopping: bool,
}

static PIPELINE: OnceLock<LogPipeline> = OnceLock::new();
static ACTIVE: AtomicBool = AtomicBool::new(false);

// What became of the records, counted where each outcome is decided; see `log_stats`.
static EMITTED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static WARNED: AtomicBool = AtomicBool::new(false);

/// The SDK's defaults for the `OTEL_BLRP_*` variables.
const DEFAULT_MAX_QUEUE_SIZE: usize = 2048;
const DEFAULT_MAX_BATCH_SIZE: usize = 512;
const DEFAULT_SCHEDULE_DELAY: Duration = Duration::from_millis(1000);

/// The target of tracefault's own warnings about export, which are never exported as log
/// records (a collector that refuses them would be told so by another record, and so on).
pub(crate) const EXPORT_TARGET: &str = "tracefault::export";

/// Log records are being exported.
#[inline]
pub(crate) fn is_active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

pub(crate) fn active() -> Option<&'static LogPipeline> {
    PIPELINE.get().filter(|_| is_active())
}

/// How exceptions are exported; span events when log records are not.
pub(crate) fn exception_signal() -> ExceptionSignal {
    active().map_or(ExceptionSignal::SpanEvents, |pipeline| {
        pipeline.exception_signal
    })
}

impl LogPipeline {
    /// A new, empty record.
    pub(crate) fn record(&self) -> SdkLogRecord {
        self.logger.create_log_record()
    }

    /// Queues `record` for export if the queue has room, else drops it and counts it.
    pub(crate) fn emit(&self, record: SdkLogRecord) {
        EMITTED.fetch_add(1, Ordering::Relaxed);
        let mut queue = self.shared.lock();
        if queue.records.len() >= self.max_queue_size {
            drop(queue);
            DROPPED.fetch_add(1, Ordering::Relaxed);
            return;
        }
        queue.records.push(record);
        let full_batch = queue.records.len() >= self.max_batch_size;
        drop(queue);
        if full_batch {
            self.shared.wake.notify_one();
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What became of the log records of this process while export was on, counted as spans are
/// ([`super::ExportStats`]; nothing is sampled out, so `unsampled` is 0).
pub fn log_stats() -> super::ExportStats {
    let exported = EXPORTED.load(Ordering::Relaxed);
    let failed = FAILED.load(Ordering::Relaxed);
    let dropped = DROPPED.load(Ordering::Relaxed);
    super::ExportStats {
        ended: EMITTED.load(Ordering::Relaxed),
        exported,
        failed,
        dropped,
        unsampled: 0,
    }
}

/// Where log records go: `exporter`, or OTLP at the endpoint the environment or `base` names.
pub(crate) enum LogTarget {
    Otlp { endpoint: String, grpc: bool },
    Own(OwnLogExporter),
}

/// A log exporter of the program's own (`Config::log_exporter`), in place of OTLP.
#[derive(Clone)]
pub(crate) struct OwnLogExporter {
    start: Arc<Mutex<Option<StartWith>>>,
}

type StartWith = Box<dyn FnOnce(&Resource, Arc<Shared>, usize, Duration) -> Worker + Send>;

impl OwnLogExporter {
    pub(crate) fn new<E: LogExporter + 'static>(exporter: E) -> OwnLogExporter {
        let start: StartWith = Box::new(move |resource, shared, batch, delay| {
            start_worker(exporter, resource, shared, batch, delay, "exporter".into())
        });
        OwnLogExporter {
            start: Arc::new(Mutex::new(Some(start))),
        }
    }
}

impl std::fmt::Debug for OwnLogExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnLogExporter")
    }
}

/// The logs' endpoint, as the specification resolves it: `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`
/// as is, else the base URL with `/v1/logs` over HTTP; `None` when `OTEL_LOGS_EXPORTER=none`.
pub(crate) fn otlp_target(
    base: Option<&str>,
    grpc: bool,
) -> Result<Option<LogTarget>, ExportError> {
    match env(Variable::OtelLogsExporter).as_deref() {
        None | Some("otlp") => {}
        Some("none") => return Ok(None),
        Some(other) => {
            return Err(ExportError(format!(
                "OTEL_LOGS_EXPORTER={other:?}: tracefault exports with \"otlp\" (or \"none\")"
            )))
        }
    }
    let endpoint = match env(Variable::OtelExporterOtlpLogsEndpoint) {
        Some(endpoint) => Some(endpoint),
        None => base.map(|base| {
            let base = base.trim().trim_end_matches('/');
            if grpc {
                base.to_owned()
            } else {
                format!("{base}/v1/logs")
            }
        }),
    };
    Ok(endpoint.map(|endpoint| LogTarget::Otlp { endpoint, grpc }))
}

/// The exporting thread, and how to tell it has stopped.
struct Worker {
    done: mpsc::Receiver<()>,
}

/// Starts the log pipeline toward `target`, its records carrying `resource`.
pub(crate) fn start(
    target: LogTarget,
    resource: &Resource,
    #[cfg(feature = "otel-grpc")] grpc_runtime: Option<tokio::runtime::Handle>,
) -> Result<(), ExportError> {
    let number = |variable, default| {
        env(variable)
            .and_then(|value| value.parse().ok())
            .filter(|value| *value > 0)
            .unwrap_or(default)
    };
    let max_queue_size = number(Variable::OtelBlrpMaxQueueSize, DEFAULT_MAX_QUEUE_SIZE);
    let max_batch_size =
        number(Variable::OtelBlrpMaxExportBatchSize, DEFAULT_MAX_BATCH_SIZE).min(max_queue_size);
    let delay = env(Variable::OtelBlrpScheduleDelay)
        .and_then(|value| value.parse().ok())
        .map_or(DEFAULT_SCHEDULE_DELAY, Duration::from_millis);
    let shared = Arc::new(Shared {
        queue: Mutex::default(),
        wake: Condvar::new(),
    });
    let worker = match target {
        LogTarget::Own(own) => {
            let start = own
                .start
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .ok_or_else(|| ExportError("this log exporter has already been used".into()))?;
            start(resource, shared.clone(), max_batch_size, delay)
        }
        LogTarget::Otlp { endpoint, grpc } => {
            let failed = |error: opentelemetry_otlp::ExporterBuildError| {
                ExportError(format!("cannot build the OTLP log exporter: {error}"))
            };
            #[cfg(feature = "otel-grpc")]
            if grpc {
                let runtime = grpc_runtime.ok_or_else(|| {
                    ExportError("the gRPC log exporter needs export's gRPC runtime".into())
                })?;
                // Built inside the runtime, where tonic starts its connection's tasks.
                let exporter = {
                    let _entered = runtime.enter();
                    opentelemetry_otlp::LogExporter::builder()
                        .with_tonic()
                        .with_endpoint(endpoint.clone())
                        .build()
                        .map_err(failed)?
                };
                // tonic's connection runs on that runtime; the export thread only waits for it.
                return finish(
                    start_worker(
                        exporter,
                        resource,
                        shared.clone(),
                        max_batch_size,
                        delay,
                        endpoint,
                    ),
                    shared,
                    max_queue_size,
                    max_batch_size,
                );
            }
            let _ = grpc;
            use opentelemetry_otlp::WithExportConfig as _;
            let exporter = opentelemetry_otlp::LogExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(endpoint.clone())
                .build()
                .map_err(failed)?;
            start_worker(
                exporter,
                resource,
                shared.clone(),
                max_batch_size,
                delay,
                endpoint,
            )
        }
    };
    finish(worker, shared, max_queue_size, max_batch_size)
}

fn finish(
    worker: Worker,
    shared: Arc<Shared>,
    max_queue_size: usize,
    max_batch_size: usize,
) -> Result<(), ExportError> {
    let provider = SdkLoggerProvider::builder().build();
    let logger = opentelemetry::logs::LoggerProvider::logger_with_scope(
        &provider,
        InstrumentationScope::builder("tracefault")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build(),
    );
    let pipeline = LogPipeline {
        logger,
        _provider: provider,
        shared,
        max_queue_size,
        max_batch_size,
        exception_signal: ExceptionSignal::from_env(),
        done: Mutex::new(Some(worker.done)),
    };
    if PIPELINE.set(pipeline).is_err() {
        return Err(ExportError(
            "log export has already been started in this process".into(),
        ));
    }
    ACTIVE.store(true, Ordering::Relaxed);
    Ok(())
}

/// An exception leaving the span `trace_id`/`span_id` where it was raised, as the
/// conventions' `exception` log record: severity ERROR (it is unhandled when its span ends),
/// `exception.type`, `exception.message`, and `exception.stacktrace` only when the program
/// opted in.
pub(crate) fn emit_exception(
    report: &crate::report::ErrorReport,
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
) {
    let Some(pipeline) = active() else {
        return;
    };
    let mut record = pipeline.record();
    let now = SystemTime::now();
    record.set_timestamp(now);
    record.set_observed_timestamp(now);
    record.set_event_name("exception");
    record.set_severity_number(Severity::Error);
    record.set_severity_text("ERROR");
    for (name, value) in
        crate::report::sink::exception_attributes(report, super::pipeline::exports_stacktraces())
    {
        record.add_attribute(name, value);
    }
    record.set_trace_context(trace_id, span_id, Some(flags));
    pipeline.emit(record);
}

/// Stops log export: what is queued is exported, waiting at most `timeout`. `Err`: the
/// records that could not be delivered, in one line.
pub(crate) fn shutdown(timeout: Duration) -> Result<(), String> {
    let Some(pipeline) = PIPELINE.get() else {
        return Ok(());
    };
    if !ACTIVE.swap(false, Ordering::Relaxed) {
        return Ok(());
    }
    pipeline.shared.lock().stopping = true;
    pipeline.shared.wake.notify_one();
    let done = pipeline
        .done
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let stopped = done.is_some_and(|done| done.recv_timeout(timeout).is_ok());
    let stats = log_stats();
    if stopped && stats.failed == 0 && stats.dropped == 0 && stats.pending() == 0 {
        Ok(())
    } else {
        Err(format!("log records: {stats}"))
    }
}

/// The exporting thread: waits for a full batch or the schedule delay, exports what is
/// queued in batches, and at shutdown exports the rest and stops.
fn start_worker<E: LogExporter + 'static>(
    mut exporter: E,
    resource: &Resource,
    shared: Arc<Shared>,
    max_batch_size: usize,
    delay: Duration,
    endpoint: String,
) -> Worker {
    exporter.set_resource(resource);
    let (done_tx, done) = mpsc::channel();
    let scope = InstrumentationScope::builder("tracefault")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build();
    let spawned = std::thread::Builder::new()
        .name("tracefault-otlp-logs".into())
        .spawn(move || {
            let mut next = Instant::now() + delay;
            loop {
                let (records, stopping) = {
                    let mut queue = shared.lock();
                    while !queue.stopping && queue.records.len() < max_batch_size {
                        let now = Instant::now();
                        if now >= next {
                            break;
                        }
                        queue = shared
                            .wake
                            .wait_timeout(queue, next - now)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                    (std::mem::take(&mut queue.records), queue.stopping)
                };
                next = Instant::now() + delay;
                for batch in records.chunks(max_batch_size) {
                    export(&exporter, batch, &scope, &endpoint);
                }
                if stopping && shared.lock().records.is_empty() {
                    let _ = exporter.shutdown();
                    let _ = done_tx.send(());
                    return;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(target: EXPORT_TARGET, "cannot start the log export thread: {error}");
    }
    Worker { done }
}

fn export<E: LogExporter>(
    exporter: &E,
    batch: &[SdkLogRecord],
    scope: &InstrumentationScope,
    endpoint: &str,
) {
    let pairs: Vec<(&SdkLogRecord, &InstrumentationScope)> =
        batch.iter().map(|record| (record, scope)).collect();
    let count = batch.len() as u64;
    // `LogBatch::new` is how the SDK's own processors hand records to an exporter.
    match futures_executor::block_on(exporter.export(LogBatch::new(&pairs))) {
        Ok(()) => {
            EXPORTED.fetch_add(count, Ordering::Relaxed);
        }
        Err(error) => {
            FAILED.fetch_add(count, Ordering::Relaxed);
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    target: EXPORT_TARGET,
                    "OTLP log export to {endpoint} failed ({error}); log records are dropped and \
                     counted until it answers, and the count is reported at shutdown"
                );
            }
        }
    }
}
