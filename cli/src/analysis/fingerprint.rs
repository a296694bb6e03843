//! Which reports are the same error: the exception type and the module and function of the
//! application's frames (the span trace's instrumented functions, else the backtrace's in-app
//! frames), without line numbers, so that an edit that moves a line or a message
//! that varies (an id, a sku) does not split a group. The message is used only when there
//! are no frames to go by. This is Sentry's grouping by stack trace; grouping by type and
//! message (SigNoz) splits one bug into as many groups as it has messages.
//!
//! A report with causes is also told apart by its root cause, the deepest of its `source()`
//! chain: its type, the service it ran in, and its origin (the innermost of its own
//! application frames, a callee's frames when it came from one), else its message with the
//! numbers taken out. A layer that wraps every failure in one type (`anyhow`'s `.context(...)`,
//! a `RemoteError` for whatever the callee said) would otherwise put a callee's 500, a timeout
//! and a callee's panic into one group, because their outer type and path are the same. This
//! is what Sentry's grouping of chained exceptions does with the chain; we take only its root,
//! because the wrappers between are the path already hashed.

use crate::model::{Cause, Report};
use serde::Serialize;
use std::fmt;

/// A stable 64-bit hash of what makes reports the same error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    pub fn of(report: &Report) -> Fingerprint {
        let mut hash = Fnv1a::new();
        hash.write(report.type_name.as_bytes());
        // The application's path through the code: the span trace's functions, which every
        // tracefault report has (whether or not its backtrace was captured: captures are
        // rate-limited, and a group must not split on that), else the backtrace's in-app
        // frames (reports from elsewhere), else nothing but the message.
        let span_trace: Vec<&str> = report
            .span_trace
            .iter()
            .map(|entry| function_identity(&entry.function))
            .collect();
        let frames: Vec<&str> = report
            .frames
            .iter()
            .filter(|frame| frame.user)
            .map(|frame| function_identity(&frame.function))
            .collect();
        let path = if span_trace.is_empty() {
            frames
        } else {
            span_trace
        };
        if path.is_empty() {
            hash.write(b"\0message\0");
            hash.write(report.message.as_bytes());
        }
        for function in path {
            hash.write(b"\0");
            hash.write(function.as_bytes());
        }
        if let Some(root) = report.causes.last() {
            root_cause(&mut hash, root);
        }
        Fingerprint(hash.finish())
    }
}

/// What tells one root cause from another: its type, its service, and its origin; its message,
/// numbers out, only when neither its type nor its origin is known (an untyped cause from
/// another service, or a library error read back as text), so that an id or a port in it does
/// not split a group.
fn root_cause(hash: &mut Fnv1a, root: &Cause) {
    hash.write(b"\0root\0");
    if let Some(type_name) = &root.type_name {
        hash.write(type_name.as_bytes());
    }
    if let Some(service) = &root.service {
        hash.write(b"\0service\0");
        hash.write(service.as_bytes());
    }
    let origin = root
        .frames
        .iter()
        .rev()
        .find(|frame| frame.user)
        .map(|frame| function_identity(&frame.function));
    if let Some(origin) = origin {
        hash.write(b"\0origin\0");
        hash.write(origin.as_bytes());
    }
    if root.type_name.is_none() && origin.is_none() {
        hash.write(b"\0message\0");
        let mut in_number = false;
        for byte in root.message.bytes() {
            let digit = byte.is_ascii_digit();
            if !(digit && in_number) {
                hash.write(&[if digit { b'0' } else { byte }]);
            }
            in_number = digit;
        }
    }
}

