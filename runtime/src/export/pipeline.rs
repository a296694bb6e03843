//! The process's one export pipeline: spans go to `opentelemetry_sdk`'s batch processor,
//! which sends them with `opentelemetry-otlp` from a thread of its own, so that a slow or
//! absent collector never holds up the service.

use crate::settings::env::{read as env, Variable};
use opentelemetry::InstrumentationScope;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SpanData, SpanExporter, SpanProcessor,
};
use opentelemetry_sdk::Resource;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// What [`start`] needs beyond the `OTEL_*` environment variables, which it reads itself.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExportSettings {
    pub(crate) endpoint: Option<String>,
    pub(crate) protocol: Option<String>,
    pub(crate) service_name: Option<String>,
    pub(crate) service_version: Option<String>,
    /// The binary's package version (`tracefault::config!()`), for `service.version` when
    /// neither `service_version` nor `OTEL_RESOURCE_ATTRIBUTES` names one.
    pub(crate) package_version: Option<&'static str>,
    pub(crate) stacktraces: Option<bool>,
    pub(crate) shutdown_timeout: Option<Duration>,
    pub(crate) exporter: Option<OwnExporter>,
    pub(crate) log_exporter: Option<super::logs::OwnLogExporter>,
}

/// An exporter of the program's own (`Config::span_exporter`), in place of OTLP: kept until
/// export starts, which takes it.
#[derive(Clone)]
pub(crate) struct OwnExporter {
    name: String,
    processor: Arc<Mutex<Option<MakeProcessor>>>,
}

type MakeProcessor = Box<dyn FnOnce(usize) -> BatchSpanProcessor + Send>;

impl OwnExporter {
    pub(crate) fn new<E: SpanExporter + 'static>(exporter: E) -> OwnExporter {
        let name = format!("{exporter:?}");
        let name = name
            .split(['{', '(', ' '])
            .next()
            .unwrap_or("exporter")
            .to_owned();
        let endpoint = name.clone();
        let make: MakeProcessor =
            Box::new(move |max_queue_size| processor(exporter, endpoint, max_queue_size));
        OwnExporter {
            name,
            processor: Arc::new(Mutex::new(Some(make))),
        }
    }
}

impl fmt::Debug for OwnExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnExporter").field(&self.name).finish()
    }
}

/// The batch processor in front of `exporter`, which counts what it is given.
fn processor<E: SpanExporter + 'static>(
    exporter: E,
    endpoint: String,
    max_queue_size: usize,
) -> BatchSpanProcessor {
    BatchSpanProcessor::builder(CountingExporter {
        inner: exporter,
        endpoint,
    })
    // The other `OTEL_BSP_*` variables are read by the builder itself.
    .with_batch_config(
        BatchConfigBuilder::default()
            .with_max_queue_size(max_queue_size)
            .build(),
    )
    .build()
}

pub(crate) struct Pipeline {
    processor: BatchSpanProcessor,
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, given to the processor and enforced here.
    max_queue_size: usize,
    scope: InstrumentationScope,
    stacktraces: bool,
    endpoint: String,
    /// tonic's connection tasks run here, apart from the program's own runtime (if any);
    /// never dropped, so never shut down from inside an async context.
    _grpc_runtime: GrpcRuntime,
}

static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
// Read by every new span: the pipeline exists and has not been shut down.
static ACTIVE: AtomicBool = AtomicBool::new(false);

// What became of the spans, counted where each outcome is decided; see `ExportStats`.
static ENDED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Spans handed to the batch processor and not yet to the exporter: what its queue holds.
static QUEUED: AtomicUsize = AtomicUsize::new(0);
static WARNED: AtomicBool = AtomicBool::new(false);

/// The processor's queue size when `OTEL_BSP_MAX_QUEUE_SIZE` does not set one, as in
/// `opentelemetry_sdk`.
const DEFAULT_MAX_QUEUE_SIZE: usize = 2048;

#[inline]
pub(crate) fn is_active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

pub(crate) fn active() -> Option<&'static Pipeline> {
    PIPELINE.get().filter(|_| is_active())
}

pub(crate) fn exports_stacktraces() -> bool {
    active().is_some_and(|pipeline| pipeline.stacktraces)
}

impl Pipeline {
    pub(crate) fn scope(&self) -> &InstrumentationScope {
        &self.scope
    }

