//! Files and objects as a [`Source`]: a folder, a file or a bucket prefix,
//! listed through the store abstraction (local disk and S3 alike) and
//! grouped into file and dataset assets by [`discover`].

use super::api::{
    AssetFacts, Discovery, ReadMode, ReadRequest, Source, SourceAsset, SourceFailure, Values,
};
use super::db::DbOptions;
use super::db::sqlite::SqliteFile;
use super::discover::{AssetPlan, KeyFilter, discover};
use super::format::{
    BatchSink, FileFormat, Format, ReadOptions, ReadProblem, ReadStats, read_object,
};
use super::store::{DynStore, ObjectMeta};
use std::path::PathBuf;
use tokio::runtime::Handle;

/// A folder, file or bucket prefix.
pub struct FileTree {
    store: DynStore,
    prefix: String,
    filter: KeyFilter,
    /// For SQLite files met in the walk.
    db: DbOptions,
}

impl FileTree {
    pub fn new(store: DynStore, prefix: String, filter: KeyFilter, db: DbOptions) -> FileTree {
        FileTree {
            store,
            prefix,
            filter,
            db,
        }
    }
}

impl Source for FileTree {
    fn target(&self) -> String {
        crate::redact::credentials(&self.store.url(&self.prefix))
    }

    fn discover(&self, io: &Handle, _mode: ReadMode) -> Discovery {
        let listed = io.block_on(discover(&self.store, &self.prefix, &self.filter));
        let mut found = Discovery::default();
        for plan in listed.assets {
            found.assets.push(Box::new(FileAsset { plan }));
        }
        for table in listed.lake_tables {
            match super::lake::table::open(io, table) {
                Ok(asset) => found.assets.push(asset),
                Err(failure) => found.failures.push(failure),
            }
        }
        for (object, reason) in listed.skipped {
            // SQLite files in a local folder are databases to open, not blobs.
            match object.strip_prefix("file://") {
                Some(path) if reason.contains("sqlite database") => {
                    let db = DbOptions {
                        tables: self.filter.clone(),
                        ..self.db.clone()
                    };
                    found
                        .sources
                        .push(Box::new(SqliteFile::new(PathBuf::from(path), db)));
                }
                _ => found.skipped.push((object, reason)),
            }
        }
        for e in listed.errors {
            found.failures.push(SourceFailure {
                id: e.url,
                kind: "file",
                format: "unknown",
                code: e.error.code(),
                message: crate::redact::credentials(&e.error.to_string()),
            });
        }
        found
    }
}

/// One file, or a dataset of objects sharing one format.
pub struct FileAsset {
    plan: AssetPlan,
}

impl SourceAsset for FileAsset {
    fn id(&self) -> &str {
        &self.plan.id
    }

    fn facts(&self) -> AssetFacts {
        AssetFacts {
            kind: self.plan.kind.as_str().into(),
            format: self.plan.format.describe(),
            bytes_total: self.plan.objects.iter().map(|o| o.size).sum(),
            partition_keys: self.plan.partition_keys.clone(),
            table: None,
            lake: None,
            columns: Vec::new(),
            values: Values::Read,
            sample_units: true,
            incremental: true,
        }
    }

    fn units(&self) -> &[ObjectMeta] {
        &self.plan.objects
    }

    fn read(
        &self,
        io: &Handle,
        unit: &ObjectMeta,
        req: &ReadRequest,
        sink: &mut dyn BatchSink,
    ) -> Result<ReadStats, ReadProblem> {
        read_file(io, &self.plan.store, unit, self.plan.format, req, sink)
    }

    fn unit_url(&self, unit: &ObjectMeta) -> String {
        self.plan.store.url(&unit.key)
    }
}

/// Reads one object of a file-based asset as `req` asks (shared with lake
/// tables, whose data files are read the same way).
pub(crate) fn read_file(
    io: &Handle,
    store: &DynStore,
    unit: &ObjectMeta,
    format: FileFormat,
    req: &ReadRequest,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    let is_parquet = format.format == Format::Parquet;
    let opts = ReadOptions {
        max_rows: match req.mode {
            ReadMode::Full => None,
            ReadMode::MetadataOnly => Some(1),
            // Parquet picks row groups at random and reads a few times the
            // quota; text formats read their whole window, then the scan
            // picks rows.
            ReadMode::Sample if is_parquet => Some(req.rows.saturating_mul(4)),
            ReadMode::Sample => None,
        },
        window_bytes: match req.mode {
            ReadMode::Full => None,
            _ => Some(req.window_bytes),
        },
        seed: req.seed,
        max_decompressed_bytes: req.max_decompressed_bytes,
        ..ReadOptions::default()
    };
    read_object(io, store, unit, format, &opts, sink)
}
