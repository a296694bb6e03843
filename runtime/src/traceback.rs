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
    resolved: OnceLock<Resolved>,
}

/// A traceback's frames, outermost first, sharing the process-wide cache's symbols.
#[derive(Clone)]
struct Resolved {
    frames: Vec<ResolvedFrame>,
    hidden: usize,
}

#[derive(Clone)]
struct ResolvedFrame {
    /// Every frame one instruction pointer resolves to (inlined calls first).
    symbols: Arc<[Frame]>,
    index: usize,
    /// Hidden by its name, or because it lies outside `std`'s short-backtrace marks here.
    hidden: bool,
}

impl ResolvedFrame {
    fn frame(&self) -> &Frame {
        &self.symbols[self.index]
    }
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
    /// Plumbing, by its name.
    pub(crate) hidden: bool,
    /// The body of a closure or async block that the function was lowered into.
    pub(crate) is_body: bool,
    pub(crate) marker: Marker,
}

/// Where `std` says user code begins and ends on a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    None,
    BeginShortBacktrace,
    EndShortBacktrace,
}

impl Traceback {
    /// Records the current stack's instruction pointers; no symbol lookup, no allocation.
    #[inline(never)]
    pub fn capture() -> Traceback {
        let _ = CAPTURES.try_with(|count| count.set(count.get() + 1));
        let mut ips = [0; MAX_FRAMES];
        let len = crate::unwind::walk(&mut ips);
        Traceback {
            ips,
            len,
            resolved: OnceLock::new(),
        }
    }

    /// The instruction pointers, innermost first.
    pub fn instruction_pointers(&self) -> &[usize] {
        &self.ips[..self.len]
    }

    /// The frames worth reading, outermost first (most recent call last): the panic and unwind
    /// machinery, `std::rt`, executors' poll plumbing and tracefault's own frames are left out.
    pub fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.resolved()
            .frames
            .iter()
            .filter(|resolved| !resolved.hidden)
            .map(ResolvedFrame::frame)
    }

    /// How many frames [`Traceback::frames`] leaves out.
    pub fn hidden_frames(&self) -> usize {
        self.resolved().hidden
    }

    /// Every frame, outermost first, symbolized on first use.
    pub fn frames_all(&self) -> impl Iterator<Item = &Frame> {
        self.resolved().frames.iter().map(ResolvedFrame::frame)
    }

    fn resolved(&self) -> &Resolved {
        self.resolved.get_or_init(|| {
            let mut frames: Vec<ResolvedFrame> = Vec::with_capacity(self.len + self.len / 2);
            for &ip in self.instruction_pointers() {
                let symbols = resolve_cached(ip);
                for (index, frame) in symbols.iter().enumerate() {
                    frames.push(ResolvedFrame {
                        symbols: symbols.clone(),
                        index,
                        hidden: frame.hidden,
                    });
                }
            }
            hide_outside_short_backtrace(&mut frames);
            frames.reverse();
            let hidden = frames.iter().filter(|resolved| resolved.hidden).count();
            Resolved { frames, hidden }
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
        if let Some(known) = self.resolved.get() {
            let _ = resolved.set(known.clone());
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

/// A visible frame as a report shows it: its path relative to the build directory, and the
/// name of the function it belongs to.
pub(crate) struct ShownFrame<'a> {
    pub(crate) frame: &'a Frame,
    pub(crate) file: Option<&'a str>,
    pub(crate) function: &'a str,
}

impl Traceback {
    /// The visible frames, each function once (see [`merge_closure_frames`]), outermost
    /// first. `known_files` are source paths as `file!()` gives them (relative to the
    /// directory the code was built in), which tells where that directory was, so that every
    /// path under it is shown the same way.
    pub(crate) fn shown_frames<'a>(&'a self, known_files: &[&str]) -> Vec<ShownFrame<'a>> {
        let frames: Vec<&Frame> = self.frames().collect();
        let roots = build_roots(&frames, known_files);
        let shown = frames.into_iter().map(|frame| ShownFrame {
            frame,
            file: frame.file.as_deref().map(|file| display_path(file, &roots)),
            function: nameless_body_label(&frame.function).unwrap_or(&frame.function),
        });
        merge_closure_frames(shown)
    }

    pub(crate) fn write_python_style(
        &self,
        f: &mut fmt::Formatter<'_>,
        known_files: &[&str],
    ) -> fmt::Result {
        let shown = self.shown_frames(known_files);
        let mut index = 0;
        while index < shown.len() {
            write_frame(f, &shown[index])?;
            let same_call = |other: &ShownFrame<'_>| {
                other.function == shown[index].function
                    && other.frame.line == shown[index].frame.line
            };
            let repeats = shown[index + 1..]
                .iter()
                .take_while(|other| same_call(other))
                .count();
            // As Python does for recursion: three in full, then a count.
            let written = repeats.min(2);
            for repeated in &shown[index + 1..index + 1 + written] {
                write_frame(f, repeated)?;
            }
            if repeats > written {
                writeln!(
                    f,
                    "  [Previous line repeated {} more times]",
                    repeats - written
                )?;
            }
            index += 1 + repeats;
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
        for known in known_files.iter().filter(|file| !file.starts_with('/')) {
            if let Some(root) = path.strip_suffix(known).filter(|root| root.ends_with('/')) {
                if !roots.iter().any(|r| r == root) {
                    roots.push(root.to_owned());
                }
            }
        }
    }
    static CURRENT_DIR: OnceLock<Option<String>> = OnceLock::new();
    let current = CURRENT_DIR.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|dir| format!("{}/", dir.display()))
    });
    roots.extend(current.iter().cloned());
    roots
}

