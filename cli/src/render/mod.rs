//! Renderers of the analysis: text for a terminal or a pipe, JSON for scripts, and HTML pages
//! (the dashboard), all reading the same `analysis` types.

pub mod escape;
pub mod html;
pub mod terminal;

use serde::Serialize;

/// One JSON document and a newline.
pub fn json(value: &impl Serialize) -> String {
    // Our types always serialize (no map has keys that are not strings); should one fail,
    // the document says so rather than being cut.
    let mut text = serde_json::to_string(value)
        .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }).to_string());
    text.push('\n');
    text
}
