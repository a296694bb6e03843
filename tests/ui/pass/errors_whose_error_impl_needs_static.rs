//! Error types that implement `Error` only for some lifetimes compile instrumented: they are
//! described by `Display` (or `Debug`), and no bound is added to the function.
#![deny(warnings)]
#![allow(dead_code)]

use std::fmt;

/// `Debug` and `Display` for any `T`, `Error` only for `'static` ones, as collections' capacity
/// errors are.
pub struct Full<T>(pub T);

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the collection is full")
    }
}

impl<T: 'static> std::error::Error for Full<T> {}

#[tracefault::trace]
pub fn push<T>(x: T) -> Result<(), Full<T>> {
    Err(Full(x))
}

#[tracefault::trace]
pub fn push_str(s: &str) -> Result<(), Full<&str>> {
    Err(Full(s))
}

#[tracefault::trace]
pub fn push_ref<'a, T>(x: &'a T) -> Result<(), Full<&'a T>> {
    Err(Full(x))
}

#[tracefault::trace]
pub async fn push_later<T: Send>(x: T) -> Result<(), Full<T>> {
    Err(Full(x))
}

/// An error generic over a lifetime, `Error` for every one.
#[derive(Debug)]
pub struct ParseError<'a> {
    pub input: &'a str,
}

impl fmt::Display for ParseError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot parse {:?}", self.input)
    }
}

impl std::error::Error for ParseError<'_> {}

#[tracefault::trace]
pub fn parse(input: &str) -> Result<u32, ParseError<'_>> {
    input.parse().map_err(|_| ParseError { input })
}

/// A method of a generic type whose parameter the attribute cannot see.
pub struct Stack<T>(Vec<T>);

impl<T> Stack<T> {
    #[tracefault::trace]
    pub fn try_push(&mut self, x: T) -> Result<(), Full<T>> {
        if self.0.len() == 4 {
            return Err(Full(x));
        }
        self.0.push(x);
        Ok(())
    }
}

fn main() {
    assert!(push(1).is_err());
    assert!(push_str("a").is_err());
    assert!(push_ref(&1).is_err());
    assert!(parse("x").is_err());
    let mut stack = Stack(Vec::new());
    for n in 0..5 {
        let _ = stack.try_push(n);
    }
}
