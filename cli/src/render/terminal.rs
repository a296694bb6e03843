//! The three commands' answers as text: tables for `errors` and `traces`, a waterfall and a
//! distributed traceback for `show`. Coloured on a terminal, plain when piped; every piece of
//! outside text goes through [`Escaped`].

use super::escape::{escaped_cut, Escaped};
use crate::analysis::groups::ErrorSummary;
use crate::analysis::link::LinkBasis;
use crate::analysis::story::{ChainLink, Story};
use crate::analysis::traces::TraceView;
use crate::analysis::waterfall::Timing;
use crate::model::{CodeLocation, Report};
use crate::time::format_duration;
use std::fmt::Write as _;
use tracefault_report::layout;

/// ANSI styles, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }

    fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// A column: its header, the most characters a cell may take, whether it aligns right.
struct Column {
    header: &'static str,
    max_width: usize,
    right: bool,
}

/// Cells are escaped and cut here; `paint` may colour a cell after its width is known.
fn table(
    out: &mut String,
    style: Style,
    columns: &[Column],
    rows: &[Vec<String>],
    paint: impl Fn(usize, &str) -> String,
) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(columns)
                .map(|(cell, column)| escaped_cut(cell, column.max_width))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(at, column)| {
            cells
                .iter()
                .map(|row| row[at].chars().count())
                .chain([column.header.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last = columns.len() - 1;
    let mut header = String::new();
    for (at, column) in columns.iter().enumerate() {
        let cell = if at == last {
            column.header.to_owned()
        } else {
            pad(column.header, widths[at], column.right)
        };
        header.push_str(&cell);
        if at != last {
            header.push_str("  ");
        }
    }
    let _ = writeln!(out, "{}", style.bold(header.trim_end()));
    for row in &cells {
        let mut line = String::new();
        for (at, cell) in row.iter().enumerate() {
            let padded = if at == last {
                cell.clone()
            } else {
                pad(cell, widths[at], columns[at].right)
            };
            line.push_str(&paint(at, &padded));
            if at != last {
                line.push_str("  ");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn pad(cell: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    if right {
        format!("{fill}{cell}")
    } else {
        format!("{cell}{fill}")
    }
}

/// `function (file:line)`.
fn location(location: &Option<CodeLocation>) -> String {
    let Some(location) = location else {
        return "-".to_owned();
    };
    match (&location.file, location.line) {
        (Some(file), Some(line)) => format!("{} ({file}:{line})", location.function),
        (Some(file), None) => format!("{} ({file})", location.function),
        _ => location.function.clone(),
    }
}

fn sparkline(counts: &[u64]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let most = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&count| match count {
            0 => ' ',
            _ => LEVELS[((count * 7).div_ceil(most.max(1)) as usize).min(7)],
        })
        .collect()
}

/// `tracefault errors`.
pub fn errors(summary: &ErrorSummary, style: Style) -> String {
    let mut out = String::new();
    let window = match (summary.window_start, summary.window_end) {
        (Some(start), Some(end)) => format!(
            ", {} to {} ({})",
            start.to_seconds_string(),
            end.to_seconds_string(),
            format_duration(end.0 - start.0)
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} groups of {} reports{window}",
        summary.groups.len(),
        summary.reports
    );
    if summary.groups.is_empty() {
        return out;
    }
    out.push('\n');
    let columns = [
        Column {
            header: "COUNT",
            max_width: 12,
            right: true,
        },
        Column {
            header: "RATE/MIN",
            max_width: 10,
            right: true,
        },
        Column {
            header: "TREND",
            max_width: 32,
            right: false,
        },
        Column {
            header: "TYPE",
            max_width: 48,
            right: false,
        },
        Column {
            header: "SERVICES",
            max_width: 40,
            right: false,
        },
        Column {
            header: "FIRST SEEN",
            max_width: 20,
            right: false,
        },
        Column {
            header: "LAST SEEN",
            max_width: 20,
            right: false,
        },
        Column {
            header: "ORIGIN",
            max_width: 72,
            right: false,
        },
        Column {
            header: "EXAMPLE TRACE",
            max_width: 32,
            right: false,
        },
        Column {
            header: "MESSAGE",
            max_width: 60,
            right: false,
        },
    ];
    let rows: Vec<Vec<String>> = summary
        .groups
        .iter()
        .map(|group| {
            let seen = |at: Option<crate::time::Timestamp>| {
                at.map_or("-".to_owned(), |at| at.to_seconds_string())
            };
            vec![
                group.count.to_string(),
                format!("{:.2}", group.rate_per_minute),
                sparkline(&group.trend),
                group.type_name.clone(),
                group.services.join(","),
                seen(group.first_seen),
                seen(group.last_seen),
                location(&group.origin),
                group
                    .example_trace_id
                    .map_or("-".to_owned(), |id| id.to_string()),
                group.example_message.clone(),
            ]
        })
        .collect();
    table(
        &mut out,
        style,
        &columns,
        &rows,
        |column, cell| match column {
            3 => style.red(cell),
            4 => style.cyan(cell),
            _ => cell.to_owned(),
        },
    );
    out
}

/// `tracefault traces`.
pub fn traces(traces: &[TraceView], total: usize, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{total} failing traces");
    if traces.is_empty() {
        return out;
    }
    out.push('\n');
    let columns = [
        Column {
            header: "TRACE",
            max_width: 32,
            right: false,
        },
        Column {
            header: "WHEN",
            max_width: 20,
            right: false,
        },
        Column {
            header: "DURATION",
            max_width: 10,
            right: true,
        },
        Column {
            header: "ROOT",
            max_width: 32,
            right: false,
        },
        Column {
            header: "ROUTE",
            max_width: 48,
            right: false,
        },
        Column {
            header: "SERVICES",
            max_width: 48,
            right: false,
        },
        Column {
            header: "ORIGIN",
            max_width: 100,
            right: false,
        },
    ];
    let rows: Vec<Vec<String>> = traces
        .iter()
        .map(|trace| {
            let origin = &trace.origin;
            let at = origin
                .location
                .as_ref()
                .map(|_| format!(" at {}", location(&origin.location)))
                .unwrap_or_default();
            let service = origin
                .service
                .as_deref()
                .map(|service| format!("{service}: "))
                .unwrap_or_default();
            vec![
                trace.trace_id.to_string(),
                trace
                    .start
                    .map_or("-".to_owned(), |at| at.to_seconds_string()),
                trace.duration.map_or("-".to_owned(), format_duration),
                trace.root_service.clone().unwrap_or_else(|| "-".to_owned()),
                trace.root_route.clone().unwrap_or_else(|| "-".to_owned()),
                trace.services.join(","),
                format!("{service}{}{at}", origin.type_name),
            ]
        })
        .collect();
    table(
        &mut out,
        style,
        &columns,
        &rows,
        |column, cell| match column {
            3 | 5 => style.cyan(cell),
            6 => style.red(cell),
            _ => cell.to_owned(),
        },
    );
    if traces.len() < total {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "… {} more (--limit 0 shows all)",
                total - traces.len()
            ))
        );
    }
    out
}

/// The waterfall shows this many rows; `--json` has them all.
const MAX_ROWS: usize = 300;
/// Deeper rows are indented no further.
const MAX_INDENT: usize = 24;
const BAR_WIDTH: usize = 30;

/// `tracefault show`.
pub fn story(story: &Story, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&format!("Trace {}", story.trace_id)));
    let mut facts = Vec::new();
    if let Some(start) = story.start {
        facts.push(start.to_string());
    }
    if let Some(duration) = story.duration {
        facts.push(format_duration(duration));
    }
    facts.push(format!(
        "{} services: {}",
        story.services.len(),
        Escaped(&story.services.join(", "))
    ));
    facts.push(format!(
        "{} reports",
        story.chain.len() + story.others.len()
    ));
    let _ = writeln!(out, "  {}", facts.join(" · "));
    for note in &story.notes {
        let _ = writeln!(out, "  {}", style.dim(&format!("note: {}", Escaped(note))));
    }
    waterfall(&mut out, story, style);
    if story.chain.is_empty() {
        let _ = writeln!(out, "\nNo error was reported in this trace.");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{}\n",
        style.bold("Distributed traceback (most recent call last):")
    );
    for (position, link) in story.chain.iter().enumerate() {
        if position > 0 {
            let previous = &story.chain[position - 1];
            let basis = match previous.caused_next_by {
                Some(LinkBasis::Time) => {
                    style.dim(" (linked by time: no span id joins these reports)")
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "\n{}:{basis}\n", layout::DIRECT_CAUSE);
        }
        chain_link(&mut out, link, style);
    }
    if !story.others.is_empty() {
        let _ = writeln!(
            out,
            "\n{}\n",
            style.bold("Also reported in this trace, on another branch:")
        );
        for link in &story.others {
            chain_link(&mut out, link, style);
            out.push('\n');
        }
    }
    out
}

fn waterfall(out: &mut String, story: &Story, style: Style) {
    if story.waterfall.is_empty() {
        return;
    }
    let heading = match story.timing {
        Timing::Measured => "Spans (start and duration from the spans):",
        Timing::Seen => "Spans (from the log lines: when each was first and last seen):",
    };
    let _ = writeln!(out, "\n{}", style.bold(heading));
    let total = story.duration.unwrap_or(0).max(1);
    let rows = &story.waterfall[..story.waterfall.len().min(MAX_ROWS)];
    let names: Vec<String> = rows
        .iter()
        .map(|row| {
            let indent = "  ".repeat(row.depth.min(MAX_INDENT));
            let deeper = if row.depth > MAX_INDENT {
                format!("[{}] ", row.depth)
            } else {
                String::new()
            };
            format!("{indent}{deeper}{}", escaped_cut(&row.name, 60))
        })
        .collect();
    let services: Vec<String> = rows
        .iter()
        .map(|row| escaped_cut(row.service.as_deref().unwrap_or("?"), 32))
        .collect();
    let service_width = services
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let name_width = names
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(
        out,
        "  {}",
        style.bold(&format!(
            "{}  {}  {:>9}  {:>9}  {:<BAR_WIDTH$}  SPAN ID",
            pad("SERVICE", service_width, false),
            pad("SPAN", name_width, false),
            "START",
            "DURATION",
            "",
        ))
    );
    for ((row, name), service) in rows.iter().zip(&names).zip(&services) {
        let start = row.start_offset.map_or("-".to_owned(), |offset| {
            format!("+{}", format_duration(offset))
        });
        let duration = row.duration.map_or("-".to_owned(), format_duration);
        let bar = bar(row.start_offset, row.duration, total);
        let mark = match (row.error, row.raised, &row.cancelled) {
            (true, true, _) => style.red("✗ raised here"),
            (true, false, _) => style.red("✗"),
            (false, _, Some(_)) => style.yellow(CANCELLED_MARK),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}  {}  {start:>9}  {duration:>9}  {}  {}  {mark}",
            style.cyan(&pad(service, service_width, false)),
            pad(name, name_width, false),
            style.dim(&bar),
            row.span_id,
        );
    }
    if story.waterfall.len() > rows.len() {
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "… {} more spans (--json has them all)",
                story.waterfall.len() - rows.len()
            ))
        );
    }
}

