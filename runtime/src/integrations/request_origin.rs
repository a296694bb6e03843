//! What a request says of the server it reached, for the server span's `url.scheme`,
//! `server.address` and `server.port`, in the order OpenTelemetry's HTTP server conventions
//! give: a proxy's `Forwarded` (RFC 7239), then `X-Forwarded-Proto` / `X-Forwarded-Host`, then
//! the request's own URI (HTTP/2's `:scheme` and `:authority`), then `Host`.
//!
//! These are telemetry, not decisions: a client can write any of these headers, so nothing
//! here is used for more than an attribute, and every value is checked and bounded first.

use http::header::{HeaderMap, FORWARDED, HOST};
use http::uri::Authority;

/// The longest host name an attribute takes (DNS's limit); a longer one is not recorded.
const MAX_HOST: usize = 253;
/// The longest scheme an attribute takes: `https`, `http`, `ws`... are short.
const MAX_SCHEME: usize = 16;

/// The scheme and authority the client used, as far as the request tells.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RequestOrigin {
    /// `http` when nothing says otherwise: a server behind TLS of its own, with no proxy
    /// header and HTTP/1.1, cannot be told from a plain one.
    pub(super) scheme: String,
    pub(super) host: Option<String>,
    pub(super) port: Option<u16>,
}

impl RequestOrigin {
    pub(super) fn of<B>(request: &http::Request<B>) -> RequestOrigin {
        let headers = request.headers();
        let forwarded = first_forwarded_element(headers);
        let scheme = forwarded
            .as_ref()
            .and_then(|element| element.proto.clone())
            .or_else(|| first_value(headers, "x-forwarded-proto").and_then(scheme))
            .or_else(|| request.uri().scheme_str().and_then(scheme))
            .unwrap_or_else(|| "http".to_owned());
        let authority = forwarded
            .and_then(|element| element.host)
            .or_else(|| first_value(headers, "x-forwarded-host").and_then(authority))
            .or_else(|| request.uri().authority().cloned())
            .or_else(|| {
                let host = headers.get(HOST)?.to_str().ok()?;
                authority(host)
            });
        let (host, port) = match authority {
            Some(authority) => (
                Some(authority.host().to_owned()),
                authority.port_u16().or(match scheme.as_str() {
                    "http" => Some(80),
                    "https" => Some(443),
                    _ => None,
                }),
            ),
            None => (None, None),
        };
        RequestOrigin { scheme, host, port }
    }
}

/// What the first (the client-facing) element of `Forwarded` says, RFC 7239's
/// `forwarded-element`: `proto` and `host` only.
#[derive(Default)]
struct ForwardedElement {
    proto: Option<String>,
    host: Option<Authority>,
}

fn first_forwarded_element(headers: &HeaderMap) -> Option<ForwardedElement> {
    let value = headers.get(FORWARDED)?.to_str().ok()?;
    let element = value.split(',').next()?;
    let mut found = ForwardedElement::default();
    for pair in element.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "proto" => found.proto = scheme(value),
            "host" => found.host = authority(value),
            _ => {}
        }
    }
    (found.proto.is_some() || found.host.is_some()).then_some(found)
}

/// The first of a comma-separated header's values (the client-facing proxy's).
fn first_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(value.split(',').next()?.trim())
}

/// A scheme as RFC 3986 writes one (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), lowercased.
fn scheme(text: &str) -> Option<String> {
    let mut bytes = text.bytes();
    let valid = text.len() <= MAX_SCHEME
        && bytes
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'));
    valid.then(|| text.to_ascii_lowercase())
}

/// `host[:port]`, without user information (a `Host` header has none; one that does is not an
/// address to record).
fn authority(text: &str) -> Option<Authority> {
    let authority: Authority = text.parse().ok()?;
    (!authority.as_str().contains('@')
        && !authority.host().is_empty()
        && authority.host().len() <= MAX_HOST)
        .then_some(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(uri: &str, headers: &[(&str, &str)]) -> RequestOrigin {
        let mut request = http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        RequestOrigin::of(&request.body(()).unwrap())
    }

    fn expect(scheme: &str, host: Option<&str>, port: Option<u16>) -> RequestOrigin {
        RequestOrigin {
            scheme: scheme.to_owned(),
            host: host.map(str::to_owned),
            port,
        }
    }

    #[test]
    fn a_plain_http1_request_names_its_host_header() {
        assert_eq!(
            origin("/checkout/42", &[("host", "shop.example:8080")]),
            expect("http", Some("shop.example"), Some(8080))
        );
        assert_eq!(
            origin("/", &[("host", "shop.example")]),
            expect("http", Some("shop.example"), Some(80))
        );
        assert_eq!(
            origin("/", &[("host", "[::1]:3000")]),
            expect("http", Some("[::1]"), Some(3000))
        );
        assert_eq!(origin("/", &[]), expect("http", None, None));
    }

    #[test]
    fn an_http2_request_names_its_scheme_and_authority() {
        assert_eq!(
            origin("https://api.example/orders", &[("host", "ignored:1")]),
            expect("https", Some("api.example"), Some(443))
        );
    }

    #[test]
    fn a_proxys_headers_name_what_the_client_used() {
        assert_eq!(
            origin(
                "/",
                &[
                    ("host", "10.0.0.5:8080"),
                    ("x-forwarded-proto", "HTTPS, http"),
                    ("x-forwarded-host", "shop.example"),
                ]
            ),
            expect("https", Some("shop.example"), Some(443))
        );
        // RFC 7239: the first element is the client-facing proxy's; quoted values.
        assert_eq!(
            origin(
                "/",
                &[
                    ("host", "10.0.0.5:8080"),
                    ("x-forwarded-proto", "http"),
                    (
                        "forwarded",
                        "for=192.0.2.60;proto=https;host=\"shop.example:8443\", for=10.0.0.1;proto=http"
                    ),
                ]
            ),
            expect("https", Some("shop.example"), Some(8443))
        );
    }

    #[test]
    fn hostile_values_are_not_recorded() {
        let long = "a".repeat(300);
        for (name, value) in [
            ("x-forwarded-proto", "ht tp"),
            ("x-forwarded-proto", "1http"),
            ("x-forwarded-proto", "<script>"),
            ("x-forwarded-proto", long.as_str()),
            ("forwarded", "proto=\"java script:\""),
            ("forwarded", "=;;=,"),
        ] {
            assert_eq!(
                origin("/", &[(name, value)]).scheme,
                "http",
                "{name}: {value}"
            );
        }
        for (name, value) in [
            ("x-forwarded-host", "user:secret@shop.example"),
            ("x-forwarded-host", long.as_str()),
            ("x-forwarded-host", "shop example"),
            ("forwarded", "host=\"a/b\""),
        ] {
            assert_eq!(origin("/", &[(name, value)]).host, None, "{name}: {value}");
        }
    }
}
