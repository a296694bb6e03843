//! Symbolizing: instruction pointers turned into functions, files and lines, once per process
//! and instruction pointer, with the names a reader knows them by.

use super::{filter, StackFrame};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

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

type SymbolCache =
    Mutex<HashMap<usize, Arc<[StackFrame]>, std::hash::BuildHasherDefault<IpHasher>>>;
static SYMBOLS: OnceLock<SymbolCache> = OnceLock::new();

/// Forgets every resolved symbol and source line, so that benchmarks can measure a first
/// formatting.
#[doc(hidden)]
pub fn clear_caches() {
    if let Some(symbols) = SYMBOLS.get() {
        symbols.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
    super::render::clear_source_cache();
}

pub(super) fn resolve_cached(ip: usize) -> Arc<[StackFrame]> {
    learn_own_source_dir();
    let cache = SYMBOLS.get_or_init(Default::default);
    if let Some(frames) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&ip) {
        return frames.clone();
    }
    let frames: Arc<[StackFrame]> = resolve(ip).into();
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(ip, frames.clone());
    frames
}

fn resolve(ip: usize) -> Vec<StackFrame> {
    let mut frames = Vec::new();
    backtrace::resolve(ip as *mut std::ffi::c_void, |symbol| {
        let demangled = match symbol.name() {
            Some(name) => format!("{name:#}"),
            None => format!("{ip:#x}"),
        };
        frames.push(StackFrame::new(
            &demangled,
            symbol.filename(),
            symbol.lineno(),
            symbol.colno(),
        ));
    });
    if frames.is_empty() {
        frames.push(StackFrame::new(&format!("{ip:#x}"), None, None, None));
    }
    name_inlined_bodies(&mut frames);
    frames
}

/// Debug info names an inlined closure or async block only `{closure#0}`; it is the body of
/// the nearest function around it at the same address that is not plumbing (an executor's
/// `poll`, tracefault's `call`). Without one, the name stays for the report to settle.
pub(super) fn name_inlined_bodies(innermost_first: &mut [StackFrame]) {
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

impl StackFrame {
    /// A frame of the symbol `demangled`, as `{:#}` writes it (no hash), in `raw_file`.
    pub(crate) fn new(
        demangled: &str,
        raw_file: Option<&Path>,
        line: Option<u32>,
        column: Option<u32>,
    ) -> StackFrame {
        let function = clean_function_name(demangled);
        let file = raw_file.map(shorten_path);
        let hidden = filter::is_runtime_frame(&function, file.as_deref(), raw_file);
        let is_dependency = file.as_deref().is_some_and(|file| file.starts_with('<'));
        let marker = filter::short_backtrace_marker(&function);
        StackFrame {
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

/// The directory of this crate's sources, as debug info names it: where the code of this very
/// function says it comes from. Known after [`learn_own_source_dir`].
pub(super) fn own_source_dir() -> Option<&'static Path> {
    OWN_SOURCE_DIR.get().and_then(Option::as_deref)
}

static OWN_SOURCE_DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();

/// Resolves one of this crate's functions, outside any other resolution (the symbolizer is
/// not reentrant).
pub(super) fn learn_own_source_dir() {
    OWN_SOURCE_DIR.get_or_init(|| {
        let mut dir = None;
        // `resolve` looks up the byte before an address (a return address follows its call).
        let address = (learn_own_source_dir as fn() as usize).wrapping_add(1);
        backtrace::resolve(address as *mut std::ffi::c_void, |symbol| {
            if dir.is_none() {
                // .../src/traceback/symbolize.rs: the crate's sources are `src` and below.
                dir = symbol
                    .filename()
                    .and_then(Path::parent)
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
}
