//! The `tracestate` header: vendor-specific trace data, W3C Trace Context Level 2.

use std::fmt;
use std::sync::Arc;

/// At most this many members; a header with more is dropped whole.
pub const MAX_MEMBERS: usize = 32;

/// The longest valid list: 32 members of a 256-byte key, `=`, a 256-byte value, and commas.
const MAX_TEXT: usize = MAX_MEMBERS * (256 + 1 + 256 + 1);

/// The ordered `key=value` members of a `tracestate`, leftmost most recent.
///
/// Cheap to clone (shared), and empty unless a caller sent one or a vendor added a member.
///
/// ```
/// use tracefault::context::TraceState;
/// let state = TraceState::parse(["rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE"]).unwrap();
/// assert_eq!(state.get("congo"), Some("t61rcWkgMzE"));
/// let ours = state.insert("tracefault", "s1").unwrap();
/// assert_eq!(ours.header().unwrap(), "tracefault=s1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TraceState(Option<Arc<Members>>);

impl TraceState {}

/// The members as one header value, with where each member's key and value are in it: the
/// whole list in one string, and the header to send is already written.
#[derive(PartialEq, Eq)]
struct Members {
    text: String,
    /// `(start, equals sign, end)` of each member in `text`; the longest list is 16 KiB.
    bounds: [(u16, u16, u16); MAX_MEMBERS],
    len: usize,
}

impl Members {
    fn new(capacity: usize) -> Members {
        Members {
            text: String::with_capacity(capacity),
            bounds: [(0, 0, 0); MAX_MEMBERS],
            len: 0,
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bounds[..self.len].iter().map(|&(start, equals, end)| {
            let (start, equals, end) = (usize::from(start), usize::from(equals), usize::from(end));
            (&self.text[start..equals], &self.text[equals + 1..end])
        })
    }

    /// Adds `member`, a valid `key=value` whose `=` is at `equals`, in one copy.
    fn push_member(&mut self, member: &str, equals: usize) {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        let start = self.text.len();
        self.text.push_str(member);
        // At most 32 members of at most 513 bytes: the offsets fit, and there is room.
        if let Some(bounds) = self.bounds.get_mut(self.len) {
            *bounds = (
                start as u16,
                (start + equals) as u16,
                self.text.len() as u16,
            );
            self.len += 1;
        }
    }

    fn push(&mut self, key: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        let start = self.text.len();
        self.text.push_str(key);
        let equals = self.text.len();
        self.text.push('=');
        self.text.push_str(value);
        // At most 32 members of at most 513 bytes: the offsets fit, and there is room.
        if let Some(bounds) = self.bounds.get_mut(self.len) {
            *bounds = (start as u16, equals as u16, self.text.len() as u16);
            self.len += 1;
        }
    }
}

/// Why a `tracestate` was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceStateError {
    /// A member that is not `key=value` with a valid key and value.
    Member,
    /// A key that appears twice.
    DuplicateKey,
    /// More than [`MAX_MEMBERS`] members.
    TooManyMembers,
}

impl fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TraceStateError::Member => "tracestate has a malformed member",
            TraceStateError::DuplicateKey => "tracestate has a duplicated key",
            TraceStateError::TooManyMembers => "tracestate has more than 32 members",
        })
    }
}

impl std::error::Error for TraceStateError {}

/// Reads the values of a request's `tracestate` headers one at a time, as a carrier yields
/// them, into one list.
#[derive(Debug, Default)]
pub struct TraceStateParser {
    members: Option<Members>,
    error: Option<TraceStateError>,
}

impl fmt::Debug for Members {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TraceStateParser {
    /// Adds the members of one header value. After an error, further values are ignored.
    pub fn feed(&mut self, header: &str) -> Result<(), TraceStateError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let result = self.feed_members(header);
        if let Err(error) = result {
            self.error = Some(error);
            self.members = None;
        }
        result
    }

    /// One pass over the bytes: members are found by their commas, and each is copied into
    /// the list whole.
    fn feed_members(&mut self, header: &str) -> Result<(), TraceStateError> {
        let mut rest = header;
        loop {
            let (member, next) = match rest.as_bytes().iter().position(|&byte| byte == b',') {
                // Commas are ASCII: both sides are on character boundaries.
                Some(comma) => (&rest[..comma], Some(&rest[comma + 1..])),
                None => (rest, None),
            };
            let member = trim_ows(member);
            if !member.is_empty() {
                let members = self
                    .members
                    .get_or_insert_with(|| Members::new(header.len().min(MAX_TEXT)));
                if members.len == MAX_MEMBERS {
                    return Err(TraceStateError::TooManyMembers);
                }
                let equals = member
                    .as_bytes()
                    .iter()
                    .position(|&byte| byte == b'=')
                    .ok_or(TraceStateError::Member)?;
                let (key, value) = (&member[..equals], &member[equals + 1..]);
                if !is_valid_key(key) || !is_valid_value(value) {
                    return Err(TraceStateError::Member);
                }
                if members.iter().any(|(known, _)| known == key) {
                    return Err(TraceStateError::DuplicateKey);
                }
                members.push_member(member, equals);
            }
            match next {
                Some(next) => rest = next,
                None => return Ok(()),
            }
        }
    }

