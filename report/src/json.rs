//! The report as JSON, written by hand: a small value type and its writer, and the members of
//! a report under the names in [`crate::keys`]. Our own writer, so that no crate with broad
//! trait impls on primitive types (as `serde_json::Value`'s `PartialEq<i32>`) enters a user's
//! build by default: the runtime writes every line through this module and has no serde.
//!
//! Strings are escaped as JSON requires and, beyond it, by the [`crate::escape`] policy (as
//! `\uNNNN`), so that a log line read on a terminal cannot drive it.
//!
//! ```
//! use tracefault_report::json::Json;
//! let value = Json::Object(vec![("a".into(), Json::Array(vec![Json::Number(1), Json::Null]))]);
//! assert_eq!(value.to_string(), r#"{"a":[1,null]}"#);
//! ```

use crate::keys::{self, member};
use crate::{Cause, Frame, RemoteOrigin, Report, SpanTraceEntry};
use std::borrow::Cow;
use std::fmt;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Number(i64),
    /// A float; non-finite ones are written as `null`.
    Float(f64),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, its members in the order they are written.
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

impl<'a> From<Cow<'a, str>> for Json<'a> {
    fn from(text: Cow<'a, str>) -> Json<'a> {
        Json::String(text)
    }
}

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

/// Writes `value` as compact JSON.
pub fn write_value(out: &mut dyn fmt::Write, value: &Json<'_>) -> fmt::Result {
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
        Json::Object(members) => write_object(out, members.iter().map(|(k, v)| (k.as_ref(), v))),
    }
}

/// Writes an object of `members`, in order.
pub fn write_object<'v>(
    out: &mut dyn fmt::Write,
    members: impl IntoIterator<Item = (&'v str, &'v Json<'v>)>,
) -> fmt::Result {
    out.write_char('{')?;
    for (index, (name, member)) in members.into_iter().enumerate() {
        if index > 0 {
            out.write_char(',')?;
        }
        write_string(out, name)?;
        out.write_char(':')?;
        write_value(out, member)?;
    }
    out.write_char('}')
}

/// Writes `text` as a JSON string: quotes and backslashes escaped, and every character of the
/// [`crate::escape`] policy as `\uNNNN` (the common C0 ones as `\n`, `\r`, `\t`).
pub fn write_string(out: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut rest = text;
    while let Some((at, c)) = rest
        .char_indices()
        .find(|&(_, c)| c == '"' || c == '\\' || crate::escape::is_escaped(c))
    {
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

fn id<T: fmt::Display>(id: Option<T>) -> Option<Json<'static>> {
    id.map(|id| Json::from(id.to_string()))
}

fn text<'a>(text: &'a Option<Cow<'a, str>>) -> Option<Json<'a>> {
    text.as_deref().map(Json::from)
}

impl Report<'_> {
    /// The members of the report as a log line has them, named by [`crate::keys`]; members
    /// without a value are left out. The text of `exception.stacktrace` is the caller's to
    /// add: it is rendered from more than this data (the runtime's cached traceback).
    pub fn json_members(&self) -> Vec<(&'static str, Json<'_>)> {
        let mut members = Members(Vec::with_capacity(16));
        members.put(keys::TRACE_ID, id(self.trace_id));
        members.put(keys::SPAN_ID, id(self.span_id));
        members.put(keys::PARENT_SPAN_ID, id(self.parent_span_id));
        if let Some(server) = &self.server {
            members.put(keys::SERVER_SPAN_ID, id(server.span_id));
            members.put(keys::SERVER_PARENT_SPAN_ID, id(server.parent_span_id));
            members.put(keys::HTTP_REQUEST_METHOD, text(&server.method));
            members.put(keys::URL_PATH, text(&server.path));
        }
        members.put(keys::SERVICE, text(&self.service));
        members.put(keys::EXCEPTION_KIND, Some(self.kind.as_str().into()));
        members.put(keys::EXCEPTION_TYPE, Some(self.type_name.as_ref().into()));
        members.put(keys::EXCEPTION_MESSAGE, Some(self.message.as_ref().into()));
        members.put(keys::EXCEPTION_CAUSES, Some(causes_json(&self.causes)));
        members.put(
            keys::EXCEPTION_FRAMES,
            self.frames
                .as_ref()
                .map(|frames| Json::Array(frames.iter().map(|f| frame_json(f, true)).collect())),
        );
        members.put(
            keys::EXCEPTION_HIDDEN_FRAMES,
            self.hidden_frames
                .map(|hidden| Json::Number(i64::try_from(hidden).unwrap_or(i64::MAX))),
        );
        members.put(
            keys::EXCEPTION_SPAN_TRACE,
            Some(Json::Array(
                self.span_trace.iter().map(span_trace_json).collect(),
            )),
        );
        members.put(keys::EXCEPTION_TRACEBACK_NOTE, text(&self.traceback_note));
        members.put(
            keys::EXCEPTION_ORIGIN_UNTOLD,
            self.origin_untold.then_some(Json::Bool(true)),
        );
        members.put(
            keys::EXCEPTION_PANIC_LOCATION,
            self.panic_location.as_ref().map(|location| {
                Json::Object(vec![
                    (member::FILE.into(), location.file.as_ref().into()),
                    (member::LINE.into(), Json::Number(location.line.into())),
                    (member::COLUMN.into(), Json::Number(location.column.into())),
                ])
            }),
        );
        members.0
    }

    /// The report as one object: [`Report::json_members`], named without the `exception.` of
    /// log lines.
    ///
    /// ```
    /// use tracefault_report::Report;
    /// let report = Report { type_name: "app::Failure".into(), message: "it broke".into(), ..Report::default() };
    /// assert_eq!(
    ///     report.json_object().to_string(),
    ///     r#"{"kind":"error","type":"app::Failure","message":"it broke","causes":[],"span_trace":[]}"#,
    /// );
    /// ```
    pub fn json_object(&self) -> Json<'_> {
        let members = self
            .json_members()
            .into_iter()
            .map(|(name, value)| {
                let name = name.strip_prefix(keys::EXCEPTION_PREFIX).unwrap_or(name);
                (Cow::Borrowed(name), value)
            })
            .collect();
        Json::Object(members)
    }
}

