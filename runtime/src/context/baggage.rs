//! The `baggage` header: application key/value pairs that travel with a request (W3C Baggage).

use std::fmt::{self, Write as _};
use std::ops::ControlFlow;
use std::sync::Arc;

/// Members kept from received headers, and sent; the W3C minimum that every platform must
/// propagate.
pub const MAX_MEMBERS: usize = 64;
/// Bytes of `baggage` header kept and sent.
pub const MAX_BYTES: usize = 8192;
/// Bytes of received `baggage` read, all of a request's headers together (each counted with
/// the comma that joins it to the next): a quarter more than is kept, so that the members
/// after one too long to keep are still read, while a header of any size costs no more work
/// than one of this length.
pub const MAX_READ_BYTES: usize = MAX_BYTES + MAX_BYTES / 4;

/// Key/value pairs with optional properties, in the order received or set.
///
/// ```
/// use tracefault::context::Baggage;
/// let baggage = Baggage::parse(["userId=alice,serverNode=DF%2028,isProduction=false;ttl=60"]);
/// assert_eq!(baggage.get("serverNode"), Some("DF 28"));
/// let baggage = baggage.insert("tenant", "a,b").unwrap();
/// assert!(baggage.header().unwrap().starts_with("tenant=a%2Cb,userId=alice"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Baggage(Option<Arc<[Entry]>>);

impl Baggage {
    /// No entries; usable in constants.
    pub const EMPTY: Baggage = Baggage(None);
}

/// One member: the value is decoded; properties are kept as received (`ttl=60;secure`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key, an HTTP token.
    pub key: Box<str>,
    /// The value, percent-decoded.
    pub value: Box<str>,
    /// The properties after the value's `;`, as received (`ttl=60;secure`), or empty.
    pub properties: Box<str>,
}

/// Why an entry cannot be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaggageError {
    /// The key is not an HTTP token.
    Key,
}

impl fmt::Display for BaggageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a baggage key must be an HTTP token")
    }
}

impl std::error::Error for BaggageError {}

impl Baggage {
    /// Reads every `baggage` header of a request, in order, up to [`MAX_READ_BYTES`] in all.
    /// Malformed members are skipped, and of members with the same key the first is kept; a
    /// member that would take what is kept past [`MAX_BYTES`] is dropped whole and the ones
    /// after it are still read; reading stops at [`MAX_MEMBERS`] members. However large the
    /// input, what is kept stays within those limits and the work within the bytes read.
    pub fn parse<'a>(headers: impl IntoIterator<Item = &'a str>) -> Baggage {
        let mut parser = BaggageParser::default();
        headers.into_iter().for_each(|header| parser.feed(header));
        parser.finish()
    }

    fn from_entries(entries: Vec<Entry>) -> Baggage {
        Baggage((!entries.is_empty()).then(|| entries.into()))
    }

    fn entries(&self) -> &[Entry] {
        self.0.as_deref().unwrap_or_default()
    }

    /// No member.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many members are kept.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// The decoded value of the first member named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .iter()
            .find(|entry| &*entry.key == key)
            .map(|entry| &*entry.value)
    }

    /// The members, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries().iter()
    }

    /// This baggage with `key` set to `value` (any text: it is percent-encoded on the wire),
    /// first in the list.
    pub fn insert(&self, key: &str, value: &str) -> Result<Baggage, BaggageError> {
        if !is_token(key) {
            return Err(BaggageError::Key);
        }
        let mut entries = Vec::with_capacity(self.len() + 1);
        entries.push(Entry {
            key: key.into(),
            value: value.into(),
            properties: "".into(),
        });
        entries.extend(
            self.entries()
                .iter()
                .filter(|entry| &*entry.key != key)
                .cloned(),
        );
        Ok(Baggage::from_entries(entries))
    }

    /// This baggage without `key`.
    pub fn remove(&self, key: &str) -> Baggage {
        Baggage::from_entries(
            self.entries()
                .iter()
                .filter(|entry| &*entry.key != key)
                .cloned()
                .collect(),
        )
    }

    /// The header value, or `None` when there is nothing to send. Members that would take it
    /// past [`MAX_MEMBERS`] or [`MAX_BYTES`] are left out whole.
    pub fn header(&self) -> Option<String> {
        let mut header = String::new();
        let mut member = String::new();
        let mut count = 0;
        for entry in self.entries() {
            if count == MAX_MEMBERS {
                break;
            }
            member.clear();
            member.push_str(&entry.key);
            member.push('=');
            percent_encode(&entry.value, &mut member);
            if !entry.properties.is_empty() {
                member.push(';');
                member.push_str(&entry.properties);
            }
            let separator = usize::from(!header.is_empty());
            if header.len() + separator + member.len() > MAX_BYTES {
                continue;
            }
            if separator == 1 {
                header.push(',');
            }
            header.push_str(&member);
            count += 1;
        }
        (!header.is_empty()).then_some(header)
    }
}

