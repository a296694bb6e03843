//! What a service's answers say about its errors: the process's [`Exposure`] (a setting, in
//! [`crate::settings`]) or the one its server layer chose for the request.

pub use crate::settings::Exposure;

/// Sets what every service of this process exposes, unless its layer says otherwise;
/// overrides `TRACEFAULT_ERROR_EXPOSURE`.
pub fn set_exposure(exposure: Exposure) {
    crate::settings::get().set_exposure(exposure);
}

/// What the request being served here exposes: its server layer's choice, else the
/// process's ([`set_exposure`], else `TRACEFAULT_ERROR_EXPOSURE`, else [`Exposure::Trace`]).
pub(crate) fn exposure_here() -> Exposure {
    crate::context::scope::with_current(|scope| {
        scope
            .and_then(|scope| scope.request())
            .and_then(|request| request.exposure)
    })
    .unwrap_or_else(|| crate::settings::get().exposure())
}
