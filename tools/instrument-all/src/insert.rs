//! Text inserted into a file at the lines and columns of its tokens, the rest kept byte for
//! byte: comments, formatting, `#![...]`, `mod x;` and `macro_rules!` stay as written, and
//! every line keeps its number (rustc's warnings and the doctests' names compare as they are).

use crate::plan::Insertion;

/// `source` with each insertion's text before the character at its line (from 1) and column
/// (in characters, from 0), as `proc_macro2` counts them.
pub(crate) fn insert(source: &str, insertions: &[Insertion]) -> String {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let offset = |insertion: &Insertion| {
        let line_start = line_starts[insertion.at.line - 1];
        let within = source[line_start..]
            .char_indices()
            .nth(insertion.at.column)
            .map_or(source.len() - line_start, |(at, _)| at);
        line_start + within
    };
    let mut offsets: Vec<(usize, &str)> = insertions
        .iter()
        .map(|insertion| (offset(insertion), insertion.attribute))
        .collect();
    offsets.sort_by_key(|&(at, _)| at);
    let mut out = String::with_capacity(source.len() + offsets.len() * 32);
    let mut copied = 0;
    for (at, text) in offsets {
        out.push_str(&source[copied..at]);
        out.push_str(text);
        copied = at;
    }
    out.push_str(&source[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan;

    fn instrument(source: &str) -> String {
        insert(
            source,
            &plan(&syn::parse_file(source).unwrap(), false).insertions,
        )
    }

    #[test]
    fn only_the_attributes_are_added() {
        let source = "\
#![allow(dead_code)] // keep
mod other;
/// Doc, with ✓ before.
#[cfg(test)]
    pub fn f() -> u8 { /* ✓ */ 1 }
impl X { fn g() {} fn h() {} }
";
        let expected = "\
#![allow(dead_code)] // keep
mod other;
/// Doc, with ✓ before.
#[cfg(test)]
    #[tracefault::trace] pub fn f() -> u8 { /* ✓ */ 1 }
impl X { #[tracefault::trace] fn g() {} #[tracefault::trace] fn h() {} }
";
        assert_eq!(instrument(source), expected);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let source = "const É: u8 = 0; fn f() {}\n";
        assert_eq!(
            instrument(source),
            "const É: u8 = 0; #[tracefault::trace] fn f() {}\n"
        );
    }
}
