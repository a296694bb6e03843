//! Borrowing a view of whatever error type a function returns, without bounds on it.
//!
//! Expansions call `__err_view!`, which picks the richest view the error type allows through
//! autoref specialization: a `std::error::Error` (message and `source()` chain), a smart pointer
//! to `dyn Error` (`Box<dyn Error>`, `anyhow::Error`, `eyre::Report`), `Display`, `Debug`, or
//! only the type name. Because the choice happens where the concrete type (or the user's own
//! bounds) is known, instrumenting a function never adds a bound to it. The same way, it asks
//! an error type that implements [`ExpectedError`](crate::ExpectedError) for its own test.
//!
//! Method resolution ignores lifetimes: it would pick the `Error` view of a type whose `Error`
//! impl holds only for `'static` (`impl<T: 'static> Error for Full<T>`) and fail afterwards.
//! So for an error type written with generic arguments or lifetimes, whose impls may depend
//! on them, the macro asks for `__err_view!(display: ...)`, which never looks for `Error`.

use core::fmt;
use core::ops::Deref;
use std::error::Error;

/// What the runtime needs to know of an error while it is in flight.
#[derive(Clone, Copy)]
pub struct ErrorView<'a> {
    pub(crate) type_name: &'static str,
    pub(crate) message: Message<'a>,
    pub(crate) source: Option<&'a (dyn Error + 'static)>,
    /// Where the error lives, when it is behind a pointer (`Box<dyn Error>`, `anyhow::Error`):
    /// the same address is the same error, however far the pointer is passed.
    pub(crate) address: Option<usize>,
    /// The bytes the error occupies now, `(start, length)`: a cause found inside them moves
    /// with the error, one outside lives in an allocation of its own (see `identity`).
    pub(crate) bytes: (usize, usize),
    /// The error as a `dyn Error`, when it is one behind a pointer: the concrete error, which
    /// the rules of `Config::expected` downcast.
    pub(crate) this: Option<&'a (dyn Error + 'static)>,
    /// The error's own test of whether it is expected, when its type has one
    /// ([`ExpectedError`](crate::ExpectedError)).
    pub(crate) own_test: Option<&'a dyn crate::ExpectedError>,
}

#[derive(Clone, Copy)]
pub(crate) enum Message<'a> {
    Display(&'a dyn fmt::Display),
    Debug(&'a dyn fmt::Debug),
    Opaque,
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Display(message) => fmt::Display::fmt(message, f),
            Message::Debug(message) => fmt::Debug::fmt(message, f),
            Message::Opaque => Ok(()),
        }
    }
}

impl fmt::Debug for ErrorView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorView")
            .field("type_name", &self.type_name)
            .field("message", &format_args!("{}", self.message))
            .finish_non_exhaustive()
    }
}

impl<'a> ErrorView<'a> {
    /// A view of a `dyn Error` reached through a smart pointer: the pointer's own type name
    /// says little, so a well-known concrete type behind it is named instead.
    fn of_dyn<E: ?Sized>(error: &'a (dyn Error + 'static)) -> Self {
        ErrorView {
            type_name: crate::report::names::known_type_name(error)
                .unwrap_or_else(core::any::type_name::<E>),
            message: Message::Display(error),
            source: error.source(),
            address: Some(address_of(error)),
            bytes: bytes_of(error),
            this: Some(error),
            own_test: None,
        }
    }

    /// Whether the error is expected by its type (see [`crate::expected`]).
    pub(crate) fn is_expected_by_type(&self) -> bool {
        crate::expected::by_type(crate::expected::Subject {
            own_test: self.own_test,
            type_name: self.type_name,
            this: self.this,
            source: self.source,
        })
    }

    /// The view, with the error's own test of whether it is expected, if it has one.
    #[inline(always)]
    pub fn with_own_test(self, own_test: Option<&'a dyn crate::ExpectedError>) -> Self {
        ErrorView { own_test, ..self }
    }
}

/// The address of the error itself, without its vtable.
pub(crate) fn address_of(error: &(dyn Error + 'static)) -> usize {
    (error as *const dyn Error).cast::<()>() as usize
}

/// Where `error` lives and how large it is.
pub(crate) fn bytes_of(error: &(dyn Error + 'static)) -> (usize, usize) {
    (address_of(error), core::mem::size_of_val(error))
}

/// Holds the error while method resolution picks a `Describe*` trait below.
#[derive(Debug)]
pub struct Describe<'a, E>(pub &'a E);

pub trait DescribeError<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E: Error> DescribeError<'a> for &&&&&Describe<'a, E> {
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        let error: &'a E = self.0;
        ErrorView {
            type_name: core::any::type_name::<E>(),
            message: Message::Display(error),
            source: error.source(),
            address: None,
            bytes: (
                core::ptr::from_ref::<E>(error) as *const () as usize,
                core::mem::size_of::<E>(),
            ),
            this: None,
            own_test: None,
        }
    }
}

