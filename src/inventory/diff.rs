//! `ferret diff OLD NEW`: what changed between two inventories, per asset,
//! column and label, for the nightly run's "what is new since last night".
//!
//! A finding is identified by (asset id, column path, label). New and
//! removed findings are those present on one side only; a finding present on
//! both sides is *changed* when its sensitivity differs or its confidence
//! moved by more than [`CONFIDENCE_EPSILON`] (sampling alone moves
//! confidence a little from run to run; that is noise, not news). Only
//! masked evidence from the inventories is carried: never a raw value.

use super::{Inventory, sensitivity_rank};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Confidence moves smaller than this are not reported as changes.
pub const CONFIDENCE_EPSILON: f64 = 0.05;

/// One finding (a label on a column).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiffEntry {
    pub asset: String,
    pub column: String,
    pub label: String,
    pub sensitivity: String,
    pub confidence: f64,
    /// Masked examples, as in the inventory.
    pub evidence: Vec<String>,
}

/// A finding on both sides whose sensitivity or confidence changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub asset: String,
    pub column: String,
    pub label: String,
    pub old_sensitivity: String,
    pub new_sensitivity: String,
    pub old_confidence: f64,
    pub new_confidence: f64,
}

/// An asset error of the new inventory that the old one did not have.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewError {
    pub asset: String,
    pub object: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct DiffCounts {
    pub new_assets: usize,
    pub removed_assets: usize,
    pub new_findings: usize,
    pub removed_findings: usize,
    pub changed_findings: usize,
    pub new_errors: usize,
}

/// The difference between two inventories (serialised as `ferret diff --format json`).
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Diff {
    /// `scan.started_at` of the old and the new inventory.
    pub old_started_at: String,
    pub new_started_at: String,
    pub counts: DiffCounts,
    pub new_assets: Vec<String>,
    pub removed_assets: Vec<String>,
    pub new_findings: Vec<DiffEntry>,
    pub removed_findings: Vec<DiffEntry>,
    pub changed_findings: Vec<Change>,
    pub new_errors: Vec<NewError>,
}

type Key = (String, String, String);

fn findings(inv: &Inventory) -> BTreeMap<Key, DiffEntry> {
    let mut out = BTreeMap::new();
    for a in &inv.assets {
        for c in &a.columns {
            for l in &c.labels {
                out.insert(
                    (a.id.clone(), c.path.clone(), l.label.clone()),
                    DiffEntry {
                        asset: a.id.clone(),
                        column: c.path.clone(),
                        label: l.label.clone(),
                        sensitivity: l.sensitivity.clone(),
                        confidence: l.confidence,
                        evidence: l.evidence.clone(),
                    },
                );
            }
        }
    }
    out
}

/// Compares `old` with `new`.
pub fn diff(old: &Inventory, new: &Inventory) -> Diff {
    let old_ids: BTreeSet<&str> = old.assets.iter().map(|a| a.id.as_str()).collect();
    let new_ids: BTreeSet<&str> = new.assets.iter().map(|a| a.id.as_str()).collect();
    let before = findings(old);
    let after = findings(new);

    let mut d = Diff {
        old_started_at: old.scan.started_at.clone(),
        new_started_at: new.scan.started_at.clone(),
        new_assets: new_ids
            .difference(&old_ids)
            .map(|s| s.to_string())
            .collect(),
        removed_assets: old_ids
            .difference(&new_ids)
            .map(|s| s.to_string())
            .collect(),
        ..Diff::default()
    };
    for (key, entry) in &after {
        match before.get(key) {
            None => d.new_findings.push(entry.clone()),
            Some(was) => {
                if was.sensitivity != entry.sensitivity
                    || (was.confidence - entry.confidence).abs() > CONFIDENCE_EPSILON
                {
                    d.changed_findings.push(Change {
                        asset: entry.asset.clone(),
                        column: entry.column.clone(),
                        label: entry.label.clone(),
                        old_sensitivity: was.sensitivity.clone(),
                        new_sensitivity: entry.sensitivity.clone(),
                        old_confidence: was.confidence,
                        new_confidence: entry.confidence,
                    });
                }
            }
        }
    }
    d.removed_findings = before
        .iter()
        .filter(|(k, _)| !after.contains_key(*k))
        .map(|(_, e)| e.clone())
        .collect();

    let old_errors: BTreeSet<(&str, Option<&str>, &str)> = old
        .assets
        .iter()
        .flat_map(|a| {
            a.errors
                .iter()
                .map(move |e| (a.id.as_str(), e.object.as_deref(), e.code.as_str()))
        })
        .collect();
    for a in &new.assets {
        for e in &a.errors {
            if !old_errors.contains(&(a.id.as_str(), e.object.as_deref(), e.code.as_str())) {
                d.new_errors.push(NewError {
                    asset: a.id.clone(),
                    object: e.object.clone(),
                    code: e.code.clone(),
                    message: e.message.clone(),
                });
            }
        }
    }
    d.counts = DiffCounts {
        new_assets: d.new_assets.len(),
        removed_assets: d.removed_assets.len(),
        new_findings: d.new_findings.len(),
        removed_findings: d.removed_findings.len(),
        changed_findings: d.changed_findings.len(),
        new_errors: d.new_errors.len(),
    };
    d
}

