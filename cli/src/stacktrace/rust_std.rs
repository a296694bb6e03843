//! Rust's `std` backtrace, as a panic with `RUST_BACKTRACE=1` (or `full`) prints it, and as
//! `std::backtrace::Backtrace` displays: `  3: r::reserve` (with `full`, the address before
//! ` - `) and under it `             at ./src/main.rs:1:32`, the innermost call first, after
//! `thread 'main' panicked at src/main.rs:1:32:` and the message.

use super::{file_line_column, Code, Exception, Frame};

pub(super) fn is_header(line: &str) -> bool {
    line.eq_ignore_ascii_case("stack backtrace:")
}

/// The first frame of a backtrace printed without its header (`std::backtrace::Backtrace`'s
/// `Display`): `   0: std::backtrace::Backtrace::create`, a path or an address after `0: `.
pub(super) fn is_first_frame(line: &str) -> bool {
    line.starts_with("   ")
        && line
            .trim_start()
            .strip_prefix("0: ")
            .is_some_and(|name| name.contains("::") || name.trim_start().starts_with("0x"))
}

/// `  3: r::reserve`, or `  3:     0x5606c6b94d6a - r::reserve`.
fn numbered(line: &str) -> Option<&str> {
    let (number, name) = line.trim_start().split_once(": ")?;
    if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let name = name.trim_start();
    let name = match name.strip_prefix("0x") {
        Some(address) => address.split_once(" - ")?.1,
        None => name,
    };
    Some(name)
}

/// `std`, `core` and `alloc` (and their sources under `/rustc/<commit>/`) are the runtime's;
/// crates from a registry and tokio's scheduler are dependencies.
fn code(function: &str, file: Option<&str>) -> Code {
    let function = function.trim_start_matches('<');
    const RUNTIME: &[&str] = &[
        "std::",
        "core::",
        "alloc::",
        "__rustc::",
        "std[",
        "core[",
        "alloc[",
    ];
    if RUNTIME.iter().any(|prefix| function.starts_with(prefix))
        || function.starts_with("__rust")
        || file.is_some_and(|file| file.starts_with("/rustc/"))
    {
        Code::Runtime
    } else if function.starts_with("tokio::")
        || file
            .is_some_and(|file| file.contains("/.cargo/registry/") || file.contains("/.cargo/git/"))
    {
        Code::Dependency
    } else {
        Code::Application
    }
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    let mut exception = Exception::default();
    let mut in_backtrace = false;
    let mut after_panic = false;
    for line in lines {
        if is_header(line) {
            in_backtrace = true;
        } else if let Some(name) =
            numbered(line).filter(|_| in_backtrace || line.starts_with("   "))
        {
            in_backtrace = true;
            exception.frames.push(Frame {
                function: name.to_owned(),
                file: None,
                line: None,
                column: None,
                code: code(name, None),
            });
        } else if let Some(place) = line
            .trim_start()
            .strip_prefix("at ")
            .filter(|_| in_backtrace)
        {
            if let Some(frame) = exception.frames.last_mut() {
                let (file, line, column) = file_line_column(place);
                frame.code = code(&frame.function, Some(&file));
                (frame.file, frame.line, frame.column) = (Some(file), line, column);
            }
        } else if line.starts_with("thread '") && line.contains(" panicked at ") {
            exception.type_name = Some("panic".to_owned());
            after_panic = true;
        } else if after_panic && !in_backtrace && !line.starts_with("note: ") {
            if !exception.message.is_empty() {
                exception.message.push('\n');
            }
            exception.message.push_str(line);
        }
    }
    exception.frames.reverse();
    vec![exception]
}
