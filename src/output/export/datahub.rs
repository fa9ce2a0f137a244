//! `--to datahub`: a JSON array of metadata change proposals (MCPs) in the
//! serialized form DataHub's `file` ingestion source reads
//! (`datahub ingest -c recipe.yml` with `source.type: file`).
//!
//! Classifications are attached as **PATCH** proposals on
//! `editableSchemaMetadata`, one JSON-patch `add` per field and tag / term
//! (the paths DataHub's own `DatasetPatchBuilder.for_field().add_tag()`
//! writes): a re-import adds what is new and never wipes tags, terms or
//! descriptions people edited in the UI, which an UPSERT of the whole aspect
//! would. The tag, glossary node and glossary term definitions come first
//! (UPSERTs of their own entities, which only ferret writes). Lineage hints
//! become additive `upstreamLineage` patches, marked as ferret's hints in the
//! edge's properties (kind, strength) so nobody mistakes them for parsed SQL.

use super::{Engine, Location, Options, findings, label_defs, locate, safe_name};
use crate::inventory::{Asset, Inventory};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The glossary node ferret's terms live under.
pub const GLOSSARY_NODE: &str = "urn:li:glossaryNode:ferret";

pub fn tag_urn(label: &str) -> String {
    format!("urn:li:tag:ferret.{}", safe_name(label))
}

pub fn term_urn(label: &str) -> String {
    format!("urn:li:glossaryTerm:ferret.{}", safe_name(label))
}

/// `(platform, dataset name)` as DataHub's own sources name the asset:
/// `postgres` `db.schema.table`; `sqlite` `file-stem.table`; `s3`
/// `bucket/prefix` (no scheme, no trailing slash); `file` the absolute path.
pub fn platform_and_name(asset: &Asset) -> (String, String) {
    let trim = |s: &str| s.trim_end_matches('/').to_string();
    match locate(asset) {
        Location::Table {
            engine,
            database,
            schema,
            table,
        } => {
            let platform = match engine {
                Engine::Postgres => "postgres",
                Engine::Sqlite => "sqlite",
            };
            let name = match schema {
                Some(s) => format!("{database}.{s}.{table}"),
                None => format!("{database}.{table}"),
            };
            (platform.into(), name)
        }
        Location::S3 { bucket, key } => ("s3".into(), trim(&format!("{bucket}/{key}"))),
        Location::File { path } => ("file".into(), trim(&path)),
        Location::Other { scheme, rest } => (scheme, trim(&rest)),
    }
}

/// `urn:li:dataset:(urn:li:dataPlatform:postgres,app.public.users,PROD)`.
pub fn dataset_urn(asset: &Asset, opts: &Options) -> String {
    let (platform, name) = platform_and_name(asset);
    let name = match &opts.platform_instance {
        Some(i) => format!("{i}.{name}"),
        None => name,
    };
    format!(
        "urn:li:dataset:(urn:li:dataPlatform:{platform},{name},{})",
        opts.env
    )
}