/// A span whose future was dropped before it finished: not an error of its own.
const CANCELLED_MARK: &str = "⊘ cancelled";

/// Where a span sits in the trace, drawn in [`BAR_WIDTH`] cells.
fn bar(offset: Option<i64>, duration: Option<i64>, total: i64) -> String {
    let Some(offset) = offset else {
        return " ".repeat(BAR_WIDTH);
    };
    let cell = |micros: i64| ((micros.max(0) as f64 / total as f64) * BAR_WIDTH as f64) as usize;
    let from = cell(offset).min(BAR_WIDTH - 1);
    let to = cell(offset + duration.unwrap_or(0)).clamp(from + 1, BAR_WIDTH);
    format!(
        "{}{}{}",
        " ".repeat(from),
        "█".repeat(to - from),
        " ".repeat(BAR_WIDTH - to)
    )
}

fn chain_link(out: &mut String, link: &ChainLink, style: Style) {
    let mut header = vec![link
        .service
        .clone()
        .unwrap_or_else(|| "unknown service".to_owned())];
    if let Some(route) = &link.route {
        header.push(route.clone());
    }
    let span = match (&link.span_name, link.span_id) {
        (Some(name), Some(id)) => Some(format!("span {name} {id}")),
        (None, Some(id)) => Some(format!("span {id}")),
        (Some(name), None) => Some(format!("span {name}")),
        (None, None) => None,
    };
    header.extend(span);
    if let Some(at) = link.report.timestamp {
        header.push(at.to_string());
    }
    let header = header
        .iter()
        .map(|part| Escaped(part).to_string())
        .collect::<Vec<_>>()
        .join(" · ");
    let _ = writeln!(
        out,
        "{}",
        style.cyan(&style.bold(&format!("── {header} ──")))
    );
    report_body(out, &link.report, style);
    if let Some(still_in) = &link.callee_still_in {
        let _ = writeln!(
            out,
            "\n{}",
            style.yellow(&Escaped(&still_in.to_string()).to_string())
        );
    }
}

