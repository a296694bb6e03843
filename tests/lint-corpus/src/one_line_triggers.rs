//! Lint triggers in bodies written on one line. (Not formatted: `#[rustfmt::skip]` on the
//! module.)

use std::num::ParseIntError;

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion(text: String) -> String { String::from(text) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_into(text: String) -> String { text.into() }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn useless_conversion_result(text: String) -> Result<String, ParseIntError> { Ok(text.into()) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn useless_conversion_async(text: String) -> String { String::from(text) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default(items: &mut Vec<u32>) -> Vec<u32> { std::mem::replace(items, Vec::new()) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn mem_replace_with_default_result(items: &mut Vec<u32>) -> Result<Vec<u32>, ParseIntError> { Ok(std::mem::replace(items, Default::default())) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub async fn mem_replace_with_default_async(items: &mut Vec<u32>) -> Vec<u32> { std::mem::replace(items, Vec::new()) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn needless_return(value: u32) -> u32 { return value; }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn question_mark_already_matching(text: &str) -> Result<u32, ParseIntError> { Ok(text.parse::<u32>()?) }

#[cfg_attr(feature = "traced", tracefault::trace)]
pub fn unused_variable(value: u32, unused: u32) -> u32 { value }

pub struct Holder(Vec<u32>);

impl Holder {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn take(&mut self) -> Vec<u32> { std::mem::replace(&mut self.0, Vec::new()) }

    #[cfg_attr(feature = "traced", tracefault::trace)]
    pub fn converted(&self) -> Vec<u32> { self.0.clone().into_iter().collect::<Vec<u32>>().into() }
}

impl From<Holder> for Vec<u32> {
    #[cfg_attr(feature = "traced", tracefault::trace)]
    fn from(holder: Holder) -> Self { holder.0.into() }
}
