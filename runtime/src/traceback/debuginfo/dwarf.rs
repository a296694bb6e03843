//! DWARF read in place, one compilation unit at a time.
//!
//! An index says which unit covers which addresses (from `.debug_aranges`, and the root entry of
//! any unit that has none); it is built once per object. Resolving an address then reads only
//! that unit: its entries once, for the address ranges of its functions, and its line program
//! once, for the address ranges of its sequences; then the address's own function entry and
//! its subtree (the calls inlined there), and the rows of its own sequence. A small cache keeps
//! the last units read this way. No table of every row or every inlined call is built, which is
//! what made the first report cost tens of MiB.
//!
//! What is read follows the `addr2line` crate's rules (names from `DW_AT_linkage_name`, then
//! `DW_AT_name`, then through `DW_AT_abstract_origin` / `DW_AT_specification`; the innermost
//! frame's location from the line table, each caller's from the inlined call's attributes;
//! paths joined the same way), so that reports read exactly as they did through `backtrace`.
//! Malformed debug info ends a lookup with an error; every loop consumes input or is bounded.

use super::elf::Reader;
use gimli::{AttributeValue, DebugInfoOffset, Dwarf, Unit, UnitOffset, UnitRef};
use std::sync::{Arc, Mutex};

type Offset = usize;

/// The address ranges of the compilation units, sorted by start, adjacent ranges of one unit
/// merged.
pub(super) struct UnitIndex {
    ranges: Box<[UnitRange]>,
    /// `reach[i]`: the greatest end of `ranges[..=i]`.
    reach: Box<[u64]>,
    /// Where each unit starts in `.debug_info`, in order: references into other units name
    /// an offset in that section.
    starts: Box<[Offset]>,
}

#[derive(Clone, Copy, Debug)]
struct UnitRange {
    begin: u64,
    end: u64,
    unit: DebugInfoOffset<Offset>,
}

impl UnitIndex {
    pub(super) fn build(dwarf: &Dwarf<Reader>) -> UnitIndex {
        let mut ranges = Vec::new();
        let mut covered = Vec::new();
        let mut headers = dwarf.debug_aranges.headers();
        while let Ok(Some(header)) = headers.next() {
            let unit = header.debug_info_offset();
            let before = ranges.len();
            let mut entries = header.entries();
            // An error ends this unit's set: the iterator may not move past it.
            while let Ok(Some(entry)) = entries.next() {
                let range = entry.range();
                if range.begin < range.end {
                    ranges.push(UnitRange {
                        begin: range.begin,
                        end: range.end,
                        unit,
                    });
                }
            }
            if ranges.len() > before {
                covered.push(unit);
            }
        }
        covered.sort_unstable_by_key(|offset| offset.0);
        // `.debug_aranges` may leave units out (some compilers do not emit it): those are
        // indexed by their root entry's ranges.
        let mut starts = Vec::new();
        let mut units = dwarf.units();
        while let Ok(Some(header)) = units.next() {
            let Some(offset) = header.debug_info_offset() else {
                continue;
            };
            starts.push(offset.0);
            let is_code = matches!(
                header.type_(),
                gimli::UnitType::Compilation | gimli::UnitType::Skeleton(_)
            );
            if !is_code || covered.binary_search_by_key(&offset.0, |o| o.0).is_ok() {
                continue;
            }
            let Ok(unit) = dwarf.unit(header) else {
                continue;
            };
            let _ = root_ranges(UnitRef::new(dwarf, &unit), |begin, end| {
                ranges.push(UnitRange {
                    begin,
                    end,
                    unit: offset,
                })
            });
        }
        ranges.sort_unstable_by_key(|range| (range.begin, range.end));
        let mut merged: Vec<UnitRange> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if last.unit == range.unit && last.end == range.begin => {
                    last.end = range.end;
                }
                _ => merged.push(range),
            }
        }
        UnitIndex::new(merged, starts)
    }

    fn new(ranges: Vec<UnitRange>, starts: Vec<Offset>) -> UnitIndex {
        let reach = ranges
            .iter()
            .scan(0, |reach, range| {
                *reach = range.end.max(*reach);
                Some(*reach)
            })
            .collect();
        UnitIndex {
            ranges: ranges.into_boxed_slice(),
            reach,
            starts: starts.into_boxed_slice(),
        }
    }

    /// The units whose ranges hold `probe`, the nearest first: usually one. Overlapping units
    /// are rare (identical code folded by the linker); `reach` ends the search as soon as no
    /// earlier range reaches `probe`.
    fn units_for(&self, probe: u64) -> impl Iterator<Item = DebugInfoOffset<Offset>> + '_ {
        let mut next = self.ranges.partition_point(|range| range.begin <= probe);
        let mut last = None;
        std::iter::from_fn(move || {
            while next > 0 {
                next -= 1;
                if self.reach[next] <= probe {
                    return None;
                }
                let range = self.ranges[next];
                if probe < range.end && last != Some(range.unit) {
                    last = Some(range.unit);
                    return Some(range.unit);
                }
            }
            None
        })
    }

    /// Bytes held by the index.
    #[cfg(test)]
    pub(super) fn heap_bytes(&self) -> usize {
        self.ranges.len() * (std::mem::size_of::<UnitRange>() + std::mem::size_of::<u64>())
            + self.starts.len() * std::mem::size_of::<Offset>()
    }
}

