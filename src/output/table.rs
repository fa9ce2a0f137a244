//! A short table for a person at a terminal: one row per classified column
//! (asset, column, labels, confidence, masked evidence) and a one-line
//! summary. `ferret scan` prints it instead of the JSON inventory when
//! stdout is a terminal and no format or file was asked for; piped output
//! stays the JSON inventory.

use crate::inventory::Inventory;
use std::io::{self, Write};

/// Widest an asset or column cell gets before it is shortened in the middle.
const MAX_ASSET: usize = 48;
const MAX_COLUMN: usize = 28;
const MAX_LABELS: usize = 32;

/// Writes the table; `cwd` (a `file://` prefix) is dropped from local asset
/// ids so they read as the paths the user typed.
pub fn write(inv: &Inventory, cwd: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<[String; 5]> = Vec::new();
    for asset in &inv.assets {
        let id = short_id(&asset.id, cwd);
        for col in &asset.columns {
            if col.labels.is_empty() {
                continue;
            }
            let top = &col.labels[0];
            rows.push([
                clip(&id, MAX_ASSET),
                clip(&col.path, MAX_COLUMN),
                label_list(col.labels.iter().map(|l| l.label.as_str())),
                format!("{:.2}", top.confidence),
                top.evidence.first().cloned().unwrap_or_default(),
            ]);
        }
    }
    let header = ["ASSET", "COLUMN", "LABELS", "CONF", "EVIDENCE (masked)"];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 5], out: &mut dyn Write| -> io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    if rows.is_empty() {
        writeln!(out, "No personal data found.")?;
    } else {
        line(&header.map(String::from), out)?;
        for r in &rows {
            line(r, out)?;
        }
    }
    let s = &inv.summary;
    writeln!(out)?;
    writeln!(
        out,
        "{} classified of {} columns in {} assets; {} with errors; highest sensitivity: {}.",
        s.classified_columns,
        s.columns,
        s.assets,
        s.assets_with_errors,
        s.max_sensitivity.as_deref().unwrap_or("none"),
    )?;
    writeln!(
        out,
        "For the JSON inventory: --format json (or -o FILE); an HTML report: --format html -o report.html."
    )
}

/// Labels joined while they fit; the rest counted (`EMAIL,PHONE +2`).
fn label_list<'a>(labels: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = labels.collect();
    let mut out = String::new();
    for (i, label) in all.iter().enumerate() {
        let more = all.len() - i;
        if !out.is_empty() && out.len() + label.len() + 1 > MAX_LABELS {
            out.push_str(&format!(" +{more}"));
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(label);
    }
    out
}

/// Local ids relative to the working folder, as the user typed them.
fn short_id(id: &str, cwd: Option<&str>) -> String {
    let (scheme, path) = if let Some(p) = id.strip_prefix("file://") {
        ("", p)
    } else if let Some(p) = id.strip_prefix("sqlite://") {
        ("sqlite:", p)
    } else {
        return id.to_string();
    };
    match cwd.and_then(|c| path.strip_prefix(c)) {
        Some(rest) if rest.starts_with('/') => format!("{scheme}{}", &rest[1..]),
        _ => id.to_string(),
    }
}

/// Shortens `text` to `max` characters, keeping both ends (the start names
/// the place, the end the file or column).
fn clip(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let head: String = text.chars().take(keep / 2).collect();
    let tail: String = text.chars().skip(n - (keep - keep / 2)).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_keep_both_ends() {
        assert_eq!(clip("abcdefghij", 5), "ab…ij");
        assert_eq!(clip("short", 10), "short");
    }

    #[test]
    fn local_ids_lose_the_working_folder() {
        assert_eq!(
            short_id("file:///home/me/data/a.csv", Some("/home/me")),
            "data/a.csv"
        );
        assert_eq!(short_id("s3://b/k", Some("/home/me")), "s3://b/k");
        assert_eq!(
            short_id("sqlite:///home/me/app.db/users", Some("/home/me")),
            "sqlite:app.db/users"
        );
        assert_eq!(
            short_id("file:///home/meow/a", Some("/home/me")),
            "file:///home/meow/a"
        );
    }

    #[test]
    fn labels_that_do_not_fit_are_counted() {
        let many = ["JWT", "AWS_ACCESS_KEY", "EMAIL", "IP_ADDRESS", "PHONE"];
        assert_eq!(label_list(many.into_iter()), "JWT,AWS_ACCESS_KEY,EMAIL +2");
        assert_eq!(label_list(["EMAIL"].into_iter()), "EMAIL");
    }
}
