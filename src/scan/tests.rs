//! `scan::run` called as a library, on the bundled fixtures.

use super::*;
use crate::detect::Pack;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn settings(targets: Vec<Target>) -> Settings {
    let mut s = Settings::new(
        targets,
        Pack::load(&[] as &[PathBuf]).expect("the built-in pack loads"),
    );
    s.threads = 2;
    s
}

/// Counts what the scan reports.
#[derive(Default)]
struct Counting {
    listed_assets: AtomicU64,
    listed_units: AtomicU64,
    units_read: AtomicU64,
    done: AtomicU64,
    finished: AtomicU64,
}

impl Progress for Counting {
    fn listed(&self, assets: u64, units: u64) {
        self.listed_assets.store(assets, Ordering::Relaxed);
        self.listed_units.store(units, Ordering::Relaxed);
    }
    fn unit_read(&self) {
        self.units_read.fetch_add(1, Ordering::Relaxed);
    }
    fn asset_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
    fn finished(&self) {
        self.finished.fetch_add(1, Ordering::Relaxed);
    }
}

/// The labelled corpus through the library: every value column of the
/// truth file (written by the fixture generator, not by the scan) gets its
/// label, and progress agrees with the inventory.
#[test]
fn the_corpus_scans_through_the_library() {
    let progress = Counting::default();
    let inv = run(&settings(vec![Target::Local(fixture("corpus"))]), &progress).expect("scan runs");
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("truth/corpus_labels.json")).expect("truth"),
    )
    .expect("truth parses");
    let mut checked = 0;
    let mut missed = Vec::new();
    for col in truth["columns"].as_array().expect("columns") {
        if col["kind"] != "value" {
            continue;
        }
        let file = col["file"].as_str().expect("file");
        let column = col["column"].as_str().expect("column");
        let asset = inv
            .assets
            .iter()
            .find(|a| a.id.ends_with(&format!("/{file}")))
            .unwrap_or_else(|| panic!("no asset for {file}"));
        let found = asset.columns.iter().find(|c| c.path == column);
        for label in col["labels"].as_array().expect("labels") {
            checked += 1;
            let label = label.as_str().expect("label");
            if !found.is_some_and(|c| c.labels.iter().any(|l| l.label == label)) {
                missed.push(format!("{file}:{column} {label}"));
            }
        }
    }
    assert!(checked > 200, "only {checked} labels checked");
    // The accuracy test holds the per-label floors; here the library path
    // must find nearly all of what the binary finds.
    assert!(
        missed.len() * 20 < checked,
        "{} of {checked} value labels missed: {missed:?}",
        missed.len()
    );
    let assets = inv.assets.len() as u64;
    assert_eq!(progress.listed_assets.load(Ordering::Relaxed), assets);
    assert_eq!(progress.done.load(Ordering::Relaxed), assets);
    assert_eq!(
        progress.units_read.load(Ordering::Relaxed),
        progress.listed_units.load(Ordering::Relaxed)
    );
    assert_eq!(progress.finished.load(Ordering::Relaxed), 1);
    assert_eq!(inv.summary.assets_with_errors, 0);
}

/// Shards split the assets: together they are the whole scan, each asset
/// in exactly one.
#[test]
fn shards_partition_the_assets() {
    let whole =
        run(&settings(vec![Target::Local(fixture("demo"))]), &NoProgress).expect("scan runs");
    let mut ids: Vec<String> = Vec::new();
    for index in 0..3 {
        let mut s = settings(vec![Target::Local(fixture("demo"))]);
        s.shard = Some(Shard { index, count: 3 });
        let part = run(&s, &NoProgress).expect("shard runs");
        ids.extend(part.assets.into_iter().map(|a| a.id));
    }
    ids.sort();
    let all: Vec<String> = whole.assets.into_iter().map(|a| a.id).collect();
    assert_eq!(ids, all);
}

/// Full mode reads every row: the row estimate of a file is exact and at
/// least what a sample read.
#[test]
fn full_mode_reads_every_row() {
    let target = || vec![Target::Local(fixture("demo/support_tickets.csv"))];
    let sample = run(&settings(target()), &NoProgress).expect("sample");
    let mut s = settings(target());
    s.sampling.mode = ReadMode::Full;
    s.targets[0].sampling.mode = ReadMode::Full;
    let full = run(&s, &NoProgress).expect("full");
    let lines = std::fs::read_to_string(fixture("demo/support_tickets.csv"))
        .expect("read")
        .lines()
        .count() as u64;
    assert_eq!(full.assets.len(), 1);
    // A header line, then one row per line (no quoted newlines in this file).
    assert_eq!(full.assets[0].rows_sampled, lines - 1);
    assert_eq!(full.assets[0].row_estimate_method.as_deref(), Some("exact"));
    assert!(sample.assets[0].rows_sampled <= full.assets[0].rows_sampled);
    assert_eq!(full.scan.sampling.mode, "full");
}

#[test]
fn settings_errors_stop_before_anything_is_read() {
    let missing = run(
        &settings(vec![Target::Local(fixture("no_such_folder"))]),
        &NoProgress,
    );
    match missing {
        Err(ScanError::Settings(m)) => assert!(m.contains("no_such_folder"), "{m}"),
        other => panic!(
            "expected a settings error, got {:?}",
            other.map(|i| i.assets.len())
        ),
    }
    assert!(matches!(
        run(&settings(Vec::new()), &NoProgress),
        Err(ScanError::Settings(_))
    ));
    let bad_url = run(
        &settings(vec![Target::Postgres("postgres://u:hunter2@[::1".into())]),
        &NoProgress,
    );
    match bad_url {
        Err(ScanError::Settings(m)) => assert!(!m.contains("hunter2"), "{m}"),
        other => panic!(
            "expected a settings error, got {:?}",
            other.map(|i| i.assets.len())
        ),
    }
}
