//! One JSON log line as `tracefault::init()` writes it, read in place: strings borrowed from
//! the line where they have no escapes, the rendered traceback kept raw until it is wanted.
//!
//! The schema: every line has `timestamp`, `level`, `target`, `message`, and may have
//! `spans`, `service`, `trace_id` and `span_id`; a report line (target `tracefault`) has
//! `exception.type`, `exception.message`, `exception.stacktrace` and, from the structured
//! runtime on, `exception.kind`, `exception.causes`, `exception.frames`,
//! `exception.hidden_frames`, `exception.span_trace`, `parent_span_id`, `server.span_id`,
//! `server.parent_span_id`, `http.request.method` and `url.path`.

use crate::ids::{SpanId, TraceId};
use crate::model::{Cause, ErrorKind, Frame, Report, SpanTraceEntry};
use crate::time::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The keys a line may have that we read. Unknown keys are skipped.
#[derive(Debug, Deserialize)]
pub struct LogLine<'a> {
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub target: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub spans: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pub service: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub parent_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "server.span_id")]
    pub server_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "server.parent_span_id")]
    pub server_parent_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "http.request.method")]
    pub method: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "url.path")]
    pub path: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "exception.kind")]
    pub exception_kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "exception.type")]
    pub exception_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "exception.message")]
    pub exception_message: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "exception.causes")]
    pub causes: Option<Vec<LineCause<'a>>>,
    #[serde(borrow, default, rename = "exception.frames")]
    pub frames: Option<Vec<LineFrame<'a>>>,
    #[serde(default, rename = "exception.hidden_frames")]
    pub hidden_frames: Option<u64>,
    #[serde(borrow, default, rename = "exception.traceback_note")]
    pub traceback_note: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "exception.span_trace")]
    pub span_trace: Option<Vec<LineSpanTraceEntry<'a>>>,
    /// Raw: the largest value of a report, decoded only when it is shown or when there are
    /// no structured frames to group by.
    #[serde(borrow, default, rename = "exception.stacktrace")]
    pub stacktrace: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize)]
pub struct LineCause<'a> {
    #[serde(borrow, default, rename = "type")]
    pub type_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub service: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub span_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub status: Option<u64>,
    #[serde(borrow, default)]
    pub frames: Option<Vec<LineFrame<'a>>>,
}

#[derive(Debug, Deserialize)]
pub struct LineFrame<'a> {
    #[serde(borrow, default)]
    pub function: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub file: Option<Cow<'a, str>>,
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(default)]
    pub user: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct LineSpanTraceEntry<'a> {
    #[serde(borrow, default)]
    pub function: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub file: Option<Cow<'a, str>>,
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(borrow, default)]
    pub span_id: Option<Cow<'a, str>>,
}

