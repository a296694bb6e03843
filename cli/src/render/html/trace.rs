//! A trace's page: its facts, the waterfall of its spans (a lane per service, errors red, the
//! origin marked, the critical path drawn under the bars), and its distributed traceback
//! (origin first, each caller after, each report linked to its span's bar).

use super::lanes::{layout, Layout, MIN_WIDTH};
use super::{
    document, percent, script_json, service_class, shown, Code, Mode, Text, MAX_MESSAGE, MAX_NAME,
    MAX_SOURCE, MAX_VALUE,
};
use crate::analysis::link::LinkBasis;
use crate::analysis::story::{ChainLink, Story};
use crate::analysis::waterfall::{Timing, WaterfallRow};
use crate::ids::{SpanId, TraceId};
use crate::model::{Report, SpanKind};
use crate::time::format_duration;
use maud::{html, Markup, PreEscaped};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tracefault_report::layout as report_layout;

/// A lane's line: a bar and the gap under it, in pixels.
const LINE_HEIGHT: usize = 22;
const BAR_HEIGHT: usize = 18;
/// A bar this wide (a share of the trace) or wider is labelled with its span's name.
const LABEL_WIDTH: f64 = 0.02;
/// What the page keeps of a span's attributes and events; the rest is counted.
const MAX_ATTRIBUTES: usize = 64;
const MAX_EVENTS: usize = 64;

/// One trace's page and where it sits among the others.
#[derive(Debug)]
pub(crate) struct TracePage<'a> {
    pub story: &'a Story,
    /// The waterfall draws at most this many spans (errors and the critical path first).
    pub max_bars: usize,
}

/// A served trace page: the one section, shown.
pub fn trace_page(story: &Story, generation: u64, max_bars: usize) -> String {
    let mode = Mode::Live { generation };
    let page = TracePage { story, max_bars };
    let body = html! {
        (top_bar(mode, &format!("Trace {}", story.trace_id)))
        main #main { (section(&page, mode, true)) }
    };
    document(&title(story), mode, body)
}

pub(crate) fn title(story: &Story) -> String {
    match story.chain.first() {
        Some(origin) => format!(
            "{}: {} · trace {} · tracefault",
            origin.service.as_deref().unwrap_or("?"),
            origin.report.type_name,
            story.trace_id
        ),
        None => format!("Trace {} · tracefault", story.trace_id),
    }
}

pub(crate) fn top_bar(mode: Mode, here: &str) -> Markup {
    html! {
        header .top {
            a .brand href=(mode.overview_href()) { "tracefault" }
            span .here { (Text::new(here, MAX_NAME)) }
            @if let Mode::Live { .. } = mode {
                span .live-dot title="Served live: the sources are read again as they grow" { "live" }
            }
            button #help-button .help-button type="button" aria-controls="help" aria-keyshortcuts="?" { "?" }
        }
        div #live-banner .banner hidden role="status" {
            "The sources have grown since this page was made. "
            button #reload type="button" { "Reload (r)" }
        }
    }
}

/// What the page's script knows of a bar, to show it on hover or focus.
#[derive(Debug, Serialize)]
struct BarData {
    /// Span id.
    id: String,
    /// Name, service, kind.
    n: String,
    s: Option<String>,
    k: Option<&'static str>,
    /// Start (after the trace's first instant) and duration, as text.
    t: String,
    d: String,
    /// Error, raised here, the trace's origin, on the critical path, cancelled.
    e: bool,
    r: bool,
    o: bool,
    c: bool,
    x: bool,
    /// Status message.
    m: Option<String>,
    /// The parent's bar id, when it is drawn.
    p: Option<String>,
    a: Vec<(String, String)>,
    /// Attributes not kept.
    ma: usize,
    ev: Vec<EventData>,
    /// Events not kept.
    me: u64,
    /// The traceback section of the report this span is part of.
    tb: Option<String>,
}

#[derive(Debug, Serialize)]
struct EventData {
    t: String,
    n: String,
    m: String,
    a: Vec<(String, String)>,
}

/// What a cancelled span's bar says: its future was dropped before it finished.
const CANCELLED_MARK: &str = "⊘ cancelled";

