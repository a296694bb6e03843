//! Captured backtraces, Python's `traceback.extract_tb` for Rust.
//!
//! Capturing records raw instruction pointers into a fixed buffer and nothing else; turning them
//! into functions, files and lines happens only when a report is formatted, and each instruction
//! pointer is resolved once per process.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

thread_local! {
    static CAPTURES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many tracebacks this thread has captured: lets tests check that an error is captured
/// once, however far it travels.
#[doc(hidden)]
pub fn captures_on_this_thread() -> u64 {
    CAPTURES.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// How many frames a [`Traceback`] keeps: deeper stacks keep their innermost frames.
pub const MAX_FRAMES: usize = 64;

/// A backtrace captured at an error's origin or a panic site.
///
/// ```
/// let traceback = tracefault::traceback::Traceback::capture();
/// assert!(!traceback.instruction_pointers().is_empty());
/// for frame in traceback.frames() {
///     println!("{} at {:?}:{:?}", frame.function, frame.file, frame.line);
/// }
/// ```
pub struct Traceback {
    ips: [usize; MAX_FRAMES],
    len: usize,
    resolved: OnceLock<Vec<Frame>>,
}

/// One resolved stack frame; inlined calls are frames of their own, as in `std`'s backtraces.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Frame {
    /// The demangled function path without its hash, e.g. `shop::inventory::reserve`.
    pub function: String,
    /// The source file as recorded in debug info, shortened under the cargo registry and
    /// the Rust toolchain (`<cargo>/tokio-1.0.0/src/…`, `<rust>/library/std/src/…`). Reports
    /// show user paths relative to the directory the program was built in.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Not part of the plumbing that [`Traceback::frames`] hides, nor of a dependency.
    pub is_user_code: bool,
    pub(crate) hidden: bool,
}

impl Traceback {
    /// Records the current stack's instruction pointers; no symbol lookup, no allocation.
    #[inline(never)]
    pub fn capture() -> Traceback {
        let _ = CAPTURES.try_with(|count| count.set(count.get() + 1));
        let mut traceback = Traceback {
            ips: [0; MAX_FRAMES],
            len: 0,
            resolved: OnceLock::new(),
        };
        backtrace::trace(|frame| {
            traceback.ips[traceback.len] = frame.ip() as usize;
            traceback.len += 1;
            traceback.len < MAX_FRAMES
        });
        traceback
    }

    /// The instruction pointers, innermost first.
    pub fn instruction_pointers(&self) -> &[usize] {
        &self.ips[..self.len]
    }

    /// The frames worth reading, outermost first (most recent call last): the panic and unwind
    /// machinery, `std::rt`, executors' poll plumbing and tracefault's own frames are left out.
    pub fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.frames_all().iter().filter(|frame| !frame.hidden)
    }

    /// How many frames [`Traceback::frames`] leaves out.
    pub fn hidden_frames(&self) -> usize {
        self.frames_all()
            .iter()
            .filter(|frame| frame.hidden)
            .count()
    }

    /// Every frame, outermost first, symbolized on first use.
    pub fn frames_all(&self) -> &[Frame] {
        self.resolved.get_or_init(|| {
            let mut frames: Vec<Frame> = self
                .instruction_pointers()
                .iter()
                .flat_map(|&ip| resolve_cached(ip).to_vec())
                .collect();
            hide_outside_short_backtrace(&mut frames);
            frames.reverse();
            frames
        })
    }
}

impl fmt::Debug for Traceback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traceback")
            .field("frames", &self.len)
            .finish_non_exhaustive()
    }
}

impl Clone for Traceback {
    fn clone(&self) -> Self {
        let resolved = OnceLock::new();
        if let Some(frames) = self.resolved.get() {
            let _ = resolved.set(frames.clone());
        }
        Traceback {
            ips: self.ips,
            len: self.len,
            resolved,
        }
    }
}

/// Renders the frames Python-style, `File "…", line N, in function`, with the source line when
/// the file can be read, and a count of the frames left out.
impl fmt::Display for Traceback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_python_style(f, &[])
    }
}

/// A visible frame as a report shows it: its path relative to the build directory.
pub(crate) struct ShownFrame<'a> {
    pub(crate) frame: &'a Frame,
    pub(crate) file: Option<&'a str>,
}

