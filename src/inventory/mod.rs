//! The inventory: ferret's contract with everything downstream.
//!
//! One JSON document, `schema_version` first, described by
//! `schema/inventory.v1.schema.json` (tests validate every inventory the
//! suite produces against it). Changing a field's meaning or removing one is
//! a major version; adding an optional field is a minor one. No field ever
//! holds a raw value read from a source: evidence is masked.

mod diff;
mod load;
mod merge;
pub mod policy;
#[cfg(test)]
pub(crate) mod testing;

pub use diff::{Change, Diff, DiffEntry, diff};
pub use load::{LoadError, from_slice, load};
pub use merge::{MergeError, MergeOptions, merge};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the inventory format this build writes.
pub const SCHEMA_VERSION: &str = "1.6.0";

/// The JSON Schema of the inventory, as shipped in the repository.
pub const JSON_SCHEMA: &str = include_str!("../../schema/inventory.v1.schema.json");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Inventory {
    pub schema_version: String,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub assets: Vec<Asset>,
    /// Discovered objects that were not scanned, with the reason.
    pub skipped: Vec<Skipped>,
    /// Where the same personal data seems to have been copied to (`--lineage`
    /// for value-based kinds; `declared` hints come from database catalogs).
    pub lineage_hints: Vec<LineageHint>,
    /// Policy rules (from the config file) the findings break. (1.2)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_violations: Vec<PolicyViolation>,
}

/// One column of one asset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ColumnRef {
    /// The asset id (`postgresql://host/db/public.users`, `s3://lake/events/`).
    pub asset: String,
    /// The column path within the asset (`email`, `contacts[].email`).
    pub path: String,
}

/// A hint that `to` holds data copied (or derived) from `from`. (1.2)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LineageHint {
    /// `declared` (foreign key / view dependency), `value_overlap`,
    /// `derived` (hashed copy), or `structural` (weakest: names and shapes).
    pub kind: String,
    /// The column the data seems to come from.
    pub from: ColumnRef,
    /// The column that seems to hold a copy.
    pub to: ColumnRef,
    /// 0..1: how strongly the evidence supports the hint.
    pub strength: f64,
    /// The label the two columns share, if any (`EMAIL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Human-readable reasons (never raw values).
    pub evidence: Vec<String>,
    /// Measured quantities, by name (`jaccard`, `containment_to_in_from`,
    /// `containment_from_in_to`, `standard_error`, `sketch_size`), when the
    /// hint kind measures any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
}

/// A finding that breaks a policy rule of the config file. (1.2)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PolicyViolation {
    /// The rule's name from the config file.
    pub policy: String,
    pub asset: String,
    /// The column, when the rule is about columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub label: String,
    /// `low`, `medium`, `high`: the rule's severity.
    pub severity: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScanInfo {
    pub tool: String,
    pub tool_version: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    /// What was asked for on the command line (paths / URLs).
    pub targets: Vec<String>,
    /// The run's default sampling: what every asset got unless its source
    /// had settings of its own (see `source_sampling` and `Asset::sampling`).
    pub sampling: Sampling,
    /// The targets whose sampling differs from `sampling` (a `[[source]]` of
    /// the config with its own keys), in `targets` order. (1.4)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_sampling: Vec<SourceSampling>,
    pub detector_pack: DetectorPackInfo,
    pub thresholds: Thresholds,
    /// Requests and bytes the object stores (S3) cost this run; absent when
    /// only local folders were scanned. (1.1)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<IoInfo>,
    /// With `--state`: what was carried forward from the previous run. (1.1)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<Incremental>,
    /// With `--shard K/N`: which part of the work this run did; on a
    /// `ferret merge --allow-partial` of incomplete shards, which are missing.
    /// Absent on a whole scan and on a complete merge. (1.3)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
}

/// A deterministic slice of a scan: assets whose id hashes to `index` modulo
/// `count` (see `ferret scan --shard`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShardInfo {
    /// This run's shard, 0-based; absent on a merged inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// How many shards the scan was split into.
    pub count: u64,
    /// On a partial merge: the shard indices that were not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<u64>,
}

