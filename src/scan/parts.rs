//! One object of a file asset: read into its own partial result
//! ([`ObjectPart`]), then folded into the asset ([`Tally`]).
//!
//! Keeping each object's result apart is what lets an incremental run
//! (`--state`) reuse the unchanged objects of a changed asset: a part kept
//! from the last run and a part read now fold the same way, and folding
//! every part in read order gives what one pass over the objects gives.

use super::assets::Job;
use super::sampling::{SeededRng, downsample};
use crate::classify::{AssetProfile, ColumnStats, mask::redact};
use crate::detect::Pack;
use crate::inventory::AssetError;
use crate::source::format::Flow;
use crate::source::store::ObjectMeta;
use crate::source::{ReadMode, ReadRequest, SourceAsset};
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What one object contributed to its asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectPart {
    /// Column statistics of the rows kept from this object (masked
    /// evidence only, like the inventory).
    pub columns: Vec<ColumnStats>,
    /// The column names the object had (to count schema variants).
    pub columns_seen: BTreeSet<String>,
    pub rows_sampled: u64,
    pub bytes_fetched: u64,
    /// How the read ended: what the row estimate is made from.
    pub read: ReadEnd,
    /// Databases: how rows were chosen (`tablesample_system`, `copy`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Databases: the table's rows, when the read settled them, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<(f64, String)>,
    /// Errors and problems, already redacted. Never kept in the state: an
    /// object with any is read again next run.
    #[serde(skip)]
    pub errors: Vec<AssetError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadEnd {
    /// The object could not be read (its rows so far still count).
    Failed,
    Read {
        rows: u64,
        /// Rows the object holds, when the format says (Parquet metadata).
        rows_total: Option<u64>,
        /// The read stopped before the end (sample window, row limit).
        truncated: bool,
    },
}

impl ObjectPart {
    /// Read whole, without an error or problem: safe to reuse.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && matches!(self.read, ReadEnd::Read { .. })
    }

    /// Whether reading the object again with another per-object quota
    /// would keep the very same rows: the part kept every row it read, no
    /// more than `quota`, and (Parquet) read the whole file, so the row
    /// limit, which follows the quota, did not cut it. A dataset below
    /// `--max-objects` that gains an object lowers every object's quota;
    /// small objects then still come from the state.
    pub fn same_rows_with_quota(&self, quota: usize) -> bool {
        match self.read {
            ReadEnd::Read {
                rows,
                rows_total,
                truncated,
            } => {
                self.rows_sampled == rows
                    && rows <= quota as u64
                    && !(rows_total.is_some() && truncated)
            }
            ReadEnd::Failed => false,
        }
    }
}

/// Reads `unit` of `asset` and classifies its rows on their own. In sample
/// mode, `quota` rows are kept (seeded by the unit's key, so the same unit
/// gives the same rows in every run).
pub(super) fn read_part(
    job: &Job,
    asset: &dyn SourceAsset,
    unit: &ObjectMeta,
    quota: usize,
) -> ObjectPart {
    let pack = job.classifier.pack();
    let url = asset.unit_url(unit);
    let mode = job.sampling.mode;
    let req = ReadRequest {
        mode,
        rows: quota,
        seed: job.sampling.seed,
        window_bytes: job.sampling.sample_bytes,
        max_decompressed_bytes: job.sampling.max_decompressed_bytes,
    };
    let mut profile = AssetProfile::default();
    let mut kept: Vec<RecordBatch> = Vec::new();
    let mut rows_sampled: u64 = 0;
    let mut columns_seen: BTreeSet<String> = BTreeSet::new();
    let result = {
        let mut sink = |batch: RecordBatch| {
            columns_seen.extend(batch.schema().fields().iter().map(|f| f.name().clone()));
            match mode {
                ReadMode::Full => {
                    rows_sampled += batch.num_rows() as u64;
                    job.classifier.observe_batch(&batch, &mut profile);
                }
                ReadMode::MetadataOnly => {
                    profile.observe_schema(&batch);
                    return Flow::Stop;
                }
                ReadMode::Sample => kept.push(batch),
            }
            Flow::Continue
        };
        asset.read(job.io, unit, &req, &mut sink)
    };
    if let ReadMode::Sample = mode {
        let mut row_rng = SeededRng::new(job.sampling.seed, &unit.key);
        for batch in downsample(kept, quota, &mut row_rng) {
            rows_sampled += batch.num_rows() as u64;
            job.classifier.observe_batch(&batch, &mut profile);
        }
    }
    let mut errors = Vec::new();
    let mut method = None;
    let mut row_count = None;
    let (read, bytes_fetched) = match result {
        Ok(stats) => {
            for p in stats.problems {
                errors.push(object_error(pack, &url, p.code, &p.message));
            }
            for (path, reason) in stats.skipped_columns {
                profile.skip_column(&path, &reason);
            }
            method = stats.method.map(str::to_string);
            row_count = stats.row_count.map(|(n, how)| (n, how.to_string()));
            let end = ReadEnd::Read {
                rows: stats.rows,
                rows_total: stats.rows_total,
                truncated: stats.truncated,
            };
            (end, stats.bytes_fetched)
        }
        Err(p) => {
            errors.push(object_error(pack, &url, p.code, &p.message));
            (ReadEnd::Failed, 0)
        }
    };
    ObjectPart {
        columns: profile.into_columns(),
        columns_seen,
        rows_sampled,
        bytes_fetched,
        read,
        method,
        row_count,
        errors,
    }
}

