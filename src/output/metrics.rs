//! `--metrics-file`: the scan's numbers as a Prometheus textfile (for
//! node_exporter's textfile collector or a Pushgateway), so a nightly scan
//! can be graphed and alerted on. Written atomically, as the collector may
//! read it at any moment. Labels carry taxonomy names only, never data.

use crate::inventory::Inventory;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Writes the metrics of `inv`. `success_unix` is when the scan finished
/// (seconds since the epoch): the file is written only by a scan that
/// completed, so its finish time is the last success.
pub fn write(inv: &Inventory, success_unix: f64, out: &mut dyn Write) -> io::Result<()> {
    let s = &inv.summary;
    let gauge = |out: &mut dyn Write, name: &str, help: &str, value: String| -> io::Result<()> {
        writeln!(out, "# HELP {name} {help}")?;
        writeln!(out, "# TYPE {name} gauge")?;
        writeln!(out, "{name} {value}")
    };
    gauge(
        out,
        "ferret_scan_duration_seconds",
        "Wall-clock duration of the scan.",
        format!("{:.3}", inv.scan.duration_ms as f64 / 1000.0),
    )?;
    gauge(
        out,
        "ferret_assets_scanned",
        "Assets (files, datasets, tables) in the inventory.",
        s.assets.to_string(),
    )?;
    gauge(
        out,
        "ferret_columns_scanned",
        "Columns in the inventory.",
        s.columns.to_string(),
    )?;
    gauge(
        out,
        "ferret_classified_columns",
        "Columns with at least one personal data label.",
        s.classified_columns.to_string(),
    )?;
    let mut findings: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut errors: u64 = 0;
    for a in &inv.assets {
        errors += a.errors.len() as u64;
        for c in &a.columns {
            for l in &c.labels {
                *findings.entry((&l.label, &l.sensitivity)).or_default() += 1;
            }
        }
    }
    writeln!(
        out,
        "# HELP ferret_findings Classified columns per personal data label and sensitivity."
    )?;
    writeln!(out, "# TYPE ferret_findings gauge")?;
    for ((label, sensitivity), n) in &findings {
        writeln!(
            out,
            "ferret_findings{{label=\"{}\",sensitivity=\"{}\"}} {n}",
            escape(label),
            escape(sensitivity)
        )?;
    }
    gauge(
        out,
        "ferret_asset_errors",
        "Errors met on assets (an asset can have several).",
        errors.to_string(),
    )?;
    gauge(
        out,
        "ferret_policy_violations",
        "Findings that break a policy rule of the config file.",
        inv.policy_violations.len().to_string(),
    )?;
    gauge(
        out,
        "ferret_last_success_timestamp_seconds",
        "When the last completed scan finished (seconds since the epoch).",
        format!("{success_unix:.3}"),
    )
}

/// Label values escape backslash, double quote and newline (exposition format).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_label_values() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
