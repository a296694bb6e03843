type Outcome = Result<(), String>;
#[cfg(not(clippy))]
fn forced() -> Outcome {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "forced",
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
        Outcome,
        _,
    >(move || { Ok(()) });
    __tracefault_guard.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn forced() -> Outcome {
    Ok(())
}
#[cfg(not(clippy))]
fn refused() -> Result<(), String> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "refused",
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
    Ok(())
}
#[cfg(clippy)]
fn refused() -> Result<(), String> {
    Ok(())
}
