//! What only the panic site can see (the payload and the stack): the panic hook makes the
//! panic's record there, and leaves it with the innermost instrumented frame that records
//! panics. That frame takes it when the unwinding reaches it; if the frame goes on instead
//! (it returns, or another panic unwinds it), the panic was caught inside it, and the record
//! is reported as caught there rather than lost.

use super::super::site::Site;
use super::identity::Identity;
use super::{park, Record};
use crate::capture;
use crate::context::scope::{current_collector, Collector};
use crate::context::Role;
use crate::report::builder::ReportBuilder;
use crate::report::SourceLocation;
use crate::traceback::Traceback;
use std::borrow::Cow;

/// Called by the panic hook: makes the panic's record, with its payload's message, its
/// location and the stack, and leaves it with the frame that will take it. Whether there is
/// one: then tracefault reports the panic, where it leaves the outermost frame or where it is
/// caught.
pub(crate) fn record_site(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let Collector::Scope(frame) = past_frames_letting_panics_through(current_collector()) else {
        // No instrumented frame around, or tracefault's own work: nothing will take it.
        return false;
    };
    if frame.role() != Role::Frame {
        // A task's carrier: its panic leaves it in the task's `JoinError`, unreported.
        return false;
    }
    let mut builder = ReportBuilder::of_panic(crate::report::names::panic_message(info.payload()));
    if let Some(location) = info.location() {
        builder.panic_location(SourceLocation {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        });
    }
    if capture::disabled_by_environment() {
        builder.note(Cow::Borrowed("backtrace not captured: RUST_BACKTRACE=0"));
    } else {
        builder.traceback(Traceback::capture());
    }
    let mut record = Record::new(builder, Identity::PANIC);
    record.at_site = true;
    park(frame, record);
    true
}

/// Where a panic's record goes from `collector`: past the frames marked `#[trace(panic =
/// false)]`, which let panics through unrecorded, to the first frame that records them (or a
/// task's carrier, or the edge).
pub(super) fn past_frames_letting_panics_through(mut collector: Collector<'_>) -> Collector<'_> {
    while let Collector::Scope(scope) = collector {
        if scope.role() != Role::Frame || !scope.lets_panics_through() {
            break;
        }
        collector = scope.collector_around();
    }
    collector
}

/// The record of a panic made at its site, taken by `site`'s frame, the first it reaches:
/// the traceback's origin is that function.
pub(super) fn taken_at(record: &mut Record, site: &'static Site) {
    if record.at_site {
        record.at_site = false;
        record.builder.origin_of_panic(site.origin(false));
    }
}

/// The record of a panic that unwinds `frame` without a record made at its site: a panic
/// hook installed after tracefault's did not call it.
pub(super) fn unrecorded() -> Box<Record> {
    let mut builder = ReportBuilder::of_panic(String::new());
    builder.note(Cow::Borrowed(
        "panic payload and backtrace not captured: a panic hook installed after tracefault's \
         did not call it",
    ));
    Record::new(builder, Identity::PANIC)
}
