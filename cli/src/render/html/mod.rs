//! The dashboard: the same analysis as the terminal's, as HTML pages. One self-contained file
//! (`tracefault html`: the overview and a page per included trace, shown by the URL's
//! fragment) or pages served live (`tracefault serve`: `/` and `/trace/<id>`), from the same
//! templates.
//!
//! Everything from outside (messages, types, attribute values, file and service names) goes
//! through maud's escaping and [`visible`]; it never becomes a URL, a class or an id: those
//! are ours, made of hex ids and numbers. The page's only script and style are inline, and
//! the Content-Security-Policy allows exactly them, by hash: nothing injected could run even
//! if it were not escaped.

mod file;
pub mod lanes;
mod overview;
mod trace;

pub use file::{report_file, FileBudget, FileContents, FileOutcome};
pub use overview::{overview_page, Overview, Pages};
pub use trace::trace_page;

use crate::analysis::fingerprint::Fnv1a;
use crate::render::escape::visible;
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, Render, DOCTYPE};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::sync::OnceLock;

/// The page's style sheet and script, inline in every page.
const STYLE: &str = include_str!("dashboard.css");
const SCRIPT: &str = include_str!("dashboard.js");

/// How pages link to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One file: pages are sections, linked by fragment (`#trace-<id>`).
    File,
    /// Served: pages are paths (`/trace/<id>`); `generation` tells the page's script whether
    /// the sources have grown since it was made.
    Live { generation: u64 },
}

impl Mode {
    fn overview_href(self) -> &'static str {
        match self {
            Mode::File => "#overview",
            Mode::Live { .. } => "/",
        }
    }

    /// `trace` is hex: a link made of it can only go where we send it.
    fn trace_href(self, trace: crate::ids::TraceId) -> String {
        match self {
            Mode::File => format!("#trace-{trace}"),
            Mode::Live { .. } => format!("/trace/{trace}"),
        }
    }
}

/// `sha256-<base64>` of a script's or style's text, as CSP names it.
fn source_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy of every page: nothing may load or connect (a served page may ask its own
/// server whether the sources grew), only the page's own script and style run, by hash, and
/// the script may hand no string to an HTML-parsing sink (Trusted Types, with no policy).
pub fn content_security_policy(mode: Mode) -> String {
    static HASHES: OnceLock<(String, String)> = OnceLock::new();
    let (script, style) = HASHES.get_or_init(|| (source_hash(SCRIPT), source_hash(STYLE)));
    let connect = match mode {
        Mode::File => "'none'",
        Mode::Live { .. } => "'self'",
    };
    format!(
        "default-src 'none'; script-src {script}; style-src {style}; img-src data:; \
         connect-src {connect}; base-uri 'none'; form-action 'none'; \
         require-trusted-types-for 'script'; trusted-types 'none'"
    )
}

/// The whole document around `body`. The policy is in a `<meta>` first thing in `<head>`
/// (for the file, which no server sends a header for), and a server sends it as a header too.
fn document(title: &str, mode: Mode, body: Markup) -> String {
    let (mode_name, generation) = match mode {
        Mode::File => ("file", None),
        Mode::Live { generation } => ("live", Some(generation)),
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta http-equiv="Content-Security-Policy" content=(content_security_policy(mode));
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (Text::new(title, MAX_NAME)) }
                style { (PreEscaped(STYLE)) }
                script { (PreEscaped(SCRIPT)) }
            }
            body data-mode=(mode_name) data-generation=[generation] {
                (body)
                (help())
            }
        }
    };
    page.into_string()
}

fn help() -> Markup {
    html! {
        div #help .help hidden role="dialog" aria-modal="true" aria-labelledby="help-title" {
            div .help-box {
                h2 #help-title { "Keyboard" }
                dl {
                    dt { kbd { "j" } " " kbd { "k" } } dd { "next, previous row or span" }
                    dt { kbd { "Enter" } } dd { "open the row's trace; from a span, its report" }
                    dt { kbd { "o" } } dd { "the origin's span" }
                    dt { kbd { "t" } } dd { "the distributed traceback" }
                    dt { kbd { "[" } " " kbd { "]" } } dd { "previous, next trace" }
                    dt { kbd { "/" } } dd { "filter the tables" }
                    dt { kbd { "Esc" } } dd { "back to the overview" }
                    dt { kbd { "?" } } dd { "this help" }
                }
                p { "Hover or focus a span to see its attributes and events." }
            }
        }
    }
}

/// How much of a text from outside a page shows, in characters.
pub(crate) const MAX_NAME: usize = 300;
pub(crate) const MAX_MESSAGE: usize = 4_000;
pub(crate) const MAX_VALUE: usize = 2_000;
pub(crate) const MAX_SOURCE: usize = 400;

/// Text from outside, as a page shows it: cut to `max` characters (saying so), control and
/// bidirectional characters made visible, and escaped by maud.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text<'a> {
    text: &'a str,
    max: usize,
}

