//! The process's one export pipeline: spans go to `opentelemetry_sdk`'s batch processor,
//! which sends them with `opentelemetry-otlp` from a thread of its own, so that a slow or
//! absent collector never holds up the service.

use opentelemetry::InstrumentationScope;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SpanData, SpanExporter, SpanProcessor};
use opentelemetry_sdk::Resource;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

/// What [`start`] needs beyond the `OTEL_*` environment variables, which it reads itself.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExportSettings {
    pub(crate) endpoint: Option<String>,
    pub(crate) protocol: Option<String>,
    pub(crate) service_name: Option<String>,
    pub(crate) stacktraces: Option<bool>,
    pub(crate) shutdown_timeout: Option<Duration>,
}

pub(crate) struct Pipeline {
    processor: BatchSpanProcessor,
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

static ENDED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static WARNED: AtomicBool = AtomicBool::new(false);

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

    pub(crate) fn send(&self, span: SpanData) {
        ENDED.fetch_add(1, Ordering::Relaxed);
        self.processor.on_end(span);
    }
}

/// Why export could not start.
#[derive(Debug)]
pub struct ExportError(String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExportError {}

/// How many spans the process handed to the exporter, and what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportStats {
    /// Sampled spans that ended while export was on.
    pub ended: u64,
    /// Spans the collector accepted.
    pub exported: u64,
    /// Spans in batches the collector refused or did not answer for.
    pub failed: u64,
}

impl ExportStats {
    /// Spans that ended but were neither exported nor failed: still queued, or dropped
    /// because the queue was full (`OTEL_BSP_MAX_QUEUE_SIZE`).
    pub fn unaccounted(&self) -> u64 {
        self.ended.saturating_sub(self.exported + self.failed)
    }
}

/// The counts so far; see [`ExportStats`].
pub fn stats() -> ExportStats {
    ExportStats {
        ended: ENDED.load(Ordering::Relaxed),
        exported: EXPORTED.load(Ordering::Relaxed),
        failed: FAILED.load(Ordering::Relaxed),
    }
}

/// Starts exporting if the environment (or `settings`) names an endpoint, following the
/// OpenTelemetry environment-variable specification: `OTEL_SDK_DISABLED`,
/// `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`, `..._PROTOCOL`,
/// `..._HEADERS`, `..._TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`.
/// `Ok(None)`: export is not asked for.
pub(crate) fn start(settings: &ExportSettings) -> Result<Option<ExportGuard>, ExportError> {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    };
    if env("OTEL_SDK_DISABLED").is_some_and(|value| value.trim().eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    match env("OTEL_TRACES_EXPORTER").as_deref().map(str::trim) {
        None | Some("otlp") => {}
        Some("none") => return Ok(None),
        Some(other) => {
            return Err(ExportError(format!(
                "OTEL_TRACES_EXPORTER={other:?}: tracefault exports with \"otlp\" (or \"none\")"
            )))
        }
    }
    let Some(target) = target(settings, &env)? else {
        return Ok(None);
    };
    if PIPELINE.get().is_some() {
        return Err(ExportError(
            "export has already been started in this process".into(),
        ));
    }
    let (exporter, grpc_runtime) = build_exporter(&target)?;
    let endpoint = target.endpoint;
    let mut resource = Resource::builder();
    if let Some(name) = &settings.service_name {
        resource = resource.with_service_name(name.clone());
    }
    let mut processor = BatchSpanProcessor::builder(CountingExporter {
        inner: exporter,
        endpoint: endpoint.clone(),
    })
    .build();
    processor.set_resource(&resource.build());
    let stacktraces = settings.stacktraces.unwrap_or_else(|| {
        env("TRACEFAULT_EXPORT_STACKTRACES")
            .is_some_and(|value| matches!(value.trim(), "1" | "true"))
    });
    let pipeline = Pipeline {
        processor,
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
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Target>, ExportError> {
    let protocol = match &settings.protocol {
        Some(protocol) => Some(protocol.clone()),
        None => {
            env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"))
        }
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
        env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    ) {
        (Some(base), _) => Some(with_path(base)),
        (None, Some(endpoint)) => Some(endpoint.trim().to_owned()),
        (None, None) => env("OTEL_EXPORTER_OTLP_ENDPOINT").map(|base| with_path(&base)),
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
        let result = pipeline.processor.shutdown_with_timeout(self.timeout);
        let stats = stats();
        if result.is_err() || stats.failed > 0 || stats.unaccounted() > 0 {
            tracing::warn!(
                target: "tracefault",
                spans_ended = stats.ended,
                spans_exported = stats.exported,
                spans_failed = stats.failed,
                spans_lost = stats.unaccounted(),
                "not every span reached the collector at {}{}",
                pipeline.endpoint,
                match result {
                    Ok(()) => String::new(),
                    Err(error) => format!(" (shutdown: {error})"),
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
        let spans = batch.len() as u64;
        let result = self.inner.export(batch).await;
        match &result {
            Ok(()) => EXPORTED.fetch_add(spans, Ordering::Relaxed),
            Err(error) => {
                if !WARNED.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        target: "tracefault",
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
