//! What the commands compute from the model, independent of how it is shown: error groups,
//! failing traces, and one trace's story (its spans and its distributed traceback).

pub mod critical_path;
pub mod fingerprint;
pub mod gave_up;
pub mod groups;
pub mod link;
pub mod otlp_reports;
pub mod story;
pub mod traces;
pub mod waterfall;

use crate::ids::IdHashBuilder;
use crate::model::Report;
use crate::time::Timestamp;
use std::collections::HashSet;

/// `--service`, `--since`, `--until`, `--type`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub service: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// A type's full path (`shop::inventory::StockError`) or its last segments (`StockError`).
    pub type_name: Option<String>,
}

impl Filter {
    pub fn admits(&self, report: &Report) -> bool {
        if let Some(service) = &self.service {
            if report.service.as_deref() != Some(service.as_str()) {
                return false;
            }
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(at) = report.timestamp else {
                return false;
            };
            if self.since.is_some_and(|since| at < since)
                || self.until.is_some_and(|until| at > until)
            {
                return false;
            }
        }
        if let Some(wanted) = &self.type_name {
            let name = report.type_name.as_str();
            let matches = name == wanted
                || name
                    .strip_suffix(wanted.as_str())
                    .is_some_and(|path| path.ends_with("::"));
            if !matches {
                return false;
            }
        }
        true
    }
}

/// Remembers which reports were seen, so that a report read twice (two overlapping log
/// exports, a shipper's retry, the same file named twice) counts once. A report is one error
/// leaving one span, so its trace, span, time and type identify it; 8 bytes each.
#[derive(Clone, Debug, Default)]
pub struct Dedup {
    seen: HashSet<u64, IdHashBuilder>,
}

impl Dedup {
    /// True the first time `report` is seen.
    pub fn first_time(&mut self, report: &Report) -> bool {
        let mut hash = fingerprint::Fnv1a::new();
        match (report.trace_id, report.span_id) {
            (Some(trace), Some(span)) => {
                hash.write(&trace.0.to_le_bytes());
                hash.write(&span.0.to_le_bytes());
            }
            _ => {
                hash.write(report.service.as_deref().unwrap_or_default().as_bytes());
                hash.write(b"\0");
                hash.write(report.message.as_bytes());
            }
        }
        hash.write(&report.timestamp.map_or(i64::MIN, |at| at.0).to_le_bytes());
        hash.write(report.type_name.as_bytes());
        self.seen.insert(hash.finish())
    }
}
