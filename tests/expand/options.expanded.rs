#[cfg(not(clippy))]
fn load_order(id: u64, customer: &Customer, attempt: u8) -> Result<Order, DbError> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::with(
        &__TRACEFAULT_SITE,
        "load_order",
        "load_order",
        "shop::db",
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
            ::tracefault::__private::BacktraceMode::Always,
            false,
        ),
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::with_span(
        &__TRACEFAULT_SITE,
        ::tracefault::__private::span!(
            "shop::db", DEBUG, "load_order", id = ? id, customer = % customer, order.kind
            = "bulk", attempt = ? attempt, pending =
            ::tracefault::__private::tracing::field::Empty,
        ),
    );
    let __tracefault_guard = __tracefault_frame.enter();
    __tracefault_guard
        .export_args(|| [
            ("id", ::tracefault::__private::ArgValue::debug(&id)),
            ("customer", ::tracefault::__private::ArgValue::display(&customer)),
        ]);
    let __tracefault_result = ::tracefault::__private::call::<
        Result<Order, DbError>,
        _,
    >(move || {
        let id = id;
        let _ = &id;
        let customer = customer;
        let _ = &customer;
        let attempt = attempt;
        let _ = &attempt;
        query(id, customer)
    });
    __tracefault_guard.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn load_order(id: u64, customer: &Customer, attempt: u8) -> Result<Order, DbError> {
    let _ = &id;
    let _ = &customer;
    let _ = &attempt;
    query(id, customer)
}
#[cfg(not(clippy))]
fn find_product(id: u64) -> Result<Product, NotFound> {
    static __TRACEFAULT_SITE: ::tracefault::__private::Site = ::tracefault::__private::Site::with(
        &__TRACEFAULT_SITE,
        "find_product",
        "find_product",
        ::core::module_path!(),
        ::core::file!(),
        ::core::line!(),
        ::core::line!(),
        ::tracefault::__private::tracing::Level::INFO,
        {
            fn inside() -> &'static str {
                ::core::any::type_name_of_val(&inside)
            }
            inside
        },
        ::tracefault::__private::Site::DEFAULT | ::tracefault::__private::Site::EXPECTED,
    );
    let mut __tracefault_frame = ::tracefault::__private::Frame::new(&__TRACEFAULT_SITE);
    let __tracefault_guard = __tracefault_frame.enter();
    let __tracefault_result = ::tracefault::__private::call::<
        Result<Product, NotFound>,
        _,
    >(move || {
        let id = id;
        catalog(id)
    });
    __tracefault_guard.leave(::tracefault::__private::err_view!(& __tracefault_result));
    __tracefault_result
}
#[cfg(clippy)]
fn find_product(id: u64) -> Result<Product, NotFound> {
    catalog(id)
}
