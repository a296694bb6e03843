//! Go's goroutine dumps, as a panic or `runtime/debug.Stack()` prints them: an optional
//! `panic: message`, then `goroutine 1 [running]:` and two lines per call, the innermost
//! first: `pkg.(*Type).Method(args)` and `\t/path/file.go:12 +0x1e`. Only the first
//! goroutine is read: the one that panicked (or called `debug.Stack`).

use super::{file_line_column, Code, Exception, Frame};

/// `goroutine 1 [running]:`
pub(super) fn is_goroutine_header(line: &str) -> bool {
    line.strip_prefix("goroutine ")
        .is_some_and(|rest| rest.contains(" [") && rest.ends_with("]:"))
}

/// A function line: its arguments (`(0x1?, …)`, `(...)`) cut off, and `created by` kept as
/// what started the goroutine.
fn function(line: &str) -> Option<&str> {
    if line.starts_with(char::is_whitespace) || line.is_empty() {
        return None;
    }
    if let Some(creator) = line.strip_prefix("created by ") {
        return Some(
            creator
                .split_once(" in goroutine ")
                .map_or(creator, |(name, _)| name),
        );
    }
    let name = line.strip_suffix(')')?;
    let (name, _) = name.rsplit_once('(')?;
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

/// `\t/tmp/shop/main.go:12 +0x1e`
fn location(line: &str) -> Option<(String, Option<u32>)> {
    let place = line.strip_prefix('\t')?;
    let place = place.split_once(" +0x").map_or(place, |(place, _)| place);
    let (file, line, _) = file_line_column(place);
    line.map(|line| (file, Some(line)))
}

/// The standard library lives under GOROOT's `src/` (`/usr/local/go/src/`, a distribution's
/// `/usr/lib/go-1.x/src/`); modules are in the module cache, `…/pkg/mod/` by default, anywhere
/// with `GOMODCACHE`, where a module's directory is `path@version`
/// (`go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go`).
fn code(function: &str, file: &str) -> Code {
    if file.contains("/pkg/mod/") || in_module_cache(file) {
        Code::Dependency
    } else if function.starts_with("runtime.")
        || file.contains("/go/src/")
        || file.contains("/usr/lib/go")
        || file.contains("/libexec/src/")
    {
        Code::Runtime
    } else {
        Code::Application
    }
}

/// A directory `name@v<digit>…` in the path: a module at a version, as the module cache names
/// it.
fn in_module_cache(file: &str) -> bool {
    file.split('/').any(|part| {
        part.split_once("@v").is_some_and(|(name, version)| {
            !name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

pub(super) fn parse(lines: &[&str]) -> Vec<Exception> {
    let mut exception = Exception::default();
    let mut in_goroutine = false;
    let mut pending: Option<&str> = None;
    for line in lines {
        if is_goroutine_header(line) {
            if in_goroutine {
                break;
            }
            in_goroutine = true;
        } else if !in_goroutine {
            if let Some(message) = line
                .strip_prefix("panic: ")
                .or(line.strip_prefix("fatal error: "))
            {
                if exception.type_name.is_none() {
                    exception.type_name = Some("panic".to_owned());
                    exception.message = message.to_owned();
                }
            }
        } else if let Some((file, line)) = location(line) {
            if let Some(name) = pending.take() {
                exception.frames.push(Frame {
                    function: name.to_owned(),
                    code: code(name, &file),
                    file: Some(file),
                    line,
                    column: None,
                });
            }
        } else if let Some(name) = function(line) {
            pending = Some(name);
        }
    }
    exception.frames.reverse();
    vec![exception]
}