/// Object store traffic of one run (all S3 buckets together).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IoInfo {
    pub list_requests: u64,
    pub get_requests: u64,
    pub head_requests: u64,
    /// Attempts that failed (5xx, throttling, timeouts, resets) and were retried.
    pub failed_attempts: u64,
    /// Object bytes received (ranged gets), this run only.
    pub bytes_fetched: u64,
}

/// An incremental run (`--state`): assets whose objects are unchanged since
/// the state was written are carried forward without reading them; in the
/// others, unchanged objects' results are taken from the state (1.5).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Incremental {
    /// Assets taken from the state file as they were.
    pub carried_forward: u64,
    /// Assets scanned this run (new, changed, or with errors last time).
    pub rescanned: u64,
    /// Assets of the state whose objects are all gone.
    pub dropped: u64,
    /// Objects of rescanned assets whose results came from the state. (1.5)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_carried_forward: Option<u64>,
    /// Objects of rescanned assets read this run. (1.5)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_read: Option<u64>,
    /// Why the state was not used, if it was not (first run, other settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_ignored: Option<String>,
}

/// How one target was sampled, when not as the run's defaults. (1.4)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceSampling {
    /// The target as listed in `scan.targets`.
    pub target: String,
    pub sampling: Sampling,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sampling {
    /// `sample`, `full` or `metadata_only`.
    pub mode: String,
    pub sample_rows: u64,
    pub seed: u64,
    /// Leading bytes read per text object in sample mode.
    pub window_bytes: u64,
    pub max_objects_per_asset: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DetectorPackInfo {
    pub digest: String,
    pub detectors: u64,
    pub validated_detectors: u64,
    pub extra_dirs: Vec<String>,
}

/// Decision thresholds, from the config file or defaults.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A label is reported only at or above this confidence.
    pub min_confidence: f64,
    /// Whole-value columns: validated values over non-null values needed.
    pub min_value_ratio: f64,
    /// Free text: validated values needed (fewer if fewer values were read).
    pub min_text_hits: u64,
    /// Validated matches over all pattern matches needed; random look-alikes
    /// pass a checksum rarely (about 1 in 10 for Luhn), real data nearly always.
    pub min_validation_rate: f64,
    /// Masked evidence values kept per label.
    pub evidence_per_label: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_confidence: 0.5,
            min_value_ratio: 0.3,
            min_text_hits: 2,
            min_validation_rate: 0.5,
            evidence_per_label: 3,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub assets: u64,
    pub assets_with_errors: u64,
    pub columns: u64,
    pub classified_columns: u64,
    pub rows_sampled: u64,
    pub bytes_read: u64,
    /// Classified columns per label.
    pub labels: BTreeMap<String, u64>,
    /// Classified columns per category.
    pub categories: BTreeMap<String, u64>,
    /// The highest sensitivity found, if any personal data was found.
    pub max_sensitivity: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Asset {
    /// A URL: `file:///data/customers.parquet`, `file:///data/events/`.
    pub id: String,
    /// `file` or `dataset` (several objects of one schema).
    pub kind: String,
    /// `parquet`, `csv`, `jsonl+gzip`, ...
    pub format: String,
    pub objects_total: u64,
    pub objects_sampled: u64,
    /// With `--state`: of `objects_sampled`, the objects whose results were
    /// taken from the state instead of read (unchanged since). Absent when
    /// none were. (1.5)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_carried_forward: Option<u64>,
    pub bytes_total: u64,
    pub bytes_read: u64,
    /// Hive partition keys (`dt`, `region`), in path order.
    pub partition_keys: Vec<String>,
    /// Distinct column sets among the objects read (1 for a consistent
    /// dataset; more when files grouped by name differ; for JSON, the keys seen).
    pub schema_variants: u64,
    /// The sampling settings this asset was read with: its source's own
    /// (`[[source]]` keys) or the run's defaults. Runs mix settings, so each
    /// asset says what it got. Absent before 1.4. (1.4)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    pub rows_sampled: u64,
    pub row_estimate: Option<u64>,
    /// `exact`, `metadata` or `extrapolated`.
    pub row_estimate_method: Option<String>,
    pub columns: Vec<Column>,
    pub errors: Vec<AssetError>,
    /// For database tables and views: where the relation lives and how it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableInfo>,
    /// For lake tables (Delta Lake, Iceberg): the snapshot read, and the
    /// files still stored that it no longer holds. (1.6)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lake: Option<LakeInfo>,
}

/// A lake table's snapshot and what its storage still holds beyond it. (1.6)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LakeInfo {
    /// `delta` or `iceberg`.
    pub format: String,
    /// Delta: the table version; Iceberg: the current snapshot id.
    pub version: String,
    /// The log or metadata file the snapshot was read from.
    pub metadata_file: String,
    pub partition_columns: Vec<String>,
    /// Data files in the live snapshot.
    pub live_files: u64,
    /// Live files the metadata names that storage does not hold.
    pub missing_files: u64,
    /// Files stored under the table that its live snapshot does not hold:
    /// removed or overwritten rows not yet vacuumed or expired. A deletion
    /// is not complete while any remain.
    pub stored_not_live: StoredNotLive,
    /// Notes from reading the metadata (deletion vectors, delete files, ...).
    pub warnings: Vec<String>,
}

