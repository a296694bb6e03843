//! Where each span's bar goes in the page's waterfall: one lane per service (in the order the
//! trace reaches them), and in a lane, lines packed as a flame chart's are: a span sits below
//! its parent when the parent is in the same lane, on the first line where it overlaps no
//! other bar. Spans that ran one after another share a line; concurrent ones stack.

use crate::analysis::waterfall::WaterfallRow;
use crate::ids::SpanId;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A bar narrower than this share of the trace is drawn this wide, so that it can be seen,
/// pointed at and packed without overlapping its neighbour.
pub const MIN_WIDTH: f64 = 0.0025;
/// How many lines below its lowest possible one a bar looks for room before it takes a new
/// line at the bottom: packing stays linear for thousands of concurrent spans.
const MAX_SEARCH: usize = 64;

/// The waterfall's bars, by lane.
#[derive(Debug, Default)]
pub struct Layout<'a> {
    pub lanes: Vec<Lane<'a>>,
    /// The trace's length in microseconds (at least 1): the waterfall's width.
    pub total: i64,
    /// Rows left out to keep the page's size bounded.
    pub left_out: usize,
    /// Where each drawn span is: its lane and its index among the lane's bars.
    pub position: HashMap<SpanId, (usize, usize)>,
}

/// One service's lane.
#[derive(Debug)]
pub struct Lane<'a> {
    pub service: Option<&'a str>,
    pub lines: usize,
    pub bars: Vec<Bar>,
    pub errors: usize,
}

/// A placed bar: its row in the waterfall, its line in the lane, and its extent as shares
/// of the trace's length.
#[derive(Clone, Copy, Debug)]
pub struct Bar {
    pub row: usize,
    pub line: usize,
    pub start: f64,
    pub width: f64,
}

/// One line's bars: start → end, in microseconds, none overlapping.
#[derive(Debug, Default)]
struct Line {
    max_end: i64,
    bars: BTreeMap<i64, i64>,
}

impl Line {
    fn fits(&self, start: i64, end: i64) -> bool {
        if start >= self.max_end {
            return true;
        }
        // The bar starting last before `end` is the only one that could overlap.
        match self.bars.range(..end).next_back() {
            Some((_, &other_end)) => other_end <= start,
            None => true,
        }
    }

    fn take(&mut self, start: i64, end: i64) {
        self.max_end = self.max_end.max(end);
        self.bars.insert(start, end);
    }
}

