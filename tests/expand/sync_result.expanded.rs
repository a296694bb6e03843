#[cfg(not(clippy))]
fn parse(text: String) -> Result<u32, std::num::ParseIntError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "parse",
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
        Result<u32, std::num::ParseIntError>,
        _,
    >(move || {
        let mut text = text;
        text.retain(|c| !c.is_whitespace());
        text.parse()
    });
    __tracefault_guard.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn parse(mut text: String) -> Result<u32, std::num::ParseIntError> {
    text.retain(|c| !c.is_whitespace());
    text.parse()
}