/// The files a lake table's storage holds beyond its live snapshot. (1.6)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredNotLive {
    pub files: u64,
    pub bytes: u64,
    /// The earliest version that removed one of them, when the metadata says.
    pub since_version: Option<String>,
    /// Files read to classify them (a sample of at most `--max-objects`
    /// unless `--full`).
    pub files_sampled: u64,
    pub rows_sampled: u64,
    /// What personal data they hold, classified like live columns.
    pub columns: Vec<Column>,
}

/// A database relation's catalog facts (since 1.1.0).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableInfo {
    /// `postgresql` or `sqlite`.
    pub engine: String,
    pub database: String,
    pub schema: Option<String>,
    pub name: String,
    /// `table`, `partitioned_table`, `view`, `materialized_view`, `foreign_table`.
    pub relation_kind: String,
    pub comment: Option<String>,
    /// How rows were read: `whole_table`, `limit`, `tablesample_system`,
    /// `tablesample_bernoulli`, `rowid_ranges`, `copy` (full scan), `pg_stats`
    /// (no rows read: the server's statistics), or `not_read` (views without
    /// `--include-views`, metadata-only, errors).
    pub sampling_method: String,
    /// Leaf partitions of a partitioned table (scanned through the parent).
    pub partitions: u64,
    pub foreign_keys: Vec<ForeignKey>,
    /// Asset ids of the relations a view reads.
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The asset id of the referenced table.
    pub references: String,
    pub referenced_columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AssetError {
    /// The object the error is about (a key / URL), if it is about one.
    pub object: Option<String>,
    /// Stable short code: `corrupt_parquet`, `bad_gzip`, `permission_denied`, ...
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Column {
    /// Dotted path: `email`, `address.city`, `contacts[].value`.
    pub path: String,
    /// The type at the source (`utf8`, `int64`, `string`, `number`, ...).
    pub source_type: String,
    /// Rows in which the column was present (null or not).
    pub rows_seen: u64,
    /// Non-null values looked at (list elements count one each).
    pub values_scanned: u64,
    /// Why the column was not read (`binary`, ...), if it was not.
    pub skipped_reason: Option<String>,
    /// The database's comment on the column (since 1.1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub labels: Vec<LabelResult>,
    /// Column-name evidence alone, whatever the values say: it matters when
    /// values are hashed, encrypted or empty.
    pub name_hints: Vec<NameHint>,
    /// With no label found: the largest share of values that could hold
    /// personal data undetected, at 95% confidence (`1 - 0.05^(1/n)`, about 3/n).
    pub prevalence_upper_bound: Option<f64>,
    /// With `--lineage`: a keyed sketch of the column's distinct values, so
    /// lineage hints can be recomputed later (`ferret merge` across shards)
    /// without reading the data again. Never reversible without the key. (1.3)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

/// A column's lineage fingerprint (`--lineage`): bottom-k sketches of keyed
/// 64-bit hashes of its distinct values. Only hashes made with the same key
/// (same `key_id`) can be compared. (1.3)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fingerprint {
    /// Identifies the key without revealing it: the first 8 bytes of
    /// HMAC-SHA256(key, "ferret-key-id"), in hex.
    pub key_id: String,
    /// `hmac-sha256-64/bottom-k`: each value's keyed hash is the first 8 bytes
    /// (big-endian) of HMAC-SHA256 over its UTF-8 text; the sketch keeps the
    /// `k` smallest distinct hashes below the threshold.
    pub method: String,
    /// Largest number of hashes a sketch keeps.
    pub k: u32,
    /// Non-null values hashed by ferret (files); `None` when the database
    /// hashed them (PostgreSQL pushes the filter into SQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_hashed: Option<u64>,
    /// Most kept values are lower-case hex digests (32, 40 or 64 digits):
    /// the column may hold hashes of another column's values.
    pub digest_hex: bool,
    /// The sketch of the column's own values (hex-only values lower-cased).
    pub sketch: Sketch,
    /// Sketches of hex digests of the values (`md5:lower_trim`,
    /// `sha256:digits`, ...), for `derived` hints; only for columns labelled
    /// as identifiers people hash (emails, phones).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<String, Sketch>,
}

/// One bottom-k sketch. (1.3)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sketch {
    /// Coordinated-sampling threshold, as a share of the hash space (a power
    /// of two, 1 = every value): only values whose hash falls below it enter.
    pub threshold: f64,
    /// Number of hashes kept (at most `k`).
    pub size: u32,
    /// The kept hashes in ascending order, each 8 bytes big-endian, base64
    /// (standard alphabet, padded).
    pub hashes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LabelResult {
    pub label: String,
    pub category: String,
    /// `low`, `medium`, `high`.
    pub sensitivity: String,
    pub confidence: f64,
    /// `value`: the values are this kind of data; `free_text`: text that contains it.
    pub scope: String,
    /// Values with a validated match over values scanned.
    pub hit_ratio: f64,
    /// Values with a validated match.
    pub match_count: u64,
    /// Pattern matches, validated or not.
    pub candidate_count: u64,
    pub validated_count: u64,
    pub detectors: Vec<String>,
    /// Masked examples: never the raw values.
    pub evidence: Vec<String>,
    /// Why this confidence: each piece of evidence that raised or lowered it.
    pub explanation: Vec<String>,
    /// The config's allow-list entry that permits this finding, if one does:
    /// allowed findings are never policy violations. (1.3)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NameHint {
    pub label: String,
    pub detector: String,
    /// The hint phrase found in the column name, as tokens (`card_number`).
    pub matched: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Skipped {
    pub object: String,
    pub reason: String,
}

impl Inventory {
    /// Recomputes `summary` from the assets.
    pub fn summarise(&mut self) {
        let mut s = Summary {
            assets: self.assets.len() as u64,
            ..Summary::default()
        };
        let mut max: Option<&str> = None;
        for a in &self.assets {
            if !a.errors.is_empty() {
                s.assets_with_errors += 1;
            }
            s.rows_sampled += a.rows_sampled;
            s.bytes_read += a.bytes_read;
            s.columns += a.columns.len() as u64;
            for c in &a.columns {
                if !c.labels.is_empty() {
                    s.classified_columns += 1;
                }
                for l in &c.labels {
                    *s.labels.entry(l.label.clone()).or_default() += 1;
                    *s.categories.entry(l.category.clone()).or_default() += 1;
                    if sensitivity_rank(&l.sensitivity) > max.map_or(0, sensitivity_rank) {
                        max = Some(l.sensitivity.as_str());
                    }
                }
            }
        }
        s.max_sensitivity = max.map(str::to_string);
        self.summary = s;
    }
}

impl ScanInfo {
    /// A short stable id of this run (for log pipelines joining findings to a
    /// scan): a digest of the start time, targets and shard.
    pub fn scan_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.started_at.as_bytes());
        for t in &self.targets {
            h.update(b"\0");
            h.update(t.as_bytes());
        }
        if let Some(s) = &self.shard {
            h.update(format!("\0{:?}/{}", s.index, s.count).as_bytes());
        }
        hex::encode(&h.finalize()[..8])
    }
}

/// The order policy violations are written in (scan and merge alike).
pub fn sort_violations(v: &mut [PolicyViolation]) {
    v.sort_by(|a, b| {
        (&a.policy, &a.asset, &a.column, &a.label).cmp(&(&b.policy, &b.asset, &b.column, &b.label))
    });
}

/// `low` < `medium` < `high`; anything else ranks 0.
pub fn sensitivity_rank(s: &str) -> u8 {
    match s {
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        _ => 0,
    }
}
