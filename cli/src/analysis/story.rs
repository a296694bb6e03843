//! `tracefault show`: one trace as one story. Its spans as a waterfall (from OTLP spans when
//! the source has them, else from what the report lines and log lines say of their spans),
//! then its reports joined into one distributed traceback, origin first.

use super::critical_path::{critical_path, CriticalSegment};
use super::gave_up::{still_in, StillIn};
use super::link::{link, LinkBasis, LinkKeys};
use super::otlp_reports::reports_from_spans;
use super::waterfall::{RowEvent, SpanTree, Timing, TreeNode, WaterfallRow};
use super::Dedup;
use crate::ids::{SpanId, TraceId};
use crate::model::{
    route, Cancellation, CodeLocation, Report, Span, SpanKind, SpanSighting, SpanStatus,
    MAX_SPAN_EVENTS,
};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tracefault_report::keys;

/// Everything the sources said of one trace.
#[derive(Debug, Default)]
pub struct TraceEvidence {
    pub reports: Vec<Report>,
    pub spans: Vec<Span>,
    pub sightings: Vec<SpanSighting>,
}

/// One trace, told.
#[derive(Debug, Serialize)]
pub struct Story {
    pub trace_id: TraceId,
    pub start: Option<Timestamp>,
    pub duration: Option<i64>,
    pub services: Vec<String>,
    pub timing: Timing,
    pub waterfall: Vec<WaterfallRow>,
    /// The stretches of the waterfall's spans that the trace's duration waited on.
    pub critical_path: Vec<CriticalSegment>,
    /// The distributed traceback: the origin first, then each caller.
    pub chain: Vec<ChainLink>,
    /// Reports of the trace on another branch than the chain's.
    pub others: Vec<ChainLink>,
    pub notes: Vec<String>,
}

/// One service's report in the story.
#[derive(Debug, Serialize)]
pub struct ChainLink {
    pub service: Option<String>,
    pub route: Option<String>,
    pub span_id: Option<SpanId>,
    pub span_name: Option<String>,
    /// Where the error started in this service.
    pub origin: Option<CodeLocation>,
    /// How this report was found to have caused the next one in the chain.
    pub caused_next_by: Option<LinkBasis>,
    /// The callee this service gave up on (a timeout, most often), where it still was.
    pub callee_still_in: Option<StillIn>,
    pub report: Report,
}

