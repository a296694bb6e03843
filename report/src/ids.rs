//! The W3C ids a report names, as its lines write them: lowercase hex, all zeros meaning none.

use core::fmt;

/// A 16-byte W3C trace id.
///
/// ```
/// use tracefault_report::TraceId;
/// let id = TraceId::parse("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(TraceId::parse("00000000000000000000000000000000"), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId(pub [u8; 16]);

/// An 8-byte W3C span id.
///
/// ```
/// use tracefault_report::SpanId;
/// let id = SpanId::parse("00f067aa0ba902b7").unwrap();
/// assert_eq!(id.to_string(), "00f067aa0ba902b7");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(pub [u8; 8]);

impl TraceId {
    /// Exactly 32 hex digits (either case), not all zeros.
    pub fn parse(hex: &str) -> Option<TraceId> {
        decode_hex(hex.as_bytes()).map(TraceId)
    }
}

impl SpanId {
    /// Exactly 16 hex digits (either case), not all zeros.
    pub fn parse(hex: &str) -> Option<SpanId> {
        decode_hex(hex.as_bytes()).map(SpanId)
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

fn decode_hex<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let nibble = |digit: u8| match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    };
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    (bytes != [0; N]).then_some(bytes)
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 32];
    for (pair, byte) in text.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    // Only ASCII digits were written.
    f.write_str(core::str::from_utf8(&text[..2 * bytes.len()]).map_err(|_| fmt::Error)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_exact_hex_and_write_it_back_lowercase() {
        assert_eq!(
            SpanId::parse("00F067AA0BA902B7").unwrap().to_string(),
            "00f067aa0ba902b7"
        );
        assert_eq!(SpanId::parse("00f067aa0ba902b"), None);
        assert_eq!(SpanId::parse("00f067aa0ba902bz"), None);
        assert_eq!(SpanId::parse("0000000000000000"), None);
        assert_eq!(TraceId::parse("4bf92f3577b34da6"), None);
    }
}