/// How much of a report to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// What grouping needs: the rendered text is read only when there are no structured
    /// frames, and not kept.
    Grouping,
    /// Everything, for showing the report.
    Full,
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
            && (self.target.as_deref() == Some("tracefault")
                || self.stacktrace.is_some()
                || self.frames.is_some())
    }

    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp.as_deref().and_then(Timestamp::parse_rfc3339)
    }

    pub fn trace_id(&self) -> Option<TraceId> {
        self.trace_id.as_deref().and_then(TraceId::parse)
    }

    pub fn span_id(&self) -> Option<SpanId> {
        self.span_id.as_deref().and_then(SpanId::parse)
    }

    /// The report this line is, if it is one. `service` is used when the line names none
    /// (a prefix such as kubectl's, or the file's name, may).
    pub fn to_report(
        &self,
        detail: Detail,
        service: Option<&str>,
        location: impl FnOnce() -> String,
    ) -> Option<Report> {
        if !self.is_report() {
            return None;
        }
        let stacktrace = || -> Option<String> {
            let raw = self.stacktrace?;
            serde_json::from_str::<Cow<'_, str>>(raw.get())
                .ok()
                .map(Cow::into_owned)
        };
        let mut frames: Vec<Frame> = self
            .frames
            .iter()
            .flatten()
            .map(LineFrame::to_frame)
            .collect();
        let mut hidden_frames = self.hidden_frames;
        let mut text = None;
        if frames.is_empty() || detail == Detail::Full {
            text = stacktrace();
        }
        let mut span_trace: Vec<SpanTraceEntry> = self
            .span_trace
            .iter()
            .flatten()
            .map(|entry| SpanTraceEntry {
                function: owned(&entry.function).unwrap_or_default(),
                file: owned(&entry.file),
                line: entry.line.and_then(|line| u32::try_from(line).ok()),
                span_id: entry.span_id.as_deref().and_then(SpanId::parse),
            })
            .collect();
        if self.frames.is_none() && self.span_trace.is_none() && text.is_none() {
            // Grouping needs the path through the code; the text has it.
            text = stacktrace();
        }
        if let Some(text) = &text {
            // Lines from before the structured report: frames and span trace are in the text.
            let (parsed, hidden) = frames_from_text(text);
            if self.frames.is_none() {
                frames = parsed;
                hidden_frames = hidden_frames.or(hidden);
            } else {
                attach_sources(&mut frames, &parsed);
            }
            if self.span_trace.is_none() {
                span_trace = span_trace_from_text(text);
            }
        }
        let kind = match self.exception_kind.as_deref() {
            Some("panic") => ErrorKind::Panic,
            Some(_) => ErrorKind::Error,
            None if self.exception_type.as_deref() == Some("panic") => ErrorKind::Panic,
            None if self
                .message
                .as_deref()
                .is_some_and(|message| message.starts_with("panic escaped")) =>
            {
                ErrorKind::Panic
            }
            None => ErrorKind::Error,
        };
        let span = |id: &Option<Cow<'_, str>>| id.as_deref().and_then(SpanId::parse);
        Some(Report {
            timestamp: self.timestamp(),
            service: self.service.as_deref().or(service).map(str::to_owned),
            trace_id: self.trace_id(),
            span_id: self.span_id(),
            parent_span_id: span(&self.parent_span_id),
            server_span_id: span(&self.server_span_id),
            server_parent_span_id: span(&self.server_parent_span_id),
            method: owned(&self.method),
            path: owned(&self.path),
            kind,
            type_name: owned(&self.exception_type).unwrap_or_default(),
            message: owned(&self.exception_message).unwrap_or_default(),
            causes: self
                .causes
                .iter()
                .flatten()
                .map(LineCause::to_cause)
                .collect(),
            frames,
            hidden_frames,
            traceback_note: owned(&self.traceback_note),
            span_trace,
            stacktrace: if detail == Detail::Full { text } else { None },
            spans: self
                .spans
                .iter()
                .flatten()
                .map(|name| name.clone().into_owned())
                .collect(),
            location: location(),
        })
    }
}

impl LineFrame<'_> {
    fn to_frame(&self) -> Frame {
        Frame {
            function: owned(&self.function).unwrap_or_default(),
            file: owned(&self.file),
            line: self.line.and_then(|line| u32::try_from(line).ok()),
            user: self.user.unwrap_or(true),
            source: None,
        }
    }
}

impl LineCause<'_> {
    fn to_cause(&self) -> Cause {
        Cause {
            type_name: owned(&self.type_name),
            message: owned(&self.message).unwrap_or_default(),
            service: owned(&self.service),
            span_id: self.span_id.as_deref().and_then(SpanId::parse),
            status: self.status.and_then(|status| u16::try_from(status).ok()),
            frames: self
                .frames
                .iter()
                .flatten()
                .map(LineFrame::to_frame)
                .collect(),
        }
    }
}

fn owned(text: &Option<Cow<'_, str>>) -> Option<String> {
    text.as_deref().map(str::to_owned)
}

/// The span trace of a rendered report: `  in module::function at file.rs:57 (origin)`.
pub fn span_trace_from_text(text: &str) -> Vec<SpanTraceEntry> {
    let Some((_, section)) = text.split_once("Span trace (outermost first):") else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for line in section.lines().skip(1) {
        let Some(entry) = line.trim().strip_prefix("in ") else {
            break;
        };
        let entry = entry.strip_suffix(" (origin)").unwrap_or(entry);
        let (function, place) = entry.split_once(" at ").unwrap_or((entry, ""));
        let (file, line_number) = match place.rsplit_once(':') {
            Some((file, line)) => (Some(file.to_owned()), line.parse().ok()),
            None if !place.is_empty() => (Some(place.to_owned()), None),
            None => (None, None),
        };
        entries.push(SpanTraceEntry {
            function: function.to_owned(),
            file,
            line: line_number,
            span_id: None,
        });
    }
    entries
}

/// The source lines of a rendered traceback, given to the structured frames they belong to:
/// the text shows the same frames in the same order, each with its line when the service
/// could read the file.
fn attach_sources(frames: &mut [Frame], from_text: &[Frame]) {
    let mut text_frames = from_text.iter();
    for frame in frames {
        let same = |shown: &&Frame| {
            shown.function == frame.function && shown.file == frame.file && shown.line == frame.line
        };
        if let Some(shown) = text_frames.by_ref().find(same) {
            frame.source.clone_from(&shown.source);
        }
    }
}

