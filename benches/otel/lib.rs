//! Nothing: the benchmarks are in `benches/otel.rs`.
