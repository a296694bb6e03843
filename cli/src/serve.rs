//! `tracefault serve`: the dashboard's pages over HTTP, made from the sources as they are at
//! each request. Files are read from where the last request left them: what a log gained
//! since is read and added to the counts, a file replaced or cut shorter is read again from
//! its start (and so is everything else, so that nothing is counted twice), a new file in a
//! watched directory joins. A line still being written waits for its newline (or for its file
//! to rest) so that half a line is never read as a whole one.
//!
//! With `--url`, the traces a tracing backend holds for the filter's window join the files':
//! searched again (and the files read again from their start, so that nothing is counted
//! twice) when a request comes `SEARCH_EVERY` or more after the last search. A trace's page
//! asks the backend for the trace.
//!
//! Read-only: every route is a `GET` (anything else is refused by the router), nothing runs
//! anything or writes anywhere. Bound to loopback by default, and there a request must name
//! a loopback host, so that another site's page cannot read this one through a DNS name it
//! points at 127.0.0.1 (DNS rebinding).

use crate::analysis::groups::ErrorGroups;
use crate::analysis::story::tell;
use crate::analysis::traces::{FailingTraces, TraceView};
use crate::analysis::Filter;
use crate::gather::{self, ErrorsSink, EvidenceSink, TracesSink, SHOW_LIMITS};
use crate::ids::TraceId;
use crate::render::html::{
    content_security_policy, overview_page, trace_page, Mode, Overview, Pages,
};
use crate::source::http::{BackendOptions, Connection};
use crate::source::{self, Input, ReadOptions, ReadStats, Sink as _};
use anyhow::Context as _;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A trace page draws at most this many spans: the file's limit for a page of its own.
const MAX_BARS: usize = 10_000;
/// The overview lists this many failing traces and groups.
const MAX_LISTED: usize = 500;
const MAX_GROUPS: usize = 2_000;
/// Trace pages kept, each for as long as the sources do not grow.
const CACHED_PAGES: usize = 32;
/// A last line without its newline is read once its file has not changed for this long: its
/// writer is done with it.
const SETTLED: Duration = Duration::from_secs(2);
/// A backend is searched again at most this often: a search is many requests.
const SEARCH_EVERY: Duration = Duration::from_secs(15);

/// Where the reading of one file stands.
#[derive(Clone, Debug, Default)]
struct Tail {
    /// Bytes read, up to the end of the last whole line.
    offset: u64,
    lines: u64,
    /// Device and inode: a file replaced under the same name (rotated) is another file.
    identity: (u64, u64),
    /// The last bytes read: a file cut and written again in place (`copytruncate`) has
    /// other bytes there, even when it has grown past where it was.
    mark: Vec<u8>,
    /// The parts of a line a container runtime cut, read before the line's last part was
    /// written.
    joiner: source::container::Joiner,
}

/// How many bytes before a tail's offset are kept to recognise the file.
const MARK: u64 = 64;

impl Tail {
    /// Whether `file` still has, before the offset, the bytes this tail read there.
    fn same_file(&self, path: &Path) -> bool {
        if self.mark.is_empty() {
            return true;
        }
        let mut bytes = vec![0; self.mark.len()];
        std::fs::File::open(path)
            .and_then(|mut file| {
                file.seek(SeekFrom::Start(self.offset - self.mark.len() as u64))?;
                file.read_exact(&mut bytes)
            })
            .is_ok_and(|()| bytes == self.mark)
    }
}

/// The counts so far, and where each file was left.
#[derive(Debug)]
struct Live {
    sources: Vec<String>,
    options: ReadOptions,
    filter: Filter,
    backend: Option<BackendOptions>,
    /// When the backend was last searched.
    searched_at: Option<Instant>,
    tails: HashMap<PathBuf, Tail>,
    sinks: (ErrorsSink, TracesSink),
    stats: ReadStats,
    /// Goes up whenever anything new was read: the pages made before are out of date.
    generation: u64,
    overview: Option<(u64, String)>,
    pages: Vec<(TraceId, u64, String)>,
}

impl Live {
    fn new(
        sources: Vec<String>,
        options: ReadOptions,
        filter: Filter,
        backend: Option<BackendOptions>,
    ) -> Live {
        Live {
            sinks: fresh_sinks(&filter),
            sources,
            options,
            filter,
            backend,
            searched_at: None,
            tails: HashMap::new(),
            stats: ReadStats::default(),
            generation: 0,
            overview: None,
            pages: Vec::new(),
        }
    }

