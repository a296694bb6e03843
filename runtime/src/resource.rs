//! What this process is, as reports and log lines name it: its service.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

static CONFIGURED: Mutex<Option<&'static str>> = Mutex::new(None);

/// Names the service from code; overrides `OTEL_SERVICE_NAME`. Each name is kept for the life
/// of the process (a program names itself once or twice).
pub(crate) fn set_service_name(name: &str) {
    let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    *CONFIGURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(name);
}

/// The service's name: set from code, else `OTEL_SERVICE_NAME`, else `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`, else none.
pub(crate) fn service_name() -> Option<Cow<'static, str>> {
    if let Some(name) = *CONFIGURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
    {
        return Some(Cow::Borrowed(name));
    }
    static FROM_ENV: OnceLock<Option<String>> = OnceLock::new();
    FROM_ENV
        .get_or_init(service_name_from_env)
        .as_deref()
        .map(Cow::Borrowed)
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

fn service_name_from_env() -> Option<String> {
    let named = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    named.or_else(|| {
        let attributes = std::env::var("OTEL_RESOURCE_ATTRIBUTES").ok()?;
        attributes.split(',').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == "service.name")
                .then(|| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        })
    })
}
