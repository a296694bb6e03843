impl Inventory for Warehouse {
    fn reserve<'life0, 'async_trait>(
        &'life0 self,
        sku: u32,
    ) -> ::core::pin::Pin<
        Box<
            dyn ::core::future::Future<
                Output = Result<u32, StockError>,
            > + ::core::marker::Send + 'async_trait,
        >,
    >
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
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
        let __tracefault_span = ::tracefault::__private::tracing::span!(
            target : ::core::module_path!(),
            ::tracefault::__private::tracing::Level::INFO, "reserve", sku = ? sku,
            trace_id = % __tracefault_context.trace_id(), span_id = %
            __tracefault_context.span_id(), error =
            ::tracefault::__private::tracing::field::Empty, exception.r#type =
            ::tracefault::__private::tracing::field::Empty, exception.message =
            ::tracefault::__private::tracing::field::Empty,
        );
        Box::pin(async move {
            let mut __tracefault_frame = ::tracefault::__private::AsyncFrame::new(
                &__TRACEFAULT_SITE,
                __tracefault_span,
                __tracefault_context,
            );
            __tracefault_frame
                .export_args(|| [
                    ("sku", ::tracefault::__private::ArgValue::debug(&sku)),
                ]);
            let __tracefault_result = __tracefault_frame
                .instrument(async move {
                    if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<
                        Result<u32, StockError>,
                    > {
                        #[allow(unreachable_code)] return __ret;
                    }
                    let __self = self;
                    let sku = sku;
                    let __ret: Result<u32, StockError> = { __self.lookup(sku).await };
                    #[allow(unreachable_code)] __ret
                })
                .await;
            __tracefault_frame
                .leave(::tracefault::__private::err_view!(& __tracefault_result));
            __tracefault_result
        })
    }
}
