//! The report as Python writes a traceback. The layout is `tracefault-report`'s (one renderer,
//! which the command's parser reads back); this service adds the traceback's lines, rendered
//! once per call path and cached (see `traceback::render`).

use super::wire::Frames;
use super::ErrorReport;
use std::fmt;
use tracefault_report::layout;

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
        let report = self.to_format(Frames::Left);
        match &self.traceback {
            Some(traceback) => {
                let known_files = self.known_files();
                layout::write_report_with_traceback(f, &report, &mut |out| {
                    traceback.write_python_style(out, &known_files)
                })
            }
            None => layout::write_report(f, &report),
        }
    }
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
