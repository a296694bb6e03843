#[cfg(not(clippy))]
async fn fetch(url: String) -> Result<Vec<u8>, std::io::Error> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "fetch",
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
    let __tracefault_result = __tracefault_frame
        .instrument(async move {
            if let ::core::option::Option::Some(__tracefault_return) = ::core::option::Option::None::<
                Result<Vec<u8>, std::io::Error>,
            > {
                return __tracefault_return;
            }
            let url = url;
            download(&url).await
        })
        .await;
    __tracefault_frame.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
async fn fetch(url: String) -> Result<Vec<u8>, std::io::Error> {
    download(&url).await
}
