//! Source lines, as Python's `linecache` gives them: the one line a frame shows, read from the
//! file when it is readable from here, and kept in a bounded cache. A missing or unreadable
//! file shows no line.

use super::cache::BoundedCache;
use std::hash::{BuildHasherDefault, Hash as _, Hasher};
use std::io::BufRead as _;
use std::sync::{Arc, Mutex, OnceLock};

/// Lines kept per generation of the cache (at most twice this many, each a line of source).
const CACHED_LINES: usize = 1024;

/// Reading stops after this many bytes: a line further into a file is not shown.
const MAX_BYTES_READ: u64 = 4 << 20;

/// Keyed by a hash of the file and line, so that a hit allocates nothing; the entry keeps both
/// to tell a collision from a hit.
type SourceCache = Mutex<BoundedCache<u64, Arc<Entry>, BuildHasherDefault<KeyHasher>>>;

struct Entry {
    file: Box<str>,
    line: u32,
    text: Option<Arc<str>>,
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

fn key(file: &str, line: u32) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    file.hash(&mut hasher);
    line.hash(&mut hasher);
    hasher.finish()
}

fn cache() -> &'static SourceCache {
    static LINES: OnceLock<SourceCache> = OnceLock::new();
    LINES.get_or_init(|| Mutex::new(BoundedCache::new(CACHED_LINES)))
}

pub(super) fn clear_cache() {
    cache().lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// Line `line` (1-based) of `file`, trimmed; `None` if it is blank or cannot be read.
pub(super) fn source_line(file: &str, line: u32) -> Option<Arc<str>> {
    if file.starts_with('<') || line == 0 {
        return None;
    }
    let key = key(file, line);
    let known = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key);
    if let Some(entry) = known.filter(|entry| entry.line == line && *entry.file == *file) {
        return entry.text.clone();
    }
    let text = read_line(file, line);
    let entry = Entry {
        file: file.into(),
        line,
        text: text.clone(),
    };
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::new(entry));
    text
}

fn read_line(file: &str, line: u32) -> Option<Arc<str>> {
    let opened = std::fs::File::open(file).ok()?;
    if !opened.metadata().ok()?.is_file() {
        return None;
    }
    let mut reader = std::io::BufReader::new(std::io::Read::take(opened, MAX_BYTES_READ));
    let mut text = Vec::new();
    for _ in 0..line {
        text.clear();
        if reader.read_until(b'\n', &mut text).ok()? == 0 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&text);
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| Arc::from(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_asked_for_is_read_and_missing_ones_are_none() {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/src/traceback/source.rs");
        let first = source_line(file, 1).expect("this file is readable");
        assert!(first.starts_with("//! Source lines"), "{first}");
        // Cached: the same text again.
        assert_eq!(source_line(file, 1), Some(first));
        assert_eq!(source_line(file, 1_000_000), None);
        assert_eq!(source_line("/nonexistent/file.rs", 3), None);
        assert_eq!(source_line("<rust>/library/std/src/rt.rs", 3), None);
        // A directory is not a source file.
        assert_eq!(source_line(env!("CARGO_MANIFEST_DIR"), 1), None);
    }
}
