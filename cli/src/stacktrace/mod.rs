//! Stack traces that other runtimes printed, read into frames: what a service in Python,
//! Java (or Kotlin, Scala), .NET, Node.js, Go, Ruby or Rust puts in an `exception` event's
//! `exception.stacktrace`. tracefault's own layout is read by `tracefault_report::layout`;
//! this module is for everyone else's.
//!
//! `mod.rs` tells the format by its first line that only one format writes (`detect`) and
//! hands the text to that format's file, which reads it in one pass over its lines. Each
//! file turns its format's order into ours: the outermost call first, the innermost (where
//! it was raised) last, as Python prints it; the JVM, .NET, Node.js, Go, Ruby and Rust
//! print the innermost first.
//!
//! The text comes from outside, so the work is bounded before any format is tried: at most
//! [`MAX_INPUT`] bytes are read, a line is cut to [`MAX_LINE`] bytes, and no more than
//! [`MAX_FRAMES`] frames and [`MAX_EXCEPTIONS`] chained exceptions are kept. No parser
//! backtracks: each looks at a line with `strip_prefix`, `find` and `split_once`, so the
//! whole is linear in the bytes read. Text in no format read here is not dropped: the caller
//! keeps it verbatim.

mod dotnet;
mod go;
mod jvm;
mod node;
mod python;
mod ruby;
mod rust_std;

pub use python::is_python;
use serde::Serialize;

/// Bytes of a stack trace read; the rest is left unread (a trace this long has repeated
/// itself long before).
pub const MAX_INPUT: usize = 64 * 1024;
/// Bytes of a line read: no frame line is longer, and a longer one is cut.
pub const MAX_LINE: usize = 4096;
/// Frames kept over all the exceptions of a trace, as `tracefault_report::layout` keeps.
pub const MAX_FRAMES: usize = 4096;
/// Chained exceptions (causes, inner exceptions) kept.
pub const MAX_EXCEPTIONS: usize = 64;

/// The runtime that printed a stack trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Language {
    Python,
    /// Java and the JVM's other languages (Kotlin, Scala, Clojure): one format.
    #[serde(rename = "Java")]
    Jvm,
    #[serde(rename = ".NET")]
    DotNet,
    #[serde(rename = "Node.js")]
    Node,
    Go,
    Ruby,
    Rust,
}

impl Language {
    /// The name a reader knows it by, as shown beside a traceback.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Jvm => "Java",
            Language::DotNet => ".NET",
            Language::Node => "Node.js",
            Language::Go => "Go",
            Language::Ruby => "Ruby",
            Language::Rust => "Rust",
        }
    }
}

/// Whose code a frame is in: tracefault shows the application's and its dependencies'
/// frames and counts the runtime's, as it does for its own tracebacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Application,
    /// A package the application depends on (`node_modules/`, `site-packages/`, a gem, the
    /// Go module cache, a framework such as Spring).
    Dependency,
    /// The language's own runtime and standard library.
    Runtime,
}

/// One call of a stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub code: Code,
}

/// One exception of a trace: the one reported, or one of its causes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exception {
    pub type_name: Option<String>,
    pub message: String,
    /// Outermost call first.
    pub frames: Vec<Frame>,
}

/// A stack trace read into frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackTrace {
    pub language: Language,
    /// The exception reported first, then its causes, outermost first; never empty.
    pub exceptions: Vec<Exception>,
}

/// Reads `text` in the format its lines say, or none when no format read here wrote it.
pub fn parse(text: &str) -> Option<StackTrace> {
    let lines = bounded_lines(text);
    let language = detect(&lines)?;
    let mut exceptions = match language {
        Language::Python => python::parse(&lines),
        Language::Jvm => jvm::parse(&lines),
        Language::DotNet => dotnet::parse(&lines),
        Language::Node => node::parse(&lines),
        Language::Go => go::parse(&lines),
        Language::Ruby => ruby::parse(&lines),
        Language::Rust => rust_std::parse(&lines),
    };
    exceptions.truncate(MAX_EXCEPTIONS);
    let mut room = MAX_FRAMES;
    for exception in &mut exceptions {
        exception.frames.truncate(room);
        room -= exception.frames.len();
    }
    if exceptions
        .iter()
        .all(|exception| exception.frames.is_empty())
    {
        return None;
    }
    Some(StackTrace {
        language,
        exceptions,
    })
}

/// The lines of the first [`MAX_INPUT`] bytes of `text`, each cut to [`MAX_LINE`] bytes,
/// without their `\r`: what every parser reads.
pub fn bounded_lines(text: &str) -> Vec<&str> {
    bounded_text(text)
        .lines()
        .map(|line| cut(line, MAX_LINE))
        .collect()
}

/// The first [`MAX_INPUT`] bytes of `text`: what is read, and what is kept of a trace in
/// no format read here.
pub fn bounded_text(text: &str) -> &str {
    cut(text, MAX_INPUT)
}

/// `text` cut to at most `max` bytes at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The format of the first line only one format writes. Python's and Go's headers are
/// their own; a frame line (`at …`) tells the JVM's `name(File.java:1)`, .NET's
/// `Name(args) in path:line 1` and Node's `name (file:1:2)` apart by where the parenthesis
/// stands and what it holds.
fn detect(lines: &[&str]) -> Option<Language> {
    lines.iter().find_map(|line| signature(line))
}

fn signature(line: &str) -> Option<Language> {
    let trimmed = line.trim_start();
    if python::is_header(line) || python::frame(line).is_some() {
        return Some(Language::Python);
    }
    if go::is_goroutine_header(line) {
        return Some(Language::Go);
    }
    if rust_std::is_header(line) || rust_std::is_first_frame(line) {
        return Some(Language::Rust);
    }
    if dotnet::is_marker(line) {
        return Some(Language::DotNet);
    }
    if trimmed.starts_with("at ") {
        if dotnet::frame(line).is_some() {
            return Some(Language::DotNet);
        }
        if jvm::frame(line).is_some() {
            return Some(Language::Jvm);
        }
        if node::frame(line).is_some() {
            return Some(Language::Node);
        }
    }
    if ruby::frame(line).is_some() {
        return Some(Language::Ruby);
    }
    None
}

/// `Type: message` as most runtimes head a trace: a type is one word of no spaces; a line
/// that does not start with one is all message.
fn type_and_message(line: &str) -> (Option<String>, String) {
    match line.split_once(": ") {
        Some((type_name, message)) if !type_name.is_empty() && !type_name.contains(' ') => {
            (Some(type_name.to_owned()), message.to_owned())
        }
        _ if !line.contains(' ') && !line.is_empty() => (Some(line.to_owned()), String::new()),
        _ => (None, line.to_owned()),
    }
}

/// `path:line:column` or `path:line` (or a bare path), read from the right so that a
/// Windows drive's colon stays in the path.
fn file_line_column(place: &str) -> (String, Option<u32>, Option<u32>) {
    let number = |text: &str| text.parse::<u32>().ok();
    if let Some((rest, last)) = place.rsplit_once(':') {
        if let Some(last) = number(last) {
            if let Some((file, line)) = rest.rsplit_once(':') {
                if let Some(line) = number(line) {
                    return (file.to_owned(), Some(line), Some(last));
                }
            }
            return (rest.to_owned(), Some(last), None);
        }
    }
    (place.to_owned(), None, None)
}

#[cfg(test)]
mod tests;