pub fn tell(trace_id: TraceId, evidence: TraceEvidence) -> Story {
    let mut notes = Vec::new();
    // Each span once: deduplicated where the spans were gathered (`gather::SpanIndex`).
    let spans = evidence.spans;
    let mut dedup = Dedup::default();
    let mut reports: Vec<Report> = evidence
        .reports
        .into_iter()
        .filter(|report| dedup.first_time(report))
        .collect();
    let span_tree = SpanTree::build(&spans.iter().map(tree_node).collect::<Vec<_>>());
    notes.extend(span_tree.notes.iter().cloned());
    if !spans.is_empty() {
        // A service with report lines tells its own errors; the others' are rebuilt from
        // their spans (a service in another language, whose spans went to a collector).
        let logged: HashSet<Option<String>> = reports
            .iter()
            .map(|report| report.service.clone())
            .collect();
        let from_spans = reports_from_spans(&spans, &span_tree)
            .into_iter()
            .filter(|report| !logged.contains(&report.service))
            .filter(|report| dedup.first_time(report));
        reports.extend(from_spans);
    }
    name_callees(&mut reports, &spans);
    let parents = parent_links(&spans, &reports);
    let keys: Vec<LinkKeys> = reports.iter().map(LinkKeys::of).collect();
    let links = link(&keys, &parents);

    let log_spans = log_spans(&reports, &links.caused, &evidence.sightings);
    let (timing, mut waterfall) = if spans.is_empty() {
        (
            Timing::Seen,
            rows(&[], log_spans, &HashMap::new(), &mut notes),
        )
    } else {
        // The spans that only log lines know (a service that wrote lines and exported no
        // spans) join the measured ones in one tree; a span known both ways is the measured.
        let measured: HashSet<SpanId> = spans.iter().map(|span| span.span_id).collect();
        let seen: Vec<LogSpan> = log_spans
            .into_iter()
            .filter(|span| !measured.contains(&span.span_id))
            .collect();
        if !seen.is_empty() {
            notes.push(format!(
                "{} spans are known only from log lines: their times are the lines'",
                seen.len()
            ));
        }
        let attach = callers_of_servers(&reports, &links.caused);
        (Timing::Measured, rows(&spans, seen, &attach, &mut notes))
    };
    link_parents(&mut waterfall);
    let start = spans
        .iter()
        .filter_map(|span| span.start)
        .chain(evidence.sightings.iter().map(|seen| seen.timestamp))
        .chain(reports.iter().filter_map(|report| report.timestamp))
        .min();
    let end = spans
        .iter()
        .filter_map(|span| span.end)
        .chain(evidence.sightings.iter().map(|seen| seen.timestamp))
        .chain(reports.iter().filter_map(|report| report.timestamp))
        .max();
    let span_names: HashMap<SpanId, &str> = spans
        .iter()
        .map(|span| (span.span_id, span.name.as_str()))
        .collect();
    let mut owners: HashMap<SpanId, usize> = HashMap::new();
    for (index, report) in reports.iter().enumerate() {
        for span in report.own_span_ids() {
            owners.entry(span).or_insert(index);
        }
    }
    let mut gave_up = still_in(&waterfall, &owners);
    let mut slots: Vec<Option<Report>> = reports.into_iter().map(Some).collect();
    let mut take = |index: usize, next_basis: Option<LinkBasis>| {
        let report = slots[index].take().unwrap_or_default();
        ChainLink {
            service: report.service.clone(),
            route: report.route(),
            span_id: report.span_id,
            span_name: report
                .span_id
                .and_then(|id| span_names.get(&id).map(|name| (*name).to_owned()))
                .or_else(|| edge_span_name(&report)),
            origin: report.origin(),
            caused_next_by: next_basis,
            callee_still_in: gave_up.remove(&index),
            report,
        }
    };
    let chain: Vec<ChainLink> = links
        .chain
        .iter()
        .map(|&index| take(index, links.caused[index].map(|(_, basis)| basis)))
        .collect();
    let others: Vec<ChainLink> = links
        .others
        .iter()
        .map(|&index| take(index, None))
        .collect();
    let mut services: Vec<String> = Vec::new();
    let named = chain
        .iter()
        .chain(&others)
        .filter_map(|link| link.service.as_deref())
        .chain(waterfall.iter().filter_map(|row| row.service.as_deref()));
    for service in named {
        if !services.iter().any(|known| known == service) {
            services.push(service.to_owned());
        }
    }
    Story {
        trace_id,
        start,
        duration: start.zip(end).map(|(start, end)| end.0 - start.0),
        services,
        timing,
        critical_path: critical_path(&waterfall),
        waterfall,
        chain,
        others,
        notes,
    }
}

/// A caller that knew its callee only by address (`127.0.0.1:7004`: the callee's answer did not
/// name its service) names it after all when the trace has the callee's server span, the one
/// its cause names: by that span's service.
fn name_callees(reports: &mut [Report], spans: &[Span]) {
    let mut services: HashMap<SpanId, String> = HashMap::new();
    for span in spans {
        if let (SpanKind::Server, Some(service)) = (span.kind, &span.service) {
            services.insert(span.span_id, service.clone());
        }
    }
    for report in reports.iter() {
        if let (Some(server), Some(service)) = (report.server_span_id, &report.service) {
            services.entry(server).or_insert_with(|| service.clone());
        }
    }
    if services.is_empty() {
        return;
    }
    for cause in reports
        .iter_mut()
        .flat_map(|report| report.causes.iter_mut())
    {
        let Some(service) = cause.span_id.and_then(|span| services.get(&span)) else {
            continue;
        };
        if cause.service.as_deref().is_none_or(is_address) {
            cause.service = Some(service.clone());
        }
    }
}

/// `127.0.0.1:7004`, `[::1]:80`, `orders.internal:8080`: what a client names a callee by when
/// the callee did not say; a service's name has no port.
fn is_address(name: &str) -> bool {
    name.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit())
    })
}

fn tree_node(span: &Span) -> TreeNode {
    TreeNode {
        span_id: span.span_id,
        parent: span.parent_span_id,
        service: span.service.clone(),
        is_server: span.kind == SpanKind::Server,
        start: span.start,
    }
}

