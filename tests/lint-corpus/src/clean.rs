//! Code that warns about nothing, in every shape `#[trace]` takes: with `traced` it must still
//! warn about nothing.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::num::ParseIntError;

// ---------------------------------------------------------------------------------------------
// Free functions: one-line bodies, `Result` and not, `?`, generics, `impl Trait`.

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn nothing() {}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn record(log: &mut Vec<String>, line: &str) {
    log.push(line.to_owned());
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn parse(text: &str) -> Result<u32, ParseIntError> {
    text.trim().parse()
}

/// `?` on an error that already is the function's error type.
#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn parse_double(text: &str) -> Result<u32, ParseIntError> {
    let value: u32 = text.parse()?;
    Ok(value * 2)
}

/// `?` that converts, through the function's error type's `From`.
#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn parse_pair(left: &str, right: &str) -> Result<(u32, u32), CorpusError> {
    let left = left.parse()?;
    let right = right.parse()?;
    if right == 0 {
        return Err(CorpusError::Zero);
    }
    Ok((left, right))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn io_result(path: &str) -> std::io::Result<usize> {
    Ok(std::fs::metadata(path)?
        .len()
        .try_into()
        .unwrap_or(usize::MAX))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn boxed_error(text: &str) -> Result<u8, Box<dyn std::error::Error + Send + Sync>> {
    Ok(text.parse::<u8>()?)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn first_even(values: &[u32]) -> Option<u32> {
    values.iter().copied().find(|value| value % 2 == 0)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or_default()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() {
        a
    } else {
        b
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    let mut items = items.iter().copied();
    let first = items.next()?;
    Some(items.fold(first, |best, item| if item > best { item } else { best }))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn count_by<K, I>(items: I) -> HashMap<K, usize>
where
    K: Hash + Eq,
    I: IntoIterator<Item = K>,
{
    let mut counts = HashMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn total(values: impl IntoIterator<Item = u32>) -> u32 {
    values.into_iter().sum()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|value| value % 2 == 0)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn checked(mut values: impl Iterator<Item = u32>) -> Result<u32, CorpusError> {
    values.try_fold(0_u32, |sum, value| {
        sum.checked_add(value).ok_or(CorpusError::Overflow)
    })
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn apply<F: Fn(u32) -> u32>(f: F, value: u32) -> u32 {
    f(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn make_adder(by: u32) -> impl Fn(u32) -> u32 {
    move |value| value + by
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn swap_taken(slot: &mut String, replacement: &str) -> String {
    std::mem::replace(slot, replacement.to_owned())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn destructure((left, right): (u32, u32), Point { x, y }: Point) -> u32 {
    left + right + x + y
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mutable_parameter(mut value: u32) -> u32 {
    value += 1;
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn loops(limit: u32) -> u32 {
    let mut sum = 0;
    for value in 0..limit {
        if value % 3 == 0 {
            continue;
        }
        sum += value;
    }
    sum
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn diverges(message: &str) -> ! {
    panic!("{message}")
}

/// # Safety
///
/// `pointer` must be valid for reads.
#[cfg_attr(feature = "traced", tracefault::trace)]
pub unsafe fn read(pointer: *const u32) -> u32 {
    // SAFETY: the caller's promise.
    unsafe { *pointer }
}

// ---------------------------------------------------------------------------------------------
// async: `async fn`, `impl Future`.

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn async_add(a: u32, b: u32) -> u32 {
    a + b
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn async_parse(text: &str) -> Result<u32, CorpusError> {
    let value = parse(text)?;
    Ok(async_add(value, 1).await)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn async_unit(log: &mut Vec<String>) {
    log.push(async_add(1, 2).await.to_string());
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn async_generic<T: fmt::Display + Send>(value: T) -> String {
    value.to_string()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn later(value: u32) -> impl Future<Output = Result<u32, CorpusError>> {
    let doubled = value.checked_mul(2);
    async move { doubled.ok_or(CorpusError::Overflow) }
}

// ---------------------------------------------------------------------------------------------
// Methods and trait implementations.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    items: Vec<u32>,
    name: String,
}

impl Stack {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    #[must_use]
    pub fn new(name: &str) -> Self {
        Stack {
            items: Vec::new(),
            name: name.to_owned(),
        }
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn name(&self) -> &str {
        &self.name
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn push(&mut self, item: u32) {
        self.items.push(item);
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn pop(&mut self) -> Result<u32, CorpusError> {
        self.items.pop().ok_or(CorpusError::Empty)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn take_items(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.items)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn into_items(self) -> Vec<u32> {
        self.items
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub async fn push_later(&mut self, item: u32) -> Result<usize, CorpusError> {
        if item == 0 {
            return Err(CorpusError::Zero);
        }
        self.items.push(item);
        Ok(self.len())
    }
}

impl Default for Stack {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn default() -> Self {
        Stack::new("default")
    }
}

/// A `Copy` type whose `Clone` is the canonical `*self`.
#[derive(Debug, Copy, PartialEq, Eq)]
pub struct Meters(pub u32);

impl Clone for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn clone(&self) -> Self {
        *self
    }
}

/// `PartialOrd` in its canonical form, `Some(self.cmp(other))`, beside a real `Ord`.
impl PartialOrd for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl Hash for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl From<u32> for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from(value: u32) -> Self {
        Meters(value)
    }
}

impl fmt::Display for Meters {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} m", self.0)
    }
}

impl std::str::FromStr for Meters {
    type Err = ParseIntError;

    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Meters(text.trim_end_matches(" m").parse()?))
    }
}

impl Iterator for Stack {
    type Item = u32;

    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn next(&mut self) -> Option<u32> {
        self.items.pop()
    }
}

/// A trait with a default method body.
pub trait Shape {
    fn area(&self) -> f64;

    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn describe(&self) -> String {
        format!("a shape of area {}", self.area())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Square(pub f64);

impl Shape for Square {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}

/// A generic implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper<T>(pub T);

impl<T: fmt::Display> fmt::Display for Wrapper<T> {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.0)
    }
}

impl<T: Clone> Wrapper<T> {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn get(&self) -> T {
        self.0.clone()
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn map<U, F: FnOnce(T) -> U>(self, f: F) -> Wrapper<U> {
        Wrapper(f(self.0))
    }
}

// ---------------------------------------------------------------------------------------------
// The error type of the corpus.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorpusError {
    Parse(ParseIntError),
    Zero,
    Empty,
    Overflow,
}

impl fmt::Display for CorpusError {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorpusError::Parse(error) => write!(f, "not a number: {error}"),
            CorpusError::Zero => f.write_str("zero"),
            CorpusError::Empty => f.write_str("empty"),
            CorpusError::Overflow => f.write_str("overflow"),
        }
    }
}

impl std::error::Error for CorpusError {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CorpusError::Parse(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ParseIntError> for CorpusError {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from(error: ParseIntError) -> Self {
        CorpusError::Parse(error)
    }
}
