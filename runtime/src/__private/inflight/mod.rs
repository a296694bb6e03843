//! Errors in flight: captured once at their origin, carried up through the instrumented
//! callers that propagate them, reported once by the outermost.
//!
//! A frame that returns an error (or is unwound by a panic) leaves its record with the frame
//! it ran inside: the nearest frame around its scope on this thread, or, for a spawned task,
//! whoever awaits it. There the record waits, beside the records of that frame's other callees
//! (`join!`, `select!`, a `FuturesUnordered`), until the frame itself leaves. If it returns an
//! error, [`identity`] tells which record, if any, that error continues; that record climbs one
//! level, and every other is dropped as handled; when several agree with it in everything and
//! do not say the same, none climbs, and the report says its origin could not be told. A frame
//! that returns `Ok` handles them all. A frame with no frame around it is the edge: it reports.
//! A task spawned in a frame's context reports at its own edge, and [`detached`] keeps it for
//! a while, so that the frame, returning it after awaiting the task, does not report it again.

mod detached;
mod identity;
pub(crate) mod panic;

use super::describe::ErrorView;
use super::site::{BacktraceMode, Site};
use crate::capture;
use crate::context::scope::Collector;
use crate::context::{Role, Scope};
use crate::report::builder::{Edge, ReportBuilder};
use crate::report::{sink, ServerSpan, SpanTraceEntry};
use crate::traceback::Traceback;
use identity::{Candidates, Continuation, Returned};
use std::borrow::Cow;
use tracing::Span;

/// One error (or panic) on its way out, and what tells it apart. It lives in one box from its
/// origin to its edge: each level moves a pointer, not the record with its traceback.
#[derive(Debug)]
pub(crate) struct Record {
    builder: ReportBuilder,
    identity: identity::Identity,
    /// Where it would be reported if nobody continues it: kept when it is left with a task's
    /// carrier, whose frames are gone by the time the task's handle decides.
    edge: Option<Box<Unclaimed>>,
    /// Reported, or dropped by tracefault's own work: not an error anybody handled.
    finished: bool,
    /// It left a function marked `#[trace(expected)]`, or the outermost function returned an
    /// error expected by its type: reported at `WARN`.
    expected: bool,
    /// A panic's record as the panic hook made it, not yet taken by a frame (see [`panic`]).
    at_site: bool,
}

// A record that goes without being reported (its frame returned `Ok`, or returned another
// error, or was dropped unfinished) was handled. A panic's was caught: the frames that find
// it so report it (`report_caught`); one let go elsewhere (with a future dropped before it
// finished, or among the oldest of a frame's many records) is reported here, without the
// frame's ids, rather than lost.
impl Drop for Record {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if self.identity.is_panic() {
            let report = self.builder.finished();
            let function = report
                .span_trace
                .first()
                .map_or(Cow::Borrowed("an instrumented function"), |entry| {
                    entry.function.clone()
                });
            sink::caught(report, &Span::none(), &function);
            super::panic_hook::panic_reported();
        } else {
            sink::handled(self.builder.report());
        }
    }
}

impl Record {
    /// A record not yet reported, handled or expected, in the box it keeps to its edge.
    fn new(builder: ReportBuilder, identity: identity::Identity) -> Box<Record> {
        Box::new(Record {
            builder,
            identity,
            edge: None,
            finished: false,
            expected: false,
            at_site: false,
        })
    }

    /// A panic's record that nobody reported yet: left with a frame that goes on without it,
    /// its panic was caught.
    fn is_unreported_panic(&self) -> bool {
        self.identity.is_panic() && !self.finished
    }
}

/// What a record left with a task's carrier would be reported as, if nobody continued it: the
/// edge it left, and whether it was expected by its type there (the error is gone by then).
#[derive(Debug)]
struct Unclaimed {
    edge: Edge,
    site: &'static Site,
    expected_by_type: bool,
}

/// Records, each in its box: a record is large (its traceback is inline), and moves by pointer.
#[allow(clippy::vec_box)]
pub(crate) type Records = Vec<Box<Record>>;

