//! `ferret scan` over lake tables written by `deltalake` and `pyiceberg`
//! (`scripts/lake-fixtures.sh`): each table is one asset read through its
//! log or metadata, never its log as data; the files a delete left in
//! storage are classified and reported on the table; a damaged table is an
//! error on its asset and the rest completes; nothing is written.

#[path = "lake/common.rs"]
mod lakeutil;

use lakeutil::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn scan(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
        .arg("scan")
        .arg("-q")
        .args(extra)
        .arg(dir)
        .output()
        .expect("run ferret");
    let inv = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no inventory ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), inv)
}

/// Every file under `dir`: size and content hash, to prove nothing changed.
fn tree(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    fn walk(d: &Path, out: &mut BTreeMap<String, (u64, u64)>) {
        for e in std::fs::read_dir(d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                let mut h: u64 = 0xcbf29ce484222325;
                for b in &bytes {
                    h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
                }
                out.insert(p.display().to_string(), (bytes.len() as u64, h));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

/// The lake table asset whose root ends with `root` (`""`: the only one).
fn lake_asset<'a>(inv: &'a Value, root: &str) -> &'a Value {
    let suffix = format!("/{}/", root.trim_end_matches('/'));
    let found: Vec<&Value> = inv["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .filter(|a| a["kind"] == "lake_table")
        .filter(|a| root.is_empty() || a["id"].as_str().is_some_and(|id| id.ends_with(&suffix)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one asset for {root}: {:?}",
        found.iter().map(|a| &a["id"]).collect::<Vec<_>>()
    );
    found[0]
}

#[test]
fn each_table_is_one_asset_matching_its_library() {
    let dir = lake_dir();
    let before = tree(&dir);
    let (_, inv) = scan(&dir, &[]);
    let m = manifest();
    let tables = [
        "delta_people",
        "delta_checkpoint",
        "iceberg_people",
        "iceberg_people_null",
        "iceberg_people_snappy",
        "iceberg_people_zstd",
        "iceberg_people_v1",
    ];
    for table in tables {
        let root = root_of(&m, table);
        let a = lake_asset(&inv, &root);
        assert_eq!(a["kind"], "lake_table", "{table}");
        assert_eq!(a["format"], m[table]["format"], "{table}");
        let lake = &a["lake"];
        assert_eq!(lake["version"], m[table]["version"], "{table}");
        let count = |v: &Value| v.as_array().map(|a| a.len() as u64);
        assert_eq!(
            lake["live_files"].as_u64(),
            count(&m[table]["live"]),
            "{table}"
        );
        assert_eq!(
            lake["stored_not_live"]["files"].as_u64(),
            count(&m[table]["stored_not_live"]),
            "{table}"
        );
        assert_eq!(
            a["objects_total"].as_u64(),
            count(&m[table]["live"]),
            "{table}"
        );
        assert!(
            a["errors"].as_array().expect("errors").is_empty(),
            "{table}: {}",
            a["errors"]
        );
        let labels: Vec<&str> = a["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .flat_map(|c| c["labels"].as_array().into_iter().flatten())
            .filter_map(|l| l["label"].as_str())
            .collect();
        assert!(labels.contains(&"PHONE"), "{table}: {labels:?}");
    }
    // The logs and metadata are never data.
    for a in inv["assets"].as_array().expect("assets") {
        let id = a["id"].as_str().unwrap_or_default();
        assert!(!id.contains("/_delta_log"), "{id}");
        assert!(!id.contains("/metadata/"), "{id}");
    }
    for s in inv["skipped"].as_array().expect("skipped") {
        let object = s["object"].as_str().unwrap_or_default();
        assert!(
            !object.contains("/_delta_log/") && !object.contains("/metadata/"),
            "{object}"
        );
    }
    // Nothing was written to the tables (or anywhere under them).
    assert_eq!(
        tree(&dir),
        before,
        "the scan changed files under the lake folder"
    );
}

/// The Delta table's last commit deleted every row holding an email; the
/// files holding them are still stored. The live table has no email; the
/// stored-not-live files do, and the inventory says so.
#[test]
fn deleted_but_stored_rows_are_reported() {
    let dir = lake_dir();
    let m = manifest();
    for table in ["delta_people", "iceberg_people"] {
        let (_, inv) = scan(&dir.join(root_of(&m, table)), &["--full"]);
        let a = lake_asset(&inv, "");
        let live_email = a["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .find(|c| c["path"] == "email");
        // Only the column's name speaks for it: no value is left.
        let from_values = live_email
            .map(|c| {
                c["labels"]
                    .as_array()
                    .expect("labels")
                    .iter()
                    .filter(|l| l["scope"] != "name_only")
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(from_values, 0, "{table}: the live snapshot holds no email");
        let stored = &a["lake"]["stored_not_live"];
        assert_eq!(
            stored["files_sampled"], stored["files"],
            "{table}: --full reads every stored file"
        );
        let email = stored["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .find(|c| c["path"] == "email")
            .unwrap_or_else(|| panic!("{table}: no email column in the stored files"));
        assert!(
            email["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .any(|l| l["label"] == "EMAIL"),
            "{table}: {email}"
        );
        if table == "delta_people" {
            assert_eq!(stored["since_version"], "3");
        }
    }
}

/// Damaged tables: an error with the documented code on that table's asset;
/// the others in the same run are scanned.
#[test]
fn damaged_tables_are_errors_on_their_asset() {
    let dir = lake_dir().join("hostile");
    let (code, inv) = scan(&dir, &[]);
    assert_eq!(code, 1, "asset errors exit 1");
    let expected = [
        ("delta_corrupt_commit", "corrupt_commit"),
        ("delta_missing_commit", "missing_commit"),
        ("delta_missing_checkpoint", "checkpoint_mismatch"),
        ("delta_checkpoint_size_mismatch", "checkpoint_mismatch"),
        ("iceberg_missing_manifest", "missing_manifest"),
        ("iceberg_missing_manifest_list", "missing_manifest"),
        ("iceberg_truncated_manifest", "corrupt_metadata"),
        ("delta_missing_data", "missing_file"),
    ];
    for (table, code) in expected {
        let suffix = format!("/{table}/");
        let a = inv["assets"]
            .as_array()
            .expect("assets")
            .iter()
            .find(|a| {
                a["id"]
                    .as_str()
                    .is_some_and(|id| id.contains(&suffix) || id.ends_with(&suffix))
            })
            .unwrap_or_else(|| panic!("no asset for {table}"));
        let codes: Vec<&str> = a["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{table}: {codes:?}");
    }
    // The table with a missing data file is still scanned from the others.
    let partial = lake_asset(&inv, "delta_missing_data");
    assert!(
        partial["rows_sampled"].as_u64().unwrap_or(0) > 0,
        "{partial}"
    );
}
