//! Shared by tests/lake.rs and tests/lake_s3.rs: the tables that
//! `scripts/lake-fixtures.sh` writes with the formats' own libraries, and
//! the manifest of what those libraries report about them.
#![allow(dead_code)]

use ferret::source::lake::{LakeFile, LakeSnapshot};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The fixture folder; fails loudly, naming the script, when it is missing.
pub fn lake_dir() -> PathBuf {
    let dir = std::env::var("FERRET_TEST_LAKE_DIR").unwrap_or_default();
    let hint = "run `bash scripts/lake-fixtures.sh target/lake` and set FERRET_TEST_LAKE_DIR=target/lake \
                (scripts/test.sh does both)";
    assert!(!dir.is_empty(), "FERRET_TEST_LAKE_DIR is not set: {hint}");
    let mut dir = PathBuf::from(dir);
    if dir.is_relative() {
        dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    }
    assert!(
        dir.join("manifest.json").is_file(),
        "{} has no manifest.json: {hint}",
        dir.display()
    );
    dir
}

pub fn manifest() -> Value {
    let text =
        std::fs::read_to_string(lake_dir().join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// A table's root key relative to the fixture folder.
pub fn root_of(m: &Value, table: &str) -> String {
    match m[table]["root"].as_str() {
        // Iceberg: the library's absolute table location.
        Some(abs) => {
            let base = lake_dir().canonicalize().expect("lake dir");
            let abs = PathBuf::from(abs).canonicalize().expect("table root");
            abs.strip_prefix(&base)
                .expect("table under the lake dir")
                .to_string_lossy()
                .into_owned()
        }
        None => table.to_string(),
    }
}

pub fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

/// Keys relative to the table root.
pub fn rel_keys(root: &str, files: &[LakeFile]) -> BTreeSet<String> {
    files
        .iter()
        .map(|f| {
            f.meta
                .key
                .strip_prefix(&format!("{root}/"))
                .unwrap_or_else(|| panic!("{} is not under {root}", f.meta.key))
                .to_string()
        })
        .collect()
}

/// Checks a snapshot against what the library reported for `table`.
pub fn assert_matches_library(m: &Value, table: &str, root: &str, s: &LakeSnapshot) {
    let t = &m[table];
    assert_eq!(
        s.format.as_str(),
        t["format"].as_str().expect("format"),
        "{table}"
    );
    assert_eq!(
        s.version,
        t["version"].as_str().expect("version"),
        "{table}: version"
    );
    assert_eq!(
        rel_keys(root, &s.live),
        strings(&t["live"]),
        "{table}: live files"
    );
    assert_eq!(
        rel_keys(root, &s.stored_not_live),
        strings(&t["stored_not_live"]),
        "{table}: stored, not live"
    );
    assert!(s.missing.is_empty(), "{table}: {:?}", s.missing);
    let cols: Vec<String> = t["partition_columns"]
        .as_array()
        .expect("partition_columns")
        .iter()
        .map(|c| c.as_str().expect("name").to_string())
        .collect();
    assert_eq!(s.partition_columns, cols, "{table}: partition columns");
    let schema: Vec<(String, String)> = t["schema_columns"]
        .as_array()
        .expect("schema_columns")
        .iter()
        .map(|c| {
            (
                c[0].as_str().expect("name").into(),
                c[1].as_str().expect("type").into(),
            )
        })
        .collect();
    assert_eq!(s.schema_columns, schema, "{table}: schema");
    // Partition values, file by file.
    let expected: BTreeMap<String, BTreeMap<String, Option<String>>> =
        serde_json::from_value(t["live_partition_values"].clone()).expect("partition values");
    let got: BTreeMap<String, BTreeMap<String, Option<String>>> = s
        .live
        .iter()
        .map(|f| {
            (
                f.meta.key[root.len() + 1..].to_string(),
                f.partition_values.iter().cloned().collect(),
            )
        })
        .collect();
    assert_eq!(got, expected, "{table}: partition values");
    // Sizes: every live file as stored.
    for f in &s.live {
        assert!(f.meta.size > 0, "{table}: {} empty", f.meta.key);
    }
}
