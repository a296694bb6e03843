//! The `traceparent` header: `version-traceid-parentid-flags`, W3C Trace Context Level 2.

use crate::context::{SpanId, TraceFlags, TraceId};
use std::fmt;

/// The fields of a valid `traceparent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    /// The trace the caller's span belongs to.
    pub trace_id: TraceId,
    /// The id of the caller's span: the parent of the span that receives it.
    pub parent_id: SpanId,
    /// The `trace-flags` byte, unknown bits kept.
    pub flags: TraceFlags,
}

/// Why a `traceparent` was rejected; a receiver then starts a new trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceParentError {
    /// Shorter than 55 characters, longer than 55 for version `00` or than
    /// [`MAX_LENGTH`] for any.
    Length,
    /// A field that is not lowercase hex of its length, or a missing `-` between fields.
    Format,
    /// Version `ff`, which is never valid.
    Version,
    /// An all-zero trace id.
    ZeroTraceId,
    /// An all-zero parent id.
    ZeroParentId,
}

impl fmt::Display for TraceParentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TraceParentError::Length => "traceparent has the wrong length",
            TraceParentError::Format => {
                "traceparent is not version-traceid-parentid-flags in lowercase hex"
            }
            TraceParentError::Version => "traceparent version ff is invalid",
            TraceParentError::ZeroTraceId => "traceparent trace id is all zeros",
            TraceParentError::ZeroParentId => "traceparent parent id is all zeros",
        })
    }
}

impl std::error::Error for TraceParentError {}

/// `00-` + 32 + `-` + 16 + `-` + 2.
const LENGTH: usize = 55;

/// A longer value is rejected unread: ten times what version `00` needs leaves room for what
/// a later version may add, and the specification lets a receiver refuse a prohibitively
/// large header, so that no value costs more than this to look at.
pub const MAX_LENGTH: usize = 10 * LENGTH;

impl TraceParent {
    /// Parses one header value. Spaces and tabs around it are optional whitespace. A version
    /// above `00` is read by the forward-compatibility rules: the four fields at their fixed
    /// offsets, then either the end or a `-` and whatever a later version adds. A value longer
    /// than [`MAX_LENGTH`] is invalid.
    ///
    /// ```
    /// use tracefault::propagation::traceparent::TraceParent;
    /// let parent = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert!(parent.flags.is_sampled());
    /// assert!(TraceParent::parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_err());
    /// ```
    pub fn parse(header: &str) -> Result<TraceParent, TraceParentError> {
        TraceParent::parse_bytes(header.as_bytes())
    }

    /// [`TraceParent::parse`] for a value as the carrier holds it.
    pub(crate) fn parse_bytes(header: &[u8]) -> Result<TraceParent, TraceParentError> {
        if header.len() > MAX_LENGTH {
            return Err(TraceParentError::Length);
        }
        let bytes = crate::context::trim_ows(header);
        if bytes.len() < LENGTH {
            return Err(TraceParentError::Length);
        }
        // Every field below is sliced at a fixed offset: only ASCII has them on char boundaries.
        let fields = match std::str::from_utf8(&bytes[..LENGTH]) {
            Ok(fields) if fields.is_ascii() => fields,
            _ => return Err(TraceParentError::Format),
        };
        let version = decode_byte(&fields[0..2]).ok_or(TraceParentError::Format)?;
        if version == 0xff {
            return Err(TraceParentError::Version);
        }
        if bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
            return Err(TraceParentError::Format);
        }
        match (version, bytes.get(LENGTH)) {
            (_, None) => {}
            (0, Some(_)) => return Err(TraceParentError::Length),
            (_, Some(b'-')) => {}
            (_, Some(_)) => return Err(TraceParentError::Format),
        }
        let trace_id = TraceId::from_hex(&fields[3..35]).ok_or(TraceParentError::Format)?;
        let parent_id = SpanId::from_hex(&fields[36..52]).ok_or(TraceParentError::Format)?;
        let flags = decode_byte(&fields[53..55]).ok_or(TraceParentError::Format)?;
        if !trace_id.is_valid() {
            return Err(TraceParentError::ZeroTraceId);
        }
        if !parent_id.is_valid() {
            return Err(TraceParentError::ZeroParentId);
        }
        Ok(TraceParent {
            trace_id,
            parent_id,
            flags: TraceFlags::new(flags),
        })
    }

    /// The header value, always version `00`, with only the flags that version defines.
    pub fn header(&self) -> String {
        let mut header = [0; LENGTH];
        header[..3].copy_from_slice(b"00-");
        write_hex(&self.trace_id.to_bytes(), &mut header[3..35]);
        header[35] = b'-';
        write_hex(&self.parent_id.to_bytes(), &mut header[36..52]);
        header[52] = b'-';
        write_hex(&[self.propagated_flags().to_u8()], &mut header[53..]);
        // Only ASCII was written; it is checked once, here.
        String::from_utf8(header.to_vec()).unwrap_or_default()
    }

    /// The flags version `00` defines: `sampled` and `random`.
    fn propagated_flags(&self) -> TraceFlags {
        TraceFlags::new(
            self.flags.to_u8() & (TraceFlags::SAMPLED.to_u8() | TraceFlags::RANDOM.to_u8()),
        )
    }
}

