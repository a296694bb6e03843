//! Symbolizing: instruction pointers turned into functions, files and lines, with the names a
//! reader knows them by, through a bounded cache.
//!
//! The lean path ([`super::debuginfo`]) reads only the compilation unit of each address from
//! the mapped object file; where it cannot read an object, the `backtrace` crate resolves the
//! address (and then loads that object's whole debug info, as it always did).

use super::cache::BoundedCache;
use super::debuginfo::{self, Lookup};
use super::{filter, naming, StackFrame};
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

/// Instruction pointers resolved per generation of the cache (at most twice this many are
/// kept, some 300 bytes each): far more than the call paths a service's errors take.
const CACHED_IPS: usize = 2048;

type SymbolCache =
    Mutex<BoundedCache<usize, Arc<[StackFrame]>, std::hash::BuildHasherDefault<IpHasher>>>;

fn symbols() -> &'static SymbolCache {
    static SYMBOLS: OnceLock<SymbolCache> = OnceLock::new();
    SYMBOLS.get_or_init(|| Mutex::new(BoundedCache::new(CACHED_IPS)))
}

/// Forgets every resolved symbol, source line and rendered text, so that benchmarks can
/// measure a first formatting. What a warm process knows of its object files stays: their
/// indexes of compilation units and the tables of the units read last (as the `backtrace`
/// crate kept its parsed debug info).
#[doc(hidden)]
pub fn clear_caches() {
    symbols().lock().unwrap_or_else(|e| e.into_inner()).clear();
    super::source::clear_cache();
    super::render::clear_rendered_cache();
}

/// The frames of each instruction pointer, in order. Addresses not cached are resolved in
/// one batch, after which the debug info pages read for them leave the resident set.
pub(super) fn resolve_all(ips: &[usize]) -> Vec<Arc<[StackFrame]>> {
    learn_own_source_dir();
    let mut resolved: Vec<Option<Arc<[StackFrame]>>> = {
        let mut cache = symbols().lock().unwrap_or_else(|e| e.into_inner());
        ips.iter().map(|ip| cache.get(ip)).collect()
    };
    if resolved.iter().any(Option::is_none) {
        for (slot, &ip) in resolved.iter_mut().zip(ips) {
            if slot.is_none() {
                let frames: Arc<[StackFrame]> = resolve(ip).into();
                symbols()
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(ip, frames.clone());
                *slot = Some(frames);
            }
        }
        debuginfo::release_pages();
    }
    resolved.into_iter().flatten().collect()
}

/// The raw frames of the return address `ip`, innermost first: the lean path, else the
/// `backtrace` crate. Returns the symbol of the function that holds the address where the
/// lean path found debug info naming it only briefly.
fn raw_frames(
    ip: usize,
    mut each: impl FnMut(Option<&str>, Option<&Path>, Option<u32>, Option<u32>),
) -> Option<String> {
    // A return address follows its call: the byte before it is inside the call.
    match debuginfo::resolve(ip.wrapping_sub(1)) {
        Lookup::Frames(frames, holder) => {
            for frame in &frames {
                each(
                    frame.name.as_deref(),
                    frame.file.as_deref().map(Path::new),
                    frame.line,
                    frame.column,
                );
            }
            holder
        }
        Lookup::Fallback => {
            backtrace::resolve(ip as *mut std::ffi::c_void, |symbol| {
                let name = symbol
                    .name()
                    .map(|name| String::from_utf8_lossy(name.as_bytes()).into_owned());
                each(
                    name.as_deref(),
                    symbol.filename(),
                    symbol.lineno(),
                    symbol.colno(),
                );
            });
            None
        }
    }
}

/// A frame as the object file states it, its name demangled.
struct Stated {
    name: String,
    file: Option<std::path::PathBuf>,
    line: Option<u32>,
    column: Option<u32>,
}

fn resolve(ip: usize) -> Vec<StackFrame> {
    let mut stated = Vec::new();
    let holder = raw_frames(ip, |name, file, line, column| {
        stated.push(Stated {
            name: name.map_or_else(|| format!("{ip:#x}"), demangle),
            file: file.map(Path::to_path_buf),
            line,
            column,
        });
    });
    if stated.is_empty() {
        return vec![StackFrame::new(&format!("{ip:#x}"), None, None, None)];
    }
    let holder = holder.as_deref().map(demangle);
    let mut names = naming::RawNames {
        names: stated.iter().map(|frame| frame.name.clone()).collect(),
        symbol: holder.as_deref(),
    };
    let files: Vec<Option<String>> = stated
        .iter()
        .map(|frame| frame.file.as_deref().map(shorten_path))
        .collect();
    naming::qualify(
        &mut names,
        |index| {
            filter::is_runtime_frame(
                &clean_function_name(&stated[index].name),
                files[index].as_deref(),
                stated[index].file.as_deref(),
            )
        },
        |index| files[index].as_deref(),
    );
    stated
        .iter()
        .zip(&names.names)
        .map(|(frame, name)| StackFrame::new(name, frame.file.as_deref(), frame.line, frame.column))
        .collect()
}