/// Calls `add` with each address range of the unit's root entry.
fn root_ranges(unit: UnitRef<'_, Reader>, add: impl FnMut(u64, u64)) -> gimli::Result<()> {
    let mut entries = unit.entries_raw(None)?;
    let Some(abbrev) = entries.read_abbreviation()? else {
        return Ok(());
    };
    let mut ranges = RangeAttributes::default();
    for spec in abbrev.attributes() {
        let attr = entries.read_attribute(*spec)?;
        ranges.note(unit, &attr)?;
    }
    ranges.for_each(unit, add)?;
    Ok(())
}

/// The address attributes of an entry, as read.
#[derive(Default)]
struct RangeAttributes {
    low_pc: Option<u64>,
    high_pc: Option<u64>,
    size: Option<u64>,
    ranges: Option<gimli::RangeListsOffset<Offset>>,
}

impl RangeAttributes {
    /// Keeps `attr` if it is one of the address attributes.
    fn note(
        &mut self,
        unit: UnitRef<'_, Reader>,
        attr: &gimli::Attribute<Reader>,
    ) -> gimli::Result<bool> {
        match (attr.name(), attr.value()) {
            (gimli::DW_AT_low_pc, AttributeValue::Addr(address)) => self.low_pc = Some(address),
            (gimli::DW_AT_low_pc, AttributeValue::DebugAddrIndex(index)) => {
                self.low_pc = Some(unit.address(index)?)
            }
            (gimli::DW_AT_high_pc, AttributeValue::Addr(address)) => self.high_pc = Some(address),
            (gimli::DW_AT_high_pc, AttributeValue::DebugAddrIndex(index)) => {
                self.high_pc = Some(unit.address(index)?)
            }
            (gimli::DW_AT_high_pc, AttributeValue::Udata(size)) => self.size = Some(size),
            (gimli::DW_AT_ranges, value) => self.ranges = unit.attr_ranges_offset(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Calls `f` with each non-empty range.
    fn for_each(
        &self,
        unit: UnitRef<'_, Reader>,
        mut f: impl FnMut(u64, u64),
    ) -> gimli::Result<()> {
        let mut add = |begin: u64, end: u64| {
            if begin < end {
                f(begin, end)
            }
        };
        if let Some(offset) = self.ranges {
            let mut list = unit.ranges(offset)?;
            while let Some(range) = list.next()? {
                add(range.begin, range.end);
            }
        } else if let (Some(begin), Some(end)) = (self.low_pc, self.high_pc) {
            add(begin, end);
        } else if let (Some(begin), Some(size)) = (self.low_pc, self.size) {
            // A -1 tombstone overflows here and is left out as an empty range.
            add(begin, begin.wrapping_add(size));
        }
        Ok(())
    }

    fn contains(&self, unit: UnitRef<'_, Reader>, probe: u64) -> gimli::Result<bool> {
        let mut found = false;
        self.for_each(unit, |begin, end| found |= begin <= probe && probe < end)?;
        Ok(found)
    }
}

/// One frame as debug info states it: the raw (possibly mangled) name and the location.
#[derive(Debug)]
pub(super) struct RawFrame {
    pub(super) name: Option<Reader>,
    pub(super) location: Option<Location>,
}

#[derive(Debug, Default)]
pub(super) struct Location {
    pub(super) file: Option<String>,
    pub(super) line: Option<u32>,
    pub(super) column: Option<u32>,
}

/// The units read last, each with its header parsed (abbreviations, file table) and the
/// address ranges of its functions and line sequences: a traceback's frames often share
/// units, and so do the tracebacks of one service.
pub(super) struct UnitCache {
    units: Mutex<Vec<Arc<UnitEntry>>>,
    /// Units read only for the names that other units refer to: their headers alone.
    headers: Mutex<Vec<(DebugInfoOffset<Offset>, UnitHeader)>>,
}

/// Each entry is the size of its unit's function and sequence tables (a few KiB; a large
/// unit's, some hundreds): a few are enough.
const CACHED_UNITS: usize = 16;

/// A unit whose header alone is parsed.
type UnitHeader = Arc<Unit<Reader>>;

/// A line program run once, and its sequences sorted by start.
type Sequences = (
    gimli::CompleteLineProgram<Reader>,
    Box<[gimli::LineSequence<Reader>]>,
);

/// A subprogram's address range and its entry.
type FunctionRange = (u64, u64, UnitOffset<Offset>);

struct UnitEntry {
    offset: DebugInfoOffset<Offset>,
    unit: Unit<Reader>,
    /// Subprograms with code: `(begin, end, entry)`, sorted by `begin`.
    functions: Box<[FunctionRange]>,
    /// The line program and its sequences, sorted by start.
    lines: Option<Sequences>,
}

impl UnitCache {
    pub(super) fn new() -> UnitCache {
        UnitCache {
            units: Mutex::new(Vec::with_capacity(CACHED_UNITS)),
            headers: Mutex::new(Vec::with_capacity(CACHED_UNITS)),
        }
    }

    /// The unit that holds `.debug_info` offset `offset`, its header parsed.
    fn header(
        &self,
        dwarf: &Dwarf<Reader>,
        index: &UnitIndex,
        offset: DebugInfoOffset<Offset>,
    ) -> gimli::Result<Option<UnitHeader>> {
        let after = index.starts.partition_point(|&start| start <= offset.0);
        let Some(&start) = after.checked_sub(1).and_then(|last| index.starts.get(last)) else {
            return Ok(None);
        };
        let start = DebugInfoOffset(start);
        let mut headers = self.headers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(position) = headers.iter().position(|(known, _)| *known == start) {
            let entry = headers.remove(position);
            let unit = entry.1.clone();
            headers.push(entry);
            return Ok(Some(unit));
        }
        let unit = Arc::new(dwarf.unit(dwarf.debug_info.header_from_offset(start)?)?);
        if headers.len() >= CACHED_UNITS {
            headers.remove(0);
        }
        headers.push((start, unit.clone()));
        Ok(Some(unit))
    }

    fn get(
        &self,
        dwarf: &Dwarf<Reader>,
        offset: DebugInfoOffset<Offset>,
    ) -> gimli::Result<Arc<UnitEntry>> {
        {
            let mut units = self.units.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(position) = units.iter().position(|entry| entry.offset == offset) {
                let entry = units.remove(position);
                units.push(entry.clone());
                return Ok(entry);
            }
        }
        let header = dwarf.debug_info.header_from_offset(offset)?;
        let unit = dwarf.unit(header)?;
        let functions = function_ranges(UnitRef::new(dwarf, &unit))?;
        let lines = match unit.line_program.clone() {
            Some(program) => {
                let (program, mut sequences) = program.sequences()?;
                sequences.sort_unstable_by_key(|sequence| sequence.start);
                Some((program, sequences.into_boxed_slice()))
            }
            None => None,
        };
        let entry = Arc::new(UnitEntry {
            offset,
            unit,
            functions,
            lines,
        });
        let mut units = self.units.lock().unwrap_or_else(|e| e.into_inner());
        if units.len() >= CACHED_UNITS {
            units.remove(0);
        }
        units.push(entry.clone());
        Ok(entry)
    }
}

/// The address ranges of every subprogram of the unit, as `addr2line` collects them.
fn function_ranges(unit: UnitRef<'_, Reader>) -> gimli::Result<Box<[FunctionRange]>> {
    let mut functions = Vec::new();
    let mut entries = unit.entries_raw(None)?;
    while !entries.is_empty() {
        let offset = entries.next_offset();
        let Some(abbrev) = entries.read_abbreviation()? else {
            continue;
        };
        if abbrev.tag() != gimli::DW_TAG_subprogram {
            entries.skip_attributes(abbrev.attributes())?;
            continue;
        }
        let mut ranges = RangeAttributes::default();
        for spec in abbrev.attributes() {
            let attr = entries.read_attribute(*spec)?;
            ranges.note(unit, &attr)?;
        }
        ranges.for_each(unit, |begin, end| functions.push((begin, end, offset)))?;
    }
    functions.sort_unstable_by_key(|&(begin, _, _)| begin);
    Ok(functions.into_boxed_slice())
}

/// What a unit said of an address.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// Frames were appended.
    Frames,
    /// No unit has either a function or a line for it.
    Nothing,
    /// Its unit's entries are in a split DWARF file (`.dwo`, `.dwp`).
    InSplitUnit,
}

/// Appends the frames of `probe` to `out`, innermost (inlined) first.
pub(super) fn find_frames(
    dwarf: &Dwarf<Reader>,
    index: &UnitIndex,
    units: &UnitCache,
    probe: u64,
    out: &mut Vec<RawFrame>,
) -> gimli::Result<Found> {
    for offset in index.units_for(probe) {
        let entry = units.get(dwarf, offset)?;
        if entry.unit.dwo_id.is_some() {
            return Ok(Found::InSplitUnit);
        }
        let unit = UnitRef::new(dwarf, &entry.unit);
        let others = OtherUnits { index, units };
        let function = find_function(&entry, unit, &others, probe)?;
        let location = find_location(&entry, unit, probe)?;
        let Some(function) = function else {
            if location.is_some() {
                out.push(RawFrame {
                    name: None,
                    location,
                });
                return Ok(Found::Frames);
            }
            continue;
        };
        let mut next_location = location;
        for inlined in function.inlined.iter().rev() {
            out.push(RawFrame {
                name: inlined.name,
                location: next_location.take(),
            });
            next_location = Some(Location {
                file: inlined.call_file.and_then(|file| file_name(unit, file)),
                line: (inlined.call_line != 0).then_some(inlined.call_line),
                column: (inlined.call_column != 0).then_some(inlined.call_column),
            });
        }
        out.push(RawFrame {
            name: function.name,
            location: next_location,
        });
        return Ok(Found::Frames);
    }
    Ok(Found::Nothing)
}

/// The function whose code holds an address, and the calls inlined into it there, outermost
/// first.
struct FunctionAt {
    name: Option<Reader>,
    inlined: Vec<InlinedCall>,
}

struct InlinedCall {
    name: Option<Reader>,
    call_file: Option<u64>,
    call_line: u32,
    call_column: u32,
}

/// Nesting deeper than this is not debug info a compiler wrote.
const MAX_NESTING: usize = 512;

/// The subprogram that holds `probe` (the innermost, if nested ones overlap), read from its
/// entry on: its names, and its subtree for the calls inlined at `probe`.
fn find_function(
    entry: &UnitEntry,
    unit: UnitRef<'_, Reader>,
    others: &OtherUnits<'_>,
    probe: u64,
) -> gimli::Result<Option<FunctionAt>> {
    let after = entry
        .functions
        .partition_point(|&(begin, _, _)| begin <= probe);
    let Some(&(_, _, offset)) = entry.functions[..after]
        .iter()
        .rev()
        .find(|&&(_, end, _)| probe < end)
    else {
        return Ok(None);
    };
    let mut entries = unit.entries_raw(Some(offset))?;
    let depth = entries.next_depth();
    let Some(abbrev) = entries.read_abbreviation()? else {
        return Ok(None);
    };
    let mut names = Names::default();
    for spec in abbrev.attributes() {
        let attr = entries.read_attribute(*spec)?;
        names.note(&attr);
    }
    let name = names.resolve(unit, others, 16)?;
    let inlined = if abbrev.has_children() {
        inlined_calls(unit, others, &mut entries, depth, probe)?
    } else {
        Vec::new()
    };
    Ok(Some(FunctionAt { name, inlined }))
}

/// The chain of inlined calls at `probe` among the entries below a subprogram at `depth`.
fn inlined_calls(
    unit: UnitRef<'_, Reader>,
    others: &OtherUnits<'_>,
    entries: &mut gimli::EntriesRaw<'_, Reader>,
    depth: isize,
    probe: u64,
) -> gimli::Result<Vec<InlinedCall>> {
    let mut chain = Vec::new();
    // The depths of the open entries that matter below: inlined calls on the chain, and
    // entries (nested subprograms, inlined calls off the chain) whose subtrees are skipped.
    let mut open: Vec<(isize, bool)> = Vec::new();
    loop {
        let next_depth = entries.next_depth();
        if next_depth <= depth || entries.is_empty() {
            return Ok(chain);
        }
        while open
            .last()
            .is_some_and(|&(open_depth, _)| open_depth >= next_depth)
        {
            open.pop();
        }
        let Some(abbrev) = entries.read_abbreviation()? else {
            continue;
        };
        let skipping = open.iter().any(|&(_, on_chain)| !on_chain);
        if skipping || abbrev.tag() != gimli::DW_TAG_inlined_subroutine {
            entries.skip_attributes(abbrev.attributes())?;
            if !skipping && abbrev.tag() == gimli::DW_TAG_subprogram && abbrev.has_children() {
                open.push((next_depth, false));
            }
            continue;
        }
        let mut ranges = RangeAttributes::default();
        let mut names = Names::default();
        let mut call = InlinedCall {
            name: None,
            call_file: None,
            call_line: 0,
            call_column: 0,
        };
        for spec in abbrev.attributes() {
            let attr = entries.read_attribute(*spec)?;
            if ranges.note(unit, &attr)? {
                continue;
            }
            match (attr.name(), attr.value()) {
                (gimli::DW_AT_call_file, AttributeValue::FileIndex(file)) => {
                    if file > 0 || unit.header.version() >= 5 {
                        call.call_file = Some(file);
                    }
                }
                (gimli::DW_AT_call_line, _) => {
                    call.call_line = attr.udata_value().unwrap_or(0) as u32;
                }
                (gimli::DW_AT_call_column, _) => {
                    call.call_column = attr.udata_value().unwrap_or(0) as u32;
                }
                _ => names.note(&attr),
            }
        }
        let on_chain = ranges.contains(unit, probe)?;
        if on_chain {
            call.name = names.resolve(unit, others, 16)?;
            chain.push(call);
        }
        if abbrev.has_children() {
            if open.len() >= MAX_NESTING {
                return Err(gimli::Error::TooManyIterations);
            }
            open.push((next_depth, on_chain));
        }
    }
}

/// The name attributes of an entry, kept as read: only the entry that holds the address has
/// its strings looked up (each lookup may touch another page of `.debug_str`).
#[derive(Default)]
struct Names {
    linkage: Option<AttributeValue<Reader>>,
    plain: Option<AttributeValue<Reader>>,
    origin: Option<AttributeValue<Reader>>,
}

impl Names {
    fn note(&mut self, attr: &gimli::Attribute<Reader>) {
        match attr.name() {
            gimli::DW_AT_linkage_name | gimli::DW_AT_MIPS_linkage_name => {
                self.linkage = Some(attr.value());
            }
            gimli::DW_AT_name => {
                self.plain.get_or_insert(attr.value());
            }
            gimli::DW_AT_abstract_origin | gimli::DW_AT_specification => {
                self.origin = Some(attr.value());
            }
            _ => {}
        }
    }

    /// The name as `addr2line` gives it: the linkage name, else the plain name, else the name
    /// of the entry this one refers to.
    fn resolve(
        self,
        unit: UnitRef<'_, Reader>,
        others: &OtherUnits<'_>,
        recursion_limit: usize,
    ) -> gimli::Result<Option<Reader>> {
        let string = |value: Option<AttributeValue<Reader>>| {
            value.and_then(|value| unit.attr_string(value).ok())
        };
        if let Some(name) = string(self.linkage).or_else(|| string(self.plain)) {
            return Ok(Some(name));
        }
        match self.origin {
            Some(origin) => name_of_reference(unit, others, origin, recursion_limit),
            None => Ok(None),
        }
    }
}

/// The name of the entry that `reference` points to, following its own references up to
/// `recursion_limit` times.
fn name_of_reference(
    unit: UnitRef<'_, Reader>,
    others: &OtherUnits<'_>,
    reference: AttributeValue<Reader>,
    recursion_limit: usize,
) -> gimli::Result<Option<Reader>> {
    if recursion_limit == 0 {
        return Ok(None);
    }
    match reference {
        AttributeValue::UnitRef(offset) => name_of_entry(unit, others, offset, recursion_limit),
        AttributeValue::DebugInfoRef(offset) => {
            // A reference into another unit (inlining across codegen units or crates).
            let Some(other) = others.units.header(unit.dwarf, others.index, offset)? else {
                return Ok(None);
            };
            let Some(unit_offset) = offset.to_unit_offset(&other.header) else {
                return Ok(None);
            };
            name_of_entry(
                UnitRef::new(unit.dwarf, &other),
                others,
                unit_offset,
                recursion_limit,
            )
        }
        _ => Ok(None),
    }
}

fn name_of_entry(
    unit: UnitRef<'_, Reader>,
    others: &OtherUnits<'_>,
    offset: UnitOffset<Offset>,
    recursion_limit: usize,
) -> gimli::Result<Option<Reader>> {
    let mut entries = unit.entries_raw(Some(offset))?;
    let Some(abbrev) = entries.read_abbreviation()? else {
        return Err(gimli::Error::NoEntryAtGivenOffset(offset.0 as u64));
    };
    let mut names = Names::default();
    for spec in abbrev.attributes() {
        let attr = entries.read_attribute(*spec)?;
        names.note(&attr);
    }
    names.resolve(unit, others, recursion_limit - 1)
}

/// What a lookup needs to follow a reference into another unit.
struct OtherUnits<'a> {
    index: &'a UnitIndex,
    units: &'a UnitCache,
}

/// The location of the last row at or before `probe` in the line sequence that holds it, as
/// `addr2line` picks it: only that sequence's rows are run.
fn find_location(
    entry: &UnitEntry,
    unit: UnitRef<'_, Reader>,
    probe: u64,
) -> gimli::Result<Option<Location>> {
    let Some((program, sequences)) = &entry.lines else {
        return Ok(None);
    };
    let after = sequences.partition_point(|sequence| sequence.start <= probe);
    let Some(sequence) = after
        .checked_sub(1)
        .map(|index| &sequences[index])
        .filter(|sequence| probe < sequence.end)
    else {
        return Ok(None);
    };
    let mut rows = program.resume_from(sequence);
    let mut best: Option<(u64, u32, u32)> = None;
    while let Some((_, row)) = rows.next_row()? {
        if row.end_sequence() || row.address() > probe {
            break;
        }
        let line = row
            .line()
            .map_or(0, |line| u32::try_from(line.get()).unwrap_or(0));
        let column = match row.column() {
            gimli::ColumnType::LeftEdge => 0,
            gimli::ColumnType::Column(column) => u32::try_from(column.get()).unwrap_or(0),
        };
        best = Some((row.file_index(), line, column));
    }
    Ok(best.map(|(file, line, column)| Location {
        file: file_name(unit, file),
        line: (line != 0).then_some(line),
        column: (line != 0).then_some(column),
    }))
}

/// The path of file `index` of the unit's line program: the compilation directory, the
/// file's directory and its name joined as `addr2line` joins them.
fn file_name(unit: UnitRef<'_, Reader>, index: u64) -> Option<String> {
    let header = unit.line_program.as_ref()?.header();
    let Some(file) = header.file(index) else {
        // DWARF 4 and older have no file 0: `addr2line` names it "".
        return (index == 0).then(String::new);
    };
    let mut path = match unit.comp_dir {
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => String::new(),
    };
    if file.directory_index() != 0 {
        if let Some(directory) = file.directory(header) {
            push_path(
                &mut path,
                &unit.attr_string(directory).ok()?.to_string_lossy(),
            );
        }
    }
    push_path(
        &mut path,
        &unit.attr_string(file.path_name()).ok()?.to_string_lossy(),
    );
    Some(path)
}

fn push_path(path: &mut String, part: &str) {
    let has_root = |p: &str| {
        p.starts_with('/') || p.starts_with('\\') || matches!(p.get(1..3), Some(":/" | ":\\"))
    };
    if has_root(part) {
        *path = part.to_owned();
        return;
    }
    let separator = if path.starts_with('\\') || path.get(1..3) == Some(":\\") {
        '\\'
    } else {
        '/'
    };
    if !path.is_empty() && !path.ends_with(separator) {
        path.push(separator);
    }
    path.push_str(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_as_addr2line_joins_them() {
        let mut path = String::from("/work/app");
        push_path(&mut path, "src");
        push_path(&mut path, "main.rs");
        assert_eq!(path, "/work/app/src/main.rs");
        push_path(&mut path, "/rustc/abc/library/std/src/rt.rs");
        assert_eq!(path, "/rustc/abc/library/std/src/rt.rs");
        let mut windows = String::from("C:\\work");
        push_path(&mut windows, "main.rs");
        assert_eq!(windows, "C:\\work\\main.rs");
    }

    #[test]
    fn an_address_between_units_has_none_and_overlaps_are_all_found() {
        let unit = |offset| DebugInfoOffset(offset);
        let index = UnitIndex::new(
            vec![
                UnitRange {
                    begin: 10,
                    end: 20,
                    unit: unit(1),
                },
                UnitRange {
                    begin: 15,
                    end: 30,
                    unit: unit(2),
                },
                UnitRange {
                    begin: 40,
                    end: 50,
                    unit: unit(3),
                },
            ],
            Vec::new(),
        );
        assert_eq!(index.units_for(35).count(), 0);
        assert_eq!(index.units_for(45).collect::<Vec<_>>(), [unit(3)]);
        assert_eq!(index.units_for(17).collect::<Vec<_>>(), [unit(2), unit(1)]);
        assert_eq!(index.units_for(9).count(), 0);
    }
}
