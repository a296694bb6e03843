fn load_order(id: u64, customer: &Customer, attempt: u8) -> Result<Order, DbError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
        function: "load_order",
        module_path: ::core::module_path!(),
        file: ::core::file!(),
        line: ::core::line!(),
        backtrace: ::tracefault::__private::BacktraceMode::Always,
        record_panics: false,
        limiter: ::tracefault::__private::RateLimiter::new(),
    };
    let __tracefault_context = ::tracefault::__private::child_context();
    let __tracefault_frame = ::tracefault::__private::Frame::enter(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::tracing::span!(
            target : "shop::db", ::tracefault::__private::tracing::Level::DEBUG,
            "load_order", id = ? id, customer = % customer, order.kind = "bulk", attempt
            = ? attempt, pending = ::tracefault::__private::tracing::field::Empty,
            trace_id = % __tracefault_context.trace_id(), span_id = %
            __tracefault_context.span_id(), error =
            ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        ),
        __tracefault_context,
    );
    __tracefault_frame
        .export_args(|| [
            ("id", ::tracefault::__private::ArgValue::debug(&id)),
            ("customer", ::tracefault::__private::ArgValue::display(&customer)),
        ]);
    let __tracefault_result = ::tracefault::__private::call::<
        Result<Order, DbError>,
        _,
    >(move || {
        let id = id;
        let customer = customer;
        let attempt = attempt;
        { query(id, customer) }
    });
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