    /// The list, or why it was dropped.
    pub fn finish(self) -> Result<TraceState, TraceStateError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(TraceState(self.members.map(Arc::new))),
        }
    }
}

impl TraceState {
    /// Parses the values of every `tracestate` header of a request, in order, as one list.
    /// Spaces and tabs around members are ignored and empty members skipped; a malformed
    /// member, a duplicated key or more than 32 members drop the whole header.
    pub fn parse<'a>(
        headers: impl IntoIterator<Item = &'a str>,
    ) -> Result<TraceState, TraceStateError> {
        let mut parser = TraceStateParser::default();
        for header in headers {
            parser.feed(header)?;
        }
        parser.finish()
    }

    fn text_len(&self) -> usize {
        self.0.as_ref().map_or(0, |members| members.text.len())
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |members| members.len)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter()
            .find(|(known, _)| *known == key)
            .map(|(_, value)| value)
    }

    /// The members, leftmost first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().flat_map(|members| members.iter())
    }

    /// This state with `key` set to `value` and moved to the front, as a vendor does with its
    /// own member; the rightmost member goes if there would be more than 32.
    pub fn insert(&self, key: &str, value: &str) -> Result<TraceState, TraceStateError> {
        if !is_valid_key(key) || !is_valid_value(value) {
            return Err(TraceStateError::Member);
        }
        let mut members = Members::new(key.len() + value.len() + 1 + self.text_len());
        members.push(key, value);
        for (known, known_value) in self
            .iter()
            .filter(|(known, _)| *known != key)
            .take(MAX_MEMBERS - 1)
        {
            members.push(known, known_value);
        }
        Ok(TraceState(Some(Arc::new(members))))
    }

    /// This state without `key`.
    pub fn remove(&self, key: &str) -> TraceState {
        let mut members = Members::new(self.text_len());
        for (known, value) in self.iter().filter(|(known, _)| *known != key) {
            members.push(known, value);
        }
        TraceState((members.len > 0).then(|| Arc::new(members)))
    }

    /// The header value, or `None` when there is nothing to send: an empty `tracestate` is
    /// never sent.
    pub fn header(&self) -> Option<String> {
        self.0.as_ref().map(|members| members.text.clone())
    }
}

impl fmt::Display for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref().map_or("", |members| &members.text))
    }
}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceState({:?})", self.to_string())
    }
}

/// `lcalpha / DIGIT / "_" / "-" / "*" / "/"`, by byte: one lookup per character of a header
/// that every request carries.
const KEY_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(byte as u8, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/');
        byte += 1;
    }
    table
};

/// Printable ASCII but `,` and `=`.
const VALUE_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x20;
    while byte <= 0x7e {
        table[byte] = byte != b',' as usize && byte != b'=' as usize;
        byte += 1;
    }
    table
};

