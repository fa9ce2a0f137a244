//! The one seam every source implements: a [`Source`] lists its assets, an
//! [`SourceAsset`] reads its units into Arrow batches through a
//! [`BatchSink`]. The scan (`crate::scan`) drives every kind of source the
//! same way (sampling, incremental state, shards, lineage, classification)
//! and never asks which kind it holds.
//!
//! Units are what the incremental state keeps apart: the objects of a file
//! or dataset, a database table as one unit, the data files of a lake
//! table. A unit is described by an [`ObjectMeta`] (key, size, change
//! token), so one fingerprint scheme serves them all.
//!
//! Adding a source: a module with a type implementing [`Source`] and one
//! line in `crate::scan::target` that opens it from its URL scheme.

use super::format::{BatchSink, ReadProblem, ReadStats};
use super::store::ObjectMeta;
use arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use tokio::runtime::Handle;

/// How much of a unit to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// A seeded sample of about `ReadRequest::rows` rows.
    Sample,
    /// Every row.
    Full,
    /// Names and types only (a file reader stops after its first batch).
    MetadataOnly,
}

/// What the scan asks of one unit.
#[derive(Debug, Clone, Copy)]
pub struct ReadRequest {
    pub mode: ReadMode,
    /// Sample mode: rows wanted from this unit.
    pub rows: usize,
    pub seed: u64,
    /// Sample mode, text formats: leading bytes read.
    pub window_bytes: u64,
    /// Full mode: decompressed bytes of one compressed object at most.
    pub max_decompressed_bytes: u64,
}

/// A failure of a whole source or listing, attributed to a URL.
#[derive(Debug, Clone)]
pub struct SourceFailure {
    pub id: String,
    /// The kind and format of the asset that stands for it (`file`/`unknown`,
    /// `table`/`postgresql`).
    pub kind: &'static str,
    pub format: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// What a source holds.
#[derive(Default)]
pub struct Discovery {
    pub assets: Vec<Box<dyn SourceAsset>>,
    /// `(url, reason)` of objects not scanned (unsupported formats).
    pub skipped: Vec<(String, String)>,
    pub failures: Vec<SourceFailure>,
    /// Sources found inside this one: a SQLite file or a lake table met in a
    /// folder walk is read as what it is, not as loose bytes.
    pub sources: Vec<Box<dyn Source>>,
}

/// One place ferret reads: a folder or bucket prefix, a database server,
/// a SQLite file, a lake table.
pub trait Source: Send + Sync {
    /// The target as the inventory records it (credentials redacted).
    fn target(&self) -> String;

    /// Assets of this source read at once, when the source must bound it
    /// (database sessions); `None`: as many as there are worker threads.
    fn concurrency(&self) -> Option<usize> {
        None
    }

    /// Lists the assets (after the source's include/exclude globs).
    fn discover(&self, io: &Handle, mode: ReadMode) -> Discovery;
}

/// Whether an asset's values are read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    Read,
    /// Classified by names only, without an error (a view, unless views are read).
    NamesOnly,
    /// The role may not read it: names only, and an error on the asset.
    Denied(String),
}

/// A column as the source declares it, before any value is read.
#[derive(Debug, Clone)]
pub struct DeclaredColumn {
    pub name: String,
    pub source_type: String,
    pub comment: Option<String>,
    /// `Some(reason)`: never read (binary, boolean, ...).
    pub skipped: Option<&'static str>,
    /// Values are flattened into `name.path` columns as they are read (JSON).
    pub nested: bool,
}

/// A foreign key as a catalog declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The asset id of the referenced table.
    pub references: String,
    pub referenced_columns: Vec<String>,
}

/// A database relation's catalog facts.
#[derive(Debug, Clone)]
pub struct TableFacts {
    pub engine: String,
    pub database: String,
    pub schema: Option<String>,
    pub name: String,
    pub relation_kind: String,
    pub comment: Option<String>,
    pub partitions: u64,
    pub foreign_keys: Vec<DeclaredKey>,
    pub depends_on: Vec<String>,
    /// Rows according to the catalog.
    pub row_estimate: Option<f64>,
}

