//! The `tracestate` header: vendor-specific trace data, W3C Trace Context Level 2.

use std::fmt;
use std::sync::Arc;

/// At most this many members; a header with more is dropped whole.
pub const MAX_MEMBERS: usize = 32;

/// The longest `tracestate` read, all of a request's headers together (each joined to the
/// next by a comma, as RFC 9110 combines them): 32 members of a 256-byte key, `=` and a
/// 256-byte value, with the 31 commas between them. A longer one is dropped whole without
/// being read: only optional whitespace and empty members could make it valid, and the
/// specification asks a vendor to document the longest it propagates.
pub const MAX_LENGTH: usize = MAX_MEMBERS * (256 + 1 + 256) + MAX_MEMBERS - 1;

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
    #[deprecated(
        note = "never returned: Trace Context Level 2 keeps the tracestate, and tracefault \
                keeps the first of the duplicated members"
    )]
    DuplicateKey,
    /// More than [`MAX_MEMBERS`] members.
    TooManyMembers,
    /// Longer than [`MAX_LENGTH`] bytes.
    TooLong,
}

impl fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[allow(deprecated)]
        f.write_str(match self {
            TraceStateError::Member => "tracestate has a malformed member",
            TraceStateError::DuplicateKey => "tracestate has a duplicated key",
            TraceStateError::TooManyMembers => "tracestate has more than 32 members",
            TraceStateError::TooLong => "tracestate is longer than 16447 bytes",
        })
    }
}

impl std::error::Error for TraceStateError {}

/// Reads the values of a request's `tracestate` headers one at a time, as a carrier yields
/// them, into one list.
#[derive(Debug, Default)]
pub struct TraceStateParser {
    members: Option<Members>,
    /// Members read, duplicates included: the list's own count, which the limit is on.
    read: usize,
    /// Bytes of the combined header so far, the commas that join the headers included.
    length: usize,
    headers: usize,
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
        self.feed_bytes(header.as_bytes())
    }

    /// [`TraceStateParser::feed`] for a value as the carrier holds it: bytes that are not
    /// ASCII can only be part of a malformed member.
    pub(crate) fn feed_bytes(&mut self, header: &[u8]) -> Result<(), TraceStateError> {
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
    /// the list whole. The length is checked first, so a header of any size costs at most
    /// [`MAX_LENGTH`] bytes of reading, and at most [`MAX_MEMBERS`] + 1 members are parsed.
    fn feed_members(&mut self, header: &[u8]) -> Result<(), TraceStateError> {
        self.length = self
            .length
            .saturating_add(header.len() + usize::from(self.headers > 0));
        self.headers += 1;
        if self.length > MAX_LENGTH {
            return Err(TraceStateError::TooLong);
        }
        for member in header.split(|&byte| byte == b',') {
            let member = super::trim_ows(member);
            if member.is_empty() {
                continue;
            }
            self.read += 1;
            if self.read > MAX_MEMBERS {
                return Err(TraceStateError::TooManyMembers);
            }
            let (member, equals) = parse_member(member).ok_or(TraceStateError::Member)?;
            let members = self
                .members
                .get_or_insert_with(|| Members::new(header.len().min(MAX_LENGTH)));
            let key = &member[..equals];
            // Level 2 inherits a list with a duplicated key, the duplicates kept or all but
            // one dropped; the leftmost is the most recent, so it is the one kept.
            if members.iter().all(|(known, _)| known != key) {
                members.push_member(member, equals);
            }
        }
        Ok(())
    }

    /// The list, or why it was dropped.
    pub fn finish(self) -> Result<TraceState, TraceStateError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(TraceState(self.members.map(Arc::new))),
        }
    }
}

/// A valid `key=value` member as text, with where its `=` is.
fn parse_member(member: &[u8]) -> Option<(&str, usize)> {
    let equals = member.iter().position(|&byte| byte == b'=')?;
    let (key, value) = (&member[..equals], &member[equals + 1..]);
    if !is_valid_key(key) || !is_valid_value(value) {
        return None;
    }
    // Both parts are ASCII now, so this cannot fail; a failure would be a malformed member.
    Some((std::str::from_utf8(member).ok()?, equals))
}

impl TraceState {
    /// Parses the values of every `tracestate` header of a request, in order, as one list.
    /// Spaces and tabs around members are ignored and empty members skipped; of members with
    /// the same key, the first is kept; a malformed member, more than 32 members or more than
    /// [`MAX_LENGTH`] bytes drop the whole header.
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