    /// Hands `span` to the batch processor if its queue has room, else drops it. The
    /// processor drops a span it has no room for without telling its caller (it only logs, and
    /// only the first time), so the room is counted here: a span is admitted only while fewer
    /// than `max_queue_size` are waiting for the exporter, and the processor's queue, which
    /// those spans leave before they reach the exporter, is never full when one arrives.
    pub(crate) fn send(&self, span: SpanData) {
        ENDED.fetch_add(1, Ordering::Relaxed);
        let admitted = QUEUED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |queued| {
            (queued < self.max_queue_size).then_some(queued + 1)
        });
        match admitted {
            Ok(_) => self.processor.on_end(span),
            Err(_) => {
                DROPPED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Why export could not start.
#[derive(Debug)]
pub struct ExportError(pub(super) String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExportError {}

/// What became of the spans of this process while export was on: every one is counted once,
/// so that `ended == exported + failed + dropped + unsampled + pending()`.
///
/// Its `Display` is that sum in one line, as an operator reads it:
///
/// ```
/// let stats = tracefault::export::stats();
/// assert_eq!(
///     stats.to_string(),
///     "0 ended: 0 exported, 0 failed, 0 dropped (queue full), 0 unsampled, 0 pending"
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportStats {
    /// Spans that ended while export was on, sampled or not. An unsampled span is counted when
    /// the sampler leaves it out, as it starts: nothing of it reaches the pipeline after that.
    pub ended: u64,
    /// Spans the collector accepted.
    pub exported: u64,
    /// Spans in batches the collector refused or did not answer in time.
    pub failed: u64,
    /// Spans dropped because the export queue was full: more than `OTEL_BSP_MAX_QUEUE_SIZE`
    /// (2048 by default) were waiting for the exporter.
    pub dropped: u64,
    /// Spans the sampler (`OTEL_TRACES_SAMPLER`) left out, which are never exported.
    pub unsampled: u64,
}

impl ExportStats {
    /// Spans whose outcome is not known yet: waiting in the queue, or in an export the
    /// collector has not answered. After a shutdown that completed, none; after one that timed
    /// out, those the collector never answered for.
    pub fn pending(&self) -> u64 {
        self.ended
            .saturating_sub(self.exported + self.failed + self.dropped + self.unsampled)
    }

    /// Spans that ended but were neither exported nor failed nor unsampled.
    #[deprecated(note = "`dropped` and `pending()` tell apart what this adds up")]
    pub fn unaccounted(&self) -> u64 {
        self.dropped + self.pending()
    }
}

impl fmt::Display for ExportStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ended: {} exported, {} failed, {} dropped (queue full), {} unsampled, {} pending",
            self.ended,
            self.exported,
            self.failed,
            self.dropped,
            self.unsampled,
            self.pending()
        )
    }
}

/// The counts so far; see [`ExportStats`].
pub fn stats() -> ExportStats {
    // The outcomes first: each is counted after its span's end, so a span that ends between
    // the loads is in neither count rather than in an outcome alone.
    let exported = EXPORTED.load(Ordering::Relaxed);
    let failed = FAILED.load(Ordering::Relaxed);
    let dropped = DROPPED.load(Ordering::Relaxed);
    let unsampled = crate::context::sampler::unsampled_spans();
    ExportStats {
        ended: ENDED.load(Ordering::Relaxed) + unsampled,
        exported,
        failed,
        dropped,
        unsampled,
    }
}

/// Starts exporting if the environment (or `settings`) names an endpoint, following the
/// OpenTelemetry environment-variable specification: `OTEL_SDK_DISABLED`,
/// `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`, `..._PROTOCOL`,
/// `..._HEADERS`, `..._TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`.
/// `Ok(None)`: export is not asked for.
pub(crate) fn start(settings: &ExportSettings) -> Result<Option<ExportGuard>, ExportError> {
    if env(Variable::OtelSdkDisabled).is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    {
        return Ok(None);
    }
    match env(Variable::OtelTracesExporter).as_deref().map(str::trim) {
        None | Some("otlp") => {}
        Some("none") => return Ok(None),
        Some(other) => {
            return Err(ExportError(format!(
                "OTEL_TRACES_EXPORTER={other:?}: tracefault exports with \"otlp\" (or \"none\")"
            )))
        }
    }
    if PIPELINE.get().is_some() {
        return Err(ExportError(
            "export has already been started in this process".into(),
        ));
    }
    let max_queue_size = env(Variable::OtelBspMaxQueueSize)
        .and_then(|size| size.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_QUEUE_SIZE);
    let base = settings
        .endpoint
        .clone()
        .or_else(|| env(Variable::OtelExporterOtlpEndpoint));
    let mut logs_over_grpc = false;
    let (mut processor, endpoint, grpc_runtime) = match &settings.exporter {
        Some(own) => {
            let make = own
                .processor
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .ok_or_else(|| ExportError("this span exporter has already been used".into()))?;
            (
                make(max_queue_size),
                own.name.clone(),
                GrpcRuntime::default(),
            )
        }
        None => {
            let Some(target) = target(settings, &env)? else {
                return Ok(None);
            };
            logs_over_grpc = target.grpc;
            let (exporter, grpc_runtime) = build_exporter(&target)?;
            let processor = processor(exporter, target.endpoint.clone(), max_queue_size);
            (processor, target.endpoint, grpc_runtime)
        }
    };
    let mut resource = Resource::builder();
    if let Some(name) = &settings.service_name {
        resource = resource.with_service_name(name.clone());
    }
    let version_key = opentelemetry::Key::from_static_str(tracefault_report::keys::SERVICE_VERSION);
    let version = match (&settings.service_version, settings.package_version) {
        (Some(version), _) => Some(version.clone()),
        // The package's version is a default: `OTEL_RESOURCE_ATTRIBUTES` comes first.
        (None, Some(version)) if Resource::builder().build().get(&version_key).is_none() => {
            Some(version.to_owned())
        }
        (None, _) => None,
    };
    if let Some(version) = version {
        resource = resource.with_attribute(opentelemetry::KeyValue::new(version_key, version));
    }
    let resource = resource.build();
    processor.set_resource(&resource);
    let log_target = match &settings.log_exporter {
        Some(own) => Some(super::logs::LogTarget::Own(own.clone())),
        // Without an OTLP endpoint of their own, logs follow the spans' base URL; a program
        // that exports spans elsewhere exports logs only where it says.
        None if settings.exporter.is_some() => super::logs::otlp_target(None, false)?,
        None => super::logs::otlp_target(base.as_deref(), logs_over_grpc)?,
    };
    if log_target.is_none() && env(Variable::OtelSemconvExceptionSignalOptIn).is_some() {
        // As the conventions' follow-up asks (semantic-conventions #4094): say so, rather than
        // keep sending span events silently.
        tracing::warn!(
            target: super::logs::EXPORT_TARGET,
            "OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN is ignored because log records are not \
             exported (OTEL_LOGS_EXPORTER=none, or no endpoint for them): exceptions stay span \
             events"
        );
    }
    if let Some(log_target) = log_target {
        super::logs::start(
            log_target,
            &resource,
            #[cfg(feature = "otel-grpc")]
            grpc_runtime
                .as_ref()
                .map(|runtime| runtime.handle().clone()),
        )?;
    }
    let stacktraces = settings.stacktraces.unwrap_or_else(|| {
        env(Variable::ExportStacktraces).is_some_and(|value| matches!(value.trim(), "1" | "true"))
    });
    let pipeline = Pipeline {
        processor,
        max_queue_size,
        scope: InstrumentationScope::builder("tracefault")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build(),
        stacktraces,
        endpoint,
        _grpc_runtime: grpc_runtime,
    };
    if PIPELINE.set(pipeline).is_err() {
        return Err(ExportError(
            "export has already been started in this process".into(),
        ));
    }
    ACTIVE.store(true, Ordering::Relaxed);
    crate::context::sampler::count_unsampled_spans(true);
    Ok(Some(ExportGuard {
        timeout: settings
            .shutdown_timeout
            .unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT),
    }))
}

