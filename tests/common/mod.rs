//! Helpers shared by the integration tests: running the real binary and
//! checking its inventories against the JSON Schema in the repository.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo() -> PathBuf {
    root().join("fixtures/demo")
}

pub fn corpus() -> PathBuf {
    root().join("fixtures/corpus")
}

/// The built `ferret` binary.
pub fn ferret() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
}

/// Runs `ferret <args>` and returns its output.
pub fn run(args: &[&str]) -> Output {
    ferret().args(args).output().expect("run ferret")
}

/// Runs a scan with JSON output and returns (exit code, inventory, stderr).
pub fn scan_json(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["scan", "--quiet"];
    all.extend_from_slice(args);
    let out = run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let inv: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    validate(&inv);
    (out.status.code().unwrap_or(-1), inv, stderr)
}

/// Fails the test unless `inv` is valid against schema/inventory.v1.schema.json.
pub fn validate(inv: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/inventory.v1.schema.json"))
            .expect("schema file"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(inv)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "inventory violates the schema:\n{}",
        errors.join("\n")
    );
}

/// Every (asset id, column path) -> labels of an inventory.
pub fn labels_by_column(inv: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for a in inv["assets"].as_array().into_iter().flatten() {
        let id = a["id"].as_str().unwrap_or_default().to_string();
        for c in a["columns"].as_array().into_iter().flatten() {
            let labels = c["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["label"].as_str().map(String::from))
                .collect();
            out.push((
                id.clone(),
                c["path"].as_str().unwrap_or_default().to_string(),
                labels,
            ));
        }
    }
    out
}

/// The asset whose id ends with `suffix`.
pub fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["id"].as_str().is_some_and(|id| id.ends_with(suffix)))
        })
        .unwrap_or_else(|| panic!("no asset ending with {suffix}"))
}

/// Labels of `column` in `asset`.
pub fn column_labels(asset: &Value, column: &str) -> Vec<String> {
    asset["columns"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["path"] == column))
        .unwrap_or_else(|| panic!("no column {column} in {}", asset["id"]))["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["label"].as_str().map(String::from))
        .collect()
}

/// The error codes on an asset, in order.
pub fn error_codes(asset: &Value) -> Vec<String> {
    asset["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str().map(String::from))
        .collect()
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, bytes).expect("write");
    p
}
