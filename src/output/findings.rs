//! `--findings-jsonl`: one JSON object per line per finding (a label on a
//! column), flat and self-contained, for log pipelines (Loki, Elasticsearch,
//! Splunk) that index lines, not documents. Evidence is the inventory's
//! masked evidence; nothing else from the data is written.

use crate::inventory::Inventory;
use std::io::{self, Write};

pub fn write(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let scan_id = inv.scan.scan_id();
    for a in &inv.assets {
        for c in &a.columns {
            for l in &c.labels {
                let line = serde_json::json!({
                    "record": "finding",
                    "scan_id": scan_id,
                    "scan_started_at": inv.scan.started_at,
                    "scan_finished_at": inv.scan.finished_at,
                    "asset": a.id,
                    "asset_kind": a.kind,
                    "column": c.path,
                    "label": l.label,
                    "category": l.category,
                    "sensitivity": l.sensitivity,
                    "confidence": l.confidence,
                    "scope": l.scope,
                    "hit_ratio": l.hit_ratio,
                    "evidence": l.evidence,
                    "allowed_by": l.allowed_by,
                });
                serde_json::to_writer(&mut *out, &line)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}