/// The part of a report's text about its own service. A caller's report also chains what its
/// callees said, each under "The above error was the direct cause of the following error, in
/// <service>:"; in a story that shows every service's own report, that would say it twice. (A
/// message cannot forge the line: the report marks a message's further lines with `| `.)
fn own_part(text: &str) -> &str {
    let joint = format!("\n{}, in ", layout::DIRECT_CAUSE);
    match text.rfind(&joint) {
        Some(at) => {
            let rest = &text[at + 1..];
            rest.split_once('\n').map_or(rest, |(_, after)| after)
        }
        None => text,
    }
}

/// A report as its service printed it, when the source has that text; else rebuilt from
/// its structured fields by the same layout (`tracefault-report`'s). Its error line in red,
/// and where a panic happened when the text does not say.
fn report_body(out: &mut String, report: &Report, style: Style) {
    let rebuilt;
    let text = match &report.stacktrace {
        Some(text) => own_part(text),
        None => {
            rebuilt = crate::source::logline::shared(report).python_style();
            rebuilt.as_str()
        }
    };
    let headline = format!("{}: {}", report.type_name, report.message);
    for line in text.trim_end().lines() {
        let shown = Escaped(line).to_string();
        if line == headline {
            let _ = writeln!(out, "{}", style.red(&shown));
        } else if line == layout::TRACEBACK {
            traceback_header(out, report, style);
        } else {
            let _ = writeln!(out, "{shown}");
        }
    }
    if let Some(location) = &report.panic_location {
        let place = format!(
            "(panicked at {}:{}:{})",
            Escaped(&location.file),
            location.line,
            location.column
        );
        let _ = writeln!(out, "{}", style.dim(&place));
    }
}