fn bar_id(trace: TraceId, span: SpanId) -> String {
    format!("bar-{trace}-{span}")
}

fn section_id(trace: TraceId, position: usize) -> String {
    format!("tb-{trace}-{position}")
}

fn kind_name(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Unspecified => "unspecified",
        SpanKind::Internal => "internal",
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
    }
}

/// The span where the trace's error started: the origin report's innermost instrumented
/// function, else a span of that service where an error was raised, else its edge span.
fn origin_span(story: &Story) -> Option<SpanId> {
    let origin = story.chain.first()?;
    let told = (!origin.report.origin_untold).then_some(&origin.report);
    told.and_then(|report| report.span_trace.last())
        .and_then(|entry| entry.span_id)
        .filter(|id| story.waterfall.iter().any(|row| row.span_id == *id))
        .or_else(|| {
            story
                .waterfall
                .iter()
                .find(|row| row.raised && row.service == origin.service)
                .map(|row| row.span_id)
        })
        .or(origin.span_id)
}

/// Everything a trace's section needs to know of where things are.
struct Places<'a> {
    trace: TraceId,
    layout: Layout<'a>,
    origin: Option<SpanId>,
    critical: HashSet<SpanId>,
    /// Each report's section, by the spans that are its service's own.
    section_of: HashMap<SpanId, String>,
}

impl Places<'_> {
    fn drawn(&self, span: SpanId) -> bool {
        self.layout.position.contains_key(&span)
    }

    /// A link to the span's bar, when it is drawn.
    fn bar_href(&self, span: Option<SpanId>) -> Option<String> {
        span.filter(|span| self.drawn(*span))
            .map(|span| format!("#{}", bar_id(self.trace, span)))
    }
}

pub(crate) fn section(page: &TracePage<'_>, mode: Mode, current: bool) -> Markup {
    let story = page.story;
    let trace = story.trace_id;
    let origin = origin_span(story);
    let critical: HashSet<SpanId> = story
        .critical_path
        .iter()
        .map(|segment| segment.span_id)
        .collect();
    let reports: Vec<&ChainLink> = story.chain.iter().chain(&story.others).collect();
    let mut important: HashSet<SpanId> = critical.clone();
    important.extend(
        story
            .waterfall
            .iter()
            .filter(|row| row.error || row.raised)
            .map(|row| row.span_id),
    );
    let mut section_of = HashMap::new();
    for (position, link) in reports.iter().enumerate() {
        for span in link.report.own_span_ids() {
            section_of
                .entry(span)
                .or_insert_with(|| section_id(trace, position));
            important.insert(span);
        }
    }
    let total = story.duration.unwrap_or(0).max(
        story
            .waterfall
            .iter()
            .filter_map(|row| Some(row.start_offset? + row.duration.unwrap_or(0)))
            .max()
            .unwrap_or(0),
    );
    let places = Places {
        trace,
        layout: layout(&story.waterfall, total, page.max_bars, &important),
        origin,
        critical,
        section_of,
    };
    let class = if current {
        "page trace current"
    } else {
        "page trace"
    };
    html! {
        section id=(format!("trace-{trace}")) class=(class) data-trace=(trace.to_string())
            aria-labelledby=(format!("title-{trace}")) {
            nav .crumbs aria-label="Pages" {
                a .up href=(mode.overview_href()) { "← All errors" }
                @if mode == Mode::File {
                    // The script points these at the sections before and after this one.
                    a .prev hidden { "‹ newer trace" }
                    a .next hidden { "older trace ›" }
                }
            }
            (facts(story))
            (waterfall(story, &places))
            (traceback(story, &places))
            script type="application/json" id=(format!("spans-{trace}")) {
                (PreEscaped(script_json(&bar_data(story, &places))))
            }
        }
    }
}

