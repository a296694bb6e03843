//! The `tracestate` header: vendor-specific trace data, W3C Trace Context Level 2.

use std::fmt;
use std::sync::Arc;

/// At most this many members; a header with more is dropped whole.
pub const MAX_MEMBERS: usize = 32;

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
pub struct TraceState(Option<Arc<[Member]>>);

/// `key=value`.
type Member = (Box<str>, Box<str>);

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

impl TraceState {
    /// Parses the values of every `tracestate` header of a request, in order, as one list.
    /// Spaces and tabs around members are ignored and empty members skipped; a malformed
    /// member, a duplicated key or more than 32 members drop the whole header.
    pub fn parse<'a>(
        headers: impl IntoIterator<Item = &'a str>,
    ) -> Result<TraceState, TraceStateError> {
        let mut members: Vec<Member> = Vec::new();
        for header in headers {
            for member in header.split(',') {
                let member = member.trim_matches(|c| c == ' ' || c == '\t');
                if member.is_empty() {
                    continue;
                }
                if members.len() == MAX_MEMBERS {
                    return Err(TraceStateError::TooManyMembers);
                }
                let (key, value) = member.split_once('=').ok_or(TraceStateError::Member)?;
                if !is_valid_key(key) || !is_valid_value(value) {
                    return Err(TraceStateError::Member);
                }
                if members.iter().any(|(known, _)| **known == *key) {
                    return Err(TraceStateError::DuplicateKey);
                }
                members.push((key.into(), value.into()));
            }
        }
        Ok(TraceState::from_members(members))
    }

    fn from_members(members: Vec<Member>) -> TraceState {
        TraceState((!members.is_empty()).then(|| members.into()))
    }

    fn members(&self) -> &[Member] {
        self.0.as_deref().unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn len(&self) -> usize {
        self.members().len()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.members()
            .iter()
            .find(|(known, _)| **known == *key)
            .map(|(_, value)| &**value)
    }

    /// The members, leftmost first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.members().iter().map(|(key, value)| (&**key, &**value))
    }

    /// This state with `key` set to `value` and moved to the front, as a vendor does with its
    /// own member; the rightmost member goes if there would be more than 32.
    pub fn insert(&self, key: &str, value: &str) -> Result<TraceState, TraceStateError> {
        if !is_valid_key(key) || !is_valid_value(value) {
            return Err(TraceStateError::Member);
        }
        let mut members = Vec::with_capacity(self.len() + 1);
        members.push((key.into(), value.into()));
        members.extend(
            self.members()
                .iter()
                .filter(|(known, _)| **known != *key)
                .cloned(),
        );
        members.truncate(MAX_MEMBERS);
        Ok(TraceState::from_members(members))
    }

    /// This state without `key`.
    pub fn remove(&self, key: &str) -> TraceState {
        TraceState::from_members(
            self.members()
                .iter()
                .filter(|(known, _)| **known != *key)
                .cloned()
                .collect(),
        )
    }

    /// The header value, or `None` when there is nothing to send: an empty `tracestate` is
    /// never sent.
    pub fn header(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_string())
    }
}

impl fmt::Display for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (key, value)) in self.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            write!(f, "{key}={value}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceState({self:?})", self = self.to_string())
    }
}

fn is_key_char(byte: u8) -> bool {
    matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/')
}

/// `simple-key = (lcalpha / DIGIT) 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`, or
/// `tenant-id "@" system-id` with a tenant of at most 241 and a system of at most 14
/// characters, the system starting with a letter: the grammar the W3C conformance suite
/// checks at Level 2.
fn is_valid_key(key: &str) -> bool {
    let starts_well = |part: &[u8], first: fn(&u8) -> bool| part.first().is_some_and(first);
    let lower_alphanumeric: fn(&u8) -> bool = |b| b.is_ascii_lowercase() || b.is_ascii_digit();
    match key.split_once('@') {
        None => {
            let key = key.as_bytes();
            key.len() <= 256
                && starts_well(key, lower_alphanumeric)
                && key.iter().all(|&b| is_key_char(b))
        }
        Some((tenant, system)) => {
            let (tenant, system) = (tenant.as_bytes(), system.as_bytes());
            tenant.len() <= 241
                && system.len() <= 14
                && starts_well(tenant, lower_alphanumeric)
                && starts_well(system, u8::is_ascii_lowercase)
                && tenant.iter().chain(system).all(|&b| is_key_char(b))
        }
    }
}

/// 1 to 256 printable ASCII characters but `,` and `=`, the last not a space.
fn is_valid_value(value: &str) -> bool {
    let value = value.as_bytes();
    (1..=256).contains(&value.len())
        && value
            .iter()
            .all(|&b| matches!(b, 0x20..=0x7e) && b != b',' && b != b'=')
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
