//! The report as data: a small JSON value built from it, written as text for log lines and
//! [`super::ErrorReport::format_json`], and serialized through `serde` with the `json` feature.
//! Our own writer, so that no crate with broad trait impls on primitive types (as
//! `serde_json::Value`'s `PartialEq<i32>`) enters a user's build by default.

use super::{fields, ErrorReport, RemoteFrame, RemoteOrigin};
use std::borrow::Cow;
use std::fmt;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(i64),
    /// A float; non-finite ones are written as `null`.
    #[cfg_attr(not(feature = "subscriber"), allow(dead_code))]
    Float(f64),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in the order they are written.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> From<&'a str> for Json<'a> {
    fn from(text: &'a str) -> Json<'a> {
        Json::String(Cow::Borrowed(text))
    }
}

impl From<String> for Json<'_> {
    fn from(text: String) -> Self {
        Json::String(Cow::Owned(text))
    }
}

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

pub(crate) fn write_value(out: &mut dyn fmt::Write, value: &Json<'_>) -> fmt::Result {
    match value {
        Json::Null => out.write_str("null"),
        Json::Bool(value) => out.write_str(if *value { "true" } else { "false" }),
        Json::Number(value) => write!(out, "{value}"),
        Json::Float(value) if value.is_finite() => write!(out, "{value}"),
        Json::Float(_) => out.write_str("null"),
        Json::String(text) => write_string(out, text),
        Json::Array(items) => {
            out.write_char('[')?;
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.write_char(',')?;
                }
                write_value(out, item)?;
            }
            out.write_char(']')
        }
        Json::Object(members) => {
            out.write_char('{')?;
            for (index, (name, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.write_char(',')?;
                }
                write_string(out, name)?;
                out.write_char(':')?;
                write_value(out, member)?;
            }
            out.write_char('}')
        }
    }
}

/// A JSON string. Beyond what JSON requires (quotes, backslashes, C0 controls), DEL, C1
/// controls, line separators and bidirectional controls are escaped too: a log line read on a
/// terminal can then not drive it.
pub(crate) fn write_string(out: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut rest = text;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
        out.write_str(&rest[..at])?;
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            _ => write!(out, "\\u{:04x}", c as u32)?,
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.write_str(rest)?;
    out.write_char('"')
}

fn needs_escape(c: char) -> bool {
    matches!(c,
        '"' | '\\' | '\0'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn id<T: fmt::Display>(id: Option<T>) -> Option<Json<'static>> {
    id.map(|id| Json::from(id.to_string()))
}

/// The members of a report, each with its name in a log line: the flat form, whose keys are
/// those of [`fields`]. Members without a value are left out.
pub(crate) fn report_members(report: &ErrorReport) -> Vec<(&'static str, Json<'_>)> {
    let mut members = Members(Vec::with_capacity(16));
    members.put(fields::TRACE_ID, id(report.trace_id));
    members.put(fields::SPAN_ID, id(report.span_id));
    members.put(fields::PARENT_SPAN_ID, id(report.parent_span_id));
    if let Some(server) = &report.server {
        members.put(fields::SERVER_SPAN_ID, id(Some(server.span_id)));
        members.put(fields::SERVER_PARENT_SPAN_ID, id(server.parent_span_id));
        members.put(
            fields::HTTP_REQUEST_METHOD,
            server.method.as_deref().map(Json::from),
        );
        members.put(fields::URL_PATH, server.path.as_deref().map(Json::from));
    }
    members.put(fields::SERVICE, report.service.as_deref().map(Json::from));
    members.put(fields::EXCEPTION_KIND, Some(report.kind.as_str().into()));
    members.put(
        fields::EXCEPTION_TYPE,
        Some(report.type_name.as_ref().into()),
    );
    members.put(
        fields::EXCEPTION_MESSAGE,
        Some(report.message.as_str().into()),
    );
    members.put(fields::EXCEPTION_CAUSES, Some(causes(report)));
    members.put(fields::EXCEPTION_FRAMES, frames(report));
    members.put(
        fields::EXCEPTION_HIDDEN_FRAMES,
        report
            .traceback
            .as_ref()
            .map(|traceback| Json::Number(traceback.hidden_frames() as i64)),
    );
    members.put(fields::EXCEPTION_SPAN_TRACE, Some(span_trace(report)));
    members.put(
        fields::EXCEPTION_TRACEBACK_NOTE,
        report.traceback_note.as_deref().map(Json::from),
    );
    members.put(
        fields::EXCEPTION_PANIC_LOCATION,
        report.panic_location.as_ref().map(|location| {
            Json::Object(vec![
                ("file".into(), location.file.as_str().into()),
                ("line".into(), Json::Number(location.line.into())),
                ("column".into(), Json::Number(location.column.into())),
            ])
        }),
    );
    members.0
}

struct Members<'a>(Vec<(&'static str, Json<'a>)>);

impl<'a> Members<'a> {
    fn put(&mut self, name: &'static str, value: Option<Json<'a>>) {
        if let Some(value) = value {
            self.0.push((name, value));
        }
    }
}

/// The report as one object, its members named without the `exception.` of log lines.
pub(crate) fn report_object(report: &ErrorReport) -> Json<'_> {
    let members = report_members(report)
        .into_iter()
        .map(|(name, value)| {
            let name = name.strip_prefix("exception.").unwrap_or(name);
            (Cow::Borrowed(name), value)
        })
        .collect();
    Json::Object(members)
}