/// JSON pointer escaping (RFC 6901), as DataHub's patch builder quotes keys.
pub fn quote(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// An MCP as the file source reads it: the aspect is a JSON string with its
/// content type (`application/json` for UPSERT, JSON patch for PATCH).
fn mcp(entity_type: &str, urn: &str, change: &str, aspect_name: &str, aspect: &Value) -> Value {
    let content_type = if change == "PATCH" {
        "application/json-patch+json"
    } else {
        "application/json"
    };
    json!({
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": change,
        "aspectName": aspect_name,
        "aspect": {"value": aspect.to_string(), "contentType": content_type},
    })
}

pub(super) fn build(inv: &Inventory, opts: &Options) -> Value {
    let mut out = Vec::new();
    let defs = label_defs(inv);
    if !defs.is_empty() {
        out.push(mcp(
            "glossaryNode",
            GLOSSARY_NODE,
            "UPSERT",
            "glossaryNodeInfo",
            &json!({
                "name": "Personal data (ferret)",
                "definition": "Kinds of personal data ferret detects. Terms are attached by \
                               `ferret export --to datahub`; confirm or remove them per column.",
            }),
        ));
    }
    for (label, d) in &defs {
        let what = format!(
            "{label}: personal data of category {}, sensitivity {}, as detected by ferret",
            d.category, d.sensitivity
        );
        out.push(mcp(
            "tag",
            &tag_urn(label),
            "UPSERT",
            "tagProperties",
            &json!({"name": format!("ferret.{}", safe_name(label)), "description": what}),
        ));
        out.push(mcp(
            "glossaryTerm",
            &term_urn(label),
            "UPSERT",
            "glossaryTermInfo",
            &json!({
                "name": label,
                "definition": what,
                "termSource": "INTERNAL",
                "parentNode": GLOSSARY_NODE,
                "customProperties": {"category": d.category, "sensitivity": d.sensitivity},
            }),
        ));
    }

    // One editableSchemaMetadata patch per dataset, in inventory order.
    let mut patches: Vec<(String, Vec<Value>)> = Vec::new();
    for f in findings(inv) {
        let urn = dataset_urn(f.asset, opts);
        if patches.last().is_none_or(|(u, _)| *u != urn) {
            patches.push((urn, Vec::new()));
        }
        let Some((_, ops)) = patches.last_mut() else {
            continue;
        };
        let field = quote(&f.column.path);
        let l = f.label;
        let context = format!(
            "ferret: confidence {}, {} of {} values ({}), sensitivity {}",
            l.confidence, l.match_count, f.column.values_scanned, l.scope, l.sensitivity
        );
        let tag = tag_urn(&l.label);
        let term = term_urn(&l.label);
        ops.push(json!({
            "op": "add",
            "path": format!("/editableSchemaFieldInfo/{field}/globalTags/tags/{}", quote(&tag)),
            "value": {"tag": tag, "context": context},
        }));
        ops.push(json!({
            "op": "add",
            "path": format!("/editableSchemaFieldInfo/{field}/glossaryTerms/terms/{}", quote(&term)),
            "value": {"urn": term, "context": context},
        }));
    }
    for (urn, ops) in patches {
        out.push(mcp(
            "dataset",
            &urn,
            "PATCH",
            "editableSchemaMetadata",
            &Value::Array(ops),
        ));
    }
    out.extend(lineage(inv, opts));
    Value::Array(out)
}

/// Lineage hints as `upstreamLineage` patches on the downstream (`to`)
/// dataset: a dataset-level upstream (strongest hint per pair) and a
/// fine-grained column edge with the strength as its confidence score.
fn lineage(inv: &Inventory, opts: &Options) -> Vec<Value> {
    let by_id: BTreeMap<&str, &Asset> = inv.assets.iter().map(|a| (a.id.as_str(), a)).collect();
    // downstream urn -> (upstream urn -> (strength, kind)), (field pair -> strength)
    type Edges = (
        BTreeMap<String, (f64, String)>,
        BTreeMap<(String, String), f64>,
    );
    let mut per_down: BTreeMap<String, Edges> = BTreeMap::new();
    for h in &inv.lineage_hints {
        let (Some(from), Some(to)) = (
            by_id.get(h.from.asset.as_str()),
            by_id.get(h.to.asset.as_str()),
        ) else {
            continue; // a hint about an asset not in this inventory: nothing to name
        };
        let up = dataset_urn(from, opts);
        let down = dataset_urn(to, opts);
        let strength = if h.strength.is_finite() {
            h.strength.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let e = per_down.entry(down.clone()).or_default();
        if up != down {
            let slot = e.0.entry(up.clone()).or_insert((-1.0, String::new()));
            if strength > slot.0 {
                *slot = (strength, h.kind.clone());
            }
        }
        let key = (
            format!("urn:li:schemaField:({down},{})", h.to.path),
            format!("urn:li:schemaField:({up},{})", h.from.path),
        );
        let s = e.1.entry(key).or_insert(-1.0);
        *s = s.max(strength);
    }
    per_down
        .into_iter()
        .map(|(down, (ups, fields))| {
            let mut ops = Vec::new();
            for (up, (strength, kind)) in ups {
                let lineage_type = match kind.as_str() {
                    "declared" => "VIEW",
                    "derived" => "TRANSFORMED",
                    _ => "COPY",
                };
                ops.push(json!({
                    "op": "add",
                    "path": format!("/upstreams/{}", quote(&up)),
                    "value": {
                        "auditStamp": {"time": 0, "actor": "urn:li:corpuser:datahub"},
                        "dataset": up,
                        "type": lineage_type,
                        "properties": {
                            "source": "ferret lineage hint",
                            "ferret.kind": kind,
                            "ferret.strength": strength.to_string(),
                        },
                    },
                }));
            }
            for ((down_field, up_field), strength) in fields {
                ops.push(json!({
                    "op": "add",
                    "path": format!(
                        "/fineGrainedLineages/NONE/{}/NONE/{}",
                        quote(&down_field),
                        quote(&up_field)
                    ),
                    "value": {"confidenceScore": strength},
                }));
            }
            mcp(
                "dataset",
                &down,
                "PATCH",
                "upstreamLineage",
                &Value::Array(ops),
            )
        })
        .collect()
}
