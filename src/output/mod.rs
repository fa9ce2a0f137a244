//! Writers of the inventory. Each format is one function over an
//! [`Inventory`]; files are written atomically (temp file + rename), so a
//! crash never leaves half an inventory where a cron job expects a whole one.

pub mod csv;
pub mod export;
pub mod findings;
pub mod html;
pub mod metrics;
pub mod table;

use crate::inventory::Inventory;
use std::io::{self, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// One JSON document (the inventory; see schema/inventory.v1.schema.json).
    Json,
    /// JSON Lines: a header line (schema_version, scan, summary), then one line per asset.
    Jsonl,
    /// One row per column and label, every column (see [`csv`]).
    Csv,
    /// A self-contained HTML report for people (the same as `ferret report`).
    Html,
}

impl OutputFormat {
    /// Every format with its name and a one-line description, for command
    /// lines and config checks (outputs know nothing of argument parsers).
    pub const ALL: [(OutputFormat, &'static str, &'static str); 4] = [
        (
            OutputFormat::Json,
            "json",
            "one JSON document (the inventory)",
        ),
        (
            OutputFormat::Jsonl,
            "jsonl",
            "JSON Lines: a header line, then one line per asset",
        ),
        (
            OutputFormat::Csv,
            "csv",
            "one row per column and label, every column",
        ),
        (
            OutputFormat::Html,
            "html",
            "a self-contained HTML report for people",
        ),
    ];

    /// The format named `name` (`json`, `jsonl`, `csv`, `html`).
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(f, _, _)| *f)
    }
}

/// Writes `inv` in `format` to `out`.
pub fn write(inv: &Inventory, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, inv)?;
            writeln!(out)
        }
        OutputFormat::Jsonl => write_jsonl(inv, out),
        OutputFormat::Csv => csv::write(inv, csv::Rows::Every, out),
        OutputFormat::Html => html::write_html(inv, out),
    }
}

/// Writes `inv` in `format` to `path` atomically (see [`write_atomically`]).
pub fn write_file(inv: &Inventory, format: OutputFormat, path: &Path) -> io::Result<()> {
    write_atomically(path, |out| write(inv, format, out))
}

pub use crate::atomic::write_atomically;

fn write_jsonl(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let header = serde_json::json!({
        "record": "scan",
        "schema_version": inv.schema_version,
        "scan": inv.scan,
        "summary": inv.summary,
    });
    serde_json::to_writer(&mut *out, &header)?;
    writeln!(out)?;
    for asset in &inv.assets {
        let mut v = serde_json::to_value(asset)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("record".into(), "asset".into());
        }
        serde_json::to_writer(&mut *out, &v)?;
        writeln!(out)?;
    }
    for s in &inv.skipped {
        let mut v = serde_json::to_value(s)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("record".into(), "skipped".into());
        }
        serde_json::to_writer(&mut *out, &v)?;
        writeln!(out)?;
    }
    Ok(())
}