/// A function's name without what varies between builds: the legacy mangling's hash
/// (`::h0123456789abcdef`).
fn function_identity(function: &str) -> &str {
    match function.rsplit_once("::h") {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => function,
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// FNV-1a: stable across runs and Rust releases, unlike `DefaultHasher`, so that a
/// fingerprint printed today finds the same group tomorrow.
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    pub(crate) fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Frame, SpanTraceEntry};

    fn report(type_name: &str, message: &str, frames: &[(&str, u32, bool)]) -> Report {
        Report {
            type_name: type_name.to_owned(),
            message: message.to_owned(),
            frames: frames
                .iter()
                .map(|&(function, line, user)| Frame {
                    function: function.to_owned(),
                    file: Some("src/lib.rs".to_owned()),
                    line: Some(line),
                    user,
                    source: None,
                })
                .collect(),
            ..Report::default()
        }
    }

    #[test]
    fn lines_messages_runtime_frames_and_hashes_do_not_split_a_group() {
        let one = report(
            "StockError",
            "sku 42",
            &[("shop::reserve", 10, true), ("tokio::run", 1, false)],
        );
        let moved = report(
            "StockError",
            "sku 43",
            &[("shop::reserve::h0123456789abcdef", 12, true)],
        );
        assert_eq!(Fingerprint::of(&one), Fingerprint::of(&moved));
    }

    #[test]
    fn another_type_or_another_path_is_another_group() {
        let one = report("StockError", "m", &[("shop::reserve", 10, true)]);
        let other_type = report("IoError", "m", &[("shop::reserve", 10, true)]);
        let other_path = report("StockError", "m", &[("shop::release", 10, true)]);
        assert_ne!(Fingerprint::of(&one), Fingerprint::of(&other_type));
        assert_ne!(Fingerprint::of(&one), Fingerprint::of(&other_path));
    }

    #[test]
    fn a_report_whose_backtrace_was_not_captured_joins_its_group() {
        let mut captured = report(
            "E",
            "a",
            &[("shop::handler", 3, true), ("shop::reserve", 9, true)],
        );
        captured.span_trace.push(SpanTraceEntry {
            function: "shop::reserve".to_owned(),
            ..SpanTraceEntry::default()
        });
        let mut rate_limited = captured.clone();
        rate_limited.frames.clear();
        assert_eq!(Fingerprint::of(&captured), Fingerprint::of(&rate_limited));
    }

    /// A caller's handler wraps every failure of its callee with `anyhow`'s `.context(...)`:
    /// the same outer type and path, three root causes.
    #[test]
    fn errors_wrapped_alike_are_told_apart_by_their_root_cause() {
        let wrapped = |causes: Vec<Cause>| Report {
            causes,
            ..report(
                "anyhow::Error",
                "pricing the order failed",
                &[("shop::checkout", 40, true), ("shop::price", 12, true)],
            )
        };
        let cause = |type_name: Option<&str>, message: &str, service: Option<&str>| Cause {
            type_name: type_name.map(str::to_owned),
            message: message.to_owned(),
            service: service.map(str::to_owned),
            ..Cause::default()
        };
        let remote = cause(
            Some("tracefault::RemoteError"),
            "pricing answered 500",
            None,
        );
        let origin_at = |function: &str| {
            vec![
                Frame {
                    function: "pricing::handler".to_owned(),
                    user: true,
                    ..Frame::default()
                },
                Frame {
                    function: function.to_owned(),
                    user: true,
                    ..Frame::default()
                },
            ]
        };
        let server_error = |sku: u32| {
            wrapped(vec![
                remote.clone(),
                Cause {
                    frames: origin_at("pricing::load_table"),
                    ..cause(
                        Some("serde_json::Error"),
                        &format!("invalid type for sku {sku}"),
                        Some("pricing"),
                    )
                },
            ])
        };
        let timeout = wrapped(vec![
            cause(
                None,
                "error sending request for url (http://127.0.0.1:7001/price/42)",
                None,
            ),
            cause(None, "operation timed out after 3000 ms", None),
        ]);
        let remote_panic = wrapped(vec![
            remote.clone(),
            Cause {
                frames: origin_at("pricing::discount"),
                ..cause(
                    Some("panic"),
                    "index out of bounds: the len is 3 but the index is 7",
                    Some("pricing"),
                )
            },
        ]);
        let groups = [
            Fingerprint::of(&server_error(42)),
            Fingerprint::of(&timeout),
            Fingerprint::of(&remote_panic),
        ];
        assert_ne!(groups[0], groups[1]);
        assert_ne!(groups[0], groups[2]);
        assert_ne!(groups[1], groups[2]);

        // The same root cause with another message, and an untyped one with other numbers,
        // stay in their group.
        assert_eq!(Fingerprint::of(&server_error(7)), groups[0]);
        let mut later_timeout = timeout.clone();
        later_timeout.causes[1].message = "operation timed out after 250 ms".to_owned();
        later_timeout.causes[0].message =
            "error sending request for url (http://127.0.0.1:7002/price/7)".to_owned();
        assert_eq!(Fingerprint::of(&later_timeout), groups[1]);
        let mut other_timeout = timeout;
        other_timeout.causes[1].message = "connection refused".to_owned();
        assert_ne!(Fingerprint::of(&other_timeout), groups[1]);
    }

    #[test]
    fn without_frames_the_span_trace_then_the_message_decide() {
        let mut traced = report("E", "a", &[]);
        traced.span_trace.push(SpanTraceEntry {
            function: "shop::reserve".to_owned(),
            ..SpanTraceEntry::default()
        });
        let mut traced_other_message = traced.clone();
        traced_other_message.message = "b".to_owned();
        assert_eq!(
            Fingerprint::of(&traced),
            Fingerprint::of(&traced_other_message)
        );
        assert_ne!(
            Fingerprint::of(&report("E", "a", &[])),
            Fingerprint::of(&report("E", "b", &[]))
        );
    }
}