    /// Reads what the sources gained since the last time.
    fn refresh(&mut self) -> anyhow::Result<()> {
        let files: Vec<PathBuf> = source::resolve(&self.sources)?
            .into_iter()
            .filter_map(|input| match input {
                Input::File(path) => Some(path),
                Input::Stdin => None,
            })
            .collect();
        let mut states = Vec::with_capacity(files.len());
        let mut restart = false;
        for path in files {
            let Ok(metadata) = std::fs::metadata(&path) else {
                continue;
            };
            let identity = identity(&metadata);
            if let Some(tail) = self.tails.get(&path) {
                restart |= tail.identity != identity
                    || metadata.len() < tail.offset
                    || !tail.same_file(&path);
            }
            states.push((path, metadata, identity));
        }
        let search_due = self
            .searched_at
            .is_none_or(|at| at.elapsed() >= SEARCH_EVERY);
        let search = self.backend.clone().filter(|_| restart || search_due);
        if restart || search.is_some() {
            self.tails.clear();
            self.sinks = fresh_sinks(&self.filter);
            self.stats = ReadStats::default();
        }
        if let Some(options) = &search {
            // What the backend holds now, and then every file again from its start.
            self.stats = crate::command::search(options, &self.filter, &mut self.sinks)?;
            self.searched_at = Some(Instant::now());
        }
        let mut grew = restart || search.is_some();
        let settled = |metadata: &std::fs::Metadata| {
            metadata
                .modified()
                .ok()
                .and_then(|at| SystemTime::now().duration_since(at).ok())
                .is_some_and(|age| age >= SETTLED)
        };
        for (path, metadata, identity) in &states {
            let tail = self.tails.entry(path.clone()).or_insert(Tail {
                identity: *identity,
                ..Tail::default()
            });
            if metadata.len() <= tail.offset {
                continue;
            }
            let outcome = read_new_lines(
                path,
                tail,
                metadata.len(),
                settled(metadata),
                self.options,
                &mut self.sinks,
                &mut self.stats,
            );
            match outcome {
                Ok(read) => grew |= read,
                Err(error) => self
                    .stats
                    .unreadable
                    .push(format!("{}: {error}", path.display())),
            }
        }
        self.stats.inputs = self.tails.len() as u64 + u64::from(self.backend.is_some());
        self.stats.duplicate_spans = self.sinks.0.spans.duplicates;
        if grew {
            self.generation += 1;
        }
        Ok(())
    }

    fn overview_html(&mut self) -> anyhow::Result<String> {
        self.refresh()?;
        if let Some((generation, html)) = &self.overview {
            if *generation == self.generation {
                return Ok(html.clone());
            }
        }
        let (errors, traces) = self.sinks.clone();
        let summary = errors.finish();
        let (mut listed, _): (Vec<TraceView>, u64) = traces.finish();
        let total = listed.len();
        listed.truncate(MAX_LISTED);
        let overview = Overview {
            summary: &summary,
            traces: &listed,
            traces_total: total,
            stats: &self.stats,
            max_groups: MAX_GROUPS,
            pages: Pages::All,
            notes: Vec::new(),
        };
        let html = overview_page(&overview, self.generation);
        self.overview = Some((self.generation, html.clone()));
        Ok(html)
    }

    /// The trace's page, or `None` when the sources say nothing of it.
    fn trace_html(&mut self, trace: TraceId) -> anyhow::Result<Option<String>> {
        self.refresh()?;
        let generation = self.generation;
        if let Some((_, _, html)) = self
            .pages
            .iter()
            .find(|(id, made, _)| *id == trace && *made == generation)
        {
            return Ok(Some(html.clone()));
        }
        let mut sink = EvidenceSink::new([trace], SHOW_LIMITS);
        let mut fetch_error = None;
        if let Some(options) = &self.backend {
            let fetched = Connection::open(options)
                .and_then(|mut connection| connection.fetch_trace(trace, |span| sink.span(span)));
            fetch_error = fetched.err();
        }
        let files: Vec<String> = self
            .tails
            .keys()
            .map(|path| path.display().to_string())
            .collect();
        if !files.is_empty() {
            gather::read(&files, self.options, &mut sink)?;
        }
        let gathered = sink.into_gathered().remove(&trace).unwrap_or_default();
        if gathered.is_empty() {
            // The backend's error says more than "not in the sources".
            return fetch_error.map_or(Ok(None), Err);
        }
        let notes = [
            gathered.dropped_note(SHOW_LIMITS),
            gathered.duplicates_note(),
        ];
        let mut story = tell(trace, gathered.evidence);
        story.notes.extend(notes.into_iter().flatten());
        let html = trace_page(&story, generation, MAX_BARS);
        self.pages
            .retain(|(id, made, _)| *id != trace && *made == generation);
        if self.pages.len() >= CACHED_PAGES {
            self.pages.remove(0);
        }
        self.pages.push((trace, generation, html.clone()));
        Ok(Some(html))
    }
}

