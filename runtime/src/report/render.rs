//! The report as Python writes a traceback: the frames, the error, what caused it, the span
//! trace and the trace. Text from outside (messages, causes, panic payloads) is escaped, and a
//! message's further lines are marked, so that nothing in it can pass for a line of the report.

use super::escape::{write_escaped, write_lines_escaped};
use super::{Cause, ErrorReport, RemoteOrigin};
use std::fmt;

/// ```text
/// Traceback (most recent call last):
///   File "examples/quickstart.rs", line 31, in quickstart::checkout
///     reserve(order)?;
///   File "examples/quickstart.rs", line 40, in quickstart::reserve
///     fn reserve(order: &Order) -> Result<(), StockError> {
///   [12 runtime frames hidden]
/// quickstart::StockError: sku 42 is out of stock
///
/// The above error was caused by:
///   std::io::Error: connection refused
///
/// Span trace (outermost first):
///   in quickstart::checkout at examples/quickstart.rs:29
///   in quickstart::reserve at examples/quickstart.rs:39 (origin)
///
/// Trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7
/// ```
impl fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first_remote = self.causes.iter().position(|cause| cause.remote.is_some());
        let Some(first_remote) = first_remote else {
            return self.write_local(f, &self.causes);
        };
        // The errors of other services, deepest first, each service's under a header saying
        // where it ran; then this service's part, as Python chains exceptions.
        let remote = &self.causes[first_remote..];
        let groups: Vec<&[Cause]> = remote.chunk_by(same_service).collect();
        for (index, group) in groups.iter().rev().enumerate() {
            if index == 0 {
                f.write_str("In ")?;
            } else {
                f.write_str("\nThe above error was the direct cause of the following error, in ")?;
            }
            write_origin(f, group[0].remote.as_deref())?;
            f.write_str(":\n")?;
            write_remote_group(f, group)?;
        }
        f.write_str("\nThe above error was the direct cause of the following error, in ")?;
        match &self.service {
            Some(service) => write_escaped(f, service)?,
            None => f.write_str("this service")?,
        }
        f.write_str(":\n")?;
        self.write_local(f, &self.causes[..first_remote])
    }
}

impl ErrorReport {
    /// This service's part of the report: its traceback, its error, the `causes` of its own,
    /// the span trace and the trace.
    fn write_local(&self, f: &mut fmt::Formatter<'_>, causes: &[Cause]) -> fmt::Result {
        writeln!(f, "Traceback (most recent call last):")?;
        match &self.traceback {
            Some(traceback) => traceback.write_python_style(f, &self.known_files())?,
            None => {
                for entry in &self.span_trace {
                    writeln!(
                        f,
                        "  File \"{}\", line {}, in {}",
                        entry.file, entry.line, entry.function
                    )?;
                }
                if let Some(location) = &self.panic_location {
                    f.write_str("  File \"")?;
                    write_escaped(f, &location.file)?;
                    writeln!(f, "\", line {}, in <panic>", location.line)?;
                }
            }
        }
        if let Some(note) = &self.traceback_note {
            writeln!(f, "  ({note})")?;
        }
        write_error_line(f, Some(&self.type_name), &self.message, "  ")?;
        if !causes.is_empty() {
            writeln!(f, "\nThe above error was caused by:")?;
            for cause in causes {
                f.write_str("  ")?;
                write_error_line(f, cause.type_name.as_deref(), &cause.message, "    ")?;
            }
        }
        if !self.span_trace.is_empty() {
            writeln!(f, "\nSpan trace (outermost first):")?;
            let origin = self.span_trace.len() - 1;
            for (index, entry) in self.span_trace.iter().enumerate() {
                let mark = if index == origin && self.origin_known {
                    " (origin)"
                } else {
                    ""
                };
                writeln!(
                    f,
                    "  in {} at {}:{}{mark}",
                    entry.function, entry.file, entry.line
                )?;
            }
        }
        if let (Some(trace_id), Some(span_id)) = (self.trace_id, self.span_id) {
            writeln!(f, "\nTrace {trace_id}, span {span_id}")?;
        }
        Ok(())
    }
}

fn same_service(a: &Cause, b: &Cause) -> bool {
    let service = |cause: &Cause| {
        cause
            .remote
            .as_ref()
            .and_then(|origin| origin.service.clone())
    };
    service(a) == service(b)
}

/// `shop-inventory, span b208220b0d83cc0b, POST /reservations/42 → 500 Internal Server Error`
fn write_origin(f: &mut fmt::Formatter<'_>, origin: Option<&RemoteOrigin>) -> fmt::Result {
    let Some(origin) = origin else {
        return f.write_str("another service");
    };
    write_escaped(f, origin.service.as_deref().unwrap_or("another service"))?;
    if let Some(span_id) = origin.span_id {
        write!(f, ", span {span_id}")?;
    }
    if let Some(path) = &origin.path {
        f.write_str(", ")?;
        if let Some(method) = &origin.method {
            write_escaped(f, method)?;
            f.write_str(" ")?;
        }
        write_escaped(f, path)?;
    }
    if let Some(status) = origin.status {
        write!(f, " → {status}")?;
        if let Some(reason) = crate::remote::reason_phrase(status) {
            write!(f, " {reason}")?;
        }
    }
    Ok(())
}

