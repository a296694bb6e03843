async fn greet(name: &str) -> String {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "greet",
        module_path: ::core::module_path!(),
        file: ::core::file!(),
        line: ::core::line!(),
        backtrace: ::tracefault::__private::BacktraceMode::Origin,
        record_panics: true,
        limiter: ::tracefault::__private::RateLimiter::new(),
    };
    let __tracefault_context = ::tracefault::__private::child_context();
    let mut __tracefault_frame = ::tracefault::__private::AsyncFrame::new(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::tracing::span!(
            target : ::core::module_path!(),
            ::tracefault::__private::tracing::Level::INFO, "greet", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    let __tracefault_result = __tracefault_frame
        .instrument(async move {
            if let ::core::option::Option::Some(__tracefault_return) = ::core::option::Option::None::<
                String,
            > {
                return __tracefault_return;
            }
            let name = name;
            { format!("hello {name}") }
        })
        .await;
    __tracefault_frame.leave(::core::option::Option::None);
    __tracefault_result
}
