#[cfg(not(clippy))]
fn area(
    __tracefault_arg0: (u32, u32),
    __tracefault_arg1: Unit,
    scale: u32,
) -> Result<u32, Overflow> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "area",
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
    let __tracefault_result = ::tracefault::__private::call::<
        Result<u32, Overflow>,
        _,
    >(move || {
        let __tracefault_arg0 = __tracefault_arg0;
        let (width, height) = __tracefault_arg0;
        let __tracefault_arg1 = __tracefault_arg1;
        let mut scale = scale;
        scale += 1;
        width.checked_mul(height * scale).ok_or(Overflow)
    });
    __tracefault_guard.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn area((width, height): (u32, u32), _: Unit, mut scale: u32) -> Result<u32, Overflow> {
    scale += 1;
    width.checked_mul(height * scale).ok_or(Overflow)
}
