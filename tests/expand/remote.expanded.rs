#[cfg(not(clippy))]
async fn handle(request: Request) -> Result<Response, HandlerError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "handle",
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
    let mut __tracefault_frame = ::tracefault::__private::AsyncFrame::remote(
        &__TRACEFAULT_SITE,
        request.headers(),
    );
    let __tracefault_result = __tracefault_frame
        .instrument(async move {
            if let ::core::option::Option::Some(__tracefault_return) = ::core::option::Option::None::<
                Result<Response, HandlerError>,
            > {
                return __tracefault_return;
            }
            let request = request;
            let _ = &request;
            route(request).await
        })
        .await;
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
async fn handle(request: Request) -> Result<Response, HandlerError> {
    let _ = &request;
    route(request).await
}
