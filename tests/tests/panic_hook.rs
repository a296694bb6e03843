//! `tracefault::install_panic_hook()` puts tracefault's hook back in front of one installed
//! after the first instrumented call, keeps calling that one, and changes nothing when called
//! again.

mod support;

use std::panic::catch_unwind;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::capture;

#[tracefault::trace]
fn explodes() -> u32 {
    panic!("the payload")
}

#[tracefault::trace]
fn fine() -> u32 {
    1
}

static USERS_HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_hook_installed_later_is_kept_and_tracefaults_is_put_in_front_again() {
    // The first instrumented call installs tracefault's hook.
    assert_eq!(fine(), 1);
    // The program sets its own, which does not call the previous one.
    std::panic::set_hook(Box::new(|_| {
        USERS_HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
    }));
    let (_, captured) = capture(|| catch_unwind(explodes));
    assert_eq!(
        captured.the_report().field("exception.message"),
        "",
        "without tracefault's hook, the payload is not seen"
    );
    assert_eq!(USERS_HOOK_CALLS.load(Ordering::SeqCst), 1);

    tracefault::install_panic_hook();
    tracefault::install_panic_hook();
    let (_, captured) = capture(|| catch_unwind(explodes));
    let report = captured.the_report();
    assert_eq!(report.field("exception.message"), "the payload");
    assert!(
        report
            .field("exception.stacktrace")
            .contains("panic!(\"the payload\")"),
        "the panic site: {}",
        report.field("exception.stacktrace")
    );
    assert_eq!(
        USERS_HOOK_CALLS.load(Ordering::SeqCst),
        2,
        "the program's hook still runs, once per panic"
    );
}
