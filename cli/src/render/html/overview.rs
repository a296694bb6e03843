//! The overview: every error group (counts, rate, services, first and last seen, origin, a
//! chart of its reports over the window) and the failing traces, each linked to its page.

use super::trace::top_bar;
use super::{document, service_class, thousands, Code, Mode, Text, MAX_MESSAGE, MAX_NAME};
use crate::analysis::groups::{ErrorSummary, GroupView};
use crate::analysis::traces::TraceView;
use crate::ids::TraceId;
use crate::model::{CodeLocation, ErrorKind};
use crate::source::ReadStats;
use crate::time::{format_duration, Timestamp};
use maud::{html, Markup};
use std::collections::HashSet;

/// What the overview shows.
#[derive(Debug)]
pub struct Overview<'a> {
    pub summary: &'a ErrorSummary,
    /// The failing traces listed, newest first, and how many there are in all.
    pub traces: &'a [TraceView],
    pub traces_total: usize,
    pub stats: &'a ReadStats,
    /// At most this many groups are listed, the largest first.
    pub max_groups: usize,
    /// Which traces have a page to link to.
    pub pages: Pages<'a>,
    /// What was left out, and why.
    pub notes: Vec<String>,
}

/// Which traces have pages.
#[derive(Clone, Copy, Debug)]
pub enum Pages<'a> {
    /// Served: every trace's page is made when asked for.
    All,
    /// A file: the included ones.
    Only(&'a HashSet<TraceId>),
}

impl Pages<'_> {
    fn has(self, trace: TraceId) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(pages) => pages.contains(&trace),
        }
    }
}

/// The served overview.
pub fn overview_page(overview: &Overview<'_>, generation: u64) -> String {
    let mode = Mode::Live { generation };
    let body = html! {
        (top_bar(mode, "Errors and failing traces"))
        main #main { (section(overview, mode)) }
    };
    document(&title(overview), mode, body)
}

pub(crate) fn title(overview: &Overview<'_>) -> String {
    title_of(overview.summary.groups.len(), overview.traces_total)
}

pub(crate) fn title_of(groups: usize, traces: usize) -> String {
    format!("{groups} error groups, {traces} failing traces · tracefault")
}

pub(crate) fn section(overview: &Overview<'_>, mode: Mode) -> Markup {
    let summary = overview.summary;
    let groups = &summary.groups[..summary.groups.len().min(overview.max_groups)];
    html! {
        section #overview .page.overview aria-labelledby="overview-title" {
            header .ov-head {
                h1 #overview-title { "Errors" }
                p .facts {
                    (thousands(summary.groups.len() as u64)) " groups of " (thousands(summary.reports)) " reports"
                    @if let (Some(start), Some(end)) = (summary.window_start, summary.window_end) {
                        ", " time { (start.to_seconds_string()) } " to " time { (end.to_seconds_string()) }
                        " (" (format_duration(end.0 - start.0)) ")"
                    }
                    @if summary.duplicates > 0 { " · " (thousands(summary.duplicates)) " duplicate reports counted once" }
                }
                @for note in &overview.notes { p .note { "Note: " (Text::new(note, MAX_MESSAGE)) } }
            }
            @if !groups.is_empty() {
                (timeline(summary))
            }
            div .tools {
                label for="filter" { "Filter" }
                input #filter type="search" placeholder="type, service, message, function…" autocomplete="off" aria-keyshortcuts="/";
                span #filter-count .count aria-live="polite" {}
            }
            @if groups.is_empty() {
                p .empty { "No reports in the sources." }
            } @else {
                div .scroll {
                    table .groups.rows {
                        caption .sr { "Error groups, largest first" }
                        thead { tr {
                            th .num scope="col" { "Reports" }
                            th scope="col" { "Over time" }
                            th scope="col" { "Error" }
                            th scope="col" { "Services" }
                            th scope="col" { "First and last seen" }
                            th scope="col" { "Origin" }
                            th scope="col" { "Example" }
                        } }
                        tbody {
                            @for group in groups { (group_row(group, summary, overview, mode)) }
                        }
                    }
                }
                @if summary.groups.len() > groups.len() {
                    p .note { (thousands((summary.groups.len() - groups.len()) as u64)) " smaller groups are not listed." }
                }
            }
            h2 .section-title #traces-title { "Failing traces" }
            p .facts {
                (thousands(overview.traces_total as u64)) " failing traces, newest first"
                @if overview.traces.len() < overview.traces_total { "; the newest " (thousands(overview.traces.len() as u64)) " are listed" }
            }
            @if !overview.traces.is_empty() {
                div .scroll {
                    table .traces.rows {
                        caption .sr { "Failing traces, newest first" }
                        thead { tr {
                            th scope="col" { "When" }
                            th scope="col" { "Trace" }
                            th .num scope="col" { "Duration" }
                            th scope="col" { "Root" }
                            th scope="col" { "Services" }
                            th scope="col" { "Origin" }
                        } }
                        tbody {
                            @for trace in overview.traces { (trace_row(trace, overview, mode)) }
                        }
                    }
                }
            }
            (input_line(overview.stats))
        }
    }
}