/// Lines of a stack trace in no format tracefault reads that are shown; `--json` has them all.
const MAX_UNREAD_LINES: usize = 100;

/// The traceback's header, naming the language when another runtime printed the frames; and
/// a stack trace that could not be read, shown as it came rather than left out.
fn traceback_header(out: &mut String, report: &Report, style: Style) {
    match report.language {
        Some(language) => {
            let _ = writeln!(
                out,
                "Traceback ({}, most recent call last):",
                language.name()
            );
        }
        None => {
            let _ = writeln!(out, "{}", layout::TRACEBACK);
        }
    }
    let Some(text) = &report.unread_stacktrace else {
        return;
    };
    let _ = writeln!(
        out,
        "  {}",
        style.dim("(a stack trace in no format tracefault reads, as the service sent it:)")
    );
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(MAX_UNREAD_LINES) {
        let _ = writeln!(out, "  | {}", Escaped(line));
    }
    if lines.len() > MAX_UNREAD_LINES {
        let more = format!(
            "  … {} more lines (--json has them all)",
            lines.len() - MAX_UNREAD_LINES
        );
        let _ = writeln!(out, "{}", style.dim(&more));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_busiest_bucket() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
    }

    #[test]
    fn bars_stay_inside_their_width() {
        for (offset, duration) in [(0, 0), (0, 100), (99, 1), (100, 50), (-5, 10)] {
            assert_eq!(
                bar(Some(offset), Some(duration), 100).chars().count(),
                BAR_WIDTH
            );
        }
    }

    #[test]
    fn widths_count_escapes() {
        use super::super::escape::escaped_width;
        assert_eq!(escaped_width("a\x1bb"), "a\\x1bb".len());
    }
}
