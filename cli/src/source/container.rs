//! Log lines as container runtimes store them, unwrapped to the line the program wrote:
//!
//! - Docker's `json-file` driver: `{"log":"<line>\n","stream":"stdout","time":"..."}`, the line
//!   JSON-escaped inside `log`. Docker cuts a line longer than 16 KiB into records whose `log`
//!   does not end with `\n`; the last one does.
//! - The CRI format (containerd, CRI-O, `/var/log/pods/...`): `<RFC 3339 time> <stream>
//!   <tag> <line>`, the tag `P` for a part of a line cut at 16 KiB, `F` for a line's last part.
//!
//! A long report is cut into many records: the parts are joined until the last, in at most a
//! line's limit of memory (past it, the line is counted as too long).

use std::borrow::Cow;

/// What a stored line gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Unwrapped<'a> {
    /// Not a container runtime's record: the line as it is.
    Plain(&'a [u8]),
    /// The program's whole line, from one record or joined from several.
    Line(Cow<'a, [u8]>),
    /// A part of a line: the rest is in the records that follow.
    Part,
    /// The parts joined are longer than a line may be: the line is dropped.
    TooLong(u64),
}

/// Joins the parts of the lines of one input.
#[derive(Clone, Debug, Default)]
pub struct Joiner {
    /// By stream: standard output's, then standard error's.
    streams: [Stream; 2],
}

#[derive(Clone, Debug, Default)]
struct Stream {
    pending: Vec<u8>,
    /// The joined line went past the limit: the rest of its parts are skipped.
    overflowed: u64,
}

impl Joiner {
    /// `line` unwrapped, or joined with the parts before it.
    pub fn unwrap<'a>(&'a mut self, line: &'a [u8], max_line: usize) -> Unwrapped<'a> {
        let (part, complete, stderr) = if let Some(record) = docker(line) {
            match record {
                Some((text, complete, stderr)) => (Cow::Owned(text.into_bytes()), complete, stderr),
                // A Docker record whose JSON did not parse: left to the line reader to count.
                None => return Unwrapped::Plain(line),
            }
        } else if let Some((text, complete, stderr)) = cri(line) {
            (Cow::Borrowed(text), complete, stderr)
        } else {
            return Unwrapped::Plain(line);
        };
        let this = &mut self.streams[usize::from(stderr)];
        if complete && this.pending.is_empty() && this.overflowed == 0 {
            return Unwrapped::Line(part);
        }
        if this.overflowed > 0 || this.pending.len() + part.len() > max_line {
            this.overflowed += (this.pending.len() + part.len()) as u64;
            this.pending.clear();
            if complete {
                let length = std::mem::take(&mut this.overflowed);
                return Unwrapped::TooLong(length);
            }
            return Unwrapped::Part;
        }
        this.pending.extend_from_slice(&part);
        if !complete {
            return Unwrapped::Part;
        }
        Unwrapped::Line(Cow::Owned(std::mem::take(&mut this.pending)))
    }
}

/// Docker's record: `Some(None)` when it starts like one and does not parse; its text without
/// the newline, whether the newline was there (the line's last part), and whether it is
/// standard error's.
#[allow(clippy::option_option)]
fn docker(line: &[u8]) -> Option<Option<(String, bool, bool)>> {
    if !line.starts_with(b"{\"log\":") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Record {
        log: String,
        #[serde(default)]
        stream: String,
    }
    let Ok(record) = serde_json::from_slice::<Record>(line) else {
        return Some(None);
    };
    let mut text = record.log;
    let complete = text.ends_with('\n');
    if complete {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Some(Some((text, complete, record.stream == "stderr")))
}

/// A CRI record: its text, whether it is a line's last part (`F`) or not (`P`), and whether
/// it is standard error's.
fn cri(line: &[u8]) -> Option<(&[u8], bool, bool)> {
    // The time first: `2016-10-06T00:17:09.669794202Z`, or with an offset.
    if line.len() < 24 || !line[..4].iter().all(u8::is_ascii_digit) || line[4] != b'-' {
        return None;
    }
    let mut fields = line.splitn(4, |&byte| byte == b' ');
    let time = fields.next()?;
    let stream = fields.next()?;
    let tag = fields.next()?;
    let text = fields.next().unwrap_or_default();
    if time.get(10) != Some(&b'T') || !matches!(stream, b"stdout" | b"stderr") {
        return None;
    }
    // The tag may carry more flags after a `:` (CRI's `F:...`); the first is the part's.
    match tag.split(|&byte| byte == b':').next()? {
        b"F" => Some((text, true, stream == b"stderr")),
        b"P" => Some((text, false, stream == b"stderr")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(records: &[&[u8]], max_line: usize) -> Vec<String> {
        let mut joiner = Joiner::default();
        let mut seen = Vec::new();
        for record in records {
            seen.push(match joiner.unwrap(record, max_line) {
                Unwrapped::Plain(line) => format!("plain {}", String::from_utf8_lossy(line)),
                Unwrapped::Line(line) => format!("line {}", String::from_utf8_lossy(&line)),
                Unwrapped::Part => "part".to_owned(),
                Unwrapped::TooLong(length) => format!("too long {length}"),
            });
        }
        seen
    }

    #[test]
    fn dockers_records_are_unescaped_and_their_parts_joined() {
        // As Docker's json-file driver writes them (its `jsonfilelog` tests' shape).
        let records: [&[u8]; 4] = [
            br#"{"log":"{\"timestamp\":\"2026-11-28T04:51:38Z\",\"level\":\"INFO\"}\n","stream":"stdout","time":"2026-11-28T04:51:38.1Z"}"#,
            br#"{"log":"{\"timestamp\":\"2026-11-28T04:51:39Z\",","stream":"stderr","time":"2026-11-28T04:51:39.1Z"}"#,
            br#"{"log":"\"level\":\"ERROR\"}\r\n","stream":"stderr","time":"2026-11-28T04:51:39.1Z"}"#,
            br#"{"log": 42}"#,
        ];
        assert_eq!(
            lines(&records, 1000),
            [
                r#"line {"timestamp":"2026-11-28T04:51:38Z","level":"INFO"}"#,
                "part",
                r#"line {"timestamp":"2026-11-28T04:51:39Z","level":"ERROR"}"#,
                r#"plain {"log": 42}"#,
            ]
        );
    }

    #[test]
    fn cri_records_are_unwrapped_and_p_parts_joined_until_f() {
        // The CRI log format's own example line, then a line cut in three.
        let records: [&[u8]; 7] = [
            b"2016-10-06T00:17:09.669794202Z stdout F log content 1",
            b"2016-10-06T00:17:09.669794203Z stderr P {\"a\":",
            b"2016-10-06T00:17:09.669794204Z stderr P \"b\",",
            b"2016-10-06T00:17:09.669794204Z stdout F standard output between",
            b"2016-10-06T00:17:09.669794205Z stderr F \"c\":1}",
            b"2016-10-06T00:17:10Z stdout F",
            b"2016-10-06 not a record",
        ];
        assert_eq!(
            lines(&records, 1000),
            [
                "line log content 1",
                "part",
                "part",
                "line standard output between",
                r#"line {"a":"b","c":1}"#,
                "line ",
                "plain 2016-10-06 not a record",
            ]
        );
    }

    #[test]
    fn parts_past_the_limit_are_one_line_too_long_and_the_next_is_read() {
        let part = b"2016-10-06T00:17:09.669794202Z stdout P 0123456789";
        let last = b"2016-10-06T00:17:09.669794202Z stdout F 0123456789";
        let next = b"2016-10-06T00:17:09.669794202Z stdout F next";
        let records: Vec<&[u8]> = vec![part, part, part, last, next];
        assert_eq!(
            lines(&records, 25),
            ["part", "part", "part", "too long 40", "line next"]
        );
    }
}
