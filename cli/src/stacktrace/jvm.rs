//! The JVM's `printStackTrace`: `Type: message`, then `\tat pkg.Class.method(File.java:42)`
//! per call, the innermost first; each cause under `Caused by: Type: message`, ending in
//! `... N more` for the N outermost calls it shares with the exception that wraps it. Kotlin,
//! Scala and Clojure print the same.

use super::{type_and_message, Code, Exception, Frame};

/// `\tat java.base/java.lang.Integer.parseInt(Integer.java:668)`: the name runs up to the
/// parenthesis with no space before it, which holds `File.ext:line`, `Native Method` or
/// `Unknown Source`.
pub(super) fn frame(line: &str) -> Option<Frame> {
    let rest = line.trim_start().strip_prefix("at ")?;
    let inside = rest.strip_suffix(')')?;
    let (name, place) = inside.split_once('(')?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    // A module or class loader before the class: `java.base/`, `app//`.
    let function = name.rsplit_once('/').map_or(name, |(_, function)| function);
    let (file, line) = match place.split_once(':') {
        Some((file, line)) => (Some(file), Some(line.parse().ok()?)),
        None if place == "Native Method" || place == "Unknown Source" => (None, None),
        None if place.contains('.') && !place.contains(' ') => (Some(place), None),
        None => return None,
    };
    Some(Frame {
        function: function.to_owned(),
        file: file.map(str::to_owned),
        line,
        column: None,
        code: code(name),
    })
}

/// The JDK's packages (and those of a module path, `java.base/…`) are the runtime's; a few
/// frameworks every service runs inside are dependencies. The JVM prints no path that says
/// more.
fn code(name: &str) -> Code {
    const RUNTIME: &[&str] = &[
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.",
    ];
    const DEPENDENCY: &[&str] = &[
        "org.springframework.",
        "org.apache.",
        "org.eclipse.jetty.",
        "io.netty.",
        "io.grpc.",
        "io.opentelemetry.",
        "com.fasterxml.",
        "reactor.",
        "org.hibernate.",
    ];
    let class = name.rsplit_once('/').map_or(name, |(_, class)| class);
    if name.starts_with("java.") && name.contains('/')
        || RUNTIME.iter().any(|p| class.starts_with(p))
    {
        Code::Runtime
    } else if DEPENDENCY.iter().any(|prefix| class.starts_with(prefix)) {
        Code::Dependency
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    // Frames innermost first while reading, as printed.
    let mut exceptions: Vec<Exception> = Vec::new();
    let mut in_suppressed = false;
    // Whether the last cause's `... N more` was read.
    let mut shared_read = false;
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(header) = line.strip_prefix("Caused by: ") {
            in_suppressed = false;
            shared_read = false;
            let (type_name, message) = type_and_message(header);
            exceptions.push(Exception {
                type_name,
                message,
                frames: Vec::new(),
            });
        } else if trimmed.starts_with("Suppressed: ") {
            // A suppressed exception's block (and its causes) is indented; not the chain.
            in_suppressed = true;
        } else if in_suppressed {
            continue;
        } else if let Some(frame) = frame(line) {
            if exceptions.is_empty() {
                exceptions.push(Exception::default());
            }
            if let Some(last) = exceptions.last_mut() {
                last.frames.push(frame);
            }
        } else if let Some(count) = trimmed
            .strip_prefix("... ")
            .and_then(|rest| rest.strip_suffix(" more"))
            .and_then(|count| count.parse::<usize>().ok())
        {
            // The N outermost calls of the exception this one is the cause of; copied only
            // while the trace has room, as each cause of a deep chain may claim all of its
            // parent's frames. The line ends a cause's frames, so it is read once per cause.
            let kept: usize = exceptions
                .iter()
                .map(|exception| exception.frames.len())
                .sum();
            let room = super::MAX_FRAMES.saturating_sub(kept);
            if let [.., enclosing, last] = exceptions.as_mut_slice() {
                if !shared_read {
                    shared_read = true;
                    let from = enclosing.frames.len().saturating_sub(count.min(room));
                    last.frames.extend_from_slice(&enclosing.frames[from..]);
                }
            }
        } else if exceptions.is_empty()
            && !line.is_empty()
            && !line.starts_with(char::is_whitespace)
        {
            let (type_name, message) = type_and_message(line);
            exceptions.push(Exception {
                type_name,
                message,
                frames: Vec::new(),
            });
        }
        if exceptions.len() > super::MAX_EXCEPTIONS {
            break;
        }
    }
    for exception in &mut exceptions {
        exception.frames.reverse();
    }
    exceptions
}