pub(super) fn object_error(pack: &Pack, url: &str, code: &str, message: &str) -> AssetError {
    let message = redact(pack, message);
    tracing::warn!(object = %url, code, "{message}");
    AssetError {
        object: Some(url.to_string()),
        code: code.to_string(),
        message,
    }
}

/// An asset's parts folded together, in read order.
#[derive(Default)]
pub(super) struct Tally {
    pub profile: AssetProfile,
    pub errors: Vec<AssetError>,
    pub rows_sampled: u64,
    pub bytes_read: u64,
    /// Bytes of the objects read (listed sizes), to extrapolate from.
    pub sampled_bytes: u64,
    pub estimate_rows: f64,
    pub estimate_exact: bool,
    pub estimate_from_metadata: bool,
    /// Distinct column sets among the objects read: siblings grouped by name
    /// should share one schema, and the inventory says when they do not.
    pub column_sets: Vec<BTreeSet<String>>,
    /// Parts taken from the state rather than read.
    pub carried: u64,
    /// Units whose read did not fail.
    pub units_read: u64,
    /// Databases: how rows were chosen, and the table's rows when settled.
    pub method: Option<String>,
    pub row_count: Option<(f64, String)>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            estimate_exact: true,
            ..Tally::default()
        }
    }

    /// Folds the part of an object of `size` bytes, read now or (`carried`)
    /// taken from the state.
    pub fn add(&mut self, job: &Job, part: ObjectPart, size: u64, carried: bool) {
        self.carried += u64::from(carried);
        if self.method.is_none() {
            self.method = part.method;
        }
        if self.row_count.is_none() {
            self.row_count = part.row_count;
        }
        if !part.columns_seen.is_empty() && !self.column_sets.contains(&part.columns_seen) {
            self.column_sets.push(part.columns_seen);
        }
        self.rows_sampled += part.rows_sampled;
        self.errors.extend(part.errors);
        job.classifier.absorb(&mut self.profile, part.columns);
        match part.read {
            ReadEnd::Failed => self.estimate_exact = false,
            ReadEnd::Read {
                rows,
                rows_total,
                truncated,
            } => {
                self.units_read += 1;
                self.bytes_read += part.bytes_fetched;
                self.sampled_bytes += size;
                match rows_total {
                    Some(total) => {
                        self.estimate_rows += total as f64;
                        self.estimate_from_metadata = true;
                    }
                    None if !truncated => self.estimate_rows += rows as f64,
                    None => {
                        self.estimate_exact = false;
                        if part.bytes_fetched > 0 {
                            self.estimate_rows +=
                                rows as f64 * size as f64 / part.bytes_fetched as f64;
                        }
                    }
                }
            }
        }
    }
}
