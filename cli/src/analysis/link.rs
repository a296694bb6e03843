//! Which report of a trace caused which: the services' reports joined into one chain, from
//! the deepest error (the one no other error in the trace was caused by: Tempo's
//! `{ status = error } !< { status = error }`) up to the service that answered the user.
//!
//! A caller's report names its callee by a cause whose `span_id` is the callee's server span.
//! Without those (older lines, text-only errors), a callee's server span's parent (the
//! caller's client span) is followed up the known parent links to a span of the caller's;
//! and failing that, time decides: a callee reports before its caller.

use crate::ids::SpanId;
use crate::model::Report;
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::HashMap;

/// What linking reads of a report.
#[derive(Clone, Debug, Default)]
pub struct LinkKeys {
    pub timestamp: Option<Timestamp>,
    /// The spans that are the report's service's own: its edge, its span trace, its server.
    pub own_spans: Vec<SpanId>,
    pub server_span_id: Option<SpanId>,
    pub server_parent_span_id: Option<SpanId>,
    pub parent_span_id: Option<SpanId>,
    /// Callee server spans named by the report's causes.
    pub cause_spans: Vec<SpanId>,
}

impl LinkKeys {
    pub fn of(report: &Report) -> LinkKeys {
        LinkKeys {
            timestamp: report.timestamp,
            own_spans: report.own_span_ids().collect(),
            server_span_id: report.server_span_id,
            server_parent_span_id: report.server_parent_span_id,
            parent_span_id: report.parent_span_id,
            cause_spans: report
                .causes
                .iter()
                .filter_map(|cause| cause.span_id)
                .collect(),
        }
    }
}

/// How a report was found to have caused its caller's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkBasis {
    /// The caller's cause names the callee's server span.
    CauseSpan,
    /// The callee's server span descends from a span of the caller.
    ParentSpan,
    /// Only time: the callee reported first.
    Time,
}

/// The reports of one trace, joined.
#[derive(Debug, Default)]
pub struct Links {
    /// For each report, the report it caused (its caller's), and how that was known.
    pub caused: Vec<Option<(usize, LinkBasis)>>,
    /// From the origin (the deepest error) to the outermost caller.
    pub chain: Vec<usize>,
    /// The reports not on the chain (another branch of the trace), by time.
    pub others: Vec<usize>,
}

/// How far up a callee's parent links the caller's span is looked for: a client span sits
/// a few levels under the caller's function, and a hostile trace can be arbitrarily deep.
const MAX_ANCESTRY_STEPS: usize = 256;

/// Joins `reports` (of one trace, deduplicated); `parents` are every parent link known in
/// the trace (OTLP spans, report lines).
pub fn link(reports: &[LinkKeys], parents: &HashMap<SpanId, SpanId>) -> Links {
    let count = reports.len();
    let mut links = Links {
        caused: vec![None; count],
        ..Links::default()
    };
    let mut owner: HashMap<SpanId, usize> = HashMap::new();
    let mut by_server: HashMap<SpanId, usize> = HashMap::new();
    for (index, report) in reports.iter().enumerate() {
        for &span in &report.own_spans {
            owner.entry(span).or_insert(index);
        }
        if let Some(server) = report.server_span_id {
            by_server.entry(server).or_insert(index);
        }
    }
    let mut has_callee = vec![false; count];
    let mut linked_by_ids = vec![false; count];

    // 1. A caller's cause names the callee's server span. Its causes are outermost first:
    // the first that names a report is its direct callee (the ones further down came through
    // that callee, whose own report names them); a later one is the callee only when the
    // reports in between are not in the sources.
    for (caller, report) in reports.iter().enumerate() {
        let callee = report
            .cause_spans
            .iter()
            .find_map(|span| by_server.get(span).or_else(|| owner.get(span)));
        if let Some(&callee) = callee {
            if try_link(
                &mut links,
                &mut has_callee,
                callee,
                caller,
                LinkBasis::CauseSpan,
            ) {
                linked_by_ids[callee] = true;
                linked_by_ids[caller] = true;
            }
        }
    }
    // 2. The callee's server span (or, without one, its edge span) descends from a span of
    // the caller.
    for (callee, report) in reports.iter().enumerate() {
        if links.caused[callee].is_some() {
            continue;
        }
        let start = match report.server_span_id {
            Some(_) => report.server_parent_span_id,
            None => report.parent_span_id,
        };
        let mut at = start;
        for _ in 0..MAX_ANCESTRY_STEPS {
            let Some(span) = at else { break };
            if let Some(&caller) = owner.get(&span) {
                if caller != callee
                    && try_link(
                        &mut links,
                        &mut has_callee,
                        callee,
                        caller,
                        LinkBasis::ParentSpan,
                    )
                {
                    linked_by_ids[callee] = true;
                    linked_by_ids[caller] = true;
                }
                break;
            }
            at = parents.get(&span).copied();
        }
    }
    // 3. Time, for the reports the ids said nothing of: each is the callee of the next
    // report (in time) that has no callee yet.
    let mut by_time: Vec<usize> = (0..count).collect();
    by_time.sort_by_key(|&index| (reports[index].timestamp, index));
    for (position, &callee) in by_time.iter().enumerate() {
        if links.caused[callee].is_some() || linked_by_ids[callee] {
            continue;
        }
        let caller = by_time[position + 1..]
            .iter()
            .copied()
            .find(|&candidate| !has_callee[candidate]);
        if let Some(caller) = caller {
            try_link(&mut links, &mut has_callee, callee, caller, LinkBasis::Time);
        }
    }

    // The origin: of the reports nothing else was caused by, the one at the bottom of the
    // longest chain; the earliest among equals.
    let chain_length = |mut at: usize| {
        let mut length = 1;
        while let Some((caller, _)) = links.caused[at] {
            at = caller;
            length += 1;
            if length > count {
                break;
            }
        }
        length
    };
    let origin = (0..count)
        .filter(|&index| !has_callee[index])
        .max_by(|&a, &b| {
            chain_length(a)
                .cmp(&chain_length(b))
                .then(reports[b].timestamp.cmp(&reports[a].timestamp))
                .then(b.cmp(&a))
        });
    if let Some(origin) = origin {
        let mut at = origin;
        links.chain.push(at);
        while let Some((caller, _)) = links.caused[at] {
            if links.chain.contains(&caller) {
                break;
            }
            links.chain.push(caller);
            at = caller;
        }
    }
    links.others = by_time
        .into_iter()
        .filter(|index| !links.chain.contains(index))
        .collect();
    links
}