/// The records a frame's callees left for it, first left first. In the scope's attachment a
/// lone record is its own box, several are a [`Crowd`].
enum Parked {
    None,
    One(Box<Record>),
    Several(Crowd),
}

/// Several records, and what is left of those let go to keep them few.
#[derive(Default)]
struct Crowd {
    records: Records,
    let_go: identity::LetGo,
}

impl Parked {
    fn of(attached: Option<Box<dyn core::any::Any + Send>>) -> Parked {
        let Some(attached) = attached else {
            return Parked::None;
        };
        match attached.downcast::<Record>() {
            Ok(one) => Parked::One(one),
            Err(attached) => attached
                .downcast::<Crowd>()
                .map_or(Parked::None, |several| Parked::Several(*several)),
        }
    }

    fn records(&self) -> &[Box<Record>] {
        match self {
            Parked::None => &[],
            Parked::One(record) => core::slice::from_ref(record),
            Parked::Several(crowd) => &crowd.records,
        }
    }

    /// What is left of the records let go before the frame left, if any were.
    fn let_go(&self) -> Option<&identity::LetGo> {
        match self {
            Parked::Several(crowd) if !crowd.let_go.is_empty() => Some(&crowd.let_go),
            _ => None,
        }
    }

    /// The record at `index` of [`Parked::records`], taken out.
    fn take(&mut self, index: usize) -> Option<Box<Record>> {
        match core::mem::replace(self, Parked::None) {
            Parked::One(record) if index == 0 => Some(record),
            Parked::Several(mut crowd) if index < crowd.records.len() => {
                let record = crowd.records.remove(index);
                *self = Parked::Several(crowd);
                Some(record)
            }
            other => {
                *self = other;
                None
            }
        }
    }

    /// The records at `indices` of [`Parked::records`] (in increasing order), taken out.
    fn take_all(&mut self, indices: &[usize]) -> Records {
        let mut crowd = core::mem::replace(self, Parked::None).into_crowd();
        let mut taken = Vec::with_capacity(indices.len());
        for &index in indices.iter().rev() {
            taken.push(crowd.records.remove(index));
        }
        taken.reverse();
        *self = Parked::Several(crowd);
        taken
    }

    fn into_crowd(self) -> Crowd {
        match self {
            Parked::None => Crowd::default(),
            Parked::One(record) => Crowd {
                records: vec![record],
                let_go: identity::LetGo::default(),
            },
            Parked::Several(crowd) => crowd,
        }
    }

    fn into_records(self) -> Records {
        self.into_crowd().records
    }
}

/// The records parked on `scope`, taken.
fn take_parked(scope: &Scope) -> Parked {
    Parked::of(scope.take_attached())
}

/// How many records one frame keeps for its callees at most. A frame that handles its callees'
/// errors in a loop (a parser tried on 16,000 inputs) would otherwise hold every one of them
/// until it leaves. Beyond this, the oldest is let go as handled, and only its message is
/// remembered ([`identity::LetGo`]): if the frame returns an error that says the same, the
/// report says its origin could not be told. 256 records of a few KiB each bound a frame's
/// share to about a MiB; `FuturesUnordered` of 100 failing children all stay.
const MAX_PARKED: usize = 256;

/// Leaves `record` with the frame (or task carrier) `scope`.
pub(crate) fn park(scope: &Scope, record: Box<Record>) {
    match take_parked(scope) {
        Parked::None => scope.attach(record),
        parked => {
            let mut crowd = parked.into_crowd();
            if crowd.records.len() >= MAX_PARKED {
                // Pointers moved, at most MAX_PARKED of them, on a path that already failed.
                let oldest = crowd.records.remove(0);
                crowd
                    .let_go
                    .remember(&oldest.identity, &oldest.builder.report().message);
            }
            crowd.records.push(record);
            scope.attach(Box::new(crowd));
        }
    }
}

/// A frame on its way out, as the records see it.
pub(crate) struct Leaving<'a> {
    pub(crate) site: &'static Site,
    pub(crate) span: &'a Span,
    pub(crate) scope: &'a Scope,
    /// Where a record goes when it leaves this frame.
    pub(crate) collector: Collector<'a>,
    /// The frame's exported span, when it is sampled and export is on.
    #[cfg(feature = "otel")]
    pub(crate) export: Option<&'a crate::export::SpanRecord>,
}

