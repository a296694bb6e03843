//! The one place that sees a panic's payload and its stack at the panic site: a panic hook
//! that records them for the instrumented frames the unwinding will pass through, then hands
//! the panic to the hook that was installed before it.

use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Whether an instrumented function has made sure of the hook since the process started.
static ENSURED: AtomicBool = AtomicBool::new(false);
/// The address of the hook tracefault installed last, to tell it from one installed since.
static OURS: AtomicUsize = AtomicUsize::new(0);
/// Installing is a take and a set: one at a time.
static INSTALLING: Mutex<()> = Mutex::new(());

/// On the first instrumented call of the process: tracefault's hook in front of the current
/// one.
#[inline]
pub(crate) fn ensure_installed() {
    if !ENSURED.load(Ordering::Relaxed) {
        install_first();
    }
}

#[cold]
#[inline(never)]
fn install_first() {
    if std::thread::panicking() {
        // `take_hook` panics while the thread is panicking; the next call installs it.
        return;
    }
    install();
    ENSURED.store(true, Ordering::Relaxed);
}

/// Puts tracefault's hook in front of whatever hook is current, unless the current one is
/// tracefault's already; a hook installed since is called after ours.
pub(crate) fn install() {
    if std::thread::panicking() {
        return;
    }
    let _installing = INSTALLING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let current = std::panic::take_hook();
    if address_of(&current) == OURS.load(Ordering::Relaxed) {
        std::panic::set_hook(current);
        return;
    }
    let ours: Hook = Box::new(move |info| {
        super::inflight::panic::record_site(info);
        current(info);
    });
    OURS.store(address_of(&ours), Ordering::Relaxed);
    std::panic::set_hook(ours);
}

fn address_of(hook: &Hook) -> usize {
    (&**hook as *const (dyn Fn(&PanicHookInfo<'_>) + Sync + Send)).cast::<()>() as usize
}