fn facts(story: &Story) -> Markup {
    let trace = story.trace_id;
    let reports = story.chain.len() + story.others.len();
    html! {
        header .trace-head {
            h1 id=(format!("title-{trace}")) { "Trace " code .id { (trace.to_string()) } }
            @if let Some(origin) = story.chain.first() {
                p .headline {
                    span .type { (Code(&origin.report.type_name)) } ": "
                    span .msg { (Text::new(&origin.report.message, MAX_MESSAGE)) }
                }
            }
            p .facts {
                @if let Some(start) = story.start { time { (start.to_string()) } " · " }
                @if let Some(duration) = story.duration { (format_duration(duration)) " · " }
                (story.services.len()) " services · " (reports) " reports"
            }
            ul .services aria-label="Services" {
                @for service in &story.services {
                    li class=(format!("chip {}", service_class(Some(service)))) { (Text::new(service, MAX_NAME)) }
                }
            }
            @for note in &story.notes {
                p .note { "Note: " (Text::new(note, MAX_MESSAGE)) }
            }
        }
    }
}

/// Ticks at 1, 2 or 5 times a power of ten, five to ten of them.
fn ticks(total: i64) -> Vec<i64> {
    let total = total.max(1);
    let mut step = 1i64;
    while total / step > 10 {
        step = match step.to_string().as_bytes()[0] {
            b'1' => step * 2,
            b'2' => step / 2 * 5,
            _ => step * 2,
        };
    }
    (0..=total / step).map(|tick| tick * step).collect()
}