/// The frame of `site` in `span` finished without an error (or was dropped unfinished), and
/// left `parked`, what its callees had left with it: it handled those, and a panic among them
/// was caught inside it. Its caller checks for records first: the frame's usual way out costs
/// no call.
#[cold]
#[inline(never)]
pub(crate) fn leave_ok(
    parked: Box<dyn core::any::Any + Send>,
    scope: &Scope,
    site: &'static Site,
    span: &Span,
) {
    let mut handled = Parked::of(Some(parked));
    report_caught(&mut handled, scope, site, span);
    drop(handled);
}

/// The frame `leaving` returned `error`.
#[cold]
#[inline(never)]
pub(crate) fn leave_err(leaving: Leaving<'_>, error: ErrorView<'_>) {
    let mut parked = take_parked(leaving.scope);
    let returned = Returned::of(&error);
    let candidates = identity::candidates(parked.records(), &returned);
    let let_go_may_be_it = parked
        .let_go()
        .is_some_and(|let_go| let_go.may_be(&returned));
    let (record, raised_here) = match candidates {
        _ if let_go_may_be_it => (
            origin_untold_record(
                &returned,
                Cow::Borrowed(
                    "origin could not be told: this function let go of older errors its \
                     callees returned, to bound its memory, and one of them said the same; \
                     the report starts where it was returned",
                ),
            ),
            true,
        ),
        Candidates::None if detached::claim(leaving.scope, &returned) => {
            (reported_record(&returned), false)
        }
        Candidates::None => (new_error_record(leaving.site, &returned), true),
        Candidates::One(index, continuation) => {
            let mut record = parked.take(index).expect("a parked record");
            let raised_here = continue_record(&mut record, &returned, continuation);
            (record, raised_here)
        }
        Candidates::Several(several) => {
            let indices: Vec<usize> = several.iter().map(|(index, _)| *index).collect();
            let alike = alike(parked.records(), &several);
            // Taken out of the frame's records, first left first; all but one were handled.
            let mut taken = parked.take_all(&indices);
            match alike {
                Some((continuation, same_stack)) => {
                    let mut record = taken.pop().expect("several candidates");
                    record.builder.one_of_alike(several.len(), same_stack);
                    let raised_here = continue_record(&mut record, &returned, continuation);
                    (record, raised_here)
                }
                None => {
                    // One of them is the error returned, not handled: which, nothing tells,
                    // but the others, handled, say the same.
                    if let Some(returned) = taken.last_mut() {
                        returned.finished = true;
                    }
                    let why = format!(
                        "origin could not be told: {} errors that callees returned look the \
                         same as this one (type, message and causes), so the report starts \
                         where it was returned",
                        several.len()
                    );
                    (origin_untold_record(&returned, Cow::Owned(why)), true)
                }
            }
        }
    };
    // What is left was handled, or, a panic, caught.
    report_caught(&mut parked, leaving.scope, leaving.site, leaving.span);
    drop(parked);
    climb(leaving, record, raised_here, Some(returned.view()));
}

/// How the candidates' records continue, when they say the same in everything a report
/// shows (type, message, causes, the functions from their origin up, how they continue):
/// then the origin is told, though not which of its calls, and their span ids are left out.
/// And whether their origins' stacks were the same too (a retry loop's are), so that the
/// traceback of one is every one's.
fn alike(
    records: &[Box<Record>],
    candidates: &[(usize, Continuation)],
) -> Option<(Continuation, bool)> {
    let (first, continuation) = candidates.first()?;
    let first = records[*first].builder.report();
    let says_the_same = |other: &crate::report::ErrorReport| {
        other.type_name == first.type_name
            && other.message == first.message
            && other.causes == first.causes
            && other.span_trace.len() == first.span_trace.len()
            && other
                .span_trace
                .iter()
                .zip(&first.span_trace)
                .all(|(a, b)| a.function == b.function && a.file == b.file && a.line == b.line)
    };
    let stack = |report: &crate::report::ErrorReport| {
        report
            .traceback
            .as_ref()
            .map(|traceback| traceback.instruction_pointers().to_vec())
    };
    let same_stack = candidates
        .iter()
        .all(|(index, _)| stack(records[*index].builder.report()) == stack(first));
    candidates
        .iter()
        .all(|(index, other)| {
            other == continuation && says_the_same(records[*index].builder.report())
        })
        .then_some((*continuation, same_stack))
}

