//! Ruby's backtrace, as `full_message` (and an uncaught exception) prints it: the innermost
//! call first, `path:line:in 'method': message (Type)`, then `\tfrom path:line:in 'method'`
//! per call. Ruby before 3.4 quotes the method `` `like this' ``.

use super::{Code, Exception, Frame};

/// `/app/models/order.rb:12:in 'Order#total'` (after an optional `from `), and what
/// follows the method's closing quote.
fn located(line: &str) -> Option<(Frame, &str)> {
    let line = line.trim_start();
    let line = line.strip_prefix("from ").unwrap_or(line);
    let (place, rest) = line.split_once(":in ")?;
    let rest = rest.strip_prefix('`').or(rest.strip_prefix('\''))?;
    let (function, after) = rest.split_once('\'')?;
    let (file, line_number) = place.rsplit_once(':')?;
    let line_number = line_number.parse().ok()?;
    Some((
        Frame {
            function: function.to_owned(),
            file: Some(file.to_owned()),
            line: Some(line_number),
            column: None,
            code: code(file),
        },
        after,
    ))
}

pub(super) fn frame(line: &str) -> Option<Frame> {
    located(line).map(|(frame, _)| frame)
}

/// Gems are installed under a `gems/` directory (Bundler's `vendor/bundle` too); the
/// standard library under `lib/ruby/3.x.0/`, and the interpreter's own `<internal:…>`.
fn code(file: &str) -> Code {
    if file.contains("/gems/") {
        Code::Dependency
    } else if file.contains("/lib/ruby/") || file.starts_with("<internal:") {
        Code::Runtime
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    let mut exception = Exception::default();
    for line in lines {
        let Some((frame, after)) = located(line) else {
            continue;
        };
        // The first line carries `: message (Type)`.
        if exception.frames.is_empty() {
            if let Some(message) = after.strip_prefix(": ") {
                match message
                    .strip_suffix(')')
                    .and_then(|rest| rest.rsplit_once(" ("))
                {
                    Some((message, type_name)) => {
                        exception.type_name = Some(type_name.to_owned());
                        exception.message = message.to_owned();
                    }
                    None => exception.message = message.to_owned(),
                }
            }
        }
        exception.frames.push(frame);
    }
    exception.frames.reverse();
    vec![exception]
}
