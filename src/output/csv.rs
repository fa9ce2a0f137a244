//! The one CSV writer: `scan --format csv` (every column, [`Rows::Every`])
//! and `export --to csv` (classified columns only, [`Rows::Classified`])
//! write the same columns in the same order, so a sheet built on one reads
//! the other.
//!
//! Every cell is guarded against formula injection: a spreadsheet runs a
//! cell starting with `=`, `+`, `-` or `@` as a formula, and asset ids,
//! column names and masked evidence come from the scanned data
//! (`+** *** *** 1234`). Machines reading the file undo it by dropping a
//! leading `'` before one of those characters.

use crate::inventory::{Asset, Column, Inventory, LabelResult};
use std::borrow::Cow;
use std::io::{self, Write};

/// The columns, most useful to a reviewer first. One row per column and
/// label; a column with no label has one row with the label cells empty
/// (in [`Rows::Every`] only).
pub const HEADER: &[&str] = &[
    "asset",
    "column",
    "label",
    "category",
    "sensitivity",
    "confidence",
    "scope",
    "hit_ratio",
    "match_count",
    "values_scanned",
    "evidence",
    "detectors",
    "asset_kind",
    "format",
    "source_type",
    "name_hints",
    "prevalence_upper_bound",
    "asset_errors",
];

/// Which columns get rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Every column, unclassified ones with empty label cells: the whole
    /// scan, for machines and for proving what was looked at.
    Every,
    /// Only classified columns: the findings, for people reviewing them.
    Classified,
}

/// Writes `inv` as CSV with [`HEADER`].
pub fn write(inv: &Inventory, rows: Rows, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for a in &inv.assets {
        for c in &a.columns {
            if c.labels.is_empty() && rows == Rows::Every {
                w.write_record(guarded(&row(a, c, None)))?;
            }
            for l in &c.labels {
                w.write_record(guarded(&row(a, c, Some(l))))?;
            }
        }
    }
    w.flush()
}

/// One row in [`HEADER`] order.
fn row(a: &Asset, c: &Column, l: Option<&LabelResult>) -> [String; 18] {
    let hints = c
        .name_hints
        .iter()
        .map(|h| h.label.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let label = |f: fn(&LabelResult) -> String| l.map(f).unwrap_or_default();
    [
        a.id.clone(),
        c.path.clone(),
        label(|l| l.label.clone()),
        label(|l| l.category.clone()),
        label(|l| l.sensitivity.clone()),
        label(|l| l.confidence.to_string()),
        label(|l| l.scope.clone()),
        label(|l| l.hit_ratio.to_string()),
        label(|l| l.match_count.to_string()),
        c.values_scanned.to_string(),
        label(|l| l.evidence.join(" | ")),
        label(|l| l.detectors.join(";")),
        a.kind.clone(),
        a.format.clone(),
        c.source_type.clone(),
        hints,
        c.prevalence_upper_bound
            .map(|b| b.to_string())
            .unwrap_or_default(),
        a.errors.len().to_string(),
    ]
}

fn guarded(cells: &[String]) -> impl Iterator<Item = Cow<'_, [u8]>> {
    cells.iter().map(|cell| match guard(cell) {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    })
}

/// Prefixes `'` to a cell a spreadsheet would evaluate (OWASP's CSV
/// injection advice; tab and carriage return start formulas in some too).
fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testing::{asset, column, inventory, label};

    #[test]
    fn formula_cells_are_quoted_and_others_kept() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+** *** 1234"), "'+** *** 1234");
        assert_eq!(guard("-1"), "'-1");
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("\tx"), "'\tx");
        assert_eq!(guard("j***@e******.com"), "j***@e******.com");
        assert_eq!(guard(""), "");
    }

    fn rows_of(inv: &Inventory, rows: Rows) -> Vec<Vec<String>> {
        let mut buf = Vec::new();
        write(inv, rows, &mut buf).expect("write to a Vec");
        let mut r = ::csv::Reader::from_reader(&buf[..]);
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, HEADER);
        r.records()
            .map(|rec| rec.expect("row").iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn every_lists_unclassified_columns_and_classified_only_findings() {
        let inv = inventory(vec![asset(
            "file:///d/=x.csv",
            vec![
                column(
                    "email",
                    vec![label("EMAIL", "medium", 0.9), label("PHONE", "medium", 0.6)],
                ),
                column("note", vec![]),
            ],
        )]);
        let every = rows_of(&inv, Rows::Every);
        let classified = rows_of(&inv, Rows::Classified);
        assert_eq!(every.len(), 3);
        assert_eq!(classified.len(), 2);
        // The same row for the same finding, whichever command wrote it.
        assert_eq!(&every[..2], &classified[..]);
        let r = &classified[0];
        assert_eq!(r[0], "file:///d/=x.csv");
        assert_eq!(
            (r[1].as_str(), r[2].as_str(), r[5].as_str()),
            ("email", "EMAIL", "0.9")
        );
        assert_eq!(r[10], "j***@e******.com");
        let note = &every[2];
        assert_eq!(note[1], "note");
        assert!(note[2..9].iter().all(String::is_empty), "{note:?}");
        assert_eq!(note[9], "1");
    }

    #[test]
    fn cells_from_the_data_are_guarded() {
        let mut l = label("PHONE", "medium", 0.9);
        l.evidence = vec!["+** *** 1234".into()];
        let inv = inventory(vec![asset(
            "=cmd|' /C calc'!A0",
            vec![column("@sum", vec![l])],
        )]);
        let r = &rows_of(&inv, Rows::Classified)[0];
        assert_eq!(r[0], "'=cmd|' /C calc'!A0");
        assert_eq!(r[1], "'@sum");
        assert_eq!(r[10], "'+** *** 1234");
    }
}