/// Every group's reports added up, over the same parts of the window as the groups' charts.
fn timeline(summary: &ErrorSummary) -> Markup {
    let parts = summary.groups.first().map_or(0, |group| group.trend.len());
    let mut totals = vec![0u64; parts];
    for group in &summary.groups {
        for (total, count) in totals.iter_mut().zip(&group.trend) {
            *total += count;
        }
    }
    let most = totals.iter().copied().max().unwrap_or(0).max(1);
    html! {
        figure .timeline {
            svg viewBox=(format!("0 0 {} 48", parts * 10)) preserveAspectRatio="none" width="100%" height="48"
                role="img" aria-label=(format!("All reports over time, at most {most} in one part")) {
                @for (at, count) in totals.iter().enumerate() {
                    @if *count > 0 {
                        @let height = (*count as f64 / most as f64 * 46.0).max(1.5);
                        rect x=(at * 10 + 1) y=(format!("{:.2}", 48.0 - height)) width="8" height=(format!("{:.2}", height)) {
                            title { (bucket_title(summary, at, *count)) }
                        }
                    }
                }
            }
            figcaption {
                @let part = (summary.trend_bucket_seconds * 1e6) as i64;
                @if let Some(start) = summary.trend_start { time { (start.to_seconds_string()) } }
                span { "all reports; each bar is " (format_duration(part)) }
                @if let Some(start) = summary.trend_start {
                    time { (Timestamp(start.0 + part * parts as i64).to_seconds_string()) }
                }
            }
        }
    }
}

fn bucket_title(summary: &ErrorSummary, part: usize, count: u64) -> String {
    let Some(start) = summary.trend_start else {
        return format!("{count} reports");
    };
    let width = (summary.trend_bucket_seconds * 1e6) as i64;
    let from = Timestamp(start.0 + width * part as i64);
    let to = Timestamp(from.0 + width);
    format!(
        "{count} reports, {} to {}",
        from.to_seconds_string(),
        to.to_seconds_string()
    )
}

/// The group's reports over the window's parts, scaled to its busiest part: its bars are one
/// path, with one title for the chart. A thousand groups' charts would otherwise be most of
/// the overview's elements, and so most of the time it takes to appear.
fn chart(group: &GroupView, summary: &ErrorSummary) -> Markup {
    use std::fmt::Write as _;
    let most = group.trend.iter().copied().max().unwrap_or(0).max(1);
    let width = group.trend.len() * 4;
    let part = format_duration((summary.trend_bucket_seconds * 1e6) as i64);
    let label = format!(
        "{} reports; each bar is {part}, the busiest has {most}",
        group.count
    );
    let mut bars = String::new();
    for (at, count) in group.trend.iter().enumerate() {
        if *count > 0 {
            let height = (*count as f64 / most as f64 * 22.0).max(2.0);
            let _ = write!(bars, "M{} 23h3v-{height:.1}h-3z", at * 4);
        }
    }
    html! {
        svg .chart viewBox=(format!("0 0 {width} 24")) width=(width) height="24" role="img" aria-label=(label) {
            title { (label) }
            line x1="0" x2=(width) y1="23.5" y2="23.5" {}
            @if !bars.is_empty() { path d=(bars) {} }
        }
    }
}

fn location(location: &Option<CodeLocation>) -> Markup {
    html! {
        @if let Some(location) = location {
            span .fn { (Code(&location.function)) }
            @if let Some(file) = &location.file {
                br;
                span .file { (Code(file)) @if let Some(line) = location.line { ":" (line) } }
            }
        } @else { "-" }
    }
}

