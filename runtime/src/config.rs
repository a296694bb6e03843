//! Settings made from code, before the program starts its work: a builder whose `apply`
//! writes them into the one settings value ([`crate::settings`]).

#[cfg(feature = "otel")]
use crate::export::{ExportSettings, Sampler};
use crate::report::names::readable_type_name;
use crate::settings::error_types::TypeRule;
use std::error::Error;

/// tracefault's settings, as a builder. What is not set keeps its default or the value of its
/// environment variable.
///
/// ```
/// tracefault::Config::new().backtrace_rate(50).apply();
/// assert_eq!(tracefault::backtrace_rate(), 50);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a Config does nothing until it is applied"]
pub struct Config {
    backtrace_rate: Option<u32>,
    traceresponse: Option<bool>,
    service_name: Option<String>,
    ids_as_fields: Option<bool>,
    error_exposure: Option<crate::settings::Exposure>,
    panic_output: Option<crate::settings::PanicOutput>,
    error_types: Vec<TypeRule>,
    #[cfg(feature = "otel")]
    sampler: Option<Sampler>,
    #[cfg(feature = "otel")]
    export: ExportSettings,
}

impl Config {
    /// A configuration that sets nothing: every setting keeps its environment variable or its
    /// default until one of the methods below sets it.
    pub fn new() -> Config {
        Config::default()
    }

    /// How many backtraces each instrumented function may capture per second; overrides
    /// `TRACEFAULT_BACKTRACE_RATE` (see [`crate::set_backtrace_rate`]).
    pub fn backtrace_rate(mut self, per_second: u32) -> Config {
        self.backtrace_rate = Some(per_second);
        self
    }

    /// Whether every `#[trace]` span records its `trace_id` and `span_id` as fields, for a
    /// subscriber of your own that shows span fields (`tracing_subscriber::fmt`, a JSON
    /// layer); overrides `TRACEFAULT_IDS_AS_FIELDS`. Off by default: tracefault's own layer
    /// writes the ids of the running code on every line without them, and formatting two ids
    /// into every span costs more than the span.
    pub fn ids_as_fields(mut self, enabled: bool) -> Config {
        self.ids_as_fields = Some(enabled);
        self
    }

    /// What this process's answers to failed requests say of their errors, as
    /// [`Problem`](crate::remote::Problem) Details: only the status and the trace id by
    /// default (`Exposure::Trace`, safe at a public edge); overrides
    /// `TRACEFAULT_ERROR_EXPOSURE` (`trace`, `chain`, `frames`). A server layer may choose
    /// otherwise for its own requests (`TraceContextLayer::expose`).
    pub fn error_exposure(mut self, exposure: crate::settings::Exposure) -> Config {
        self.error_exposure = Some(exposure);
        self
    }

    /// What a panic in instrumented code prints besides tracefault's report; overrides
    /// `TRACEFAULT_PANIC_OUTPUT` (`report`, `both`). By default ([`PanicOutput::Report`]),
    /// the standard library's panic message is not printed for a panic that tracefault
    /// reports: one panic, one report, with the payload, the location and the traceback.
    /// [`PanicOutput::Both`] prints std's message (and its backtrace under
    /// `RUST_BACKTRACE=1`) too, as without tracefault.
    ///
    /// [`PanicOutput::Report`]: crate::PanicOutput::Report
    /// [`PanicOutput::Both`]: crate::PanicOutput::Both
    pub fn panic_output(mut self, output: crate::settings::PanicOutput) -> Config {
        self.panic_output = Some(output);
        self
    }

