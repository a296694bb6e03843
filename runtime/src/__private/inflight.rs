//! Errors in flight: captured once at their origin, carried up through the instrumented
//! callers that propagate them, reported once by the outermost.
//!
//! Each thread counts the instrumented frames it is inside (`DEPTH`). A frame that returns an
//! `Err` leaves a record addressed to the frame one level up (`Pending::claimant`). If that
//! frame returns the same error (or one wrapping it as a `source()`), it claims the record and
//! adds itself to the span trace; if it returns `Ok`, finishes a poll with `Pending`, or
//! returns an unrelated error, the record is dropped as handled. A frame that leaves an error
//! at depth zero has no instrumented caller on this thread: it reports.
//!
//! A panic takes the same path, driven by unwinding instead of return values: the panic hook
//! captures the payload and backtrace at the panic site, and each frame the unwinding passes
//! through claims the record from its callee.

use super::describe::ErrorView;
use super::site::{BacktraceMode, Site};
use crate::capture;
use crate::context::{SpanId, TraceId};
use crate::report::{causes_of, readable_type_name, ErrorReport, SourceLocation};
use crate::traceback::Traceback;
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt::{self, Write as _};
use tracing::Span;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The claimant of the record in `PENDING`, 0 for none: every `Ok` return reads it, and
    /// it has no destructor, so reading it costs no registration check.
    static PENDING_CLAIMANT: Cell<u32> = const { Cell::new(0) };
    static PENDING: Cell<Option<Box<Pending>>> = const { Cell::new(None) };
    static PANIC: Cell<Option<Box<PanicCapture>>> = const { Cell::new(None) };
}

struct Pending {
    /// The depth of the frame that may claim this record.
    claimant: u32,
    record: Record,
}

struct Record {
    report: ErrorReport,
    /// The type of the error a frame returned, with `message_hash` to tell it from a
    /// different one.
    type_name: &'static str,
    /// Of the message alone, to tell the error from another of its type, and to find it again
    /// in a wrapper's `source()` chain.
    message_hash: u64,
    is_panic: bool,
    /// Origin first.
    sites: Vec<&'static Site>,
}

/// Sites an error usually passes through; reserved at its origin, so that the levels it
/// climbs do not reallocate.
const USUAL_LEVELS: usize = 16;

/// What the panic hook saw at the panic site.
pub(crate) struct PanicCapture {
    pub(crate) message: String,
    pub(crate) location: Option<SourceLocation>,
    pub(crate) traceback: Result<Traceback, Cow<'static, str>>,
}

/// Counts a frame in; returns its depth.
#[inline]
pub(crate) fn enter() -> u32 {
    DEPTH
        .try_with(|depth| {
            let mine = depth.get().wrapping_add(1);
            depth.set(mine);
            mine
        })
        .unwrap_or(1)
}

/// Counts the frame at `depth` out.
#[inline]
pub(crate) fn exit(depth: u32) {
    let _ = DEPTH.try_with(|current| current.set(depth.wrapping_sub(1)));
}

/// The depth of a frame that is about to leave, for async frames, which leave after their
/// last poll has counted them out.
#[inline]
pub(crate) fn depth_of_leaving_frame() -> u32 {
    DEPTH.try_with(Cell::get).unwrap_or(0).wrapping_add(1)
}

/// The frame at `depth` finished without an error (or a poll returned `Pending`): a record
/// its callees left for it describes an error it handled.
#[inline]
pub(crate) fn leave_ok(depth: u32) {
    let claimant = PENDING_CLAIMANT.with(Cell::get);
    if claimant != 0 && claimant >= depth {
        if let Some(stale) = take_pending() {
            drop_as_handled(&stale.record);
        }
    }
}

fn take_pending() -> Option<Box<Pending>> {
    PENDING_CLAIMANT.with(|claimant| claimant.set(0));
    PENDING.try_with(Cell::take).ok().flatten()
}

fn put_pending(pending: Box<Pending>) {
    let claimant = pending.claimant;
    if PENDING.try_with(|slot| slot.set(Some(pending))).is_ok() {
        PENDING_CLAIMANT.with(|known| known.set(claimant));
    }
}

/// A frame on its way out, as the in-flight record sees it.
pub(crate) struct Leaving<'a> {
    pub(crate) site: &'static Site,
    pub(crate) span: &'a Span,
    pub(crate) depth: u32,
    /// The frame's trace and span ids, for the report.
    pub(crate) ids: (TraceId, SpanId),
    /// The frame's exported span, when it is sampled and export is on.
    #[cfg(feature = "otel")]
    pub(crate) export: Option<&'a crate::export::SpanRecord>,
}

