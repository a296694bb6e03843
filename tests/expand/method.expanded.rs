impl Inventory {
    pub fn reserve(
        &mut self,
        sku: u32,
        quantity: u32,
    ) -> Result<Reservation, StockError> {
        static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site {
            function: "reserve",
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
                ::tracefault::__private::tracing::Level::INFO, "reserve", sku = ? sku,
                trace_id = % __tracefault_context.trace_id(), span_id = %
                __tracefault_context.span_id(), error =
                ::tracefault::__private::tracing::field::Empty, exception.r#type =
                ::tracefault::__private::tracing::field::Empty, exception.message =
                ::tracefault::__private::tracing::field::Empty,
            ),
            __tracefault_context,
        );
        __tracefault_frame
            .export_args(|| [("sku", ::tracefault::__private::ArgValue::debug(&sku))]);
        let __tracefault_result = ::tracefault::__private::call::<
            Result<Reservation, StockError>,
            _,
        >(move || {
            let sku = sku;
            let quantity = quantity;
            { self.take(sku, quantity) }
        });
        __tracefault_frame
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
}
