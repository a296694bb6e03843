//! Bodies written on one line, as rustfmt leaves them with `fn_single_line` and as much code is
//! written by hand: rustc's `unused_braces` looks at one-line blocks only. (Not formatted:
//! `#[rustfmt::skip]` on the module.)

use std::cmp::Ordering;
use std::fmt;

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn double(value: u32) -> u32 { value * 2 }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn checked_double(value: u32) -> Option<u32> { value.checked_mul(2) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn parse(text: &str) -> Result<u32, std::num::ParseIntError> { text.parse() }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn later(value: u32) -> u32 { double(value) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn parse_later(text: &str) -> Result<u32, std::num::ParseIntError> { parse(text) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unit(log: &mut Vec<u32>) { log.clear() }

#[derive(Debug, Default)]
pub struct List(Vec<u32>);

impl List {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn len(&self) -> usize { self.0.len() }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn is_empty(&self) -> bool { self.0.is_empty() }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn first(&self) -> Option<&u32> { self.0.first() }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn push(&mut self, value: u32) { self.0.push(value) }
}

#[derive(Debug, Copy, PartialEq, Eq, Hash)]
pub struct Id(pub u32);

impl Clone for Id {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn clone(&self) -> Self { *self }
}

impl PartialOrd for Id {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> { Some(self.cmp(other)) }
}

impl Ord for Id {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn cmp(&self, other: &Self) -> Ordering { self.0.cmp(&other.0) }
}

impl From<u32> for Id {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from(value: u32) -> Self { Id(value) }
}

impl fmt::Display for Id {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "#{}", self.0) }
}
