//! W3C Trace Context identifiers and flags, and the generator of new ids.

use std::cell::Cell;
use std::fmt;

/// A 16-byte trace id; all zeros is invalid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId([u8; 16]);

/// An 8-byte span (parent) id; all zeros is invalid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId([u8; 8]);

/// The `trace-flags` byte: bit 0 is `sampled`, bit 1 Level 2's `random` (the trace id's
/// right-most 7 bytes are random). Other bits are kept as received.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceId {
    /// All zeros: not a trace.
    pub const INVALID: TraceId = TraceId([0; 16]);

    /// The id whose bytes, most significant first, are `bytes` (the order of its hex form).
    pub const fn from_bytes(bytes: [u8; 16]) -> TraceId {
        TraceId(bytes)
    }

    /// The id's bytes, most significant first.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// Not all zeros.
    #[inline]
    pub fn is_valid(self) -> bool {
        self != TraceId::INVALID
    }

    /// A new id, random in all 16 bytes (so a root span sets [`TraceFlags::RANDOM`]).
    #[inline]
    pub fn random() -> TraceId {
        loop {
            // One 128-bit value rather than two halves copied into an array: the id is then
            // written with one store, and a copy of it that reads it whole does not stall.
            let value = u128::from(next_random()) << 64 | u128::from(next_random());
            if value != 0 {
                return TraceId(value.to_be_bytes());
            }
        }
    }

    /// Parses exactly 32 lowercase hex digits.
    pub fn from_hex(hex: &str) -> Option<TraceId> {
        decode_hex::<16>(hex).map(TraceId)
    }
}

impl SpanId {
    /// All zeros: not a span.
    pub const INVALID: SpanId = SpanId([0; 8]);

    /// The id whose bytes, most significant first, are `bytes` (the order of its hex form).
    pub const fn from_bytes(bytes: [u8; 8]) -> SpanId {
        SpanId(bytes)
    }

    /// The id's bytes, most significant first.
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0
    }

    /// Not all zeros.
    #[inline]
    pub fn is_valid(self) -> bool {
        self != SpanId::INVALID
    }

    /// A new, non-zero, random id.
    #[inline]
    pub fn random() -> SpanId {
        loop {
            let value = next_random();
            if value != 0 {
                return SpanId(value.to_be_bytes());
            }
        }
    }

    /// Parses exactly 16 lowercase hex digits.
    pub fn from_hex(hex: &str) -> Option<SpanId> {
        decode_hex::<8>(hex).map(SpanId)
    }
}

impl TraceFlags {
    /// Bit 0: the caller may have recorded the trace (the span was sampled).
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);
    /// Level 2: the trace id was generated with at least 7 random bytes on its right.
    pub const RANDOM: TraceFlags = TraceFlags(0x02);

    /// The flags of `byte`, every bit kept as it is.
    pub const fn new(byte: u8) -> TraceFlags {
        TraceFlags(byte)
    }

    /// The `trace-flags` byte.
    pub const fn to_u8(self) -> u8 {
        self.0
    }

    /// Whether the `sampled` bit is set.
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// Whether Level 2's `random` bit is set.
    pub const fn is_random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }

    /// These flags with the `sampled` bit set or cleared.
    #[must_use]
    pub const fn with_sampled(self, sampled: bool) -> TraceFlags {
        if sampled {
            TraceFlags(self.0 | Self::SAMPLED.0)
        } else {
            TraceFlags(self.0 & !Self::SAMPLED.0)
        }
    }

    /// These flags with the `random` bit set or cleared.
    #[must_use]
    pub const fn with_random(self, random: bool) -> TraceFlags {
        if random {
            TraceFlags(self.0 | Self::RANDOM.0)
        } else {
            TraceFlags(self.0 & !Self::RANDOM.0)
        }
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(encode_hex(&self.0, &mut [0; 32]))
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(encode_hex(&self.0, &mut [0; 16]))
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

impl fmt::Display for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(encode_hex(&[self.0], &mut [0; 2]))
    }
}

