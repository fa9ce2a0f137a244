//! `--to csv`: one row per classified column and label, for the people who
//! review findings in a spreadsheet. Unlike `scan --format csv` (every
//! column, for machines), only classified columns appear, and every cell is
//! guarded against formula injection: a spreadsheet runs a cell starting
//! with `=`, `+`, `-` or `@` as a formula, and asset ids, column names and
//! masked evidence come from the scanned data (`+** *** *** 1234`).

use super::findings;
use crate::inventory::Inventory;
use std::io::{self, Write};

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
];

pub(super) fn write(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for f in findings(inv) {
        let l = f.label;
        let row = [
            f.asset.id.clone(),
            f.column.path.clone(),
            l.label.clone(),
            l.category.clone(),
            l.sensitivity.clone(),
            l.confidence.to_string(),
            l.scope.clone(),
            l.hit_ratio.to_string(),
            l.match_count.to_string(),
            f.column.values_scanned.to_string(),
            l.evidence.join(" | "),
            l.detectors.join(";"),
        ];
        w.write_record(row.iter().map(|c| guard(c).into_owned()))?;
    }
    w.flush()
}

/// Prefixes `'` to a cell a spreadsheet would evaluate (OWASP's CSV
/// injection advice; tab and carriage return start formulas in some too).
fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn formula_cells_are_quoted_and_others_kept() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+** *** 1234"), "'+** *** 1234");
        assert_eq!(guard("-1"), "'-1");
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("j***@e******.com"), "j***@e******.com");
        assert_eq!(guard(""), "");
    }
}
