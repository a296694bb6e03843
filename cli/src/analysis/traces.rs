//! `tracefault traces`: the failing traces, each with its root (the service and route that
//! answered the user), its time and duration, the services involved and its origin error.
//!
//! Memory grows with the failing traces, not with the lines: a trace's first line is
//! remembered only while it is among the last [`RECENT_TRACES`] traces seen, which is where
//! a trace's lines are (a request's lines are written within its duration), and a failing
//! trace keeps a digest of each report, not the report.

use super::link::{link, LinkKeys};
use super::{Dedup, Filter};
use crate::ids::{IdMap, TraceId};
use crate::model::{CodeLocation, ErrorKind, Report};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// How many traces' first instants are remembered before a trace fails.
pub const RECENT_TRACES: usize = 65_536;
/// Reports kept per trace; more are counted.
const MAX_REPORTS_PER_TRACE: usize = 64;
/// A digest keeps this much of a message.
const MAX_MESSAGE: usize = 240;

#[derive(Clone, Debug)]
pub struct FailingTraces {
    filter: Filter,
    failing: IdMap<TraceId, FailingTrace>,
    recent: IdMap<TraceId, Timestamp>,
    recent_order: VecDeque<TraceId>,
    dedup: Dedup,
    pub reports: u64,
    pub duplicates: u64,
}

#[derive(Clone, Debug, Default)]
struct FailingTrace {
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    reports: Vec<Digest>,
    more_reports: u64,
    /// Whether a report of it passed `--service` and `--type`.
    admitted: bool,
}

/// What a failing trace keeps of a report.
#[derive(Clone, Debug)]
struct Digest {
    keys: LinkKeys,
    service: Option<String>,
    route: Option<String>,
    kind: ErrorKind,
    type_name: String,
    message: String,
    origin: Option<CodeLocation>,
}

/// One failing trace, as renderers show it.
#[derive(Debug, Serialize)]
pub struct TraceView {
    pub trace_id: TraceId,
    pub root_service: Option<String>,
    pub root_route: Option<String>,
    pub start: Option<Timestamp>,
    /// From its first line to its last, in microseconds.
    pub duration: Option<i64>,
    pub services: Vec<String>,
    pub reports: u64,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct OriginView {
    pub service: Option<String>,
    pub kind: ErrorKind,
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    pub location: Option<CodeLocation>,
}

impl FailingTraces {
    pub fn new(filter: Filter) -> FailingTraces {
        FailingTraces {
            filter,
            failing: IdMap::default(),
            recent: IdMap::default(),
            recent_order: VecDeque::new(),
            dedup: Dedup::default(),
            reports: 0,
            duplicates: 0,
        }
    }

    /// A line of `trace` at `at`, report or not.
    pub fn see(&mut self, trace: TraceId, at: Timestamp) {
        if let Some(failing) = self.failing.get_mut(&trace) {
            failing.first = Some(failing.first.map_or(at, |first| first.min(at)));
            failing.last = Some(failing.last.map_or(at, |last| last.max(at)));
            return;
        }
        match self.recent.get_mut(&trace) {
            Some(first) => *first = (*first).min(at),
            None => {
                if self.recent_order.len() == RECENT_TRACES {
                    if let Some(oldest) = self.recent_order.pop_front() {
                        self.recent.remove(&oldest);
                    }
                }
                self.recent.insert(trace, at);
                self.recent_order.push_back(trace);
            }
        }
    }

    pub fn add(&mut self, report: &Report) {
        let Some(trace) = report.trace_id else {
            return;
        };
        if !self.dedup.first_time(report) {
            self.duplicates += 1;
            return;
        }
        self.reports += 1;
        let first_seen = self.recent.get(&trace).copied();
        let failing = self.failing.entry(trace).or_default();
        for at in [first_seen, report.timestamp].into_iter().flatten() {
            failing.first = Some(failing.first.map_or(at, |first| first.min(at)));
            failing.last = Some(failing.last.map_or(at, |last| last.max(at)));
        }
        let time_free = Filter {
            since: None,
            until: None,
            ..self.filter.clone()
        };
        failing.admitted |= time_free.admits(report);
        if failing.reports.len() == MAX_REPORTS_PER_TRACE {
            failing.more_reports += 1;
            return;
        }
        let mut message = report.message.clone();
        if message.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        failing.reports.push(Digest {
            keys: LinkKeys::of(report),
            service: report.service.clone(),
            route: report.route(),
            kind: report.kind,
            type_name: report.type_name.clone(),
            message,
            origin: report.origin(),
        });
    }