impl fmt::Debug for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceFlags({:#04x})", self.0)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes` in `out`, which is exactly twice as long.
pub(crate) fn encode_hex<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a str {
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
    // Only ASCII hex digits were written.
    std::str::from_utf8(out).unwrap_or_default()
}

/// Exactly `2 * N` lowercase hex digits; W3C Trace Context rejects uppercase.
pub(crate) fn decode_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let digits = hex.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut bytes = [0; N];
    // Every digit is looked up, and the lookups or-ed together: one test at the end finds an
    // invalid one, instead of a branch per digit.
    let mut invalid = 0;
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (
            HEX_VALUE[usize::from(pair[0])],
            HEX_VALUE[usize::from(pair[1])],
        );
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (invalid & NOT_HEX == 0).then_some(bytes)
}

/// Marks a byte that is not a lowercase hex digit in [`HEX_VALUE`].
const NOT_HEX: u8 = 0x80;

/// The value of each lowercase hex digit, [`NOT_HEX`] for every other byte.
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut digit = 0;
    while digit < 16 {
        table[HEX[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};

/// A per-thread wyrand generator: one word of state, seeded from the OS-keyed `RandomState`,
/// the thread and the clock. Ids are unguessable enough for tracing (as OpenTelemetry's are:
/// not a cryptographic generator) and cost a nanosecond or two.
#[inline]
fn next_random() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    STATE
        .try_with(|state| {
            let mut current = state.get();
            if current == 0 {
                current = seed_material() | 1;
            }
            let (next, value) = wyrand(current);
            state.set(next);
            value
        })
        .unwrap_or_else(|_| wyrand(seed_material()).1)
}

/// One step of wyrand: the next state and a random word.
fn wyrand(state: u64) -> (u64, u64) {
    let next = state.wrapping_add(0xa076_1d64_78bd_642f);
    let product = u128::from(next) * u128::from(next ^ 0xe703_7ed1_a0b4_28db);
    (next, ((product >> 64) as u64) ^ (product as u64))
}

fn seed_material() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(crate::capture::now_nanos());
    if let Ok(elapsed) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(elapsed.as_nanos());
    }
    let local = 0u8;
    hasher.write_usize(std::ptr::addr_of!(local) as usize);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_round_trip_through_lowercase_hex() {
        let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(trace.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        let span = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        assert_eq!(span.to_string(), "00f067aa0ba902b7");
        assert_eq!(TraceFlags::new(1).to_string(), "01");
    }

    #[test]
    fn uppercase_wrong_lengths_and_non_hex_are_rejected() {
        assert!(TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").is_none());
        assert!(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e473").is_none());
        assert!(SpanId::from_hex("00f067aa0ba902b").is_none());
        assert!(SpanId::from_hex("00f067aa0ba902bz").is_none());
        assert!(SpanId::from_hex("00f067aa0ba902b7 ").is_none());
        assert!(SpanId::from_hex("ü0f067aa0ba902b").is_none());
    }

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let traces: HashSet<TraceId> = (0..10_000).map(|_| TraceId::random()).collect();
        assert_eq!(traces.len(), 10_000);
        assert!(traces.iter().all(|id| id.is_valid()));
        let spans: HashSet<SpanId> = (0..10_000).map(|_| SpanId::random()).collect();
        assert_eq!(spans.len(), 10_000);
        let other_thread = std::thread::spawn(SpanId::random).join().unwrap();
        assert!(!spans.contains(&other_thread));
    }

    #[test]
    fn flags_keep_unknown_bits() {
        let flags = TraceFlags::new(0b1000_0001);
        assert!(flags.is_sampled());
        assert!(!flags.is_random());
        assert_eq!(flags.with_sampled(false).to_u8(), 0b1000_0000);
        assert_eq!(flags.with_random(true).to_u8(), 0b1000_0011);
    }
}
