type Outcome = Result<(), String>;
#[cfg(not(clippy))]
fn forced() -> Outcome {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        "forced",
        ::core::file!(),
        ::core::line!(),
        || ::core::any::type_name_of_val(&|| ()),
        ::tracefault::__private::Site::DEFAULT,
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::new(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::span!(::core::module_path!(), INFO, "forced",),
    );
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
        "refused",
        ::core::file!(),
        ::core::line!(),
        || ::core::any::type_name_of_val(&|| ()),
        ::tracefault::__private::Site::DEFAULT,
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::new(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::span!(::core::module_path!(), INFO, "refused",),
    );
    let __tracefault_guard = __tracefault_frame.enter();
    Ok(())
}
#[cfg(clippy)]
fn refused() -> Result<(), String> {
    Ok(())
}
