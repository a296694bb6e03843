//! The reader of log lines, for the command (feature `read`): one JSON line as the runtime
//! writes it, read in place (strings borrowed from the line where they have no escapes, the
//! rendered text kept raw until it is wanted), under the names in [`crate::keys`]; and lines of
//! older runtimes, which carried the report only as text, read through [`crate::layout::parse`].
//!
//! ```
//! use tracefault_report::read::{Detail, LogLine};
//! let line = LogLine::parse(br#"{"target":"tracefault","exception.type":"app::Failure","exception.message":"it broke","exception.frames":[]}"#).unwrap();
//! let report = line.report(Detail::Full).unwrap();
//! assert_eq!(report.report.message, "it broke");
//! ```

use crate::keys::{self, member};
use crate::{
    layout, Cause, Frame, PanicLocation, RemoteOrigin, Report, ReportKind, ServerSpan, SpanId,
    SpanTraceEntry, TraceId,
};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The keys of a line that the command reads; others are skipped.
#[derive(Debug, Default)]
pub struct LogLine<'a> {
    /// [`keys::TIMESTAMP`].
    pub timestamp: Option<Cow<'a, str>>,
    /// [`keys::LEVEL`].
    pub level: Option<Cow<'a, str>>,
    /// [`keys::LINE_TARGET`].
    pub target: Option<Cow<'a, str>>,
    /// [`keys::MESSAGE`].
    pub message: Option<Cow<'a, str>>,
    /// [`keys::SPANS`].
    pub spans: Option<Vec<Cow<'a, str>>>,
    /// [`keys::SERVICE`].
    pub service: Option<Cow<'a, str>>,
    /// [`keys::TRACE_ID`], as written (a source may write ids its own way).
    pub trace_id: Option<Cow<'a, str>>,
    /// [`keys::SPAN_ID`], as written.
    pub span_id: Option<Cow<'a, str>>,
    /// [`keys::PARENT_SPAN_ID`], as written.
    pub parent_span_id: Option<Cow<'a, str>>,
    /// [`keys::SERVER_SPAN_ID`], as written.
    pub server_span_id: Option<Cow<'a, str>>,
    /// [`keys::SERVER_PARENT_SPAN_ID`], as written.
    pub server_parent_span_id: Option<Cow<'a, str>>,
    /// [`keys::HTTP_REQUEST_METHOD`].
    pub method: Option<Cow<'a, str>>,
    /// [`keys::URL_PATH`].
    pub path: Option<Cow<'a, str>>,
    /// [`keys::EXCEPTION_KIND`].
    pub exception_kind: Option<Cow<'a, str>>,
    /// [`keys::EXCEPTION_TYPE`].
    pub exception_type: Option<Cow<'a, str>>,
    /// [`keys::EXCEPTION_MESSAGE`].
    pub exception_message: Option<Cow<'a, str>>,
    /// [`keys::EXCEPTION_CAUSES`].
    pub causes: Option<Vec<Cause<'a>>>,
    /// [`keys::EXCEPTION_FRAMES`].
    pub frames: Option<Vec<Frame<'a>>>,
    /// [`keys::EXCEPTION_HIDDEN_FRAMES`].
    pub hidden_frames: Option<u64>,
    /// [`keys::EXCEPTION_TRACEBACK_NOTE`].
    pub traceback_note: Option<Cow<'a, str>>,
    /// [`keys::EXCEPTION_ORIGIN_UNTOLD`].
    pub origin_untold: Option<bool>,
    /// [`keys::EXCEPTION_SPAN_TRACE`].
    pub span_trace: Option<Vec<SpanTraceEntry<'a>>>,
    /// [`keys::EXCEPTION_PANIC_LOCATION`].
    pub panic_location: Option<PanicLocation<'a>>,
    /// [`keys::EXCEPTION_STACKTRACE`], raw: the largest value of a report, decoded only when
    /// it is shown or when there are no structured frames to group by.
    pub stacktrace: Option<&'a RawValue>,
    /// [`keys::CANCELLED`]: the line says its span's future was dropped before it finished.
    pub cancelled: Option<bool>,
    /// [`keys::ELAPSED_US`]: how long that future had run.
    pub elapsed_us: Option<u64>,
    /// [`keys::CODE_FUNCTION_NAME`]: the function that future was in.
    pub code_function: Option<Cow<'a, str>>,
}

