//! .NET's `Exception.ToString()`: `Type: message`, each inner exception after ` ---> ` (on
//! the same line before .NET Core, on its own line since), then the innermost exception's
//! `   at Namespace.Type.Method(args) in /src/File.cs:line 42` lines, closed by
//! `   --- End of inner exception stack trace ---`, then the next one out's, the reported
//! exception's last. Each part lists the innermost call first.

use super::{type_and_message, Code, Exception, Frame};

const INNER: &str = " ---> ";
const END_OF_INNER: &str = "--- End of inner exception stack trace ---";

/// A line only .NET writes.
pub(super) fn is_marker(line: &str) -> bool {
    line.starts_with(INNER) || line.trim_start() == END_OF_INNER
}

/// `   at Shop.Pricing.Parse(String s) in /src/Shop/Pricing.cs:line 12`, or without ` in …`
/// where there are no symbols: then told from the JVM's by what the parentheses hold
/// (arguments with their types, or nothing).
pub(super) fn frame(line: &str) -> Option<Frame> {
    let rest = line.trim_start().strip_prefix("at ")?;
    let (call, place) = match rest.rsplit_once(" in ") {
        Some((call, place)) if place.contains(":line ") => (call, Some(place)),
        _ => (rest, None),
    };
    let (name, args) = call.split_once('(')?;
    let args = args.strip_suffix(')')?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    if place.is_none() && !(args.is_empty() || args.contains(' ')) {
        return None;
    }
    if args == "Native Method" || args == "Unknown Source" {
        return None;
    }
    let (file, line) = match place.and_then(|place| place.rsplit_once(":line ")) {
        Some((file, line)) => (Some(file.to_owned()), line.parse().ok()),
        None => (None, None),
    };
    Some(Frame {
        function: name.to_owned(),
        file,
        line,
        column: None,
        code: code(name),
    })
}

/// The base class library and ASP.NET Core are `System.*` and `Microsoft.*`.
fn code(name: &str) -> Code {
    if name.starts_with("System.") || name.starts_with("Microsoft.") {
        Code::Runtime
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    // The chain's headers, outermost first, and the frame parts, innermost exception's first.
    let mut exceptions: Vec<Exception> = Vec::new();
    let mut parts: Vec<Vec<Frame>> = vec![Vec::new()];
    for line in lines {
        if let Some(frame) = frame(line) {
            if let Some(part) = parts.last_mut() {
                part.push(frame);
            }
        } else if line.trim_start() == END_OF_INNER {
            if parts.len() > super::MAX_EXCEPTIONS {
                break;
            }
            parts.push(Vec::new());
        } else if parts.len() == 1
            && parts[0].is_empty()
            && (exceptions.is_empty() || line.starts_with(INNER))
            && !line.trim().is_empty()
        {
            // The first line, and each inner exception's: a message's further lines are
            // not exceptions.
            for header in line
                .split(INNER)
                .map(str::trim)
                .filter(|part| !part.is_empty())
            {
                if exceptions.len() < super::MAX_EXCEPTIONS {
                    let (type_name, message) = type_and_message(header);
                    exceptions.push(Exception {
                        type_name,
                        message,
                        frames: Vec::new(),
                    });
                }
            }
        }
    }
    if exceptions.is_empty() {
        exceptions.push(Exception::default());
    }
    // The last part is the reported exception's; each one before it an inner one's.
    for (exception, mut frames) in exceptions.iter_mut().zip(parts.into_iter().rev()) {
        frames.reverse();
        exception.frames = frames;
    }
    exceptions
}