/// Reads the values of a request's `baggage` headers one at a time, as a carrier yields them.
#[derive(Debug, Default)]
pub struct BaggageParser {
    entries: Vec<Entry>,
    /// A hash of each kept key, in the order of `entries`: a duplicate is looked for among 64
    /// words rather than 64 strings, for each of the thousands of members a header can hold.
    key_hashes: Vec<u64>,
    /// Bytes of the kept members as received, with the commas between them.
    kept_bytes: usize,
    /// Bytes read, with one for the comma that joins each header to the next.
    read: usize,
    done: bool,
}

impl BaggageParser {
    /// Adds the members of one header value; see [`Baggage::parse`].
    pub fn feed(&mut self, header: &str) {
        let _ = self.feed_bytes(header.as_bytes());
    }

    /// [`BaggageParser::feed`] for a value as the carrier holds it (a member with bytes that
    /// are not ASCII is malformed); `Break` once nothing more would be kept.
    pub(crate) fn feed_bytes(&mut self, header: &[u8]) -> ControlFlow<()> {
        if self.done {
            return ControlFlow::Break(());
        }
        let available = MAX_READ_BYTES - self.read;
        let visible = if header.len() <= available {
            header
        } else {
            // Only members that end within the budget are read: up to the last comma there,
            // the byte just past it included, since that comma may end the last of them.
            let end = header[..=available]
                .iter()
                .rposition(|&byte| byte == b',')
                .unwrap_or(0);
            &header[..end]
        };
        self.read = self
            .read
            .saturating_add(header.len() + 1)
            .min(MAX_READ_BYTES);
        for member in visible.split(|&byte| byte == b',') {
            self.read_member(member);
            if self.done {
                return ControlFlow::Break(());
            }
        }
        if self.read == MAX_READ_BYTES {
            self.done = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn read_member(&mut self, member: &[u8]) {
        let member = super::trim_ows(member);
        if member.is_empty() {
            return;
        }
        // Checked before anything else, so that a member too long to keep is passed over
        // unread: the W3C Baggage recommendation lets a platform drop entries past its limits
        // in any order, and dropping this one keeps the ones after it.
        let cost = member.len() + usize::from(!self.entries.is_empty());
        if self.kept_bytes + cost > MAX_BYTES {
            return;
        }
        // The key first: a member whose key is kept already is dropped unread, and a header of
        // one key repeated thousands of times costs a hash and a compare per member.
        let key_end = member
            .iter()
            .position(|&byte| byte == b'=' || byte == b';')
            .unwrap_or(member.len());
        let key = super::trim_ows(&member[..key_end]);
        let hash = hash_key(key);
        let known = self
            .key_hashes
            .iter()
            .zip(&self.entries)
            .any(|(&known_hash, entry)| known_hash == hash && entry.key.as_bytes() == key);
        if known {
            return;
        }
        let Some((key, value, properties)) =
            std::str::from_utf8(member).ok().and_then(parse_member)
        else {
            return;
        };
        let Some(value) = percent_decode(value) else {
            return;
        };
        self.entries.push(Entry {
            key: key.into(),
            value: value.into(),
            properties: properties.into(),
        });
        self.key_hashes.push(hash);
        self.kept_bytes += cost;
        self.done = self.entries.len() == MAX_MEMBERS;
    }

    /// The members kept from everything fed so far.
    pub fn finish(self) -> Baggage {
        Baggage::from_entries(self.entries)
    }
}

/// FNV-1a: a few instructions per byte of a key, enough to tell 64 keys apart.
fn hash_key(key: &[u8]) -> u64 {
    key.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl fmt::Debug for Baggage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries()).finish()
    }
}

