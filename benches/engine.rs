//! Criterion benchmarks of the detection engine and the classification path
//! over a generated mixed corpus (`benches/support/corpus.rs`): business CSV
//! rows, about 30% of which carry personal data.
//!
//! `cargo bench --bench engine`. Sample sizes are small on purpose so the
//! whole run takes a couple of minutes; `cargo test --all-targets` runs each
//! benchmark once.

#[path = "support/corpus.rs"]
mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferret::classify::{AssetProfile, Classifier};
use ferret::detect::{Pack, Scratch};
use ferret::inventory::Thresholds;
use ferret::source::batch::{Cell, RowBatchBuilder};
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 20_000;
const SEED: u64 = 7;

fn pack() -> Pack {
    match Pack::load(&[] as &[&std::path::Path]) {
        Ok(p) => p,
        Err(e) => panic!("built-in pack fails to load: {e}"),
    }
}

fn bytes_of(rows: &[Vec<String>]) -> u64 {
    rows.iter().flatten().map(|v| v.len() as u64).sum()
}

/// Rows with no personal data on them, and rows with some, to bench apart.
fn split_rows(rows: &[Vec<String>]) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let pack = pack();
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    rows.iter().cloned().partition(|row| {
        row.iter().all(|v| {
            pack.find(v, &mut scratch, &mut out);
            !out.iter().any(|m| m.validated)
        })
    })
}

fn bench_find(c: &mut Criterion) {
    let pack = pack();
    let mixed = corpus::rows(SEED, ROWS);
    let (clean, dirty) = split_rows(&mixed);
    let mut group = c.benchmark_group("find");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, rows) in [
        ("mixed", &mixed),
        ("clean_rows", &clean),
        ("pii_rows", &dirty),
    ] {
        group.throughput(Throughput::Bytes(bytes_of(rows)));
        group.bench_function(name, |b| {
            let mut scratch = Scratch::default();
            let mut matches = Vec::new();
            b.iter(|| {
                let mut n = 0usize;
                for row in rows.iter() {
                    for v in row {
                        pack.find(black_box(v), &mut scratch, &mut matches);
                        n += matches.len();
                    }
                }
                n
            })
        });
    }
    group.finish();
}

fn bench_classify(c: &mut Criterion) {
    let pack = pack();
    let rows = corpus::rows(SEED, ROWS);
    let mut builder = RowBatchBuilder::new();
    for row in &rows {
        builder.push_row(corpus::CSV_HEADER.iter().zip(row).map(|(name, v)| {
            (
                name.to_string(),
                "string",
                if v.is_empty() {
                    Cell::Null
                } else {
                    Cell::Value(v.clone())
                },
            )
        }));
    }
    let batch = builder.finish();
    let classifier = Classifier::new(&pack, Thresholds::default());
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap_or_else(|e| panic!("rayon pool: {e}"));

    let mut group = c.benchmark_group("classify");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(bytes_of(&rows)));
    group.bench_function("observe_batch_1_thread", |b| {
        b.iter(|| {
            one_thread.install(|| {
                let mut profile = AssetProfile::default();
                classifier.observe_batch(black_box(&batch), &mut profile);
                profile.columns.len()
            })
        })
    });
    group.bench_function("observe_batch_all_threads", |b| {
        b.iter(|| {
            let mut profile = AssetProfile::default();
            classifier.observe_batch(black_box(&batch), &mut profile);
            profile.columns.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_find, bench_classify);
criterion_main!(benches);
