//! The `baggage` header: application key/value pairs that travel with a request (W3C Baggage).

use std::fmt::{self, Write as _};
use std::sync::Arc;

/// Members kept from received headers, and sent; the W3C minimum that every platform must
/// propagate.
pub const MAX_MEMBERS: usize = 64;
/// Bytes of `baggage` header kept and sent.
pub const MAX_BYTES: usize = 8192;

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
    pub key: Box<str>,
    pub value: Box<str>,
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
    /// Reads every `baggage` header of a request, in order. Malformed members are skipped;
    /// members beyond [`MAX_MEMBERS`], or beyond [`MAX_BYTES`] of header, are dropped whole.
    /// However large the input, what is kept stays within those limits.
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

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .iter()
            .find(|entry| &*entry.key == key)
            .map(|entry| &*entry.value)
    }

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
    bytes: usize,
    full: bool,
}

impl BaggageParser {
    /// Adds the members of one header value; see [`Baggage::parse`].
    pub fn feed(&mut self, header: &str) {
        for member in header.split(',') {
            if self.full {
                return;
            }
            let member = trim_ows(member);
            if member.is_empty() {
                continue;
            }
            let cost = member.len() + usize::from(!self.entries.is_empty());
            if self.entries.len() == MAX_MEMBERS || self.bytes + cost > MAX_BYTES {
                self.full = true;
                return;
            }
            if let Some(entry) = parse_member(member) {
                if !self.entries.iter().any(|known| known.key == entry.key) {
                    self.bytes += cost;
                    self.entries.push(entry);
                }
            }
        }
    }

    pub fn finish(self) -> Baggage {
        Baggage::from_entries(self.entries)
    }
}

impl fmt::Debug for Baggage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries()).finish()
    }
}

fn trim_ows(text: &str) -> &str {
    text.trim_matches(|c| c == ' ' || c == '\t')
}

/// `key OWS "=" OWS value *( OWS ";" OWS property )`.
fn parse_member(member: &str) -> Option<Entry> {
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
    Some(Entry {
        key: key.into(),
        value: percent_decode(value)?.into(),
        properties: properties.into(),
    })
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
        let huge = format!("big={},small=1", "x".repeat(100_000));
        let baggage = Baggage::parse([huge.as_str()]);
        assert!(baggage.is_empty());
        let members: Vec<String> = (0..60)
            .map(|n| format!("k{n:02}={}", "v".repeat(200)))
            .collect();
        let baggage = Baggage::parse([members.join(",").as_str()]);
        assert!(baggage.header().unwrap().len() <= MAX_BYTES);
        assert_eq!(baggage.len(), 8192 / 205);
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