impl Traceback {
    /// The visible frames, each function once (see [`merge_closure_frames`]), outermost
    /// first. `known_files` are source paths as `file!()` gives them (relative to the
    /// directory the code was built in), which tells where that directory was, so that every
    /// path under it is shown the same way.
    pub(crate) fn shown_frames<'a>(&'a self, known_files: &[&str]) -> Vec<ShownFrame<'a>> {
        let frames: Vec<&Frame> = self.frames().collect();
        let roots = build_roots(&frames, known_files);
        merge_closure_frames(&frames)
            .into_iter()
            .map(|frame| ShownFrame {
                frame,
                file: frame.file.as_deref().map(|file| display_path(file, &roots)),
            })
            .collect()
    }

    pub(crate) fn write_python_style(
        &self,
        f: &mut fmt::Formatter<'_>,
        known_files: &[&str],
    ) -> fmt::Result {
        for shown in self.shown_frames(known_files) {
            write_frame(f, &shown)?;
        }
        match self.hidden_frames() {
            0 => Ok(()),
            1 => writeln!(f, "  [1 runtime frame hidden]"),
            hidden => writeln!(f, "  [{hidden} runtime frames hidden]"),
        }
    }
}

/// The directories the program was built in: an absolute frame path that ends with a known
/// relative one gives away its prefix. The current directory serves as well.
fn build_roots(frames: &[&Frame], known_files: &[&str]) -> Vec<String> {
    let mut roots: Vec<String> = Vec::new();
    for frame in frames {
        let Some(path) = frame.file.as_deref() else {
            continue;
        };
        for known in known_files.iter().filter(|known| !known.starts_with('/')) {
            if let Some(root) = path.strip_suffix(known).filter(|root| root.ends_with('/')) {
                if !roots.iter().any(|r| r == root) {
                    roots.push(root.to_owned());
                }
            }
        }
    }
    if let Ok(current) = std::env::current_dir() {
        roots.push(format!("{}/", current.display()));
    }
    roots
}

fn display_path<'a>(path: &'a str, roots: &[String]) -> &'a str {
    roots
        .iter()
        .find_map(|root| path.strip_prefix(root.as_str()))
        .unwrap_or(path)
}

fn write_frame(f: &mut fmt::Formatter<'_>, shown: &ShownFrame<'_>) -> fmt::Result {
    let function = &shown.frame.function;
    match (shown.file, shown.frame.line) {
        (Some(file), Some(line)) => {
            writeln!(f, "  File \"{file}\", line {line}, in {function}")?;
            if let Some(source) = shown
                .frame
                .file
                .as_deref()
                .and_then(|path| source_line(path, line))
            {
                writeln!(f, "    {source}")?;
            }
            Ok(())
        }
        _ => writeln!(f, "  File \"<unknown>\", in {function}"),
    }
}

/// A function's body can appear as its own frame plus frames of the closures and async blocks
/// it is lowered into; the reader wants the function once, at the line it is executing.
fn merge_closure_frames<'a>(frames: &[&'a Frame]) -> Vec<&'a Frame> {
    let mut merged: Vec<&Frame> = Vec::with_capacity(frames.len());
    for &frame in frames {
        match merged.last_mut() {
            Some(last) if last.function == frame.function => *last = frame,
            _ => merged.push(frame),
        }
    }
    merged
}

fn resolve_cached(ip: usize) -> Arc<[Frame]> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<[Frame]>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(frames) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&ip) {
        return frames.clone();
    }
    let frames: Arc<[Frame]> = resolve(ip).into();
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(ip, frames.clone());
    frames
}

fn resolve(ip: usize) -> Vec<Frame> {
    let mut frames = Vec::new();
    backtrace::resolve(ip as *mut std::ffi::c_void, |symbol| {
        let function = symbol
            .name()
            .map(|name| clean_function_name(&format!("{name:#}")))
            .unwrap_or_else(|| format!("{ip:#x}"));
        let file = symbol.filename().map(shorten_path);
        frames.push(Frame::new(function, file, symbol.lineno(), symbol.colno()));
    });
    if frames.is_empty() {
        frames.push(Frame::new(format!("{ip:#x}"), None, None, None));
    }
    frames
}

impl Frame {
    pub(crate) fn new(
        function: String,
        file: Option<String>,
        line: Option<u32>,
        column: Option<u32>,
    ) -> Frame {
        let hidden = is_runtime_frame(&function);
        let is_dependency = file.as_deref().is_some_and(|file| file.starts_with('<'));
        Frame {
            is_user_code: !hidden && !is_dependency,
            hidden,
            function,
            file,
            line,
            column,
        }
    }
}

