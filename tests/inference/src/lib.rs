//! Comparisons whose types rustc infers from the only `PartialEq` impl there is for a primitive
//! type. A crate with broad impls on primitives (`serde_json`'s `impl PartialEq<Value> for
//! u32`, `From<u8> for Value`, `Default for Value`, ...) makes them ambiguous (E0282/E0283) in
//! every crate that loads it, so such a crate must not be in tracefault's default dependency
//! graph: depending on `tracefault` must leave this code compiling. Each function is
//! instrumented, so that the crate mentions `::tracefault` as any user of it does.

/// `assert_eq!(values, [])`: the element type of `[]` comes from `u32: PartialEq<?>`.
#[tracefault::trace]
pub fn assert_none_left(values: &[u32]) {
    assert_eq!(values, []);
}

/// `1_u32 == code`: the target of the earlier `into` comes from `u32: PartialEq<?>`.
#[tracefault::trace]
pub fn is_one(small: u16) -> bool {
    let code = small.into();
    1_u32 == code
}

/// `x == small.into()`: the target of `into` comes from `u32: PartialEq<?>`.
#[tracefault::trace]
pub fn equals_widened(x: u32, small: u8) -> bool {
    x == small.into()
}

/// `flag == Default::default()`: the type of the default comes from `bool: PartialEq<?>`.
#[tracefault::trace]
pub fn is_default(flag: bool) -> bool {
    flag == Default::default()
}

/// A `Result`-returning body (the error-capturing expansion), with `.into()` chained twice.
#[tracefault::trace]
pub fn widened_twice(small: u8) -> Result<u64, std::num::TryFromIntError> {
    let middle: u32 = small.into();
    let wide = u64::from(middle);
    if wide == middle.into() {
        Ok(wide)
    } else {
        Err(u8::try_from(300_u32).unwrap_err())
    }
}
