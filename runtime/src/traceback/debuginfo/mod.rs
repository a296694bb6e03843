//! Symbols read lazily and narrowly from the loaded objects' own files: the lean path.
//!
//! Each object (the executable, each shared library) is mapped once; its index of compilation
//! units is built once ([`warm_up`] builds the executable's ahead of the first report); an
//! address then costs the entries and line-table rows of its own unit, read in place and not
//! kept. Where this path cannot read an object as it is (not Linux, not a 64-bit ELF file,
//! compressed or split debug info), [`resolve`] says [`Lookup::Fallback`] and the `backtrace`
//! crate resolves the address instead.

mod dwarf;
mod elf;
mod loaded;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// One frame of an address, as the object file states it.
#[derive(Debug)]
pub(super) struct Frame {
    /// The raw name: mangled, or as debug info writes it.
    pub(super) name: Option<String>,
    pub(super) file: Option<String>,
    pub(super) line: Option<u32>,
    pub(super) column: Option<u32>,
}

pub(super) enum Lookup {
    /// The frames, innermost (inlined) first; none if the object knows nothing of the address.
    /// With them, the symbol of the function that holds the address, where debug info names
    /// that function only briefly (`debug = "line-tables-only"` writes no linkage names).
    Frames(Vec<Frame>, Option<String>),
    /// The lean path cannot read this address's object: ask the `backtrace` crate.
    Fallback,
}

struct Object {
    loaded: loaded::LoadedObject,
    is_main: bool,
    file: OnceLock<Result<Readable, elf::Unsupported>>,
    /// Pages of its file were read since the last [`release_pages`].
    touched: AtomicBool,
}

struct Readable {
    file: elf::ObjectFile,
    index: OnceLock<dwarf::UnitIndex>,
    units: dwarf::UnitCache,
}

impl Object {
    fn readable(&self) -> Option<&Readable> {
        self.file
            .get_or_init(|| {
                let file = elf::ObjectFile::open(&self.loaded.path, self.is_main)?;
                Ok(Readable {
                    file,
                    index: OnceLock::new(),
                    units: dwarf::UnitCache::new(),
                })
            })
            .as_ref()
            .ok()
    }
}

impl Readable {
    fn index(&self, dwarf: &gimli::Dwarf<elf::Reader>) -> &dwarf::UnitIndex {
        self.index.get_or_init(|| dwarf::UnitIndex::build(dwarf))
    }
}

fn objects() -> &'static [Object] {
    static OBJECTS: OnceLock<Vec<Object>> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        loaded::loaded_objects()
            .into_iter()
            .enumerate()
            .map(|(position, loaded)| Object {
                loaded,
                // The dynamic linker reports the executable first.
                is_main: position == 0,
                file: OnceLock::new(),
                touched: AtomicBool::new(false),
            })
            .collect()
    })
}

/// The frames at `address`: a return address minus one, inside the call it returns from.
pub(super) fn resolve(address: usize) -> Lookup {
    let Some((object, stated)) = objects().iter().find_map(|object| {
        object
            .loaded
            .stated_address(address)
            .map(|stated| (object, stated))
    }) else {
        return Lookup::Fallback;
    };
    let Some(readable) = object.readable() else {
        return Lookup::Fallback;
    };
    object.touched.store(true, Ordering::Relaxed);
    let mut raw = Vec::new();
    if let Some(dwarf) = &readable.file.dwarf {
        let index = readable.index(dwarf);
        // Malformed debug info: nothing from it, as the `backtrace` crate does; the symbol
        // table may still name the address.
        match dwarf::find_frames(dwarf, index, &readable.units, stated, &mut raw) {
            Ok(dwarf::Found::Frames | dwarf::Found::Nothing) => {}
            Ok(dwarf::Found::InSplitUnit) => return Lookup::Fallback,
            Err(_) => raw.clear(),
        }
    }
    let symbol = || {
        readable
            .file
            .symbol_name(stated)
            .map(|name| String::from_utf8_lossy(name).into_owned())
    };
    if raw.is_empty() {
        return Lookup::Frames(
            symbol()
                .map(|name| Frame {
                    name: Some(name),
                    file: None,
                    line: None,
                    column: None,
                })
                .into_iter()
                .collect(),
            None,
        );
    }
    let frames: Vec<Frame> = raw
        .into_iter()
        .map(|frame| {
            let location = frame.location.unwrap_or_default();
            Frame {
                name: match frame.name {
                    Some(name) => Some(name.to_string_lossy().into_owned()),
                    None => symbol(),
                },
                file: location.file,
                line: location.line,
                column: location.column,
            }
        })
        .collect();
    let briefly_named = frames
        .last()
        .and_then(|outermost| outermost.name.as_deref())
        .is_some_and(|name| !name.starts_with("_ZN") && !name.starts_with("_R"));
    let holder = if briefly_named { symbol() } else { None };
    Lookup::Frames(frames, holder)
}