/// Every parent link the trace shows: the spans', and those the reports name.
fn parent_links(spans: &[Span], reports: &[Report]) -> HashMap<SpanId, SpanId> {
    let mut parents = HashMap::new();
    for span in spans {
        if let Some(parent) = span.parent_span_id {
            parents.insert(span.span_id, parent);
        }
    }
    for report in reports {
        let pairs = [
            (report.span_id, report.parent_span_id),
            (report.server_span_id, report.server_parent_span_id),
        ];
        for (child, parent) in pairs {
            if let (Some(child), Some(parent)) = (child, parent) {
                parents.entry(child).or_insert(parent);
            }
        }
        for pair in report.span_trace.windows(2) {
            if let (Some(outer), Some(inner)) = (pair[0].span_id, pair[1].span_id) {
                parents.entry(inner).or_insert(outer);
            }
        }
    }
    parents.retain(|child, parent| child != parent);
    parents
}

/// How far up an exception is looked for on the spans it escaped: a hostile trace can be
/// arbitrarily deep, and an error escapes a few functions, not thousands.
const MAX_PASSED_ON_LEVELS: usize = 256;

/// Each row's parent, from the preorder and the depths: the last row seen one level up.
fn link_parents(rows: &mut [WaterfallRow]) {
    let mut open: Vec<SpanId> = Vec::new();
    for row in rows {
        open.truncate(row.depth);
        row.parent = row
            .depth
            .checked_sub(1)
            .and_then(|up| open.get(up).copied());
        open.push(row.span_id);
    }
}

/// A span as the logs know it.
#[derive(Debug, Default)]
struct LogSpan {
    span_id: SpanId,
    name: Option<String>,
    service: Option<String>,
    parent: Option<SpanId>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    error: bool,
    raised: bool,
    is_server: bool,
    /// Told only of the caller's span a cancelled request names (the logs do not otherwise
    /// say which spans are clients).
    kind: Option<SpanKind>,
    cancelled: Option<Cancellation>,
    attributes: Vec<(String, String)>,
    /// Log lines written in the span, and the reports it emitted, with their instants.
    events: Vec<(Option<Timestamp>, RowEvent)>,
    more_events: u64,
}

