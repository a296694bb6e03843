//! `tracefault errors`: reports grouped by [`Fingerprint`], counted, dated and bucketed in
//! time, in memory that grows with the groups and not with the reports.

use super::fingerprint::Fingerprint;
use super::{Dedup, Filter};
use crate::ids::TraceId;
use crate::model::{CodeLocation, ErrorKind, Report};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A group's counts per time bucket stay under this many buckets: when one would pass it,
/// every bucket doubles in width. A report's time costs one map entry at most.
const MAX_BUCKETS: usize = 1024;
/// Buckets start a minute wide.
const FIRST_BUCKET_MICROS: i64 = 60_000_000;
/// The trend shown per group.
pub const TREND_BUCKETS: usize = 24;

/// Groups being counted.
#[derive(Clone, Debug)]
pub struct ErrorGroups {
    filter: Filter,
    groups: HashMap<Fingerprint, Group>,
    bucket_micros: i64,
    dedup: Dedup,
    pub reports: u64,
    pub duplicates: u64,
    pub filtered_out: u64,
}

#[derive(Clone, Debug)]
struct Group {
    type_name: String,
    kind: ErrorKind,
    count: u64,
    services: BTreeSet<String>,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    /// The latest report's: where it started, its trace, its message.
    origin: Option<CodeLocation>,
    example_trace_id: Option<TraceId>,
    example_message: String,
    buckets: BTreeMap<i64, u64>,
}

/// One group, as renderers show it.
#[derive(Debug, Serialize)]
pub struct GroupView {
    pub fingerprint: Fingerprint,
    #[serde(rename = "type")]
    pub type_name: String,
    pub kind: ErrorKind,
    pub count: u64,
    pub services: Vec<String>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Reports per minute over the whole window.
    pub rate_per_minute: f64,
    /// Reports per [`TREND_BUCKETS`] equal parts ending with the window's last, oldest first.
    pub trend: Vec<u64>,
    pub origin: Option<CodeLocation>,
    pub example_trace_id: Option<TraceId>,
    pub example_message: String,
}

/// All groups, largest first, and the window they were counted over.
#[derive(Debug, Serialize)]
pub struct ErrorSummary {
    pub groups: Vec<GroupView>,
    pub window_start: Option<Timestamp>,
    pub window_end: Option<Timestamp>,
    /// Where the trend's first part starts; each part is `trend_bucket_seconds` long.
    pub trend_start: Option<Timestamp>,
    pub trend_bucket_seconds: f64,
    pub reports: u64,
    pub duplicates: u64,
    pub filtered_out: u64,
}

impl ErrorGroups {
    pub fn new(filter: Filter) -> ErrorGroups {
        ErrorGroups {
            filter,
            groups: HashMap::new(),
            bucket_micros: FIRST_BUCKET_MICROS,
            dedup: Dedup::default(),
            reports: 0,
            duplicates: 0,
            filtered_out: 0,
        }
    }

    pub fn add(&mut self, report: &Report) {
        if !self.dedup.first_time(report) {
            self.duplicates += 1;
            return;
        }
        if !self.filter.admits(report) {
            self.filtered_out += 1;
            return;
        }
        self.reports += 1;
        let group = self
            .groups
            .entry(Fingerprint::of(report))
            .or_insert_with(|| Group {
                type_name: report.type_name.clone(),
                kind: report.kind,
                count: 0,
                services: BTreeSet::new(),
                first_seen: None,
                last_seen: None,
                origin: None,
                example_trace_id: None,
                example_message: String::new(),
                buckets: BTreeMap::new(),
            });
        group.count += 1;
        if let Some(service) = &report.service {
            if !group.services.contains(service) {
                group.services.insert(service.clone());
            }
        }
        let newest = match (report.timestamp, group.last_seen) {
            (Some(at), Some(last)) => at >= last,
            (Some(_), None) => true,
            (None, last) => last.is_none(),
        };
        if newest {
            group.origin = report.origin();
            group.example_trace_id = report.trace_id;
            group.example_message.clone_from(&report.message);
        }
        if let Some(at) = report.timestamp {
            group.first_seen = Some(group.first_seen.map_or(at, |first| first.min(at)));
            group.last_seen = Some(group.last_seen.map_or(at, |last| last.max(at)));
            *group
                .buckets
                .entry(at.0.div_euclid(self.bucket_micros))
                .or_default() += 1;
            if group.buckets.len() > MAX_BUCKETS {
                self.widen_buckets();
            }
        }
    }