/// `simple-key = (lcalpha / DIGIT) 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`, or
/// `tenant-id "@" system-id` with a tenant of at most 241 and a system of at most 14
/// characters, the system starting with a letter: the grammar the W3C conformance suite
/// checks at Level 2.
fn is_valid_key(key: &str) -> bool {
    let key = key.as_bytes();
    let mut at = None;
    for (index, &byte) in key.iter().enumerate() {
        if byte == b'@' && at.is_none() {
            at = Some(index);
        } else if !KEY_CHARS[usize::from(byte)] {
            return false;
        }
    }
    let lower_alphanumeric = |part: &[u8]| {
        part.first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    match at {
        None => key.len() <= 256 && lower_alphanumeric(key),
        Some(at) => {
            let (tenant, system) = (&key[..at], &key[at + 1..]);
            tenant.len() <= 241
                && system.len() <= 14
                && lower_alphanumeric(tenant)
                && system.first().is_some_and(u8::is_ascii_lowercase)
        }
    }
}

/// 1 to 256 printable ASCII characters but `,` and `=`, the last not a space.
fn is_valid_value(value: &str) -> bool {
    let value = value.as_bytes();
    (1..=256).contains(&value.len())
        && value.iter().all(|&byte| VALUE_CHARS[usize::from(byte)])
        && value.last() != Some(&b' ')
}

/// Without the spaces and tabs around it.
fn trim_ows(text: &str) -> &str {
    let bytes = text.as_bytes();
    let is_ows = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |last| last + 1);
    // Both ends are next to ASCII bytes, hence on character boundaries.
    &text[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(state: &TraceState) -> Vec<&str> {
        state.iter().map(|(key, _)| key).collect()
    }

    #[test]
    fn several_headers_are_one_list_in_order() {
        let state = TraceState::parse(["foo=1,bar=2", "rojo=1,congo=2", "baz=3"]).unwrap();
        assert_eq!(keys(&state), ["foo", "bar", "rojo", "congo", "baz"]);
        assert_eq!(state.header().unwrap(), "foo=1,bar=2,rojo=1,congo=2,baz=3");
    }

    #[test]
    fn whitespace_around_members_and_empty_members_are_ignored() {
        let state = TraceState::parse(["foo=1 \t , \t bar=2, \t baz=3", "", " ,, "]).unwrap();
        assert_eq!(keys(&state), ["foo", "bar", "baz"]);
        assert_eq!(state.get("foo"), Some("1"));
        assert!(TraceState::parse([""]).unwrap().is_empty());
        assert_eq!(TraceState::parse([""]).unwrap().header(), None);
    }

    #[test]
    fn a_value_keeps_its_leading_spaces() {
        let state = TraceState::parse(["foo=  padded"]).unwrap();
        assert_eq!(state.get("foo"), Some("  padded"));
    }

    #[test]
    fn every_allowed_character_is_accepted() {
        let key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
        let value: String = (0x20u8..=0x2b)
            .chain(0x2d..=0x3c)
            .chain(0x3e..=0x7e)
            .map(char::from)
            .collect();
        for key in [key.to_owned(), format!("{key}@a-z0-9_-*/")] {
            let header = format!("{key}={value}");
            let state = TraceState::parse([header.as_str()]).unwrap();
            assert_eq!(state.get(&key), Some(value.as_str()));
        }
    }

    #[test]
    fn malformed_headers_are_dropped_whole() {
        let invalid = [
            "foo =1",
            "FOO=1",
            "foo.bar=1",
            "foo@=1,bar=2",
            "@foo=1,bar=2",
            "foo@@bar=1,bar=2",
            "foo@bar@baz=1,bar=2",
            "foo=bar=baz",
            "foo=,bar=3",
            "foo",
            "foo=1 x=\u{7f}",
            "foo=bär",
        ];
        for header in invalid {
            assert_eq!(
                TraceState::parse([header]),
                Err(TraceStateError::Member),
                "{header:?}"
            );
        }
        assert_eq!(
            TraceState::parse(["foo=1,foo=2"]),
            Err(TraceStateError::DuplicateKey)
        );
        assert_eq!(
            TraceState::parse(["foo=1", "foo=1"]),
            Err(TraceStateError::DuplicateKey)
        );
    }

    #[test]
    fn key_and_value_length_limits() {
        let ok = |key: String| TraceState::parse([format!("{key}=1").as_str()]).is_ok();
        assert!(ok("z".repeat(256)));
        assert!(!ok("z".repeat(257)));
        assert!(ok(format!("{}@{}", "t".repeat(241), "v".repeat(14))));
        assert!(!ok(format!("{}@v", "t".repeat(242))));
        assert!(!ok(format!("t@{}", "v".repeat(15))));
        assert!(TraceState::parse([format!("foo={}", "v".repeat(256)).as_str()]).is_ok());
        assert!(TraceState::parse([format!("foo={}", "v".repeat(257)).as_str()]).is_err());
    }

    #[test]
    fn at_most_32_members() {
        let members: Vec<String> = (1..=33).map(|n| format!("bar{n:02}={n:02}")).collect();
        let joined = |n: usize| members[..n].join(",");
        assert_eq!(TraceState::parse([joined(32).as_str()]).unwrap().len(), 32);
        assert_eq!(
            TraceState::parse([joined(33).as_str()]),
            Err(TraceStateError::TooManyMembers)
        );
    }

    #[test]
    fn our_member_moves_to_the_front_and_others_keep_their_order() {
        let state = TraceState::parse(["rojo=1,tracefault=old,congo=2"]).unwrap();
        let updated = state.insert("tracefault", "new").unwrap();
        assert_eq!(updated.header().unwrap(), "tracefault=new,rojo=1,congo=2");
        assert_eq!(
            updated.remove("tracefault").header().unwrap(),
            "rojo=1,congo=2"
        );
        let full = TraceState::parse([(1..=32)
            .map(|n| format!("k{n}=v"))
            .collect::<Vec<_>>()
            .join(",")
            .as_str()])
        .unwrap();
        let inserted = full.insert("tracefault", "x").unwrap();
        assert_eq!(inserted.len(), 32);
        assert_eq!(keys(&inserted).last(), Some(&"k31"));
        assert!(state.insert("Bad", "x").is_err());
    }
}
