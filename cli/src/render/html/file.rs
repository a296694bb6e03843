//! The self-contained file: the overview and a section per included trace, in one document
//! that needs nothing else (it opens from disk or from a ticket's attachment). The fragment
//! decides what is shown (`#trace-<id>`, a bar in it, or the overview), with CSS alone.
//!
//! Its size is bounded whatever the sources: the overview lists a bounded number of groups
//! and traces, each page draws a bounded number of spans, and pages are added, most wanted
//! first, only while the file stays under its budget; what was left out is said on the page.

use super::overview::{self, Overview, Pages};
use super::trace::{self, TracePage};
use super::{document, thousands, Mode};
use crate::analysis::groups::ErrorSummary;
use crate::analysis::story::Story;
use crate::analysis::traces::TraceView;
use crate::ids::TraceId;
use crate::source::ReadStats;
use maud::{html, PreEscaped};
use std::collections::{HashMap, HashSet};

/// How large the file may grow.
#[derive(Clone, Copy, Debug)]
pub struct FileBudget {
    /// The whole document, in bytes.
    pub max_bytes: usize,
    /// Spans drawn in one trace's waterfall.
    pub max_bars_per_trace: usize,
    /// Spans drawn in all the waterfalls together: many pages draw fewer each.
    pub max_bars: usize,
}

impl Default for FileBudget {
    fn default() -> FileBudget {
        FileBudget {
            max_bytes: 16 << 20,
            max_bars_per_trace: 10_000,
            max_bars: 60_000,
        }
    }
}

/// What goes into the file.
#[derive(Debug)]
pub struct FileContents<'a> {
    pub summary: &'a ErrorSummary,
    pub traces: &'a [TraceView],
    pub traces_total: usize,
    pub stats: &'a ReadStats,
    pub max_groups: usize,
    pub notes: Vec<String>,
    /// The traces to give pages, the most wanted first.
    pub stories: &'a [Story],
}

/// The file, and how many of the stories got a page.
#[derive(Debug)]
pub struct FileOutcome {
    pub html: String,
    pub pages: usize,
    pub left_out: usize,
}

pub fn report_file(contents: FileContents<'_>, budget: FileBudget) -> FileOutcome {
    let mode = Mode::File;
    let per_trace = budget
        .max_bars_per_trace
        .min((budget.max_bars / contents.stories.len().max(1)).max(300));
    // The overview as if every story had its page: the most it can take.
    let candidates: HashSet<TraceId> = contents
        .stories
        .iter()
        .map(|story| story.trace_id)
        .collect();
    let overview_size = overview_markup(&contents, &candidates, Vec::new())
        .into_string()
        .len();
    // The shell (style, script, help) and the notes are a few tens of kilobytes.
    let room = budget.max_bytes.saturating_sub(overview_size + (64 << 10));
    let mut pages: Vec<(TraceId, String)> = Vec::new();
    let mut used = 0;
    let mut left_out = 0;
    for story in contents.stories {
        let page = TracePage {
            story,
            max_bars: per_trace,
        };
        let section = trace::section(&page, mode, false).into_string();
        if used + section.len() > room {
            left_out += 1;
            continue;
        }
        used += section.len();
        pages.push((story.trace_id, section));
    }
    // Shown in the list's order (newest first), the others after, as chosen.
    let listed: HashMap<TraceId, usize> = contents
        .traces
        .iter()
        .enumerate()
        .map(|(at, trace)| (trace.trace_id, at))
        .collect();
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_key(|&at| (listed.get(&pages[at].0).copied().unwrap_or(usize::MAX), at));
    let with_pages: HashSet<TraceId> = pages.iter().map(|(trace, _)| *trace).collect();
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!(
            "Pages for {} of the {} traces chosen are in this file (the examples of the largest \
             groups, then the newest); {} were left out to keep it under {} MB: `tracefault \
             show <trace-id>` or `tracefault serve` tell them.",
            thousands(pages.len() as u64),
            thousands(contents.stories.len() as u64),
            thousands(left_out as u64),
            budget.max_bytes >> 20
        ));
    }
    let overview = overview_markup(&contents, &with_pages, notes);
    let title = overview::title_of(contents.summary.groups.len(), contents.traces_total);
    let body = html! {
        (trace::top_bar(mode, "Errors and failing traces"))
        main #main {
            (overview)
            @for &at in &order { (PreEscaped(&pages[at].1)) }
        }
    };
    FileOutcome {
        html: document(&title, mode, body),
        pages: pages.len(),
        left_out,
    }
}

fn overview_markup(
    contents: &FileContents<'_>,
    pages: &HashSet<TraceId>,
    extra_notes: Vec<String>,
) -> maud::Markup {
    let mut notes = contents.notes.clone();
    notes.extend(extra_notes);
    let overview = Overview {
        summary: contents.summary,
        traces: contents.traces,
        traces_total: contents.traces_total,
        stats: contents.stats,
        max_groups: contents.max_groups,
        pages: Pages::Only(pages),
        notes,
    };
    overview::section(&overview, Mode::File)
}