/// The frames of a rendered traceback (`  File "f.rs", line 12, in module::function`, and
/// under it, indented further, the source line when there is one), and the count in its
/// `[N runtime frames hidden]` line.
pub fn frames_from_text(text: &str) -> (Vec<Frame>, Option<u64>) {
    let mut frames: Vec<Frame> = Vec::new();
    let mut hidden = None;
    // The indentation of the last `File` line, while the line under it may be its source.
    let mut frame_indent: Option<usize> = None;
    for raw in text.lines() {
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        if let Some(outer) = frame_indent.take() {
            let is_source = indent > outer
                && !line.is_empty()
                && !line.starts_with("File \"")
                && !line.starts_with('[');
            if is_source {
                if let Some(frame) = frames.last_mut() {
                    frame.source = Some(line.trim_end().to_owned());
                }
                continue;
            }
        }
        if let Some(rest) = line.strip_prefix("File \"") {
            let Some((file, rest)) = rest.split_once("\", line ") else {
                continue;
            };
            let Some((line_number, function)) = rest.split_once(", in ") else {
                continue;
            };
            frames.push(Frame {
                function: function.trim_end().to_owned(),
                file: Some(file.to_owned()),
                line: line_number.parse().ok(),
                user: true,
                source: None,
            });
            frame_indent = Some(indent);
        } else if let Some(rest) = line.strip_prefix('[') {
            if let Some(count) = rest.strip_suffix(" runtime frames hidden]") {
                hidden = count.parse().ok();
            }
        } else if line.starts_with("Span trace") {
            break;
        }
    }
    (frames, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = r#"{"timestamp":"2026-11-28T03:50:47.313900Z","level":"ERROR","target":"tracefault","message":"error escaped reserve","spans":["http.server","reserve"],"trace_id":"b73cd2680addb2be7e75ca0af05023e6","span_id":"50aa51cdd779ab88","exception.type":"shop::inventory::StockError","exception.message":"the stock of sku 42 could not be read","exception.stacktrace":"Traceback (most recent call last):\n  File \"examples/shop/inventory.rs\", line 42, in shop::inventory::post_reservation\n    match reserve(sku).await {\n  File \"examples/shop/inventory.rs\", line 68, in shop::inventory::query_stock\n    fn query_stock(sku: u32) -> io::Result<u32> {\n  [61 runtime frames hidden]\nshop::inventory::StockError: the stock of sku 42 could not be read\n\nSpan trace (outermost first):\n  in shop::inventory::reserve at examples/shop/inventory.rs:57\n"}"#;

    #[test]
    fn todays_report_lines_give_their_frames_from_the_text() {
        let line = LogLine::parse(TODAY.as_bytes()).unwrap();
        let report = line
            .to_report(Detail::Grouping, Some("inventory"), String::new)
            .unwrap();
        assert_eq!(report.type_name, "shop::inventory::StockError");
        assert_eq!(report.service.as_deref(), Some("inventory"));
        assert_eq!(report.frames.len(), 2);
        assert_eq!(report.frames[1].function, "shop::inventory::query_stock");
        assert_eq!(report.frames[1].line, Some(68));
        assert_eq!(
            report.frames[1].source.as_deref(),
            Some("fn query_stock(sku: u32) -> io::Result<u32> {")
        );
        assert_eq!(report.hidden_frames, Some(61));
        assert!(
            report.stacktrace.is_none(),
            "grouping does not keep the text"
        );
        assert_eq!(
            report.origin().unwrap().function,
            "shop::inventory::query_stock"
        );
        assert_eq!(report.span_trace.len(), 1);
        assert_eq!(report.span_trace[0].function, "shop::inventory::reserve");
        assert_eq!(report.span_trace[0].line, Some(57));
    }

    #[test]
    fn a_line_that_is_not_a_report_is_none() {
        let line = LogLine::parse(br#"{"timestamp":"2026-11-28T04:51:38.632624Z","level":"INFO","target":"shop::gateway","message":"checking out"}"#).unwrap();
        assert!(line.to_report(Detail::Full, None, String::new).is_none());
    }

    #[test]
    fn what_follows_the_object_is_ignored_and_bad_lines_are_errors() {
        assert!(LogLine::parse(br#"{"level":"INFO"} trailing"#).is_ok());
        assert!(LogLine::parse(br#"{"level":"INFO""#).is_err());
        assert!(LogLine::parse(b"{\"message\":\"\xff\xfe\"}").is_err());
        // 10,000 deep: skipped without recursion in a key we do not read, refused at
        // serde_json's depth limit in one we do; neither overflows the stack.
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