/// `std` marks where a thread's or test's user code begins and where the panic machinery
/// starts; outside those marks nothing is the user's.
fn hide_outside_short_backtrace(innermost_first: &mut [Frame]) {
    let position = |marker: &str, frames: &[Frame]| {
        frames
            .iter()
            .position(|frame| frame.function.contains(marker))
    };
    if let Some(end) = position("__rust_end_short_backtrace", innermost_first) {
        innermost_first[..=end]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
    if let Some(begin) = position("__rust_begin_short_backtrace", innermost_first) {
        innermost_first[begin..]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
}

/// Demangled names carry the compiler's names for closures and async bodies (`::{closure#0}`,
/// `::{{closure}}`) and turbofish generic arguments (`::<u32>`); the reader thinks of the
/// function that contains them.
pub(crate) fn clean_function_name(demangled: &str) -> String {
    let mut name = String::with_capacity(demangled.len());
    let mut rest = demangled;
    while !rest.is_empty() {
        let group = if rest.starts_with("::<") {
            Some(('<', '>'))
        } else if rest.starts_with("::{") {
            Some(('{', '}'))
        } else {
            None
        };
        match group.and_then(|(open, close)| balanced_end(&rest[2..], open, close)) {
            Some(end) => rest = &rest[2 + end..],
            None => {
                let next = rest.chars().next().map_or(1, char::len_utf8);
                name.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
    }
    name
}

/// The byte length of the bracketed group `text` starts with, brackets included.
fn balanced_end(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(index + c.len_utf8());
            }
        }
    }
    None
}

/// Prefixes of the frames that are plumbing rather than anybody's logic.
const RUNTIME_PREFIXES: &[&str] = &[
    "tracefault::",
    "<tracefault::",
    "backtrace::",
    "<backtrace::",
    "std::panicking",
    "core::panicking",
    "std::panic::",
    "core::panic::",
    "<core::panic::",
    "std::rt::",
    "std::sys",
    "<std::sys",
    "std::thread::",
    "<std::thread::",
    "std::backtrace",
    "core::ops::function::",
    "<alloc::boxed::Box<F,A> as core::ops::function::",
    "<alloc::boxed::Box<dyn core::ops::function::",
    "<fn() -> ",
    "<core::future::",
    "core::future::",
    "<core::pin::Pin<P> as core::future::future::Future>",
    "<alloc::boxed::Box<T,A> as core::future::future::Future>",
    "tokio::",
    "<tokio::",
    "futures_executor::",
    "<futures_util::",
    "futures_util::",
    "test::",
    "<test::",
    "rust_begin_unwind",
    "__rustc::",
    "rust_panic",
    "__rust",
    "__libc_start",
    "__GI___clone",
    "start_thread",
    "clone3",
    "_start",
];

fn is_runtime_frame(function: &str) -> bool {
    function == "main"
        || function.starts_with("0x")
        || RUNTIME_PREFIXES
            .iter()
            .any(|prefix| function.starts_with(prefix))
}

/// Shortens a path under the cargo registry or a Rust toolchain; keeps the user's paths.
pub(crate) fn shorten_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if let Some(index) = text.find("/registry/src/") {
        let rest = &text[index + "/registry/src/".len()..];
        if let Some(slash) = rest.find('/') {
            return format!("<cargo>/{}", &rest[slash + 1..]);
        }
    }
    if let Some(index) = text.find("/library/") {
        let before = &text[..index];
        if before.starts_with("/rustc/") || before.contains("/toolchains/") {
            return format!("<rust>{}", &text[index..]);
        }
    }
    text.into_owned()
}

