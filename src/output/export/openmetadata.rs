//! `--to openmetadata`: the requests that put ferret's classifications on
//! OpenMetadata table columns, as one JSON document a short script (or the
//! curl loop in docs/catalogs.md) replays against the REST API:
//!
//! 1. `classifications`: `PUT /api/v1/classifications` bodies (the `Ferret`
//!    classification; `PII` is built into OpenMetadata);
//! 2. `tags`: `PUT /api/v1/tags` bodies, one `Ferret.<LABEL>` per label;
//! 3. `tables`: one `PATCH /api/v1/tables/name/{fqn}` JSON patch per table.
//!
//! Column tags are [`TagLabel`]s with `labelType: Automated` and
//! `state: Suggested`, so an owner confirms them, plus `PII.Sensitive` (or
//! `PII.NonSensitive` for low-sensitivity labels, once per column: `PII` is
//! mutually exclusive). OpenMetadata's JSON patches address columns by
//! position; each column's ops start with a `test` of the column's name at
//! that position, so if the catalog's column order differs from what ferret
//! saw, the whole patch is refused instead of tagging the wrong column.
//!
//! OpenMetadata holds files and buckets as storage *containers*, whose
//! names depend on how the storage service was configured; those assets are
//! listed under `skipped` with the reason, not guessed.
//!
//! [`TagLabel`]: https://open-metadata.org/schema/type/tagLabel.json

use super::{Location, Options, findings, label_defs, locate, safe_name, top_level};
use crate::inventory::{Inventory, sensitivity_rank};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The classification ferret's tags live under.
pub const CLASSIFICATION: &str = "Ferret";

/// One FQN part, quoted the way OpenMetadata quotes names containing dots.
fn fqn_part(s: &str) -> String {
    if s.contains('.') {
        format!("\"{}\"", s.replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

/// `service.database.schema.table` (SQLite: the file's stem, schema `main`).
pub fn table_fqn(service: &str, database: &str, schema: Option<&str>, table: &str) -> String {
    [service, database, schema.unwrap_or("main"), table]
        .iter()
        .map(|p| fqn_part(p))
        .collect::<Vec<_>>()
        .join(".")
}

fn tag_label(fqn: String, description: &str) -> Value {
    json!({
        "tagFQN": fqn,
        "description": description,
        "source": "Classification",
        "labelType": "Automated",
        "state": "Suggested",
    })
}

pub(super) fn build(inv: &Inventory, opts: &Options) -> Value {
    let defs = label_defs(inv);
    let tags: Vec<Value> = defs
        .iter()
        .map(|(label, d)| {
            json!({
                "method": "PUT",
                "path": "/api/v1/tags",
                "body": {
                    "classification": CLASSIFICATION,
                    "name": safe_name(label),
                    "description": format!(
                        "{label}: personal data of category {}, sensitivity {}, as detected by ferret.",
                        d.category, d.sensitivity
                    ),
                },
            })
        })
        .collect();

    // table fqn -> (asset id, column position -> (column name, tag FQN -> description))
    type Columns = BTreeMap<usize, (String, BTreeMap<String, String>)>;
    let mut tables: Vec<(String, String, Columns)> = Vec::new();
    let mut skipped: BTreeMap<String, &str> = BTreeMap::new();
    for f in findings(inv) {
        let Location::Table {
            database,
            schema,
            table,
            ..
        } = locate(f.asset)
        else {
            skipped.insert(
                f.asset.id.clone(),
                "not a database table: OpenMetadata keeps files and buckets as storage \
                 containers named by the storage service's configuration",
            );
            continue;
        };
        let fqn = table_fqn(&opts.service, &database, schema.as_deref(), &table);
        if tables.last().is_none_or(|(t, _, _)| *t != fqn) {
            tables.push((fqn, f.asset.id.clone(), BTreeMap::new()));
        }
        let Some((_, _, columns)) = tables.last_mut() else {
            continue;
        };
        // The position among the table's own columns (flattened json paths
        // belong to their column).
        let name = top_level(&f.column.path);
        let mut seen: Vec<&str> = Vec::new();
        for c in &f.asset.columns {
            let t = top_level(&c.path);
            if !seen.contains(&t) {
                seen.push(t);
            }
        }
        let Some(pos) = seen.iter().position(|t| *t == name) else {
            continue;
        };
        let l = f.label;
        let entry = columns
            .entry(pos)
            .or_insert_with(|| (name.to_string(), BTreeMap::new()));
        entry.1.insert(
            format!("{CLASSIFICATION}.{}", safe_name(&l.label)),
            format!(
                "ferret: {} (confidence {}, {} of {} values, {})",
                l.label, l.confidence, l.match_count, f.column.values_scanned, l.scope
            ),
        );
        let pii = if sensitivity_rank(&l.sensitivity) >= 2 {
            "PII.Sensitive"
        } else {
            "PII.NonSensitive"
        };
        // Sensitive wins over NonSensitive: PII is mutually exclusive.
        if pii == "PII.Sensitive" {
            entry.1.remove("PII.NonSensitive");
            entry
                .1
                .insert(pii.into(), "ferret: sensitive personal data".into());
        } else if !entry.1.contains_key("PII.Sensitive") {
            entry.1.insert(pii.into(), "ferret: personal data".into());
        }
    }

    let patches: Vec<Value> = tables
        .into_iter()
        .map(|(fqn, asset, columns)| {
            let mut ops = Vec::new();
            for (pos, (name, tags)) in columns {
                ops.push(json!({"op": "test", "path": format!("/columns/{pos}/name"), "value": name}));
                for (tag, description) in tags {
                    ops.push(json!({
                        "op": "add",
                        "path": format!("/columns/{pos}/tags/-"),
                        "value": tag_label(tag, &description),
                    }));
                }
            }
            json!({
                "asset": asset,
                "fqn": fqn,
                "method": "PATCH",
                "path": format!("/api/v1/tables/name/{}", percent_encoding::utf8_percent_encode(&fqn, super::atlas::QUERY)),
                "contentType": "application/json-patch+json",
                "body": ops,
            })
        })
        .collect();

    json!({
        "classifications": [{
            "method": "PUT",
            "path": "/api/v1/classifications",
            "body": {
                "name": CLASSIFICATION,
                "description": "Kinds of personal data detected by ferret (suggested on columns; confirm or remove them).",
                "mutuallyExclusive": false,
            },
        }],
        "tags": tags,
        "tables": patches,
        "skipped": skipped
            .into_iter()
            .map(|(asset, reason)| json!({"asset": asset, "reason": reason}))
            .collect::<Vec<_>>(),
    })
}
