//! `ferret export`: every catalog export of the demo inventory (plus
//! synthetic PostgreSQL and S3 assets and lineage hints, built here rather
//! than by starting servers) is checked against a vendored schema or the
//! catalog's documented shape, and every classified column of the
//! inventory must appear exactly once per label. Expectations are computed
//! from the inventory, never copied from an export.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PG_ID: &str = "postgres://db.internal:5432/app/public.customers";
const S3_ID: &str = "s3://lake/exports/customers/";
const FORMULA_COLUMN: &str = "=HYPERLINK(\"http://x\")";

/// The demo scan's inventory, scanned once per test binary.
fn demo_inventory() -> &'static Value {
    static INV: OnceLock<Value> = OnceLock::new();
    INV.get_or_init(|| {
        let (code, inv, stderr) = scan_json(&[demo().to_str().expect("utf-8 path")]);
        assert_eq!(code, 0, "demo scan: {stderr}");
        inv
    })
}

fn find_asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["id"].as_str().is_some_and(|id| id.ends_with(suffix)))
        })
        .unwrap_or_else(|| panic!("no asset ending in {suffix}"))
}

fn classified_column(inv: &Value) -> Value {
    find_asset(inv, "crm.db/accounts")["columns"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["path"] == "contact_email"))
        .cloned()
        .expect("accounts.contact_email")
}

/// `template` renamed to `path` and relabelled.
fn column(template: &Value, path: &str, label: &str, category: &str, sensitivity: &str) -> Value {
    let mut c = template.clone();
    c["path"] = json!(path);
    c["labels"][0]["label"] = json!(label);
    c["labels"][0]["category"] = json!(category);
    c["labels"][0]["sensitivity"] = json!(sensitivity);
    c
}

/// The demo inventory plus a PostgreSQL table (with flattened jsonb paths and
/// a column whose name and evidence look like spreadsheet formulas), an S3
/// dataset, and lineage hints between them.
fn inventory() -> Value {
    let mut inv = demo_inventory().clone();
    let email = classified_column(&inv);
    let mut unclassified = find_asset(&inv, "crm.db/accounts")["columns"][0].clone();
    unclassified["path"] = json!("id");
    let mut formula = column(&email, FORMULA_COLUMN, "EMAIL", "contact", "medium");
    formula["labels"][0]["evidence"] = json!(["+** *** 1234", "=1+2", "@x", "-5"]);

    let mut pg = find_asset(&inv, "crm.db/accounts").clone();
    pg["id"] = json!(PG_ID);
    pg["format"] = json!("postgresql");
    pg["table"]["engine"] = json!("postgresql");
    pg["table"]["database"] = json!("app");
    pg["table"]["schema"] = json!("public");
    pg["table"]["name"] = json!("customers");
    pg["columns"] = json!([
        unclassified,
        column(&email, "email", "EMAIL", "contact", "medium"),
        // Low first, then medium, on one database column: PII.Sensitive must
        // replace PII.NonSensitive (OpenMetadata's PII is mutually exclusive).
        column(&email, "payload.ip", "IP_ADDRESS", "network", "low"),
        column(&email, "payload.phone", "PHONE", "contact", "medium"),
        column(&email, "payload.card", "CREDIT_CARD", "financial", "high"),
        column(&email, "ip", "IP_ADDRESS", "network", "low"),
        formula,
        column(&email, "-2+3", "EMAIL", "contact", "medium"),
    ]);

    let mut s3 = find_asset(&inv, "customers.parquet").clone();
    s3["id"] = json!(S3_ID);
    s3["kind"] = json!("dataset");

    let accounts = find_asset(&inv, "crm.db/accounts")["id"].clone();
    let contacts = find_asset(&inv, "crm.db/account_contacts")["id"].clone();
    let hint = |kind: &str, from: &Value, fp: &str, to: &Value, tp: &str, strength: f64| {
        json!({
            "kind": kind,
            "from": {"asset": from, "path": fp},
            "to": {"asset": to, "path": tp},
            "strength": strength,
            "label": "EMAIL",
            "evidence": ["synthetic hint for the export test"],
        })
    };
    inv["lineage_hints"] = json!([
        hint(
            "value_overlap",
            &json!(PG_ID),
            "email",
            &json!(S3_ID),
            "email",
            0.9
        ),
        hint(
            "structural",
            &json!(PG_ID),
            "email",
            &json!(S3_ID),
            "email",
            0.4
        ),
        hint(
            "declared",
            &accounts,
            "contact_email",
            &contacts,
            "contact_email",
            1.0
        ),
    ]);
    let assets = inv["assets"].as_array_mut().expect("assets");
    assets.push(pg);
    assets.push(s3);
    validate(&inv);
    inv
}

