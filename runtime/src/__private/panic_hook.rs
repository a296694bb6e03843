//! The one place that sees a panic's payload and its stack at the panic site: a panic hook
//! that records them for the instrumented frame the unwinding will reach, then hands the
//! panic to the hook that was installed before it, unless that one is the standard library's
//! and tracefault's report will say it all.
//!
//! One panic, one report: std's default hook prints `thread '…' panicked at …` and, under
//! `RUST_BACKTRACE=1`, symbolizes a whole backtrace itself (a hundred frames, tens of
//! milliseconds and tens of MiB on a service's first panic) before the panic unwinds to where
//! tracefault reports it, with the same payload, location and a traceback of its own. So std's
//! hook is skipped for a panic that tracefault records, and called for every other: a panic
//! outside instrumented code, one in a `#[trace(panic = false)]` function with no recording
//! frame around it, one where no subscriber records tracefault's reports (a test without
//! one), one while another unwinds (a `Drop` that panics, which aborts the process), and every
//! panic of a build with `panic = "abort"`, where no report ever comes.
//! `TRACEFAULT_PANIC_OUTPUT=both` (`Config::panic_output`) calls it always. A hook of the
//! program's own (sentry's, human-panic's) is always called: what it prints is its own.

use crate::settings::PanicOutput;
use std::cell::Cell;
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

thread_local! {
    /// While one of tracefault's hooks runs on this thread, whether std's message is wanted
    /// for its panic: a hook of the program's own between two of ours (installed around it by
    /// `install_panic_hook`) calls the inner one, which must neither record the panic again
    /// nor decide otherwise.
    static RUNNING: Cell<Option<bool>> = const { Cell::new(None) };
    /// A panic whose std message was skipped has not been reported yet: a panic now may be
    /// one raised while it unwinds (in a `Drop`), which aborts the process before any report.
    static UNREPORTED: Cell<bool> = const { Cell::new(false) };
}

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
    let (current, current_is_std) = take_hook_telling_std();
    if address_of(&current) == OURS.load(Ordering::Relaxed) {
        std::panic::set_hook(current);
        ENSURED.store(true, Ordering::Relaxed);
        return;
    }
    let ours: Hook = Box::new(move |info| on_panic(info, &current, current_is_std));
    OURS.store(address_of(&ours), Ordering::Relaxed);
    std::panic::set_hook(ours);
    // Installed by hand before a hook that wraps it (sentry's), it is not put in front of
    // that one again by the first instrumented call.
    ENSURED.store(true, Ordering::Relaxed);
}

/// The current hook, taken, and whether it is the standard library's default one.
///
/// std says nothing of which hook is current, but `take_hook` leaves the default in place of
/// the one it takes, and hands the default over as `Box::new(default_hook)`, boxed by std's
/// own code: taken twice in a row, the second hook is the default, and the first is the
/// default too exactly when it is the same function behind the same vtable (a boxed function
/// item has no data; its vtable names its type). A hook of the program's own cannot be that:
/// its type is its own closure or function, even one that calls the default it took (the
/// only way to reach it). Should the comparison ever miss (two copies of one vtable), the
/// default is taken for a program's hook and called, as before this check: its message
/// printed twice, never a program's hook skipped.
fn take_hook_telling_std() -> (Hook, bool) {
    let current = std::panic::take_hook();
    let default = std::panic::take_hook();
    let is_std = core::ptr::eq(
        &*current as *const (dyn Fn(&PanicHookInfo<'_>) + Sync + Send),
        &*default as *const (dyn Fn(&PanicHookInfo<'_>) + Sync + Send),
    );
    (current, is_std)
}

fn on_panic(info: &PanicHookInfo<'_>, previous: &Hook, previous_is_std: bool) {
    if let Some(std_message_wanted) = RUNNING.with(Cell::get) {
        // Re-entered through a hook of the program's own, for the same panic.
        if std_message_wanted || !previous_is_std {
            previous(info);
        }
        return;
    }
    let maybe_in_unwinding = UNREPORTED.with(Cell::get);
    let recorded = super::inflight::panic::record_site(info);
    let std_message_wanted = !recorded
        || !reports_are_recorded()
        || maybe_in_unwinding
        || cfg!(panic = "abort")
        || crate::settings::get().panic_output() == PanicOutput::Both;
    if !std_message_wanted {
        UNREPORTED.with(|unreported| unreported.set(true));
    }
    RUNNING.with(|running| running.set(Some(std_message_wanted)));
    if std_message_wanted || !previous_is_std {
        previous(info);
    }
    RUNNING.with(|running| running.set(None));
}

/// Whether a subscriber records tracefault's reports here (an `ERROR` event of target
/// `tracefault`): without one (a test that installs none, say), the report would be written
/// nowhere, and std's message is the only one the panic gets.
fn reports_are_recorded() -> bool {
    tracing::enabled!(target: "tracefault", tracing::Level::ERROR)
}

/// A panic was reported (where it left the outermost frame, or where it was caught): a panic
/// from now on is not one raised while it unwinds. Called on the thread that unwound; a panic
/// caught in a future that finishes on another thread leaves this thread's mark set until its
/// next panic is reported, which gets std's message too meanwhile.
pub(crate) fn panic_reported() {
    let _ = UNREPORTED.try_with(|unreported| unreported.set(false));
}

fn address_of(hook: &Hook) -> usize {
    (&**hook as *const (dyn Fn(&PanicHookInfo<'_>) + Sync + Send)).cast::<()>() as usize
}
