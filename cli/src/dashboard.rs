//! What `tracefault html` puts in its file, gathered in two passes over the sources: the
//! first counts the error groups and finds the failing traces (as `errors` and `traces` do,
//! in one pass), the second gathers the evidence of the traces chosen for pages (as `show`
//! does, for many traces at once). Standard input is copied to a file first, so that it can
//! be read twice.

use crate::analysis::groups::{ErrorGroups, ErrorSummary};
use crate::analysis::story::{tell, Story};
use crate::analysis::traces::{FailingTraces, TraceView};
use crate::analysis::Filter;
use crate::gather::{ErrorsSink, EvidenceSink, TraceLimits, TracesSink};
use crate::ids::TraceId;
use crate::render::html::thousands;
use crate::source::{self, Input, ReadOptions, ReadStats};
use anyhow::Context as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How much goes into the file.
#[derive(Clone, Copy, Debug)]
pub struct DashboardLimits {
    /// Traces given a page: the examples of the largest groups first, then the newest.
    pub max_pages: usize,
    /// The largest groups whose example trace gets a page before the newest traces do.
    pub example_groups: usize,
    /// Failing traces listed in the overview, newest first.
    pub max_listed: usize,
    /// Groups listed, largest first.
    pub max_groups: usize,
    /// Spans held in memory for all the pages together: each page's share of them is its
    /// limit (at least [`MIN_PAGE_SPANS`]).
    pub span_budget: usize,
}

impl Default for DashboardLimits {
    fn default() -> DashboardLimits {
        DashboardLimits {
            max_pages: 200,
            example_groups: 50,
            max_listed: 300,
            max_groups: 2_000,
            span_budget: 1_000_000,
        }
    }
}

/// A page holds at least this many spans of its trace.
pub const MIN_PAGE_SPANS: usize = 5_000;

/// Everything the file shows.
#[derive(Debug)]
pub struct Dashboard {
    pub summary: ErrorSummary,
    /// The failing traces listed (the newest), and how many there are.
    pub traces: Vec<TraceView>,
    pub traces_total: usize,
    /// The traces chosen for pages, the most wanted first.
    pub stories: Vec<Story>,
    pub stats: ReadStats,
    pub notes: Vec<String>,
    pub max_groups: usize,
}

/// A copy of standard input, removed when dropped.
struct StdinCopy(PathBuf);

impl StdinCopy {
    fn make() -> anyhow::Result<StdinCopy> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("tracefault-stdin-{}-{nanos}", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("{}", path.display()))?;
        let copy = StdinCopy(path);
        std::io::copy(&mut std::io::stdin().lock(), &mut file).context("copying standard input")?;
        Ok(copy)
    }
}

impl Drop for StdinCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read_inputs(
    inputs: &[Input],
    options: ReadOptions,
    sink: &mut impl source::Sink,
    stdin: Option<&Path>,
) -> anyhow::Result<ReadStats> {
    let mut stats = ReadStats::default();
    source::read_all_with(inputs, options, sink, &mut stats, stdin);
    if !stats.unreadable.is_empty() && stats.unreadable.len() as u64 == stats.inputs {
        return Err(anyhow::anyhow!(stats.unreadable.join("; ")));
    }
    Ok(stats)
}

/// The traces to give pages: each of the largest groups' example, then the newest failing.
pub fn choose_pages(
    summary: &ErrorSummary,
    traces: &[TraceView],
    limits: DashboardLimits,
) -> Vec<TraceId> {
    let examples = summary
        .groups
        .iter()
        .take(limits.example_groups)
        .filter_map(|group| group.example_trace_id);
    let newest = traces.iter().map(|trace| trace.trace_id);
    let mut seen = HashSet::new();
    examples
        .chain(newest)
        .filter(|trace| seen.insert(*trace))
        .take(limits.max_pages)
        .collect()
}

pub fn gather(
    sources: &[String],
    options: ReadOptions,
    filter: Filter,
    limits: DashboardLimits,
) -> anyhow::Result<Dashboard> {
    let inputs = source::resolve(sources)?;
    let stdin = if inputs.contains(&Input::Stdin) {
        Some(StdinCopy::make()?)
    } else {
        None
    };
    let stdin_path = stdin.as_ref().map(|copy| copy.0.as_path());
    let mut first = (
        ErrorsSink::new(ErrorGroups::new(filter.clone())),
        TracesSink::new(FailingTraces::new(filter)),
    );
    let stats = read_inputs(&inputs, options, &mut first, stdin_path)?;
    let (errors, traces) = first;
    let summary = errors.finish();
    let (mut traces, _) = traces.finish();
    let traces_total = traces.len();
    let chosen = choose_pages(&summary, &traces, limits);
    let per_page = (limits.span_budget / chosen.len().max(1)).max(MIN_PAGE_SPANS);
    let trace_limits = TraceLimits {
        spans: per_page,
        sightings: per_page,
        reports: 1_000,
    };
    let mut second = EvidenceSink::new(chosen.iter().copied(), trace_limits);
    // The second pass reads what the first did; its counts are the first's.
    read_inputs(&inputs, options, &mut second, stdin_path)?;
    let mut gathered = second.into_gathered();
    let stories: Vec<Story> = chosen
        .iter()
        .filter_map(|trace| {
            let evidence = gathered.remove(trace)?;
            let notes = [
                evidence.dropped_note(trace_limits),
                evidence.duplicates_note(),
            ];
            let mut story = tell(*trace, evidence.evidence);
            story.notes.extend(notes.into_iter().flatten());
            Some(story)
        })
        .collect();
    let mut notes = Vec::new();
    if traces_total > stories.len() {
        notes.push(format!(
            "{} of the {} failing traces have a page in this file (the example of each of the \
             largest groups, then the newest); tracefault show <trace-id>, or tracefault \
             serve, tells any of them.",
            thousands(stories.len() as u64),
            thousands(traces_total as u64)
        ));
    }
    traces.truncate(limits.max_listed);
    Ok(Dashboard {
        summary,
        traces,
        traces_total,
        stories,
        stats,
        notes,
        max_groups: limits.max_groups,
    })
}