/// The frame `leaving` is being unwound by a panic: the newest panic's record it holds is this
/// panic's (the one the hook left at the site, or one an instrumented callee passed on);
/// an older one was caught inside it before this panic started.
#[cold]
#[inline(never)]
pub(crate) fn leave_unwinding(leaving: Leaving<'_>) {
    let mut parked = take_parked(leaving.scope);
    let continued = parked
        .records()
        .iter()
        .rposition(|record| record.identity.is_panic())
        .and_then(|position| parked.take(position));
    report_caught(&mut parked, leaving.scope, leaving.site, leaving.span);
    drop(parked);
    let (record, raised_here) = match continued {
        Some(mut record) if record.at_site => {
            panic::taken_at(&mut record, leaving.site);
            (record, true)
        }
        Some(record) => (record, false),
        None => (panic::unrecorded(), true),
    };
    climb(leaving, record, raised_here, None);
}

/// The panic records among `parked` are of panics caught inside the frame of `site`, which
/// goes on without them: each is reported as caught there, with the frame's ids, and the span
/// trace it had climbed up to the frame.
fn report_caught(parked: &mut Parked, scope: &Scope, site: &'static Site, span: &Span) {
    if !parked
        .records()
        .iter()
        .any(|record| record.is_unreported_panic())
    {
        return;
    }
    report_caught_records(parked, scope, site, span);
}

#[cold]
#[inline(never)]
fn report_caught_records(parked: &mut Parked, scope: &Scope, site: &'static Site, span: &Span) {
    let caught: Vec<usize> = parked
        .records()
        .iter()
        .enumerate()
        .filter(|(_, record)| record.is_unreported_panic())
        .map(|(index, _)| index)
        .collect();
    for mut record in parked.take_all(&caught) {
        panic::taken_at(&mut record, site);
        record.builder.climbed(SpanTraceEntry {
            function: Cow::Borrowed(site.qualified_name()),
            file: site.file,
            line: site.line,
            span_id: Some(scope.span_id()),
        });
        record.finished = true;
        record.builder.at_edge(edge_of(scope));
        sink::caught(record.builder.finished(), span, site.qualified_name());
        super::panic_hook::panic_reported();
    }
}

/// `returned` continues `record` as `continuation` says; whether it was raised here (wrapped
/// in a new error).
fn continue_record(
    record: &mut Record,
    returned: &Returned<'_>,
    continuation: Continuation,
) -> bool {
    match continuation {
        Continuation::Same => false,
        // The report keeps the concrete type inside the box, as Python names the exception's
        // class; the box is what callers pass on from here.
        Continuation::Boxed => {
            record.identity = returned.identity();
            false
        }
        Continuation::Wrapped { position } => {
            let error = returned.view();
            record.builder.wrapped_by(
                error.type_name,
                identity::message_of(&error.message),
                identity::causes_of(error.source),
                position,
            );
            record.identity = returned.identity();
            true
        }
    }
}

fn new_error_record(site: &'static Site, returned: &Returned<'_>) -> Box<Record> {
    let mut builder = builder_of(returned);
    match capture_at_origin(site, returned.view()) {
        Ok(traceback) => builder.traceback(traceback),
        Err(note) => builder.note(note),
    }
    Record::new(builder, returned.identity())
}

/// The record of an error that a task this frame spawned has reported already: it climbs on,
/// marking the spans it leaves, and is not reported again.
fn reported_record(returned: &Returned<'_>) -> Box<Record> {
    let mut record = Record::new(builder_of(returned), returned.identity());
    record.finished = true;
    record
}

