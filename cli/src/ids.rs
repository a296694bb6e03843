//! W3C trace and span ids, as the sources write them: lowercase hex in our log lines and in
//! OTLP/JSON, base64 in Tempo's v1 answers (protobuf's own JSON mapping of `bytes`).

use base64::Engine as _;
use std::fmt;

/// A 128-bit trace id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId(pub u128);

/// A 64-bit span id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(pub u64);

impl TraceId {
    /// 32 hex digits (either case), 16 (a 64-bit id, as Jaeger's older clients made), or the
    /// base64 of 16 bytes. All zeros is not a trace id.
    pub fn parse(text: &str) -> Option<TraceId> {
        let text = text.trim();
        let value = match text.len() {
            32 | 16 => hex_value(text.as_bytes())?,
            _ => u128::from_be_bytes(decode_base64::<16>(text)?),
        };
        (value != 0).then_some(TraceId(value))
    }

    /// 32 or 16 hex digits, as raw bytes: the hot path of reading every line's id.
    pub fn from_hex_bytes(hex: &[u8]) -> Option<TraceId> {
        if hex.len() != 32 && hex.len() != 16 {
            return None;
        }
        hex_value(hex).filter(|&value| value != 0).map(TraceId)
    }
}

impl SpanId {
    /// 16 hex digits (either case) or the base64 of 8 bytes. All zeros is not a span id (OTLP
    /// writes it, or an empty string, for "no parent").
    pub fn parse(text: &str) -> Option<SpanId> {
        let text = text.trim();
        let value = match text.len() {
            16 => hex_value(text.as_bytes())? as u64,
            _ => u64::from_be_bytes(decode_base64::<8>(text)?),
        };
        (value != 0).then_some(SpanId(value))
    }
}

/// The value of up to 32 hex digits, or `None` if one is not a hex digit.
fn hex_value(hex: &[u8]) -> Option<u128> {
    let mut value = 0u128;
    for &digit in hex {
        let nibble = match digit {
            b'0'..=b'9' => digit - b'0',
            b'a'..=b'f' => digit - b'a' + 10,
            b'A'..=b'F' => digit - b'A' + 10,
            _ => return None,
        };
        value = (value << 4) | u128::from(nibble);
    }
    Some(value)
}

impl From<tracefault_report::TraceId> for TraceId {
    fn from(id: tracefault_report::TraceId) -> TraceId {
        TraceId(u128::from_be_bytes(id.0))
    }
}

impl From<tracefault_report::SpanId> for SpanId {
    fn from(id: tracefault_report::SpanId) -> SpanId {
        SpanId(u64::from_be_bytes(id.0))
    }
}

/// Hashes ids (random by construction) with one multiplication, keyed per process so that
/// ids chosen by a hostile log cannot be made to collide in a known way; SipHash, the
/// standard maps' hasher, was a fifth of reading a line's id.
#[derive(Clone, Copy, Debug)]
pub struct IdHashBuilder {
    key: u64,
}

impl Default for IdHashBuilder {
    fn default() -> IdHashBuilder {
        use std::hash::BuildHasher as _;
        static KEY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let key =
            *KEY.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        IdHashBuilder { key: key | 1 }
    }
}

impl std::hash::BuildHasher for IdHashBuilder {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher { state: self.key }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct IdHasher {
    state: u64,
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let mixed = (self.state ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.state = mixed ^ (mixed >> 29);
    }

    fn write_u128(&mut self, value: u128) {
        self.write_u64(value as u64);
        self.write_u64((value >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

/// A map keyed by ids.
pub type IdMap<K, V> = std::collections::HashMap<K, V, IdHashBuilder>;

fn decode_base64<const N: usize>(text: &str) -> Option<[u8; N]> {
    // 16 bytes are 24 characters, 8 bytes 12: nothing longer is worth decoding.
    if text.is_empty() || text.len() > 32 {
        return None;
    }
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    // Protobuf's JSON mapping writes standard base64 and reads the URL-safe alphabet too, and
    // so does Jaeger: an id copied from either is the same id. The alphabets differ only in
    // `+/` against `-_`, so at most one of them decodes a given text.
    let engine = if text.contains(['-', '_']) {
        [URL_SAFE, URL_SAFE_NO_PAD]
    } else {
        [STANDARD, STANDARD_NO_PAD]
    };
    let bytes = engine[0]
        .decode(text)
        .or_else(|_| engine[1].decode(text))
        .ok()?;
    bytes.try_into().ok()
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl serde::Serialize for TraceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl serde::Serialize for SpanId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_in_either_case_and_base64_are_the_same_id() {
        let hex = TraceId::parse("5b8efff798038103d269b633813fc60c").unwrap();
        assert_eq!(
            TraceId::parse("5B8EFFF798038103D269B633813FC60C"),
            Some(hex)
        );
        assert_eq!(TraceId::parse("W47/95gDgQPSabYzgT/GDA=="), Some(hex));
        assert_eq!(hex.to_string(), "5b8efff798038103d269b633813fc60c");
        let span = SpanId::parse("eee19b7ec3c1b174").unwrap();
        assert_eq!(SpanId::parse("7uGbfsPBsXQ="), Some(span));
        assert_eq!(span.to_string(), "eee19b7ec3c1b174");
        // The URL-safe alphabet, with and without padding, as Jaeger and protobuf accept it.
        assert_eq!(TraceId::parse("W47_95gDgQPSabYzgT_GDA=="), Some(hex));
        assert_eq!(TraceId::parse("W47_95gDgQPSabYzgT_GDA"), Some(hex));
        assert_eq!(TraceId::parse("W47/95gDgQPSabYzgT/GDA"), Some(hex));
        // Mixed alphabets are no encoding at all.
        assert_eq!(TraceId::parse("W47_95gDgQPSabYzgT/GDA=="), None);
    }

    #[test]
    fn zeros_empty_and_junk_are_no_id() {
        assert_eq!(TraceId::parse("00000000000000000000000000000000"), None);
        assert_eq!(SpanId::parse("0000000000000000"), None);
        assert_eq!(SpanId::parse(""), None);
        assert_eq!(SpanId::parse("+eee19b7ec3c1b17"), None);
        assert_eq!(TraceId::parse("not an id at all"), None);
        assert_eq!(SpanId::parse(&"A".repeat(10_000)), None);
    }

    #[test]
    fn a_64_bit_trace_id_is_zero_extended() {
        assert_eq!(
            TraceId::parse("d269b633813fc60c").unwrap().to_string(),
            "0000000000000000d269b633813fc60c"
        );
    }
}
