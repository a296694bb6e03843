#[cfg(not(clippy))]
fn renamed() -> u32 {
    static __TRACEFAULT_SITE: ::my_facade::tracefault::__private::Site = ::my_facade::tracefault::__private::Site::new(
        "renamed",
        ::core::file!(),
        ::core::line!(),
        || ::core::any::type_name_of_val(&|| ()),
        ::my_facade::tracefault::__private::Site::DEFAULT,
    );
    let mut __tracefault_frame = ::my_facade::tracefault::__private::Frame::new(
        &__TRACEFAULT_SITE,
        ::my_facade::tracefault::__private::span!(
            ::core::module_path!(), INFO, "renamed",
        ),
    );
    let __tracefault_guard = __tracefault_frame.enter();
    1
}
#[cfg(clippy)]
fn renamed() -> u32 {
    1
}
