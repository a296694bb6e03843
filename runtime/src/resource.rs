//! What this process is, as reports and log lines name it: its service.

use std::borrow::Cow;

/// The service's name: set from code, else `OTEL_SERVICE_NAME`, else `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`, else none.
pub(crate) fn service_name() -> Option<Cow<'static, str>> {
    crate::settings::get().service_name().map(Cow::Borrowed)
}

/// The service the code running now serves: the name its server layer gives it, else the
/// process's.
pub(crate) fn service_here() -> Option<Cow<'static, str>> {
    crate::context::scope::with_current(service_of)
}

/// The service `scope` serves: the name its server layer gives it, else the process's.
pub(crate) fn service_of(scope: Option<&crate::context::Scope>) -> Option<Cow<'static, str>> {
    scope
        .and_then(crate::context::Scope::request)
        .and_then(|request| request.service.clone())
        .map(|name| Cow::Owned(name.to_string()))
        .or_else(service_name)
}
