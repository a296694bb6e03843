#[cfg(not(clippy))]
fn load(id: u64) -> impl Future<Output = Result<Record, DbError>> + Send {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "load",
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
    let mut __tracefault_frame = ::tracefault::__private::AsyncFrame::new(
        &__TRACEFAULT_SITE,
    );
    __tracefault_frame.open();
    let __tracefault_future = ::tracefault::__private::call(move || {
        let id = id;
        async move { query(id).await }
    });
    async move {
        let __tracefault_result: Result<Record, DbError> = __tracefault_frame
            .instrument(__tracefault_future)
            .await;
        __tracefault_frame
            .leave(::tracefault::__private::err_view!(& __tracefault_result));
        __tracefault_result
    }
}
#[cfg(clippy)]
fn load(id: u64) -> impl Future<Output = Result<Record, DbError>> + Send {
    async move { query(id).await }
}
