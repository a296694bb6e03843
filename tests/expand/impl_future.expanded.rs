fn load(id: u64) -> impl Future<Output = Result<Record, DbError>> + Send {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "load",
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
            ::tracefault::__private::tracing::Level::INFO, "load", trace_id = %
            __tracefault_context.trace_id(), span_id = % __tracefault_context.span_id(),
            error = ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    let __tracefault_future = ::tracefault::__private::call(move || {
        let id = id;
        { async move { query(id).await } }
    });
    async move {
        let __tracefault_result = __tracefault_frame
            .instrument(__tracefault_future)
            .await;
        __tracefault_frame
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
}