pub trait DescribeDynSendSync<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E> DescribeDynSendSync<'a> for &&&&Describe<'a, E>
where
    E: Deref<Target = dyn Error + Send + Sync + 'static>,
{
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        let error: &'a (dyn Error + Send + Sync + 'static) = &**self.0;
        ErrorView::of_dyn::<E>(error)
    }
}

pub trait DescribeDyn<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E> DescribeDyn<'a> for &&&Describe<'a, E>
where
    E: Deref<Target = dyn Error + 'static>,
{
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        let error: &'a (dyn Error + 'static) = &**self.0;
        ErrorView::of_dyn::<E>(error)
    }
}

pub trait DescribeDisplay<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E: fmt::Display> DescribeDisplay<'a> for &&Describe<'a, E> {
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        ErrorView {
            type_name: core::any::type_name::<E>(),
            message: Message::Display(self.0),
            source: None,
            address: None,
            bytes: (0, 0),
            this: None,
            own_test: None,
        }
    }
}

pub trait DescribeDebug<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E: fmt::Debug> DescribeDebug<'a> for &Describe<'a, E> {
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        ErrorView {
            type_name: core::any::type_name::<E>(),
            message: Message::Debug(self.0),
            source: None,
            address: None,
            bytes: (0, 0),
            this: None,
            own_test: None,
        }
    }
}

pub trait DescribeOpaque<'a> {
    fn __tracefault_describe(&self) -> ErrorView<'a>;
}
impl<'a, E> DescribeOpaque<'a> for Describe<'a, E> {
    fn __tracefault_describe(&self) -> ErrorView<'a> {
        ErrorView {
            type_name: core::any::type_name::<E>(),
            message: Message::Opaque,
            source: None,
            address: None,
            bytes: (0, 0),
            this: None,
            own_test: None,
        }
    }
}

/// Holds the error while method resolution looks for
/// [`ExpectedError`](crate::ExpectedError) on its type, as [`Describe`] does for its views.
#[derive(Debug)]
pub struct Classify<'a, E>(pub &'a E);

pub trait ClassifyOwn<'a> {
    fn __tracefault_own_test(&self) -> Option<&'a dyn crate::ExpectedError>;
}
impl<'a, E: crate::ExpectedError> ClassifyOwn<'a> for &Classify<'a, E> {
    fn __tracefault_own_test(&self) -> Option<&'a dyn crate::ExpectedError> {
        Some(self.0)
    }
}

pub trait ClassifyNone<'a> {
    fn __tracefault_own_test(&self) -> Option<&'a dyn crate::ExpectedError>;
}
impl<'a, E> ClassifyNone<'a> for Classify<'a, E> {
    fn __tracefault_own_test(&self) -> Option<&'a dyn crate::ExpectedError> {
        None
    }
}

/// The `Err` of a `Result`. A function whose written return type only looks like a `Result`
/// fails to compile here, pointing at its return type.
#[inline(always)]
pub fn as_err<T, E>(result: &Result<T, E>) -> Option<&E> {
    result.as_ref().err()
}

/// `Option<ErrorView>` of a `&Result<T, E>`, for any `E`, with the error's own test of whether
/// it is expected when its type has one; with `display:`, without looking for `Error` or
/// `ExpectedError` (see the module's documentation); with `inferred:`, without looking for
/// `ExpectedError`, for an error type that may not be inferred yet where the view is taken
/// (method resolution would pick that trait's impl for it, and fail once the type is known).
#[doc(hidden)]
#[macro_export]
macro_rules! __tracefault_err_view {
    (display: $result:expr) => {
        match $crate::__private::as_err($result) {
            ::core::option::Option::Some(__tracefault_err) => {
                #[allow(unused_imports)]
                use $crate::__private::describe::{
                    DescribeDebug as _, DescribeDisplay as _, DescribeOpaque as _,
                };
                ::core::option::Option::Some(
                    (&&&&&&$crate::__private::describe::Describe(__tracefault_err))
                        .__tracefault_describe(),
                )
            }
            ::core::option::Option::None => ::core::option::Option::None,
        }
    };
    (inferred: $result:expr) => {
        match $crate::__private::as_err($result) {
            ::core::option::Option::Some(__tracefault_err) => ::core::option::Option::Some(
                $crate::__tracefault_err_view!(@describe __tracefault_err),
            ),
            ::core::option::Option::None => ::core::option::Option::None,
        }
    };
    ($result:expr) => {
        match $crate::__private::as_err($result) {
            ::core::option::Option::Some(__tracefault_err) => {
                #[allow(unused_imports)]
                use $crate::__private::describe::{ClassifyNone as _, ClassifyOwn as _};
                ::core::option::Option::Some(
                    $crate::__tracefault_err_view!(@describe __tracefault_err).with_own_test(
                        (&&$crate::__private::describe::Classify(__tracefault_err))
                            .__tracefault_own_test(),
                    ),
                )
            }
            ::core::option::Option::None => ::core::option::Option::None,
        }
    };
    (@describe $err:ident) => {{
        #[allow(unused_imports)]
        use $crate::__private::describe::{
            DescribeDebug as _, DescribeDisplay as _, DescribeDyn as _, DescribeDynSendSync as _,
            DescribeError as _, DescribeOpaque as _,
        };
        (&&&&&&$crate::__private::describe::Describe($err)).__tracefault_describe()
    }};
}