fn services(services: &[String]) -> Markup {
    html! {
        span .services {
            @for service in services {
                span class=(format!("chip {}", service_class(Some(service)))) { (Text::new(service, MAX_NAME)) } " "
            }
        }
    }
}

fn seen(at: Option<Timestamp>) -> Markup {
    html! { @if let Some(at) = at { (at.to_seconds_string()) } @else { "-" } }
}

fn trace_link(trace: Option<TraceId>, overview: &Overview<'_>, mode: Mode) -> Markup {
    html! {
        @if let Some(trace) = trace {
            @if overview.pages.has(trace) {
                a .trace-link href=(mode.trace_href(trace)) title=(trace.to_string()) { code { (short_id(trace)) } }
            } @else {
                code title=(format!("{trace}: no page in this file; tracefault show or tracefault serve tell it")) { (short_id(trace)) }
            }
        } @else { "-" }
    }
}

fn group_row(
    group: &GroupView,
    summary: &ErrorSummary,
    overview: &Overview<'_>,
    mode: Mode,
) -> Markup {
    html! {
        tr .row tabindex="-1" {
            td .num data-label="Reports" {
                strong .count { (thousands(group.count)) }
                span .rate { (format!("{:.2}", group.rate_per_minute)) "/min" }
            }
            td .trend data-label="Over time" { (chart(group, summary)) }
            td .error data-label="Error" {
                @if group.kind == ErrorKind::Panic { span .badge { "panic" } " " }
                span .type { (Code(&group.type_name)) }
                span .msg { (Text::new(&group.example_message, MAX_NAME)) }
            }
            td data-label="Services" { (services(&group.services)) }
            td .seen data-label="Seen" { (seen(group.first_seen)) "\n" (seen(group.last_seen)) }
            td .origin data-label="Origin" { (location(&group.origin)) }
            td data-label="Example trace" { (trace_link(group.example_trace_id, overview, mode)) }
        }
    }
}

/// The first 12 of a trace id's 32 digits: enough to tell traces apart on a page.
fn short_id(trace: TraceId) -> String {
    format!("{}…", &trace.to_string()[..12])
}

fn trace_row(trace: &TraceView, overview: &Overview<'_>, mode: Mode) -> Markup {
    let origin = &trace.origin;
    html! {
        tr .row tabindex="-1" {
            td .seen data-label="When" { (seen(trace.start)) }
            td data-label="Trace" { (trace_link(Some(trace.trace_id), overview, mode)) }
            td .num data-label="Duration" { (trace.duration.map_or("-".to_owned(), format_duration)) }
            td data-label="Root" {
                @if let Some(service) = &trace.root_service {
                    span class=(format!("chip {}", service_class(Some(service)))) { (Text::new(service, MAX_NAME)) }
                }
                @if let Some(route) = &trace.root_route { " " span .route { (Text::new(route, MAX_NAME)) } }
            }
            td data-label="Services" { (services(&trace.services)) }
            td .error data-label="Origin" {
                @if let Some(service) = &origin.service { span .svc { (Text::new(service, MAX_NAME)) } ": " }
                @if origin.kind == ErrorKind::Panic { span .badge { "panic" } " " }
                span .type { (Code(&origin.type_name)) }
                span .msg { (Text::new(&origin.message, MAX_NAME)) }
                @if let Some(location) = &origin.location {
                    span .at { "at " span .fn { (Code(&location.function)) } }
                }
            }
        }
    }
}

fn input_line(stats: &ReadStats) -> Markup {
    let mut skipped = Vec::new();
    for (count, what) in [
        (stats.not_ours, "not ours"),
        (stats.malformed, "malformed"),
        (stats.too_long, "too long"),
    ] {
        if count > 0 {
            skipped.push(format!("{} {what}", thousands(count)));
        }
    }
    html! {
        p .input {
            "Read " (thousands(stats.inputs)) " inputs: " (thousands(stats.lines)) " lines"
            @if stats.spans > 0 { ", " (thousands(stats.spans)) " spans" }
            @if !skipped.is_empty() { "; skipped " (skipped.join(", ")) }
            @for unreadable in &stats.unreadable { "; unreadable: " (Text::new(unreadable, MAX_NAME)) }
            "."
        }
    }
}
