//! What only the panic site can see (the payload and the stack), kept by the panic hook for
//! the innermost instrumented frame that the unwinding passes through.

use super::super::site::Site;
use super::identity::Identity;
use super::Record;
use crate::capture;
use crate::context::scope::{current_collector, Collector};
use crate::context::Scope;
use crate::report::builder::ReportBuilder;
use crate::report::SourceLocation;
use crate::traceback::Traceback;
use std::borrow::Cow;
use std::cell::Cell;

thread_local! {
    static CAPTURED: Cell<Option<Box<PanicCapture>>> = const { Cell::new(None) };
}

struct PanicCapture {
    /// The frame that was innermost when the panic started: the one that takes this.
    frame: usize,
    message: String,
    location: Option<SourceLocation>,
    traceback: Result<Traceback, Cow<'static, str>>,
}

/// Called by the panic hook: keeps the payload's message and the stack for the frames that
/// the unwinding will pass through, if any will.
pub(crate) fn record_site(info: &std::panic::PanicHookInfo<'_>) {
    let Collector::Scope(frame) = current_collector() else {
        // No instrumented frame around, or tracefault's own work: nothing will take it.
        return;
    };
    let traceback = if capture::disabled_by_environment() {
        Err(Cow::Borrowed("backtrace not captured: RUST_BACKTRACE=0"))
    } else {
        Ok(Traceback::capture())
    };
    let capture = PanicCapture {
        frame: frame as *const Scope as usize,
        message: crate::report::names::panic_message(info.payload()),
        location: info.location().map(|location| SourceLocation {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        }),
        traceback,
    };
    let _ = CAPTURED.try_with(|captured| captured.set(Some(Box::new(capture))));
}

/// The record of the panic unwinding `frame`, the innermost instrumented frame it passes.
pub(super) fn new_record(frame: &Scope, site: &'static Site) -> Box<Record> {
    let capture = CAPTURED
        .try_with(Cell::take)
        .ok()
        .flatten()
        // A capture left by a panic caught inside another frame is not this panic's.
        .filter(|capture| capture.frame == frame as *const Scope as usize);
    let builder = match capture {
        Some(capture) => {
            let PanicCapture {
                message,
                location,
                traceback,
                ..
            } = *capture;
            let mut builder = ReportBuilder::of_panic(message);
            if let Some(location) = location {
                builder.panic_location(location);
            }
            match traceback {
                Ok(mut traceback) => {
                    traceback.set_origin(site.origin(false));
                    builder.traceback(traceback)
                }
                Err(note) => builder.note(note),
            }
            builder
        }
        None => {
            let mut builder = ReportBuilder::of_panic(String::new());
            builder.note(Cow::Borrowed(
                "panic payload and backtrace not captured: a panic hook installed after \
                 tracefault's did not call it",
            ));
            builder
        }
    };
    Box::new(Record {
        builder,
        identity: Identity::PANIC,
        edge: None,
        finished: false,
        expected: false,
    })
}
