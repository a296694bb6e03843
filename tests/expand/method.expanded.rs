impl Inventory {
    #[cfg(not(clippy))]
    pub fn reserve(
        &mut self,
        sku: u32,
        quantity: u32,
    ) -> Result<Reservation, StockError> {
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
        let mut __tracefault_frame = ::tracefault::__private::Frame::with_span(
            &__TRACEFAULT_SITE,
            ::tracefault::__private::span!(
                ::core::module_path!(), INFO, "reserve", sku = ? sku,
            ),
        );
        let __tracefault_guard = __tracefault_frame.enter();
        __tracefault_guard
            .export_args(|| [("sku", ::tracefault::__private::ArgValue::debug(&sku))]);
        let __tracefault_result = ::tracefault::__private::call::<
            Result<Reservation, StockError>,
            _,
        >(move || {
            let sku = sku;
            let _ = &sku;
            let quantity = quantity;
            self.take(sku, quantity)
        });
        __tracefault_guard
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
    #[cfg(clippy)]
    pub fn reserve(
        &mut self,
        sku: u32,
        quantity: u32,
    ) -> Result<Reservation, StockError> {
        let _ = &sku;
        self.take(sku, quantity)
    }
}