/// Drops from the resident set the pages of the object files read since the last call: a
/// report's lookups read scattered pages of debug info that it will not need again soon.
pub(super) fn release_pages() {
    for object in objects() {
        if object.touched.swap(false, Ordering::Relaxed) {
            if let Some(Ok(readable)) = object.file.get() {
                readable.file.release_pages();
            }
        }
    }
}

/// Maps the executable and builds its index of compilation units and of symbols, so that the
/// first report reads only what its own addresses need.
pub(super) fn warm_up() {
    if let Some(main) = objects().iter().find(|object| object.is_main) {
        if let Some(readable) = main.readable() {
            if let Some(dwarf) = &readable.file.dwarf {
                readable.index(dwarf);
            }
            // The symbols sorted by address: a `line-tables-only` build names the functions
            // that hold its addresses by them (a few hundred KiB for a service).
            let _ = readable.file.symbol_name(0);
            main.touched.store(true, Ordering::Relaxed);
        }
    }
    release_pages();
}

/// The loaded segment `[start, end)` that holds `address`.
#[cfg(test)]
pub(super) fn segment_holding(address: usize) -> Option<(usize, usize)> {
    objects()
        .iter()
        .find_map(|object| object.loaded.segment_holding(address))
}

/// Heap bytes held by the indexes.
#[cfg(test)]
pub(super) fn index_bytes() -> usize {
    objects()
        .iter()
        .filter_map(|object| match object.file.get() {
            Some(Ok(readable)) => readable.index.get().map(dwarf::UnitIndex::heap_bytes),
            _ => None,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of this test executable with bytes of its debug sections and symbols replaced by
    /// noise: every lookup ends, with frames or without, and none panics.
    #[test]
    fn corrupted_debug_info_gives_no_frames_rather_than_a_panic() {
        let executable = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let here = corrupted_debug_info_gives_no_frames_rather_than_a_panic as fn() as usize;
        let main = objects().iter().find(|object| object.is_main).unwrap();
        let stated = main.loaded.stated_address(here).unwrap();
        let dir = std::env::temp_dir().join(format!("tracefault-dwarf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut noise = 0x2545_f491_4f6c_dd1d_u64;
        let mut rounds_read = 0;
        let sections = dwarf_section_ranges(&executable);
        assert!(sections.len() >= 4, "{sections:?}");
        for (round, stride) in [97usize, 13, 5].into_iter().enumerate() {
            let mut bytes = executable.clone();
            for &(start, end) in &sections {
                for byte in bytes[start..end].iter_mut().step_by(stride) {
                    noise ^= noise << 13;
                    noise ^= noise >> 7;
                    noise ^= noise << 17;
                    *byte = noise as u8;
                }
            }
            let path = dir.join(format!("corrupted-{round}"));
            std::fs::write(&path, &bytes).unwrap();
            let Ok(file) = elf::ObjectFile::open(&path, true) else {
                continue;
            };
            let Some(dwarf) = &file.dwarf else {
                continue;
            };
            rounds_read += 1;
            let index = dwarf::UnitIndex::build(dwarf);
            let units = dwarf::UnitCache::new();
            for offset in (0..4096u64).step_by(16) {
                let mut frames = Vec::new();
                let _ = dwarf::find_frames(dwarf, &index, &units, stated + offset, &mut frames);
                let _ = file.symbol_name(stated + offset);
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        // Only the sections' contents were changed: each copy was read, not refused.
        assert_eq!(rounds_read, 3);
    }

    /// The file ranges of the DWARF sections of an ELF file.
    fn dwarf_section_ranges(bytes: &[u8]) -> Vec<(usize, usize)> {
        use object::read::elf::{FileHeader as _, SectionHeader as _};
        let header = object::elf::FileHeader64::<object::NativeEndian>::parse(bytes).unwrap();
        let endian = header.endian().unwrap();
        let sections = header.sections(endian, bytes).unwrap();
        sections
            .iter()
            .filter(|section| {
                sections
                    .section_name(endian, section)
                    .is_ok_and(|name| name.starts_with(b".debug_"))
            })
            .map(|section| {
                let start = section.sh_offset(endian) as usize;
                (start, start + section.sh_size(endian) as usize)
            })
            .collect()
    }
}
