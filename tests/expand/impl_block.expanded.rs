impl Inventory {
    #[cfg(not(clippy))]
    pub fn reserve(&mut self, sku: u32) -> Result<u32, StockError> {
        static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::with(
            &__TRACEFAULT_SITE,
            "reserve",
            "reserve",
            ::core::module_path!(),
            ::core::file!(),
            ::core::line!(),
            ::core::line!(),
            ::tracefault::__private::tracing::Level::DEBUG,
            {
                fn inside() -> &'static str {
                    ::core::any::type_name_of_val(&inside)
                }
                inside
            },
            ::tracefault::__private::Site::DEFAULT,
        );
        let mut __tracefault_frame = ::tracefault::__private::Frame::new(
            &__TRACEFAULT_SITE,
        );
        let __tracefault_guard = __tracefault_frame.enter();
        let __tracefault_result = ::tracefault::__private::call::<
            Result<u32, StockError>,
            _,
        >(move || {
            let sku = sku;
            self.take(sku)
        });
        __tracefault_guard
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
    #[cfg(clippy)]
    pub fn reserve(&mut self, sku: u32) -> Result<u32, StockError> {
        self.take(sku)
    }
    #[cfg(not(clippy))]
    fn take(&mut self, sku: u32) -> Result<u32, StockError> {
        static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::with(
            &__TRACEFAULT_SITE,
            "take",
            "take",
            ::core::module_path!(),
            ::core::file!(),
            ::core::line!(),
            ::core::line!(),
            ::tracefault::__private::tracing::Level::DEBUG,
            {
                fn inside() -> &'static str {
                    ::core::any::type_name_of_val(&inside)
                }
                inside
            },
            ::tracefault::__private::Site::options(
                ::tracefault::__private::BacktraceMode::Never,
                true,
            ),
        );
        let mut __tracefault_frame = ::tracefault::__private::Frame::with_span(
            &__TRACEFAULT_SITE,
            ::tracefault::__private::span!(
                ::core::module_path!(), DEBUG, "take", sku = ? sku,
            ),
        );
        let __tracefault_guard = __tracefault_frame.enter();
        __tracefault_guard
            .export_args(|| [("sku", ::tracefault::__private::ArgValue::debug(&sku))]);
        let __tracefault_result = ::tracefault::__private::call::<
            Result<u32, StockError>,
            _,
        >(move || {
            let sku = sku;
            let _ = &sku;
            Ok(sku)
        });
        __tracefault_guard
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
    #[cfg(clippy)]
    fn take(&mut self, sku: u32) -> Result<u32, StockError> {
        let _ = &sku;
        Ok(sku)
    }
    fn len(&self) -> usize {
        self.units.len()
    }
    const fn capacity() -> usize {
        16
    }
}
mod pricing {
    #[cfg(not(clippy))]
    pub fn price(sku: u32) -> Result<u32, String> {
        static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
            &__TRACEFAULT_SITE,
            "price",
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
        let mut __tracefault_frame = ::tracefault::__private::Frame::new(
            &__TRACEFAULT_SITE,
        );
        let __tracefault_guard = __tracefault_frame.enter();
        Ok(sku * 2)
    }
    #[cfg(clippy)]
    pub fn price(sku: u32) -> Result<u32, String> {
        Ok(sku * 2)
    }
    impl super::Inventory {
        #[cfg(not(clippy))]
        fn count(&self) -> usize {
            static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
                &__TRACEFAULT_SITE,
                "count",
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
            let mut __tracefault_frame = ::tracefault::__private::Frame::new(
                &__TRACEFAULT_SITE,
            );
            let __tracefault_guard = __tracefault_frame.enter();
            self.units.len()
        }
        #[cfg(clippy)]
        fn count(&self) -> usize {
            self.units.len()
        }
    }
}