/// A Rust symbol demangled without its hash, as the `backtrace` crate's `{:#}` writes it;
/// anything else (debug info's plain names, C symbols) as it is.
fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        Ok(demangled) => format!("{demangled:#}"),
        Err(_) => name.to_owned(),
    }
}

/// Builds, on a thread of its own, what the first report would otherwise build on the thread
/// that reports it: the executable's mapping and its index of compilation units (a few
/// milliseconds and under a MiB for a release build of a service like the shop). Call it once at start-up; later
/// calls do nothing. A report formatted before it is done waits for the index.
///
/// ```
/// tracefault::traceback::warm_up_in_background();
/// ```
pub fn warm_up_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("tracefault-symbols".into())
            .spawn(|| {
                debuginfo::warm_up();
                learn_own_source_dir();
                debuginfo::release_pages();
            });
    });
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

/// Resolves one of this crate's functions, outside any other resolution (the `backtrace`
/// crate's symbolizer is not reentrant).
pub(super) fn learn_own_source_dir() {
    OWN_SOURCE_DIR.get_or_init(|| {
        let mut dir = None;
        // `raw_frames` looks up the byte before an address (a return address follows its call).
        let address = (learn_own_source_dir as fn() as usize).wrapping_add(1);
        let _ = raw_frames(address, |_, file, _, _| {
            if dir.is_none() {
                // .../src/traceback/symbolize.rs: the crate's sources are `src` and below.
                dir = file
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

    /// The frames of `address` as (demangled name, file, line, column), from either path.
    type Described = Vec<(String, Option<String>, Option<u32>, Option<u32>)>;

    /// A column as both paths can agree on it: none without a line, and none for column 0
    /// (DWARF's "left edge", which older `backtrace` releases give as none).
    fn known_column(line: Option<u32>, column: Option<u32>) -> Option<u32> {
        line.and(column).filter(|&column| column != 0)
    }

    fn through_backtrace(address: usize) -> Described {
        let mut frames = Vec::new();
        backtrace::resolve((address + 1) as *mut std::ffi::c_void, |symbol| {
            frames.push((
                symbol
                    .name()
                    .map(|name| format!("{name:#}"))
                    .unwrap_or_default(),
                symbol.filename().map(|file| file.display().to_string()),
                symbol.lineno(),
                known_column(symbol.lineno(), symbol.colno()),
            ));
        });
        frames
    }

    fn through_debuginfo(address: usize) -> Option<Described> {
        let Lookup::Frames(frames, _) = debuginfo::resolve(address) else {
            return None;
        };
        Some(
            frames
                .into_iter()
                .map(|frame| {
                    let name = frame.name.as_deref().map(demangle).unwrap_or_default();
                    (
                        name,
                        frame.file,
                        frame.line,
                        known_column(frame.line, frame.column),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn the_lean_path_resolves_as_the_backtrace_crate_does() {
        // A real stack (this test, the harness, std's thread start), then addresses spread
        // over this executable's code, inside functions and between them. Only the
        // executable's: the system's libraries may have separate debug files, which the lean
        // path does not read (their frames are named by their symbols).
        let here = the_lean_path_resolves_as_the_backtrace_crate_does as fn() as usize;
        let (start, end) = debuginfo::segment_holding(here).expect("this code is loaded");
        let mut addresses: Vec<usize> = super::super::Traceback::capture()
            .instruction_pointers()
            .iter()
            .map(|ip| ip - 1)
            .filter(|address| (start..end).contains(address))
            .collect();
        let step = (end - start) / 400;
        addresses.extend((0..400).map(|n| start + n * step + n % 7));
        let mut compared = 0;
        let mut with_inlined = 0;
        for address in addresses {
            let Some(lean) = through_debuginfo(address) else {
                continue;
            };
            assert_eq!(lean, through_backtrace(address), "at {address:#x}");
            compared += 1;
            with_inlined += usize::from(lean.len() > 1);
        }
        assert!(compared >= 400, "only {compared} addresses were compared");
        assert!(
            with_inlined > 10,
            "only {with_inlined} addresses had inlined frames"
        );
    }

    #[test]
    fn the_index_of_units_is_small() {
        warm_up_in_background();
        resolve_all(&[the_index_of_units_is_small as fn() as usize + 1]);
        let bytes = debuginfo::index_bytes();
        // Of a test binary that links all of tokio, axum, reqwest and opentelemetry: still a
        // fraction of the first report's memory budget (8 MiB).
        assert!(bytes > 0 && bytes < 4 << 20, "{bytes} bytes");
    }

    #[test]
    fn resolved_symbols_are_kept_in_a_bounded_cache() {
        let ips: Vec<usize> = (0..3 * CACHED_IPS).map(|n| 0x10 + n).collect();
        resolve_all(&ips);
        let cached = symbols().lock().unwrap().len();
        assert!(cached <= 2 * CACHED_IPS, "{cached} entries");
    }

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
