#[cfg(not(clippy))]
/// Adds one.
#[must_use]
pub fn increment(value: u32) -> u32 {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "increment",
        ::core::module_path!(),
        ::core::file!(),
        ::core::line!(),
        ::core::line!(),
        {
            fn inside() -> &'static str {
                ::core::any::type_name_of_val(&inside)
            }
            inside
        },
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::new(&__TRACEFAULT_SITE);
    let __tracefault_guard = __tracefault_frame.enter();
    value + 1
}
#[cfg(clippy)]
/// Adds one.
#[must_use]
pub fn increment(value: u32) -> u32 {
    value + 1
}
