//! Criterion benchmarks of the detection engine and the classification path
//! over a generated mixed corpus (`benches/support/corpus.rs`): business CSV
//! rows, about 30% of which carry personal data.
//!
//! Every iteration starts with an empty shape memo (`Pack::forget_shapes`),
//! so repeated passes over the same rows are not memo hits only; the lazy
//! DFAs stay warm, so these are steady-state numbers: a one-pass number from
//! cold is `benches/compare_rg.sh`'s.
//!
//! `cargo bench --bench engine`. Sample sizes are small on purpose so the
//! whole run takes about a minute; `cargo test --all-targets` runs each
//! benchmark once.

#[path = "support/corpus.rs"]
mod corpus;

use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use ferret::classify::{AssetProfile, Classifier};
use ferret::detect::{Pack, Scratch};
use ferret::inventory::Thresholds;
use ferret::source::batch::{Cell, RowBatchBuilder};
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 20_000;
const SEED: u64 = 7;
/// Rows per column chunk handed to `find_many`, as the classifier does.
const CHUNK_ROWS: usize = 2048;

type Row = Vec<String>;

fn pack() -> Pack {
    match Pack::load(&[] as &[&std::path::Path]) {
        Ok(p) => p,
        Err(e) => panic!("built-in pack fails to load: {e}"),
    }
}

fn bytes_of(rows: &[Row]) -> u64 {
    rows.iter().flatten().map(|v| v.len() as u64).sum()
}

fn small(group: &mut BenchmarkGroup<'_, WallTime>, seconds: u64) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(seconds));
}

/// The corpus, and its rows without and with personal data (as generated).
fn corpora() -> [(&'static str, Vec<Row>); 3] {
    let rows = corpus::rows(SEED, ROWS);
    let mixed = rows.iter().map(|(r, _)| r.clone()).collect();
    let clean = rows
        .iter()
        .filter(|(_, pii)| !pii)
        .map(|(r, _)| r.clone())
        .collect();
    let dirty = rows
        .into_iter()
        .filter(|(_, pii)| *pii)
        .map(|(r, _)| r)
        .collect();
    [("mixed", mixed), ("clean_rows", clean), ("pii_rows", dirty)]
}

/// Non-empty values column by column, in chunks of `CHUNK_ROWS` rows.
fn column_chunks(rows: &[Row]) -> Vec<Vec<&str>> {
    let mut chunks = Vec::new();
    for block in rows.chunks(CHUNK_ROWS) {
        for col in 0..corpus::CSV_HEADER.len() {
            chunks.push(
                block
                    .iter()
                    .map(|r| r[col].as_str())
                    .filter(|v| !v.is_empty())
                    .collect(),
            );
        }
    }
    chunks
}

/// `Pack::find` on every field, one at a time.
fn bench_find(c: &mut Criterion) {
    let pack = pack();
    let mut group = c.benchmark_group("find");
    small(&mut group, 3);
    for (name, rows) in &corpora() {
        group.throughput(Throughput::Bytes(bytes_of(rows)));
        group.bench_function(*name, |b| {
            let mut scratch = Scratch::default();
            let mut matches = Vec::new();
            b.iter(|| {
                pack.forget_shapes();
                let mut n = 0usize;
                for row in rows {
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

/// `Pack::find_many` over column chunks: the path the classifier takes.
fn bench_find_many(c: &mut Criterion) {
    let pack = pack();
    let mut group = c.benchmark_group("find_many");
    small(&mut group, 3);
    for (name, rows) in &corpora() {
        let chunks = column_chunks(rows);
        group.throughput(Throughput::Bytes(bytes_of(rows)));
        group.bench_function(*name, |b| {
            let mut scratch = Scratch::default();
            b.iter(|| {
                pack.forget_shapes();
                let mut n = 0usize;
                for chunk in &chunks {
                    pack.find_many(black_box(chunk), &mut scratch, |_, m| n += m.len());
                }
                n
            })
        });
    }
    group.finish();
}

/// `Classifier::observe_batch` on an Arrow batch of the mixed rows, on one
/// thread and on the global rayon pool.
fn bench_classify(c: &mut Criterion) {
    let pack = pack();
    let rows = corpus::rows(SEED, ROWS);
    let mut builder = RowBatchBuilder::new();
    for (row, _) in &rows {
        builder.push_row(corpus::CSV_HEADER.iter().zip(row).map(|(name, v)| {
            let cell = if v.is_empty() {
                Cell::Null
            } else {
                Cell::Value(v.clone())
            };
            (name.to_string(), "string", cell)
        }));
    }
    let batch = builder.finish();
    let bytes: u64 = rows
        .iter()
        .flat_map(|(r, _)| r)
        .map(|v| v.len() as u64)
        .sum();
    let classifier = Classifier::new(&pack, Thresholds::default());
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap_or_else(|e| panic!("rayon pool: {e}"));

    let mut group = c.benchmark_group("classify");
    small(&mut group, 5);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("observe_batch_1_thread", |b| {
        b.iter(|| {
            one_thread.install(|| {
                pack.forget_shapes();
                let mut profile = AssetProfile::default();
                classifier.observe_batch(black_box(&batch), &mut profile);
                profile.columns.len()
            })
        })
    });
    group.bench_function("observe_batch_all_threads", |b| {
        b.iter(|| {
            rayon::broadcast(|_| pack.forget_shapes());
            let mut profile = AssetProfile::default();
            classifier.observe_batch(black_box(&batch), &mut profile);
            profile.columns.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_find, bench_find_many, bench_classify);
criterion_main!(benches);
