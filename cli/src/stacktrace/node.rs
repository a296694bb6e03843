//! V8's `error.stack`, as Node.js prints it: `Type: message`, then `    at fn (file:line:col)`
//! or `    at file:line:col` per call, the innermost first.

use super::{file_line_column, type_and_message, Code, Exception, Frame};

/// `    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:287:98)`,
/// `    at async Promise.all (index 0)`, `    at node:internal/main/run_main_module:28:49`.
pub(super) fn frame(line: &str) -> Option<Frame> {
    let rest = line.trim_start().strip_prefix("at ")?;
    let (function, place) = match rest
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once(" ("))
    {
        Some((function, place)) => (function.strip_prefix("async ").unwrap_or(function), place),
        None if !rest.contains(' ') && rest.contains(':') => ("<anonymous>", rest),
        None => return None,
    };
    let (file, line, column) = file_line_column(place);
    let known = line.is_some()
        || place == "<anonymous>"
        || place == "native"
        || place.starts_with("index ");
    if !known {
        return None;
    }
    Some(Frame {
        function: function.to_owned(),
        code: code(&file),
        file: Some(file),
        line,
        column,
    })
}

/// Node's own modules are `node:…` (`internal/…` before Node 16); packages are under
/// `node_modules/`.
fn code(file: &str) -> Code {
    if file.contains("/node_modules/") || file.starts_with("node_modules/") {
        Code::Dependency
    } else if file.starts_with("node:")
        || file.starts_with("internal/")
        || file == "<anonymous>"
        || file == "native"
        || file.starts_with("index ")
    {
        Code::Runtime
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    let mut exception = Exception::default();
    let mut header: Option<&str> = None;
    for line in lines {
        if let Some(frame) = frame(line) {
            exception.frames.push(frame);
        } else if header.is_none() && exception.frames.is_empty() && !line.trim().is_empty() {
            header = Some(line);
        }
    }
    if let Some(header) = header {
        (exception.type_name, exception.message) = type_and_message(header);
    }
    exception.frames.reverse();
    vec![exception]
}