fn display_path<'a>(path: &'a str, roots: &[String]) -> &'a str {
    roots
        .iter()
        .find_map(|root| path.strip_prefix(root.as_str()))
        .unwrap_or(path)
}

fn write_frame(f: &mut fmt::Formatter<'_>, shown: &ShownFrame<'_>) -> fmt::Result {
    let function = shown.function;
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
/// A function calling itself stays a frame per call.
fn merge_closure_frames<'a>(
    outermost_first: impl Iterator<Item = ShownFrame<'a>>,
) -> Vec<ShownFrame<'a>> {
    let mut merged: Vec<ShownFrame<'a>> = Vec::new();
    for shown in outermost_first {
        match merged.last_mut() {
            Some(last) if shown.frame.is_body && last.function == shown.function => *last = shown,
            _ => merged.push(shown),
        }
    }
    merged
}

/// What to call a closure or async block that debug info names only `{closure#0}` and that
/// no enclosing function could name: as Python says `<lambda>`.
fn nameless_body_label(function: &str) -> Option<&'static str> {
    if !function.starts_with('{') {
        None
    } else if function.starts_with("{async_fn") {
        Some("<async fn body>")
    } else if function.starts_with("{async") {
        Some("<async block>")
    } else {
        Some("<closure>")
    }
}

/// Instruction pointers are already well spread: a multiply is hash enough.
#[derive(Default)]
struct IpHasher(u64);

