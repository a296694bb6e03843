// What #[async_trait] makes of `async fn reserve(&self, sku: u32) -> Result<u32, StockError>`
// before #[trace] on the method sees it.
impl Inventory for Warehouse {
    #[tracefault::trace(args(sku))]
    fn reserve<'life0, 'async_trait>(
        &'life0 self,
        sku: u32,
    ) -> ::core::pin::Pin<
        Box<dyn ::core::future::Future<Output = Result<u32, StockError>> + ::core::marker::Send + 'async_trait>,
    >
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            if let ::core::option::Option::Some(__ret) = ::core::option::Option::None::<Result<u32, StockError>> {
                #[allow(unreachable_code)]
                return __ret;
            }
            let __self = self;
            let sku = sku;
            let __ret: Result<u32, StockError> = { __self.lookup(sku).await };
            #[allow(unreachable_code)]
            __ret
        })
    }
}