/// The frame `leaving` returned `error`.
///
/// The record stays in its box from the origin to the edge: each level moves a pointer, not
/// the record with its traceback.
#[cold]
#[inline(never)]
pub(crate) fn leave_err(leaving: Leaving<'_>, error: ErrorView<'_>) {
    let Leaving {
        site,
        span,
        depth,
        ids,
        #[cfg(feature = "otel")]
        export,
    } = leaving;
    let message_hash = hash_display(&error.message);
    let pending = take_pending();
    let (pending, raised_here) = match pending {
        Some(mut pending) if pending.claimant == depth && !pending.record.is_panic => {
            let record = &mut pending.record;
            if record.message_hash == message_hash && same_type(record.type_name, error.type_name) {
                (pending, false)
            } else if let Some(position) = position_in_chain(&error, record.message_hash) {
                rewrap(record, &error, position, message_hash);
                (pending, true)
            } else {
                drop_as_handled(&pending.record);
                pending.record = new_error_record(site, &error, message_hash);
                (pending, true)
            }
        }
        other => {
            if let Some(stale) = other {
                drop_as_handled(&stale.record);
            }
            let record = new_error_record(site, &error, message_hash);
            (
                Box::new(Pending {
                    claimant: 0,
                    record,
                }),
                true,
            )
        }
    };
    #[cfg(feature = "otel")]
    if let Some(export) = export {
        export.record_failure(&pending.record.report, raised_here);
    }
    climb(pending, site, span, depth, ids, raised_here);
}

/// Type names are compared as text: one type's name is usually, not always, one string.
fn same_type(known: &'static str, returned: &'static str) -> bool {
    core::ptr::eq(known, returned) || known == returned
}

/// The frame `leaving` is being unwound by a panic.
#[cold]
#[inline(never)]
pub(crate) fn leave_unwinding(leaving: Leaving<'_>) {
    let Leaving {
        site,
        span,
        depth,
        ids,
        #[cfg(feature = "otel")]
        export,
    } = leaving;
    let pending = take_pending();
    let pending = match pending {
        Some(pending) if pending.claimant == depth && pending.record.is_panic => pending,
        other => {
            if let Some(stale) = other {
                drop_as_handled(&stale.record);
            }
            let record = new_panic_record(PANIC.try_with(Cell::take).ok().flatten());
            Box::new(Pending {
                claimant: 0,
                record,
            })
        }
    };
    let raised_here = pending.record.sites.is_empty();
    #[cfg(feature = "otel")]
    if let Some(export) = export {
        export.record_failure(&pending.record.report, raised_here);
    }
    climb(pending, site, span, depth, ids, raised_here);
}

/// Called by the panic hook: keeps what only the panic site can see for the frames that the
/// unwinding will pass through.
pub(crate) fn record_panic_site(info: &std::panic::PanicHookInfo<'_>) {
    if DEPTH.try_with(Cell::get).unwrap_or(0) == 0 {
        return;
    }
    let traceback = if capture::disabled_by_environment() {
        Err(Cow::Borrowed("backtrace not captured: RUST_BACKTRACE=0"))
    } else {
        Ok(Traceback::capture())
    };
    let capture = PanicCapture {
        message: crate::report::panic_message(info.payload()),
        location: info.location().map(|location| SourceLocation {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        }),
        traceback,
    };
    let _ = PANIC.try_with(|panic| panic.set(Some(Box::new(capture))));
}

/// The error passes through the frame at `depth`: its span is marked, and the record goes to
/// the frame above, or is reported when there is none.
fn climb(
    mut pending: Box<Pending>,
    site: &'static Site,
    span: &Span,
    depth: u32,
    ids: (TraceId, SpanId),
    raised_here: bool,
) {
    mark_span(span, &pending.record, raised_here);
    pending.record.sites.push(site);
    let claimant = depth.saturating_sub(1);
    if claimant == 0 {
        report(pending.record, span, ids);
    } else {
        pending.claimant = claimant;
        put_pending(pending);
    }
}

fn new_error_record(site: &'static Site, error: &ErrorView<'_>, message_hash: u64) -> Record {
    let mut report = ErrorReport::new(
        readable_type_name(error.type_name),
        error.message.to_string(),
        causes_of(error.source),
    );
    match capture_at_origin(site) {
        Ok(traceback) => report.traceback = Some(traceback),
        Err(note) => report.traceback_note = Some(note),
    }
    Record {
        message_hash,
        type_name: error.type_name,
        report,
        is_panic: false,
        sites: Vec::with_capacity(USUAL_LEVELS),
    }
}

fn new_panic_record(capture: Option<Box<PanicCapture>>) -> Record {
    let mut report = ErrorReport::new("panic", String::new(), Vec::new());
    match capture {
        Some(capture) => {
            let capture = *capture;
            report.message = capture.message;
            report.panic_location = capture.location;
            match capture.traceback {
                Ok(traceback) => report.traceback = Some(traceback),
                Err(note) => report.traceback_note = Some(note),
            }
        }
        None => {
            report.traceback_note = Some(Cow::Borrowed(
                "panic payload and backtrace not captured: a panic hook installed after \
                 tracefault's did not call it",
            ));
        }
    }
    Record {
        message_hash: 0,
        type_name: "",
        report,
        is_panic: true,
        sites: Vec::with_capacity(USUAL_LEVELS),
    }
}