    /// Names causes of type `T` in reports (`sqlx_core::error::Error: no rows returned`), as
    /// `type_name` names it. A cause in a `source()` chain is a `dyn Error`, whose type Rust
    /// cannot tell: reports name the standard library's error types and the common ones of
    /// the crates tracefault's features depend on, and the others only when they are
    /// registered here (an error that passed through an instrumented function is named
    /// anyway). Rules add up over calls; a process keeps at most 64.
    ///
    /// ```
    /// # #[derive(Debug)] struct PoolTimedOut;
    /// # impl std::fmt::Display for PoolTimedOut {
    /// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("pool timed out") }
    /// # }
    /// # impl std::error::Error for PoolTimedOut {}
    /// tracefault::Config::new().name_error_type::<PoolTimedOut>().apply();
    /// let error: Box<dyn std::error::Error> = Box::new(PoolTimedOut);
    /// let report = tracefault::ErrorReport::from_error(&*error);
    /// assert!(report.type_name.ends_with("PoolTimedOut"));
    /// ```
    pub fn name_error_type<T: Error + 'static>(mut self) -> Config {
        self.error_types
            .push(TypeRule::name::<T>(readable_type_name(
                core::any::type_name::<T>(),
            )));
        self
    }

    /// Makes every error of type `T` an expected one (reported at `WARN`, as
    /// `#[trace(expected)]` makes it; see `ERRORS.md`, "Expected errors"): when the error that
    /// leaves the outermost instrumented function is a `T`, or holds one behind a `Box<dyn
    /// Error>`, an `anyhow::Error` or an `eyre::Report`, or has one anywhere in its
    /// `source()` chain (a `NotFound` wrapped by `anyhow::Context` is still expected). A panic
    /// is never expected. Rules add up over calls; a process keeps at most 64.
    ///
    /// ```
    /// # #[derive(Debug)] struct NotFound;
    /// # impl std::fmt::Display for NotFound {
    /// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("not found") }
    /// # }
    /// # impl std::error::Error for NotFound {}
    /// tracefault::Config::new().expected::<NotFound>().apply();
    /// ```
    pub fn expected<T: Error + 'static>(mut self) -> Config {
        self.error_types
            .push(TypeRule::expected::<T>(readable_type_name(
                core::any::type_name::<T>(),
            )));
        self
    }

    /// Makes the errors of type `T` that `predicate` accepts expected ones, wherever
    /// [`Config::expected`] looks for a `T`, where the value can be handed to the predicate:
    /// behind a `Box<dyn Error>`, an `anyhow::Error` or an `eyre::Report`, or in the
    /// `source()` chain. A `T` that a function returns as is (`Result<_, T>`) is a value Rust
    /// cannot hand over as a `&T` without knowing its type has no lifetimes: for a type of
    /// yours, implement [`ExpectedError`](crate::ExpectedError) instead, which is asked
    /// wherever the type is returned as is.
    ///
    /// ```
    /// # #[derive(Debug)] enum DbError { RowNotFound, PoolClosed }
    /// # impl std::fmt::Display for DbError {
    /// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("db") }
    /// # }
    /// # impl std::error::Error for DbError {}
    /// tracefault::Config::new()
    ///     .expected_if::<DbError>(|error| matches!(error, DbError::RowNotFound))
    ///     .apply();
    /// ```
    pub fn expected_if<T: Error + 'static>(
        mut self,
        predicate: impl Fn(&T) -> bool + Send + Sync + 'static,
    ) -> Config {
        let name = readable_type_name(core::any::type_name::<T>());
        self.error_types
            .push(TypeRule::expected_if::<T, _>(name, predicate));
        self
    }

    /// Whether servers answer with a `traceresponse` header naming their span (off by
    /// default: it tells callers a span id).
    pub fn traceresponse(mut self, enabled: bool) -> Config {
        self.traceresponse = Some(enabled);
        self
    }

    /// Which new traces are sampled; overrides `OTEL_TRACES_SAMPLER` and
    /// `OTEL_TRACES_SAMPLER_ARG`. Parent-based, always on, by default.
    #[cfg(feature = "otel")]
    pub fn sampler(mut self, sampler: Sampler) -> Config {
        self.sampler = Some(sampler);
        self
    }

    /// The service's name, in its reports and log lines (and, with feature `otel`, the
    /// `service.name` of its exported spans); overrides `OTEL_SERVICE_NAME`.
    pub fn service_name(mut self, name: impl Into<String>) -> Config {
        let name = name.into();
        #[cfg(feature = "otel")]
        {
            self.export.service_name = Some(name.clone());
        }
        self.service_name = Some(name);
        self
    }

    /// The `service.version` of the exported spans' resource; overrides
    /// `service.version` in `OTEL_RESOURCE_ATTRIBUTES`. Without it, [`config!`](crate::config!)
    /// and [`init!`](crate::init!) take the binary's package version.
    #[cfg(feature = "otel")]
    pub fn service_version(mut self, version: impl Into<String>) -> Config {
        self.export.service_version = Some(version.into());
        self
    }

    /// The version of the package that builds the program, for `service.version` (feature
    /// `otel`) when neither [`Config::service_version`] nor `OTEL_RESOURCE_ATTRIBUTES` names
    /// one. [`config!`](crate::config!) passes it `env!("CARGO_PKG_VERSION")`, expanded in
    /// the caller's crate: a library cannot know its binary's version otherwise.
    #[cfg_attr(not(feature = "otel"), allow(unused_variables, unused_mut))]
    pub fn package_version(mut self, version: &'static str) -> Config {
        #[cfg(feature = "otel")]
        {
            self.export.package_version = Some(version);
        }
        self
    }

    /// The collector's OTLP/HTTP base URL (`http://127.0.0.1:4318`), to which `/v1/traces`
    /// is added; overrides `OTEL_EXPORTER_OTLP_ENDPOINT`. Export starts only with an endpoint.
    #[cfg(feature = "otel")]
    pub fn otlp_endpoint(mut self, base_url: impl Into<String>) -> Config {
        self.export.endpoint = Some(base_url.into());
        self
    }

    /// The OTLP protocol: `"http/protobuf"` (the default) or, with feature `otel-grpc`,
    /// `"grpc"`; overrides `OTEL_EXPORTER_OTLP_PROTOCOL`. Over gRPC the endpoint is used as is.
    #[cfg(feature = "otel")]
    pub fn otlp_protocol(mut self, protocol: impl Into<String>) -> Config {
        self.export.protocol = Some(protocol.into());
        self
    }

    /// Whether exported `exception` events carry `exception.stacktrace`; overrides
    /// `TRACEFAULT_EXPORT_STACKTRACES`. Off by default: stack traces name the service's
    /// code and paths, and stay in the process unless you send them.
    #[cfg(feature = "otel")]
    pub fn export_stacktraces(mut self, enabled: bool) -> Config {
        self.export.stacktraces = Some(enabled);
        self
    }

    /// Exports spans with `exporter` (any `opentelemetry_sdk` span exporter: stdout, an
    /// in-memory one in tests, a vendor's) instead of OTLP, behind the same batch processor,
    /// queue bound and counts ([`crate::export::stats`]). Export then starts without an
    /// endpoint; `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none` still turn it off.
    #[cfg(feature = "otel")]
    pub fn span_exporter<E>(mut self, exporter: E) -> Config
    where
        E: opentelemetry_sdk::trace::SpanExporter + 'static,
    {
        self.export.exporter = Some(crate::export::OwnExporter::new(exporter));
        self
    }

    /// Log records (events, reports, exceptions) go to `exporter`, an
    /// `opentelemetry_sdk::logs::LogExporter` of the program's own, in place of OTLP, behind
    /// the same bounded queue; export starts with [`Config::start_export`] as for spans.
    #[cfg(feature = "otel")]
    pub fn log_exporter<E>(mut self, exporter: E) -> Config
    where
        E: opentelemetry_sdk::logs::LogExporter + 'static,
    {
        self.export.log_exporter = Some(crate::export::OwnLogExporter::new(exporter));
        self
    }

    /// How long dropping the guard waits for queued spans to be sent (5 s by default).
    #[cfg(feature = "otel")]
    pub fn shutdown_timeout(mut self, timeout: std::time::Duration) -> Config {
        self.export.shutdown_timeout = Some(timeout);
        self
    }

    /// Puts the settings in force for the whole process (not export: see
    /// [`Config::start_export`] and [`Config::init`]).
    pub fn apply(&self) {
        let settings = crate::settings::get();
        if let Some(rate) = self.backtrace_rate {
            settings.set_backtrace_rate(rate);
        }
        if let Some(enabled) = self.traceresponse {
            settings.set_traceresponse(enabled);
        }
        if let Some(name) = &self.service_name {
            settings.set_service_name(name);
        }
        if let Some(exposure) = self.error_exposure {
            settings.set_exposure(exposure);
        }
        if let Some(enabled) = self.ids_as_fields {
            settings.set_ids_as_fields(enabled);
        }
        if let Some(output) = self.panic_output {
            settings.set_panic_output(output);
        }
        crate::settings::error_types::register(&self.error_types);
        #[cfg(feature = "otel")]
        match (self.sampler, Sampler::from_env()) {
            (Some(sampler), _) | (None, Ok(sampler)) => crate::export::set_sampler(sampler),
            (None, Err(problem)) => {
                tracing::warn!(target: "tracefault", "{problem}; sampling every trace");
                crate::export::set_sampler(Sampler::default());
            }
        }
    }

    /// Applies the settings and starts OTLP export when an endpoint is configured, for a
    /// program that installs its own subscriber. `Ok(None)`: no endpoint, or
    /// `OTEL_SDK_DISABLED=true`. Keep the guard until the program ends.
    #[cfg(feature = "otel")]
    pub fn start_export(
        &self,
    ) -> Result<Option<crate::export::ExportGuard>, crate::export::ExportError> {
        self.apply();
        crate::export::start(&self.export)
    }

    /// Applies the settings, installs [`crate::init()`]'s subscriber and, with feature `otel`,
    /// starts export. An export that cannot start (a malformed endpoint, say) is logged as an
    /// error and the program runs on without it.
    #[cfg(feature = "subscriber")]
    pub fn init(self) -> Result<Guard, Box<dyn std::error::Error + Send + Sync>> {
        // With export, the events go out as OTLP log records too.
        #[cfg(feature = "otel")]
        let log_records = crate::export::LogLayer;
        #[cfg(not(feature = "otel"))]
        let log_records = tracing_subscriber::layer::Identity::new();
        crate::subscriber::install(log_records)?;
        // The first report then finds the symbolizer's index built.
        crate::traceback::warm_up_in_background();
        #[cfg(not(feature = "otel"))]
        {
            self.apply();
            Ok(Guard::default())
        }
        #[cfg(feature = "otel")]
        {
            let export = self.start_export().unwrap_or_else(|error| {
                tracing::error!(target: "tracefault", "spans are not exported: {error}");
                None
            });
            Ok(Guard { export })
        }
    }
}

/// Installs a global subscriber: `RUST_LOG` filtering (default `info`) and
/// [`layer`](crate::layer)'s output; with feature `otel` and `OTEL_EXPORTER_OTLP_ENDPOINT` set,
/// also OTLP export. Keep the returned guard until the program ends: dropping it flushes the
/// spans still queued.
///
/// Returns an error if a global subscriber is already set. [`Config`] does the same with
/// settings from code.
#[cfg(feature = "subscriber")]
pub fn init() -> Result<Guard, Box<dyn std::error::Error + Send + Sync>> {
    Config::new().init()
}

/// Returned by [`init`]: while it lives, spans are exported (with feature `otel` and an
/// endpoint); dropping it sends what is still queued, waiting a bounded time.
#[derive(Debug, Default)]
#[must_use = "dropping the guard stops export; keep it until the program ends"]
pub struct Guard {
    #[cfg(feature = "otel")]
    pub(crate) export: Option<crate::export::ExportGuard>,
}

impl Guard {
    /// Whether spans are being exported to a collector.
    pub fn is_exporting(&self) -> bool {
        #[cfg(feature = "otel")]
        return self.export.is_some();
        #[cfg(not(feature = "otel"))]
        false
    }
}