fn fresh_sinks(filter: &Filter) -> (ErrorsSink, TracesSink) {
    (
        ErrorsSink::new(ErrorGroups::new(filter.clone())),
        TracesSink::new(FailingTraces::new(filter.clone())),
    )
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Reads `path` from `tail.offset` to the end of its last whole line (or to `length`, when
/// the file has settled), moving the tail. True when anything was read.
fn read_new_lines(
    path: &Path,
    tail: &mut Tail,
    length: u64,
    settled: bool,
    options: ReadOptions,
    sinks: &mut (ErrorsSink, TracesSink),
    stats: &mut ReadStats,
) -> anyhow::Result<bool> {
    let mut file = std::fs::File::open(path)?;
    let end = if settled {
        length
    } else {
        match last_line_end(&mut file, tail.offset, length, options.max_line)? {
            Some(end) => end,
            None => return Ok(false),
        }
    };
    if end <= tail.offset {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(tail.offset))?;
    let lines_before = stats.lines;
    source::read_one_joined(
        file.take(end - tail.offset),
        &Input::File(path.to_owned()),
        tail.lines,
        options,
        sinks,
        stats,
        &mut tail.joiner,
    )?;
    tail.lines += stats.lines - lines_before;
    tail.offset = end;
    let kept = MARK.min(end);
    tail.mark = vec![0; kept as usize];
    file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(end - kept))
        .and_then(|_| file.read_exact(&mut tail.mark))?;
    Ok(true)
}

/// Where the last whole line between `from` and `to` ends (just after its newline), looking
/// back from `to`. A stretch with no newline longer than a line may be is read whole: the
/// line reader counts it as too long.
fn last_line_end(
    file: &mut std::fs::File,
    from: u64,
    to: u64,
    max_line: usize,
) -> anyhow::Result<Option<u64>> {
    const BLOCK: u64 = 64 << 10;
    let mut end = to;
    let mut block = vec![0u8; BLOCK as usize];
    while end > from {
        let start = end.saturating_sub(BLOCK).max(from);
        let length = (end - start) as usize;
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(&mut block[..length]))?;
        if let Some(at) = memchr::memrchr(b'\n', &block[..length]) {
            return Ok(Some(start + at as u64 + 1));
        }
        if to - start > max_line as u64 {
            return Ok(Some(to));
        }
        end = start;
    }
    Ok(None)
}

type Shared = Arc<Mutex<Live>>;

/// What a server may answer to: the hosts its own address is reached by.
#[derive(Clone, Debug)]
struct Hosts {
    /// `None`: any (the server was bound to a non-loopback address on purpose).
    allowed: Option<Vec<String>>,
}

impl Hosts {
    fn of(address: SocketAddr) -> Hosts {
        if !address.ip().is_loopback() {
            return Hosts { allowed: None };
        }
        let port = address.port();
        let names = [
            "localhost".to_owned(),
            address.ip().to_string(),
            "127.0.0.1".to_owned(),
            "[::1]".to_owned(),
        ];
        let mut allowed = Vec::new();
        for name in names {
            let name = if name.contains(':') && !name.starts_with('[') {
                format!("[{name}]")
            } else {
                name
            };
            allowed.push(format!("{name}:{port}"));
            allowed.push(name);
        }
        Hosts {
            allowed: Some(allowed),
        }
    }

    fn admits(&self, host: Option<&str>) -> bool {
        match (&self.allowed, host) {
            (None, _) => true,
            (Some(allowed), Some(host)) => {
                allowed.iter().any(|name| name.eq_ignore_ascii_case(host))
            }
            (Some(_), None) => false,
        }
    }
}

/// Every answer's headers: the page's policy, and no sniffing, framing, referrers or caching.
async fn guard(State(hosts): State<Hosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    let mut response = if hosts.admits(host) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to the loopback names it is reached by\n",
        )
            .into_response()
    };
    let headers = response.headers_mut();
    let policy = format!(
        "{}; frame-ancestors 'none'",
        content_security_policy(Mode::Live { generation: 0 })
    );
    let fixed: [(header::HeaderName, &str); 6] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