/// Where spans go, and how.
struct Target {
    endpoint: String,
    #[cfg_attr(not(feature = "otel-grpc"), allow(dead_code))]
    grpc: bool,
}

/// The endpoint and protocol from `settings` or the environment; `None` without an endpoint.
fn target(
    settings: &ExportSettings,
    env: &dyn Fn(Variable) -> Option<String>,
) -> Result<Option<Target>, ExportError> {
    let protocol = match &settings.protocol {
        Some(protocol) => Some(protocol.clone()),
        None => env(Variable::OtelExporterOtlpTracesProtocol)
            .or_else(|| env(Variable::OtelExporterOtlpProtocol)),
    };
    let grpc = match protocol.as_deref().map(str::trim) {
        None | Some("http/protobuf") => false,
        Some("grpc") if cfg!(feature = "otel-grpc") => true,
        Some("grpc") => {
            return Err(ExportError(
                "OTLP protocol \"grpc\" needs tracefault's feature otel-grpc".into(),
            ))
        }
        Some(other) => {
            return Err(ExportError(format!(
                "OTLP protocol {other:?} is not supported: use http/protobuf or grpc"
            )))
        }
    };
    // A base URL gets the signal's path over HTTP and is used as is over gRPC, as the
    // specification says; the signal's own variable is always used as is.
    let with_path = |base: &str| {
        let base = base.trim().trim_end_matches('/');
        if grpc {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        }
    };
    let endpoint = match (
        &settings.endpoint,
        env(Variable::OtelExporterOtlpTracesEndpoint),
    ) {
        (Some(base), _) => Some(with_path(base)),
        (None, Some(endpoint)) => Some(endpoint.trim().to_owned()),
        (None, None) => env(Variable::OtelExporterOtlpEndpoint).map(|base| with_path(&base)),
    };
    Ok(endpoint.map(|endpoint| Target { endpoint, grpc }))
}