    /// The failing traces that pass the filter, newest first.
    pub fn finish(self) -> Vec<TraceView> {
        let filter = self.filter;
        let mut views: Vec<TraceView> = self
            .failing
            .into_iter()
            .filter(|(_, trace)| trace.admitted)
            .filter(|(_, trace)| {
                let Some(start) = trace.first else {
                    return filter.since.is_none() && filter.until.is_none();
                };
                filter.since.is_none_or(|since| start >= since)
                    && filter.until.is_none_or(|until| start <= until)
            })
            .map(|(trace_id, trace)| view(trace_id, trace))
            .collect();
        views.sort_by(|a, b| b.start.cmp(&a.start).then(a.trace_id.cmp(&b.trace_id)));
        views
    }
}

fn view(trace_id: TraceId, trace: FailingTrace) -> TraceView {
    let keys: Vec<LinkKeys> = trace
        .reports
        .iter()
        .map(|digest| digest.keys.clone())
        .collect();
    let links = link(&keys, &HashMap::new());
    let origin = links.chain.first().map(|&at| &trace.reports[at]);
    let root = links.chain.last().map(|&at| &trace.reports[at]);
    let mut services: Vec<String> = Vec::new();
    for index in links.chain.iter().rev().chain(&links.others) {
        if let Some(service) = &trace.reports[*index].service {
            if !services.contains(service) {
                services.push(service.clone());
            }
        }
    }
    TraceView {
        trace_id,
        root_service: root.and_then(|digest| digest.service.clone()),
        root_route: root.and_then(|digest| digest.route.clone()),
        start: trace.first,
        duration: trace
            .first
            .zip(trace.last)
            .map(|(first, last)| last.0 - first.0),
        services,
        reports: trace.reports.len() as u64 + trace.more_reports,
        origin: OriginView {
            service: origin.and_then(|digest| digest.service.clone()),
            kind: origin.map(|digest| digest.kind).unwrap_or_default(),
            type_name: origin
                .map(|digest| digest.type_name.clone())
                .unwrap_or_default(),
            message: origin
                .map(|digest| digest.message.clone())
                .unwrap_or_default(),
            location: origin.and_then(|digest| digest.origin.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SpanId;

    fn report(trace: u128, service: &str, second: i64, server: u64, cause: Option<u64>) -> Report {
        Report {
            timestamp: Some(Timestamp(second * 1_000_000)),
            service: Some(service.to_owned()),
            trace_id: Some(TraceId(trace)),
            span_id: Some(SpanId(server + 1)),
            server_span_id: Some(SpanId(server)),
            method: Some("POST".to_owned()),
            path: Some(format!("/{service}")),
            type_name: format!("{service}::Error"),
            message: "x".repeat(1000),
            causes: cause
                .map(|span| crate::model::Cause {
                    span_id: Some(SpanId(span)),
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            ..Report::default()
        }
    }

    #[test]
    fn a_failing_traces_root_origin_services_and_duration() {
        let mut traces = FailingTraces::new(Filter::default());
        traces.see(TraceId(1), Timestamp(9_000_000));
        traces.add(&report(1, "inventory", 10, 30, None));
        traces.add(&report(1, "gateway", 12, 10, Some(20)));
        traces.add(&report(1, "orders", 11, 20, Some(30)));
        traces.see(TraceId(1), Timestamp(13_000_000));
        traces.add(&report(2, "inventory", 20, 30, None));
        let views = traces.finish();
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].trace_id, TraceId(2), "newest first");
        let first = &views[1];
        assert_eq!(first.root_service.as_deref(), Some("gateway"));
        assert_eq!(first.root_route.as_deref(), Some("POST /gateway"));
        assert_eq!(first.origin.service.as_deref(), Some("inventory"));
        assert_eq!(first.services, ["gateway", "orders", "inventory"]);
        assert_eq!(first.duration, Some(4_000_000));
        assert!(first.origin.message.chars().count() <= MAX_MESSAGE + 1);
    }

    #[test]
    fn the_recent_window_is_bounded() {
        let mut traces = FailingTraces::new(Filter::default());
        for trace in 0..(RECENT_TRACES as u128 * 3) {
            traces.see(TraceId(trace + 1), Timestamp(trace as i64));
        }
        assert_eq!(traces.recent.len(), RECENT_TRACES);
        assert_eq!(traces.recent_order.len(), RECENT_TRACES);
    }
}
