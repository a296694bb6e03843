//! Tracing backends over HTTP. A trace by id: Jaeger v2 (`/api/v3/traces/{id}`), Grafana Tempo
//! (`/api/v2/traces/{id}`), or either's older API (`/api/traces/{id}`: Tempo v1's OTLP, or
//! Jaeger's own JSON model). The traces of a time window: Jaeger's api_v3 (`GET
//! /api/v3/services`, then `GET /api/v3/traces?query.service_name=...` per service). Answers
//! are read by [`super::otlp`].
//!
//! Every request is bounded: a connection timeout, a timeout on the whole exchange, a limit on
//! the answer's size, and a limit on how many requests one command makes. A backend that is
//! down, slow or answers something else is an error that says which, never a hang.

use super::otlp::{self, Ending, OtlpRead};
use crate::ids::TraceId;
use crate::model::Span;
use crate::time::Timestamp;
use anyhow::Context as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// Which API to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// Try Jaeger's api_v3, then Tempo's v2, then `/api/traces/`: the first that knows the path.
    Auto,
    /// Jaeger v2: `GET /api/v3/traces/{id}`.
    Jaeger,
    /// Jaeger's query API v1 (every Jaeger v1, and v2 still): `GET /api/traces/{id}`, Jaeger's
    /// own JSON model.
    JaegerV1,
    /// Tempo: `GET /api/v2/traces/{id}`.
    Tempo,
    /// Tempo's older API: `GET /api/traces/{id}`.
    TempoV1,
}

impl Backend {
    fn paths(self) -> &'static [&'static str] {
        match self {
            Backend::Auto => &["/api/v3/traces/", "/api/v2/traces/", "/api/traces/"],
            Backend::Jaeger => &["/api/v3/traces/"],
            Backend::Tempo => &["/api/v2/traces/"],
            Backend::JaegerV1 | Backend::TempoV1 => &["/api/traces/"],
        }
    }
}

/// How to reach a backend: `--url`, `--backend`, `-H`, `--timeout`.
#[derive(Clone, Debug)]
pub struct BackendOptions {
    pub url: String,
    pub backend: Backend,
    /// Sent with every request; their values are never shown.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// For each request, from connecting to the answer's last byte.
    pub timeout: Duration,
}

/// One answer is one trace, or one page of traces; anything larger is not one we can read.
const MAX_ANSWER: u64 = 512 << 20;
/// Traces asked for per request when searching: a page's answer stays tens of megabytes.
const PAGE: usize = 500;
/// A search makes at most this many requests, however many traces and services there are.
const MAX_REQUESTS: u64 = 10_000;
/// A full page over a window this short is not split again: what it left out is said.
const MIN_WINDOW_MICROS: i64 = 1_000;
/// A services list longer than this is not a backend's list of services.
const MAX_SERVICES: usize = 10_000;