/// Records that `callee` caused `caller`'s report, unless it already caused another or the
/// link would close a cycle.
fn try_link(
    links: &mut Links,
    has_callee: &mut [bool],
    callee: usize,
    caller: usize,
    basis: LinkBasis,
) -> bool {
    if callee == caller || links.caused[callee].is_some() {
        return false;
    }
    // Would `caller` lead back up to `callee`?
    let mut at = caller;
    let mut steps = 0;
    while let Some((next, _)) = links.caused[at] {
        if next == callee || steps > links.caused.len() {
            return false;
        }
        at = next;
        steps += 1;
    }
    links.caused[callee] = Some((caller, basis));
    has_callee[caller] = true;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(second: i64, own: &[u64], server: Option<u64>, causes: &[u64]) -> LinkKeys {
        LinkKeys {
            timestamp: Some(Timestamp(second)),
            own_spans: own.iter().copied().map(SpanId).collect(),
            server_span_id: server.map(SpanId),
            cause_spans: causes.iter().copied().map(SpanId).collect(),
            ..LinkKeys::default()
        }
    }

    #[test]
    fn causes_naming_server_spans_make_the_chain_whatever_the_order() {
        // Read out of order: gateway, inventory, orders.
        let reports = [
            keys(3, &[30, 31], Some(32), &[22]),
            keys(1, &[10, 11], Some(12), &[]),
            keys(2, &[20, 21], Some(22), &[12]),
        ];
        let links = link(&reports, &HashMap::new());
        assert_eq!(links.chain, [1, 2, 0]);
        assert!(links.others.is_empty());
        assert_eq!(links.caused[1], Some((2, LinkBasis::CauseSpan)));
    }

    #[test]
    fn parent_links_find_the_caller_when_causes_have_no_span() {
        let mut inventory = keys(1, &[10], Some(12), &[]);
        inventory.server_parent_span_id = Some(SpanId(99)); // orders' client span
        let orders = keys(2, &[20, 21], Some(22), &[]);
        let parents = HashMap::from([(SpanId(99), SpanId(21))]);
        let links = link(&[orders, inventory], &parents);
        assert_eq!(links.chain, [1, 0]);
        assert_eq!(links.caused[1], Some((0, LinkBasis::ParentSpan)));
    }

    #[test]
    fn without_ids_time_decides() {
        let reports = [
            keys(3, &[], None, &[]),
            keys(1, &[], None, &[]),
            keys(2, &[], None, &[]),
        ];
        let links = link(&reports, &HashMap::new());
        assert_eq!(links.chain, [1, 2, 0]);
        assert_eq!(links.caused[1], Some((2, LinkBasis::Time)));
    }

    #[test]
    fn a_branch_off_the_chain_is_listed_apart() {
        // Two callees of the gateway; the one with the longer chain is the origin's.
        let reports = [
            keys(4, &[40], Some(41), &[31, 21]),
            keys(3, &[30], Some(31), &[11]),
            keys(1, &[10], Some(11), &[]),
            keys(2, &[20], Some(21), &[]),
        ];
        let links = link(&reports, &HashMap::new());
        assert_eq!(links.chain, [2, 1, 0]);
        assert_eq!(links.others, [3]);
    }

    #[test]
    fn cycles_in_causes_and_parents_end() {
        // Each names the other as its callee, and the parent links loop.
        let reports = [
            keys(1, &[10], Some(11), &[21]),
            keys(2, &[20], Some(21), &[11]),
        ];
        let mut parents = HashMap::new();
        parents.insert(SpanId(1), SpanId(2));
        parents.insert(SpanId(2), SpanId(1));
        let links = link(&reports, &parents);
        assert_eq!(links.chain.len() + links.others.len(), 2);
        let mut looping = keys(1, &[10], Some(11), &[]);
        looping.server_parent_span_id = Some(SpanId(1));
        let links = link(&[looping], &parents);
        assert_eq!(links.chain, [0]);
    }
}