impl std::hash::Hasher for IpHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, ip: usize) {
        self.0 = (ip as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type SymbolCache = Mutex<HashMap<usize, Arc<[Frame]>, std::hash::BuildHasherDefault<IpHasher>>>;
static SYMBOLS: OnceLock<SymbolCache> = OnceLock::new();

type SourceCache = Mutex<HashMap<String, Option<Arc<[String]>>>>;
static SOURCES: OnceLock<SourceCache> = OnceLock::new();

/// Forgets every resolved symbol and source line, so that benchmarks can measure a first
/// formatting.
#[doc(hidden)]
pub fn clear_caches() {
    if let Some(symbols) = SYMBOLS.get() {
        symbols.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
    if let Some(sources) = SOURCES.get() {
        sources.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

fn resolve_cached(ip: usize) -> Arc<[Frame]> {
    learn_own_source_dir();
    let cache = SYMBOLS.get_or_init(Default::default);
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
        let demangled = match symbol.name() {
            Some(name) => format!("{name:#}"),
            None => format!("{ip:#x}"),
        };
        frames.push(Frame::new(
            &demangled,
            symbol.filename(),
            symbol.lineno(),
            symbol.colno(),
        ));
    });
    if frames.is_empty() {
        frames.push(Frame::new(&format!("{ip:#x}"), None, None, None));
    }
    name_inlined_bodies(&mut frames);
    frames
}

/// Debug info names an inlined closure or async block only `{closure#0}`; it is the body of
/// the nearest function around it at the same address that is not plumbing (an executor's
/// `poll`, tracefault's `call`). Without one, the name stays for the report to settle.
fn name_inlined_bodies(innermost_first: &mut [Frame]) {
    for index in (0..innermost_first.len()).rev() {
        if !innermost_first[index].function.starts_with('{') {
            continue;
        }
        innermost_first[index].is_body = true;
        let enclosing = innermost_first[index + 1..]
            .iter()
            .find(|outer| !outer.hidden && !outer.function.starts_with('{'))
            .map(|outer| outer.function.clone());
        if let Some(enclosing) = enclosing {
            innermost_first[index].function = enclosing;
        }
    }
}

impl Frame {
    /// A frame of the symbol `demangled`, as `{:#}` writes it (no hash), in `raw_file`.
    pub(crate) fn new(
        demangled: &str,
        raw_file: Option<&Path>,
        line: Option<u32>,
        column: Option<u32>,
    ) -> Frame {
        let function = clean_function_name(demangled);
        let file = raw_file.map(shorten_path);
        let hidden = is_runtime_frame(&function, file.as_deref(), raw_file);
        let is_dependency = file.as_deref().is_some_and(|file| file.starts_with('<'));
        let marker = if function.contains("__rust_begin_short_backtrace") {
            Marker::BeginShortBacktrace
        } else if function.contains("__rust_end_short_backtrace") {
            Marker::EndShortBacktrace
        } else {
            Marker::None
        };
        Frame {
            is_user_code: !hidden && !is_dependency,
            hidden,
            is_body: demangled.contains("{closure") || demangled.contains("{async"),
            marker,
            function,
            file,
            line,
            column,
        }
    }
}

/// `std` marks where a thread's or test's user code begins and where the panic machinery
/// starts; outside those marks nothing is the user's.
fn hide_outside_short_backtrace(innermost_first: &mut [ResolvedFrame]) {
    let position = |marker: Marker, frames: &[ResolvedFrame]| {
        frames
            .iter()
            .position(|resolved| resolved.frame().marker == marker)
    };
    if let Some(end) = position(Marker::EndShortBacktrace, innermost_first) {
        innermost_first[..=end]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
    if let Some(begin) = position(Marker::BeginShortBacktrace, innermost_first) {
        innermost_first[begin..]
            .iter_mut()
            .for_each(|frame| frame.hidden = true);
    }
}

/// Demangled names carry the compiler's names for closures and async bodies (`::{closure#0}`,
/// `::{{closure}}`) and turbofish generic arguments (`::<u32>`); the reader thinks of the
/// function that contains them.
///
/// Inlined frames of builds with `debug = "line-tables-only"` are named by debug info rather
/// than by a symbol: `block_on<app::main>`, without a path. Their generic arguments go too.
pub(crate) fn clean_function_name(demangled: &str) -> String {
    let mut name = String::with_capacity(demangled.len());
    let mut rest = demangled;
    let mut depth = 0usize;
    while !rest.is_empty() {
        let follows_identifier =
            name.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '}');
        let group = if rest.starts_with("::<") || rest.starts_with("::{") {
            Some(2)
        } else if depth == 0 && follows_identifier && rest.starts_with('<') {
            Some(0)
        } else {
            None
        };
        let skipped = group.and_then(|prefix| {
            let open = rest[prefix..].chars().next()?;
            let close = if open == '<' { '>' } else { '}' };
            balanced_end(&rest[prefix..], open, close).map(|end| prefix + end)
        });
        match skipped {
            Some(end) => rest = &rest[end..],
            None => {
                let next = rest.chars().next().map_or(1, char::len_utf8);
                match &rest[..next] {
                    "<" => depth += 1,
                    ">" => depth = depth.saturating_sub(1),
                    _ => {}
                }
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

/// Where plumbing's sources live, for the frames whose names say too little (inlined frames
/// of release builds carry no path).
const RUNTIME_SOURCES: &[&str] = &[
    "<rust>/library/",
    "<cargo>/tokio-",
    "<cargo>/futures-",
    "<cargo>/backtrace-",
    "<cargo>/tracing-",
    "<cargo>/tracefault-",
    // HTTP servers' and clients' plumbing between the socket and the handler.
    "<cargo>/hyper-",
    "<cargo>/h2-",
    "<cargo>/tower-",
    "<cargo>/axum-",
    "<cargo>/reqwest-",
];

fn is_runtime_frame(function: &str, file: Option<&str>, raw_file: Option<&Path>) -> bool {
    function == "main"
        || function.starts_with("0x")
        || RUNTIME_PREFIXES
            .iter()
            .any(|prefix| function.starts_with(prefix))
        || file.is_some_and(|file| {
            RUNTIME_SOURCES
                .iter()
                .any(|source| file.starts_with(source))
        })
        || raw_file.is_some_and(is_tracefault_source)
}

/// Whether `path` is one of this crate's own sources, wherever it was built from.
fn is_tracefault_source(path: &Path) -> bool {
    own_source_dir().is_some_and(|dir| path.starts_with(dir))
}

/// The directory of this crate's sources, as debug info names it: where the code of this very
/// function says it comes from. Known after [`learn_own_source_dir`].
fn own_source_dir() -> Option<&'static Path> {
    OWN_SOURCE_DIR.get().and_then(Option::as_deref)
}

static OWN_SOURCE_DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();

/// Resolves one of this crate's functions, outside any other resolution (the symbolizer is
/// not reentrant).
fn learn_own_source_dir() {
    OWN_SOURCE_DIR.get_or_init(|| {
        let mut dir = None;
        // `resolve` looks up the byte before an address (a return address follows its call).
        let address = (learn_own_source_dir as fn() as usize).wrapping_add(1);
        backtrace::resolve(address as *mut std::ffi::c_void, |symbol| {
            if dir.is_none() {
                // .../src/traceback.rs: the crate's sources are its directory and below.
                dir = symbol
                    .filename()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf);
            }
        });
        dir
    });
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
fn source_line(file: &str, line: u32) -> Option<SourceLine> {
    if file.starts_with('<') || line == 0 {
        return None;
    }
    let sources = SOURCES.get_or_init(Default::default);
    let mut sources = sources.lock().unwrap_or_else(|e| e.into_inner());
    let lines = match sources.get(file) {
        Some(lines) => lines.clone()?,
        None => sources
            .entry(file.to_owned())
            .or_insert_with(|| read_lines(file))
            .clone()?,
    };
    let index = line as usize - 1;
    (!lines.get(index)?.trim().is_empty()).then_some(SourceLine { lines, index })
}

/// A line of a cached source file.
struct SourceLine {
    lines: Arc<[String]>,
    index: usize,
}

impl fmt::Display for SourceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.lines[self.index].trim())
    }
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
        // Inlined frames of `line-tables-only` builds, named by debug info.
        assert_eq!(clean_function_name("block_on<shop::main>"), "block_on");
        assert_eq!(clean_function_name("{closure#0}<(), u8>"), "{closure#0}");
        assert_eq!(clean_function_name("call_once<fn(), ()>"), "call_once");
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
            assert!(Frame::new(plumbing, None, None, None).hidden, "{plumbing}");
        }
        let user = Frame::new(
            "shop::reserve",
            Some(Path::new("src/shop.rs")),
            Some(3),
            None,
        );
        assert!(!user.hidden && user.is_user_code);
        let dependency = Frame::new(
            "sqlx_core::pool::acquire",
            Some(Path::new(
                "/root/.cargo/registry/src/index.crates.io-0/sqlx-core-0.8.0/src/pool/mod.rs",
            )),
            Some(1),
            None,
        );
        assert!(!dependency.hidden && !dependency.is_user_code);
        let plumbing = Path::new(
            "/root/.cargo/registry/src/index.crates.io-0/hyper-1.0.0/src/proto/h1/dispatch.rs",
        );
        assert!(
            Frame::new(
                "hyper::proto::h1::dispatch::poll",
                Some(plumbing),
                Some(1),
                None
            )
            .hidden
        );
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
        let mut frames: Vec<ResolvedFrame> = names
            .iter()
            .map(|name| ResolvedFrame {
                symbols: vec![Frame::new(name, None, None, None)].into(),
                index: 0,
                hidden: false,
            })
            .collect();
        hide_outside_short_backtrace(&mut frames);
        let visible: Vec<&str> = frames
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| f.frame().function.as_str())
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
    fn a_function_and_its_closure_body_are_shown_once_at_the_innermost_line() {
        let outer = Frame::new("app::run", Some(Path::new("a.rs")), Some(1), None);
        let closure = Frame::new(
            "app::run::{closure#0}",
            Some(Path::new("a.rs")),
            Some(5),
            None,
        );
        let other = Frame::new("app::step", Some(Path::new("a.rs")), Some(9), None);
        let merged = merge_closure_frames(shown(&[&outer, &closure, &other]));
        assert_eq!(lines(&merged), [5, 9]);
    }

    #[test]
    fn frames_of_tracefault_and_of_runtime_sources_are_hidden() {
        learn_own_source_dir();
        let own = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/__private/frame.rs"
        ));
        assert!(Frame::new("leave", Some(own), Some(1), None).hidden);
        let inlined_std = Path::new("/rustc/0123/library/core/src/ops/function.rs");
        assert!(Frame::new("call_once<fn(), ()>", Some(inlined_std), Some(250), None).hidden);
        let tokio = Path::new(
            "/root/.cargo/registry/src/index.crates.io-0/tokio-1.54.1/src/runtime/context.rs",
        );
        assert!(Frame::new("set_scheduler<()>", Some(tokio), Some(186), None).hidden);
        let user = Path::new("/work/app/src/runtime/src/main.rs");
        assert!(!Frame::new("app::main", Some(user), Some(3), None).hidden);
    }

    #[test]
    fn an_inlined_body_is_named_after_the_function_it_is_inlined_into() {
        learn_own_source_dir();
        let own = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/__private/frame.rs"
        ));
        let mut frames = vec![
            Frame::new("{closure#0}<u8>", Some(Path::new("a.rs")), Some(9), None),
            Frame::new("call<u8>", Some(own), Some(3), None),
            Frame::new("{async_block#0}", Some(Path::new("a.rs")), Some(7), None),
            Frame::new("app::run", Some(Path::new("a.rs")), Some(5), None),
        ];
        name_inlined_bodies(&mut frames);
        frames.retain(|frame| !frame.hidden);
        assert!(frames.iter().all(|frame| frame.function == "app::run"));
        let outermost_first: Vec<&Frame> = frames.iter().rev().collect();
        let merged = merge_closure_frames(shown(&outermost_first));
        assert_eq!(lines(&merged), [9]);
    }

    #[test]
    fn recursion_keeps_a_frame_per_call() {
        let first = Frame::new("app::walk", Some(Path::new("a.rs")), Some(3), None);
        let second = Frame::new("app::walk", Some(Path::new("a.rs")), Some(3), None);
        assert_eq!(merge_closure_frames(shown(&[&first, &second])).len(), 2);
    }

    fn shown<'a>(frames: &[&'a Frame]) -> std::vec::IntoIter<ShownFrame<'a>> {
        let shown: Vec<ShownFrame<'a>> = frames
            .iter()
            .map(|&frame| ShownFrame {
                frame,
                file: None,
                function: &frame.function,
            })
            .collect();
        shown.into_iter()
    }

    fn lines(shown: &[ShownFrame<'_>]) -> Vec<u32> {
        shown
            .iter()
            .map(|shown| shown.frame.line.unwrap())
            .collect()
    }

    #[test]
    fn nameless_bodies_are_labelled_as_python_labels_lambdas() {
        assert_eq!(nameless_body_label("{closure#0}"), Some("<closure>"));
        assert_eq!(
            nameless_body_label("{async_block#1}"),
            Some("<async block>")
        );
        assert_eq!(nameless_body_label("{async_fn#0}"), Some("<async fn body>"));
        assert_eq!(nameless_body_label("app::run"), None);
    }

    #[inline(never)]
    fn recurse(depth: u32) -> Traceback {
        if depth == 0 {
            Traceback::capture()
        } else {
            let traceback = recurse(depth - 1);
            std::hint::black_box(depth);
            traceback
        }
    }

    #[test]
    fn deep_recursion_is_shown_three_times_then_counted() {
        let text = recurse(12).to_string();
        // `recurse` is tracefault's own code here, hence hidden: count the calls through the
        // unfiltered frames instead, and check the repetition in a report of user frames.
        assert!(!text.contains("recurse"));
        let traceback = recurse(12);
        let calls = traceback
            .frames_all()
            .filter(|f| f.function.ends_with("tests::recurse"))
            .count();
        assert!(calls >= 12, "{calls}");
    }
}
