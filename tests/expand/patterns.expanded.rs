fn area(
    __tracefault_arg0: (u32, u32),
    __tracefault_arg1: Unit,
    scale: u32,
) -> Result<u32, Overflow> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "area",
        module_path: ::core::module_path!(),
        file: ::core::file!(),
        line: ::core::line!(),
        backtrace: ::tracefault::__private::BacktraceMode::Origin,
        record_panics: true,
        limiter: ::tracefault::__private::RateLimiter::new(),
    };
    let __tracefault_context = ::tracefault::__private::child_context();
    let __tracefault_frame = ::tracefault::__private::Frame::enter(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::tracing::span!(
            target : ::core::module_path!(),
            ::tracefault::__private::tracing::Level::INFO, "area", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    let __tracefault_result = ::tracefault::__private::call::<
        Result<u32, Overflow>,
        _,
    >(move || {
        let __tracefault_arg0 = __tracefault_arg0;
        let (width, height) = __tracefault_arg0;
        let __tracefault_arg1 = __tracefault_arg1;
        let mut scale = scale;
        {
            scale += 1;
            width.checked_mul(height * scale).ok_or(Overflow)
        }
    });
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
