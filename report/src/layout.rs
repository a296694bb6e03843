//! The report as Python writes a traceback, written and read in this one file: the runtime
//! renders a report's `exception.stacktrace` with [`write_report`], the command reads the text
//! of older lines and of OTLP exception events back with [`parse`]. A round-trip property test
//! (render, parse, compare) keeps the two in step.
//!
//! ```text
//! In shop-inventory, span b208220b0d83cc0b, POST /reservations/42 → 500 Internal Server Error:
//! Traceback (most recent call last):
//!   File "src/inventory.rs", line 68, in inventory::query_stock
//! inventory::StockError: the stock of sku 42 could not be read
//!   caused by std::io::Error: connection refused
//!
//! The above error was the direct cause of the following error, in shop-gateway:
//! Traceback (most recent call last):
//!   File "src/gateway.rs", line 31, in gateway::checkout
//!     reserve(order)?;
//!   [12 runtime frames hidden]
//! gateway::CheckoutError: the order could not be reserved
//!
//! The above error was caused by:
//!   tracefault::RemoteError: inventory answered 500
//!
//! Span trace (outermost first):
//!   in gateway::checkout at src/gateway.rs:29 (origin)
//!
//! Trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7
//! ```
//!
//! Text from outside (messages, names, source lines) is escaped by the [`crate::escape`]
//! policy, and a message's further lines are marked with [`CONTINUATION`], so that nothing in
//! it can pass for a line of the report. What the text does not carry (a frame's `user`, the
//! span ids of the span trace, the server span, a panic's column) is in the JSON members only.

use crate::escape::{write_escaped, write_lines_escaped, CONTINUATION};
use crate::{Cause, Frame, IntoOwned, PanicLocation, RemoteOrigin, Report, ReportKind, SpanId};
use crate::{SpanTraceEntry, TraceId};
use std::borrow::Cow;
use std::fmt;

/// The header of a traceback's frames.
pub const TRACEBACK: &str = "Traceback (most recent call last):";
/// The header of the causes of a service's own error.
pub const CAUSED_BY: &str = "The above error was caused by:";
/// The header of the span trace.
pub const SPAN_TRACE: &str = "Span trace (outermost first):";
/// Joins the part of one service to that of the service it caused to fail (followed by
/// `, in <service>:` in a report; by `:` where a reader's own view joins reports).
pub const DIRECT_CAUSE: &str = "The above error was the direct cause of the following error";
const DIRECT_CAUSE_IN: &str = ", in ";
const REMOTE_HEADER: &str = "In ";
const REMOTE_CAUSED_BY: &str = "  caused by ";
const ANOTHER_SERVICE: &str = "another service";
const THIS_SERVICE: &str = "this service";
const UNKNOWN_FILE: &str = "<unknown>";
/// The function of the frame a panic's location is shown as when there is no traceback.
const PANIC_FRAME: &str = "<panic>";
const ORIGIN_MARK: &str = " (origin)";
/// What [`parse`] keeps of a traceback, however many repeats its text claims.
const MAX_FRAMES: usize = 4096;

impl Report<'_> {
    /// The Python-style text, as [`write_report`] writes it.
    pub fn python_style(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = write_report(&mut text, self);
        text
    }
}

/// Writes `report`: its traceback from [`Report::frames`] (or, without one, its span trace and
/// panic location as frames), its error, causes, span trace and trace.
pub fn write_report(out: &mut dyn fmt::Write, report: &Report<'_>) -> fmt::Result {
    write(out, report, None)
}

/// Writes the lines of a traceback's frames, made with [`write_frames`] (or with
/// [`write_frame`], [`write_repeated`] and [`write_hidden`]).
pub type WriteTraceback<'w> = &'w mut dyn FnMut(&mut dyn fmt::Write) -> fmt::Result;

/// As [`write_report`], with the traceback's lines written by `traceback`: the runtime keeps
/// the text of a call path's frames, which costs reading source files to make, and writes it
/// straight out.
pub fn write_report_with_traceback(
    out: &mut dyn fmt::Write,
    report: &Report<'_>,
    traceback: WriteTraceback<'_>,
) -> fmt::Result {
    write(out, report, Some(traceback))
}