#[cfg(test)]
mod tests {
    use crate::__tracefault_err_view as err_view;
    use std::fmt;

    #[derive(Debug)]
    struct Inner;
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("inner")
        }
    }
    impl std::error::Error for Inner {}

    #[derive(Debug)]
    struct Outer(Inner);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_is_viewed_with_its_source() {
        let result: Result<(), Outer> = Err(Outer(Inner));
        let view = err_view!(&result).unwrap();
        assert!(view.type_name.ends_with("Outer"));
        assert_eq!(view.message.to_string(), "outer");
        assert_eq!(view.source.unwrap().to_string(), "inner");
    }

    #[test]
    fn a_boxed_dyn_error_names_the_known_type_behind_it() {
        let io = std::io::Error::other("disk on fire");
        let result: Result<(), Box<dyn std::error::Error + Send + Sync>> = Err(Box::new(io));
        let view = err_view!(&result).unwrap();
        assert_eq!(view.type_name, "std::io::Error");
        assert_eq!(view.message.to_string(), "disk on fire");

        let result: Result<(), Box<dyn std::error::Error>> = Err(Box::new(Outer(Inner)));
        let view = err_view!(&result).unwrap();
        assert_eq!(view.message.to_string(), "outer");
        assert_eq!(view.source.unwrap().to_string(), "inner");
    }

    #[test]
    fn display_debug_and_opaque_errors_fall_back_in_order() {
        let result: Result<(), String> = Err("plain".to_owned());
        let view = err_view!(&result).unwrap();
        assert_eq!(view.message.to_string(), "plain");
        assert!(view.source.is_none());

        #[derive(Debug)]
        #[allow(dead_code)]
        struct OnlyDebug(u8);
        let result: Result<(), OnlyDebug> = Err(OnlyDebug(7));
        assert_eq!(
            err_view!(&result).unwrap().message.to_string(),
            "OnlyDebug(7)"
        );

        struct Nothing;
        let result: Result<(), Nothing> = Err(Nothing);
        let view = err_view!(&result).unwrap();
        assert!(view.type_name.ends_with("Nothing"));
        assert_eq!(view.message.to_string(), "");

        let ok: Result<(), Nothing> = Ok(());
        assert!(err_view!(&ok).is_none());
    }

    impl crate::ExpectedError for Inner {
        fn is_expected(&self) -> bool {
            true
        }
    }

    #[test]
    fn an_error_type_with_its_own_test_is_viewed_with_it() {
        let result: Result<(), Inner> = Err(Inner);
        let own = err_view!(&result).unwrap().own_test;
        assert!(own.is_some_and(|own| own.is_expected()));
        let result: Result<(), Outer> = Err(Outer(Inner));
        assert!(err_view!(&result).unwrap().own_test.is_none());
        // Behind a pointer it is a `dyn Error`, whose traits cannot be looked up.
        let result: Result<(), Box<dyn std::error::Error>> = Err(Box::new(Inner));
        let view = err_view!(&result).unwrap();
        assert!(view.own_test.is_none());
        assert!(view.this.is_some_and(|this| this.is::<Inner>()));
        // A generic function sees the bounds it has, as for the views.
        fn own_test_of<E: std::error::Error + 'static>(error: E) -> bool {
            let result: Result<(), E> = Err(error);
            err_view!(&result).unwrap().own_test.is_some()
        }
        assert!(!own_test_of(Inner));
    }

    #[test]
    fn an_error_type_inferred_later_is_viewed_without_its_own_test() {
        // The error type is known only at the end, as in a function returning
        // `Result<impl Iterator, E>`: the view does not ask for `ExpectedError`.
        let mut result = Ok(());
        let view = err_view!(inferred: &result).map(|view| view.own_test.is_some());
        assert_eq!(view, None);
        result = Err(Outer(Inner));
        assert_eq!(
            err_view!(inferred: &result).map(|view| view.message.to_string()),
            Some("outer".to_owned())
        );
    }

    #[test]
    fn generic_errors_use_the_bounds_in_scope() {
        fn view_of<E: fmt::Display>(error: E) -> String {
            let result: Result<(), E> = Err(error);
            err_view!(&result).unwrap().message.to_string()
        }
        assert_eq!(view_of(Outer(Inner)), "outer");
    }
}
