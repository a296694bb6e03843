//! The lint corpus of issue #11: adding `#[tracefault::trace]` to a function must change no
//! warning of rustc or clippy. Every function here carries
//! `#[cfg_attr(feature = "traced", tracefault::trace)]`, so that one source is linted both
//! ways; `scripts/lint-parity` compares the two.
//!
//! - [`clean`] warns about nothing: it must pass `cargo clippy --all-targets -- -D warnings`
//!   with and without `traced`.
//! - [`one_line`] is clean too, with bodies on one line (rustc's `unused_braces` looks at those).
//! - [`triggers`] (feature `triggers`) is written to warn: rustc's and clippy's lints on the
//!   body and the signature, which must be the same lints at the same places either way;
//!   [`by_shape`] has the lints of the issue in every shape the expansion distinguishes.

pub mod clean;
#[rustfmt::skip]
pub mod one_line;
#[cfg(feature = "triggers")]
pub mod by_shape;
#[cfg(feature = "triggers")]
#[rustfmt::skip]
pub mod one_line_triggers;
#[cfg(feature = "triggers")]
pub mod triggers;
