//! OpenTelemetry export over OTLP (feature `otel`).
//!
//! The spans of `#[trace]` functions, of the tower layer's requests and of the reqwest
//! helper's calls are exported with the very ids that [`crate::inject`] puts on the wire:
//! tracefault makes each span's context itself and hands the finished span to
//! `opentelemetry_sdk`'s batch processor as `SpanData`, which `opentelemetry-otlp` sends over
//! HTTP/protobuf. There is no second span model to keep in step, and export does not depend
//! on the log level or on which `tracing` subscriber is installed.
//!
//! [`crate::init()`] starts export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set;
//! [`crate::Config`] does the same from code.

#[cfg(feature = "subscriber")]
mod log_layer;
mod logs;
mod pipeline;
mod record;

pub use crate::context::sampler::{set_sampler, RootSampler, Sampler};
#[cfg(feature = "subscriber")]
pub use log_layer::LogLayer;
pub use logs::log_stats;
pub(crate) use logs::OwnLogExporter;
pub(crate) use pipeline::is_active;
pub(crate) use pipeline::{start, ExportSettings, OwnExporter};
pub use pipeline::{stats, ExportError, ExportGuard, ExportStats};
pub(crate) use record::{open, SpanRecord};
