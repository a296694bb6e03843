//! Text from outside the program (messages, causes, panic payloads, argument values, baggage)
//! shown so that it can never forge a line or drive a terminal: every control character is
//! written as a visible escape, and so are the characters that reorder or break lines on
//! screen.

use std::fmt;

/// How a character of outside text is written, when not as itself.
fn escape_of(c: char) -> Option<Escape> {
    match c {
        '\t' => Some(Escape::Short('t')),
        '\r' => Some(Escape::Short('r')),
        '\n' => Some(Escape::Short('n')),
        '\\' | '\'' | '"' => None,
        // C0 (ESC, BEL, BS, ...) and DEL: the terminal's own commands.
        '\0'..='\x1f' | '\x7f' => Some(Escape::Hex(c as u32)),
        // C1: the 8-bit forms of the same commands (CSI, OSC, ...).
        '\u{80}'..='\u{9f}' => Some(Escape::Unicode(c as u32)),
        // Line and paragraph separators break lines in some viewers; the bidirectional
        // embeddings, overrides and isolates reorder what is shown ("Trojan Source").
        '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            Some(Escape::Unicode(c as u32))
        }
        _ => None,
    }
}

enum Escape {
    Short(char),
    Hex(u32),
    Unicode(u32),
}

/// Writes `text` with every control character escaped, `\n` included: for text that must stay
/// on one line (a log line's fields, a span trace entry, a cause).
pub(crate) fn write_escaped(out: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    let mut rest = text;
    while let Some((at, c, escape)) = rest
        .char_indices()
        .find_map(|(at, c)| escape_of(c).map(|escape| (at, c, escape)))
    {
        out.write_str(&rest[..at])?;
        match escape {
            Escape::Short(letter) => {
                out.write_char('\\')?;
                out.write_char(letter)?;
            }
            Escape::Hex(code) => write!(out, "\\x{code:02x}")?,
            Escape::Unicode(code) => write!(out, "\\u{{{code:x}}}")?,
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// How a report marks the continuation lines of a message that has several: as Python's
/// `traceback` indents an exception's notes, so that no line of outside text can pass for a
/// line of the report.
pub(crate) const CONTINUATION: &str = "| ";

/// Writes a message that may have several lines: its first line as it is, then each further
/// line on a line of its own, after `indent` and [`CONTINUATION`]; every other control
/// character escaped. Ends without a newline.
pub(crate) fn write_lines_escaped(
    out: &mut dyn fmt::Write,
    text: &str,
    indent: &str,
) -> fmt::Result {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        write_escaped(&mut out, text).unwrap();
        out
    }

    #[test]
    fn controls_are_written_as_visible_escapes() {
        assert_eq!(escaped("plain text: ok"), "plain text: ok");
        assert_eq!(escaped("a\rb\tc\nd"), "a\\rb\\tc\\nd");
        assert_eq!(escaped("\x1b[2K\x1b[1A"), "\\x1b[2K\\x1b[1A");
        assert_eq!(escaped("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(escaped("del\x7f c1\u{9b}31m"), "del\\x7f c1\\u{9b}31m");
        assert_eq!(escaped("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(escaped("ünïcödé ✓"), "ünïcödé ✓");
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
