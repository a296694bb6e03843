//! A caller that gave up: its client span ended with an error while the request it made was
//! still being served, and the callee's futures were dropped (cancelled) when the connection
//! closed. The caller's report says only that the call failed (a timeout, most often); what
//! on-call needs next is where the callee was, which its cancelled spans say. Told by the
//! spans' relation (a failed span of the caller whose child, in another service, has cancelled
//! spans under it), never by the caller's message.

use super::waterfall::WaterfallRow;
use crate::ids::SpanId;
use crate::time::format_duration;
use serde::Serialize;
use std::collections::HashMap;

/// Where the callee was when its caller gave up: its innermost cancelled function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StillIn {
    pub service: Option<String>,
    pub function: String,
    /// Microseconds it had run when it was dropped.
    pub elapsed: Option<i64>,
    pub span_id: SpanId,
}

/// The line a caller's report is followed by, in `show` and on the trace page: `the callee was
/// still in orders's shop::orders::ask_supplier (3.02s) when the caller gave up`.
impl std::fmt::Display for StillIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the callee was still in ")?;
        if let Some(service) = &self.service {
            write!(f, "{service}'s ")?;
        }
        f.write_str(&self.function)?;
        if let Some(elapsed) = self.elapsed {
            write!(f, " ({})", format_duration(elapsed))?;
        }
        f.write_str(" when the caller gave up")
    }
}

/// How far up from a failed call its caller's own spans are looked for: a client span sits a
/// few levels under the function that made the call, and a hostile trace can be deep.
const MAX_ANCESTRY_STEPS: usize = 256;

/// For each caller that gave up, by the index `owners` gives its spans (a report's own spans:
/// its edge, span trace and server span), where its callee still was: the first failed span
/// under the caller's whose child, in another service, has cancelled spans of that service
/// under it. `rows` are in preorder, each with its parent. One pass over the rows, and a
/// bounded walk up from each failed call, whatever the trace.
pub fn still_in(rows: &[WaterfallRow], owners: &HashMap<SpanId, usize>) -> HashMap<usize, StillIn> {
    let mut found = HashMap::new();
    if !rows.iter().any(|row| row.cancelled.is_some()) {
        return found;
    }
    let at: HashMap<SpanId, usize> = rows
        .iter()
        .enumerate()
        .map(|(index, row)| (row.span_id, index))
        .collect();
    let parent: Vec<Option<usize>> = rows
        .iter()
        .map(|row| row.parent.and_then(|parent| at.get(&parent).copied()))
        .collect();
    // The innermost cancelled row of each row's service under it, the deepest and then the
    // latest to start: children come after their parent in preorder, so backwards each row
    // has heard from all of its own before it tells its parent.
    let mut innermost: Vec<Option<usize>> = vec![None; rows.len()];
    let rank = |index: usize| (rows[index].depth, rows[index].start_offset);
    let better = |a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) => Some(if rank(b) > rank(a) { b } else { a }),
        (a, b) => a.or(b),
    };
    for index in (0..rows.len()).rev() {
        if rows[index].cancelled.is_some() {
            innermost[index] = better(innermost[index], Some(index));
        }
        if let Some(up) = parent[index].filter(|&up| rows[up].service == rows[index].service) {
            innermost[up] = better(innermost[up], innermost[index]);
        }
    }
    for (callee, row) in rows.iter().enumerate() {
        let (Some(call), Some(inner)) = (parent[callee], innermost[callee]) else {
            continue;
        };
        if !rows[call].error || rows[call].service == row.service {
            continue;
        }
        let mut up = Some(call);
        for _ in 0..MAX_ANCESTRY_STEPS {
            let Some(step) = up else { break };
            if let Some(&owner) = owners.get(&rows[step].span_id) {
                found.entry(owner).or_insert_with(|| still(&rows[inner]));
                break;
            }
            up = parent[step];
        }
    }
    found
}