/// The spans the report lines name (server span, span trace, edge) and those the log lines
/// were written in, joined by what the reports say of their parents and by the chain's links
/// (a callee's server span under the caller's innermost function).
fn log_spans(
    reports: &[Report],
    caused: &[Option<(usize, LinkBasis)>],
    sightings: &[SpanSighting],
) -> Vec<LogSpan> {
    let mut spans: Vec<LogSpan> = Vec::new();
    let mut index: HashMap<SpanId, usize> = HashMap::new();
    let mut note = |span: LogSpan, spans: &mut Vec<LogSpan>| {
        let at = *index.entry(span.span_id).or_insert_with(|| {
            spans.push(LogSpan {
                span_id: span.span_id,
                ..LogSpan::default()
            });
            spans.len() - 1
        });
        let known = &mut spans[at];
        if known.name.is_none() {
            known.name = span.name;
        }
        if known.service.is_none() {
            known.service = span.service;
        }
        if known.parent.is_none() && span.parent != Some(span.span_id) {
            known.parent = span.parent;
        }
        known.first = min_option(known.first, span.first);
        known.last = max_option(known.last, span.last.or(span.first));
        known.error |= span.error;
        known.raised |= span.raised;
        known.is_server |= span.is_server;
        known.kind = known.kind.or(span.kind);
        if known.cancelled.is_none() {
            known.cancelled = span.cancelled;
        }
        for attribute in span.attributes {
            if !known.attributes.iter().any(|(key, _)| *key == attribute.0) {
                known.attributes.push(attribute);
            }
        }
        for event in span.events {
            if known.events.len() < MAX_SPAN_EVENTS {
                known.events.push(event);
            } else {
                known.more_events += 1;
            }
        }
    };
    for (at, report) in reports.iter().enumerate() {
        let called_from = caused[at].and_then(|(caller, _)| innermost(&reports[caller]));
        let service = report.service.clone();
        if let Some(server) = report.server_span_id {
            note(
                LogSpan {
                    span_id: server,
                    name: report.route().or_else(|| report.spans.first().cloned()),
                    service: service.clone(),
                    parent: called_from.or(report.server_parent_span_id),
                    last: report.timestamp,
                    error: true,
                    is_server: true,
                    attributes: http_attributes(&report.method, &report.path),
                    ..LogSpan::default()
                },
                &mut spans,
            );
        }
        let outer_parent = report.parent_span_id.or(report.server_span_id);
        let mut previous: Option<SpanId> = None;
        let entries = report.span_trace.len();
        for (position, entry) in report.span_trace.iter().enumerate() {
            let Some(span_id) = entry.span_id else {
                continue;
            };
            let parent = match previous {
                Some(outer) => Some(outer),
                None if report.server_span_id.is_none() => outer_parent.or(called_from),
                None => outer_parent,
            };
            note(
                LogSpan {
                    span_id,
                    name: Some(short_name(&entry.function).to_owned()),
                    service: service.clone(),
                    parent,
                    last: report.timestamp,
                    error: true,
                    raised: position + 1 == entries,
                    attributes: code_attributes(entry),
                    ..LogSpan::default()
                },
                &mut spans,
            );
            previous = Some(span_id);
        }
        if let Some(edge) = report.span_id {
            note(
                LogSpan {
                    span_id: edge,
                    name: edge_span_name(report),
                    service,
                    parent: outer_parent.or(called_from),
                    last: report.timestamp,
                    error: true,
                    events: vec![(
                        report.timestamp,
                        RowEvent {
                            name: "report".to_owned(),
                            message: format!("{}: {}", report.type_name, report.message),
                            ..RowEvent::default()
                        },
                    )],
                    ..LogSpan::default()
                },
                &mut spans,
            );
        }
    }
    for seen in sightings {
        let started = seen
            .cancelled
            .as_ref()
            .map(|cancelled| cancellation_start(seen.timestamp, cancelled));
        if let Some(server) = seen.server_span_id.filter(|server| *server != seen.span_id) {
            note(
                LogSpan {
                    span_id: server,
                    name: route(seen.method.as_deref(), seen.path.as_deref()),
                    service: seen.service.clone(),
                    parent: seen.server_parent_span_id,
                    first: started,
                    is_server: true,
                    attributes: http_attributes(&seen.method, &seen.path),
                    ..LogSpan::default()
                },
                &mut spans,
            );
        }
        // A line without span names (a log engine may drop them) still has its function.
        let function = seen
            .cancelled
            .as_ref()
            .and_then(|cancelled| cancelled.function.as_deref());
        note(
            LogSpan {
                span_id: seen.span_id,
                name: seen
                    .span_name
                    .clone()
                    .or_else(|| function.map(|function| short_name(function).to_owned())),
                service: seen.service.clone(),
                parent: seen.parent_span_id,
                first: started.or(Some(seen.timestamp)),
                last: Some(seen.timestamp),
                cancelled: seen.cancelled.clone(),
                events: vec![(
                    Some(seen.timestamp),
                    RowEvent {
                        name: seen.level.clone().unwrap_or_else(|| "log".to_owned()),
                        message: seen.message.clone().unwrap_or_default(),
                        ..RowEvent::default()
                    },
                )],
                ..LogSpan::default()
            },
            &mut spans,
        );
    }
    for (client, caller) in gave_up_calls(reports, sightings) {
        let Some(called_from) = innermost(&reports[caller]) else {
            continue;
        };
        note(
            LogSpan {
                span_id: client.span_id,
                name: Some(client.method.unwrap_or_else(|| "call".to_owned())),
                service: reports[caller].service.clone(),
                parent: Some(called_from),
                first: Some(client.started),
                last: reports[caller].timestamp,
                error: true,
                kind: Some(SpanKind::Client),
                ..LogSpan::default()
            },
            &mut spans,
        );
    }
    spans
}

/// For each server span of a report that a caller's report was linked to, the caller's
/// innermost span: where the call came from, when no span says so (a caller that wrote only
/// log lines does not name its client span).
fn callers_of_servers(
    reports: &[Report],
    caused: &[Option<(usize, LinkBasis)>],
) -> HashMap<SpanId, SpanId> {
    let mut callers = HashMap::new();
    for (at, report) in reports.iter().enumerate() {
        let caller = caused[at].and_then(|(caller, _)| innermost(&reports[caller]));
        if let (Some(server), Some(caller)) = (report.server_span_id, caller) {
            if server != caller {
                callers.insert(server, caller);
            }
        }
    }
    callers
}

