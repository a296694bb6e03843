impl Inventory for Warehouse {
    #[cfg(not(clippy))]
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
        static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
            &__TRACEFAULT_SITE,
            "reserve",
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
        let mut __tracefault_frame = ::tracefault::__private::AsyncFrame::with_span(
            &__TRACEFAULT_SITE,
            ::tracefault::__private::span!(
                ::core::module_path!(), INFO, "reserve", sku = ? sku,
            ),
        );
        __tracefault_frame
            .export_args(|| [("sku", ::tracefault::__private::ArgValue::debug(&sku))]);
        Box::pin(async move {
            let __tracefault_result: Result<u32, StockError> = __tracefault_frame
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
    #[cfg(clippy)]
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
        let _ = &sku;
        Box::pin(async move {
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
    }
}
