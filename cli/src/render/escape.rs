//! Text from outside (messages, types, file names, service names: whatever a log line said)
//! shown on a terminal or a page by the one escape policy of `tracefault-report`, which the
//! runtime writes its reports with too: control characters, escape sequences, line separators
//! and bidirectional controls come out as visible escapes, so that a log line can neither
//! forge output (a fake `\n` row, a `\r` over a line) nor rewrite the screen.

pub use tracefault_report::escape::{escaped_width, visible, Escaped};

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
            "ok\\r\\x1b[2J\\x1b]0;pwned\\x07\\nERROR forged line\\u{9b}31m\\u{202e}txt.exe"
        );
        assert_eq!(escaped_width(hostile), shown.chars().count());
    }

    #[test]
    fn plain_text_and_unicode_pass_through_and_cut() {
        assert_eq!(Escaped("naïve — 日本").to_string(), "naïve — 日本");
        assert_eq!(escaped_cut("abcdef", 4), "abc…");
        assert_eq!(escaped_cut("abc", 4), "abc");
    }
}