fn write(
    out: &mut dyn fmt::Write,
    report: &Report<'_>,
    traceback: Option<WriteTraceback<'_>>,
) -> fmt::Result {
    let Some(first_remote) = report
        .causes
        .iter()
        .position(|cause| cause.remote.is_some())
    else {
        return write_local(out, report, &report.causes, traceback);
    };
    // The errors of other services, deepest first, each service's under a header saying
    // where it ran; then this service's part, as Python chains exceptions.
    let groups: Vec<&[Cause<'_>]> = report.causes[first_remote..]
        .chunk_by(same_service)
        .collect();
    for (index, group) in groups.iter().rev().enumerate() {
        if index == 0 {
            out.write_str(REMOTE_HEADER)?;
        } else {
            out.write_str(DIRECT_CAUSE)?;
            out.write_str(DIRECT_CAUSE_IN)?;
        }
        write_origin(out, group[0].remote.as_ref())?;
        out.write_str(":\n")?;
        write_remote_group(out, group)?;
        out.write_str("\n")?;
    }
    out.write_str(DIRECT_CAUSE)?;
    out.write_str(DIRECT_CAUSE_IN)?;
    write_escaped(out, report.service.as_deref().unwrap_or(THIS_SERVICE))?;
    out.write_str(":\n")?;
    write_local(out, report, &report.causes[..first_remote], traceback)
}

/// This service's part: its traceback, its error, the `causes` of its own, the span trace and
/// the trace.
fn write_local(
    out: &mut dyn fmt::Write,
    report: &Report<'_>,
    causes: &[Cause<'_>],
    traceback: Option<WriteTraceback<'_>>,
) -> fmt::Result {
    out.write_str(TRACEBACK)?;
    out.write_char('\n')?;
    match (traceback, &report.frames) {
        (Some(traceback), _) => traceback(out)?,
        (None, Some(frames)) => write_frames(out, frames, report.hidden_frames.unwrap_or(0))?,
        (None, None) => {
            for entry in &report.span_trace {
                write_frame(
                    out,
                    &Frame::new(entry.function.clone(), entry.file.clone(), entry.line),
                )?;
            }
            if let Some(location) = &report.panic_location {
                let frame = Frame::new(
                    PANIC_FRAME.into(),
                    Some(location.file.clone()),
                    Some(location.line),
                );
                write_frame(out, &frame)?;
            }
        }
    }
    if let Some(note) = &report.traceback_note {
        out.write_str("  (")?;
        write_escaped(out, note)?;
        out.write_str(")\n")?;
    }
    write_error_line(out, Some(&report.type_name), &report.message, "  ")?;
    if !causes.is_empty() {
        writeln!(out, "\n{CAUSED_BY}")?;
        for cause in causes {
            out.write_str("  ")?;
            write_error_line(out, cause.type_name.as_deref(), &cause.message, "    ")?;
        }
    }
    if !report.span_trace.is_empty() {
        writeln!(out, "\n{SPAN_TRACE}")?;
        let origin = report.span_trace.len() - 1;
        for (index, entry) in report.span_trace.iter().enumerate() {
            out.write_str("  in ")?;
            write_escaped(out, &entry.function)?;
            if let Some(file) = &entry.file {
                out.write_str(" at ")?;
                write_escaped(out, file)?;
                if let Some(line) = entry.line {
                    write!(out, ":{line}")?;
                }
            }
            if index == origin && !report.origin_untold {
                out.write_str(ORIGIN_MARK)?;
            }
            out.write_str("\n")?;
        }
    }
    if let (Some(trace_id), Some(span_id)) = (report.trace_id, report.span_id) {
        writeln!(out, "\nTrace {trace_id}, span {span_id}")?;
    }
    Ok(())
}

/// Frames, outermost first, as Python shows them: a frame repeated (recursion) three times in
/// full, then a count; then how many frames were left out.
pub fn write_frames(out: &mut dyn fmt::Write, frames: &[Frame<'_>], hidden: u64) -> fmt::Result {
    let mut index = 0;
    while index < frames.len() {
        write_frame(out, &frames[index])?;
        let repeats = frames[index + 1..]
            .iter()
            .take_while(|other| **other == frames[index])
            .count();
        let written = repeats.min(2);
        for repeated in &frames[index + 1..index + 1 + written] {
            write_frame(out, repeated)?;
        }
        if repeats > written {
            write_repeated(out, repeats - written)?;
        }
        index += 1 + repeats;
    }
    write_hidden(out, hidden)
}

/// `  File "src/shop.rs", line 14, in shop::checkout`, and under it the source line.
pub fn write_frame(out: &mut dyn fmt::Write, frame: &Frame<'_>) -> fmt::Result {
    out.write_str("  File \"")?;
    write_escaped(out, frame.file.as_deref().unwrap_or(UNKNOWN_FILE))?;
    out.write_str("\"")?;
    if let Some(line) = frame.line {
        write!(out, ", line {line}")?;
    }
    out.write_str(", in ")?;
    write_escaped(out, &frame.function)?;
    out.write_str("\n")?;
    if let Some(source) = &frame.source {
        out.write_str("    ")?;
        write_escaped(out, source)?;
        out.write_str("\n")?;
    }
    Ok(())
}

/// `  [Previous line repeated 7 more times]`
pub fn write_repeated(out: &mut dyn fmt::Write, more: usize) -> fmt::Result {
    writeln!(out, "  [Previous line repeated {more} more times]")
}

/// `  [12 runtime frames hidden]`, nothing for none.
pub fn write_hidden(out: &mut dyn fmt::Write, hidden: u64) -> fmt::Result {
    match hidden {
        0 => Ok(()),
        1 => writeln!(out, "  [1 runtime frame hidden]"),
        hidden => writeln!(out, "  [{hidden} runtime frames hidden]"),
    }
}

fn same_service(a: &Cause<'_>, b: &Cause<'_>) -> bool {
    fn service<'c>(cause: &'c Cause<'_>) -> Option<&'c str> {
        cause
            .remote
            .as_ref()
            .and_then(|origin| origin.service.as_deref())
    }
    service(a) == service(b)
}

/// `shop-inventory, span b208220b0d83cc0b, POST /reservations/42 → 500 Internal Server Error`
fn write_origin(out: &mut dyn fmt::Write, origin: Option<&RemoteOrigin<'_>>) -> fmt::Result {
    let Some(origin) = origin else {
        return out.write_str(ANOTHER_SERVICE);
    };
    write_escaped(out, origin.service.as_deref().unwrap_or(ANOTHER_SERVICE))?;
    if let Some(span_id) = origin.span_id {
        write!(out, ", span {span_id}")?;
    }
    if let Some(path) = &origin.path {
        out.write_str(", ")?;
        if let Some(method) = &origin.method {
            write_escaped(out, method)?;
            out.write_str(" ")?;
        }
        write_escaped(out, path)?;
    }
    if let Some(status) = origin.status {
        write!(out, " → {status}")?;
        if let Some(reason) = reason_phrase(status) {
            write!(out, " {reason}")?;
        }
    }
    Ok(())
}

/// One service's errors of a remote chain: the traceback it sent, if any, its error, and the
/// causes it gave.
fn write_remote_group(out: &mut dyn fmt::Write, group: &[Cause<'_>]) -> fmt::Result {
    let frames = group.iter().find_map(|cause| {
        cause
            .remote
            .as_ref()
            .filter(|origin| !origin.frames.is_empty())
    });
    if let Some(origin) = frames {
        writeln!(out, "{TRACEBACK}")?;
        write_frames(out, &origin.frames, 0)?;
    }
    let Some((head, below)) = group.split_first() else {
        return Ok(());
    };
    write_error_line(out, head.type_name.as_deref(), &head.message, "  ")?;
    for cause in below {
        out.write_str(REMOTE_CAUSED_BY)?;
        write_error_line(out, cause.type_name.as_deref(), &cause.message, "    ")?;
    }
    Ok(())
}

/// `type: message`, the message's further lines marked after `indent`.
fn write_error_line(
    out: &mut dyn fmt::Write,
    type_name: Option<&str>,
    message: &str,
    indent: &str,
) -> fmt::Result {
    if let Some(type_name) = type_name {
        write_escaped(out, type_name)?;
        if !message.is_empty() {
            out.write_str(": ")?;
        }
    }
    write_lines_escaped(out, message, indent)?;
    out.write_str("\n")
}

/// The reason phrase of the HTTP statuses a failing answer commonly has.
///
/// ```
/// assert_eq!(tracefault_report::layout::reason_phrase(503), Some("Service Unavailable"));
/// ```
pub fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// Reads a report's text back: what [`write_report`] wrote, and the text of older runtimes
/// (the same lines). Never fails: what is not recognised is skipped, in one pass over the
/// lines, and no more than 4096 frames are kept however many repeats the text
/// claims. Escapes stay as they were written.
///
/// ```
/// use tracefault_report::layout::parse;
/// let report = parse("Traceback (most recent call last):\n  File \"src/a.rs\", line 3, in a::f\nio::Error: refused\n");
/// assert_eq!(report.type_name, "io::Error");
/// assert_eq!(report.frames.unwrap()[0].line, Some(3));
/// ```
pub fn parse(text: &str) -> Report<'static> {
    // The parts of each service, split at the lines that join them (outside text cannot start
    // a line: its further lines are marked).
    let mut parts: Vec<(Option<&str>, Vec<&str>)> = vec![(None, Vec::new())];
    for line in text.lines() {
        let joint = line
            .strip_prefix(DIRECT_CAUSE)
            .and_then(|rest| rest.strip_prefix(DIRECT_CAUSE_IN));
        match joint {
            Some(header) => {
                parts.push((Some(header.strip_suffix(':').unwrap_or(header)), Vec::new()))
            }
            None => parts.last_mut().map_or((), |(_, lines)| lines.push(line)),
        }
    }
    let (local_header, local_lines) = parts.pop().unwrap_or_default();
    let mut remote_groups = Vec::new();
    for (index, (header, lines)) in parts.iter().enumerate() {
        let (header, lines) = match (index, header) {
            (0, _) => match lines.split_first() {
                Some((first, rest)) => {
                    let header = first.strip_prefix(REMOTE_HEADER).unwrap_or(first);
                    (header.strip_suffix(':').unwrap_or(header), rest)
                }
                None => continue,
            },
            (_, header) => (header.unwrap_or_default(), lines.as_slice()),
        };
        remote_groups.push(parse_remote_group(header, lines));
    }
    let mut report = parse_local(&local_lines);
    if !remote_groups.is_empty() {
        report.service = local_header
            .filter(|service| *service != THIS_SERVICE)
            .map(|service| Cow::Owned(service.to_owned()));
    }
    // Deepest first in the text; outermost first in the chain.
    report
        .causes
        .extend(remote_groups.into_iter().rev().flatten());
    report.into_owned()
}

/// Lines, read front to back.
struct Lines<'t> {
    lines: &'t [&'t str],
    at: usize,
}

impl<'t> Lines<'t> {
    fn peek(&self) -> Option<&'t str> {
        self.lines.get(self.at).copied()
    }

    fn next_if(&mut self, wanted: impl FnOnce(&'t str) -> bool) -> Option<&'t str> {
        let line = self.peek().filter(|line| wanted(line))?;
        self.at += 1;
        Some(line)
    }

    fn skip_blank(&mut self) {
        while self.next_if(str::is_empty).is_some() {}
    }

    /// A message's first line and its further ones, marked after `indent`, joined again.
    fn message(&mut self, first: &'t str, indent: &str) -> Cow<'t, str> {
        let mut message = Cow::Borrowed(first);
        let further = |line: &'t str| line.strip_prefix(indent)?.strip_prefix(CONTINUATION);
        while let Some(more) = self.peek().and_then(further) {
            self.at += 1;
            let joined = message.to_mut();
            joined.push('\n');
            joined.push_str(more);
        }
        message
    }
}

fn parse_local<'t>(lines: &'t [&'t str]) -> Report<'t> {
    let mut lines = Lines { lines, at: 0 };
    let mut report = Report::default();
    // What comes before the traceback's header is not ours.
    while lines.peek().is_some_and(|line| line != TRACEBACK) {
        lines.at += 1;
    }
    if lines.next_if(|line| line == TRACEBACK).is_some() {
        let (frames, hidden) = parse_frames(&mut lines);
        report.frames = Some(frames);
        report.hidden_frames = hidden;
    }
    if let Some(note) = lines.next_if(|line| line.starts_with("  (") && line.ends_with(')')) {
        report.traceback_note = Some(Cow::Borrowed(&note[3..note.len() - 1]));
    }
    if let Some(line) = lines.next_if(|line| !line.is_empty() && !line.starts_with(' ')) {
        let (type_name, message) = line.split_once(": ").unwrap_or((line, ""));
        report.type_name = Cow::Borrowed(type_name);
        report.message = lines.message(message, "  ");
        if report.type_name == ReportKind::Panic.as_str() {
            report.kind = ReportKind::Panic;
        }
    }
    loop {
        lines.skip_blank();
        let Some(line) = lines.next_if(|_| true) else {
            break;
        };
        if line == CAUSED_BY {
            while let Some(cause) = lines.next_if(|line| line.starts_with("  ")) {
                report
                    .causes
                    .push(parse_cause(&mut lines, &cause[2..], "    "));
            }
        } else if line == SPAN_TRACE {
            let mut marked = false;
            while let Some(entry) = lines.next_if(|line| line.starts_with("  in ")) {
                marked = entry.ends_with(ORIGIN_MARK);
                report.span_trace.push(parse_span_trace_entry(&entry[5..]));
            }
            report.origin_untold = !report.span_trace.is_empty() && !marked;
        } else if let Some(ids) = line.strip_prefix("Trace ") {
            if let Some((trace_id, span_id)) = ids.split_once(", span ") {
                report.trace_id = TraceId::parse(trace_id);
                report.span_id = SpanId::parse(span_id);
            }
        }
    }
    // Without a traceback, the span trace and a panic's location are shown as frames.
    if let Some(frames) = &mut report.frames {
        if frames
            .last()
            .is_some_and(|frame| frame.function == PANIC_FRAME)
        {
            let frame = frames.pop();
            report.panic_location = frame.and_then(|frame| {
                Some(PanicLocation {
                    file: frame.file?,
                    line: frame.line?,
                    column: 0,
                })
            });
        }
        let from_span_trace = frames.len() == report.span_trace.len()
            && frames.iter().zip(&report.span_trace).all(|(frame, entry)| {
                frame.function == entry.function
                    && frame.file == entry.file
                    && frame.line == entry.line
                    && frame.source.is_none()
            });
        if from_span_trace && report.hidden_frames.is_none() {
            report.frames = None;
        }
    }
    report
}

/// `module::function at file.rs:57 (origin)`
fn parse_span_trace_entry(entry: &str) -> SpanTraceEntry<'_> {
    let entry = entry.strip_suffix(ORIGIN_MARK).unwrap_or(entry);
    let (function, place) = match entry.rsplit_once(" at ") {
        Some((function, place)) => (function, Some(place)),
        None => (entry, None),
    };
    let (file, line) = match place.map(|place| (place, place.rsplit_once(':'))) {
        Some((_, Some((file, line)))) if line.parse::<u32>().is_ok() => {
            (Some(file), line.parse().ok())
        }
        Some((place, _)) => (Some(place), None),
        None => (None, None),
    };
    SpanTraceEntry {
        function: Cow::Borrowed(function),
        file: file.map(Cow::Borrowed),
        line,
        span_id: None,
    }
}

/// The frames under a traceback's header, the source line under each, repeats expanded, and
/// the count of hidden frames.
fn parse_frames<'t>(lines: &mut Lines<'t>) -> (Vec<Frame<'t>>, Option<u64>) {
    let mut frames: Vec<Frame<'t>> = Vec::new();
    let mut hidden = None;
    while let Some(line) =
        lines.next_if(|line| line.starts_with("  File \"") || line.starts_with("  ["))
    {
        if let Some(frame) = line.strip_prefix("  File \"").and_then(parse_frame) {
            let source = lines
                .next_if(|line| line.starts_with("    "))
                .map(|line| Cow::Borrowed(&line[4..]));
            if frames.len() < MAX_FRAMES {
                frames.push(Frame { source, ..frame });
            }
        } else if let Some(more) = line
            .strip_prefix("  [Previous line repeated ")
            .and_then(|rest| rest.strip_suffix(" more times]"))
            .and_then(|count| count.parse::<usize>().ok())
        {
            if let Some(last) = frames.last().cloned() {
                let room = MAX_FRAMES.saturating_sub(frames.len());
                frames.extend(std::iter::repeat_n(last, more.min(room)));
            }
        } else if let Some(count) = line.strip_prefix("  [").and_then(|rest| {
            rest.strip_suffix(" runtime frames hidden]")
                .or(rest.strip_suffix(" runtime frame hidden]"))
        }) {
            hidden = count.parse().ok();
        }
    }
    (frames, hidden)
}

/// `src/shop.rs", line 14, in shop::checkout` (after `File "`).
fn parse_frame(rest: &str) -> Option<Frame<'_>> {
    let (file, rest) = rest.split_once('"')?;
    let (line, function) = match rest.strip_prefix(", line ") {
        Some(rest) => {
            let (line, function) = rest.split_once(", in ")?;
            (line.parse().ok(), function)
        }
        None => (None, rest.strip_prefix(", in ")?),
    };
    let file = (file != UNKNOWN_FILE).then_some(Cow::Borrowed(file));
    Some(Frame::new(Cow::Borrowed(function), file, line))
}

/// One service's part of a remote chain: the header's origin, its traceback, its error and
/// the causes it gave.
fn parse_remote_group<'t>(header: &'t str, lines: &'t [&'t str]) -> Vec<Cause<'t>> {
    let origin = parse_origin(header);
    let mut lines = Lines { lines, at: 0 };
    let mut frames = Vec::new();
    if lines.next_if(|line| line == TRACEBACK).is_some() {
        frames = parse_frames(&mut lines).0;
    }
    let mut causes = Vec::new();
    if let Some(line) = lines.next_if(|line| !line.is_empty() && !line.starts_with(' ')) {
        let mut head = parse_cause(&mut lines, line, "  ");
        head.remote = Some(RemoteOrigin {
            frames,
            ..origin.clone()
        });
        causes.push(head);
    }
    while let Some(line) = lines.next_if(|line| line.starts_with(REMOTE_CAUSED_BY)) {
        let mut cause = parse_cause(&mut lines, &line[REMOTE_CAUSED_BY.len()..], "    ");
        cause.remote = Some(RemoteOrigin {
            service: origin.service.clone(),
            ..RemoteOrigin::default()
        });
        causes.push(cause);
    }
    causes
}

