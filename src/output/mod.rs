//! Writers of the inventory. Each format is one function over an
//! [`Inventory`]; files are written atomically (temp file + rename), so a
//! crash never leaves half an inventory where a cron job expects a whole one.

pub mod csv;
pub mod export;
pub mod findings;
pub mod html;
pub mod metrics;

use crate::inventory::Inventory;
use std::io::{self, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
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

/// Writes what `fill` produces to `path` atomically: a temp file beside it,
/// flushed and synced, then a rename. Readers (a cron job, a catalog
/// ingestion) see the old file or the whole new one, never half of one; if
/// `fill` fails, the temp file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // `-o /dev/null` or a named pipe: write into it. Renaming a temporary
    // file over it would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut out)?;
        return out.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf)?;
        buf.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

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
