//! What an error or a panic says about itself: type names as a reader writes them, messages,
//! and the `source()` chain.

use super::Cause;
use std::any::Any;
use std::borrow::Cow;
use std::error::Error;

/// The longest `source()` chain a report follows; a longer one is cut, a cyclic one ends.
pub(crate) const MAX_CAUSES: usize = 32;

/// The `source()` chain below an error, outermost first. A cause that came from another
/// service (in a [`RemoteError`](super::remote_error::RemoteError)) keeps the type that service
/// named and where it ran.
pub(crate) fn causes_of(mut source: Option<&(dyn Error + 'static)>) -> Vec<Cause> {
    let mut causes = Vec::new();
    while let Some(error) = source {
        if causes.len() == MAX_CAUSES {
            causes.push(Cause::new(None, "[further causes omitted]".into()));
            break;
        }
        let cause = match error.downcast_ref::<super::remote_error::RemoteCause>() {
            Some(remote) => Cause {
                type_name: remote.type_name().map(|name| Cow::Owned(name.to_owned())),
                message: remote.message().to_owned(),
                remote: Some(Box::new(remote.origin().clone())),
            },
            None => Cause::new(known_type_name(error).map(Cow::Borrowed), error.to_string()),
        };
        causes.push(cause);
        source = error.source();
    }
    causes
}

/// The message of a panic payload: `panic!` gives a `&str` or a `String`.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// The name of an error type that a `dyn Error` cannot tell: the standard library's, the
/// common ones of the crates that a feature of ours already depends on (`serde_json` and
/// `http` with `http`, `axum` with `axum`, `tokio` with `tokio`, `reqwest` with `reqwest` and
/// `reqwest-0-12`), then those the program named
/// ([`Config::name_error_type`](crate::Config::name_error_type)): a cause `invalid type: string
/// "12.99"` says it is a `serde_json::Error`. A downcast per known type, only for causes
/// whose type is not known otherwise.
pub(crate) fn known_type_name(error: &(dyn Error + 'static)) -> Option<&'static str> {
    macro_rules! known {
        ($($(#[$when:meta])* $ty:ty => $name:literal,)*) => {
            $($(#[$when])* if error.is::<$ty>() { return Some($name); })*
        };
    }
    known! {
        #[cfg(feature = "http")]
        serde_json::Error => "serde_json::Error",
        #[cfg(feature = "http")]
        http::Error => "http::Error",
        #[cfg(feature = "http")]
        http::header::InvalidHeaderValue => "http::header::InvalidHeaderValue",
        #[cfg(feature = "http")]
        http::header::InvalidHeaderName => "http::header::InvalidHeaderName",
        #[cfg(feature = "http")]
        http::header::ToStrError => "http::header::ToStrError",
        #[cfg(feature = "http")]
        http::uri::InvalidUri => "http::uri::InvalidUri",
        #[cfg(feature = "http")]
        http::uri::InvalidUriParts => "http::uri::InvalidUriParts",
        #[cfg(feature = "http")]
        http::method::InvalidMethod => "http::method::InvalidMethod",
        #[cfg(feature = "http")]
        http::status::InvalidStatusCode => "http::status::InvalidStatusCode",
        #[cfg(feature = "axum")]
        axum_core::Error => "axum::Error",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::BytesRejection => "axum::extract::rejection::BytesRejection",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::StringRejection => "axum::extract::rejection::StringRejection",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::FailedToBufferBody => "axum::extract::rejection::FailedToBufferBody",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::LengthLimitError => "axum::extract::rejection::LengthLimitError",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::UnknownBodyError => "axum::extract::rejection::UnknownBodyError",
        #[cfg(feature = "axum")]
        axum_core::extract::rejection::InvalidUtf8 => "axum::extract::rejection::InvalidUtf8",
        #[cfg(feature = "tokio")]
        tokio::time::error::Elapsed => "tokio::time::error::Elapsed",
        #[cfg(feature = "tokio")]
        tokio::task::JoinError => "tokio::task::JoinError",
        #[cfg(feature = "tokio")]
        tokio::sync::oneshot::error::RecvError => "tokio::sync::oneshot::error::RecvError",
        #[cfg(feature = "tokio")]
        tokio::sync::AcquireError => "tokio::sync::AcquireError",
        #[cfg(feature = "reqwest")]
        reqwest::Error => "reqwest::Error",
        #[cfg(feature = "reqwest-0-12")]
        reqwest_0_12::Error => "reqwest::Error",
        std::io::Error => "std::io::Error",
        std::fmt::Error => "std::fmt::Error",
        std::num::ParseIntError => "std::num::ParseIntError",
        std::num::ParseFloatError => "std::num::ParseFloatError",
        std::num::TryFromIntError => "std::num::TryFromIntError",
        std::str::Utf8Error => "std::str::Utf8Error",
        std::string::FromUtf8Error => "std::string::FromUtf8Error",
        std::str::ParseBoolError => "std::str::ParseBoolError",
        std::char::ParseCharError => "std::char::ParseCharError",
        std::net::AddrParseError => "std::net::AddrParseError",
        std::env::VarError => "std::env::VarError",
        std::time::SystemTimeError => "std::time::SystemTimeError",
        std::array::TryFromSliceError => "std::array::TryFromSliceError",
        std::cell::BorrowError => "std::cell::BorrowError",
        std::cell::BorrowMutError => "std::cell::BorrowMutError",
        std::sync::mpsc::RecvError => "std::sync::mpsc::RecvError",
        std::ffi::NulError => "std::ffi::NulError",
        super::remote_error::RemoteError => "tracefault::RemoteError",
    }
    crate::settings::error_types::name_of(error)
}

/// Type names as a reader writes them: `std::io::Error` rather than `std::io::error::Error`.
pub(crate) fn readable_type_name(type_name: &'static str) -> Cow<'static, str> {
    const REWRITES: &[(&str, &str)] = &[
        ("std::io::error::Error", "std::io::Error"),
        ("alloc::string::String", "String"),
        ("alloc::boxed::Box", "Box"),
        ("core::fmt::Error", "std::fmt::Error"),
        ("core::num::error::", "std::num::"),
        ("core::error::Error", "Error"),
        ("core::marker::", ""),
        (
            "tracefault::report::remote_error::RemoteError",
            "tracefault::RemoteError",
        ),
    ];
    if !names_a_rewritten_path(type_name) {
        return Cow::Borrowed(type_name);
    }
    let mut name = type_name.to_owned();
    for (from, to) in REWRITES {
        name = name.replace(from, to);
    }
    Cow::Owned(name)
}

/// Whether a path in `type_name` starts where one of [`readable_type_name`]'s rewrites does:
/// one pass, comparing only where a path starts, since every error's type name is asked.
fn names_a_rewritten_path(type_name: &str) -> bool {
    const STARTS: [&[u8]; 4] = [
        b"alloc::",
        b"core::",
        b"std::io::error::",
        b"tracefault::report::remote_error::",
    ];
    let bytes = type_name.as_bytes();
    let mut path_starts_here = true;
    for (index, &byte) in bytes.iter().enumerate() {
        if path_starts_here && STARTS.iter().any(|start| bytes[index..].starts_with(start)) {
            return true;
        }
        path_starts_here = !(byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':');
    }
    false
}

/// `crate::module::Type::function` from what `type_name` says of an item declared inside the
/// function (`crate::module::Type::function::__TRACEFAULT_SITE::inside`):
/// a method's name with its `Self` type, as Python's `__qualname__`, and as the traceback's
/// symbols name it.
pub(crate) fn function_of_item_inside(item_path: &str) -> Cow<'_, str> {
    let path = match item_path.find("::__TRACEFAULT_SITE") {
        Some(end) => &item_path[..end],
        None => item_path,
    };
    let path = path.trim_end_matches("::{{closure}}");
    let cleaned = crate::traceback::clean_function_name(path);
    if cleaned == path {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(cleaned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_payloads_give_their_message() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("owned")), "owned");
        assert_eq!(panic_message(&42_u8), "Box<dyn Any>");
    }

    #[test]
    fn standard_type_names_are_shortened() {
        assert_eq!(
            readable_type_name("std::io::error::Error"),
            "std::io::Error"
        );
        assert_eq!(
            readable_type_name(
                "alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
            ),
            "Box<dyn Error + Send + Sync>"
        );
        assert_eq!(readable_type_name("shop::StockError"), "shop::StockError");
        assert_eq!(
            readable_type_name("shop::Wrapper<core::num::error::ParseIntError>"),
            "shop::Wrapper<std::num::ParseIntError>"
        );
        assert_eq!(
            readable_type_name("&tracefault::report::remote_error::RemoteError"),
            "&tracefault::RemoteError"
        );
        // Only where a path starts: a crate of the user's named like a standard one is theirs.
        assert_eq!(readable_type_name("mycore::Error"), "mycore::Error");
    }

    #[test]
    fn a_function_is_named_with_its_self_type() {
        assert_eq!(
            function_of_item_inside(
                "app::server::Handler::run::__TRACEFAULT_SITE::{{closure}}::{{closure}}"
            ),
            "app::server::Handler::run"
        );
        assert_eq!(
            function_of_item_inside("app::Stack<_>::push::__TRACEFAULT_SITE::{{closure}}"),
            "app::Stack::push"
        );
        assert_eq!(
            function_of_item_inside(
                "<app::Handler as core::fmt::Display>::fmt::__TRACEFAULT_SITE::{{closure}}"
            ),
            "<app::Handler as core::fmt::Display>::fmt"
        );
        assert_eq!(
            function_of_item_inside("app::run::{{closure}}::__TRACEFAULT_SITE::{{closure}}"),
            "app::run"
        );
    }
}