/// The record of an error that may continue any of several callees' errors, which do not
/// say the same: rather than guess, the report starts here and says `why`. The stack here is
/// not the origin's, so none is captured.
fn origin_untold_record(returned: &Returned<'_>, why: Cow<'static, str>) -> Box<Record> {
    let mut builder = builder_of(returned);
    builder.origin_untold(why);
    Record::new(builder, returned.identity())
}

fn builder_of(returned: &Returned<'_>) -> ReportBuilder {
    let error = returned.view();
    ReportBuilder::of_error(
        error.type_name,
        identity::message_of(&error.message),
        identity::causes_of(error.source),
    )
}

fn capture_at_origin(
    site: &'static Site,
    error: &ErrorView<'_>,
) -> Result<Traceback, Cow<'static, str>> {
    // An expected error is reported without a traceback: do not pay for one.
    if site.expects_errors() {
        return Err(Cow::Borrowed(
            "backtrace not captured: an expected error, #[trace(expected)]",
        ));
    }
    // By its type, as it starts: if a caller then turns it into an error that is not expected
    // (not wrapping it), the report says why it has no traceback.
    if error.is_expected_by_type() {
        return Err(Cow::Borrowed(
            "backtrace not captured: an expected error, by its type",
        ));
    }
    match site.backtrace() {
        BacktraceMode::Never => Err(Cow::Borrowed(
            "backtrace not captured: backtrace = \"never\"",
        )),
        BacktraceMode::Always => Ok(Traceback::capture_in(site.origin(true))),
        BacktraceMode::Origin if capture::disabled_by_environment() => {
            Err(Cow::Borrowed("backtrace not captured: RUST_BACKTRACE=0"))
        }
        BacktraceMode::Origin => {
            let rate = capture::backtrace_rate();
            match site.limiter.try_acquire(rate, capture::now_nanos()) {
                Ok(_) => Ok(Traceback::capture_in(site.origin(true))),
                Err(()) => Err(Cow::Owned(format!(
                    "backtrace suppressed: {} similar errors here since the last captured one, \
                     over the limit of {rate} per second",
                    site.limiter.suppressed()
                ))),
            }
        }
    }
}

/// The error passes through the frame `leaving`, which returned `returned` (`None` for a
/// panic): its span is marked, and the record goes to the frame around it, or is reported when
/// there is none.
fn climb(
    leaving: Leaving<'_>,
    mut record: Box<Record>,
    raised_here: bool,
    returned: Option<&ErrorView<'_>>,
) {
    let Leaving {
        site,
        span,
        scope,
        collector,
        #[cfg(feature = "otel")]
        export,
    } = leaving;
    mark_span(span, &record, raised_here);
    // Panics are never expected: `expected` classifies the `Err` values a function returns.
    if site.expects_errors() && !record.identity.is_panic() {
        record.expected = true;
    }
    #[cfg(feature = "otel")]
    if let Some(export) = export {
        export.record_failure(record.builder.report(), raised_here);
    }
    record.builder.climbed(SpanTraceEntry {
        function: Cow::Borrowed(site.qualified_name()),
        file: site.file,
        line: site.line,
        span_id: Some(scope.span_id()),
    });
    let collector = if record.identity.is_panic() {
        panic::past_frames_letting_panics_through(collector)
    } else {
        collector
    };
    match collector {
        // A task's carrier takes its errors to whoever awaits it, not its panics: the task's
        // `JoinError` carries a panic on, and it is reported where it left the task.
        Collector::Scope(carrier)
            if carrier.role() == Role::Carrier && record.identity.is_panic() =>
        {
            report(record, edge_of(scope), span, site);
        }
        Collector::Scope(carrier) if carrier.role() == Role::Carrier => {
            record.edge = Some(Box::new(Unclaimed {
                edge: edge_of(scope),
                site,
                expected_by_type: returned.is_some_and(ErrorView::is_expected_by_type),
            }));
            park(carrier, record);
        }
        Collector::Scope(frame) => park(frame, record),
        // tracefault's own work called instrumented code: its failures are nobody's.
        Collector::Inert => record.finished = true,
        Collector::Edge(spawner) => {
            if let Some(spawner) = spawner.filter(|_| !record.identity.is_panic()) {
                let identity = core::mem::replace(&mut record.identity, identity::Identity::PANIC);
                let message = record.builder.report().message.clone();
                detached::remember(scope.trace_id(), spawner, identity, message);
            }
            if returned.is_some_and(ErrorView::is_expected_by_type) {
                record.expected = true;
            }
            report(record, edge_of(scope), span, site);
        }
    }
}