#[cfg(feature = "otel-grpc")]
type GrpcRuntime = Option<tokio::runtime::Runtime>;
#[cfg(not(feature = "otel-grpc"))]
type GrpcRuntime = ();

fn build_exporter(
    target: &Target,
) -> Result<(opentelemetry_otlp::SpanExporter, GrpcRuntime), ExportError> {
    let failed = |error: opentelemetry_otlp::ExporterBuildError| {
        ExportError(format!("cannot build the OTLP exporter: {error}"))
    };
    #[cfg(feature = "otel-grpc")]
    if target.grpc {
        // tonic needs a tokio runtime for its connection: one thread of its own, so that export
        // works from any program, with or without a runtime, and outlives the program's.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tracefault-otlp-grpc")
            .enable_all()
            .build()
            .map_err(|error| ExportError(format!("cannot start the gRPC runtime: {error}")))?;
        let exporter = {
            let _entered = runtime.enter();
            opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(target.endpoint.clone())
                .build()
                .map_err(failed)?
        };
        return Ok((exporter, Some(runtime)));
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(target.endpoint.clone())
        .build()
        .map_err(failed)?;
    #[cfg(feature = "otel-grpc")]
    return Ok((exporter, None));
    #[cfg(not(feature = "otel-grpc"))]
    Ok((exporter, ()))
}

const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Stops export when dropped: the spans still queued are sent, waiting at most the shutdown
/// timeout (5 s unless configured), and what could not be delivered is counted in one
/// warning.
#[derive(Debug)]
#[must_use = "export stops when the guard is dropped"]
pub struct ExportGuard {
    timeout: Duration,
}

impl Drop for ExportGuard {
    fn drop(&mut self) {
        let Some(pipeline) = PIPELINE.get() else {
            return;
        };
        ACTIVE.store(false, Ordering::Relaxed);
        crate::context::sampler::count_unsampled_spans(false);
        let result = pipeline.processor.shutdown_with_timeout(self.timeout);
        if let Err(undelivered) = super::logs::shutdown(self.timeout) {
            tracing::warn!(
                target: super::logs::EXPORT_TARGET,
                "not every log record reached the collector ({undelivered})"
            );
        }
        let stats = stats();
        if result.is_err() || stats.failed > 0 || stats.dropped > 0 || stats.pending() > 0 {
            tracing::warn!(
                target: super::logs::EXPORT_TARGET,
                spans_ended = stats.ended,
                spans_exported = stats.exported,
                spans_failed = stats.failed,
                spans_dropped = stats.dropped,
                spans_unsampled = stats.unsampled,
                spans_pending = stats.pending(),
                "not every span reached the collector at {} (spans: {stats}){}",
                pipeline.endpoint,
                match result {
                    Ok(()) => String::new(),
                    Err(error) => format!("; shutdown: {error}"),
                }
            );
        }
    }
}

/// The OTLP exporter, counting what it delivers and warning once when the collector fails.
#[derive(Debug)]
struct CountingExporter<E> {
    inner: E,
    endpoint: String,
}

impl<E: SpanExporter> SpanExporter for CountingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        // Out of the queue: room for as many more.
        let _ = QUEUED.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |queued| {
            Some(queued.saturating_sub(batch.len()))
        });
        let spans = batch.len() as u64;
        let result = self.inner.export(batch).await;
        match &result {
            Ok(()) => EXPORTED.fetch_add(spans, Ordering::Relaxed),
            Err(error) => {
                if !WARNED.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        target: super::logs::EXPORT_TARGET,
                        "OTLP export to {} failed ({error}); spans are dropped and counted \
                         until it answers, and the count is reported at shutdown",
                        self.endpoint
                    );
                }
                FAILED.fetch_add(spans, Ordering::Relaxed)
            }
        };
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
