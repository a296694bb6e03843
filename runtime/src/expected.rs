//! Expected errors by their type: the trait an error type of yours implements to say which of
//! its values are expected, and the test that asks it, and the rules of
//! [`Config::expected`](crate::Config::expected) and
//! [`Config::expected_if`](crate::Config::expected_if), of an error on its way out.
//!
//! The other two ways an error is expected (`#[trace(expected)]`, a callee's 4xx) are told by
//! where the error has been, not by what it is, and are decided where it climbs and is
//! reported (`__private::inflight`).

use crate::context::scope::inert;
use crate::settings::error_types;
use std::error::Error;

/// An error type that says which of its values are expected: answers rather than failures (an
/// unknown id, a rejected input), reported at `WARN` as "expected error escaped ..." rather
/// than as an `ERROR` (see [`Config::expected`](crate::Config::expected) for every value of a
/// type).
///
/// tracefault asks it of an error that an instrumented function returns as is (`Result<_,
/// AppError>`, or a `Result` alias that does not name its error), when the error leaves the
/// outermost instrumented function. Behind a `Box<dyn Error>` or an `anyhow::Error`, or as a
/// cause in a `source()` chain, the error is a `dyn Error`, whose traits cannot be looked up:
/// register the same test there with
/// [`Config::expected_if`](crate::Config::expected_if)`::<AppError>(AppError::is_expected)`.
/// An error type written with generic arguments (`Result<_, AppError<T>>`) is not asked (see
/// the attribute's documentation on error types). A panic is never expected.
///
/// ```
/// use tracefault::ExpectedError;
///
/// #[derive(Debug)]
/// enum AppError {
///     NoSuchOrder(u64),
///     Database(String),
/// }
/// # impl std::fmt::Display for AppError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
/// # }
/// impl std::error::Error for AppError {}
///
/// impl ExpectedError for AppError {
///     fn is_expected(&self) -> bool {
///         matches!(self, AppError::NoSuchOrder(_))
///     }
/// }
///
/// // `WARN expected error escaped ...find_order`, without a traceback's cost.
/// #[tracefault::trace]
/// fn find_order(id: u64) -> Result<u64, AppError> {
///     Err(AppError::NoSuchOrder(id))
/// }
/// # assert!(find_order(7).is_err());
/// # assert!(AppError::Database(String::new()).to_string().starts_with("Database"));
/// ```
pub trait ExpectedError: Error + 'static {
    /// Whether this error is an expected outcome rather than a failure.
    fn is_expected(&self) -> bool;
}

/// An error on its way out, as the tests of its type see it.
#[derive(Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// The error's own test, when its type has one.
    pub(crate) own_test: Option<&'a dyn ExpectedError>,
    /// `type_name::<E>()` of the error as it was returned.
    pub(crate) type_name: &'static str,
    /// The error as a `dyn Error`, when it is one behind a pointer.
    pub(crate) this: Option<&'a (dyn Error + 'static)>,
    /// Its `source()` chain.
    pub(crate) source: Option<&'a (dyn Error + 'static)>,
}

/// Whether `error` is expected by what it is: its own type says so ([`ExpectedError`]), or a
/// rule registered by type matches it, the concrete error behind its pointer, or a cause in
/// its chain. Without either, a check of the subject and one relaxed load.
pub(crate) fn by_type(error: Subject<'_>) -> bool {
    if error.own_test.is_none() && !error_types::any_expected() {
        return false;
    }
    // The tests and the chain are the program's code, run while a record is being written:
    // where a failure in them touches no record, and a panic means "not expected".
    inert(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| asked(error))).unwrap_or(false)
    })
}

fn asked(error: Subject<'_>) -> bool {
    if error.own_test.is_some_and(|own| own.is_expected()) {
        return true;
    }
    if !error_types::any_expected() {
        return false;
    }
    let rules = error_types::read();
    if error.this.is_none() && rules.expects_type(error.type_name) {
        return true;
    }
    let mut chain = error
        .this
        .into_iter()
        .chain(core::iter::successors(error.source, |&cause| {
            cause.source()
        }))
        // The error and as many causes as a report shows; a cyclic chain ends there.
        .take(crate::report::names::MAX_CAUSES + 1);
    chain.any(|candidate| rules.expects(candidate))
}
