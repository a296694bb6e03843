//! The `tracing` span of an instrumented function: the fields the user asked for, then the
//! ones tracefault fills when an error escapes.

/// `span!(target, LEVEL, "name", fields...)`: a `tracing` span with tracefault's fields after
/// the user's (each of which ends with a comma).
#[doc(hidden)]
#[macro_export]
macro_rules! __tracefault_span {
    ($target:expr, $level:ident, $name:expr, $($fields:tt)*) => {
        $crate::__private::tracing::span!(
            target: $target,
            $crate::__private::tracing::Level::$level,
            $name,
            $($fields)*
            { $crate::__private::fields::ERROR } = $crate::__private::tracing::field::Empty,
            { $crate::__private::fields::EXCEPTION_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::__private::fields::EXCEPTION_MESSAGE } = $crate::__private::tracing::field::Empty,
            { $crate::__private::fields::TRACE_ID } = $crate::__private::tracing::field::Empty,
            { $crate::__private::fields::SPAN_ID } = $crate::__private::tracing::field::Empty,
        )
    };
}