/// A cause line (`type: message` or `message`), and its message's further lines after
/// `marker`.
fn parse_cause<'t>(lines: &mut Lines<'t>, line: &'t str, indent: &str) -> Cause<'t> {
    match line.split_once(": ") {
        Some((type_name, message)) => Cause::new(
            Some(Cow::Borrowed(type_name)),
            lines.message(message, indent),
        ),
        None => Cause::new(None, lines.message(line, indent)),
    }
}

/// `shop-inventory, span b208220b0d83cc0b, POST /reservations/42 → 500 Internal Server Error`
fn parse_origin(header: &str) -> RemoteOrigin<'_> {
    let (rest, status) = match header.split_once(" → ") {
        Some((rest, status)) => (
            rest,
            status.split(' ').next().and_then(|code| code.parse().ok()),
        ),
        None => (header, None),
    };
    let mut parts = rest.split(", ");
    let service = parts.next().filter(|service| *service != ANOTHER_SERVICE);
    let mut origin = RemoteOrigin {
        service: service.map(Cow::Borrowed),
        status,
        ..RemoteOrigin::default()
    };
    for part in parts {
        if let Some(span_id) = part.strip_prefix("span ").and_then(SpanId::parse) {
            origin.span_id = Some(span_id);
        } else if let Some((method, path)) = part.split_once(' ') {
            origin.method = Some(Cow::Borrowed(method));
            origin.path = Some(Cow::Borrowed(path));
        } else {
            origin.path = Some(Cow::Borrowed(part));
        }
    }
    origin
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;

    // What the text carries, generated so that it reads back the same: names without the
    // separators the layout writes around them (`: `, `, `, ` at `, `"`), no character the
    // escape policy rewrites (escapes are for the eye and stay escaped), messages with
    // further lines. What the text cannot carry (a frame's `user`, span ids of the span
    // trace, the server span, a panic's column when there is a traceback) is left at its
    // default: the JSON members carry it.
    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-z_]{0,6}(::[a-z][a-z_]{0,6}){0,2}"
    }
    fn file() -> impl Strategy<Value = Cow<'static, str>> {
        "[a-z]{1,6}/[a-z_]{1,6}\\.rs".prop_map(Cow::Owned)
    }
    fn message() -> impl Strategy<Value = Cow<'static, str>> {
        // The first line neither empty, nor starting with a space (a cause without a type
        // whose message does is read as indented), nor with `: ` (read as a type).
        "[a-z][a-zA-Z0-9 ./=]{0,12}[a-z]( [a-z0-9:|()\\[\\]\"]{0,10}){0,3}(\n[ -~]{0,20}){0,2}"
            .prop_filter("no ': ' in the first line", |m: &String| {
                !m.split('\n').next().unwrap_or("").contains(": ")
            })
            .prop_map(Cow::Owned)
    }
    fn frame() -> impl Strategy<Value = Frame<'static>> {
        (
            name(),
            option::of(file()),
            option::of(1..5000u32),
            option::of("[ -~]{0,20}"),
        )
            .prop_map(|(function, file, line, source)| Frame {
                function: format!("f_{function}").into(),
                file,
                line,
                user: true,
                source: source.map(Cow::Owned),
            })
    }
    fn local_cause() -> impl Strategy<Value = Cause<'static>> {
        (option::of(name()), message())
            .prop_map(|(type_name, message)| Cause::new(type_name.map(Cow::Owned), message))
    }
    fn remote_group(index: usize) -> impl Strategy<Value = Vec<Cause<'static>>> {
        let origin = (
            option::of(any::<[u8; 8]>()),
            option::of(100..600u16),
            option::of(("[A-Z]{3,6}", "/[a-z0-9/]{0,12}")),
            option::of("/[a-z0-9/]{0,12}"),
            vec(
                frame().prop_map(|frame| Frame {
                    source: None,
                    ..frame
                }),
                0..3,
            ),
        );
        (origin, local_cause(), vec(local_cause(), 0..3)).prop_map(move |(origin, head, below)| {
            let (span, status, route, bare_path, frames) = origin;
            let service: Option<Cow<'static, str>> = Some(format!("svc{index}").into());
            let (method, path) = match (route, bare_path) {
                (Some((method, path)), _) => (Some(method.into()), Some(path.into())),
                (None, path) => (None, path.map(Cow::Owned)),
            };
            let mut causes = vec![Cause {
                remote: Some(RemoteOrigin {
                    service: service.clone(),
                    span_id: span.and_then(|bytes| (bytes != [0; 8]).then_some(SpanId(bytes))),
                    status,
                    method,
                    path,
                    frames,
                }),
                ..head
            }];
            causes.extend(below.into_iter().map(|cause| Cause {
                remote: Some(RemoteOrigin {
                    service: service.clone(),
                    ..RemoteOrigin::default()
                }),
                ..cause
            }));
            causes
        })
    }
    fn report() -> impl Strategy<Value = Report<'static>> {
        let span_trace = vec(
            (name(), file(), option::of(1..5000u32)).prop_map(|(function, file, line)| {
                SpanTraceEntry {
                    function: format!("s_{function}").into(),
                    file: Some(file),
                    line,
                    span_id: None,
                }
            }),
            0..4,
        );
        let traceback = prop_oneof![
            // A traceback: frames, repeats among them, and hidden ones.
            (vec(frame(), 1..5), 0..6usize, option::of(1..100u64)).prop_map(
                |(mut frames, repeats, hidden)| {
                    let last = frames[frames.len() - 1].clone();
                    frames.extend(std::iter::repeat_n(last, repeats));
                    (Some(frames), hidden, None)
                }
            ),
            // None: the span trace (and a panic's place) stand in.
            option::of((file(), 1..5000u32)).prop_map(|location| {
                (
                    None,
                    None,
                    location.map(|(file, line)| PanicLocation {
                        file,
                        line,
                        column: 0,
                    }),
                )
            }),
        ];
        (
            name(),
            message(),
            vec(local_cause(), 0..3),
            0..3usize,
            traceback,
            span_trace,
            option::of("[a-z ]{1,20}"),
            option::of((any::<[u8; 16]>(), any::<[u8; 8]>())),
        )
            .prop_flat_map(
                |(type_name, message, local, groups, traceback, span_trace, note, ids)| {
                    let remote: Vec<_> = (0..groups).map(remote_group).collect();
                    (
                        Just((type_name, message, local, traceback, span_trace, note, ids)),
                        remote,
                    )
                },
            )
            .prop_map(
                |(
                    (
                        type_name,
                        message,
                        local,
                        (frames, hidden_frames, panic_location),
                        span_trace,
                        note,
                        ids,
                    ),
                    remote,
                )| {
                    let remote_causes: Vec<Cause<'static>> = remote.into_iter().flatten().collect();
                    let service = (!remote_causes.is_empty()).then_some(Cow::Borrowed("gateway"));
                    let ids = ids.filter(|(trace, span)| *trace != [0; 16] && *span != [0; 8]);
                    Report {
                        kind: if type_name == "panic" {
                            ReportKind::Panic
                        } else {
                            ReportKind::Error
                        },
                        type_name: type_name.into(),
                        message,
                        causes: local.into_iter().chain(remote_causes).collect(),
                        frames,
                        hidden_frames,
                        span_trace,
                        traceback_note: note.map(Cow::Owned),
                        panic_location,
                        trace_id: ids.map(|(trace, _)| TraceId(trace)),
                        span_id: ids.map(|(_, span)| SpanId(span)),
                        service,
                        ..Report::default()
                    }
                },
            )
    }

    #[test]
    fn an_untold_origin_has_no_mark_and_parses_back_untold() {
        let report = Report {
            type_name: "app::Failure".into(),
            message: "it broke".into(),
            span_trace: vec![SpanTraceEntry {
                function: "app::run".into(),
                file: Some("src/app.rs".into()),
                line: Some(9),
                span_id: None,
            }],
            origin_untold: true,
            ..Report::default()
        };
        let text = report.python_style();
        assert!(!text.contains(ORIGIN_MARK), "{text}");
        assert!(parse(&text).origin_untold);
        let told = Report {
            origin_untold: false,
            ..report
        };
        assert!(!parse(&told.python_style()).origin_untold);
    }

    proptest! {
        #[test]
        fn what_is_rendered_parses_back_the_same(report in report()) {
            let text = report.python_style();
            prop_assert_eq!(parse(&text), report, "{}", text);
        }

        #[test]
        fn any_text_parses_without_panicking_and_bounded(text in "(Traceback.*\n|  File \"[a-z]*\", line [0-9]*, in .*\n|  \\[Previous line repeated 9999999 more times\\]\n|.*\n){0,12}") {
            let report = parse(&text);
            prop_assert!(report.frames.map_or(0, |frames| frames.len()) <= MAX_FRAMES);
        }
    }

    #[test]
    fn outside_text_cannot_forge_report_lines_or_drive_the_terminal() {
        let forged = "bad input\n    Traceback (most recent call last):\n      File \"x.rs\", line 1, in evil\n\rERROR forged\x1b[2K\x1b]0;title\x07";
        let report = Report {
            type_name: "app::Failure".into(),
            message: forged.into(),
            causes: vec![Cause::new(
                Some("std::io::Error".into()),
                "refused\nTrace 0000, span 0000\u{9b}2J".into(),
            )],
            ..Report::default()
        };
        let text = report.python_style();
        assert_eq!(text.matches(TRACEBACK).count(), 2);
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::escape::is_escaped(c)),
            "{text}"
        );
        assert!(
            text.contains("app::Failure: bad input\n  |     Traceback (most recent call last):\n"),
            "{text}"
        );
        assert!(
            text.contains("  | \\rERROR forged\\x1b[2K\\x1b]0;title\\x07\n"),
            "{text}"
        );
        assert!(
            text.contains("  std::io::Error: refused\n    | Trace 0000, span 0000\\u{9b}2J\n"),
            "{text}"
        );
        let parsed = parse(&text);
        assert_eq!(parsed.causes.len(), 1);
        assert!(parsed.trace_id.is_none());
    }
}