/// The text of one line of a source file readable from here, as Python's `linecache` gives it.
fn source_line(file: &str, line: u32) -> Option<String> {
    type SourceCache = Mutex<HashMap<String, Option<Arc<[String]>>>>;
    static FILES: OnceLock<SourceCache> = OnceLock::new();
    if file.starts_with('<') || line == 0 {
        return None;
    }
    let files = FILES.get_or_init(Default::default);
    let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
    let lines = files
        .entry(file.to_owned())
        .or_insert_with(|| read_lines(file))
        .clone()?;
    let text = lines.get(line as usize - 1)?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Sources above this size are not worth holding in memory to show a line.
const MAX_SOURCE_BYTES: u64 = 4 << 20;

fn read_lines(file: &str) -> Option<Arc<[String]>> {
    let metadata = std::fs::metadata(file).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_SOURCE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    Some(text.lines().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_and_async_suffixes_name_the_enclosing_function() {
        assert_eq!(
            clean_function_name("shop::reserve::{{closure}}"),
            "shop::reserve"
        );
        assert_eq!(
            clean_function_name("shop::reserve::{{closure}}::{{closure}}"),
            "shop::reserve"
        );
        assert_eq!(
            clean_function_name("shop::reserve::{closure#0}::inner"),
            "shop::reserve::inner"
        );
        assert_eq!(
            clean_function_name("shop::reserve::{async_fn#0}"),
            "shop::reserve"
        );
        assert_eq!(
            clean_function_name("<shop::Db as shop::Store>::get"),
            "<shop::Db as shop::Store>::get"
        );
        assert_eq!(
            clean_function_name("shop::convert::<u32, alloc::vec::Vec<u8>>"),
            "shop::convert"
        );
        assert_eq!(
            clean_function_name("<shop::Db<T> as shop::Store>::get::{closure#1}::{shim:vtable#0}"),
            "<shop::Db<T> as shop::Store>::get"
        );
    }

    #[test]
    fn registry_and_toolchain_paths_are_shortened() {
        let registry = Path::new("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/runtime/mod.rs");
        assert_eq!(
            shorten_path(registry),
            "<cargo>/tokio-1.54.1/src/runtime/mod.rs"
        );
        let toolchain = Path::new("/rustc/59807616e/library/std/src/rt.rs");
        assert_eq!(shorten_path(toolchain), "<rust>/library/std/src/rt.rs");
        assert_eq!(
            shorten_path(Path::new("examples/quickstart.rs")),
            "examples/quickstart.rs"
        );
    }

    #[test]
    fn plumbing_frames_are_hidden_and_dependencies_are_not_user_code() {
        for plumbing in [
            "std::panicking::begin_panic_handler",
            "core::ops::function::FnOnce::call_once",
            "tokio::runtime::task::harness::poll",
            "<tracefault::__private::frame::Instrumented<F> as core::future::future::Future>::poll",
            "__rust_begin_short_backtrace",
        ] {
            assert!(
                Frame::new(plumbing.into(), None, None, None).hidden,
                "{plumbing}"
            );
        }
        let user = Frame::new(
            "shop::reserve".into(),
            Some("src/shop.rs".into()),
            Some(3),
            None,
        );
        assert!(!user.hidden && user.is_user_code);
        let dependency = Frame::new(
            "hyper::proto::h1".into(),
            Some("<cargo>/hyper/src/lib.rs".into()),
            Some(1),
            None,
        );
        assert!(!dependency.hidden && !dependency.is_user_code);
    }

    #[test]
    fn frames_outside_the_short_backtrace_marks_are_hidden() {
        let names = [
            "inner_panic_machinery",
            "std::sys::backtrace::__rust_end_short_backtrace",
            "user::work",
            "std::sys::backtrace::__rust_begin_short_backtrace",
            "thread_start",
        ];
        let mut frames: Vec<Frame> = names
            .iter()
            .map(|name| Frame::new((*name).into(), None, None, None))
            .collect();
        frames.iter_mut().for_each(|frame| frame.hidden = false);
        hide_outside_short_backtrace(&mut frames);
        let visible: Vec<&str> = frames
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| f.function.as_str())
            .collect();
        assert_eq!(visible, ["user::work"]);
    }

    #[test]
    fn a_capture_resolves_this_test_function() {
        let traceback = Traceback::capture();
        assert!(traceback.instruction_pointers().len() > 3);
        // tracefault's own frames, this test's among them, are hidden from `frames()`.
        let here = traceback
            .frames_all()
            .iter()
            .find(|frame| {
                frame
                    .function
                    .ends_with("a_capture_resolves_this_test_function")
            })
            .expect("the test's own frame is resolved");
        assert!(here.file.as_deref().unwrap().ends_with("traceback.rs"));
        assert!(here.line.is_some());
        assert!(here.hidden);
    }

    #[test]
    fn consecutive_frames_of_one_function_are_shown_once_at_the_innermost_line() {
        let outer = Frame::new("app::run".into(), Some("a.rs".into()), Some(1), None);
        let closure = Frame::new("app::run".into(), Some("a.rs".into()), Some(5), None);
        let other = Frame::new("app::step".into(), Some("a.rs".into()), Some(9), None);
        let merged = merge_closure_frames(&[&outer, &closure, &other]);
        assert_eq!(
            merged.iter().map(|f| f.line.unwrap()).collect::<Vec<_>>(),
            [5, 9]
        );
    }
}
