#[cfg(not(clippy))]
async fn greet(name: &str) -> String {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::new(
        &__TRACEFAULT_SITE,
        "greet",
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
                String,
            > {
                return __tracefault_return;
            }
            let name = name;
            format!("hello {name}")
        })
        .await;
    __tracefault_frame.leave(::core::option::Option::None);
    __tracefault_result
}
#[cfg(clippy)]
async fn greet(name: &str) -> String {
    format!("hello {name}")
}
