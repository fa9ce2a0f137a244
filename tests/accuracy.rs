//! Accuracy on the labeled corpus (`fixtures/corpus`, truth in
//! `fixtures/truth/corpus_labels.json`, both made by `fixtures/generate.rs`).
//! Prints precision and recall per label and fails below the floor.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.90;

#[derive(Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

#[test]
fn precision_and_recall_per_label_meet_the_floor() {
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/truth/corpus_labels.json"))
            .expect("truth file"),
    )
    .expect("truth is JSON");
    let (_, inv, _) = scan_json(&[corpus().to_str().unwrap()]);

    // (file, column) -> predicted labels.
    let mut predicted: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (id, column, labels) in labels_by_column(&inv) {
        let file = id.rsplit('/').next().unwrap_or_default().to_string();
        predicted.insert((file, column), labels.into_iter().collect());
    }
    let mut expected: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for c in truth["columns"].as_array().expect("columns") {
        let key = (
            c["file"].as_str().unwrap().to_string(),
            c["column"].as_str().unwrap().to_string(),
        );
        let labels = c["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        expected.insert(key, labels);
    }
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !predicted.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "columns in the truth that the scan did not report: {missing:?}"
    );

    let mut per_label: BTreeMap<String, Counts> = BTreeMap::new();
    let mut mistakes = Vec::new();
    // Columns the scan reports but the truth does not list count with no expected labels.
    let empty = BTreeSet::new();
    for (key, got) in &predicted {
        let want = expected.get(key).unwrap_or(&empty);
        for l in got.union(want) {
            let c = per_label.entry(l.clone()).or_default();
            match (got.contains(l), want.contains(l)) {
                (true, true) => c.tp += 1,
                (true, false) => {
                    c.fp += 1;
                    mistakes.push(format!("FP {l:<18} {}:{}", key.0, key.1));
                }
                (false, true) => {
                    c.fn_ += 1;
                    mistakes.push(format!("FN {l:<18} {}:{}", key.0, key.1));
                }
                _ => {}
            }
        }
    }
    println!(
        "{:<20} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "label", "tp", "fp", "fn", "precision", "recall"
    );
    let mut failures = Vec::new();
    for (label, c) in &per_label {
        let precision = if c.tp + c.fp == 0 {
            1.0
        } else {
            c.tp as f64 / (c.tp + c.fp) as f64
        };
        let recall = if c.tp + c.fn_ == 0 {
            1.0
        } else {
            c.tp as f64 / (c.tp + c.fn_) as f64
        };
        println!(
            "{label:<20} {:>4} {:>4} {:>4} {precision:>9.3} {recall:>7.3}",
            c.tp, c.fp, c.fn_
        );
        if precision < MIN_PRECISION || recall < MIN_RECALL {
            failures.push(format!(
                "{label}: precision {precision:.3}, recall {recall:.3}"
            ));
        }
    }
    for m in &mistakes {
        println!("{m}");
    }
    // Every label of the taxonomy that the corpus covers must have been measured.
    let covered: BTreeSet<&String> = expected.values().flatten().collect();
    assert!(
        covered.len() >= 20,
        "the corpus covers only {} labels",
        covered.len()
    );
    assert!(
        failures.is_empty(),
        "below the floor (precision {MIN_PRECISION}, recall {MIN_RECALL}):\n{}",
        failures.join("\n")
    );
}
