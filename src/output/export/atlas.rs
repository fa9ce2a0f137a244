//! `--to atlas`: Apache Atlas (and Microsoft Purview, whose data map speaks
//! the Atlas v2 API) classification requests addressed by unique attributes,
//! so no GUID has to be looked up first.
//!
//! The document holds `typedefs` (one `POST /api/atlas/v2/types/typedefs`
//! body: a `ferret_PII` classification and one `ferret_<LABEL>` under it,
//! with confidence, sensitivity, category and hit-ratio attributes) and
//! `requests`: one `POST /api/atlas/v2/entity/uniqueAttribute/type/{type}/
//! classifications?attr:qualifiedName=...` per entity, its body the list of
//! that entity's classifications.
//!
//! Which entity: a database column is an `rdbms_column` (Atlas's RDBMS
//! model), qualifiedName `db.schema.table.column@cluster`, the
//! `name@namespace` convention of Atlas's own hooks (Hive:
//! `db.table.column@cluster`). Files and buckets have no column entities in
//! Atlas, so the classification goes on the path entity (`fs_path` for a
//! local file or folder, `aws_s3_v2_object` / `aws_s3_v2_directory` for S3,
//! qualifiedName `<url>@cluster`), one per label, with the columns that hold
//! it in its `columns` attribute. Purview names entities its own way
//! (`<table qualifiedName>#<column>`); docs/catalogs.md shows how to rewrite.

use super::{Engine, Location, Options, findings, label_defs, locate, safe_name};
use crate::inventory::Inventory;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Percent-encodes everything but unreserved characters (RFC 3986), for a
/// value inside a URL path segment or query.
pub(super) const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub const SUPER_TYPE: &str = "ferret_PII";

pub fn classification_name(label: &str) -> String {
    format!("ferret_{}", safe_name(label))
}

/// `(typeName, qualifiedName, column-level?)` of the entity an asset's
/// column classifications go on.
pub fn entity(
    asset: &crate::inventory::Asset,
    column: &str,
    cluster: &str,
) -> (String, String, bool) {
    match locate(asset) {
        Location::Table {
            engine,
            database,
            schema,
            table,
        } => {
            let schema = schema.unwrap_or_else(|| match engine {
                Engine::Sqlite => "main".into(),
                Engine::Postgres => "public".into(),
            });
            (
                "rdbms_column".into(),
                format!("{database}.{schema}.{table}.{column}@{cluster}"),
                true,
            )
        }
        Location::S3 { bucket, key } => {
            let ty = if asset.kind == "file" && !key.ends_with('/') {
                "aws_s3_v2_object"
            } else {
                "aws_s3_v2_directory"
            };
            (ty.into(), format!("s3a://{bucket}/{key}@{cluster}"), false)
        }
        Location::File { path } => ("fs_path".into(), format!("{path}@{cluster}"), false),
        Location::Other { scheme, rest } => (
            "DataSet".into(),
            format!("{scheme}://{rest}@{cluster}"),
            false,
        ),
    }
}

fn attr(name: &str, type_name: &str) -> Value {
    json!({
        "name": name,
        "typeName": type_name,
        "isOptional": true,
        "cardinality": "SINGLE",
        "isUnique": false,
        "isIndexable": true,
    })
}

pub(super) fn build(inv: &Inventory, opts: &Options) -> Value {
    let defs = label_defs(inv);
    let mut classification_defs = vec![json!({
        "category": "CLASSIFICATION",
        "name": SUPER_TYPE,
        "description": "Personal data detected by ferret.",
        "typeVersion": "1.0",
        "superTypes": [],
        "entityTypes": [],
        "attributeDefs": [
            attr("confidence", "float"),
            attr("hit_ratio", "float"),
            attr("sensitivity", "string"),
            attr("category", "string"),
            attr("columns", "string"),
        ],
    })];
    for (label, d) in &defs {
        classification_defs.push(json!({
            "category": "CLASSIFICATION",
            "name": classification_name(label),
            "description": format!(
                "{label}: personal data of category {}, sensitivity {}, as detected by ferret.",
                d.category, d.sensitivity
            ),
            "typeVersion": "1.0",
            "superTypes": [SUPER_TYPE],
            "entityTypes": [],
            "attributeDefs": [],
        }));
    }

    // (type, qualifiedName) -> (asset, column if column-level, label -> classification)
    type Entity = (String, Option<String>, BTreeMap<String, Value>);
    let mut entities: BTreeMap<(String, String), Entity> = BTreeMap::new();
    for f in findings(inv) {
        let (ty, qn, column_level) = entity(f.asset, &f.column.path, &opts.cluster);
        let e = entities.entry((ty, qn)).or_insert_with(|| {
            (
                f.asset.id.clone(),
                column_level.then(|| f.column.path.clone()),
                BTreeMap::new(),
            )
        });
        let l = f.label;
        let c = e.2.entry(l.label.clone()).or_insert_with(|| {
            json!({
                "typeName": classification_name(&l.label),
                "attributes": {
                    "confidence": l.confidence,
                    "hit_ratio": l.hit_ratio,
                    "sensitivity": l.sensitivity,
                    "category": l.category,
                    "columns": "",
                },
                "propagate": false,
            })
        });
        // Path entities: one classification per label, naming its columns
        // (Atlas allows a classification type once per entity).
        if let Some(attrs) = c.get_mut("attributes").and_then(Value::as_object_mut) {
            let cols = attrs
                .get("columns")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let cols = if cols.is_empty() {
                f.column.path.clone()
            } else {
                format!("{cols},{}", f.column.path)
            };
            attrs.insert("columns".into(), cols.into());
            let best = attrs
                .get("confidence")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            if l.confidence > best {
                attrs.insert("confidence".into(), l.confidence.into());
                attrs.insert("hit_ratio".into(), l.hit_ratio.into());
            }
        }
    }
    let requests: Vec<Value> = entities
        .into_iter()
        .map(|((ty, qn), (asset, column, classes))| {
            json!({
                "asset": asset,
                "column": column,
                "typeName": ty,
                "qualifiedName": qn,
                "method": "POST",
                "path": format!(
                    "/api/atlas/v2/entity/uniqueAttribute/type/{ty}/classifications?attr:qualifiedName={}",
                    utf8_percent_encode(&qn, QUERY)
                ),
                "body": classes.into_values().collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "typedefs": {
            "method": "POST",
            "path": "/api/atlas/v2/types/typedefs",
            "body": {"classificationDefs": classification_defs},
        },
        "requests": requests,
    })
}
