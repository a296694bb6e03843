//! What is plumbing rather than anybody's logic: the frames a report hides and counts.

use super::Marker;
use super::ResolvedFrame;
use std::path::Path;

/// `std` marks where a thread's or test's user code begins and where the panic machinery
/// starts; outside those marks nothing is the user's.
pub(super) fn hide_outside_short_backtrace(innermost_first: &mut [ResolvedFrame]) {
    let position = |marker: Marker, frames: &[ResolvedFrame]| {
        frames
            .iter()
            .position(|resolved| resolved.frame().marker == marker)
    };
    if let Some(end) = position(Marker::EndShortBacktrace, innermost_first) {
        innermost_first[..=end]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
    if let Some(begin) = position(Marker::BeginShortBacktrace, innermost_first) {
        innermost_first[begin..]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
}

/// Which of `std`'s marks a frame of `function` is, if any.
pub(super) fn short_backtrace_marker(function: &str) -> Marker {
    if function.contains("__rust_begin_short_backtrace") {
        Marker::BeginShortBacktrace
    } else if function.contains("__rust_end_short_backtrace") {
        Marker::EndShortBacktrace
    } else {
        Marker::None
    }
}

/// Prefixes of the frames that are plumbing rather than anybody's logic.
const RUNTIME_PREFIXES: &[&str] = &[
    // The standard library's own functions, also where no debug info says their file.
    "core::",
    "alloc::",
    "std::",
    "tracefault::",
    "<tracefault::",
    "backtrace::",
    "<backtrace::",
    "std::panicking",
    "core::panicking",
    "std::panic::",
    "core::panic::",
    "<core::panic::",
    "std::rt::",
    "std::sys",
    "<std::sys",
    "std::thread::",
    "<std::thread::",
    "std::backtrace",
    "core::ops::function::",
    "<alloc::boxed::Box<F,A> as core::ops::function::",
    "<alloc::boxed::Box<dyn core::ops::function::",
    "<fn() -> ",
    "<core::future::",
    "core::future::",
    "<core::pin::Pin<P> as core::future::future::Future>",
    "<alloc::boxed::Box<T,A> as core::future::future::Future>",
    "tokio::",
    "<tokio::",
    "futures_executor::",
    "<futures_util::",
    "futures_util::",
    "test::",
    "<test::",
    "rust_begin_unwind",
    "__rustc::",
    "rust_panic",
    "__rust",
    "__libc_start",
    "__GI___clone",
    "start_thread",
    "clone3",
    "_start",
];

/// Where plumbing's sources live, for the frames whose names say too little (inlined frames
/// of release builds carry no path).
const RUNTIME_SOURCES: &[&str] = &[
    "<rust>/library/",
    "<cargo>/tokio-",
    "<cargo>/futures-",
    "<cargo>/backtrace-",
    "<cargo>/tracing-",
    "<cargo>/tracefault-",
    // HTTP servers' and clients' plumbing between the socket and the handler.
    "<cargo>/hyper-",
    "<cargo>/h2-",
    "<cargo>/tower-",
    "<cargo>/axum-",
    "<cargo>/reqwest-",
];

pub(super) fn is_runtime_frame(
    function: &str,
    file: Option<&str>,
    raw_file: Option<&Path>,
) -> bool {
    function == "main"
        || function.starts_with("0x")
        || RUNTIME_PREFIXES
            .iter()
            .any(|prefix| function.starts_with(prefix))
        || file.is_some_and(|file| {
            RUNTIME_SOURCES
                .iter()
                .any(|source| file.starts_with(source))
        })
        || raw_file.is_some_and(is_tracefault_source)
}

/// Whether `path` is one of this crate's own sources, wherever it was built from.
fn is_tracefault_source(path: &Path) -> bool {
    super::symbolize::own_source_dir().is_some_and(|dir| path.starts_with(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traceback::symbolize::learn_own_source_dir;
    use crate::traceback::StackFrame;

    #[test]
    fn plumbing_frames_are_hidden_and_dependencies_are_not_user_code() {
        for plumbing in [
            "std::panicking::begin_panic_handler",
            "core::ops::function::FnOnce::call_once",
            "tokio::runtime::task::harness::poll",
            "<tracefault::__private::frame::Instrumented<F> as core::future::future::Future>::poll",
            "__rust_begin_short_backtrace",
        ] {
            assert!(
                StackFrame::new(plumbing, None, None, None).hidden,
                "{plumbing}"
            );
        }
        let user = StackFrame::new(
            "shop::reserve",
            Some(Path::new("src/shop.rs")),
            Some(3),
            None,
        );
        assert!(!user.hidden && user.is_user_code);
        let dependency = StackFrame::new(
            "sqlx_core::pool::acquire",
            Some(Path::new(
                "/root/.cargo/registry/src/index.crates.io-0/sqlx-core-0.8.0/src/pool/mod.rs",
            )),
            Some(1),
            None,
        );
        assert!(!dependency.hidden && !dependency.is_user_code);
        let plumbing = Path::new(
            "/root/.cargo/registry/src/index.crates.io-0/hyper-1.0.0/src/proto/h1/dispatch.rs",
        );
        assert!(
            StackFrame::new(
                "hyper::proto::h1::dispatch::poll",
                Some(plumbing),
                Some(1),
                None
            )
            .hidden
        );
    }

    #[test]
    fn frames_outside_the_short_backtrace_marks_are_hidden() {
        let names = [
            "inner_panic_machinery",
            "std::sys::backtrace::__rust_end_short_backtrace",
            "user::work",
            "std::sys::backtrace::__rust_begin_short_backtrace",
            "thread_start",
        ];
        let mut frames: Vec<ResolvedFrame> = names
            .iter()
            .map(|name| ResolvedFrame {
                symbols: vec![StackFrame::new(name, None, None, None)].into(),
                index: 0,
                hidden: false,
                renamed: None,
            })
            .collect();
        hide_outside_short_backtrace(&mut frames);
        let visible: Vec<&str> = frames
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| f.frame().function.as_str())
            .collect();
        assert_eq!(visible, ["user::work"]);
    }

    #[test]
    fn frames_of_tracefault_and_of_runtime_sources_are_hidden() {
        learn_own_source_dir();
        let own = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/__private/frame.rs"
        ));
        assert!(StackFrame::new("leave", Some(own), Some(1), None).hidden);
        let inlined_std = Path::new("/rustc/0123/library/core/src/ops/function.rs");
        assert!(StackFrame::new("call_once<fn(), ()>", Some(inlined_std), Some(250), None).hidden);
        let tokio = Path::new(
            "/root/.cargo/registry/src/index.crates.io-0/tokio-1.54.1/src/runtime/context.rs",
        );
        assert!(StackFrame::new("set_scheduler<()>", Some(tokio), Some(186), None).hidden);
        let user = Path::new("/work/app/src/runtime/src/main.rs");
        assert!(!StackFrame::new("app::main", Some(user), Some(3), None).hidden);
    }
}