struct Members<'a>(Vec<(&'static str, Json<'a>)>);

impl<'a> Members<'a> {
    fn put(&mut self, name: &'static str, value: Option<Json<'a>>) {
        if let Some(value) = value {
            self.0.push((name, value));
        }
    }
}

/// The `source()` chain as `exception.causes` has it: `[{type, message, service, span_id,
/// status, method, path, frames}]`, a cause's `type` `null` when not known.
pub fn causes_json<'a>(causes: &'a [Cause<'a>]) -> Json<'a> {
    Json::Array(
        causes
            .iter()
            .map(|cause| {
                let mut members = vec![
                    (
                        member::TYPE.into(),
                        cause.type_name.as_deref().map_or(Json::Null, Json::from),
                    ),
                    (member::MESSAGE.into(), cause.message.as_ref().into()),
                ];
                if let Some(origin) = &cause.remote {
                    remote_origin_members(origin, &mut members);
                    if !origin.frames.is_empty() {
                        members.push((
                            member::FRAMES.into(),
                            Json::Array(
                                origin.frames.iter().map(|f| frame_json(f, false)).collect(),
                            ),
                        ));
                    }
                }
                Json::Object(members)
            })
            .collect(),
    )
}

/// Where a cause from another service ran: `service`, `span_id`, `status`, `method`, `path`.
pub fn remote_origin_members<'a>(
    origin: &'a RemoteOrigin<'a>,
    members: &mut Vec<(Cow<'a, str>, Json<'a>)>,
) {
    let mut put = |name: &'static str, value: Option<Json<'a>>| {
        if let Some(value) = value {
            members.push((name.into(), value));
        }
    };
    put(member::SERVICE, text(&origin.service));
    put(member::SPAN_ID, id(origin.span_id));
    put(
        member::STATUS,
        origin.status.map(|status| Json::Number(status.into())),
    );
    put(member::METHOD, text(&origin.method));
    put(member::PATH, text(&origin.path));
}

/// `{function, file, line}`: a place in the code, as frames and span trace entries say it.
fn place_members<'a>(
    function: &'a str,
    file: &'a Option<Cow<'a, str>>,
    line: Option<u32>,
) -> Vec<(Cow<'a, str>, Json<'a>)> {
    let mut members = vec![(member::FUNCTION.into(), function.into())];
    if let Some(file) = file {
        members.push((member::FILE.into(), file.as_ref().into()));
    }
    if let Some(line) = line {
        members.push((member::LINE.into(), Json::Number(line.into())));
    }
    members
}

/// A frame: `{function, file, line}`, and `user` in a report's own traceback.
fn frame_json<'a>(frame: &'a Frame<'a>, with_user: bool) -> Json<'a> {
    let mut members = place_members(&frame.function, &frame.file, frame.line);
    if with_user {
        members.push((member::USER.into(), Json::Bool(frame.user)));
    }
    Json::Object(members)
}

/// A remote cause's frames, as a Problem Details answer carries them.
pub fn frames_json<'a>(frames: &'a [Frame<'a>]) -> Json<'a> {
    Json::Array(frames.iter().map(|f| frame_json(f, false)).collect())
}

fn span_trace_json<'a>(entry: &'a SpanTraceEntry<'a>) -> Json<'a> {
    let mut members = place_members(&entry.function, &entry.file, entry.line);
    if let Some(span_id) = id(entry.span_id) {
        members.push((member::SPAN_ID.into(), span_id));
    }
    Json::Object(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_json_and_for_terminals() {
        let text = Json::from("quote \" backslash \\ newline \n cr \r esc \x1b bel \x07 del \x7f c1 \u{9b} ls \u{2028} lrm \u{200e} ✓")
            .to_string();
        assert_eq!(
            text,
            "\"quote \\\" backslash \\\\ newline \\n cr \\r esc \\u001b bel \\u0007 del \\u007f c1 \\u009b ls \\u2028 lrm \\u200e ✓\""
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