    /// Doubles every bucket's width, merging pairs, in every group.
    fn widen_buckets(&mut self) {
        self.bucket_micros *= 2;
        for group in self.groups.values_mut() {
            let mut merged = BTreeMap::new();
            for (bucket, count) in std::mem::take(&mut group.buckets) {
                *merged.entry(bucket.div_euclid(2)).or_default() += count;
            }
            group.buckets = merged;
        }
    }

    /// The groups, by count (then the most recent first), over the filter's window or else
    /// the span of the reports.
    pub fn finish(self) -> ErrorSummary {
        let seen_start = self
            .groups
            .values()
            .filter_map(|group| group.first_seen)
            .min();
        let seen_end = self
            .groups
            .values()
            .filter_map(|group| group.last_seen)
            .max();
        let window_start = self.filter.since.or(seen_start);
        let window_end = self.filter.until.or(seen_end);
        let window_micros = match (window_start, window_end) {
            (Some(start), Some(end)) => (end.0 - start.0).max(0),
            _ => 0,
        };
        let minutes = (window_micros as f64 / 60e6).max(1.0);
        // The trend's parts are whole buckets (a count is never split between two parts, nor
        // drawn finer than it was counted), enough of them per part that 23 parts cover the
        // window; the 24 parts end with the one the window ends in.
        let bucket_micros = self.bucket_micros;
        let per_part = (window_micros / (bucket_micros * (TREND_BUCKETS as i64 - 1)) + 1).max(1);
        let trend_micros = bucket_micros * per_part;
        let first_part =
            window_end.map(|end| end.0.div_euclid(trend_micros) - (TREND_BUCKETS as i64 - 1));
        let mut groups: Vec<GroupView> = self
            .groups
            .into_iter()
            .map(|(fingerprint, group)| {
                let mut trend = vec![0; TREND_BUCKETS];
                if let Some(first_part) = first_part {
                    for (bucket, count) in &group.buckets {
                        let part = (bucket * bucket_micros).div_euclid(trend_micros) - first_part;
                        trend[part.clamp(0, TREND_BUCKETS as i64 - 1) as usize] += count;
                    }
                }
                GroupView {
                    fingerprint,
                    type_name: group.type_name,
                    kind: group.kind,
                    count: group.count,
                    services: group.services.into_iter().collect(),
                    first_seen: group.first_seen,
                    last_seen: group.last_seen,
                    rate_per_minute: group.count as f64 / minutes,
                    trend,
                    origin: group.origin,
                    example_trace_id: group.example_trace_id,
                    example_message: group.example_message,
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.last_seen.cmp(&a.last_seen))
                .then(a.fingerprint.cmp(&b.fingerprint))
        });
        ErrorSummary {
            groups,
            window_start,
            window_end,
            trend_start: first_part.map(|part| Timestamp(part * trend_micros)),
            trend_bucket_seconds: trend_micros as f64 / 1e6,
            reports: self.reports,
            duplicates: self.duplicates,
            filtered_out: self.filtered_out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SpanId;
    use crate::model::Frame;

    fn report(type_name: &str, function: &str, second: i64, span: u64) -> Report {
        Report {
            timestamp: Some(Timestamp(second * 1_000_000)),
            service: Some(format!("svc-{}", span % 2)),
            trace_id: Some(TraceId(u128::from(span))),
            span_id: Some(SpanId(span)),
            type_name: type_name.to_owned(),
            message: format!("message {span}"),
            frames: vec![Frame {
                function: function.to_owned(),
                file: Some("src/a.rs".to_owned()),
                line: Some(span as u32),
                user: true,
                source: None,
            }],
            ..Report::default()
        }
    }

    #[test]
    fn groups_are_counted_sorted_and_deduplicated() {
        let mut groups = ErrorGroups::new(Filter::default());
        for span in 1..=5 {
            groups.add(&report("A", "a::f", span as i64 * 60, span));
        }
        groups.add(&report("B", "b::g", 30, 100));
        // The same report again (a log shipped twice): not counted twice.
        groups.add(&report("A", "a::f", 60, 1));
        let summary = groups.finish();
        assert_eq!(summary.duplicates, 1);
        assert_eq!(summary.reports, 6);
        assert_eq!(summary.groups.len(), 2);
        let first = &summary.groups[0];
        assert_eq!((first.type_name.as_str(), first.count), ("A", 5));
        assert_eq!(first.services, ["svc-0", "svc-1"]);
        assert_eq!(first.example_trace_id, Some(TraceId(5)));
        assert_eq!(first.origin.as_ref().unwrap().line, Some(5));
        assert_eq!(first.trend.iter().sum::<u64>(), 5);
        // 6 reports over 4.5 minutes.
        assert!((first.rate_per_minute - 5.0 / 4.5).abs() < 1e-9);
    }

    #[test]
    fn the_trend_is_drawn_in_whole_buckets_ending_with_the_last() {
        let mut groups = ErrorGroups::new(Filter::default());
        // Three reports within one second: one minute's bucket, the trend's last part.
        for span in 1..=3 {
            groups.add(&report("A", "a::f", 1_000, span));
        }
        let summary = groups.finish();
        assert_eq!(summary.trend_bucket_seconds, 60.0);
        assert_eq!(summary.groups[0].trend[TREND_BUCKETS - 1], 3);
        assert_eq!(summary.groups[0].trend.iter().sum::<u64>(), 3);
        let start = summary.trend_start.unwrap().0;
        assert_eq!(start % 60_000_000, 0);
        assert!(start <= 1_000_000_000 && 1_000_000_000 < start + 24 * 60_000_000);
        // Two hours: five-minute parts, the first report in the first part that has any.
        let mut groups = ErrorGroups::new(Filter::default());
        groups.add(&report("A", "a::f", 0, 1));
        groups.add(&report("A", "a::f", 7_200, 2));
        let summary = groups.finish();
        assert_eq!(summary.trend_bucket_seconds, 360.0);
        let trend = &summary.groups[0].trend;
        assert_eq!(
            (trend[TREND_BUCKETS - 1], trend.iter().sum::<u64>()),
            (1, 2)
        );
        let first = (0 - summary.trend_start.unwrap().0) / 360_000_000;
        assert_eq!(trend[first as usize], 1, "{trend:?}");
    }

    #[test]
    fn buckets_widen_instead_of_growing_without_bound() {
        let mut groups = ErrorGroups::new(Filter::default());
        // One report an hour for ten years: 87,600 distinct minutes.
        for hour in 0..87_600u64 {
            groups.add(&report("A", "a::f", hour as i64 * 3600, hour + 1));
        }
        assert!(groups
            .groups
            .values()
            .all(|g| g.buckets.len() <= MAX_BUCKETS));
        let summary = groups.finish();
        assert_eq!(summary.groups[0].trend.iter().sum::<u64>(), 87_600);
    }

    #[test]
    fn filters_apply() {
        let filter = Filter {
            type_name: Some("B".to_owned()),
            ..Filter::default()
        };
        let mut groups = ErrorGroups::new(filter);
        groups.add(&report("A", "a::f", 1, 1));
        groups.add(&report("x::B", "b::g", 2, 2));
        let summary = groups.finish();
        assert_eq!(summary.filtered_out, 1);
        assert_eq!(summary.groups.len(), 1);
    }
}
