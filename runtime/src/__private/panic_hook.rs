//! The one place that sees a panic's payload and its stack at the panic site: a panic hook
//! that records them for the instrumented frames the unwinding will pass through, then hands
//! the panic to the hook that was installed before it.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Installs tracefault's panic hook in front of the current one, once per process.
///
/// Instrumented functions call this on first use; call it yourself after installing a hook of
/// your own with `std::panic::set_hook`, or install yours first: a hook set later that does not
/// call the previous one keeps tracefault from seeing panic payloads and sites.
pub(crate) fn ensure_installed() {
    if INSTALL.is_completed() || std::thread::panicking() {
        // `take_hook` panics while the thread is panicking; the next call installs it.
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            super::inflight::record_panic_site(info);
            previous(info);
        }));
    });
}
