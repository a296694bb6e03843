fn parse(text: String) -> Result<u32, std::num::ParseIntError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "parse",
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
            ::tracefault::__private::tracing::Level::INFO, "parse", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    let __tracefault_result = ::tracefault::__private::call::<
        Result<u32, std::num::ParseIntError>,
        _,
    >(move || {
        let mut text = text;
        {
            text.retain(|c| !c.is_whitespace());
            text.parse()
        }
    });
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
