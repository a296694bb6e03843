//! Captured backtraces, Python's `traceback.extract_tb` for Rust.
//!
//! Capturing records raw instruction pointers into a fixed buffer and nothing else
//! ([`capture`]); turning them into functions, files and lines ([`symbolize`], reading only the
//! debug info each address needs through [`debuginfo`]) happens only when a report is
//! formatted, and what is learned is kept in bounded caches ([`cache`]). What is plumbing rather
//! than anybody's logic is decided in [`filter`], the Python-style text is written by [`render`],
//! with the one source line each frame shows read by [`source`].

mod cache;
mod capture;
mod debuginfo;
mod filter;
mod naming;
mod render;
mod source;
mod symbolize;

pub use capture::captures_on_this_thread;
pub(crate) use symbolize::clean_function_name;
pub use symbolize::clear_caches;
pub use symbolize::warm_up_in_background;

use std::fmt;
use std::sync::{Arc, OnceLock};

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
    /// The instrumented function that captured it, when one did: its innermost frame.
    origin: Option<Origin>,
    resolved: OnceLock<Resolved>,
}

/// The instrumented function a traceback was captured in, as its site names it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin {
    /// `module::path::function`.
    pub(crate) function: &'static str,
    /// As `file!()` wrote it.
    pub(crate) file: &'static str,
    /// From the line of its name to the line of its body's closing brace.
    pub(crate) lines: (u32, u32),
    /// Captured by the function's own expansion, when it returned an error: then its
    /// innermost visible frame is that function's, whatever debug info calls it. A panic's
    /// stack is captured wherever the panic started, which may be code called from there.
    pub(crate) by_expansion: bool,
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
    symbols: Arc<[StackFrame]>,
    index: usize,
    /// Hidden by its name, or because it lies outside `std`'s short-backtrace marks here.
    hidden: bool,
    /// The frame as this traceback names it, where it knows more than the symbols.
    renamed: Option<Box<StackFrame>>,
}

impl ResolvedFrame {
    fn frame(&self) -> &StackFrame {
        self.renamed.as_deref().unwrap_or(&self.symbols[self.index])
    }
}

/// One resolved stack frame; inlined calls are frames of their own, as in `std`'s backtraces.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StackFrame {
    /// The demangled function path without its hash, e.g. `shop::inventory::reserve`.
    pub function: String,
    /// The source file as recorded in debug info, shortened under the cargo registry and
    /// the Rust toolchain (`<cargo>/tokio-1.0.0/src/…`, `<rust>/library/std/src/…`). Reports
    /// show user paths relative to the directory the program was built in.
    pub file: Option<String>,
    /// The line in `file`, when the debug info has one.
    pub line: Option<u32>,
    /// The column in `line`, when the debug info has one.
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
    /// The instruction pointers, innermost first.
    pub fn instruction_pointers(&self) -> &[usize] {
        &self.ips[..self.len]
    }

    /// The frames worth reading, outermost first (most recent call last): the panic and unwind
    /// machinery, `std::rt`, executors' poll plumbing and tracefault's own frames are left out.
    pub fn frames(&self) -> impl Iterator<Item = &StackFrame> {
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
    pub fn frames_all(&self) -> impl Iterator<Item = &StackFrame> {
        self.resolved().frames.iter().map(ResolvedFrame::frame)
    }

    fn resolved(&self) -> &Resolved {
        self.resolved.get_or_init(|| {
            let mut frames: Vec<ResolvedFrame> = Vec::with_capacity(self.len + self.len / 2);
            for symbols in symbolize::resolve_all(self.instruction_pointers()) {
                for (index, frame) in symbols.iter().enumerate() {
                    frames.push(ResolvedFrame {
                        symbols: symbols.clone(),
                        index,
                        hidden: frame.hidden,
                        renamed: None,
                    });
                }
            }
            filter::hide_outside_short_backtrace(&mut frames);
            if let Some(origin) = self.origin {
                name_origin_frame(&mut frames, origin);
            }
            frames.reverse();
            let hidden = frames.iter().filter(|resolved| resolved.hidden).count();
            Resolved { frames, hidden }
        })
    }
}

/// The innermost visible frame of a traceback captured in an instrumented function is that
/// function: where debug info names it only briefly (an inlined call in a `line-tables-only`
/// build, see [`naming`]), its site says its path. Only a frame in the same file takes it: one
/// of the same short name, or a closure or body debug info left nameless (below).
fn name_origin_frame(innermost_first: &mut [ResolvedFrame], origin: Origin) {
    let Some(innermost) = innermost_first.iter_mut().find(|resolved| !resolved.hidden) else {
        return;
    };
    let frame = innermost.frame();
    let short_name = origin
        .function
        .rsplit("::")
        .next()
        .unwrap_or(origin.function);
    let same_file = frame
        .file
        .as_deref()
        .is_some_and(|file| file.ends_with(origin.file.trim_start_matches("./")));
    // A closure or async body that debug info could not name: the expansion's own, where it
    // captured the stack, or one written between the function's first and last lines, where
    // a panic started (a closure it calls directly, not through a generic function; one of a
    // `fn` item nested in its body would be taken for its own).
    let nameless = frame.function.starts_with('{');
    let inside = frame
        .line
        .is_some_and(|line| (origin.lines.0..=origin.lines.1).contains(&line));
    let same_name = frame.function == short_name || (nameless && (origin.by_expansion || inside));
    if same_name && short_name != origin.function && same_file {
        let mut renamed = frame.clone();
        renamed.function = origin.function.to_owned();
        innermost.renamed = Some(Box::new(renamed));
    }
}

impl Traceback {
    /// Says which instrumented function the stack was captured in, before it is resolved.
    pub(crate) fn set_origin(&mut self, origin: Origin) {
        self.origin = Some(origin);
        self.resolved = OnceLock::new();
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
            origin: self.origin,
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(here.file.as_deref().unwrap().ends_with("traceback/mod.rs"));
        assert!(here.line.is_some());
        assert!(here.hidden);
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
