//! Text from outside (messages, types, file names, service names: whatever a log line said)
//! shown on a terminal without letting it drive the terminal: control characters, escape
//! sequences and bidirectional overrides come out as visible escapes, so that a log line can
//! neither forge output (a fake `\n` row, a `\r` over a line) nor rewrite the screen.

use std::fmt;

/// Displays its text with every character a terminal would act on escaped.
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut clean_from = 0;
        for (at, character) in text.char_indices() {
            let Some(escape) = escape_of(character) else {
                continue;
            };
            f.write_str(&text[clean_from..at])?;
            f.write_str(&escape)?;
            clean_from = at + character.len_utf8();
        }
        f.write_str(&text[clean_from..])
    }
}

/// How `character` is shown, when not as itself.
fn escape_of(character: char) -> Option<String> {
    match character {
        '\n' => Some("\\n".to_owned()),
        '\r' => Some("\\r".to_owned()),
        '\t' => Some("\\t".to_owned()),
        '\x1b' => Some("\\e".to_owned()),
        // C0 and DEL, C1 (a lone 0x9b is a CSI to some terminals).
        '\0'..='\x1f' | '\x7f'..='\u{9f}' => Some(format!("\\x{:02x}", u32::from(character))),
        // Bidirectional overrides and isolates: they reorder what is shown ("Trojan source").
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
            Some(format!("\\u{{{:x}}}", u32::from(character)))
        }
        _ => None,
    }
}

/// Text for a page, where line breaks and tabs may stay (the page lays them out as text) but
/// what would be invisible or would reorder what is shown comes out as the same visible
/// escapes: a message cannot hide a part of itself, or make `txt.exe` read as `exe.txt`.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let keep = |character: char| matches!(character, '\n' | '\t');
    if !text
        .chars()
        .any(|character| !keep(character) && escape_of(character).is_some())
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match escape_of(character).filter(|_| !keep(character)) {
            Some(escape) => shown.push_str(&escape),
            None => shown.push(character),
        }
    }
    std::borrow::Cow::Owned(shown)
}

/// The width a cell takes once escaped, in characters.
pub fn escaped_width(text: &str) -> usize {
    text.chars()
        .map(|character| escape_of(character).map_or(1, |escape| escape.chars().count()))
        .sum()
}

/// `text` escaped and cut to `width` characters, with `…` where it was cut.
pub fn escaped_cut(text: &str, width: usize) -> String {
    let escaped = Escaped(text).to_string();
    if escaped.chars().count() <= width {
        return escaped;
    }
    let mut cut: String = escaped.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_message_cannot_drive_the_terminal() {
        let hostile = "ok\r\x1b[2J\x1b]0;pwned\x07\nERROR forged line\u{9b}31m\u{202e}txt.exe";
        let shown = Escaped(hostile).to_string();
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(!shown.contains('\u{202e}'));
        assert_eq!(
            shown,
            "ok\\r\\e[2J\\e]0;pwned\\x07\\nERROR forged line\\x9b31m\\u{202e}txt.exe"
        );
        assert_eq!(escaped_width(hostile), shown.chars().count());
    }

    #[test]
    fn a_page_keeps_line_breaks_and_shows_the_rest() {
        assert_eq!(visible("a\nb\tc"), "a\nb\tc");
        assert_eq!(
            visible("ok\r\x1b[2J\u{202e}exe.txt"),
            "ok\\r\\e[2J\\u{202e}exe.txt"
        );
    }

    #[test]
    fn plain_text_and_unicode_pass_through() {
        assert_eq!(Escaped("naïve — 日本").to_string(), "naïve — 日本");
        assert_eq!(escaped_cut("abcdef", 4), "abc…");
        assert_eq!(escaped_cut("abc", 4), "abc");
    }
}