impl<'a> Text<'a> {
    pub(crate) fn new(text: &'a str, max: usize) -> Text<'a> {
        Text { text, max }
    }
}

impl Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        let (kept, total) = cut_chars(self.text, self.max);
        visible(kept).as_ref().render_to(buffer);
        if let Some(total) = total {
            buffer.push_str("<span class=\"cut\">… (");
            buffer.push_str(&thousands(total as u64));
            buffer.push_str(" characters in all)</span>");
        }
    }
}

/// A path of the code (`shop::inventory::StockError`, `examples/shop/inventory.rs`), as
/// [`Text`] with a place to break the line after each `::` and `/`, where a reader would.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Code<'a>(pub &'a str);

impl Render for Code<'_> {
    fn render_to(&self, buffer: &mut String) {
        let (kept, total) = cut_chars(self.0, MAX_SOURCE);
        let shown = visible(kept);
        let mut rest: &str = &shown;
        while let Some(at) = rest.find(['/', ':']) {
            let end = if rest[at..].starts_with("::") {
                at + 2
            } else {
                at + 1
            };
            rest[..end].render_to(buffer);
            if end > at + 1 || rest.as_bytes()[at] == b'/' {
                buffer.push_str("<wbr>");
            }
            rest = &rest[end..];
        }
        rest.render_to(buffer);
        if let Some(total) = total {
            buffer.push_str("<span class=\"cut\">… (");
            buffer.push_str(&thousands(total as u64));
            buffer.push_str(" characters in all)</span>");
        }
    }
}

/// The same for the page's data, which its script shows as text: the visible form, cut.
pub(crate) fn shown(text: &str, max: usize) -> String {
    let (kept, total) = cut_chars(text, max);
    let mut shown = visible(kept).into_owned();
    if let Some(total) = total {
        shown.push_str(&format!(
            "… ({} characters in all)",
            thousands(total as u64)
        ));
    }
    shown
}

/// The first `max` characters, and the whole count when that is more.
fn cut_chars(text: &str, max: usize) -> (&str, Option<usize>) {
    match text.char_indices().nth(max) {
        None => (text, None),
        Some((end, _)) => (&text[..end], Some(text.chars().count())),
    }
}

/// `38646` as `38,646`.
pub fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A service's colour class: the same service has the same colour on every page.
pub(crate) fn service_class(service: Option<&str>) -> &'static str {
    const CLASSES: [&str; 10] = [
        "svc-0", "svc-1", "svc-2", "svc-3", "svc-4", "svc-5", "svc-6", "svc-7", "svc-8", "svc-9",
    ];
    let Some(service) = service else {
        return "svc-none";
    };
    let mut hash = Fnv1a::new();
    hash.write(service.as_bytes());
    CLASSES[(hash.finish() % CLASSES.len() as u64) as usize]
}

/// A value as JSON that can sit inside `<script type="application/json">`: no `<` (so no
/// `</script>` or `<!--`), `>` or `&` survive as themselves, nor the two line separators.
pub(crate) fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(json.len() + 16);
    for character in json.chars() {
        match character {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

/// A percentage for an SVG attribute.
pub(crate) fn percent(fraction: f64) -> String {
    format!("{:.3}%", (fraction * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_made_visible_and_escaped() {
        let shown = html! { (Text::new("<b>\u{202e}</b>", 100)) }.into_string();
        assert_eq!(shown, "&lt;b&gt;\\u{202e}&lt;/b&gt;");
        let long = "é".repeat(50);
        let cut = html! { (Text::new(&long, 10)) }.into_string();
        assert!(cut.starts_with(&"é".repeat(10)));
        assert!(cut.ends_with("<span class=\"cut\">… (50 characters in all)</span>"));
        assert_eq!(
            shown_plain("x".repeat(5).as_str()),
            "xxx… (5 characters in all)"
        );
    }

    #[test]
    fn paths_break_after_their_separators_and_stay_escaped() {
        let shown = html! { (Code("a::<b>/c:d")) }.into_string();
        assert_eq!(shown, "a::<wbr>&lt;b&gt;/<wbr>c:d");
    }

    fn shown_plain(text: &str) -> String {
        shown(text, 3)
    }

    #[test]
    fn script_json_cannot_close_its_script() {
        let json = script_json(&["</script><script>alert(1)</script>", "<!--", "\u{2028}&"]);
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn the_policy_names_the_hashes_of_the_page_script_and_style() {
        let policy = content_security_policy(Mode::File);
        assert!(policy.contains(&source_hash(SCRIPT)));
        assert!(policy.contains(&source_hash(STYLE)));
        assert!(!policy.contains("unsafe"));
        assert!(policy.contains("connect-src 'none'"));
        assert!(
            content_security_policy(Mode::Live { generation: 1 }).contains("connect-src 'self'")
        );
    }

    #[test]
    fn thousands_and_service_classes() {
        assert_eq!(thousands(38_646), "38,646");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(
            service_class(Some("gateway")),
            service_class(Some("gateway"))
        );
        assert_eq!(service_class(None), "svc-none");
    }
}