fn causes(report: &ErrorReport) -> Json<'_> {
    Json::Array(
        report
            .causes
            .iter()
            .map(|cause| {
                let mut members = vec![
                    (
                        "type".into(),
                        cause.type_name.as_deref().map_or(Json::Null, Json::from),
                    ),
                    ("message".into(), cause.message.as_str().into()),
                ];
                if let Some(origin) = &cause.remote {
                    remote_origin_members(origin, &mut members);
                    if !origin.frames.is_empty() {
                        members.push(("frames".into(), remote_frames(&origin.frames)));
                    }
                }
                Json::Object(members)
            })
            .collect(),
    )
}

/// Where a cause from another service ran: `service`, `span_id`, `status`, `method`, `path`.
pub(crate) fn remote_origin_members<'a>(
    origin: &'a RemoteOrigin,
    members: &mut Vec<(Cow<'a, str>, Json<'a>)>,
) {
    if let Some(service) = &origin.service {
        members.push(("service".into(), service.as_str().into()));
    }
    if let Some(span_id) = origin.span_id {
        members.push(("span_id".into(), span_id.to_string().into()));
    }
    if let Some(status) = origin.status {
        members.push(("status".into(), Json::Number(status.into())));
    }
    if let Some(method) = &origin.method {
        members.push(("method".into(), method.as_str().into()));
    }
    if let Some(path) = &origin.path {
        members.push(("path".into(), path.as_str().into()));
    }
}

pub(crate) fn remote_frames(frames: &[RemoteFrame]) -> Json<'_> {
    Json::Array(
        frames
            .iter()
            .map(|frame| {
                let mut members = vec![("function".into(), frame.function.as_str().into())];
                if let Some(file) = &frame.file {
                    members.push(("file".into(), file.as_str().into()));
                }
                if let Some(line) = frame.line {
                    members.push(("line".into(), Json::Number(line.into())));
                }
                Json::Object(members)
            })
            .collect(),
    )
}

fn frames(report: &ErrorReport) -> Option<Json<'_>> {
    let traceback = report.traceback.as_ref()?;
    let known_files = report.known_files();
    let shown = traceback.shown_frames(&known_files);
    Some(Json::Array(
        shown
            .into_iter()
            .map(|shown| {
                let mut frame = vec![("function".into(), Json::from(shown.function.to_owned()))];
                if let Some(file) = shown.file {
                    frame.push(("file".into(), Json::from(file.to_owned())));
                }
                if let Some(line) = shown.frame.line {
                    frame.push(("line".into(), Json::Number(line.into())));
                }
                frame.push(("user".into(), Json::Bool(shown.frame.is_user_code)));
                Json::Object(frame)
            })
            .collect(),
    ))
}

fn span_trace(report: &ErrorReport) -> Json<'_> {
    Json::Array(
        report
            .span_trace
            .iter()
            .map(|entry| {
                let mut members = vec![
                    ("function".into(), entry.function.as_ref().into()),
                    ("file".into(), entry.file.into()),
                    ("line".into(), Json::Number(entry.line.into())),
                ];
                if let Some(span_id) = id(entry.span_id) {
                    members.push(("span_id".into(), span_id));
                }
                Json::Object(members)
            })
            .collect(),
    )
}

#[cfg(feature = "json")]
impl serde::Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Number(value) => serializer.serialize_i64(*value),
            Json::Float(value) if value.is_finite() => serializer.serialize_f64(*value),
            Json::Float(_) => serializer.serialize_unit(),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name.as_ref(), value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_json_and_for_terminals() {
        let text = Json::from("quote \" backslash \\ newline \n cr \r esc \x1b bel \x07 del \x7f c1 \u{9b} ls \u{2028} ✓")
            .to_string();
        assert_eq!(
            text,
            "\"quote \\\" backslash \\\\ newline \\n cr \\r esc \\u001b bel \\u0007 del \\u007f c1 \\u009b ls \\u2028 ✓\""
        );
        assert!(!text.chars().any(|c| c.is_control()));
    }

    #[test]
    fn values_nest() {
        let value = Json::Object(vec![
            ("a".into(), Json::Array(vec![Json::Number(1), Json::Null])),
            ("b".into(), Json::Bool(false)),
            ("c".into(), Json::Float(f64::NAN)),
        ]);
        assert_eq!(value.to_string(), r#"{"a":[1,null],"b":false,"c":null}"#);
    }
}
