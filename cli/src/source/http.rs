//! A trace by id from a tracing backend's HTTP API: Jaeger v2 (`/api/v3/traces/{id}`) or
//! Grafana Tempo (`/api/v2/traces/{id}`, `/api/traces/{id}`). The answer is OTLP JSON in one
//! envelope or another, read by [`super::otlp`].

use crate::ids::TraceId;
use crate::model::Span;
use anyhow::Context as _;
use std::io::Read;
use std::time::Duration;

/// Which API to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// Try Jaeger's api_v3, then Tempo's v2, then Tempo's v1: the first that knows the path.
    Auto,
    /// Jaeger v2: `GET /api/v3/traces/{id}`.
    Jaeger,
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
            Backend::TempoV1 => &["/api/traces/"],
        }
    }
}

/// A backend's answer is one trace; anything larger than this is not one we can show.
const MAX_ANSWER: u64 = 512 << 20;
const TIMEOUT: Duration = Duration::from_secs(30);

/// The spans of `trace_id` at `base` (`http://jaeger:16686`, `http://tempo:3200`), and the
/// URL that answered.
pub fn fetch_trace(
    base: &str,
    backend: Backend,
    trace_id: TraceId,
    mut each: impl FnMut(Span),
) -> anyhow::Result<String> {
    let base = base.trim_end_matches('/');
    if !base.starts_with("http://") && !base.starts_with("https://") {
        return Err(anyhow::anyhow!(
            "--url {base:?}: expected http:// or https://"
        ));
    }
    if base.starts_with("https://") && !cfg!(feature = "https") {
        return Err(anyhow::anyhow!(
            "this tracefault was built without TLS: rebuild with `--features https`, or reach \
             the backend over http (kubectl port-forward)"
        ));
    }
    let client = client()?;
    let mut misses = Vec::new();
    for path in backend.paths() {
        let url = format!("{base}{path}{trace_id}");
        let response = client
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .map_err(|error| anyhow::Error::new(error.without_url()))
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if !status.is_success() {
            let mut body = String::new();
            let _ = response.take(4096).read_to_string(&mut body);
            // For `auto`, a 404 is a path this backend does not serve, unless it is the API's
            // own answer: Jaeger's 404 for a trace it does not hold is its api_v3 error
            // envelope, and asking Tempo's paths next would reach Jaeger's UI (an HTML page).
            if status == reqwest::StatusCode::NOT_FOUND
                && backend == Backend::Auto
                && !super::otlp::is_backend_error(body.as_bytes())
            {
                misses.push(format!("{url}: 404"));
                continue;
            }
            // The backend's words (or a proxy's page): shown, never obeyed by the terminal.
            let said = crate::render::escape::Escaped(body.trim());
            return Err(anyhow::anyhow!("GET {url}: {status}: {said}"));
        }
        let body = response.take(MAX_ANSWER);
        super::otlp::read_spans(body, &mut each).with_context(|| format!("GET {url}"))?;
        return Ok(url);
    }
    Err(anyhow::anyhow!(
        "no backend at {base} knows trace {trace_id} ({})",
        misses.join(", ")
    ))
}

fn client() -> anyhow::Result<reqwest::blocking::Client> {
    #[cfg(feature = "https")]
    {
        // reqwest's `rustls-no-provider` leaves the choice to us: ring, which builds no C++.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .context("no HTTP client")
}
