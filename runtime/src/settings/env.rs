//! The one module that reads environment variables: every variable tracefault reads is a
//! [`Variable`], named here once, and read through [`read`]. What a value means is decided
//! where the setting is resolved ([`super::Settings`]) or, for export's OpenTelemetry
//! variables, where the pipeline starts.

/// A variable tracefault reads, and what it sets.
// The log's variables are read with feature `subscriber`, export's with `otel`.
#[cfg_attr(not(all(feature = "subscriber", feature = "otel")), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variable {
    /// `0` turns capture off, as for `std::backtrace::Backtrace::capture`.
    RustLibBacktrace,
    /// `0`, without `RUST_LIB_BACKTRACE`, turns capture off.
    RustBacktrace,
    /// Backtraces per second per instrumented function.
    BacktraceRate,
    /// `1`: every `#[trace]` span records its ids as fields.
    IdsAsFields,
    /// `trace`, `chain` or `frames`: what Problem Details answers say.
    ErrorExposure,
    /// `report` or `both`: whether std's panic message is printed beside the report.
    PanicOutput,
    /// `pretty` or `json`: `init()`'s output.
    LogFormat,
    /// `init()`'s filter.
    RustLog,
    /// Any non-empty value: no colours.
    NoColor,
    /// The service's name.
    OtelServiceName,
    /// `service.name=…` among `key=value,…` resource attributes.
    OtelResourceAttributes,
    /// The sampler's name and argument.
    OtelTracesSampler,
    OtelTracesSamplerArg,
    /// `true`: no export.
    OtelSdkDisabled,
    /// `otlp` or `none`.
    OtelTracesExporter,
    /// The batch processor's queue bound.
    OtelBspMaxQueueSize,
    /// `1`: exported `exception` events carry `exception.stacktrace`.
    ExportStacktraces,
    /// The OTLP protocol, general and for traces.
    OtelExporterOtlpProtocol,
    OtelExporterOtlpTracesProtocol,
    /// The collector's base URL, and the full traces URL.
    OtelExporterOtlpEndpoint,
    OtelExporterOtlpTracesEndpoint,
    /// `otlp` or `none`, for log records.
    OtelLogsExporter,
    /// The full logs URL.
    OtelExporterOtlpLogsEndpoint,
    /// The log record processor's queue bound, export delay and batch size.
    OtelBlrpMaxQueueSize,
    OtelBlrpScheduleDelay,
    OtelBlrpMaxExportBatchSize,
    /// `logs` or `logs/dup`: exceptions as log records (instead of, or beside, span events).
    OtelSemconvExceptionSignalOptIn,
}

impl Variable {
    /// The variable's name, as the environment spells it.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Variable::RustLibBacktrace => "RUST_LIB_BACKTRACE",
            Variable::RustBacktrace => "RUST_BACKTRACE",
            Variable::BacktraceRate => "TRACEFAULT_BACKTRACE_RATE",
            Variable::IdsAsFields => "TRACEFAULT_IDS_AS_FIELDS",
            Variable::ErrorExposure => "TRACEFAULT_ERROR_EXPOSURE",
            Variable::PanicOutput => "TRACEFAULT_PANIC_OUTPUT",
            Variable::LogFormat => "TRACEFAULT_LOG_FORMAT",
            Variable::RustLog => "RUST_LOG",
            Variable::NoColor => "NO_COLOR",
            Variable::OtelServiceName => "OTEL_SERVICE_NAME",
            Variable::OtelResourceAttributes => "OTEL_RESOURCE_ATTRIBUTES",
            Variable::OtelTracesSampler => "OTEL_TRACES_SAMPLER",
            Variable::OtelTracesSamplerArg => "OTEL_TRACES_SAMPLER_ARG",
            Variable::OtelSdkDisabled => "OTEL_SDK_DISABLED",
            Variable::OtelTracesExporter => "OTEL_TRACES_EXPORTER",
            Variable::OtelBspMaxQueueSize => "OTEL_BSP_MAX_QUEUE_SIZE",
            Variable::ExportStacktraces => "TRACEFAULT_EXPORT_STACKTRACES",
            Variable::OtelExporterOtlpProtocol => "OTEL_EXPORTER_OTLP_PROTOCOL",
            Variable::OtelExporterOtlpTracesProtocol => "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            Variable::OtelExporterOtlpEndpoint => "OTEL_EXPORTER_OTLP_ENDPOINT",
            Variable::OtelExporterOtlpTracesEndpoint => "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            Variable::OtelLogsExporter => "OTEL_LOGS_EXPORTER",
            Variable::OtelExporterOtlpLogsEndpoint => "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            Variable::OtelBlrpMaxQueueSize => "OTEL_BLRP_MAX_QUEUE_SIZE",
            Variable::OtelBlrpScheduleDelay => "OTEL_BLRP_SCHEDULE_DELAY",
            Variable::OtelBlrpMaxExportBatchSize => "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
            Variable::OtelSemconvExceptionSignalOptIn => "OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN",
        }
    }
}

/// The variable's value, trimmed; `None` when it is unset, empty or not Unicode. The
/// OpenTelemetry specification treats an empty value as unset, and so does every variable of
/// ours.
pub(crate) fn read(variable: Variable) -> Option<String> {
    let value = std::env::var(variable.name()).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Whether the variable is `1`: how tracefault's switches are turned on.
pub(crate) fn is_one(variable: Variable) -> bool {
    read(variable).as_deref() == Some("1")
}