/// One service's errors of a remote chain: the traceback it sent, if any, its error, and the
/// causes it gave.
fn write_remote_group(f: &mut fmt::Formatter<'_>, group: &[Cause]) -> fmt::Result {
    let frames = group
        .iter()
        .find_map(|cause| {
            cause
                .remote
                .as_ref()
                .filter(|origin| !origin.frames.is_empty())
        })
        .map(|origin| origin.frames.as_slice());
    if let Some(frames) = frames {
        writeln!(f, "Traceback (most recent call last):")?;
        for frame in frames {
            f.write_str("  File \"")?;
            write_escaped(f, frame.file.as_deref().unwrap_or("<unknown>"))?;
            f.write_str("\"")?;
            if let Some(line) = frame.line {
                write!(f, ", line {line}")?;
            }
            f.write_str(", in ")?;
            write_escaped(f, &frame.function)?;
            f.write_str("\n")?;
        }
    }
    let Some((head, below)) = group.split_first() else {
        return Ok(());
    };
    write_error_line(f, head.type_name.as_deref(), &head.message, "  ")?;
    for cause in below {
        f.write_str("  caused by ")?;
        write_error_line(f, cause.type_name.as_deref(), &cause.message, "    ")?;
    }
    Ok(())
}

/// `type: message`, the message's further lines marked after `indent`, one level further in
/// than the line they continue.
fn write_error_line(
    f: &mut fmt::Formatter<'_>,
    type_name: Option<&str>,
    message: &str,
    indent: &str,
) -> fmt::Result {
    if let Some(type_name) = type_name {
        write_escaped(f, type_name)?;
        if !message.is_empty() {
            f.write_str(": ")?;
        }
    }
    write_lines_escaped(f, message, indent)?;
    f.write_str("\n")
}

#[cfg(test)]
mod tests {
    use super::super::builder::ReportBuilder;
    use super::super::{Cause, SpanTraceEntry};
    use super::*;

    fn report(message: &str, cause: &str) -> ErrorReport {
        let mut builder = ReportBuilder::new(
            super::super::ReportKind::Error,
            "app::Failure".into(),
            message.to_owned(),
            vec![Cause::new(Some("std::io::Error".into()), cause.to_owned())],
        );
        builder.note("backtrace not captured: RUST_BACKTRACE=0".into());
        builder.with_span_trace(vec![
            SpanTraceEntry {
                function: "app::outer".into(),
                file: "src/app.rs",
                line: 3,
                span_id: None,
            },
            SpanTraceEntry {
                function: "app::inner".into(),
                file: "src/app.rs",
                line: 9,
                span_id: None,
            },
        ]);
        builder.finish()
    }

    #[test]
    fn a_report_without_traceback_lists_its_span_trace() {
        assert_eq!(
            report("it broke", "connection refused").to_string(),
            "Traceback (most recent call last):\n  \
             File \"src/app.rs\", line 3, in app::outer\n  \
             File \"src/app.rs\", line 9, in app::inner\n  \
             (backtrace not captured: RUST_BACKTRACE=0)\n\
             app::Failure: it broke\n\n\
             The above error was caused by:\n  \
             std::io::Error: connection refused\n\n\
             Span trace (outermost first):\n  \
             in app::outer at src/app.rs:3\n  \
             in app::inner at src/app.rs:9 (origin)\n"
        );
    }

    #[test]
    fn outside_text_cannot_forge_report_lines_or_drive_the_terminal() {
        let forged = "bad input\n    Traceback (most recent call last):\n      File \"x.rs\", line 1, in evil\n\rERROR forged\x1b[2K\x1b[1A\x1b]0;title\x07";
        let text = report(forged, "refused\nTrace 0000, span 0000\u{9b}2J").to_string();
        assert_eq!(
            text.matches("Traceback (most recent call last):").count(),
            2
        );
        for line in text.lines() {
            assert!(!line.contains('\x1b') && !line.contains('\r') && !line.contains('\x07'));
            assert!(!line.contains('\u{9b}'));
            // Every line of outside text after its first is marked as a continuation.
            let forged_line =
                line.contains("evil") || line.contains("forged") || line.contains("Trace 0000");
            if forged_line
                || line.trim_start().starts_with("Traceback") && !line.starts_with("Traceback")
            {
                assert!(line.trim_start().starts_with('|'), "{line:?}");
            }
        }
        assert!(
            text.contains("app::Failure: bad input\n  |     Traceback (most recent call last):\n"),
            "{text}"
        );
        assert!(
            text.contains("  | \\rERROR forged\\x1b[2K\\x1b[1A\\x1b]0;title\\x07\n"),
            "{text}"
        );
        assert!(
            text.contains("  std::io::Error: refused\n    | Trace 0000, span 0000\\u{9b}2J\n"),
            "{text}"
        );
    }
}