/// Which span of a report a call to another service came from: its innermost function's.
fn innermost(report: &Report) -> Option<SpanId> {
    report
        .span_trace
        .last()
        .and_then(|entry| entry.span_id)
        .or(report.span_id)
}

/// The waterfall of one trace: its measured spans (OTLP) and the spans only log lines know,
/// in one tree. A measured span whose parent is in no source hangs under the caller's span
/// that `attach` names.
fn rows(
    measured: &[Span],
    mut seen: Vec<LogSpan>,
    attach: &HashMap<SpanId, SpanId>,
    notes: &mut Vec<String>,
) -> Vec<WaterfallRow> {
    let count = measured.len();
    let known: HashSet<SpanId> = measured
        .iter()
        .map(|span| span.span_id)
        .chain(seen.iter().map(|span| span.span_id))
        .collect();
    let mut nodes: Vec<TreeNode> = measured.iter().map(tree_node).collect();
    for node in &mut nodes {
        if node.parent.is_none_or(|parent| !known.contains(&parent)) {
            if let Some(&caller) = attach.get(&node.span_id) {
                node.parent = Some(caller);
            }
        }
    }
    nodes.extend(seen.iter().map(|span| TreeNode {
        span_id: span.span_id,
        parent: span.parent,
        service: span.service.clone(),
        is_server: span.is_server,
        start: span.first.or(span.last),
    }));
    let tree = SpanTree::build(&nodes);
    notes.extend(tree.notes.iter().cloned());
    let index: HashMap<SpanId, usize> = nodes
        .iter()
        .enumerate()
        .map(|(at, node)| (node.span_id, at))
        .collect();
    // A span seen only in lines was open while anything under it was: children widen their
    // parents, deepest first (reverse preorder visits every child before its parent).
    // Measured spans keep their own times.
    let times = |at: usize, seen: &[LogSpan]| match at.checked_sub(count) {
        None => (measured[at].start, measured[at].end.or(measured[at].start)),
        Some(log) => (seen[log].first.or(seen[log].last), seen[log].last),
    };
    for &at in tree.preorder.iter().rev() {
        let parent = nodes[at]
            .parent
            .and_then(|parent| index.get(&parent).copied());
        if let (Some(parent), true) = (parent, tree.depth[at] > 0) {
            if let Some(log) = parent.checked_sub(count) {
                let (first, last) = times(at, &seen);
                seen[log].first = min_option(seen[log].first, first);
                seen[log].last = max_option(seen[log].last, last);
            }
        }
    }
    // An exception is raised where it is recorded deepest: a span whose exception (the same
    // type and message) also shows on a span under it, in the same service, only passed it on
    // (OpenTelemetry's Python SDK records it on every span it escapes). A different exception
    // is another error raised there, wrapping the one below (tracefault's causes).
    let mut passed_on: HashSet<(usize, &Option<String>, &Option<String>)> = HashSet::new();
    for (at, span) in measured.iter().enumerate() {
        if span.exceptions.is_empty() {
            continue;
        }
        let mut up = at;
        for _ in 0..MAX_PASSED_ON_LEVELS {
            let Some(parent) = nodes[up]
                .parent
                .and_then(|parent| index.get(&parent).copied())
            else {
                break;
            };
            if parent >= count || parent == at || tree.segment_root[parent] != tree.segment_root[at]
            {
                break;
            }
            for event in &span.exceptions {
                passed_on.insert((parent, &event.type_name, &event.message));
            }
            up = parent;
        }
    }
    let raised = |at: usize| {
        measured[at]
            .exceptions
            .iter()
            .any(|event| !passed_on.contains(&(at, &event.type_name, &event.message)))
    };
    let start = (0..nodes.len()).filter_map(|at| times(at, &seen).0).min();
    let offset = |at: Option<Timestamp>| start.zip(at).map(|(start, at)| at.0 - start.0);
    tree.preorder
        .iter()
        .map(|&at| {
            let (first, last) = times(at, &seen);
            let Some(log) = at.checked_sub(count) else {
                let span = &measured[at];
                return WaterfallRow {
                    depth: tree.depth[at],
                    service: span.service.clone(),
                    name: span.name.clone(),
                    span_id: span.span_id,
                    parent: None,
                    kind: Some(span.kind),
                    status_message: Some(span.status_message.clone()).filter(|m| !m.is_empty()),
                    attributes: span.attributes.clone(),
                    events: span
                        .events
                        .iter()
                        .map(|event| RowEvent {
                            offset: offset(event.timestamp),
                            name: event.name.clone(),
                            message: String::new(),
                            attributes: event.attributes.clone(),
                        })
                        .collect(),
                    more_events: span.more_events,
                    start_offset: offset(span.start),
                    duration: span.start.zip(span.end).map(|(from, to)| to.0 - from.0),
                    error: span.status == SpanStatus::Error,
                    raised: raised(at),
                    cancelled: span.cancellation(),
                };
            };
            let span = &mut seen[log];
            let mut events = std::mem::take(&mut span.events);
            events.sort_by_key(|(at, _)| *at);
            WaterfallRow {
                depth: tree.depth[at],
                service: span.service.clone(),
                name: span.name.clone().unwrap_or_else(|| "?".to_owned()),
                span_id: span.span_id,
                parent: None,
                kind: span.kind,
                status_message: None,
                attributes: std::mem::take(&mut span.attributes),
                events: events
                    .into_iter()
                    .map(|(at, event)| RowEvent {
                        offset: offset(at),
                        ..event
                    })
                    .collect(),
                more_events: span.more_events,
                start_offset: offset(first),
                duration: first.zip(last).map(|(from, to)| to.0 - from.0),
                error: span.error,
                raised: span.raised,
                cancelled: span.cancelled.take(),
            }
        })
        .collect()
}