/// Every (asset id, column path, label) of an inventory.
fn findings(inv: &Value) -> Vec<(String, String, String)> {
    labels_by_column(inv)
        .into_iter()
        .flat_map(|(a, c, ls)| ls.into_iter().map(move |l| (a.clone(), c.clone(), l)))
        .collect()
}

fn asset_by_id<'a>(inv: &'a Value, id: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no asset {id}"))
}

fn label_sensitivity(inv: &Value, id: &str, path: &str, label: &str) -> String {
    asset_by_id(inv, id)["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["path"] == path)
        .flat_map(|c| c["labels"].as_array().into_iter().flatten())
        .find(|l| l["label"] == label)
        .and_then(|l| l["sensitivity"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn write_inventory(dir: &Path, inv: &Value) -> PathBuf {
    write(
        dir,
        "inventory.json",
        serde_json::to_string_pretty(inv).expect("json").as_bytes(),
    )
}

/// Runs `ferret export <inv> <args>` writing to a file; returns its text.
fn export_text(inv: &Path, args: &[&str]) -> String {
    let out = inv.with_file_name(format!("export-{}", args.join("_").replace('/', "")));
    let mut all = vec!["export", inv.to_str().expect("utf-8")];
    all.extend_from_slice(args);
    all.extend(["-o", out.to_str().expect("utf-8")]);
    let run = run(&all);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{all:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(&out).expect("export written")
}

fn export_json(inv: &Path, args: &[&str]) -> Value {
    let text = export_text(inv, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?} is not JSON: {e}"))
}

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas").join(name)).expect(name);
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

/// RFC 6901 decoding of one JSON-pointer segment.
fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn stem(file: &str) -> &str {
    file.rsplit_once('.').map_or(file, |(s, _)| s)
}

/// The dataset URN DataHub's own sources give an asset (see the module
/// docs of src/output/export/datahub.rs for the conventions).
fn expected_urn(asset: &Value, env: &str, instance: Option<&str>) -> String {
    let id = asset["id"].as_str().expect("id");
    let t = &asset["table"];
    let (platform, name) = if t.is_object() {
        let db = t["database"].as_str().expect("database");
        let table = t["name"].as_str().expect("name");
        if t["engine"] == "sqlite" {
            ("sqlite", format!("{}.{table}", stem(db)))
        } else {
            let schema = t["schema"].as_str().expect("schema");
            ("postgres", format!("{db}.{schema}.{table}"))
        }
    } else if let Some(rest) = id.strip_prefix("s3://") {
        ("s3", rest.trim_end_matches('/').to_string())
    } else if let Some(rest) = id.strip_prefix("file://") {
        ("file", rest.trim_end_matches('/').to_string())
    } else {
        panic!("unexpected asset id {id}")
    };
    let name = instance.map_or(name.clone(), |i| format!("{i}.{name}"));
    format!("urn:li:dataset:(urn:li:dataPlatform:{platform},{name},{env})")
}

#[test]
fn datahub_patches_every_classified_field_once_per_label_and_defines_tags_and_terms() {
    let dir = tempdir();
    let inv = inventory();
    let path = write_inventory(dir.path(), &inv);
    let mcps = export_json(&path, &["--to", "datahub"]);
    assert_valid(
        &schema("datahub-mcp.schema.json"),
        &mcps,
        "DataHub MCP file",
    );
    let patch_schema = schema("json-patch.schema.json");

    let mut aspects: Vec<(String, String, String, Value)> = Vec::new();
    for m in mcps.as_array().expect("array") {
        let value: Value = serde_json::from_str(m["aspect"]["value"].as_str().expect("value"))
            .expect("aspect value is JSON");
        if m["changeType"] == "PATCH" {
            assert_valid(&patch_schema, &value, "JSON patch");
            assert!(
                value
                    .as_array()
                    .is_some_and(|ops| ops.iter().all(|o| o["op"] == "add"))
            );
        }
        aspects.push((
            m["entityUrn"].as_str().unwrap_or_default().to_string(),
            m["aspectName"].as_str().unwrap_or_default().to_string(),
            m["changeType"].as_str().unwrap_or_default().to_string(),
            value,
        ));
    }
    // Classifications are only ever patched, never upserted, on datasets.
    assert!(
        aspects
            .iter()
            .filter(|a| a.0.starts_with("urn:li:dataset:"))
            .all(|a| a.2 == "PATCH")
    );

    // (dataset urn, field, tag or term urn) -> times added
    let mut tags: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut terms: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (urn, aspect, _, ops) in aspects.iter().filter(|a| a.1 == "editableSchemaMetadata") {
        assert_eq!(aspect, "editableSchemaMetadata");
        for op in ops.as_array().expect("ops") {
            let p = op["path"].as_str().expect("path");
            let segs: Vec<&str> = p.split('/').skip(1).collect();
            assert_eq!(segs.len(), 5, "{p}");
            assert_eq!(segs[0], "editableSchemaFieldInfo", "{p}");
            let key = (urn.clone(), unescape(segs[1]), unescape(segs[4]));
            match (segs[2], segs[3]) {
                ("globalTags", "tags") => {
                    assert_eq!(op["value"]["tag"], key.2.as_str());
                    *tags.entry(key).or_default() += 1;
                }
                ("glossaryTerms", "terms") => {
                    assert_eq!(op["value"]["urn"], key.2.as_str());
                    *terms.entry(key).or_default() += 1;
                }
                _ => panic!("unexpected patch path {p}"),
            }
        }
    }
    let all = findings(&inv);
    assert!(
        all.len() > 20,
        "too few findings to mean much: {}",
        all.len()
    );
    for (asset, path, label) in &all {
        let urn = expected_urn(asset_by_id(&inv, asset), "PROD", None);
        let tag = (
            urn.clone(),
            path.clone(),
            format!("urn:li:tag:ferret.{label}"),
        );
        let term = (
            urn,
            path.clone(),
            format!("urn:li:glossaryTerm:ferret.{label}"),
        );
        assert_eq!(tags.get(&tag), Some(&1), "tag {tag:?}");
        assert_eq!(terms.get(&term), Some(&1), "term {term:?}");
    }
    assert_eq!(tags.values().sum::<usize>(), all.len(), "no extra tags");
    assert_eq!(terms.values().sum::<usize>(), all.len(), "no extra terms");
    // The platforms' naming, spelled out for the synthetic assets.
    let urns: BTreeSet<&str> = tags.keys().map(|k| k.0.as_str()).collect();
    assert!(
        urns.contains("urn:li:dataset:(urn:li:dataPlatform:postgres,app.public.customers,PROD)")
    );
    assert!(urns.contains("urn:li:dataset:(urn:li:dataPlatform:s3,lake/exports/customers,PROD)"));
    assert!(urns.contains("urn:li:dataset:(urn:li:dataPlatform:sqlite,crm.accounts,PROD)"));

    // Definitions: a tag and a glossary term per label, the terms under one node.
    let labels: BTreeSet<&str> = all.iter().map(|f| f.2.as_str()).collect();
    for label in &labels {
        let tag = format!("urn:li:tag:ferret.{label}");
        let term = format!("urn:li:glossaryTerm:ferret.{label}");
        assert!(
            aspects
                .iter()
                .any(|a| a.0 == tag && a.1 == "tagProperties" && a.2 == "UPSERT"),
            "{tag}"
        );
        let info = aspects
            .iter()
            .find(|a| a.0 == term && a.1 == "glossaryTermInfo")
            .unwrap_or_else(|| panic!("{term}"));
        let parent = info.3["parentNode"].as_str().expect("parentNode");
        assert!(
            aspects
                .iter()
                .any(|a| a.0 == parent && a.1 == "glossaryNodeInfo")
        );
    }

    // Lineage: the strongest hint per dataset pair, additive, marked as a hint.
    let pg = expected_urn(asset_by_id(&inv, PG_ID), "PROD", None);
    let s3 = expected_urn(asset_by_id(&inv, S3_ID), "PROD", None);
    let lineage: Vec<&(String, String, String, Value)> = aspects
        .iter()
        .filter(|a| a.1 == "upstreamLineage")
        .collect();
    assert_eq!(lineage.len(), 2, "one patch per downstream dataset");
    let to_s3 = lineage.iter().find(|a| a.0 == s3).expect("lineage on s3");
    let ops = to_s3.3.as_array().expect("ops");
    let upstream: Vec<&Value> = ops
        .iter()
        .filter(|o| o["path"] == format!("/upstreams/{}", pg.replace('/', "~1")))
        .collect();
    assert_eq!(upstream.len(), 1);
    assert_eq!(upstream[0]["value"]["dataset"], pg.as_str());
    assert_eq!(upstream[0]["value"]["properties"]["ferret.strength"], "0.9");
    assert_eq!(
        upstream[0]["value"]["properties"]["ferret.kind"],
        "value_overlap"
    );
    let fine: Vec<&Value> = ops
        .iter()
        .filter(|o| {
            o["path"].as_str().is_some_and(|p| {
                p.starts_with("/fineGrainedLineages/NONE/")
                    && unescape(p).contains(&format!("urn:li:schemaField:({s3},email)"))
                    && unescape(p).contains(&format!("urn:li:schemaField:({pg},email)"))
            })
        })
        .collect();
    assert_eq!(fine.len(), 1, "{ops:?}");
    assert_eq!(fine[0]["value"]["confidenceScore"], 0.9);
}

#[test]
fn datahub_env_and_platform_instance_name_every_dataset() {
    let dir = tempdir();
    let inv = inventory();
    let path = write_inventory(dir.path(), &inv);
    let mcps = export_json(
        &path,
        &[
            "--to",
            "datahub",
            "--env",
            "DEV",
            "--platform-instance",
            "eu1",
        ],
    );
    let datasets: BTreeSet<String> = mcps
        .as_array()
        .expect("array")
        .iter()
        .filter(|m| m["entityType"] == "dataset")
        .filter_map(|m| m["entityUrn"].as_str().map(String::from))
        .collect();
    let expected: BTreeSet<String> = findings(&inv)
        .iter()
        .map(|f| expected_urn(asset_by_id(&inv, &f.0), "DEV", Some("eu1")))
        .collect();
    assert_eq!(datasets, expected);
}

#[test]
fn openmetadata_suggests_tag_labels_per_table_column_guarded_by_name() {
    let dir = tempdir();
    let inv = inventory();
    let path = write_inventory(dir.path(), &inv);
    let doc = export_json(&path, &["--to", "openmetadata", "--service", "svc"]);
    let tag_label = schema("openmetadata-tagLabel.json");
    let patch_schema = schema("json-patch.schema.json");

    assert_eq!(doc["classifications"][0]["path"], "/api/v1/classifications");
    assert_eq!(doc["classifications"][0]["body"]["name"], "Ferret");
    let tag_names: BTreeSet<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .inspect(|t| {
            assert_eq!(t["path"], "/api/v1/tags");
            assert_eq!(t["body"]["classification"], "Ferret");
        })
        .filter_map(|t| t["body"]["name"].as_str())
        .collect();

    // (fqn, position) -> (test value, tag FQNs added, in order)
    let mut columns: BTreeMap<(String, usize), (String, Vec<String>)> = BTreeMap::new();
    for t in doc["tables"].as_array().expect("tables") {
        let fqn = t["fqn"].as_str().expect("fqn").to_string();
        assert_eq!(t["method"], "PATCH");
        assert_eq!(t["path"], format!("/api/v1/tables/name/{fqn}"));
        let body = &t["body"];
        assert_valid(&patch_schema, body, "table patch");
        let mut current: Option<usize> = None;
        for op in body.as_array().expect("ops") {
            let p = op["path"].as_str().expect("path");
            let segs: Vec<&str> = p.split('/').skip(1).collect();
            assert_eq!(segs[0], "columns", "{p}");
            let pos: usize = segs[1].parse().expect("position");
            match op["op"].as_str() {
                Some("test") => {
                    assert_eq!(segs[2], "name");
                    current = Some(pos);
                    let name = op["value"].as_str().expect("name").to_string();
                    assert!(
                        columns
                            .insert((fqn.clone(), pos), (name, Vec::new()))
                            .is_none()
                    );
                }
                Some("add") => {
                    assert_eq!(current, Some(pos), "every add follows its column's test");
                    assert_eq!(&segs[2..], &["tags", "-"]);
                    assert_valid(&tag_label, &op["value"], "TagLabel");
                    assert_eq!(op["value"]["labelType"], "Automated");
                    assert_eq!(op["value"]["state"], "Suggested");
                    let tag = op["value"]["tagFQN"].as_str().expect("tagFQN").to_string();
                    if let Some(c) = columns.get_mut(&(fqn.clone(), pos)) {
                        c.1.push(tag);
                    }
                }
                other => panic!("unexpected op {other:?}"),
            }
        }
    }

    // Expected from the inventory: every finding on a table, at the position
    // of its database column among the table's columns.
    let top = |p: &str| -> String {
        let end = p.find(['.', '[']).unwrap_or(p.len());
        p[..end].to_string()
    };
    let mut expected: BTreeMap<(String, usize), (String, BTreeSet<String>, bool)> = BTreeMap::new();
    let mut skipped = BTreeSet::new();
    for (id, path, label) in findings(&inv) {
        let asset = asset_by_id(&inv, &id);
        let t = &asset["table"];
        if !t.is_object() {
            skipped.insert(id.clone());
            continue;
        }
        let db = t["database"].as_str().expect("database");
        let db = if t["engine"] == "sqlite" {
            stem(db)
        } else {
            db
        };
        let fqn = format!(
            "svc.{db}.{}.{}",
            t["schema"].as_str().unwrap_or("main"),
            t["name"].as_str().expect("name")
        );
        let mut order: Vec<String> = Vec::new();
        for c in asset["columns"].as_array().expect("columns") {
            let name = top(c["path"].as_str().expect("path"));
            if !order.contains(&name) {
                order.push(name);
            }
        }
        let name = top(&path);
        let pos = order.iter().position(|n| *n == name).expect("position");
        let e = expected
            .entry((fqn, pos))
            .or_insert((name, BTreeSet::new(), false));
        assert!(tag_names.contains(label.as_str()), "tag {label} defined");
        e.1.insert(format!("Ferret.{label}"));
        let s = label_sensitivity(&inv, &id, &path, &label);
        e.2 |= s == "medium" || s == "high";
    }
    assert!(expected.contains_key(&("svc.app.public.customers".to_string(), 2)));
    assert!(expected.contains_key(&("svc.crm.main.accounts".to_string(), 2)));
    assert_eq!(
        columns.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (key, (name, labels, sensitive)) in &expected {
        let (tested, added) = &columns[key];
        assert_eq!(tested, name, "{key:?}");
        let ferret: Vec<&String> = added.iter().filter(|t| t.starts_with("Ferret.")).collect();
        assert_eq!(
            ferret.len(),
            labels.len(),
            "each label once on {key:?}: {added:?}"
        );
        assert_eq!(
            ferret.into_iter().cloned().collect::<BTreeSet<_>>(),
            *labels
        );
        let pii: Vec<&String> = added.iter().filter(|t| t.starts_with("PII.")).collect();
        let want = if *sensitive {
            "PII.Sensitive"
        } else {
            "PII.NonSensitive"
        };
        assert_eq!(pii, vec![want], "{key:?}");
    }
    let listed: BTreeSet<String> = doc["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["asset"].as_str().map(String::from))
        .collect();
    assert_eq!(listed, skipped);
}

#[test]
fn atlas_classifies_columns_and_paths_by_qualified_name() {
    let dir = tempdir();
    let inv = inventory();
    let path = write_inventory(dir.path(), &inv);
    let doc = export_json(&path, &["--to", "atlas", "--cluster", "cl"]);
    let body_schema = schema("atlas-classification.schema.json");

    assert_eq!(doc["typedefs"]["path"], "/api/atlas/v2/types/typedefs");
    let defs = doc["typedefs"]["body"]["classificationDefs"]
        .as_array()
        .expect("classificationDefs");
    let all = findings(&inv);
    for label in all.iter().map(|f| f.2.as_str()).collect::<BTreeSet<_>>() {
        let d = defs
            .iter()
            .find(|d| d["name"] == format!("ferret_{label}"))
            .unwrap_or_else(|| panic!("typedef for {label}"));
        assert_eq!(d["superTypes"], json!(["ferret_PII"]));
        assert_eq!(d["category"], "CLASSIFICATION");
    }
    assert!(defs.iter().any(|d| d["name"] == "ferret_PII"));

    // (typeName, qualifiedName) -> classification -> columns attribute
    let mut got: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for r in doc["requests"].as_array().expect("requests") {
        let ty = r["typeName"].as_str().expect("typeName");
        let qn = r["qualifiedName"].as_str().expect("qualifiedName");
        let p = r["path"].as_str().expect("path");
        let prefix = format!(
            "/api/atlas/v2/entity/uniqueAttribute/type/{ty}/classifications?attr:qualifiedName="
        );
        let encoded = p.strip_prefix(&prefix).unwrap_or_else(|| panic!("{p}"));
        let decoded = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .expect("utf-8");
        assert_eq!(decoded, qn);
        assert_valid(&body_schema, &r["body"], "classification list");
        let list = got.entry((ty.to_string(), qn.to_string())).or_default();
        assert!(list.is_empty(), "one request per entity: {ty} {qn}");
        for c in r["body"].as_array().expect("body") {
            list.push((
                c["typeName"].as_str().expect("typeName").to_string(),
                c["attributes"]["columns"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
    }
    let mut expected: BTreeMap<(String, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (id, path, label) in &all {
        let asset = asset_by_id(&inv, id);
        let t = &asset["table"];
        let key = if t.is_object() {
            let db = t["database"].as_str().expect("database");
            let db = if t["engine"] == "sqlite" {
                stem(db)
            } else {
                db
            };
            let schema = t["schema"].as_str().unwrap_or("main");
            let table = t["name"].as_str().expect("name");
            (
                "rdbms_column".to_string(),
                format!("{db}.{schema}.{table}.{path}@cl"),
            )
        } else if let Some(rest) = id.strip_prefix("s3://") {
            let ty = if asset["kind"] == "file" {
                "aws_s3_v2_object"
            } else {
                "aws_s3_v2_directory"
            };
            (ty.to_string(), format!("s3a://{rest}@cl"))
        } else {
            let rest = id.strip_prefix("file://").expect("file id");
            ("fs_path".to_string(), format!("{rest}@cl"))
        };
        expected
            .entry(key)
            .or_default()
            .entry(format!("ferret_{label}"))
            .or_default()
            .push(path.clone());
    }
    assert!(expected.contains_key(&(
        "rdbms_column".to_string(),
        "app.public.customers.email@cl".to_string()
    )));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (key, labels) in &expected {
        let list = &got[key];
        assert_eq!(list.len(), labels.len(), "each label once on {key:?}");
        for (class, columns) in list {
            let want = &labels[class];
            let have: Vec<String> = columns.split(',').map(String::from).collect();
            assert_eq!(&have, want, "{key:?} {class}");
        }
    }
}

#[test]
fn csv_lists_every_finding_once_and_defuses_formulas() {
    let dir = tempdir();
    let inv = inventory();
    let path = write_inventory(dir.path(), &inv);
    let text = export_text(&path, &["--to", "csv"]);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    for col in [
        "asset",
        "column",
        "label",
        "category",
        "sensitivity",
        "confidence",
        "hit_ratio",
        "evidence",
        "detectors",
    ] {
        assert!(header.iter().any(|h| h == col), "{col} in {header:?}");
    }
    let idx = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (a, c, l, e) = (idx("asset"), idx("column"), idx("label"), idx("evidence"));
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut formula_row = None;
    for row in r.records() {
        let row = row.expect("row");
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unguarded cell {cell:?}"
            );
        }
        let unguard = |s: &str| {
            s.strip_prefix('\'')
                .filter(|r| r.starts_with(['=', '+', '-', '@']))
                .unwrap_or(s)
                .to_string()
        };
        let key = (unguard(&row[a]), unguard(&row[c]), row[l].to_string());
        if key.1 == FORMULA_COLUMN {
            formula_row = Some((row[c].to_string(), row[e].to_string()));
        }
        *seen.entry(key).or_default() += 1;
    }
    let expected: BTreeMap<(String, String, String), usize> =
        findings(&inv).into_iter().map(|f| (f, 1)).collect();
    assert_eq!(seen, expected);
    let (cell, evidence) = formula_row.expect("the formula-named column is exported");
    assert_eq!(cell, format!("'{FORMULA_COLUMN}"));
    assert!(evidence.starts_with("'+"), "{evidence}");
}

#[test]
fn no_export_carries_a_planted_value() {
    let planted: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/truth/planted.json")).expect("planted"),
    )
    .expect("planted.json");
    let values: Vec<&str> = planted["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(values.len() > 100);
    let matcher = aho_corasick::AhoCorasick::new(&values).expect("matcher");
    let dir = tempdir();
    let path = write_inventory(dir.path(), demo_inventory());
    for to in ["datahub", "openmetadata", "atlas", "csv"] {
        let text = export_text(&path, &["--to", to, "--service", "svc"]);
        assert!(text.len() > 1000, "{to} wrote almost nothing");
        let leaks: Vec<&str> = matcher
            .find_iter(&text)
            .map(|m| values[m.pattern().as_usize()])
            .collect();
        assert!(leaks.is_empty(), "{to} carries raw values: {leaks:?}");
    }
}

fn export_fails(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_input_is_a_clear_usage_error_and_nothing_is_half_written() {
    let dir = tempdir();
    let d = dir.path();
    let out = d.join("out.json");
    std::fs::write(&out, "previous export").expect("write");
    let o = out.to_str().expect("utf-8");

    let corrupt = write(
        d,
        "corrupt.json",
        b"{\"schema_version\": \"1.2.0\",\n  \"scan\": ",
    );
    let err = export_fails(&[
        "export",
        corrupt.to_str().expect("p"),
        "--to",
        "csv",
        "-o",
        o,
    ]);
    assert!(
        err.contains("corrupt.json") && err.contains("line 2"),
        "{err}"
    );

    let foreign = write(d, "foreign.json", b"{\"hello\": \"world\"}");
    let err = export_fails(&[
        "export",
        foreign.to_str().expect("p"),
        "--to",
        "datahub",
        "-o",
        o,
    ]);
    assert!(
        err.contains("foreign.json") && err.contains("not a ferret inventory"),
        "{err}"
    );

    let mut newer = demo_inventory().clone();
    newer["schema_version"] = json!("2.0.0");
    let newer = write(d, "newer.json", newer.to_string().as_bytes());
    let err = export_fails(&[
        "export",
        newer.to_str().expect("p"),
        "--to",
        "atlas",
        "-o",
        o,
    ]);
    assert!(err.contains("newer.json") && err.contains("2.0.0"), "{err}");

    let missing = d.join("missing.json");
    let err = export_fails(&["export", missing.to_str().expect("p"), "--to", "csv"]);
    assert!(err.contains("missing.json"), "{err}");

    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "previous export",
        "a failed export leaves the previous file alone"
    );

    let good = write_inventory(d, demo_inventory());
    let g = good.to_str().expect("p");
    let err = export_fails(&["export", g, "--to", "xml"]);
    assert!(err.contains("xml") && err.contains("datahub"), "{err}");

    let err = export_fails(&["export", g, "--to", "openmetadata", "-o", o]);
    assert!(err.contains("--service"), "{err}");

    let unwritable = d.join("no/such/dir/out.json");
    let err = export_fails(&[
        "export",
        g,
        "--to",
        "openmetadata",
        "--service",
        "svc",
        "-o",
        unwritable.to_str().expect("p"),
    ]);
    assert!(err.contains("no/such/dir/out.json"), "{err}");
    assert!(!unwritable.exists());

    // A successful export replaces the file whole and leaves no temp file.
    let ok = run(&["export", g, "--to", "datahub", "-o", o]);
    assert_eq!(ok.status.code(), Some(0));
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(serde_json::from_str::<Value>(&text).is_ok());
    let mut names: Vec<String> = std::fs::read_dir(d)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "corrupt.json",
            "foreign.json",
            "inventory.json",
            "newer.json",
            "out.json"
        ]
    );
}
