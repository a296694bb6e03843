#[cfg(not(clippy))]
/// Adds one.
#[must_use]
pub fn increment(value: u32) -> u32 {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        "increment",
        ::core::file!(),
        ::core::line!(),
        || ::core::any::type_name_of_val(&|| ()),
        ::tracefault::__private::Site::DEFAULT,
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::new(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::span!(::core::module_path!(), INFO, "increment",),
    );
    let __tracefault_guard = __tracefault_frame.enter();
    value + 1
}
#[cfg(clippy)]
/// Adds one.
#[must_use]
pub fn increment(value: u32) -> u32 {
    value + 1
}