fn html_response(status: StatusCode, html: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn failure(error: anyhow::Error) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("tracefault: {}\n", crate::command::with_causes(&error)),
    )
        .into_response()
}

/// Runs `work` on the live state off the server's thread: reading files blocks.
async fn with_live<T: Send + 'static>(
    live: Shared,
    work: impl FnOnce(&mut Live) -> T + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(move || {
        let mut live = live.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut live)
    })
    .await
    .map_err(anyhow::Error::from)
}

async fn overview(State(live): State<Shared>) -> Response {
    match with_live(live, Live::overview_html).await {
        Ok(Ok(html)) => html_response(StatusCode::OK, html),
        Ok(Err(error)) | Err(error) => failure(error),
    }
}

async fn trace(State(live): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(trace) = TraceId::parse(&id).filter(|_| id.len() == 32) else {
        return not_found("not a trace id: expected 32 hex digits");
    };
    match with_live(live, move |live| live.trace_html(trace)).await {
        Ok(Ok(Some(html))) => html_response(StatusCode::OK, html),
        Ok(Ok(None)) => not_found("this trace is not in the sources"),
        Ok(Err(error)) | Err(error) => failure(error),
    }
}

async fn generation(State(live): State<Shared>) -> Response {
    let answer = with_live(live, |live| live.refresh().map(|()| live.generation)).await;
    match answer {
        Ok(Ok(generation)) => (
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"generation\":{generation}}}"),
        )
            .into_response(),
        Ok(Err(error)) | Err(error) => failure(error),
    }
}

fn not_found(why: &'static str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{why}\n"),
    )
        .into_response()
}

/// The routes, all `GET`.
fn router(live: Shared, hosts: Hosts) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/trace/{id}", get(trace))
        .route("/api/generation", get(generation))
        .fallback(|| async { not_found("no such page") })
        .with_state(live)
        .layer(middleware::from_fn_with_state(hosts, guard))
}

/// Reads the sources, binds `address`, says where it serves, and serves until interrupted.
pub fn serve(
    sources: Vec<String>,
    options: ReadOptions,
    filter: Filter,
    backend: Option<BackendOptions>,
    address: SocketAddr,
    mut announce: impl FnMut(&str),
) -> anyhow::Result<()> {
    let inputs = match sources.is_empty() {
        true => Vec::new(),
        false => source::resolve(&sources)?,
    };
    if (sources.is_empty() && backend.is_none()) || inputs.contains(&Input::Stdin) {
        return Err(anyhow::anyhow!(
            "serve reads its sources again as they grow: name files or directories, not standard \
             input"
        ));
    }
    let mut live = Live::new(sources, options, filter, backend);
    live.refresh()?;
    let stats = gather::stats_line(&live.stats, 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("{address}"))?;
        let bound = listener.local_addr()?;
        announce(&stats);
        if !bound.ip().is_loopback() {
            announce(&format!(
                "tracefault: warning: {bound} is not a loopback address: anyone who can reach it \
                 can read these logs"
            ));
        }
        announce(&format!(
            "tracefault: serving http://{bound}/ (read-only; Ctrl-C stops)"
        ));
        let app = router(Arc::new(Mutex::new(live)), Hosts::of(bound));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(anyhow::Error::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_servers_answer_only_to_loopback_names() {
        let hosts = Hosts::of("127.0.0.1:7777".parse().unwrap());
        for host in [
            "127.0.0.1:7777",
            "localhost:7777",
            "LOCALHOST:7777",
            "[::1]:7777",
            "127.0.0.1",
        ] {
            assert!(hosts.admits(Some(host)), "{host}");
        }
        for host in [
            "evil.example:7777",
            "127.0.0.1.evil.example:7777",
            "localhost:7778",
        ] {
            assert!(!hosts.admits(Some(host)), "{host}");
        }
        assert!(!hosts.admits(None));
        assert!(Hosts::of("0.0.0.0:7777".parse().unwrap()).admits(Some("anything")));
    }

    #[test]
    fn the_last_whole_line_is_found_from_the_end() {
        let dir = std::env::temp_dir().join(format!("tracefault-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.log");
        std::fs::write(&path, b"one\ntwo\nthr").unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        assert_eq!(last_line_end(&mut file, 0, 11, 100).unwrap(), Some(8));
        assert_eq!(last_line_end(&mut file, 8, 11, 100).unwrap(), None);
        // No newline in more than a line's limit: read it, as the line reader would skip it.
        assert_eq!(last_line_end(&mut file, 8, 11, 2).unwrap(), Some(11));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
