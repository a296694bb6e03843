//! Rendering: the frames Python-style, `File "…", line N, in function`, with the source line
//! when the file can be read ([`super::source`]), and a count of the frames left out.

use super::cache::BoundedCache;
use super::{StackFrame, Traceback};
use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};
use tracefault_report::{layout, Frame};

/// The text of one call path's traceback.
struct Rendered {
    ips: Box<[usize]>,
    known_files: Box<[Box<str>]>,
    /// The instrumented function it was captured in, which names a frame too.
    origin: Option<&'static str>,
    text: String,
}

impl Rendered {
    /// Whether this is the text of `ips` with `known_files`, not of another path whose key
    /// collides.
    fn is_of(&self, ips: &[usize], known_files: &[&str], origin: Option<&str>) -> bool {
        *self.ips == *ips
            && self.origin == origin
            && self.known_files.len() == known_files.len()
            && self
                .known_files
                .iter()
                .zip(known_files)
                .all(|(kept, file)| **kept == **file)
    }
}

/// Call paths kept per generation of the cache: at most twice this many texts of a few KiB.
const CACHED_TEXTS: usize = 128;

type RenderedCache = Mutex<BoundedCache<u64, Arc<Rendered>, BuildHasherDefault<KeyHasher>>>;

fn rendered() -> &'static RenderedCache {
    static RENDERED: OnceLock<RenderedCache> = OnceLock::new();
    RENDERED.get_or_init(|| Mutex::new(BoundedCache::new(CACHED_TEXTS)))
}

pub(super) fn clear_rendered_cache() {
    rendered().lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The keys are hashes already.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// A hash of the call path: a multiply and rotate per instruction pointer, and the bytes of
/// the known files and of the origin.
fn call_path_key(ips: &[usize], known_files: &[&str], origin: Option<&str>) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(K);
    let mut hash = ips.iter().fold(0, |hash, &ip| mix(hash, ip as u64));
    for file in known_files.iter().chain(&origin) {
        hash = file
            .bytes()
            .fold(mix(hash, 0xff), |hash, byte| mix(hash, u64::from(byte)));
    }
    hash
}

/// A visible frame as a report shows it: its path relative to the build directory, and the
/// name of the function it belongs to.
pub(crate) struct ShownFrame<'a> {
    pub(crate) frame: &'a StackFrame,
    pub(crate) file: Option<&'a str>,
    pub(crate) function: &'a str,
}

impl Traceback {
    /// The visible frames, each function once (see [`merge_closure_frames`]), outermost
    /// first. `known_files` are source paths as `file!()` gives them (relative to the
    /// directory the code was built in), which tells where that directory was, so that every
    /// path under it is shown the same way.
    pub(crate) fn shown_frames<'a>(&'a self, known_files: &[&str]) -> Vec<ShownFrame<'a>> {
        let frames: Vec<&StackFrame> = self.frames().collect();
        let roots = build_roots(&frames, known_files);
        let shown = frames.into_iter().map(|frame| ShownFrame {
            frame,
            file: frame.file.as_deref().map(|file| display_path(file, &roots)),
            function: nameless_body_label(&frame.function).unwrap_or(&frame.function),
        });
        merge_closure_frames(shown)
    }

    /// Writes the text, which is rendered once per call path (the same instruction pointers and
    /// known files) and then kept in a bounded cache: a service reports the same failures
    /// again and again.
    pub(crate) fn write_python_style(
        &self,
        f: &mut dyn fmt::Write,
        known_files: &[&str],
    ) -> fmt::Result {
        let ips = self.instruction_pointers();
        // The origin names a frame too: the text is of the call path, the files and the origin.
        let origin = self.origin.map(|origin| origin.function);
        let key = call_path_key(ips, known_files, origin);
        let known = rendered()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key);
        if let Some(text) = known.filter(|text| text.is_of(ips, known_files, origin)) {
            return f.write_str(&text.text);
        }
        let mut text = String::new();
        self.render(&mut text, known_files)?;
        let text = Arc::new(Rendered {
            ips: ips.into(),
            known_files: known_files.iter().map(|&file| file.into()).collect(),
            origin,
            text,
        });
        rendered()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, text.clone());
        f.write_str(&text.text)
    }

    fn render(&self, f: &mut impl fmt::Write, known_files: &[&str]) -> fmt::Result {
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
                layout::write_repeated(f, repeats - written)?;
            }
            index += 1 + repeats;
        }
        layout::write_hidden(f, self.hidden_frames() as u64)?;
        write_missing_debug_info_note(f, self, &shown)
    }
}

