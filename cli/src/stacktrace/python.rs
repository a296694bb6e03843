//! Python's traceback: `Traceback (most recent call last):`, a `File "…", line N, in f` line
//! per call (outermost first already), the source line and its `^^^` marks under it, then
//! `Type: message`. A chain prints the cause first, joined by "The above exception was the
//! direct cause of the following exception:" or "During handling of the above exception,
//! another exception occurred:"; it is read back to outermost first.

use super::{type_and_message, Code, Exception, Frame};

// tracefault's own layout prints Python's header: one definition of it, the format crate's.
const HEADER: &str = tracefault_report::layout::TRACEBACK;
const DIRECT_CAUSE: &str = "The above exception was the direct cause of the following exception:";
const DURING_HANDLING: &str = "During handling of the above exception, another exception occurred:";

pub(super) fn is_header(line: &str) -> bool {
    line == HEADER
}

/// Whether `text` is Python's rather than tracefault's own layout, which prints the same
/// header and frames for Rust: a Python file, or a line only Python prints.
pub fn is_python(text: &str) -> bool {
    super::bounded_lines(text).iter().any(|line| {
        *line == DIRECT_CAUSE
            || *line == DURING_HANDLING
            || frame(line).is_some_and(|frame| {
                frame.function == "<module>"
                    || frame
                        .file
                        .as_deref()
                        .is_some_and(|file| file.ends_with(".py"))
            })
    })
}

/// `  File "/app/shop.py", line 14, in checkout`
pub(super) fn frame(line: &str) -> Option<Frame> {
    let rest = line.strip_prefix("  File \"")?;
    let (file, rest) = rest.split_once("\", line ")?;
    let (line_number, function) = rest.split_once(", in ")?;
    Some(Frame {
        function: function.to_owned(),
        file: Some(file.to_owned()),
        line: line_number.parse().ok(),
        column: None,
        code: code(file),
    })
}

/// The standard library is under `lib/python3.x/` (or frozen into the interpreter);
/// packages are under `site-packages/` or Debian's `dist-packages/` inside it.
fn code(file: &str) -> Code {
    if file.contains("/site-packages/") || file.contains("/dist-packages/") {
        Code::Dependency
    } else if file.contains("/lib/python") || file.starts_with("<frozen ") {
        Code::Runtime
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    // In the text's order: the deepest cause first.
    let mut exceptions: Vec<Exception> = Vec::new();
    let mut current: Option<Exception> = None;
    for line in lines {
        if is_header(line) {
            current = Some(Exception::default());
        } else if let Some(frame) = frame(line) {
            current
                .get_or_insert_with(Exception::default)
                .frames
                .push(frame);
        } else if !line.is_empty() && !line.starts_with(' ') && !line.starts_with('\t') {
            if let Some(mut exception) = current.take() {
                let (type_name, message) = type_and_message(line);
                exception.type_name = type_name;
                exception.message = message;
                exceptions.push(exception);
            }
        }
    }
    exceptions.extend(current);
    exceptions.reverse();
    exceptions
}