fn waterfall(story: &Story, places: &Places<'_>) -> Markup {
    let trace = story.trace_id;
    let layout = &places.layout;
    let total = layout.total;
    let ticks = ticks(total);
    let timing = match story.timing {
        Timing::Measured => "start and duration from the spans",
        Timing::Seen => "from the log lines: when each span was first and last seen",
    };
    let drawn: usize = layout.lanes.iter().map(|lane| lane.bars.len()).sum();
    html! {
        h2 .section-title { "Waterfall" }
        p .legend {
            span .key.err { "error" } " "
            span .key.origin { "origin" } " "
            span .key.cp { "critical path" } " "
            @if story.waterfall.iter().any(|row| row.cancelled.is_some()) {
                span .key.cancel { "cancelled" } " "
            }
            "· "
            (drawn) " spans, " (timing)
            @if layout.left_out > 0 {
                " · " strong { (layout.left_out) " more not drawn" } " (errors and the critical path first; "
                code { "tracefault show --json" } " has them all)"
            }
        }
        @if drawn == 0 {
            p .empty { "No spans: the sources say nothing of this trace's spans." }
        } @else {
            div .waterfall-wrap {
                div .waterfall id=(format!("wf-{trace}")) role="group"
                    aria-label="Spans by service; j and k move between them" {
                    svg .axis width="100%" height="22" aria-hidden="true" {
                        @for tick in &ticks {
                            @let x = percent(*tick as f64 / total as f64);
                            line x1=(x) x2=(x) y1="16" y2="22" {}
                            text x=(x) y="12" text-anchor=(if *tick == 0 { "start" } else if *tick * 10 > total * 9 { "end" } else { "middle" }) {
                                (format_duration(*tick))
                            }
                        }
                    }
                    @for (lane_index, lane) in layout.lanes.iter().enumerate() {
                        @let height = lane.lines * LINE_HEIGHT + 4;
                        @let base: usize = layout.lanes[..lane_index].iter().map(|lane| lane.bars.len()).sum();
                        div class=(format!("lane {}", service_class(lane.service))) {
                            div .lane-head {
                                span .swatch {}
                                strong { (Text::new(lane.service.unwrap_or("unknown service"), MAX_NAME)) }
                                span .count { " · " (lane.bars.len()) " spans" @if lane.errors > 0 { ", " span .errs { (lane.errors) " failed" } } }
                            }
                            svg .lane-svg width="100%" height=(height) role="list"
                                aria-label=(format!("{} spans", lane.bars.len())) {
                                @for tick in &ticks {
                                    @let x = percent(*tick as f64 / total as f64);
                                    line .grid x1=(x) x2=(x) y1="0" y2=(height) {}
                                }
                                @for (at, bar) in lane.bars.iter().enumerate() {
                                    (bar_markup(story, places, lane_index, bar, base + at))
                                }
                                g .cps aria-hidden="true" {
                                    @for segment in &story.critical_path {
                                        @if let Some(&(segment_lane, at)) = layout.position.get(&segment.span_id) {
                                            @if segment_lane == lane_index {
                                                @let bar = &lane.bars[at];
                                                @let start = segment.start as f64 / total as f64;
                                                @let width = ((segment.end - segment.start) as f64 / total as f64).max(MIN_WIDTH / 2.0);
                                                rect x=(percent(start.min(1.0 - width))) y=(bar.line * LINE_HEIGHT + BAR_HEIGHT - 3)
                                                    width=(percent(width)) height="3" {}
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                aside .details id=(format!("details-{trace}")) aria-live="polite" aria-label="The span's details" {
                    p .hint { "Hover or focus a span (" kbd { "j" } " " kbd { "k" } ") to see its attributes and events." }
                }
            }
        }
    }
}

/// A bar; `index` is its place in the page's data (lanes in order, bars in order in each).
fn bar_markup(
    story: &Story,
    places: &Places<'_>,
    lane_index: usize,
    bar: &super::lanes::Bar,
    index: usize,
) -> Markup {
    let row = &story.waterfall[bar.row];
    let trace = story.trace_id;
    let lane = &places.layout.lanes[lane_index];
    let is_origin = places.origin == Some(row.span_id);
    let mut class = String::from("bar");
    if row.error {
        class.push_str(" err");
    }
    if row.raised {
        class.push_str(" raised");
    }
    if is_origin {
        class.push_str(" origin");
    }
    if row.cancelled.is_some() {
        class.push_str(" cancelled");
    }
    let y = bar.line * LINE_HEIGHT;
    let label = format!(
        "{} · {} · {}{}",
        row.name,
        lane.service.unwrap_or("unknown service"),
        row.duration.map_or("-".to_owned(), format_duration),
        if is_origin {
            " · origin"
        } else if row.error {
            " · error"
        } else if row.cancelled.is_some() {
            " · cancelled"
        } else {
            ""
        }
    );
    let flag_left = bar.start + bar.width > 0.8;
    // One bar is in the tab order: the origin's, else the first.
    let tab_stop =
        is_origin || (index == 0 && !places.origin.is_some_and(|origin| places.drawn(origin)));
    html! {
        g id=(bar_id(trace, row.span_id)) class=(class) data-i=(index) tabindex=(if tab_stop { "0" } else { "-1" })
            role="listitem" aria-label=(shown(&label, MAX_NAME)) {
            rect x=(percent(bar.start)) y=(y) width=(percent(bar.width)) height=(BAR_HEIGHT) rx="2" {}
            @if bar.width >= LABEL_WIDTH {
                svg x=(percent(bar.start)) y=(y) width=(percent(bar.width)) height=(BAR_HEIGHT) {
                    text x="4" y="13" {
                        (Text::new(&row.name, 120))
                        @if row.cancelled.is_some() { tspan .cancel { " " (CANCELLED_MARK) } }
                    }
                }
            }
            @if is_origin {
                @if flag_left {
                    text .flag x=(percent(bar.start)) dx="-6" y=(y + 13) text-anchor="end" { "origin ▸" }
                } @else {
                    text .flag x=(percent(bar.start + bar.width)) dx="6" y=(y + 13) { "◂ origin" }
                }
            } @else if row.cancelled.is_some() && bar.width < LABEL_WIDTH {
                // A wide bar says it in its label; a narrow one beside it.
                @if flag_left {
                    text .flag.cancel x=(percent(bar.start)) dx="-6" y=(y + 13) text-anchor="end" { (CANCELLED_MARK) }
                } @else {
                    text .flag.cancel x=(percent(bar.start + bar.width)) dx="6" y=(y + 13) { (CANCELLED_MARK) }
                }
            }
        }
    }
}

fn bar_data(story: &Story, places: &Places<'_>) -> Vec<BarData> {
    let mut data = Vec::new();
    for lane in &places.layout.lanes {
        for bar in &lane.bars {
            data.push(row_data(story, places, &story.waterfall[bar.row]));
        }
    }
    data
}

fn row_data(story: &Story, places: &Places<'_>, row: &WaterfallRow) -> BarData {
    let offset =
        |at: Option<i64>| at.map_or("-".to_owned(), |at| format!("+{}", format_duration(at)));
    let pairs = |pairs: &[(String, String)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .take(MAX_ATTRIBUTES)
            .map(|(key, value)| (shown(key, MAX_NAME), shown(value, MAX_VALUE)))
            .collect()
    };
    BarData {
        id: row.span_id.to_string(),
        n: shown(&row.name, MAX_NAME),
        s: row
            .service
            .as_deref()
            .map(|service| shown(service, MAX_NAME)),
        k: row.kind.map(kind_name),
        t: offset(row.start_offset),
        d: row.duration.map_or("-".to_owned(), format_duration),
        e: row.error,
        r: row.raised,
        o: places.origin == Some(row.span_id),
        c: places.critical.contains(&row.span_id),
        x: row.cancelled.is_some(),
        m: row
            .status_message
            .as_deref()
            .map(|message| shown(message, MAX_MESSAGE)),
        p: row
            .parent
            .filter(|parent| places.drawn(*parent))
            .map(|parent| bar_id(story.trace_id, parent)),
        a: pairs(&row.attributes),
        ma: row.attributes.len().saturating_sub(MAX_ATTRIBUTES),
        ev: row
            .events
            .iter()
            .take(MAX_EVENTS)
            .map(|event| EventData {
                t: offset(event.offset),
                n: shown(&event.name, MAX_NAME),
                m: shown(&event.message, MAX_MESSAGE),
                a: pairs(&event.attributes),
            })
            .collect(),
        me: row.more_events + row.events.len().saturating_sub(MAX_EVENTS) as u64,
        tb: places.section_of.get(&row.span_id).cloned(),
    }
}

fn traceback(story: &Story, places: &Places<'_>) -> Markup {
    let trace = story.trace_id;
    html! {
        h2 .section-title id=(format!("traceback-{trace}")) { "Distributed traceback " span .sub { "(most recent call last)" } }
        @if story.chain.is_empty() {
            p .empty { "No error was reported in this trace." }
        } @else {
            ol .chain {
                @for (position, link) in story.chain.iter().enumerate() {
                    @if position > 0 {
                        li .joint aria-hidden="false" {
                            (report_layout::DIRECT_CAUSE) ":"
                            @if story.chain[position - 1].caused_next_by == Some(LinkBasis::Time) {
                                span .basis { " (linked by time: no span id joins these reports)" }
                            }
                        }
                    }
                    (report_section(link, places, position))
                }
            }
            @if !story.others.is_empty() {
                h3 .section-title { "Also reported in this trace, on another branch" }
                ol .chain.others {
                    @for (at, link) in story.others.iter().enumerate() {
                        (report_section(link, places, story.chain.len() + at))
                    }
                }
            }
        }
    }
}

fn report_section(link: &ChainLink, places: &Places<'_>, position: usize) -> Markup {
    let report = &link.report;
    let service = link.service.as_deref();
    let to_bar = places
        .bar_href(link.span_id)
        .or_else(|| places.bar_href(report.server_span_id));
    html! {
        li id=(section_id(places.trace, position)) class=(format!("tb {}", service_class(service))) tabindex="-1" {
            header .tb-head {
                span .swatch {}
                strong .svc { (Text::new(service.unwrap_or("unknown service"), MAX_NAME)) }
                @if let Some(route) = &link.route { span .route { (Text::new(route, MAX_NAME)) } }
                @let span_text = match (&link.span_name, link.span_id) {
                    (Some(name), Some(id)) => format!("span {name} {id}"),
                    (None, Some(id)) => format!("span {id}"),
                    (Some(name), None) => format!("span {name}"),
                    (None, None) => String::new(),
                };
                @if !span_text.is_empty() {
                    @if let Some(href) = &to_bar {
                        a .to-bar href=(href) title="Show this span in the waterfall" { (Text::new(&span_text, MAX_NAME)) " ▴" }
                    } @else {
                        span .span-ref { (Text::new(&span_text, MAX_NAME)) }
                    }
                }
                @if let Some(at) = report.timestamp { time { (at.to_string()) } }
            }
            (report_body(report, places))
            @if let Some(still_in) = &link.callee_still_in {
                p .still-in {
                    (Text::new(&still_in.to_string(), MAX_MESSAGE))
                    @if let Some(href) = places.bar_href(Some(still_in.span_id)) {
                        " " a .to-bar href=(href) title="Show this span in the waterfall" { "▴" }
                    }
                }
            }
        }
    }
}

fn report_body(report: &Report, places: &Places<'_>) -> Markup {
    html! {
        div .tb-body {
            @if !report.frames.is_empty() {
                p .tb-title {
                    (report_layout::TRACEBACK)
                    @if let Some(language) = report.language {
                        " " span .language { "(" (language.name()) ")" }
                    }
                }
                ol .frames {
                    @for frame in &report.frames {
                        li class=(if frame.user { "frame user" } else { "frame" }) {
                            span .loc {
                                "File \"" span .file { (Code(frame.file.as_deref().unwrap_or("?"))) } "\", line "
                                span .line { (frame.line.map_or("?".to_owned(), |line| line.to_string())) }
                                ", in " span .fn { (Code(&frame.function)) }
                            }
                            @if let Some(source) = &frame.source {
                                code .src { (Text::new(source, MAX_SOURCE)) }
                            }
                        }
                    }
                }
                @if let Some(hidden) = report.hidden_frames.filter(|&hidden| hidden > 0) {
                    p .hidden-frames { "[" (hidden) " runtime frames hidden]" }
                }
            } @else if let Some(text) = &report.stacktrace {
                pre .text { (Text::new(text, MAX_MESSAGE * 4)) }
            } @else if let Some(text) = &report.unread_stacktrace {
                p .tb-title { "Stack trace, in no format tracefault reads, as the service sent it:" }
                pre .text { (Text::new(text, MAX_MESSAGE * 4)) }
            }
            @if let Some(note) = &report.traceback_note {
                p .hidden-frames { "(" (Text::new(note, MAX_MESSAGE)) ")" }
            }
            p .error-line {
                span .type { (Code(&report.type_name)) } ": "
                span .msg { (Text::new(&report.message, MAX_MESSAGE)) }
            }
            @if let Some(location) = &report.panic_location {
                p .hidden-frames {
                    "(panicked at " span .file { (Code(&location.file)) } ":" (location.line) ":" (location.column) ")"
                }
            }
            @if !report.causes.is_empty() {
                p .tb-title { (report_layout::CAUSED_BY) }
                ul .causes {
                    @for cause in &report.causes {
                        li {
                            @if let Some(type_name) = &cause.type_name {
                                span .type { (Code(type_name)) } ": "
                            }
                            span .msg { (Text::new(&cause.message, MAX_MESSAGE)) }
                            @if cause.service.is_some() || cause.span_id.is_some() || cause.status.is_some() || cause.route().is_some() {
                                span .remote {
                                    " ("
                                    @if let Some(service) = &cause.service { "from " (Text::new(service, MAX_NAME)) " " }
                                    @if let Some(span) = cause.span_id {
                                        @if let Some(href) = places.bar_href(Some(span)) {
                                            a href=(href) { "span " (span.to_string()) }
                                        } @else {
                                            "span " (span.to_string())
                                        }
                                    }
                                    @if let Some(route) = cause.route() { " " (Text::new(&route, MAX_NAME)) }
                                    @if let Some(status) = cause.status { " status " (status) }
                                    ")"
                                }
                            }
                        }
                    }
                }
            }
            @if !report.span_trace.is_empty() {
                p .tb-title { (report_layout::SPAN_TRACE) }
                ul .span-trace {
                    @let last = report.span_trace.len() - 1;
                    @for (at, entry) in report.span_trace.iter().enumerate() {
                        li {
                            "in " span .fn { (Code(&entry.function)) }
                            @if let Some(file) = &entry.file {
                                " at " span .file { (Code(file)) }
                                @if let Some(line) = entry.line { ":" (line) }
                            }
                            @if at == last { " " span .origin-tag { "(origin)" } }
                            @if let Some(href) = places.bar_href(entry.span_id) {
                                " " a .to-bar href=(href) title="Show this span in the waterfall" { "▴" }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_trace() {
        assert_eq!(
            ticks(1000),
            [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        );
        let ticks_of_an_odd_length = ticks(4_400);
        assert_eq!(ticks_of_an_odd_length[1], 500);
        assert!(ticks(1).len() >= 2);
        assert!(ticks(987_654_321).len() <= 11);
    }
}
