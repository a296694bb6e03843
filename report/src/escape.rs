//! The one escape policy for text from outside the program (messages, type names, file and
//! service names, source lines): whatever shows a report (a log line, a terminal, a page)
//! escapes the same characters, so that no text can forge a line of a report or drive a
//! terminal.
//!
//! Escaped: C0 controls (ESC, BEL, CR, ... and the newline, except where a report continues a
//! message on its own marked lines), DEL, C1 controls (a lone U+009B is a CSI to some
//! terminals), the line and paragraph separators U+2028/U+2029 (they break lines in some
//! viewers) and the bidirectional marks, embeddings, overrides and isolates (U+200E/U+200F,
//! U+202A–U+202E, U+2066–U+2069: "Trojan Source" reordering). Backslashes are left as they
//! are: the escapes are for a reader's eyes, not to be decoded.
//!
//! ```
//! use tracefault_report::escape::Escaped;
//! assert_eq!(Escaped("ok\r\x1b[2J\u{202e}").to_string(), "ok\\r\\x1b[2J\\u{202e}");
//! ```

use core::fmt;

/// Whether `c` is written as an escape rather than as itself.
pub fn is_escaped(c: char) -> bool {
    matches!(c,
        '\0'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes the escape of `c`, one of [`is_escaped`]'s: `\n`, `\r`, `\t`, `\xNN` for the
/// other C0 controls and DEL, `\u{NNNN}` for the rest.
fn write_escape(out: &mut dyn fmt::Write, c: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\0'..='\x1f' | '\x7f' => write!(out, "\\x{:02x}", u32::from(c)),
        _ => write!(out, "\\u{{{:x}}}", u32::from(c)),
    }
}

/// Writes `text` with every character of the policy escaped, `\n` included: for text that
/// must stay on one line.
pub fn write_escaped(out: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    write_escaped_keeping(out, text, |_| false)
}

fn write_escaped_keeping(
    out: &mut dyn fmt::Write,
    text: &str,
    keep: impl Fn(char) -> bool,
) -> fmt::Result {
    // Most text is printable ASCII: one pass over its bytes, and written as it is.
    if text.bytes().all(|byte| (0x20..0x7f).contains(&byte)) {
        return out.write_str(text);
    }
    let mut rest = text;
    while let Some((at, c)) = rest
        .char_indices()
        .find(|&(_, c)| is_escaped(c) && !keep(c))
    {
        out.write_str(&rest[..at])?;
        write_escape(out, c)?;
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// How a report marks the continuation lines of a message that has several: as Python's
/// `traceback` indents an exception's notes, so that no line of outside text can pass for a
/// line of the report.
pub const CONTINUATION: &str = "| ";

/// Writes a message that may have several lines: its first line as it is, then each further
/// line on a line of its own, after `indent` and [`CONTINUATION`]; every other character of
/// the policy escaped. Ends without a newline.
pub fn write_lines_escaped(out: &mut dyn fmt::Write, text: &str, indent: &str) -> fmt::Result {
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.write_char('\n')?;
            out.write_str(indent)?;
            out.write_str(CONTINUATION)?;
        }
        write_escaped(out, line)?;
    }
    Ok(())
}

/// Displays its text with [`write_escaped`].
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

/// Text for a page, which lays out line breaks and tabs itself: those stay, every other
/// character of the policy is escaped, so that a message cannot hide a part of itself or make
/// `txt.exe` read as `exe.txt`.
///
/// ```
/// use tracefault_report::escape::visible;
/// assert_eq!(visible("a\nb\u{202e}"), "a\nb\\u{202e}");
/// ```
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\t');
    if !text.chars().any(|c| is_escaped(c) && !keep(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    // Writing to a String cannot fail.
    let _ = write_escaped_keeping(&mut shown, text, keep);
    std::borrow::Cow::Owned(shown)
}

/// The width `text` takes once escaped, in characters.
pub fn escaped_width(text: &str) -> usize {
    let mut width = 0;
    for c in text.chars() {
        width += if is_escaped(c) {
            let mut escape = String::new();
            let _ = write_escape(&mut escape, c);
            escape.chars().count()
        } else {
            1
        };
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        Escaped(text).to_string()
    }

    #[test]
    fn controls_are_written_as_visible_escapes() {
        assert_eq!(escaped("plain text: ok"), "plain text: ok");
        assert_eq!(escaped("a\rb\tc\nd"), "a\\rb\\tc\\nd");
        assert_eq!(escaped("\x1b[2K\x1b[1A"), "\\x1b[2K\\x1b[1A");
        assert_eq!(escaped("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(escaped("del\x7f c1\u{9b}31m"), "del\\x7f c1\\u{9b}31m");
        assert_eq!(escaped("\u{202e}evil\u{200f}"), "\\u{202e}evil\\u{200f}");
        assert_eq!(escaped("ls\u{2028}ps\u{2029}"), "ls\\u{2028}ps\\u{2029}");
        assert_eq!(escaped("ünïcödé ✓ \\ \""), "ünïcödé ✓ \\ \"");
    }

    #[test]
    fn nothing_the_policy_names_survives_and_widths_agree() {
        let hostile = "ok\r\x1b[2J\x1b]0;pwned\x07\nERROR forged\u{9b}31m\u{202e}txt.exe\u{2028}";
        let shown = escaped(hostile);
        assert!(!shown.chars().any(is_escaped), "{shown:?}");
        assert_eq!(escaped_width(hostile), shown.chars().count());
        assert_eq!(visible("a\nb\tc"), "a\nb\tc");
        assert_eq!(visible("ok\r\u{202e}exe"), "ok\\r\\u{202e}exe");
    }

    #[test]
    fn continuation_lines_are_marked() {
        let mut out = String::new();
        write_lines_escaped(
            &mut out,
            "first\n    Traceback (most recent call last):\r\nlast",
            "  ",
        )
        .unwrap();
        assert_eq!(
            out,
            "first\n  |     Traceback (most recent call last):\\r\n  | last"
        );
    }
}