/// A lake table's snapshot facts.
#[derive(Debug, Clone)]
pub struct LakeFacts {
    /// `delta` or `iceberg`.
    pub format: String,
    pub version: String,
    pub metadata_file: String,
    pub partition_columns: Vec<String>,
    pub live_files: u64,
    /// Live files the metadata names that storage does not hold.
    pub missing: Vec<String>,
    /// Files stored under the table that the snapshot does not hold.
    pub stored_files: u64,
    pub stored_bytes: u64,
    /// The earliest version that removed one of them, when known.
    pub since_version: Option<String>,
    pub warnings: Vec<String>,
}

/// Everything the inventory says about an asset besides what was read.
#[derive(Debug, Clone)]
pub struct AssetFacts {
    /// `file`, `dataset`, `table`, `view`, `lake_table`.
    pub kind: String,
    /// `parquet`, `csv+gzip`, `postgresql`, `delta`, ...
    pub format: String,
    pub bytes_total: u64,
    pub partition_keys: Vec<String>,
    pub table: Option<TableFacts>,
    pub lake: Option<LakeFacts>,
    /// Declared columns (databases), registered before any value.
    pub columns: Vec<DeclaredColumn>,
    pub values: Values,
    /// Units may be sampled (`--max-objects`): a dataset's objects can, the
    /// live files of a lake table can; a table's single unit is always read.
    pub sample_units: bool,
    /// Units carry a change token the incremental state can trust; a unit
    /// without one is read again every run.
    pub incremental: bool,
}

/// What the lineage pass asks a source that hashes values where they live
/// (see `crate::lineage::fingerprint`), so only hashes leave the server.
pub struct HashRequest<'a> {
    /// HMAC-SHA256 inner and outer pad blocks (key material: bind parameters only).
    pub ipad: &'a [u8],
    pub opad: &'a [u8],
    /// Exclusive upper bound of kept hashes, 8 bytes big-endian; `None`: all.
    pub bound: Option<[u8; 8]>,
    /// Hashes kept per column and variant.
    pub k: usize,
    /// Digest variants per read column: `(name, algo, norm)`.
    pub variants: &'a HashMap<String, Vec<(String, &'static str, &'static str)>>,
}

/// Keyed hashes kept per column: `(variant, hash, is_digest)`, the column's
/// own values under variant `""`.
pub type KeyedHashes = HashMap<String, Vec<(String, u64, bool)>>;

/// One asset of a source.
pub trait SourceAsset: Send + Sync {
    /// The asset id (a URL, credentials never in it).
    fn id(&self) -> &str;

    fn facts(&self) -> AssetFacts;

    /// The units, in a stable order.
    fn units(&self) -> &[ObjectMeta];

    /// Reads one unit into `sink`. `Err`: the unit could not be read at all.
    fn read(
        &self,
        io: &Handle,
        unit: &ObjectMeta,
        req: &ReadRequest,
        sink: &mut dyn BatchSink,
    ) -> Result<ReadStats, ReadProblem>;

    /// The URL of a unit, as errors about it name it.
    fn unit_url(&self, unit: &ObjectMeta) -> String {
        unit.key.clone()
    }

    /// Lake tables: the files still stored that the live snapshot no longer
    /// holds, as an asset of their own (classified, then reported on this one).
    fn stored_not_live(&self) -> Option<Box<dyn SourceAsset>> {
        None
    }

    /// Metadata-only mode: values the server keeps about the columns
    /// (PostgreSQL's `pg_stats`), classified like read values.
    /// Returns the batch and the name of the method (`pg_stats`).
    fn metadata_values(
        &self,
        _io: &Handle,
    ) -> Option<Result<(RecordBatch, &'static str), ReadProblem>> {
        None
    }

    /// Lineage: hashes computed where the data lives. `None`: the scan
    /// reads every value itself.
    fn keyed_hashes(
        &self,
        _io: &Handle,
        _req: &HashRequest<'_>,
    ) -> Option<Result<KeyedHashes, ReadProblem>> {
        None
    }

    /// Whether hashes from [`SourceAsset::keyed_hashes`] include sha1
    /// variants (PostgreSQL has no sha1 without an extension).
    fn hashes_sha1(&self) -> bool {
        true
    }
}
