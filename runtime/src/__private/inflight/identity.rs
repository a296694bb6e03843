//! Whether the error a frame returns is one its callees left for it: the same error, the same
//! error boxed, or an error wrapping it. Told by where the error lives when it is behind a
//! pointer, else by its type and message, and by the `source()` chain for a wrapper; never by
//! the order in which callees finished.

use super::super::describe::{address_of, ErrorView};
use super::Record;
use crate::context::scope::inert;
use std::error::Error;
use std::fmt::{self, Write as _};

/// How a returned error continues a parked record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Continuation {
    /// The same error, passed on as it was.
    Same,
    /// The same error, now behind a pointer (`?` into a `Box<dyn Error>`, `anyhow::Error`).
    Boxed,
    /// A new error whose `source()` chain holds it at `position`.
    Wrapped { position: usize },
}

/// What a record remembers of the error it is about, to recognise it when a caller returns it.
#[derive(Debug)]
pub(super) struct Identity {
    /// `""` for a panic, which no returned error continues.
    pub(super) type_name: &'static str,
    pub(super) address: Option<usize>,
}

impl Identity {
    pub(super) const PANIC: Identity = Identity {
        type_name: "",
        address: None,
    };

    pub(super) fn of(view: &ErrorView<'_>) -> Identity {
        Identity {
            type_name: view.type_name,
            address: view.address,
        }
    }

    pub(super) fn is_panic(&self) -> bool {
        self.type_name.is_empty()
    }
}

/// The parked record that `returned` continues, and how; the first parked wins among records
/// nothing can tell apart.
pub(super) fn find(
    records: &[Box<Record>],
    returned: &ErrorView<'_>,
) -> Option<(usize, Continuation)> {
    let errors = || {
        records
            .iter()
            .enumerate()
            .filter(|(_, record)| !record.identity.is_panic())
    };
    if let Some(address) = returned.address {
        if let Some((index, _)) =
            errors().find(|(_, record)| record.identity.address == Some(address))
        {
            return Some((index, Continuation::Same));
        }
    }
    if let Some((index, _)) = errors()
        .filter(|(_, record)| same_type(record.identity.type_name, returned.type_name))
        .find(|(_, record)| says(&returned.message, record.message()))
    {
        return Some((index, Continuation::Same));
    }
    if returned.address.is_some() {
        if let Some((index, _)) =
            errors().find(|(_, record)| says(&returned.message, record.message()))
        {
            return Some((index, Continuation::Boxed));
        }
    }
    let mut source = returned.source;
    let mut position = 0;
    while let Some(cause) = source {
        let address = address_of(cause);
        let wrapped = errors()
            .find(|(_, record)| record.identity.address == Some(address))
            .or_else(|| errors().find(|(_, record)| says(&cause, record.message())));
        if let Some((index, _)) = wrapped {
            return Some((index, Continuation::Wrapped { position }));
        }
        position += 1;
        if position >= crate::report::names::MAX_CAUSES {
            return None;
        }
        source = cause.source();
    }
    None
}

/// Type names are compared as text: one type's name is usually, not always, one string.
fn same_type(known: &'static str, returned: &'static str) -> bool {
    core::ptr::eq(known, returned) || known == returned
}

/// Whether `value` displays exactly as `message`, compared as it is written: nothing is kept,
/// and the comparison stops at the first difference. The error's `Display` is the user's code,
/// which may itself be instrumented: it runs where it cannot touch the records.
fn says(value: &dyn fmt::Display, message: &str) -> bool {
    struct Compare<'a> {
        rest: &'a str,
    }
    impl fmt::Write for Compare<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            match self.rest.strip_prefix(text) {
                Some(rest) => {
                    self.rest = rest;
                    Ok(())
                }
                None => Err(fmt::Error),
            }
        }
    }
    inert(|| {
        let mut compare = Compare { rest: message };
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write!(compare, "{value}").is_ok()
        }));
        matches!(written, Ok(true)) && compare.rest.is_empty()
    })
}

/// What `error` displays, written where its instrumented code cannot touch the records.
pub(super) fn message_of(error: &dyn fmt::Display) -> String {
    inert(|| {
        let mut message = String::new();
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write!(message, "{error}").is_ok()
        }));
        match written {
            Ok(true) => message,
            Ok(false) => "[its Display returned an error]".to_owned(),
            Err(_) => "[its Display panicked]".to_owned(),
        }
    })
}

/// `source`'s chain as the report's causes, read where instrumented code cannot touch the
/// records.
pub(super) fn causes_of(source: Option<&(dyn Error + 'static)>) -> Vec<crate::report::Cause> {
    inert(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::report::names::causes_of(source)
        }))
        .unwrap_or_default()
    })
}