fn capture_at_origin(site: &'static Site) -> Result<Traceback, Cow<'static, str>> {
    match site.backtrace {
        BacktraceMode::Never => Err(Cow::Borrowed(
            "backtrace not captured: backtrace = \"never\"",
        )),
        BacktraceMode::Always => Ok(Traceback::capture()),
        BacktraceMode::Origin if capture::disabled_by_environment() => {
            Err(Cow::Borrowed("backtrace not captured: RUST_BACKTRACE=0"))
        }
        BacktraceMode::Origin => {
            let rate = capture::backtrace_rate();
            match site.limiter.try_acquire(rate, capture::now_nanos()) {
                Ok(_) => Ok(Traceback::capture()),
                Err(()) => Err(Cow::Owned(format!(
                    "backtrace suppressed: {} similar errors here since the last captured one, \
                     over the limit of {rate} per second",
                    site.limiter.suppressed()
                ))),
            }
        }
    }
}

/// The position in `error`'s `source()` chain of an error whose message hashes to
/// `message_hash`: the caller wrapped the error its callee returned.
fn position_in_chain(error: &ErrorView<'_>, message_hash: u64) -> Option<usize> {
    let mut source = error.source;
    let mut position = 0;
    while let Some(cause) = source {
        if hash_display(cause) == message_hash {
            return Some(position);
        }
        position += 1;
        if position > 32 {
            return None;
        }
        source = cause.source();
    }
    None
}

/// The record of an error that a caller wrapped: the wrapper heads the report, the wrapped
/// error keeps its type name in the chain, and the origin's traceback stays.
fn rewrap(record: &mut Record, error: &ErrorView<'_>, position: usize, message_hash: u64) {
    let wrapped_type = core::mem::replace(
        &mut record.report.type_name,
        readable_type_name(error.type_name),
    );
    let wrapped_causes = core::mem::take(&mut record.report.causes);
    record.report.message = error.message.to_string();
    record.report.causes = causes_of(error.source);
    // The chain is walked again here; an error whose `source()` changed between the two walks
    // keeps its chain unnamed rather than panicking.
    if let Some(cause) = record.report.causes.get_mut(position) {
        cause.type_name = Some(wrapped_type);
    }
    let below = record.report.causes.iter_mut().skip(position + 1);
    for (cause, known) in below.zip(wrapped_causes) {
        if cause.type_name.is_none() && cause.message == known.message {
            cause.type_name = known.type_name;
        }
    }
    record.type_name = error.type_name;
    record.message_hash = message_hash;
}

/// Every span an error escapes is marked; the one where it was raised (or wrapped) also says
/// what it was.
fn mark_span(span: &Span, record: &Record, raised_here: bool) {
    if span.is_disabled() {
        return;
    }
    span.record("error", true);
    if raised_here {
        span.record("exception.type", &*record.report.type_name);
        span.record("exception.message", record.report.message.as_str());
    }
}

fn drop_as_handled(record: &Record) {
    tracing::event!(
        target: "tracefault",
        tracing::Level::DEBUG,
        exception.r#type = %record.report.type_name,
        exception.message = %record.report.message,
        "error handled"
    );
}

/// The edge: the error leaves the outermost instrumented frame, whose ids the report carries.
fn report(mut record: Record, span: &Span, (trace_id, span_id): (TraceId, SpanId)) {
    if trace_id.is_valid() {
        record.report.trace_id = Some(trace_id);
        record.report.span_id = Some(span_id);
    }
    record.report.span_trace = record
        .sites
        .iter()
        .rev()
        .map(|site| site.span_trace_entry())
        .collect();
    let report = &record.report;
    let edge = record
        .sites
        .last()
        .map(|site| site.function)
        .unwrap_or_default();
    macro_rules! emit {
        ($($parent:tt)*) => {
            tracing::event!(
                target: "tracefault",
                $($parent)*
                tracing::Level::ERROR,
                exception.r#type = %report.type_name,
                exception.message = %report.message,
                exception.stacktrace = %report,
                trace_id = %trace_id,
                span_id = %span_id,
                "{} escaped {edge}", if record.is_panic { "panic" } else { "error" }
            )
        };
    }
    if span.is_disabled() {
        emit!();
    } else {
        emit!(parent: span,);
    }
}

/// FNV-1a over what `Display` writes: compares two messages without allocating either.
struct Fnv(u64);

impl fmt::Write for Fnv {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

fn hash_display(value: &dyn fmt::Display) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = write!(hasher, "{value}");
    hasher.0
}