/// A request's method and path as OpenTelemetry's HTTP attributes, those that are known.
fn http_attributes(method: &Option<String>, path: &Option<String>) -> Vec<(String, String)> {
    [(keys::HTTP_REQUEST_METHOD, method), (keys::URL_PATH, path)]
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_owned(), value.clone()?)))
        .collect()
}

/// The caller's span of a request whose callee was cancelled, as the logs know it: the
/// remote parent its cancellation lines name, which no line of the caller's names.
#[derive(Debug)]
struct UnseenClient {
    span_id: SpanId,
    method: Option<String>,
    /// When the callee's first dropped future started: the call was under way by then.
    started: Timestamp,
}

/// Each client span that the cancellation lines of a request name as its server span's remote
/// parent, with the report of the caller that gave up on it. The caller's lines do not name
/// their client spans, so the caller is told by time: the first report of another service
/// after the request started (a caller reports as it gives up, its own callers after it).
fn gave_up_calls(reports: &[Report], sightings: &[SpanSighting]) -> Vec<(UnseenClient, usize)> {
    let mut clients: Vec<(UnseenClient, Option<&str>)> = Vec::new();
    let mut client_at: HashMap<SpanId, usize> = HashMap::new();
    for seen in sightings {
        let (Some(cancelled), Some(client)) = (&seen.cancelled, seen.server_parent_span_id) else {
            continue;
        };
        let started = cancellation_start(seen.timestamp, cancelled);
        match client_at.get(&client) {
            Some(&at) => clients[at].0.started = clients[at].0.started.min(started),
            None => {
                client_at.insert(client, clients.len());
                clients.push((
                    UnseenClient {
                        span_id: client,
                        method: seen.method.clone(),
                        started,
                    },
                    seen.service.as_deref(),
                ));
            }
        }
    }
    if clients.is_empty() {
        return Vec::new();
    }
    let known: HashSet<SpanId> = sightings
        .iter()
        .map(|seen| seen.span_id)
        .chain(reports.iter().flat_map(Report::own_span_ids))
        .collect();
    let mut by_time: Vec<(Timestamp, usize)> = reports
        .iter()
        .enumerate()
        .filter_map(|(at, report)| Some((report.timestamp?, at)))
        .collect();
    by_time.sort_unstable();
    clients
        .into_iter()
        .filter(|(client, _)| !known.contains(&client.span_id))
        .filter_map(|(client, callee)| {
            let from = by_time.partition_point(|(at, _)| *at < client.started);
            let &(_, caller) = by_time[from..]
                .iter()
                .find(|(_, at)| reports[*at].service.as_deref() != callee)?;
            Some((client, caller))
        })
        .collect()
}

