//! A trace's spans as a tree, and the tree as waterfall rows. Built without recursion and
//! with every span visited once, so that a trace 100,000 spans deep, or one whose parent
//! links loop (a span its own parent, two spans each the other's), ends, and says so.

use crate::ids::SpanId;
use crate::model::{Cancellation, SpanKind};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::HashMap;

/// What the tree needs of a span.
#[derive(Clone, Debug, Default)]
pub struct TreeNode {
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub service: Option<String>,
    pub is_server: bool,
    pub start: Option<Timestamp>,
}

/// The nodes in display order, with depths and service segments.
#[derive(Debug, Default)]
pub struct SpanTree {
    /// Every node once: parents before children, siblings by start time.
    pub preorder: Vec<usize>,
    pub depth: Vec<usize>,
    /// For each node, the root of its service segment: the nearest ancestor (or itself) that
    /// is a server span, a root, or the child of another service's span.
    pub segment_root: Vec<usize>,
    /// What was odd: spans in a parent cycle, repeated span ids.
    pub notes: Vec<String>,
}

impl SpanTree {
    pub fn build(nodes: &[TreeNode]) -> SpanTree {
        let count = nodes.len();
        let mut tree = SpanTree {
            depth: vec![0; count],
            segment_root: (0..count).collect(),
            ..SpanTree::default()
        };
        let mut index: HashMap<SpanId, usize> = HashMap::with_capacity(count);
        let mut repeated = 0;
        for (at, node) in nodes.iter().enumerate() {
            if index.insert(node.span_id, at).is_some() {
                repeated += 1;
            }
        }
        if repeated > 0 {
            tree.notes.push(format!(
                "{repeated} span ids appear more than once; the last of each is linked"
            ));
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut roots = Vec::new();
        for (at, node) in nodes.iter().enumerate() {
            match node.parent.and_then(|parent| index.get(&parent)) {
                Some(&parent) if parent != at && index.get(&node.span_id) == Some(&at) => {
                    children[parent].push(at)
                }
                _ => roots.push(at),
            }
        }
        let by_start = |a: &usize, b: &usize| (nodes[*a].start, *a).cmp(&(nodes[*b].start, *b));
        roots.sort_by(by_start);
        for list in &mut children {
            list.sort_by(by_start);
        }
        let mut visited = vec![false; count];
        let mut stack: Vec<usize> = Vec::new();
        let mut visit_from = |root: usize, tree: &mut SpanTree, visited: &mut Vec<bool>| {
            stack.push(root);
            while let Some(at) = stack.pop() {
                if visited[at] {
                    continue;
                }
                visited[at] = true;
                tree.preorder.push(at);
                for &child in children[at].iter().rev() {
                    if !visited[child] {
                        tree.depth[child] = tree.depth[at] + 1;
                        let same_service = nodes[child].service == nodes[at].service;
                        tree.segment_root[child] = if nodes[child].is_server || !same_service {
                            child
                        } else {
                            tree.segment_root[at]
                        };
                        stack.push(child);
                    }
                }
            }
        };
        for &root in &roots {
            visit_from(root, &mut tree, &mut visited);
        }
        // What no root reaches hangs in a cycle of parent links: each such cycle is shown
        // from one of its spans, as if that were a root.
        let mut in_cycles = 0;
        for at in 0..count {
            if !visited[at] {
                in_cycles += 1;
                tree.depth[at] = 0;
                tree.segment_root[at] = at;
                visit_from(at, &mut tree, &mut visited);
            }
        }
        if in_cycles > 0 {
            tree.notes.push(format!(
                "{in_cycles} spans' parent links form a cycle; each cycle is shown from one of its \
                 spans"
            ));
        }
        tree
    }
}

/// How a row's times were known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// From the span's own start and end (OTLP).
    Measured,
    /// From the log lines seen in the span: the first and the last.
    Seen,
}

/// One line of the waterfall.
#[derive(Clone, Debug, Serialize)]
pub struct WaterfallRow {
    pub depth: usize,
    pub service: Option<String>,
    pub name: String,
    pub span_id: SpanId,
    /// The row's parent in the waterfall (the row before it in preorder at one depth less).
    pub parent: Option<SpanId>,
    /// From OTLP spans; `None` from the logs, which do not say.
    pub kind: Option<SpanKind>,
    pub status_message: Option<String>,
    /// The span's attributes (OTLP), or what the reports say of it (the logs).
    pub attributes: Vec<(String, String)>,
    /// The span's events (OTLP), or the log lines written in it.
    pub events: Vec<RowEvent>,
    /// Events not kept.
    pub more_events: u64,
    /// Microseconds after the trace's first instant.
    pub start_offset: Option<i64>,
    pub duration: Option<i64>,
    pub error: bool,
    /// An error was raised (or wrapped) here: an `exception` event, or a report's origin.
    pub raised: bool,
    /// The span's future was dropped before it finished: where it was, for how long.
    pub cancelled: Option<Cancellation>,
}

#[cfg(test)]
impl WaterfallRow {
    /// A row of span `id` under `parent`, named `s<id>`, with nothing else said: the tests'
    /// rows, each setting only what it is about.
    pub(crate) fn for_test(id: u64, parent: Option<u64>) -> WaterfallRow {
        WaterfallRow {
            depth: 0,
            service: None,
            name: format!("s{id}"),
            span_id: SpanId(id),
            parent: parent.map(SpanId),
            kind: None,
            status_message: None,
            attributes: Vec::new(),
            events: Vec::new(),
            more_events: 0,
            start_offset: None,
            duration: None,
            error: false,
            raised: false,
            cancelled: None,
        }
    }
}

/// Something that happened in a span: an OTLP event, or a log line written in it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RowEvent {
    /// Microseconds after the trace's first instant.
    pub offset: Option<i64>,
    /// The event's name, or the log line's level.
    pub name: String,
    /// The log line's message; for an OTLP event, empty (its attributes say).
    pub message: String,
    pub attributes: Vec<(String, String)>,
}