/// `-H 'Name: value'`, as curl takes it. An error never repeats the value: it may be a token.
pub fn parse_header(text: &str) -> anyhow::Result<(HeaderName, HeaderValue)> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(anyhow::anyhow!(
            "-H: expected 'Name: value' (what was given is not shown: it may be a secret)"
        ));
    };
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| anyhow::anyhow!("-H {:?}: not a header name", name.trim()))?;
    let mut value = HeaderValue::from_str(value.trim())
        .map_err(|_| anyhow::anyhow!("-H {name}: the value is not a valid header value"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// A backend, and the requests made to it so far.
#[derive(Debug)]
pub struct Connection {
    base: String,
    backend: Backend,
    client: reqwest::blocking::Client,
    timeout: Duration,
    /// When the last request's time is up: its answer is read until then.
    deadline: Instant,
    pub requests: u64,
}

/// One trace's spans as a backend answered them.
#[derive(Debug)]
pub struct Fetched {
    /// The URL that answered.
    pub url: String,
    pub read: OtlpRead,
}

/// What a search read besides its spans.
#[derive(Debug, Default)]
pub struct Found {
    pub traces: u64,
    pub read: OtlpRead,
}

impl Connection {
    pub fn open(options: &BackendOptions) -> anyhow::Result<Connection> {
        let base = options.url.trim_end_matches('/');
        if !base.starts_with("http://") && !base.starts_with("https://") {
            return Err(anyhow::anyhow!(
                "--url {base:?}: expected http:// or https://"
            ));
        }
        reqwest::Url::parse(base).with_context(|| format!("--url {base:?}"))?;
        if base.starts_with("https://") && !cfg!(feature = "https") {
            return Err(anyhow::anyhow!(
                "this tracefault was built without TLS: rebuild with `--features https`, or \
                 reach the backend over http (kubectl port-forward)"
            ));
        }
        #[cfg(feature = "https")]
        {
            // reqwest's `rustls-no-provider` leaves the choice to us: ring, which builds no C++.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            headers.append(name.clone(), value.clone());
        }
        let client = reqwest::blocking::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .default_headers(headers)
            .build()
            .context("no HTTP client")?;
        Ok(Connection {
            base: base.to_owned(),
            backend: options.backend,
            client,
            timeout: options.timeout,
            deadline: Instant::now(),
            requests: 0,
        })
    }

    /// `GET url`: the answer if it is a success, the backend's words if not. `Ok(None)` for
    /// a 404 that `missing` says is a miss rather than an error.
    fn get(
        &mut self,
        url: &str,
        missing: impl Fn(&[u8]) -> bool,
    ) -> anyhow::Result<Option<reqwest::blocking::Response>> {
        if self.requests >= MAX_REQUESTS {
            return Err(anyhow::anyhow!(
                "made {MAX_REQUESTS} requests to {} and stopped: narrow --since/--until or \
                 name a --service",
                self.base
            ));
        }
        self.requests += 1;
        self.deadline = Instant::now() + self.timeout;
        let response = self
            .client
            .get(url)
            .header("Accept", "application/json")
            .send()
            .map_err(|error| anyhow::Error::new(error.without_url()))
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if status.is_success() {
            return Ok(Some(response));
        }
        let mut body = Vec::new();
        let _ = response.take(4096).read_to_end(&mut body);
        if status == reqwest::StatusCode::NOT_FOUND && missing(&body) {
            return Ok(None);
        }
        // The backend's words (or a proxy's page): shown, never obeyed by the terminal.
        let body = String::from_utf8_lossy(&body);
        let said = crate::render::escape::Escaped(body.trim());
        Err(anyhow::anyhow!("GET {url}: {status}: {said}"))
    }

    /// The spans of `trace_id`, and the URL that answered.
    pub fn fetch_trace(
        &mut self,
        trace_id: TraceId,
        mut each: impl FnMut(Span),
    ) -> anyhow::Result<Fetched> {
        let mut misses = Vec::new();
        let auto = self.backend == Backend::Auto;
        for path in self.backend.paths() {
            let url = format!("{}{path}{trace_id}", self.base);
            // For `auto`, a 404 is a path this backend does not serve, unless it is the API's
            // own answer: Jaeger's 404 for a trace it does not hold is its api_v3 error
            // envelope, and asking Tempo's paths next would reach Jaeger's UI (an HTML page).
            let Some(response) = self.get(&url, |body| auto && !otlp::is_backend_error(body))?
            else {
                misses.push(format!("{url}: 404"));
                continue;
            };
            let read = otlp::read_spans(
                bounded(response, self.deadline, self.timeout),
                Ending::Whole,
                &mut each,
            )
            .with_context(|| format!("GET {url}"))?;
            return Ok(Fetched { url, read });
        }
        Err(anyhow::anyhow!(
            "no backend at {} knows trace {trace_id} ({})",
            self.base,
            misses.join(", ")
        ))
    }

    /// The services the backend knows: Jaeger's `GET /api/v3/services`.
    pub fn services(&mut self) -> anyhow::Result<Vec<String>> {
        // Nothing else: an empty list is `{}` (jsonpb leaves it out), so another API's object
        // would read as no services at all.
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Services {
            services: Option<Vec<String>>,
        }
        let url = format!("{}/api/v3/services", self.base);
        let response = self
            .get(&url, |_| false)?
            .context("a 404 is not a list of services")?;
        let answer: Services =
            serde_json::from_reader(bounded(response, self.deadline, self.timeout))
                .map_err(|error| {
                    anyhow::anyhow!(
                        "not an answer this command reads: not Jaeger's list of services: {error}"
                    )
                })
                .with_context(|| format!("GET {url}"))?;
        // jsonpb leaves an empty list out.
        let services = answer.services.unwrap_or_default();
        if services.len() > MAX_SERVICES {
            return Err(anyhow::anyhow!(
                "GET {url}: {} services, more than the {MAX_SERVICES} this reads",
                services.len()
            ));
        }
        Ok(services)
    }

    /// Every trace with a span of `service` (of each service the backend knows, when `None`)
    /// starting between `since` and `until`, through Jaeger's api_v3 `FindTraces`. The
    /// backend answers at most the newest `PAGE` traces of a window: a full page's window is
    /// split in two and each half asked again, so that a search of any size is read in
    /// answers of bounded size. A trace of several services, or over a split, is answered
    /// more than once: the spans are the same, and are deduplicated where they are gathered.
    pub fn find_traces(
        &mut self,
        service: Option<&str>,
        since: Timestamp,
        until: Timestamp,
        mut each: impl FnMut(Span),
    ) -> anyhow::Result<Found> {
        if self.backend != Backend::Auto && self.backend != Backend::Jaeger {
            return Err(anyhow::anyhow!(
                "searching a time window reads Jaeger's api_v3 (--backend jaeger or auto); \
                 with Tempo, name one trace to `tracefault show <id> --url`"
            ));
        }
        let services = match service {
            Some(service) => vec![service.to_owned()],
            None => self.services()?,
        };
        let mut found = Found::default();
        let mut traces: HashSet<TraceId> = HashSet::new();
        for service in &services {
            let mut windows = vec![(since, until)];
            while let Some((from, to)) = windows.pop() {
                let mut url = reqwest::Url::parse(&format!("{}/api/v3/traces", self.base))
                    .context("--url")?;
                url.query_pairs_mut()
                    .append_pair("query.service_name", service)
                    .append_pair("query.start_time_min", &from.to_string())
                    .append_pair("query.start_time_max", &to.to_string())
                    .append_pair("query.num_traces", &PAGE.to_string());
                let url = url.to_string();
                // Jaeger answers a search that found nothing with a 404 in its own envelope.
                let Some(response) = self.get(&url, otlp::is_backend_error)? else {
                    continue;
                };
                // Each trace's first start in this answer.
                let mut page: HashMap<TraceId, Timestamp> = HashMap::new();
                let read = otlp::read_spans(
                    bounded(response, self.deadline, self.timeout),
                    Ending::Whole,
                    |span| {
                        let start = span.start.unwrap_or(to);
                        let first = page.entry(span.trace_id).or_insert(start);
                        *first = (*first).min(start);
                        each(span);
                    },
                )
                .with_context(|| format!("GET {url}"))?;
                found.read.documents += read.documents;
                found.read.dropped_spans += read.dropped_spans;
                found.read.partial.extend(read.partial);
                if page.len() >= PAGE {
                    if to.0 - from.0 > MIN_WINDOW_MICROS {
                        let oldest = page.values().min().copied().unwrap_or(from);
                        windows.extend(split(from, to, oldest));
                    } else {
                        found.read.partial.push(format!(
                            "{service}: {PAGE} traces or more start within {from} to {to}; \
                             the backend answered {PAGE} of them"
                        ));
                    }
                }
                traces.extend(page.into_keys());
            }
        }
        found.traces = traces.len() as u64;
        Ok(found)
    }
}

/// The parts a full page's window `from..to` is asked again in. Jaeger answers a window's
/// newest traces, so the page's oldest start says how dense the window is near its end: the
/// window is cut into as many parts as that density makes about half a page each (2 to 64),
/// and each part is asked again (a part still full is cut again). Halving alone would read each
/// trace once per level of halving. The estimate only sets how many parts: a backend that
/// answers other traces than the newest costs more requests, never a trace.
fn split(from: Timestamp, to: Timestamp, oldest: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let length = to.0 - from.0;
    let covered = (to.0 - oldest.0).clamp(1, length);
    let estimate = PAGE as i64 * (length / covered).max(1);
    let parts = (estimate / (PAGE as i64 / 2)).clamp(2, 64);
    (0..parts)
        .map(|part| {
            let start = Timestamp(from.0 + length * part / parts);
            let end = Timestamp(from.0 + length * (part + 1) / parts);
            (start, end)
        })
        .collect()
}

/// An answer read up to [`MAX_ANSWER`] and until the request's deadline; past either, an
/// error that says so (a cut answer would read as malformed JSON). reqwest's blocking client
/// bounds each read of the body by its timeout, not the whole of it: a backend sending a byte
/// at a time would hold the command for as long as it likes.
fn bounded(
    response: reqwest::blocking::Response,
    deadline: Instant,
    timeout: Duration,
) -> impl Read {
    struct Bounded<R> {
        inner: R,
        left: u64,
        deadline: Instant,
        timeout: Duration,
    }
    impl<R: Read> Read for Bounded<R> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if Instant::now() > self.deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the answer took longer than the timeout ({} s) to arrive",
                        self.timeout.as_secs()
                    ),
                ));
            }
            if self.left == 0 {
                let mut probe = [0u8; 1];
                return match self.inner.read(&mut probe)? {
                    0 => Ok(0),
                    _ => Err(io::Error::other(format!(
                        "the answer is larger than {} MiB",
                        MAX_ANSWER >> 20
                    ))),
                };
            }
            let limit = buffer
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            let read = self.inner.read(&mut buffer[..limit])?;
            self.left -= read as u64;
            Ok(read)
        }
    }
    // serde_json reads a reader a byte at a time: each would be a read of the response.
    io::BufReader::with_capacity(
        64 << 10,
        Bounded {
            inner: response,
            left: MAX_ANSWER,
            deadline,
            timeout,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_name_and_value_and_its_value_is_never_in_an_error() {
        let (name, value) = parse_header("X-Scope-OrgID: tenant-1").unwrap();
        assert_eq!(name.as_str(), "x-scope-orgid");
        assert_eq!(value.to_str().unwrap(), "tenant-1");
        assert!(value.is_sensitive());
        for (given, secret) in [
            ("Bearer s3cr3t", "s3cr3t"),
            ("Authorization: Bearer s3cr3t\u{1}", "s3cr3t"),
            ("Bad Name: s3cr3t", "s3cr3t"),
        ] {
            let error = parse_header(given).unwrap_err().to_string();
            assert!(!error.contains(secret), "{error}");
        }
    }

    #[test]
    fn a_full_windows_parts_cover_it_and_follow_its_density() {
        let (from, to) = (Timestamp(0), Timestamp(3_600_000_000));
        // The newest page covers the last 3 minutes of an hour: about 20 pages in all.
        let parts = split(from, to, Timestamp(to.0 - 180_000_000));
        assert_eq!(parts.len(), 40);
        assert_eq!(parts[0].0, from);
        assert_eq!(parts[39].1, to);
        assert!(parts.windows(2).all(|pair| pair[0].1 == pair[1].0));
        // A page covering most of the window: halves. A page from one instant: at most 64.
        assert_eq!(split(from, to, Timestamp(1)).len(), 2);
        assert_eq!(split(from, to, to).len(), 64);
    }

    #[test]
    fn a_url_that_is_not_http_is_refused_before_any_request() {
        let options = |url: &str| BackendOptions {
            url: url.to_owned(),
            backend: Backend::Auto,
            headers: Vec::new(),
            timeout: Duration::from_secs(1),
        };
        assert!(Connection::open(&options("jaeger:16686")).is_err());
        assert!(Connection::open(&options("http://")).is_err());
        assert!(Connection::open(&options("http://127.0.0.1:1/")).is_ok());
    }
}
