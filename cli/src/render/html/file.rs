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
             groups, then the newest); {} were left out to keep it under {}: tracefault \
             show <trace-id>, or tracefault serve, tells them.",
            thousands(pages.len() as u64),
            thousands(contents.stories.len() as u64),
            thousands(left_out as u64),
            size(budget.max_bytes)
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

/// `16 MiB`, `390 KiB`.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::groups::ErrorGroups;
    use crate::analysis::story::{tell, TraceEvidence};
    use crate::analysis::Filter;
    use crate::ids::SpanId;
    use crate::model::{Report, SpanTraceEntry};
    use crate::time::Timestamp;

    fn story(trace: u128) -> Story {
        let report = Report {
            timestamp: Some(Timestamp(trace as i64 * 1_000_000)),
            service: Some("inventory".to_owned()),
            trace_id: Some(TraceId(trace)),
            span_id: Some(SpanId(trace as u64)),
            type_name: "shop::StockError".to_owned(),
            // Large reports: each page is some tens of kilobytes.
            message: "x".repeat(3_000),
            span_trace: (0..40)
                .map(|at| SpanTraceEntry {
                    function: format!("shop::step{at}"),
                    file: Some("src/shop.rs".to_owned()),
                    line: Some(at),
                    span_id: Some(SpanId(((trace as u64) << 8) | (u64::from(at) + 1))),
                })
                .collect(),
            ..Report::default()
        };
        tell(
            TraceId(trace),
            TraceEvidence {
                reports: vec![report],
                ..TraceEvidence::default()
            },
        )
    }

    #[test]
    fn pages_stop_at_the_budget_and_the_file_says_how_many_were_left_out() {
        let stories: Vec<Story> = (1..=40).map(story).collect();
        let summary = ErrorGroups::new(Filter::default()).finish();
        let budget = FileBudget {
            max_bytes: 400_000,
            ..FileBudget::default()
        };
        let outcome = report_file(
            FileContents {
                summary: &summary,
                traces: &[],
                traces_total: 40,
                stats: &ReadStats::default(),
                max_groups: 10,
                notes: Vec::new(),
                stories: &stories,
            },
            budget,
        );
        assert!(outcome.left_out > 0 && outcome.pages > 0, "{outcome:?}");
        assert_eq!(outcome.pages + outcome.left_out, 40);
        assert!(
            outcome.html.len() <= budget.max_bytes,
            "{}",
            outcome.html.len()
        );
        assert_eq!(
            outcome.html.matches("<section id=\"trace-").count(),
            outcome.pages
        );
        assert!(outcome.html.contains(&format!(
            "{} were left out to keep it under 390 KiB",
            outcome.left_out
        )));
        // The most wanted first: the pages kept are the first stories.
        assert!(outcome
            .html
            .contains(&format!("id=\"trace-{}\"", TraceId(1))));
    }
}