/// Lays out `rows` (a story's waterfall, in preorder) over `total` microseconds, drawing at
/// most `max_bars`: when there are more, the rows in `important` (errors, the critical path)
/// are drawn first, then the others in order.
pub fn layout<'a>(
    rows: &'a [WaterfallRow],
    total: i64,
    max_bars: usize,
    important: &HashSet<SpanId>,
) -> Layout<'a> {
    let total = total.max(1);
    let drawn: Vec<usize> = if rows.len() <= max_bars {
        (0..rows.len()).collect()
    } else {
        let mut chosen: Vec<usize> = (0..rows.len())
            .filter(|&at| important.contains(&rows[at].span_id))
            .take(max_bars)
            .collect();
        let room = max_bars - chosen.len();
        chosen.extend(
            (0..rows.len())
                .filter(|&at| !important.contains(&rows[at].span_id))
                .take(room),
        );
        chosen.sort_unstable();
        chosen
    };
    let mut layout = Layout {
        total,
        left_out: rows.len() - drawn.len(),
        ..Layout::default()
    };
    let min_width = ((total as f64) * MIN_WIDTH).ceil() as i64;
    let mut lane_of: HashMap<Option<&str>, usize> = HashMap::new();
    let mut lines: Vec<Vec<Line>> = Vec::new();
    // Each drawn span's lane and line, for its children.
    let mut placed: HashMap<SpanId, (usize, usize)> = HashMap::with_capacity(drawn.len());
    for at in drawn {
        let row = &rows[at];
        let service = row.service.as_deref();
        let lane = *lane_of.entry(service).or_insert_with(|| {
            layout.lanes.push(Lane {
                service,
                lines: 0,
                bars: Vec::new(),
                errors: 0,
            });
            lines.push(Vec::new());
            layout.lanes.len() - 1
        });
        let start = row.start_offset.unwrap_or(0).clamp(0, total);
        let length = row.duration.unwrap_or(0).max(min_width);
        let end = start + length;
        let lowest = match row.parent.and_then(|parent| placed.get(&parent)) {
            Some(&(parent_lane, parent_line)) if parent_lane == lane => parent_line + 1,
            _ => 0,
        };
        let lane_lines = &mut lines[lane];
        let line = (lowest..lowest + MAX_SEARCH)
            .find(|&line| {
                lane_lines
                    .get(line)
                    .is_none_or(|taken| taken.fits(start, end))
            })
            .unwrap_or_else(|| lane_lines.len().max(lowest));
        if lane_lines.len() <= line {
            lane_lines.resize_with(line + 1, Line::default);
        }
        lane_lines[line].take(start, end);
        placed.insert(row.span_id, (lane, line));
        let width = (length as f64 / total as f64).min(1.0);
        let lane_index = lane;
        let lane = &mut layout.lanes[lane_index];
        lane.lines = lane.lines.max(line + 1);
        lane.errors += usize::from(row.error);
        layout
            .position
            .insert(row.span_id, (lane_index, lane.bars.len()));
        lane.bars.push(Bar {
            row: at,
            line,
            start: (start as f64 / total as f64).min(1.0 - width),
            width,
        });
    }
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, parent: Option<u64>, service: &str, start: i64, duration: i64) -> WaterfallRow {
        WaterfallRow {
            service: Some(service.to_owned()),
            start_offset: Some(start),
            duration: Some(duration),
            error: id == 4,
            ..WaterfallRow::for_test(id, parent)
        }
    }

    fn lines(layout: &Layout<'_>, lane: usize) -> Vec<(u64, usize)> {
        layout.lanes[lane]
            .bars
            .iter()
            .map(|bar| (bar.row as u64 + 1, bar.line))
            .collect()
    }

    #[test]
    fn services_get_lanes_children_go_below_and_siblings_share_a_line() {
        let rows = [
            row(1, None, "gateway", 0, 1000),
            row(2, Some(1), "gateway", 0, 400),
            row(3, Some(1), "gateway", 500, 400),
            row(4, Some(3), "orders", 550, 300),
            // Concurrent with 4 in the same lane: stacks under it.
            row(5, Some(3), "orders", 600, 100),
        ];
        let layout = layout(&rows, 1000, 100, &HashSet::new());
        assert_eq!(layout.lanes.len(), 2);
        assert_eq!(layout.lanes[0].service, Some("gateway"));
        assert_eq!(lines(&layout, 0), [(1, 0), (2, 1), (3, 1)]);
        assert_eq!(lines(&layout, 1), [(4, 0), (5, 1)]);
        assert_eq!(layout.lanes[1].errors, 1);
        assert_eq!(layout.position[&SpanId(5)], (1, 1));
        let bar = layout.lanes[0].bars[2];
        assert!((bar.start - 0.5).abs() < 1e-9 && (bar.width - 0.4).abs() < 1e-9);
    }

    #[test]
    fn past_the_limit_the_important_rows_are_drawn_first() {
        let rows: Vec<WaterfallRow> = (1..=10)
            .map(|id| row(id, None, "a", id as i64 * 10, 5))
            .collect();
        let important: HashSet<SpanId> = [SpanId(9), SpanId(10)].into();
        let layout = layout(&rows, 200, 3, &important);
        assert_eq!(layout.left_out, 7);
        let drawn: Vec<u64> = layout.lanes[0]
            .bars
            .iter()
            .map(|bar| bar.row as u64 + 1)
            .collect();
        assert_eq!(drawn, [1, 9, 10]);
    }

    #[test]
    fn ten_thousand_concurrent_spans_pack_in_bounded_work() {
        let rows: Vec<WaterfallRow> = (1..=10_000)
            .map(|id| row(id, None, "a", 0, 1_000))
            .collect();
        let layout = layout(&rows, 1_000, 20_000, &HashSet::new());
        assert_eq!(layout.lanes[0].lines, 10_000);
        assert!(layout.lanes[0].bars.iter().all(|bar| bar.width > 0.0));
    }
}