/// Where a record taken from a task goes: to the frame awaiting the task, or reported where
/// the task's last frame left it.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn collect(collector: Collector<'_>, mut record: Box<Record>) {
    match collector {
        Collector::Scope(frame) => park(frame, record),
        Collector::Inert => record.finished = true,
        Collector::Edge(_) => report_detached(record),
    }
}

/// Reports a record left with a task's carrier that nobody continued.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn report_detached(mut record: Box<Record>) {
    if let Some(unclaimed) = record.edge.take() {
        let Unclaimed {
            edge,
            site,
            expected_by_type,
        } = *unclaimed;
        record.expected |= expected_by_type;
        report(record, edge, &Span::none(), site);
    }
}

/// The records left with `scope`, taken.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn take_parked_records(scope: &Scope) -> Records {
    take_parked(scope).into_records()
}

/// Every span an error escapes is marked; the one where it was raised (or wrapped) also says
/// what it was.
fn mark_span(span: &Span, record: &Record, raised_here: bool) {
    use crate::report::fields;
    use tracing::field::Value;
    if span.is_disabled() {
        return;
    }
    if raised_here {
        // One record of the three, rather than three trips through the subscriber.
        let report = record.builder.report();
        let message = report.message.as_str();
        let type_name: &str = &report.type_name;
        if let Some(meta) = span.metadata() {
            let names = meta.fields();
            if let (Some(error), Some(type_field), Some(message_field)) = (
                names.field(fields::ERROR),
                names.field(fields::EXCEPTION_TYPE),
                names.field(fields::EXCEPTION_MESSAGE),
            ) {
                span.record_all(&names.value_set(&[
                    (&error, Some(&true as &dyn Value)),
                    (&type_field, Some(&type_name as &dyn Value)),
                    (&message_field, Some(&message as &dyn Value)),
                ]));
                return;
            }
        }
    }
    span.record(fields::ERROR, true);
}

/// What a report says of the outermost frame, `scope`.
fn edge_of(scope: &Scope) -> Edge {
    Edge {
        trace_id: scope.trace_id(),
        span_id: scope.span_id(),
        parent_span_id: scope.parent_span_id(),
        server: scope.server_span_id().map(|span_id| {
            let request = scope.request();
            ServerSpan {
                span_id,
                parent_span_id: scope.server_parent_span_id(),
                method: request.as_ref().map(|request| request.method.clone()),
                path: request.as_ref().map(|request| request.path.clone()),
            }
        }),
        service: crate::resource::service_of(Some(scope)),
    }
}

/// Whether the nearest service down the chain answered with a client error (4xx): the request
/// was at fault, not a service (OpenTelemetry leaves a server span's status unset for a 4xx
/// for that reason), so the report is an expected one, at `WARN`.
fn answered_client_error(report: &crate::report::ErrorReport) -> bool {
    report
        .causes
        .iter()
        .find_map(|cause| cause.remote.as_ref()?.status)
        .is_some_and(|status| (400..500).contains(&status))
}

/// The edge: the error leaves the outermost instrumented frame, `site` in `span`, whose ids
/// the report carries.
fn report(mut record: Box<Record>, edge: Edge, span: &Span, site: &'static Site) {
    if record.finished {
        // Reported already, by the task it came from.
        return;
    }
    record.finished = true;
    record.builder.at_edge(edge);
    let report = record.builder.finished();
    let expected = record.expected || answered_client_error(report);
    sink::emit(report, span, site.qualified_name(), expected);
    crate::remote::keep_for_request(report);
    if record.identity.is_panic() {
        super::panic_hook::panic_reported();
    }
}