/// When a cancelled future started: its line is written when it is dropped, after it had run
/// so long.
fn cancellation_start(dropped: Timestamp, cancelled: &Cancellation) -> Timestamp {
    Timestamp(dropped.0.saturating_sub(cancelled.elapsed.unwrap_or(0)))
}

/// The name of the span a report was emitted in: the innermost of its `spans`, else what its
/// span trace's outermost function is called.
fn edge_span_name(report: &Report) -> Option<String> {
    report.spans.last().cloned().or_else(|| {
        report
            .span_trace
            .first()
            .map(|entry| short_name(&entry.function).to_owned())
    })
}

/// Where a span-trace entry's function is, as OpenTelemetry's `code.*` attributes say it.
fn code_attributes(entry: &crate::model::SpanTraceEntry) -> Vec<(String, String)> {
    let mut attributes = vec![(keys::CODE_FUNCTION_NAME.to_owned(), entry.function.clone())];
    if let Some(file) = &entry.file {
        attributes.push((keys::CODE_FILE_PATH.to_owned(), file.clone()));
    }
    if let Some(line) = entry.line {
        attributes.push((keys::CODE_LINE_NUMBER.to_owned(), line.to_string()));
    }
    attributes
}

/// `shop::inventory::query_stock` is span `query_stock`, as `#[trace]` names it.
fn short_name(function: &str) -> &str {
    function.rsplit("::").next().unwrap_or(function)
}

fn min_option(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_option(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cause;

    #[test]
    fn a_callee_known_by_its_address_is_named_by_its_server_span() {
        let server = Span {
            span_id: SpanId(7),
            kind: SpanKind::Server,
            service: Some("pricing".to_owned()),
            ..Span::default()
        };
        let cause = |service: Option<&str>, span: u64| Cause {
            service: service.map(str::to_owned),
            span_id: Some(SpanId(span)),
            ..Cause::default()
        };
        let mut reports = vec![Report {
            causes: vec![
                cause(Some("127.0.0.1:7004"), 7),
                cause(Some("orders"), 7),
                cause(None, 7),
                cause(Some("[::1]:80"), 8),
            ],
            ..Report::default()
        }];
        name_callees(&mut reports, &[server]);
        let named: Vec<Option<&str>> = reports[0]
            .causes
            .iter()
            .map(|cause| cause.service.as_deref())
            .collect();
        // What the answer said of itself stays; an unknown span names nothing.
        assert_eq!(
            named,
            [
                Some("pricing"),
                Some("orders"),
                Some("pricing"),
                Some("[::1]:80")
            ]
        );
        assert!(is_address("orders.internal:8080"));
        assert!(!is_address("[::1]:"));
    }

    #[test]
    fn one_exception_recorded_on_every_span_it_escaped_is_raised_once() {
        // Ten thousand nested spans of one service, each with the same exception, as Python's
        // SDK records one that escapes them all; the innermost also wraps another.
        let depth = 10_000;
        let exception = |type_name: &str| crate::model::ExceptionEvent {
            type_name: Some(type_name.to_owned()),
            message: Some("no stock".to_owned()),
            ..Default::default()
        };
        let spans: Vec<Span> = (0..depth)
            .map(|at| Span {
                span_id: SpanId(at + 1),
                parent_span_id: (at > 0).then_some(SpanId(at)),
                service: Some("orders".to_owned()),
                kind: if at == 0 {
                    SpanKind::Server
                } else {
                    SpanKind::Internal
                },
                status: SpanStatus::Error,
                exceptions: vec![exception("OrderError")],
                ..Span::default()
            })
            .collect();
        let mut spans = spans;
        spans[depth as usize - 1]
            .exceptions
            .push(exception("PricingError"));
        let started = std::time::Instant::now();
        let story = tell(
            TraceId(1),
            TraceEvidence {
                spans,
                ..TraceEvidence::default()
            },
        );
        let raised: Vec<SpanId> = story
            .waterfall
            .iter()
            .filter(|row| row.raised)
            .map(|row| row.span_id)
            .collect();
        assert_eq!(raised, [SpanId(depth)]);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert!(!is_address("orders"));
        assert!(!is_address("shop::orders"));
    }
}