/// `00-<trace-id>-<parent-id>-<flags>`.
impl fmt::Display for TraceParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())
    }
}

/// The lowercase hex of `bytes` in `out`, which is exactly twice as long.
fn write_hex(bytes: &[u8], out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
}

fn decode_byte(hex: &str) -> Option<u8> {
    crate::context::decode_hex::<1>(hex).map(|[byte]| byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_specification_example_round_trips() {
        let parent = TraceParent::parse(VALID).unwrap();
        assert_eq!(
            parent.trace_id.to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(parent.parent_id.to_string(), "00f067aa0ba902b7");
        assert!(parent.flags.is_sampled());
        assert_eq!(parent.header(), VALID);
        let unsampled =
            TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
        assert!(!unsampled.flags.is_sampled());
    }

    #[test]
    fn optional_whitespace_around_the_value_is_ignored() {
        for header in [
            " 00-12345678901234567890123456789012-1234567890123456-01",
            "\t00-12345678901234567890123456789012-1234567890123456-01 \t",
        ] {
            assert!(TraceParent::parse(header).is_ok(), "{header:?}");
        }
    }

    #[test]
    fn malformed_values_are_rejected() {
        let cases = [
            ("", TraceParentError::Length),
            (
                "00-12345678901234567890123456789012-1234567890123456-0",
                TraceParentError::Length,
            ),
            (
                "00-12345678901234567890123456789012-1234567890123456-001",
                TraceParentError::Length,
            ),
            (
                "00-12345678901234567890123456789012-1234567890123456-01-",
                TraceParentError::Length,
            ),
            (
                "00-1234567890123456789012345678901-21234567890123456-01",
                TraceParentError::Format,
            ),
            (
                "00-12345678901234567890123456789012-123456789012345-601",
                TraceParentError::Format,
            ),
            (
                "00-ABCDEF78901234567890123456789012-1234567890123456-01",
                TraceParentError::Format,
            ),
            (
                "00-12345678901234567890123456789012-1234567890123456-0.",
                TraceParentError::Format,
            ),
            (
                "0.-12345678901234567890123456789012-1234567890123456-01",
                TraceParentError::Format,
            ),
            (
                "00_12345678901234567890123456789012-1234567890123456-01",
                TraceParentError::Format,
            ),
            (
                "ü0-12345678901234567890123456789012-1234567890123456-0",
                TraceParentError::Format,
            ),
            (
                "00-1234567890123456789012345678901ü-1234567890123456-0",
                TraceParentError::Format,
            ),
            (
                "ff-12345678901234567890123456789012-1234567890123456-01",
                TraceParentError::Version,
            ),
            (
                "00-00000000000000000000000000000000-1234567890123456-01",
                TraceParentError::ZeroTraceId,
            ),
            (
                "00-12345678901234567890123456789012-0000000000000000-01",
                TraceParentError::ZeroParentId,
            ),
        ];
        for (header, error) in cases {
            assert_eq!(TraceParent::parse(header), Err(error), "{header:?}");
        }
    }

    #[test]
    fn a_value_longer_than_the_limit_is_rejected_unread() {
        let future = "cc-12345678901234567890123456789012-1234567890123456-01-";
        let at_limit = format!("{future}{}", "x".repeat(MAX_LENGTH - future.len()));
        assert!(TraceParent::parse(&at_limit).is_ok());
        assert_eq!(
            TraceParent::parse(&format!("{at_limit}x")),
            Err(TraceParentError::Length)
        );
        let padded = format!("{VALID}{}", " ".repeat(MAX_LENGTH));
        assert_eq!(TraceParent::parse(&padded), Err(TraceParentError::Length));
        assert_eq!(
            TraceParent::parse_bytes(b"00-\xff2345678901234567890123456789012-1234567890123456-01"),
            Err(TraceParentError::Format)
        );
    }

    #[test]
    fn later_versions_are_read_by_the_forward_compatibility_rules() {
        let future =
            "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like";
        let parent = TraceParent::parse(future).unwrap();
        assert_eq!(
            parent.trace_id.to_string(),
            "12345678901234567890123456789012"
        );
        assert_eq!(
            parent.header(),
            "00-12345678901234567890123456789012-1234567890123456-01"
        );
        assert!(
            TraceParent::parse("cc-12345678901234567890123456789012-1234567890123456-01").is_ok()
        );
        assert_eq!(
            TraceParent::parse("cc-12345678901234567890123456789012-1234567890123456-01.what"),
            Err(TraceParentError::Format)
        );
    }

    #[test]
    fn flags_undefined_in_version_00_are_not_propagated() {
        let parent =
            TraceParent::parse("00-12345678901234567890123456789012-1234567890123456-ff").unwrap();
        assert!(parent.flags.is_sampled() && parent.flags.is_random());
        assert!(parent.header().ends_with("-03"));
    }
}