/// How much of a report to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// What grouping needs: the rendered text is read only when there are no structured
    /// frames, and not kept.
    Grouping,
    /// Everything, for showing the report.
    Full,
}

/// A report read from a line, and its rendered text when it was read.
#[derive(Debug)]
pub struct LineReport<'a> {
    /// The report.
    pub report: Report<'a>,
    /// The Python-style text the service rendered, with [`Detail::Full`].
    pub text: Option<String>,
}

impl<'a> LogLine<'a> {
    /// Parses the JSON object at the start of `json`; what follows it on the line is ignored.
    pub fn parse(json: &'a [u8]) -> Result<LogLine<'a>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        LogLine::deserialize(&mut deserializer)
    }

    /// A report line: tracefault's target with an exception type (or, from a log engine that
    /// dropped the target, an exception type with a traceback).
    pub fn is_report(&self) -> bool {
        self.exception_type.is_some()
            && (self.target.as_deref() == Some(keys::TARGET)
                || self.stacktrace.is_some()
                || self.frames.is_some())
    }

    /// The report this line is, if it is one. Lines from before the structured report have
    /// their frames and span trace only in the text; they are read from it.
    pub fn report(&self, detail: Detail) -> Option<LineReport<'_>> {
        if !self.is_report() {
            return None;
        }
        let mut frames = self.frames.clone();
        let mut hidden_frames = self.hidden_frames;
        let mut span_trace = self.span_trace.clone();
        let mut causes = self.causes.clone();
        let mut panic_location = self.panic_location.clone();
        let text = if frames.as_ref().is_none_or(Vec::is_empty) || detail == Detail::Full {
            self.stacktrace
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        } else {
            None
        };
        if let Some(text) = &text {
            let parsed = layout::parse(text);
            match &mut frames {
                None => {
                    frames = parsed.frames;
                    hidden_frames = hidden_frames.or(parsed.hidden_frames);
                }
                Some(frames) => {
                    attach_sources(frames, parsed.frames.as_deref().unwrap_or_default())
                }
            }
            span_trace = span_trace.or(Some(parsed.span_trace));
            causes = causes.or(Some(parsed.causes));
            panic_location = panic_location.or(parsed.panic_location);
        }
        let kind = match self.exception_kind.as_deref().and_then(ReportKind::parse) {
            Some(kind) => kind,
            None if self.exception_type.as_deref() == Some(ReportKind::Panic.as_str()) => {
                ReportKind::Panic
            }
            // The event's message, `panic escaped ...`, from before `exception.kind`.
            None if self.message.as_deref().is_some_and(|message| {
                message
                    .strip_prefix(ReportKind::Panic.as_str())
                    .is_some_and(|rest| rest.starts_with(" escaped"))
            }) =>
            {
                ReportKind::Panic
            }
            None => ReportKind::Error,
        };
        let span = |id: &Option<Cow<'_, str>>| id.as_deref().and_then(SpanId::parse);
        let server = ServerSpan {
            span_id: span(&self.server_span_id),
            parent_span_id: span(&self.server_parent_span_id),
            method: self.method.clone(),
            path: self.path.clone(),
        };
        let report = Report {
            kind,
            type_name: self.exception_type.clone().unwrap_or_default(),
            message: self.exception_message.clone().unwrap_or_default(),
            causes: causes.unwrap_or_default(),
            frames,
            hidden_frames,
            span_trace: span_trace.unwrap_or_default(),
            traceback_note: self.traceback_note.clone(),
            origin_untold: self.origin_untold.unwrap_or(false),
            panic_location,
            trace_id: self.trace_id.as_deref().and_then(TraceId::parse),
            span_id: span(&self.span_id),
            parent_span_id: span(&self.parent_span_id),
            server: (server != ServerSpan::default()).then_some(server),
            service: self.service.clone(),
        };
        let text = text.filter(|_| detail == Detail::Full);
        Some(LineReport { report, text })
    }
}

