//! An ELF object file mapped into memory and read in place: its DWARF sections for
//! [`super::dwarf`], and its symbol table for the names of code without debug info.
//!
//! The pages read stay file-backed (the page cache holds them, not our heap), and
//! [`ObjectFile::release_pages`] drops them from this process's resident set once a batch of
//! addresses is resolved, so that reading debug info does not stay resident.

use memmap2::Mmap;
use object::elf::{FileHeader64, SHF_COMPRESSED, STT_FUNC, STT_OBJECT};
use object::read::elf::{FileHeader as _, SectionHeader as _, Sym as _, SymbolTable};
use object::NativeEndian;
use std::path::Path;
use std::sync::OnceLock;

/// DWARF sections as `gimli` reads them: slices of the mapping, which lives as long as the
/// process.
pub(super) type Reader = gimli::EndianSlice<'static, gimli::NativeEndian>;

type Elf = FileHeader64<NativeEndian>;

pub(super) struct ObjectFile {
    map: &'static Mmap,
    symbols: SymbolTable<'static, Elf>,
    /// The function and object symbols' `(address, index)`, sorted, built on first use: 16
    /// bytes a symbol.
    sorted_symbols: OnceLock<Box<[(u64, u32)]>>,
    /// `None` when the file carries no DWARF of its own.
    pub(super) dwarf: Option<gimli::Dwarf<Reader>>,
}

/// Why an object is left to the fallback.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unsupported {
    /// Not readable, or not a 64-bit ELF file of this machine's byte order.
    Unreadable,
    /// DWARF compressed in the file (it would have to be inflated onto the heap), split into
    /// `.dwo` / `.dwp` files, or kept in a separate debug file.
    DebugInfoElsewhere,
}

/// The sections `gimli` reads, which must not be compressed.
const DWARF_SECTIONS: &[&str] = &[
    ".debug_abbrev",
    ".debug_addr",
    ".debug_aranges",
    ".debug_info",
    ".debug_line",
    ".debug_line_str",
    ".debug_ranges",
    ".debug_rnglists",
    ".debug_str",
    ".debug_str_offsets",
];

impl ObjectFile {
    /// Maps `path`; `is_main` says it is the executable, whose debug info must not be lost to
    /// a separate debug file (a library's frames are named by its symbols instead).
    pub(super) fn open(path: &Path, is_main: bool) -> Result<ObjectFile, Unsupported> {
        let file = std::fs::File::open(path).map_err(|_| Unsupported::Unreadable)?;
        // SAFETY: the mapping is private and read-only. Like the `backtrace` crate, this
        // trusts that a loaded object's file is not truncated while the process runs
        // (replacing it, as `cargo` and package managers do, leaves our inode intact).
        let map = unsafe { Mmap::map(&file) }.map_err(|_| Unsupported::Unreadable)?;
        let map: &'static Mmap = Box::leak(Box::new(map));
        let data: &'static [u8] = map;
        let header = Elf::parse(data).map_err(|_| Unsupported::Unreadable)?;
        let endian = header.endian().map_err(|_| Unsupported::Unreadable)?;
        let sections = header
            .sections(endian, data)
            .map_err(|_| Unsupported::Unreadable)?;
        let mut symbols = sections
            .symbols(endian, data, object::elf::SHT_SYMTAB)
            .map_err(|_| Unsupported::Unreadable)?;
        if symbols.is_empty() {
            symbols = sections
                .symbols(endian, data, object::elf::SHT_DYNSYM)
                .map_err(|_| Unsupported::Unreadable)?;
        }
        let section = |name: &str| sections.section_by_name(endian, name.as_bytes());
        let compressed = DWARF_SECTIONS.iter().any(|name| {
            section(name)
                .is_some_and(|(_, header)| header.sh_flags(endian).contains(SHF_COMPRESSED))
        }) || sections.iter().any(|header| {
            sections
                .section_name(endian, header)
                .is_ok_and(|name| name.starts_with(b".zdebug_"))
        });
        let split = section(".gnu_debuglink").is_some() || section(".gnu_debugaltlink").is_some();
        let has_dwarf = section(".debug_info").is_some();
        if compressed || (is_main && !has_dwarf && split) {
            return Err(Unsupported::DebugInfoElsewhere);
        }
        let dwarf = has_dwarf
            .then(|| {
                gimli::Dwarf::load(|id| -> Result<Reader, ()> {
                    let bytes = section(id.name())
                        .and_then(|(_, header)| header.data(endian, data).ok())
                        .unwrap_or(&[]);
                    Ok(gimli::EndianSlice::new(bytes, gimli::NativeEndian))
                })
                .ok()
            })
            .flatten();
        Ok(ObjectFile {
            map,
            symbols,
            sorted_symbols: OnceLock::new(),
            dwarf,
        })
    }

    /// The name of the function or object symbol that holds `address`, as the `backtrace`
    /// crate finds it: the nearest symbol at or below it whose size reaches it.
    pub(super) fn symbol_name(&self, address: u64) -> Option<&'static [u8]> {
        let endian = NativeEndian;
        let sorted = self.sorted_symbols.get_or_init(|| {
            let mut sorted: Vec<(u64, u32)> = self
                .symbols
                .iter()
                .enumerate()
                .filter(|(_, symbol)| {
                    let kind = symbol.st_type();
                    (kind == STT_FUNC || kind == STT_OBJECT) && !symbol.is_undefined(endian)
                })
                .filter_map(|(index, symbol)| {
                    Some((symbol.st_value(endian), u32::try_from(index).ok()?))
                })
                .collect();
            // The first of several symbols at one address wins, as in the table.
            sorted.sort_by_key(|&(start, _)| start);
            sorted.dedup_by_key(|&mut (start, _)| start);
            sorted.into_boxed_slice()
        });
        let after = sorted.partition_point(|&(start, _)| start <= address);
        let &(start, index) = sorted.get(after.checked_sub(1)?)?;
        let symbol = self
            .symbols
            .symbol(object::SymbolIndex(index as usize))
            .ok()?;
        let end = start.saturating_add(symbol.st_size(endian));
        (address <= end)
            .then(|| self.symbols.symbol_name(endian, symbol).ok())
            .flatten()
    }

    /// Drops the pages read so far from this process's resident set; they are read again from
    /// the page cache when next needed.
    pub(super) fn release_pages(&self) {
        // SAFETY: the mapping is private and read-only: dropping its pages only makes the next
        // read fault them in again from the file.
        #[cfg(unix)]
        let _ = unsafe {
            self.map
                .unchecked_advise(memmap2::UncheckedAdvice::DontNeed)
        };
        // Elsewhere the system decides what stays resident.
        #[cfg(not(unix))]
        let _ = self.map;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_an_object_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("tracefault-elf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let executable = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        for (name, bytes) in [
            ("empty", Vec::new()),
            ("text", b"not an object file".to_vec()),
            // The section headers are at the end of the file: cut off.
            ("truncated", executable[..4096].to_vec()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, &bytes).unwrap();
            let opened = ObjectFile::open(&path, true);
            assert_eq!(opened.err(), Some(Unsupported::Unreadable), "{name}");
        }
        assert_eq!(
            ObjectFile::open(&dir.join("missing"), true).err(),
            Some(Unsupported::Unreadable)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn this_executable_has_dwarf_and_symbols() {
        let object = ObjectFile::open(&std::env::current_exe().unwrap(), true).unwrap();
        assert!(object.dwarf.is_some());
        assert!(!object.symbols.is_empty());
    }
}
