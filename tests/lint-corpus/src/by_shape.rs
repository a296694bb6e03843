//! The lints of issue #11 in every shape `#[trace]` expands differently: sync and `async`,
//! returning a `Result` (the body in a closure) or not, a method, and `impl Future`. Each
//! function's name is `LINT_SHAPE`.

use std::future::Future;
use std::num::ParseIntError;

pub struct Receiver;

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_sync(text: String) -> String {
    let same: String = text.into();
    same
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_result(text: String) -> Result<String, ParseIntError> {
    let same: String = text.into();
    Ok(same)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn useless_conversion_async(text: String) -> String {
    let same: String = text.into();
    same
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn useless_conversion_async_result(text: String) -> Result<String, ParseIntError> {
    let same: String = text.into();
    Ok(same)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_impl_future(text: String) -> impl Future<Output = String> {
    let _ = ();
    async move {
        let same: String = text.into();
        same
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_sync(items: &mut Vec<u32>) -> Vec<u32> {
    std::mem::replace(items, Vec::new())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_result(items: &mut Vec<u32>) -> Result<Vec<u32>, ParseIntError> {
    Ok(std::mem::replace(items, Vec::new()))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn mem_replace_with_default_async(items: &mut Vec<u32>) -> Vec<u32> {
    std::mem::replace(items, Vec::new())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn mem_replace_with_default_async_result(
    items: &mut Vec<u32>,
) -> Result<Vec<u32>, ParseIntError> {
    Ok(std::mem::replace(items, Vec::new()))
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_impl_future(
    items: &'static mut Vec<u32>,
) -> impl Future<Output = Vec<u32>> {
    let _ = ();
    async move { std::mem::replace(items, Vec::new()) }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return_sync(value: u32) -> u32 {
    return value + 1;
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return_result(value: u32) -> Result<u32, ParseIntError> {
    return Ok(value + 1);
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn needless_return_async(value: u32) -> u32 {
    return value + 1;
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn needless_return_async_result(value: u32) -> Result<u32, ParseIntError> {
    return Ok(value + 1);
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return_impl_future(value: u32) -> impl Future<Output = u32> {
    let _ = ();
    async move {
        return value + 1;
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn let_and_return_sync(value: u32) -> u32 {
    let result = value * 3;
    result
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn let_and_return_result(value: u32) -> Result<u32, ParseIntError> {
    let result = value * 3;
    Ok(result)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn let_and_return_async(value: u32) -> u32 {
    let result = value * 3;
    result
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn let_and_return_async_result(value: u32) -> Result<u32, ParseIntError> {
    let result = value * 3;
    Ok(result)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn let_and_return_impl_future(value: u32) -> impl Future<Output = u32> {
    let _ = ();
    async move {
        let result = value * 3;
        result
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_variables_sync(value: u32) -> u32 {
    let unused = value * 2;
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_variables_result(value: u32) -> Result<u32, ParseIntError> {
    let unused = value * 2;
    Ok(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_variables_async(value: u32) -> u32 {
    let unused = value * 2;
    value
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_variables_async_result(value: u32) -> Result<u32, ParseIntError> {
    let unused = value * 2;
    Ok(value)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_variables_impl_future(value: u32) -> impl Future<Output = u32> {
    let _ = ();
    async move {
        let unused = value * 2;
        value
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_braces_sync(value: u32) -> u32 {
    let doubled = { value * 2 };
    doubled
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_braces_result(value: u32) -> Result<u32, ParseIntError> {
    let doubled = { value * 2 };
    Ok(doubled)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_braces_async(value: u32) -> u32 {
    let doubled = { value * 2 };
    doubled
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn unused_braces_async_result(value: u32) -> Result<u32, ParseIntError> {
    let doubled = { value * 2 };
    Ok(doubled)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_braces_impl_future(value: u32) -> impl Future<Output = u32> {
    let _ = ();
    async move {
        let doubled = { value * 2 };
        doubled
    }
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn redundant_clone_sync(text: &str) -> String {
    let owned = text.to_owned();
    owned.clone()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn redundant_clone_result(text: &str) -> Result<String, ParseIntError> {
    let owned = text.to_owned();
    Ok(owned.clone())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn redundant_clone_async(text: &str) -> String {
    let owned = text.to_owned();
    owned.clone()
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn redundant_clone_async_result(text: &str) -> Result<String, ParseIntError> {
    let owned = text.to_owned();
    Ok(owned.clone())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn redundant_clone_impl_future(text: &'static str) -> impl Future<Output = String> {
    let _ = ();
    async move {
        let owned = text.to_owned();
        owned.clone()
    }
}

impl Receiver {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn useless_conversion_method(&self, text: String) -> Result<String, ParseIntError> {
        let same: String = text.into();
        Ok(same)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn mem_replace_with_default_method(
        &self,
        items: &mut Vec<u32>,
    ) -> Result<Vec<u32>, ParseIntError> {
        Ok(std::mem::replace(items, Vec::new()))
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn needless_return_method(&self, value: u32) -> Result<u32, ParseIntError> {
        return Ok(value + 1);
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn let_and_return_method(&self, value: u32) -> Result<u32, ParseIntError> {
        let result = value * 3;
        Ok(result)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn unused_variables_method(&self, value: u32) -> Result<u32, ParseIntError> {
        let unused = value * 2;
        Ok(value)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn unused_braces_method(&self, value: u32) -> Result<u32, ParseIntError> {
        let doubled = { value * 2 };
        Ok(doubled)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn redundant_clone_method(&self, text: &str) -> Result<String, ParseIntError> {
        let owned = text.to_owned();
        Ok(owned.clone())
    }
}

// The same lints under an `impl Trait` return type (no turbofish in the expansion) and in a
// trait's default method.

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_impl_trait(text: String) -> impl std::fmt::Debug {
    String::from(text)
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_impl_trait(items: &mut Vec<u32>) -> impl std::fmt::Debug {
    std::mem::replace(items, Vec::new())
}

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return_impl_trait(value: u32) -> impl std::fmt::Debug {
    return value + 1;
}

pub trait Defaults {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn useless_conversion_default_method(&self, text: String) -> String {
        String::from(text)
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn mem_replace_with_default_default_method(&self, items: &mut Vec<u32>) -> Vec<u32> {
        std::mem::replace(items, Vec::new())
    }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn needless_return_default_method(&self, value: u32) -> Result<u32, ParseIntError> {
        return Ok(value);
    }
}