fn still(row: &WaterfallRow) -> StillIn {
    let cancelled = row.cancelled.clone().unwrap_or_default();
    StillIn {
        service: row.service.clone(),
        function: cancelled.function.unwrap_or_else(|| row.name.clone()),
        elapsed: cancelled.elapsed.or(row.duration),
        span_id: row.span_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cancellation;

    /// `(id, parent, depth, service, error, cancelled function)`.
    type RowSpec<'a> = (u64, Option<u64>, usize, &'a str, bool, Option<&'a str>);

    /// Rows in preorder.
    fn rows(spec: &[RowSpec<'_>]) -> Vec<WaterfallRow> {
        spec.iter()
            .map(
                |&(id, parent, depth, service, error, cancelled)| WaterfallRow {
                    depth,
                    service: Some(service.to_owned()),
                    start_offset: Some(id as i64),
                    duration: Some(100),
                    error,
                    cancelled: cancelled.map(|function| Cancellation {
                        function: Some(function.to_owned()),
                        elapsed: Some(3_000_000),
                    }),
                    ..WaterfallRow::for_test(id, parent)
                },
            )
            .collect()
    }

    /// Report 0's own spans.
    fn own(ids: &[u64]) -> HashMap<SpanId, usize> {
        ids.iter().map(|&id| (SpanId(id), 0)).collect()
    }

    fn still_in_report(rows: &[WaterfallRow], own: &HashMap<SpanId, usize>) -> Option<StillIn> {
        still_in(rows, own).remove(&0)
    }

    #[test]
    fn the_innermost_cancelled_function_under_the_failed_call_is_named() {
        // gateway: 1 server, 2 place_order, 3 client (failed); orders: 4 server, 5 place_order,
        // 6 reserve_stock, 7 ask_supplier, all three cancelled.
        let rows = rows(&[
            (1, None, 0, "gateway", true, None),
            (2, Some(1), 1, "gateway", true, None),
            (3, Some(2), 2, "gateway", true, None),
            (4, Some(3), 3, "orders", false, None),
            (
                5,
                Some(4),
                4,
                "orders",
                false,
                Some("shop::orders::place_order"),
            ),
            (
                6,
                Some(5),
                5,
                "orders",
                false,
                Some("shop::orders::reserve_stock"),
            ),
            (
                7,
                Some(6),
                6,
                "orders",
                false,
                Some("shop::orders::ask_supplier"),
            ),
        ]);
        let still = still_in_report(&rows, &own(&[1, 2])).unwrap();
        assert_eq!(still.function, "shop::orders::ask_supplier");
        assert_eq!(still.service.as_deref(), Some("orders"));
        assert_eq!(still.elapsed, Some(3_000_000));
        assert_eq!(still.span_id, SpanId(7));
        assert_eq!(
            still.to_string(),
            "the callee was still in orders's shop::orders::ask_supplier (3.00s) when the caller \
             gave up"
        );
    }

    #[test]
    fn a_call_that_did_not_fail_or_another_callers_call_is_not_a_give_up() {
        let succeeded = rows(&[
            (1, None, 0, "gateway", false, None),
            (2, Some(1), 1, "orders", false, None),
            (
                3,
                Some(2),
                2,
                "orders",
                false,
                Some("shop::orders::select_branch"),
            ),
        ]);
        assert_eq!(still_in_report(&succeeded, &own(&[1])), None);
        let failed = rows(&[
            (1, None, 0, "gateway", true, None),
            (2, Some(1), 1, "orders", false, None),
            (
                3,
                Some(2),
                2,
                "orders",
                false,
                Some("shop::orders::ask_supplier"),
            ),
        ]);
        assert_eq!(
            still_in_report(&failed, &own(&[9])),
            None,
            "not this report's call"
        );
        assert!(still_in_report(&failed, &own(&[1])).is_some());
    }

    #[test]
    fn a_callee_that_finished_was_not_still_in_anything() {
        let rows = rows(&[
            (1, None, 0, "gateway", true, None),
            (2, Some(1), 1, "orders", true, None),
            (3, Some(2), 2, "orders", true, None),
        ]);
        assert_eq!(still_in_report(&rows, &own(&[1])), None);
    }
}