fn trim_ows(text: &str) -> &str {
    text.trim_matches(|c| c == ' ' || c == '\t')
}

/// `key OWS "=" OWS value *( OWS ";" OWS property )`: the key, the value as received and the
/// properties, checked but not yet decoded.
fn parse_member(member: &str) -> Option<(&str, &str, &str)> {
    let (pair, properties) = match member.split_once(';') {
        Some((pair, properties)) => (pair, trim_ows(properties)),
        None => (member, ""),
    };
    let (key, value) = pair.split_once('=')?;
    let (key, value) = (trim_ows(key), trim_ows(value));
    if !is_token(key) || !value.bytes().all(is_baggage_octet) {
        return None;
    }
    if !properties.is_empty() && !properties.split(';').all(is_valid_property) {
        return None;
    }
    Some((key, value, properties))
}

/// `key OWS "=" OWS value`, or `key OWS`.
fn is_valid_property(property: &str) -> bool {
    match property.split_once('=') {
        Some((key, value)) => {
            is_token(trim_ows(key)) && trim_ows(value).bytes().all(is_baggage_octet)
        }
        None => is_token(trim_ows(property)),
    }
}

/// RFC 7230 `token`.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Printable ASCII but space, `"`, `,`, `;` and `\`.
fn is_baggage_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// Percent-decodes into UTF-8; `None` for a broken escape or invalid UTF-8.
fn percent_decode(value: &str) -> Option<String> {
    if !value.contains('%') {
        return Some(value.to_owned());
    }
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = value.get(index + 1..index + 3)?;
            decoded.push(
                u8::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))?,
            );
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Encodes everything that is not a baggage octet, and `%` itself.
fn percent_encode(value: &str, out: &mut String) {
    for byte in value.bytes() {
        if is_baggage_octet(byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_examples() {
        let baggage = Baggage::parse(["key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"]);
        assert_eq!(baggage.len(), 3);
        assert_eq!(baggage.get("key1"), Some("value1"));
        assert_eq!(
            baggage.iter().next().unwrap().properties.as_ref(),
            "property1;property2"
        );
        assert_eq!(baggage.get("key2"), Some("value2"));
        assert_eq!(
            baggage.iter().nth(2).unwrap().properties.as_ref(),
            "propertyKey=propertyValue"
        );
        let encoded = Baggage::parse(["userId=Am%C3%A9lie,serverNode=DF%2028"]);
        assert_eq!(encoded.get("userId"), Some("Amélie"));
        assert_eq!(encoded.get("serverNode"), Some("DF 28"));
    }

    #[test]
    fn values_round_trip_through_percent_encoding() {
        let baggage = Baggage::default()
            .insert("note", "a b,c;d\\e\"f%g=h ü")
            .unwrap();
        let header = baggage.header().unwrap();
        assert_eq!(header, "note=a%20b%2Cc%3Bd%5Ce%22f%25g=h%20%C3%BC");
        assert_eq!(
            Baggage::parse([header.as_str()]).get("note"),
            Some("a b,c;d\\e\"f%g=h ü")
        );
    }

    #[test]
    fn malformed_members_are_skipped() {
        let baggage =
            Baggage::parse(["good=1,bad key=2,=3,novalue,esc=%zz,utf=%ff,quote=\"x\",also=ok"]);
        let keys: Vec<&str> = baggage.iter().map(|entry| &*entry.key).collect();
        assert_eq!(keys, ["good", "also"]);
        assert!(Baggage::parse(["", " , "]).is_empty());
        assert_eq!(Baggage::default().header(), None);
    }

    #[test]
    fn limits_hold_however_large_the_input() {
        let many: Vec<String> = (0..200).map(|n| format!("k{n}=v")).collect();
        assert_eq!(Baggage::parse([many.join(",").as_str()]).len(), MAX_MEMBERS);
        let members: Vec<String> = (0..60)
            .map(|n| format!("k{n:02}={}", "v".repeat(200)))
            .collect();
        let baggage = Baggage::parse([members.join(",").as_str()]);
        assert!(baggage.header().unwrap().len() <= MAX_BYTES);
        assert_eq!(baggage.len(), 8192 / 205);
        // The same key again and again, past the read limit: the first kept, nothing after.
        let same = "k=v,".repeat(MAX_READ_BYTES / 4 + 1);
        assert_eq!(Baggage::parse([same.as_str(), "other=1"]).len(), 1);
    }

    #[test]
    fn a_member_too_long_to_keep_is_dropped_and_the_rest_kept() {
        let big = format!("big={}", "x".repeat(9000));
        let baggage = Baggage::parse([format!("{big},ok=1").as_str()]);
        assert_eq!(baggage.get("ok"), Some("1"));
        assert_eq!(baggage.len(), 1);
        // Too long only with what is kept already: the members after it still fit.
        let fills = format!("first={}", "x".repeat(MAX_BYTES - 20));
        let baggage = Baggage::parse([fills.as_str(), "second=too-long-now,ok=1"]);
        let keys: Vec<&str> = baggage.iter().map(|entry| &*entry.key).collect();
        assert_eq!(keys, ["first", "ok"]);
        assert!(baggage.header().unwrap().len() <= MAX_BYTES);
    }

    #[test]
    fn reading_stops_at_the_read_limit() {
        let member_ending_at = |end: usize| format!("{}k=v", ",".repeat(end - 3));
        let at_limit = member_ending_at(MAX_READ_BYTES);
        assert_eq!(Baggage::parse([at_limit.as_str()]).get("k"), Some("v"));
        let past_limit = member_ending_at(MAX_READ_BYTES + 1);
        assert!(Baggage::parse([past_limit.as_str()]).is_empty());
        // A member longer than the read limit hides the members after it.
        let giant = format!("big={},ok=1", "x".repeat(MAX_READ_BYTES));
        assert!(Baggage::parse([giant.as_str()]).is_empty());
        // Each header counts a byte for the comma that joins it to the next: here the member
        // ends at the limit, and then one byte past it.
        let mut headers = vec![""; MAX_READ_BYTES - 3];
        headers.push("k=v");
        assert_eq!(Baggage::parse(headers.iter().copied()).len(), 1);
        headers.insert(0, "");
        assert!(Baggage::parse(headers).is_empty());
        let mut parser = BaggageParser::default();
        assert!(parser.feed_bytes(past_limit.as_bytes()).is_break());
        assert!(parser.feed_bytes(b"late=1").is_break());
        assert!(parser.finish().is_empty());
    }

    #[test]
    fn members_that_are_not_text_are_skipped() {
        let mut parser = BaggageParser::default();
        assert!(parser
            .feed_bytes(b"bad=caf\xc3\xa9,also=\xff,good=1")
            .is_continue());
        let keys: Vec<String> = parser.finish().iter().map(|e| e.key.to_string()).collect();
        assert_eq!(keys, ["good"]);
    }

    #[test]
    fn sending_leaves_out_whole_members_past_the_limits() {
        let mut baggage = Baggage::default();
        for n in 0..100 {
            baggage = baggage.insert(&format!("k{n}"), &"v".repeat(150)).unwrap();
        }
        let header = baggage.header().unwrap();
        assert!(header.len() <= MAX_BYTES);
        assert!(header
            .split(',')
            .all(|member| member.len() == "k00=".len() + 150 || member.len() == "k0=".len() + 150));
        assert!(header.split(',').count() <= MAX_MEMBERS);
    }

    #[test]
    fn keys_must_be_tokens() {
        assert_eq!(
            Baggage::default().insert("bad key", "v"),
            Err(BaggageError::Key)
        );
        assert_eq!(Baggage::default().insert("", "v"), Err(BaggageError::Key));
        let baggage = Baggage::default()
            .insert("a", "1")
            .unwrap()
            .insert("b", "2")
            .unwrap()
            .insert("a", "3")
            .unwrap();
        assert_eq!(baggage.header().unwrap(), "a=3,b=2");
        assert_eq!(baggage.remove("a").header().unwrap(), "b=2");
    }
}
