//! The critical path of a trace: the parts of its spans that its duration waited on, as
//! Jaeger draws it. From the end of the root span, walking back: the child that finished last
//! before that point is on the path (and, within it, its own last-finishing child, and so
//! on); the time between that child's end and the point is the parent's own; then the point
//! moves to that child's start. Shortening anything off the path would not end the trace
//! sooner.
//!
//! Iterative, each span visited once, so that a trace 100,000 spans deep ends.

use super::waterfall::WaterfallRow;
use crate::ids::SpanId;
use serde::Serialize;
use std::collections::HashMap;

/// A stretch of one span's time on the critical path, in microseconds after the trace's
/// first instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CriticalSegment {
    pub span_id: SpanId,
    pub start: i64,
    pub end: i64,
}

/// The critical path of the rows' tree (their `parent` links), from the root that ended
/// last; rows without a start or a duration are not on it. Segments come in no set order.
pub fn critical_path(rows: &[WaterfallRow]) -> Vec<CriticalSegment> {
    let span = |row: &WaterfallRow| Some((row.start_offset?, row.start_offset? + row.duration?));
    let index: HashMap<SpanId, usize> = rows
        .iter()
        .enumerate()
        .map(|(at, row)| (row.span_id, at))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    for (at, row) in rows.iter().enumerate() {
        match row.parent.and_then(|parent| index.get(&parent)) {
            Some(&parent) if parent != at => children[parent].push(at),
            _ => roots.push(at),
        }
    }
    let Some(root) = roots
        .iter()
        .copied()
        .filter_map(|at| Some((at, span(&rows[at])?)))
        .max_by_key(|&(at, (_, end))| (end, std::cmp::Reverse(at)))
        .map(|(at, _)| at)
    else {
        return Vec::new();
    };
    for list in &mut children {
        list.retain(|&child| span(&rows[child]).is_some());
        // Latest end first; among equal ends, the later start (the shorter child).
        list.sort_by_key(|&child| {
            let (start, end) = span(&rows[child]).unwrap_or_default();
            std::cmp::Reverse((end, start))
        });
    }
    let mut segments = Vec::new();
    let mut work = vec![(root, i64::MAX)];
    while let Some((at, until)) = work.pop() {
        let Some((floor, end)) = span(&rows[at]) else {
            continue;
        };
        let id = rows[at].span_id;
        let mut point = until.min(end);
        for &child in &children[at] {
            if point <= floor {
                break;
            }
            let Some((child_start, child_end)) = span(&rows[child]) else {
                continue;
            };
            // A child outside its parent (clock skew between services) counts inside it.
            let (child_start, child_end) = (child_start.max(floor), child_end.min(point));
            if child_start >= point {
                continue;
            }
            if child_end < point {
                segments.push(CriticalSegment {
                    span_id: id,
                    start: child_end,
                    end: point,
                });
            }
            work.push((child, child_end));
            point = child_start;
        }
        if point > floor {
            segments.push(CriticalSegment {
                span_id: id,
                start: floor,
                end: point,
            });
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, parent: Option<u64>, start: i64, duration: i64) -> WaterfallRow {
        WaterfallRow {
            start_offset: Some(start),
            duration: Some(duration),
            ..WaterfallRow::for_test(id, parent)
        }
    }

    fn sorted(mut segments: Vec<CriticalSegment>) -> Vec<(u64, i64, i64)> {
        segments.sort_by_key(|segment| (segment.start, segment.span_id));
        segments
            .into_iter()
            .map(|segment| (segment.span_id.0, segment.start, segment.end))
            .collect()
    }

    #[test]
    fn the_path_follows_the_last_child_to_finish() {
        // 1: 0..100; 2: 10..40 and 3: 20..90 overlap, 3 finishes last; 4: 50..80 under 3.
        let rows = [
            row(1, None, 0, 100),
            row(2, Some(1), 10, 30),
            row(3, Some(1), 20, 70),
            row(4, Some(3), 50, 30),
        ];
        assert_eq!(
            sorted(critical_path(&rows)),
            [
                (1, 0, 10),
                (2, 10, 20),
                (3, 20, 50),
                (4, 50, 80),
                (3, 80, 90),
                (1, 90, 100)
            ]
        );
    }

    #[test]
    fn sequential_children_are_all_on_it_and_the_whole_trace_is_covered() {
        let rows = [
            row(1, None, 0, 30),
            row(2, Some(1), 0, 10),
            row(3, Some(1), 10, 10),
            row(4, Some(1), 20, 10),
        ];
        let path = sorted(critical_path(&rows));
        assert_eq!(path, [(2, 0, 10), (3, 10, 20), (4, 20, 30)]);
    }

    #[test]
    fn a_child_past_its_parents_end_is_clipped_and_a_deep_chain_ends() {
        let rows = [row(1, None, 0, 10), row(2, Some(1), 5, 20)];
        assert_eq!(sorted(critical_path(&rows)), [(1, 0, 5), (2, 5, 10)]);
        let deep: Vec<WaterfallRow> = (1..=100_000u64)
            .map(|id| {
                row(
                    id,
                    (id > 1).then(|| id - 1),
                    id as i64,
                    300_000 - 2 * id as i64,
                )
            })
            .collect();
        assert_eq!(critical_path(&deep).len(), 2 * 100_000 - 1);
    }

    #[test]
    fn no_timing_no_path() {
        let mut untimed = row(1, None, 0, 0);
        untimed.start_offset = None;
        assert!(critical_path(&[untimed]).is_empty());
    }
}