/// The source lines of a rendered traceback, given to the structured frames they belong to:
/// the text shows the same frames in the same order, each with its line when the service
/// could read the file.
fn attach_sources(frames: &mut [Frame<'_>], from_text: &[Frame<'static>]) {
    let mut text_frames = from_text.iter();
    for frame in frames {
        let same = |shown: &&Frame<'_>| {
            shown.function == frame.function && shown.file == frame.file && shown.line == frame.line
        };
        if let Some(shown) = text_frames.by_ref().find(same) {
            frame.source.clone_from(&shown.source);
        }
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Cow<'de, str>>, A::Error> {
    Ok(map.next_value::<Option<Text<'de>>>()?.map(|text| text.0))
}

fn number<'de, A: MapAccess<'de>, N: TryFrom<u64>>(map: &mut A) -> Result<Option<N>, A::Error> {
    Ok(map
        .next_value::<Option<u64>>()?
        .and_then(|number| N::try_from(number).ok()))
}

fn span_id<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<SpanId>, A::Error> {
    Ok(text(map)?.as_deref().and_then(SpanId::parse))
}

/// `Deserialize` for a type read from a JSON object: `$init` is the value before any member,
/// `$body` reads the member `$key` from `$map` into `$value`; it must take the value of
/// every key, `IgnoredAny` for those it does not know.
macro_rules! read_object {
    ($type:ident, $what:literal, $init:expr, |$value:ident, $key:ident, $map:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $type<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = $type<'de>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut $map: A,
                    ) -> Result<$type<'de>, A::Error> {
                        let mut $value: $type<'de> = $init;
                        while let Some(Text($key)) = $map.next_key::<Text<'de>>()? {
                            $body
                        }
                        Ok($value)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

read_object!(
    LogLine,
    "a log line (a JSON object)",
    LogLine::default(),
    |line, key, map| {
        match key.as_ref() {
            keys::TIMESTAMP => line.timestamp = text(&mut map)?,
            keys::LEVEL => line.level = text(&mut map)?,
            keys::LINE_TARGET => line.target = text(&mut map)?,
            keys::MESSAGE => line.message = text(&mut map)?,
            keys::SPANS => {
                let spans = map.next_value::<Option<Vec<Text<'de>>>>()?;
                line.spans = spans.map(|spans| spans.into_iter().map(|name| name.0).collect());
            }
            keys::SERVICE => line.service = text(&mut map)?,
            keys::TRACE_ID => line.trace_id = text(&mut map)?,
            keys::SPAN_ID => line.span_id = text(&mut map)?,
            keys::PARENT_SPAN_ID => line.parent_span_id = text(&mut map)?,
            keys::SERVER_SPAN_ID => line.server_span_id = text(&mut map)?,
            keys::SERVER_PARENT_SPAN_ID => line.server_parent_span_id = text(&mut map)?,
            keys::HTTP_REQUEST_METHOD => line.method = text(&mut map)?,
            keys::URL_PATH => line.path = text(&mut map)?,
            keys::EXCEPTION_KIND => line.exception_kind = text(&mut map)?,
            keys::EXCEPTION_TYPE => line.exception_type = text(&mut map)?,
            keys::EXCEPTION_MESSAGE => line.exception_message = text(&mut map)?,
            keys::EXCEPTION_CAUSES => line.causes = map.next_value()?,
            keys::EXCEPTION_FRAMES => line.frames = map.next_value()?,
            keys::EXCEPTION_HIDDEN_FRAMES => line.hidden_frames = map.next_value()?,
            keys::EXCEPTION_ORIGIN_UNTOLD => line.origin_untold = map.next_value()?,
            keys::EXCEPTION_TRACEBACK_NOTE => line.traceback_note = text(&mut map)?,
            keys::EXCEPTION_SPAN_TRACE => line.span_trace = map.next_value()?,
            keys::EXCEPTION_PANIC_LOCATION => line.panic_location = map.next_value()?,
            keys::EXCEPTION_STACKTRACE => line.stacktrace = map.next_value()?,
            keys::CANCELLED => line.cancelled = map.next_value()?,
            keys::ELAPSED_US => line.elapsed_us = map.next_value()?,
            keys::CODE_FUNCTION_NAME => line.code_function = text(&mut map)?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
);

read_object!(
    Cause,
    "a cause (a JSON object)",
    Cause::default(),
    |cause, key, map| {
        match key.as_ref() {
            member::TYPE => cause.type_name = text(&mut map)?,
            member::MESSAGE => cause.message = text(&mut map)?.unwrap_or_default(),
            member::SERVICE => origin(&mut cause).service = text(&mut map)?,
            member::SPAN_ID => origin(&mut cause).span_id = span_id(&mut map)?,
            member::STATUS => origin(&mut cause).status = number(&mut map)?,
            member::METHOD => origin(&mut cause).method = text(&mut map)?,
            member::PATH => origin(&mut cause).path = text(&mut map)?,
            member::FRAMES => {
                origin(&mut cause).frames = map.next_value::<Option<_>>()?.unwrap_or_default()
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
);

/// The remote origin of a cause, made when the first of its members is read: a cause that
/// says where it ran came from another service.
fn origin<'c, 'de>(cause: &'c mut Cause<'de>) -> &'c mut RemoteOrigin<'de> {
    cause.remote.get_or_insert_with(RemoteOrigin::default)
}

read_object!(
    Frame,
    "a frame (a JSON object)",
    // A frame that does not say is taken for the application's own.
    Frame::new(Cow::Borrowed(""), None, None),
    |frame, key, map| {
        match key.as_ref() {
            member::FUNCTION => frame.function = text(&mut map)?.unwrap_or_default(),
            member::FILE => frame.file = text(&mut map)?,
            member::LINE => frame.line = number(&mut map)?,
            member::USER => frame.user = map.next_value::<Option<bool>>()?.unwrap_or(true),
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
);

read_object!(
    SpanTraceEntry,
    "a span trace entry (a JSON object)",
    SpanTraceEntry::default(),
    |entry, key, map| {
        match key.as_ref() {
            member::FUNCTION => entry.function = text(&mut map)?.unwrap_or_default(),
            member::FILE => entry.file = text(&mut map)?,
            member::LINE => entry.line = number(&mut map)?,
            member::SPAN_ID => entry.span_id = span_id(&mut map)?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
);

read_object!(
    PanicLocation,
    "a panic location (a JSON object)",
    PanicLocation::default(),
    |location, key, map| {
        match key.as_ref() {
            member::FILE => location.file = text(&mut map)?.unwrap_or_default(),
            member::LINE => location.line = number(&mut map)?.unwrap_or_default(),
            member::COLUMN => location.column = number(&mut map)?.unwrap_or_default(),
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = r#"{"timestamp":"2026-11-28T03:50:47.313900Z","level":"ERROR","target":"tracefault","message":"error escaped reserve","spans":["http.server","reserve"],"trace_id":"b73cd2680addb2be7e75ca0af05023e6","span_id":"50aa51cdd779ab88","exception.type":"shop::inventory::StockError","exception.message":"the stock of sku 42 could not be read","exception.stacktrace":"Traceback (most recent call last):\n  File \"examples/shop/inventory.rs\", line 42, in shop::inventory::post_reservation\n    match reserve(sku).await {\n  File \"examples/shop/inventory.rs\", line 68, in shop::inventory::query_stock\n    fn query_stock(sku: u32) -> io::Result<u32> {\n  [61 runtime frames hidden]\nshop::inventory::StockError: the stock of sku 42 could not be read\n\nSpan trace (outermost first):\n  in shop::inventory::reserve at examples/shop/inventory.rs:57\n"}"#;

    #[test]
    fn text_only_lines_give_their_frames_from_the_text() {
        let line = LogLine::parse(TODAY.as_bytes()).unwrap();
        let read = line.report(Detail::Grouping).unwrap();
        let report = read.report;
        assert_eq!(report.type_name, "shop::inventory::StockError");
        let frames = report.frames.unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].function, "shop::inventory::query_stock");
        assert_eq!(frames[1].line, Some(68));
        assert_eq!(
            frames[1].source.as_deref(),
            Some("fn query_stock(sku: u32) -> io::Result<u32> {")
        );
        assert_eq!(report.hidden_frames, Some(61));
        assert!(read.text.is_none(), "grouping does not keep the text");
        assert_eq!(report.span_trace.len(), 1);
        assert_eq!(report.span_trace[0].line, Some(57));
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        let report = Report {
            kind: ReportKind::Panic,
            type_name: "panic".into(),
            message: "index out of bounds".into(),
            causes: vec![Cause {
                remote: Some(RemoteOrigin {
                    service: Some("inventory".into()),
                    span_id: SpanId::parse("b208220b0d83cc0b"),
                    status: Some(500),
                    method: Some("POST".into()),
                    path: Some("/reservations/42".into()),
                    frames: vec![Frame::new(
                        "inventory::reserve".into(),
                        Some("src/i.rs".into()),
                        Some(3),
                    )],
                }),
                ..Cause::new(Some("inventory::StockError".into()), "out of stock".into())
            }],
            frames: Some(vec![Frame {
                user: false,
                ..Frame::new("std::panicking::begin_panic".into(), None, None)
            }]),
            hidden_frames: Some(3),
            span_trace: vec![SpanTraceEntry {
                function: "app::run".into(),
                file: Some("src/app.rs".into()),
                line: Some(9),
                span_id: SpanId::parse("00f067aa0ba902b7"),
            }],
            traceback_note: Some("backtraces are rate-limited".into()),
            origin_untold: true,
            panic_location: Some(PanicLocation {
                file: "src/app.rs".into(),
                line: 12,
                column: 5,
            }),
            trace_id: TraceId::parse("4bf92f3577b34da6a3ce929d0e0e4736"),
            span_id: SpanId::parse("00f067aa0ba902b7"),
            parent_span_id: SpanId::parse("00f067aa0ba902b8"),
            server: Some(ServerSpan {
                span_id: SpanId::parse("00f067aa0ba902b9"),
                parent_span_id: None,
                method: Some("GET".into()),
                path: Some("/run".into()),
            }),
            service: Some("app".into()),
        };
        let mut line = String::from("{");
        for (index, (key, value)) in report.json_members().iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            line.push_str(&format!("{}:{value}", crate::json::Json::from(*key)));
        }
        line.push_str(&format!(
            ",\"{}\":\"{}\"}}",
            keys::LINE_TARGET,
            keys::TARGET
        ));
        let read = LogLine::parse(line.as_bytes()).unwrap();
        assert_eq!(read.report(Detail::Full).unwrap().report, report);
    }

    #[test]
    fn what_follows_the_object_is_ignored_and_bad_lines_are_errors() {
        assert!(LogLine::parse(br#"{"level":"INFO"} trailing"#).is_ok());
        assert!(LogLine::parse(br#"{"level":"INFO""#).is_err());
        assert!(LogLine::parse(b"{\"message\":\"\xff\xfe\"}").is_err());
        // 10,000 deep: skipped in a key we do not read, refused at serde_json's depth limit in
        // one we do; neither overflows the stack.
        let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let ignored = format!("{{\"x\":{nested},\"level\":\"INFO\"}}");
        assert_eq!(
            LogLine::parse(ignored.as_bytes()).unwrap().level.as_deref(),
            Some("INFO")
        );
        let read = format!("{{\"exception.causes\":[{{\"frames\":{nested}}}]}}");
        assert!(LogLine::parse(read.as_bytes()).is_err());
    }
}
