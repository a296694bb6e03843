//! Where headers live: anything that can be read as [`Extractor`] or written as [`Injector`].

use std::collections::HashMap;
use std::ops::ControlFlow;

/// Reads header values. Names are matched without regard to case, as HTTP does.
pub trait Extractor {
    /// Calls `visit` with every value of header `name`, in order. A value that is not text
    /// (non-UTF-8 bytes) is passed as `None`, so that a parser can treat it as invalid rather
    /// than as missing.
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>));

    /// Calls `visit` with the bytes of each value of header `name`, in order, until it
    /// returns `ControlFlow::Break`. tracefault's parsers read through this one: they look at
    /// no more of a value, and at no more values, than their limits let them keep, so that a
    /// carrier that holds bytes (as `http::HeaderMap` does) need not check that a whole value
    /// is text, nor go on to the values after the break.
    ///
    /// The default passes on what [`Extractor::for_each`] yields, a value that is not text as
    /// `None`, and nothing after the break.
    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        let mut stopped = false;
        self.for_each(name, &mut |value| {
            if !stopped {
                stopped = visit(value.map(str::as_bytes)).is_break();
            }
        });
    }
}

/// Visits `values` in order until `visit` breaks.
fn visit_until<'a>(
    values: impl Iterator<Item = &'a [u8]>,
    visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>,
) {
    for value in values {
        if visit(Some(value)).is_break() {
            return;
        }
    }
}

/// Writes header values, replacing any earlier value of the same name.
pub trait Injector {
    /// Sets the header `name` (lowercase) to `value`, replacing any value it had.
    fn set(&mut self, name: &str, value: String);
}

impl<E: Extractor + ?Sized> Extractor for &E {
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>)) {
        (**self).for_each(name, visit);
    }

    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        (**self).for_each_bytes(name, visit);
    }
}

impl<I: Injector + ?Sized> Injector for &mut I {
    fn set(&mut self, name: &str, value: String) {
        (**self).set(name, value);
    }
}

impl<S: std::hash::BuildHasher> Extractor for HashMap<String, String, S> {
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>)) {
        match self.get(name) {
            Some(value) => visit(Some(value)),
            None => self
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(name))
                .for_each(|(_, value)| visit(Some(value))),
        }
    }

    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        match self.get(name) {
            Some(value) => {
                let _ = visit(Some(value.as_bytes()));
            }
            None => visit_until(
                self.iter()
                    .filter(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value.as_bytes()),
                visit,
            ),
        }
    }
}

impl<S: std::hash::BuildHasher> Injector for HashMap<String, String, S> {
    fn set(&mut self, name: &str, value: String) {
        self.retain(|key, _| !key.eq_ignore_ascii_case(name));
        self.insert(name.to_owned(), value);
    }
}

/// A plain list of headers, as a test or a hand-written server has them.
impl<K: AsRef<str>, V: AsRef<str>> Extractor for [(K, V)] {
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>)) {
        self.iter()
            .filter(|(key, _)| key.as_ref().eq_ignore_ascii_case(name))
            .for_each(|(_, value)| visit(Some(value.as_ref())));
    }

    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        visit_until(
            self.iter()
                .filter(|(key, _)| key.as_ref().eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_ref().as_bytes()),
            visit,
        );
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extractor for Vec<(K, V)> {
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>)) {
        self.as_slice().for_each(name, visit);
    }

    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        self.as_slice().for_each_bytes(name, visit);
    }
}

impl Injector for Vec<(String, String)> {
    fn set(&mut self, name: &str, value: String) {
        self.retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self.push((name.to_owned(), value));
    }
}

#[cfg(feature = "http")]
impl Extractor for http::HeaderMap {
    fn for_each(&self, name: &str, visit: &mut dyn FnMut(Option<&str>)) {
        let values = match known_header_name(name) {
            Some(name) => self.get_all(name),
            None => self.get_all(name),
        };
        for value in values {
            visit(value.to_str().ok());
        }
    }

    /// The bytes as received: checking that a value is text would read all of it, however
    /// little of it a parser keeps.
    fn for_each_bytes(&self, name: &str, visit: &mut dyn FnMut(Option<&[u8]>) -> ControlFlow<()>) {
        let values = match known_header_name(name) {
            Some(name) => self.get_all(name),
            None => self.get_all(name),
        };
        visit_until(values.iter().map(http::HeaderValue::as_bytes), visit);
    }
}

/// Our own header names, known in advance: no need to parse them on every request.
#[cfg(feature = "http")]
#[inline]
fn known_header_name(name: &str) -> Option<http::header::HeaderName> {
    use super::inject::{BAGGAGE, TRACEPARENT, TRACESTATE};
    use http::header::HeaderName;
    // Built at compile time: `from_static` at run time looks the name up among the standard
    // ones and validates it, on every call.
    let (known, header_name) = match name.len() {
        // The three names differ in length: one comparison finds which it is.
        11 => (TRACEPARENT, const { HeaderName::from_static(TRACEPARENT) }),
        10 => (TRACESTATE, const { HeaderName::from_static(TRACESTATE) }),
        7 => (BAGGAGE, const { HeaderName::from_static(BAGGAGE) }),
        _ => return None,
    };
    // Our callers pass the constants themselves: the same pointer is the same text.
    (core::ptr::eq(name, known) || name == known).then_some(header_name)
}

#[cfg(feature = "http")]
impl Injector for http::HeaderMap {
    fn set(&mut self, name: &str, value: String) {
        let name = match known_header_name(name) {
            Some(name) => name,
            None => match http::header::HeaderName::from_bytes(name.as_bytes()) {
                Ok(name) => name,
                Err(_) => return,
            },
        };
        // From the `String` itself: its buffer becomes the header value, uncopied.
        if let Ok(value) = http::HeaderValue::try_from(value) {
            self.insert(name, value);
        }
    }
}