    /// No member.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many members are kept.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |members| members.len)
    }

    /// The value of the member named `key`.
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
        if !is_valid_key(key.as_bytes()) || !is_valid_value(value.as_bytes()) {
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

/// `keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"`, by byte: one lookup per
/// character of a header that every request carries.
const KEY_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(
            byte as u8,
            b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/' | b'@'
        );
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

/// `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`: Level 2's grammar, where `@` is a key
/// character like the others. Level 1 split a key at its one `@` into a tenant of at most 241
/// and a system of at most 14 characters starting with a letter, and rejected `foo@`,
/// `foo@@bar` or `t@` followed by 15 characters, which Level 2 accepts.
fn is_valid_key(key: &[u8]) -> bool {
    matches!(key.first(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && key.len() <= 256
        && key.iter().all(|&byte| KEY_CHARS[usize::from(byte)])
}

/// `value = 0*255(chr) nblk-chr`: 1 to 256 printable ASCII characters but `,` and `=`, the
/// last not a space.
fn is_valid_value(value: &[u8]) -> bool {
    (1..=256).contains(&value.len())
        && value.iter().all(|&byte| VALUE_CHARS[usize::from(byte)])
        && value.last() != Some(&b' ')
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
            "@foo=1,bar=2",
            "_foo=1,bar=2",
            "foo=bar=baz",
            "foo=,bar=3",
            "foo",
            "=1",
            "foo=1 x=\u{7f}",
            "foo=bär",
            "foo=1\tx",
        ];
        for header in invalid {
            assert_eq!(
                TraceState::parse([header]),
                Err(TraceStateError::Member),
                "{header:?}"
            );
        }
        // A malformed member in a later header drops the members of the earlier ones too: the
        // headers are one list.
        assert_eq!(
            TraceState::parse(["foo=1", "@bar=2"]),
            Err(TraceStateError::Member)
        );
        let mut parser = TraceStateParser::default();
        assert_eq!(parser.feed_bytes(b"foo=\xff"), Err(TraceStateError::Member));
        assert_eq!(parser.feed("bar=1"), Err(TraceStateError::Member));
    }

    #[test]
    fn level_2_keys_hold_at_signs_anywhere_but_first() {
        for header in ["foo@=1,bar=2", "foo@@bar=1,bar=2", "foo@bar@baz=1,bar=2"] {
            let state = TraceState::parse([header]).unwrap();
            assert_eq!(state.get("bar"), Some("2"), "{header:?}");
            assert_eq!(state.header().unwrap(), header);
        }
        let state = TraceState::parse(["0digit=1,9@x=2"]).unwrap();
        assert_eq!(keys(&state), ["0digit", "9@x"]);
    }

    #[test]
    fn of_duplicated_keys_the_first_is_kept() {
        let cases: [&[&str]; 5] = [
            &["foo=1,foo=1"],
            &["foo=1,foo=2"],
            &["foo=1", "foo=1"],
            &["foo=1", "foo=2"],
            &["foo=1,bar=2,foo=3", "bar=4,baz=5"],
        ];
        for headers in cases {
            let state = TraceState::parse(headers.iter().copied()).unwrap();
            assert_eq!(state.get("foo"), Some("1"), "{headers:?}");
            assert_eq!(state.iter().filter(|(key, _)| *key == "foo").count(), 1);
        }
        let state = TraceState::parse(["foo=1,bar=2,foo=3", "bar=4,baz=5"]).unwrap();
        assert_eq!(state.header().unwrap(), "foo=1,bar=2,baz=5");
        // The limit is on the members received, duplicates among them.
        let mut members: Vec<String> = (1..=32).map(|n| format!("k{n}=v")).collect();
        members.push("k1=again".to_owned());
        assert_eq!(
            TraceState::parse([members.join(",").as_str()]),
            Err(TraceStateError::TooManyMembers)
        );
    }

    #[test]
    fn key_and_value_length_limits() {
        let ok = |key: String| TraceState::parse(["foo=1", format!("{key}=1").as_str()]).is_ok();
        assert!(ok("z".repeat(256)));
        assert!(!ok("z".repeat(257)));
        // Level 2 limits the whole key, wherever its `@` is; Level 1 rejected the last two.
        assert!(ok(format!("{}@{}", "t".repeat(241), "v".repeat(14))));
        assert!(ok(format!("{}@v", "t".repeat(242))));
        assert!(ok(format!("t@{}", "v".repeat(15))));
        assert!(ok(format!("{}@", "t".repeat(255))));
        assert!(!ok(format!("{}@", "t".repeat(256))));
        assert!(TraceState::parse([format!("foo={}", "v".repeat(256)).as_str()]).is_ok());
        assert!(TraceState::parse([format!("foo={}", "v".repeat(257)).as_str()]).is_err());
    }

    #[test]
    fn the_longest_list_is_read_and_a_longer_one_dropped_unread() {
        let members: Vec<String> = (0..MAX_MEMBERS)
            .map(|n| format!("{n:0>256}={}", "v".repeat(256)))
            .collect();
        let longest = members.join(",");
        assert_eq!(longest.len(), MAX_LENGTH);
        let state = TraceState::parse([longest.as_str()]).unwrap();
        assert_eq!(state.len(), MAX_MEMBERS);
        assert_eq!(state.header().unwrap(), longest);
        // Split in two, the headers are joined by a comma that counts as well.
        let (first, second) = (members[..16].join(","), members[16..].join(","));
        assert!(TraceState::parse([first.as_str(), second.as_str()]).is_ok());
        assert_eq!(
            TraceState::parse([first.as_str(), second.as_str(), ""]),
            Err(TraceStateError::TooLong)
        );
        let padded = format!("{longest} ");
        assert_eq!(
            TraceState::parse([padded.as_str()]),
            Err(TraceStateError::TooLong)
        );
        // Valid but for its whitespace, and anything in it: the length alone decides.
        let spaces = " ".repeat(MAX_LENGTH);
        assert_eq!(
            TraceState::parse(["foo=1", spaces.as_str()]),
            Err(TraceStateError::TooLong)
        );
        let many_headers = vec![""; MAX_LENGTH + 2];
        assert_eq!(
            TraceState::parse(many_headers),
            Err(TraceStateError::TooLong)
        );
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
