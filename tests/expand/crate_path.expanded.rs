fn renamed() -> u32 {
    static __TRACEFAULT_SITE: ::my_facade::tracefault::__private::Site = ::my_facade::tracefault::__private::Site {
        function: "renamed",
        module_path: ::core::module_path!(),
        file: ::core::file!(),
        line: ::core::line!(),
        backtrace: ::my_facade::tracefault::__private::BacktraceMode::Origin,
        record_panics: true,
        limiter: ::my_facade::tracefault::__private::RateLimiter::new(),
    };
    let __tracefault_context = ::my_facade::tracefault::__private::child_context();
    let __tracefault_frame = ::my_facade::tracefault::__private::Frame::enter(
        &__TRACEFAULT_SITE,
        ::my_facade::tracefault::__private::tracing::span!(
            target : ::core::module_path!(),
            ::my_facade::tracefault::__private::tracing::Level::INFO, "renamed", trace_id
            = % __tracefault_context.trace_id(), span_id = % __tracefault_context
            .span_id(), error =
            ::my_facade::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::my_facade::tracefault::__private::tracing::field::Empty, exception.message
            = ::my_facade::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    { 1 }
}
