#[cfg(not(clippy))]
fn renamed() -> u32 {
    static __TRACEFAULT_SITE: ::my_facade::tracefault::__private::Site = ::my_facade::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "renamed",
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
    let mut __tracefault_frame = ::my_facade::tracefault::__private::Frame::new(
        &__TRACEFAULT_SITE,
    );
    let __tracefault_guard = __tracefault_frame.enter();
    1
}
#[cfg(clippy)]
fn renamed() -> u32 {
    1
}