/// Says why frames lack names or lines, so that nobody takes a build's missing debug info for
/// a short stack: without debug info only the functions that were not inlined are there,
/// named by their symbols; a stripped binary has not even those.
fn write_missing_debug_info_note(
    f: &mut impl fmt::Write,
    traceback: &Traceback,
    shown: &[ShownFrame<'_>],
) -> fmt::Result {
    let unnamed = traceback
        .frames_all()
        .filter(|frame| frame.function.starts_with("0x"))
        .count();
    if shown.iter().any(|shown| shown.frame.line.is_none()) {
        writeln!(
            f,
            "  [no debug info: frames are named by their symbols, without lines, and the calls \
             inlined into them are missing; build with debug = \"line-tables-only\" to see them]"
        )
    } else if shown.is_empty() && unnamed > 0 {
        writeln!(
            f,
            "  [{unnamed} frames have no symbols, as in a stripped binary (strip = true): \
             build with strip = \"none\" and debug = \"line-tables-only\" to name them]"
        )
    } else {
        Ok(())
    }
}

/// The directories the program was built in: an absolute frame path that ends with a known
/// relative one gives away its prefix. The current directory serves as well.
fn build_roots(frames: &[&StackFrame], known_files: &[&str]) -> Vec<String> {
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

/// One frame, in the shared layout's words (`File "…", line N, in f` and the source line);
/// a frame without both a file and a line is shown as `File "<unknown>"`.
fn write_frame(f: &mut impl fmt::Write, shown: &ShownFrame<'_>) -> fmt::Result {
    let (file, line) = match (shown.file, shown.frame.line) {
        (Some(file), Some(line)) => (Some(file), Some(line)),
        _ => (None, None),
    };
    let source = line.and_then(|line| {
        let path = shown.frame.file.as_deref()?;
        super::source::source_line(path, line)
    });
    let frame = Frame {
        source: source.as_deref().map(Cow::Borrowed),
        ..Frame::new(shown.function.into(), file.map(Cow::Borrowed), line)
    };
    layout::write_frame(f, &frame)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_function_and_its_closure_body_are_shown_once_at_the_innermost_line() {
        let outer = StackFrame::new("app::run", Some(Path::new("a.rs")), Some(1), None);
        let closure = StackFrame::new(
            "app::run::{closure#0}",
            Some(Path::new("a.rs")),
            Some(5),
            None,
        );
        let other = StackFrame::new("app::step", Some(Path::new("a.rs")), Some(9), None);
        let merged = merge_closure_frames(shown(&[&outer, &closure, &other]));
        assert_eq!(lines(&merged), [5, 9]);
    }

    #[test]
    fn an_async_fn_and_its_instrumented_body_are_one_frame_at_the_body_line() {
        // As a release build names them once `naming` has qualified them: the expansion's
        // outer async body polls the user's body at the attribute's line.
        let outer = StackFrame::new(
            "quickstart::checkout::{async_fn#0}",
            Some(Path::new("a.rs")),
            Some(64),
            None,
        );
        let body = StackFrame::new(
            "quickstart::checkout::{async_fn#0}::{async_block#1}",
            Some(Path::new("a.rs")),
            Some(67),
            None,
        );
        let merged = merge_closure_frames(shown(&[&outer, &body]));
        assert_eq!(lines(&merged), [67]);
        assert_eq!(merged[0].function, "quickstart::checkout");
    }

    #[test]
    fn a_call_path_is_rendered_once_and_told_apart_from_others() {
        let tracebacks: Vec<Traceback> = (0..2).map(|_| Traceback::capture()).collect();
        let ips = tracebacks[0].instruction_pointers();
        assert_eq!(ips, tracebacks[1].instruction_pointers());
        let text = tracebacks[0].to_string();
        let cached = rendered()
            .lock()
            .unwrap()
            .get(&call_path_key(ips, &[], None));
        assert!(cached.is_some_and(|cached| cached.text == text && cached.is_of(ips, &[], None)));
        assert_eq!(tracebacks[1].to_string(), text);
        let other = Rendered {
            ips: ips.into(),
            known_files: vec!["src/a.rs".into()].into_boxed_slice(),
            origin: None,
            text: String::new(),
        };
        assert!(other.is_of(ips, &["src/a.rs"], None));
        assert!(!other.is_of(ips, &["src/b.rs"], None) && !other.is_of(ips, &[], None));
        assert!(!other.is_of(&ips[1..], &["src/a.rs"], None));
        // The same stack captured in an instrumented function names a frame after it.
        assert!(!other.is_of(ips, &["src/a.rs"], Some("app::run")));
    }

    #[test]
    fn recursion_keeps_a_frame_per_call() {
        let first = StackFrame::new("app::walk", Some(Path::new("a.rs")), Some(3), None);
        let second = StackFrame::new("app::walk", Some(Path::new("a.rs")), Some(3), None);
        assert_eq!(merge_closure_frames(shown(&[&first, &second])).len(), 2);
    }

    fn shown<'a>(frames: &[&'a StackFrame]) -> std::vec::IntoIter<ShownFrame<'a>> {
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
}
