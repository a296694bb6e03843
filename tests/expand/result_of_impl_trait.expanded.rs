#[cfg(not(clippy))]
fn evens(limit: u32) -> Result<impl Iterator<Item = u32>, RangeError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "evens",
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
    let __tracefault_result = ::tracefault::__private::call(move || {
        let limit = limit;
        Ok((0..limit).filter(|n| n % 2 == 0))
    });
    __tracefault_guard
        .leave(::tracefault::__private::err_view!(inferred : & __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn evens(limit: u32) -> Result<impl Iterator<Item = u32>, RangeError> {
    Ok((0..limit).filter(|n| n % 2 == 0))
}