impl Diff {
    /// Whether a new finding is at or above `rank` (see [`sensitivity_rank`]).
    pub fn has_new_at_or_above(&self, rank: u8) -> bool {
        self.new_findings
            .iter()
            .any(|f| sensitivity_rank(&f.sensitivity) >= rank)
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.counts == DiffCounts::default()
    }

    /// The report for people: one line per change, grouped.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let c = &self.counts;
        let _ = writeln!(
            s,
            "ferret diff: {} -> {}\n{} new finding(s), {} removed, {} changed; {} new asset(s), {} removed; {} new error(s)",
            self.old_started_at,
            self.new_started_at,
            c.new_findings,
            c.removed_findings,
            c.changed_findings,
            c.new_assets,
            c.removed_assets,
            c.new_errors
        );
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(s, "\n{title}:");
                for l in lines {
                    let _ = writeln!(s, "  {l}");
                }
            }
        };
        section(
            "New findings",
            self.new_findings
                .iter()
                .map(|f| {
                    format!(
                        "+ {:<18} {:<6} {:.2}  {}  {}",
                        f.label, f.sensitivity, f.confidence, f.asset, f.column
                    )
                })
                .collect(),
        );
        section(
            "Removed findings",
            self.removed_findings
                .iter()
                .map(|f| {
                    format!(
                        "- {:<18} {:<6} {:.2}  {}  {}",
                        f.label, f.sensitivity, f.confidence, f.asset, f.column
                    )
                })
                .collect(),
        );
        section(
            "Changed findings",
            self.changed_findings
                .iter()
                .map(|f| {
                    format!(
                        "~ {:<18} {} -> {}, {:.2} -> {:.2}  {}  {}",
                        f.label,
                        f.old_sensitivity,
                        f.new_sensitivity,
                        f.old_confidence,
                        f.new_confidence,
                        f.asset,
                        f.column
                    )
                })
                .collect(),
        );
        section(
            "New assets",
            self.new_assets.iter().map(|a| format!("+ {a}")).collect(),
        );
        section(
            "Removed assets",
            self.removed_assets
                .iter()
                .map(|a| format!("- {a}"))
                .collect(),
        );
        section(
            "New errors",
            self.new_errors
                .iter()
                .map(|e| format!("! {} {}: {}", e.code, e.asset, e.message))
                .collect(),
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testing::{self, column, inventory, label};
    use crate::inventory::{Asset, AssetError, LabelResult};

    /// An asset of columns given as (path, labels).
    fn asset(id: &str, columns: Vec<(&str, Vec<LabelResult>)>) -> Asset {
        let columns = columns
            .into_iter()
            .map(|(path, labels)| column(path, labels))
            .collect();
        testing::asset(id, columns)
    }

    #[test]
    fn finds_new_removed_changed_and_errors() {
        let old = inventory(vec![
            asset(
                "a",
                vec![
                    ("email", vec![label("EMAIL", "medium", 0.9)]),
                    ("ssn", vec![label("US_SSN", "high", 0.9)]),
                ],
            ),
            asset("gone", vec![("x", vec![label("PHONE", "medium", 0.8)])]),
        ]);
        let mut errored = asset(
            "b",
            vec![("card", vec![label("CREDIT_CARD", "high", 0.96)])],
        );
        errored.errors.push(AssetError {
            object: Some("b/1".into()),
            code: "corrupt_parquet".into(),
            message: "bad footer".into(),
        });
        let new = inventory(vec![
            asset(
                "a",
                vec![
                    // Within epsilon: not a change.
                    (
                        "email",
                        vec![label("EMAIL", "medium", 0.9 + CONFIDENCE_EPSILON / 2.0)],
                    ),
                    ("ssn", vec![label("US_SSN", "high", 0.5)]),
                ],
            ),
            errored,
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.new_assets, ["b"]);
        assert_eq!(d.removed_assets, ["gone"]);
        assert_eq!(d.new_findings.len(), 1);
        assert_eq!(d.new_findings[0].label, "CREDIT_CARD");
        assert_eq!(d.removed_findings.len(), 1);
        assert_eq!(d.removed_findings[0].label, "PHONE");
        assert_eq!(d.changed_findings.len(), 1);
        assert_eq!(d.changed_findings[0].label, "US_SSN");
        assert_eq!(d.new_errors.len(), 1);
        assert!(d.has_new_at_or_above(3));
        let text = d.to_text();
        assert!(
            text.contains("+ CREDIT_CARD") && text.contains("- PHONE") && text.contains("~ US_SSN"),
            "{text}"
        );
        assert!(diff(&new, &new).is_empty());
        // Backwards, the only new finding is PHONE (medium).
        let back = diff(&new, &old);
        assert!(back.has_new_at_or_above(2) && !back.has_new_at_or_above(3));
    }
}
