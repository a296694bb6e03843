//! Code written to warn: each function triggers the lint its name says (rustc's or clippy's, on
//! the body or the signature). With `traced` the same warnings must appear at the same places,
//! no more and no fewer.

use std::fmt;

// ---------------------------------------------------------------------------------------------
// rustc

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_variable(value: u32) -> u32 {
    let unused = value * 2;
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_parameter(value: u32, unused: u32) -> u32 {
    value + 1
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_parameter_result(value: u32, unused: u32) -> Result<u32, fmt::Error> {
    Ok(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_parameter_async(value: u32, unused: u32) -> u32 {
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_mut(value: u32) -> u32 {
    let mut copy = value;
    copy
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_mut_parameter(mut value: u32) -> Result<u32, fmt::Error> {
    Ok(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_braces_inside(value: u32) -> u32 {
    let doubled = { value * 2 };
    doubled
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_parens(value: u32) -> u32 {
    let sum = (value + 1);
    sum * 2
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_result(text: &str) -> u32 {
    text.parse::<u32>();
    1
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unreachable_code(value: u32) -> u32 {
    if value > 1 {
        return value;
    }
    panic!("small");
    value + 1
}

#[cfg_attr(feature = "traced", tracefault::trace)]
#[allow(non_snake_case)]
pub fn allowed_non_snake_Case(value: u32) -> u32 {
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn non_snake_Case(value: u32) -> u32 {
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
fn dead_code(value: u32) -> u32 {
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_assignment(value: u32) -> u32 {
    let mut result = value;
    result = value + 1;
    let _ = result;
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn while_true(mut value: u32) -> u32 {
    while true {
        value += 1;
        if value > 10 {
            break;
        }
    }
    value
}

// ---------------------------------------------------------------------------------------------
// clippy, on the body

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion(text: String) -> String {
    String::from(text)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_into(text: String) -> String {
    let same: String = text.into();
    same
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_result(text: &str) -> Result<u32, std::num::ParseIntError> {
    let value: u32 = text.parse().map_err(std::num::ParseIntError::from)?;
    Ok(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default(items: &mut Vec<u32>) -> Vec<u32> {
    std::mem::replace(items, Vec::new())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_result(items: &mut String) -> Result<String, fmt::Error> {
    Ok(std::mem::replace(items, String::default()))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return(value: u32) -> u32 {
    return value + 1;
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return_result(value: u32) -> Result<u32, fmt::Error> {
    return Ok(value + 1);
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn needless_return_async(value: u32) -> u32 {
    return value + 1;
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn let_and_return(value: u32) -> u32 {
    let result = value * 3;
    result
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_question_mark(text: &str) -> Result<u32, std::num::ParseIntError> {
    Ok(text.parse::<u32>()?)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn redundant_clone(text: &str) -> String {
    let owned = text.to_owned();
    owned.clone()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn len_zero(items: &[u32]) -> bool {
    items.len() == 0
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn bool_comparison(flag: bool) -> bool {
    flag == true
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn identity_op(value: u32) -> u32 {
    value + 0
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn clone_on_copy(value: &u32) -> u32 {
    value.clone()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unnecessary_cast(value: u32) -> u32 {
    value as u32
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn collapsible_if(a: bool, b: bool) -> u32 {
    if a {
        if b {
            return 1;
        }
    }
    0
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn single_match(value: Option<u32>) -> u32 {
    match value {
        Some(value) => return value,
        _ => {}
    }
    0
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn manual_map(value: Option<u32>) -> Option<u32> {
    match value {
        Some(value) => Some(value + 1),
        None => None,
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn question_mark(value: Option<u32>) -> Option<u32> {
    let Some(value) = value else { return None };
    Some(value * 2)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_borrow(text: &str) -> usize {
    str::len(&&text)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn redundant_closure(values: &[u32]) -> Vec<String> {
    values.iter().map(|value| value.to_string()).collect()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unit_arg(log: &mut Vec<()>) {
    log.push(println!("hello"));
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_unit() -> () {}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn let_unit_value() {
    let unit = println!("hello");
    let _ = unit;
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn manual_async_fn(value: u32) -> impl std::future::Future<Output = u32> {
    async move { value + 1 }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_async(value: u32) -> u32 {
    value + 1
}

// ---------------------------------------------------------------------------------------------
// clippy, on the signature

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_lifetimes<'a>(text: &'a str) -> &'a str {
    text
}

#[cfg_attr(feature = "traced", tracefault::trace)]
#[allow(clippy::too_many_arguments)]
pub fn allowed_too_many_arguments(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) -> u8 {
    a ^ b ^ c ^ d ^ e ^ f ^ g ^ h
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn too_many_arguments(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) -> u8 {
    a ^ b ^ c ^ d ^ e ^ f ^ g ^ h
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn ptr_arg(items: &Vec<u32>) -> usize {
    items.len()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn result_unit_err(value: u32) -> Result<u32, ()> {
    value.checked_sub(1).ok_or(())
}

pub struct Things(Vec<u32>);

impl Things {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn new() -> Self {
        Things(Vec::new())
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn add(self, other: Self) -> Self {
        Things(self.0.into_iter().chain(other.0).collect())
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn wrong_self_convention_to(self) -> Vec<u32> {
        self.0
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn take(&mut self) -> Vec<u32> {
        std::mem::replace(&mut self.0, Default::default())
    }
}

// ---------------------------------------------------------------------------------------------
// Trait implementations that clippy holds to a form

#[derive(Debug, Copy, PartialEq, Eq)]
pub struct NonCanonicalClone(u32);

impl Clone for NonCanonicalClone {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn clone(&self) -> Self {
        NonCanonicalClone(self.0)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct NonCanonicalOrd(u32);

impl PartialOrd for NonCanonicalOrd {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(&other.0)
    }
}

impl Ord for NonCanonicalOrd {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

#[derive(Debug, Clone)]
pub struct ManualEq(u32);

impl PartialEq for ManualEq {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

pub struct DerivableDefault(u32);

impl Default for DerivableDefault {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn default() -> Self {
        DerivableDefault(0)
    }
}

pub struct FallibleFrom(u8);

impl From<&str> for FallibleFrom {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from(text: &str) -> Self {
        FallibleFrom(text.parse().unwrap())
    }
}

pub struct ToStringInFormatArgs(u32);

impl fmt::Display for ToStringInFormatArgs {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.to_string())
    }
}
