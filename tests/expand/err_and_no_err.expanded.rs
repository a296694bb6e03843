type Outcome = Result<(), String>;
fn forced() -> Outcome {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "forced",
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
            ::tracefault::__private::tracing::Level::INFO, "forced", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    let __tracefault_result = ::tracefault::__private::call::<
        Outcome,
        _,
    >(move || { { Ok(()) } });
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
fn refused() -> Result<(), String> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "refused",
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
            ::tracefault::__private::tracing::Level::INFO, "refused", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    { Ok(()) }
}
