//! Database targets: discover each database's relations from its catalog,
//! then read tables in parallel over a bounded pool of read-only sessions.
//! Every relation becomes one asset; a failure costs that asset, not the scan.

use super::ScanArgs;
use super::scan::Mode;
use crate::classify::{AssetProfile, Classifier, mask::redact};
use crate::inventory::{Asset, AssetError, Column, TableInfo};
use crate::lineage::{self, LineageKey};
use crate::source::batch::string_field;
use crate::source::db::postgres::{self, ColumnStats, FullScan, PgSource};
use crate::source::db::{DbError, Render, TablePlan, TableRead, sqlite};
use crate::source::discover::KeyFilter;
use arrow::datatypes::Schema;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_postgres::Client;

pub struct DbJob<'a> {
    pub classifier: &'a Classifier<'a>,
    /// `--lineage`: the key fingerprints are made with.
    pub lineage: Option<&'a LineageKey>,
    pub rt: &'a tokio::runtime::Handle,
    pub mode: Mode,
    pub args: &'a ScanArgs,
    /// Globs on `schema.table` (or `table` for SQLite).
    pub tables: &'a KeyFilter,
    /// Globs on column names or `schema.table.column`.
    pub columns: &'a KeyFilter,
    /// With `--shard`: only the tables of this shard are read.
    pub shard: Option<&'a super::shard::Shard>,
}

/// What reading one relation produced, whatever the engine.
#[derive(Default)]
struct Outcome {
    rows: u64,
    bytes: u64,
    method: &'static str,
    row_count: Option<(f64, &'static str)>,
    errors: Vec<(String, String)>,
    read: bool,
}

impl Outcome {
    /// Takes in a successful read; invalid UTF-8 is reported, saying what
    /// became of those values.
    fn absorb(&mut self, r: &TableRead, invalid_fate: &str) {
        self.read = true;
        self.rows = r.rows;
        self.bytes = r.bytes;
        self.method = r.method;
        self.row_count = r.row_count;
        if r.invalid_utf8 > 0 {
            self.errors.push((
                "invalid_utf8".into(),
                format!(
                    "{} value(s) were not valid UTF-8 ({invalid_fate})",
                    r.invalid_utf8
                ),
            ));
        }
    }
}

impl DbJob<'_> {
    fn error(&self, object: &str, code: &str, message: &str) -> AssetError {
        let message = redact(self.classifier.pack(), message);
        tracing::warn!(object, code, "{message}");
        AssetError {
            object: Some(object.to_string()),
            code: code.to_string(),
            message,
        }
    }

    /// An asset standing for a whole source or database that could not be read.
    fn source_error(&self, id: &str, e: &DbError) -> Asset {
        let mut asset = empty_asset(id, "table", "postgresql");
        asset.errors.push(self.error(id, e.code, &e.message));
        asset
    }

    /// Drops excluded tables and columns.
    fn filter(&self, plans: Vec<TablePlan>) -> Vec<TablePlan> {
        plans
            .into_iter()
            .filter(|p| self.tables.accepts(&p.qualified_name()))
            .filter(|p| self.shard.is_none_or(|s| s.owns(&p.id)))
            .map(|mut p| {
                let table = p.qualified_name();
                p.columns.retain(|c| {
                    self.columns.accepts(&c.name)
                        && self.columns.accepts(&format!("{table}.{}", c.name))
                });
                p
            })
            .collect()
    }

    /// Classifies what `read` produced and builds the asset.
    fn finish(&self, plan: &TablePlan, engine: &str, profile: AssetProfile, out: Outcome) -> Asset {
        let mut columns = self.classifier.finish(profile);
        attach_comments(plan, &mut columns);
        let (row_estimate, method) = match out.row_count {
            Some((n, how)) => (Some(n.round().max(0.0) as u64), Some(how)),
            None => match plan.row_estimate {
                Some(n) => (Some(n.round().max(0.0) as u64), Some("metadata")),
                None => (None, None),
            },
        };
        let mut asset = empty_asset(
            &plan.id,
            if plan.kind.is_view() { "view" } else { "table" },
            engine,
        );
        asset.objects_total = 1;
        asset.objects_sampled = u64::from(out.read);
        asset.bytes_total = plan.bytes.unwrap_or(0);
        asset.bytes_read = out.bytes;
        asset.rows_sampled = out.rows;
        asset.schema_variants = u64::from(out.read);
        asset.row_estimate = row_estimate;
        asset.row_estimate_method = method.map(str::to_string);
        asset.columns = columns;
        asset.errors = out
            .errors
            .iter()
            .map(|(code, message)| self.error(&plan.id, code, message))
            .collect();
        asset.table = Some(TableInfo {
            engine: engine.to_string(),
            database: plan.database.clone(),
            schema: plan.schema.clone(),
            name: plan.name.clone(),
            relation_kind: plan.kind.as_str().to_string(),
            comment: plan.comment.clone(),
            sampling_method: if out.method.is_empty() {
                "not_read"
            } else {
                out.method
            }
            .to_string(),
            partitions: plan.partitions,
            foreign_keys: plan.foreign_keys.clone(),
            depends_on: plan.depends_on.clone(),
        });
        asset
    }
}

pub fn empty_asset(id: &str, kind: &str, format: &str) -> Asset {
    Asset {
        id: id.to_string(),
        kind: kind.to_string(),
        format: format.to_string(),
        objects_total: 0,
        objects_sampled: 0,
        objects_carried_forward: None,
        bytes_total: 0,
        bytes_read: 0,
        partition_keys: Vec::new(),
        schema_variants: 0,
        sampling: None,
        rows_sampled: 0,
        row_estimate: None,
        row_estimate_method: None,
        columns: Vec::new(),
        errors: Vec::new(),
        table: None,
    }
}

/// Registers every column in table order, read or not, so the inventory
/// lists them all (name hints work on unread columns too).
fn register_columns(plan: &TablePlan, profile: &mut AssetProfile) {
    for col in &plan.columns {
        match col.render {
            Render::Skip(reason) => profile.skip_typed_column(&col.name, &col.source_type, reason),
            Render::Text => {
                let schema = Arc::new(Schema::new(vec![string_field(&col.name, &col.source_type)]));
                profile.observe_schema(&RecordBatch::new_empty(schema));
            }
            // Flattened paths appear as values are read.
            Render::Json => {}
        }
    }
}

fn attach_comments(plan: &TablePlan, columns: &mut [Column]) {
    for col in columns.iter_mut() {
        if let Some(c) = plan.columns.iter().find(|c| c.name == col.path) {
            col.comment = c.comment.clone();
        }
    }
}

/// A batch of each column's values from `pg_stats`, padded with nulls.
fn stats_batch(plan: &TablePlan, stats: &ColumnStats) -> Option<RecordBatch> {
    let schema_name = plan.schema.clone().unwrap_or_default();
    let mut fields = Vec::new();
    let mut arrays: Vec<arrow::array::ArrayRef> = Vec::new();
    let mut per_column = Vec::new();
    for col in plan.read_columns().filter(|c| c.render == Render::Text) {
        if let Some(values) = stats.get(&(schema_name.clone(), plan.name.clone(), col.name.clone()))
        {
            per_column.push((col, values));
        }
    }
    let rows = per_column.iter().map(|(_, v)| v.len()).max()?;
    for (col, values) in per_column {
        let mut b = arrow::array::StringBuilder::new();
        for i in 0..rows {
            match values.get(i) {
                Some(v) => b.append_value(v),
                None => b.append_null(),
            }
        }
        fields.push(string_field(&col.name, &col.source_type));
        arrays.push(Arc::new(b.finish()));
    }
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options).ok()
}

/// Idle sessions on one database; at most one per worker thread exists.
struct PgPool<'a> {
    source: &'a PgSource,
    database: String,
    idle: Mutex<Vec<Client>>,
}

impl PgPool<'_> {
    fn get(&self, rt: &tokio::runtime::Handle) -> Result<Client, DbError> {
        if let Ok(mut idle) = self.idle.lock() {
            while let Some(c) = idle.pop() {
                if !c.is_closed() {
                    return Ok(c);
                }
            }
        }
        rt.block_on(self.source.connect(&self.database))
    }

    fn put(&self, client: Client) {
        if !client.is_closed()
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(client);
        }
    }
}

/// Scans a PostgreSQL server: the URL's database, or every database the
/// role can connect to when the URL names none or `--all-databases` is set.
pub fn scan_postgres(job: &DbJob, source: &PgSource) -> Vec<Asset> {
    let rt = job.rt;
    let deadline = source.query_deadline();
    let databases = match (&source.database, job.args.all_databases) {
        (Some(db), false) => vec![db.clone()],
        (named, _) => {
            let entry = named.clone().unwrap_or_else(|| "postgres".into());
            let listed = rt.block_on(async {
                let client = source.connect(&entry).await?;
                postgres::list_databases(&client, deadline).await
            });
            match listed {
                Ok(dbs) => dbs,
                Err(e) => return vec![job.source_error(&source.database_url(""), &e)],
            }
        }
    };
    let threads = job.args.db_connections.max(1);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            let e = DbError::new(
                "internal_error",
                format!("cannot start database workers: {e}"),
            );
            return vec![job.source_error(&source.database_url(""), &e)];
        }
    };
    let mut assets = Vec::new();
    for db in databases {
        let db_url = source.database_url(&db);
        let discovered = rt.block_on(async {
            let client = source.connect(&db).await?;
            let plans =
                postgres::discover(&client, &db_url, &db, job.args.sniff_binary, deadline).await?;
            let stats = match job.mode {
                Mode::MetadataOnly => postgres::column_stats(&client, deadline).await?,
                _ => ColumnStats::new(),
            };
            Ok::<_, DbError>((client, plans, stats))
        });
        let (client, plans, stats) = match discovered {
            Ok(d) => d,
            Err(e) => {
                assets.push(job.source_error(&db_url, &e));
                continue;
            }
        };
        let plans = job.filter(plans);
        tracing::info!(database = %db_url, relations = plans.len(), "discovered");
        let sessions = PgPool {
            source,
            database: db.clone(),
            idle: Mutex::new(vec![client]),
        };
        let scanned: Vec<Asset> = pool.install(|| {
            plans
                .par_iter()
                .map(|plan| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        scan_pg_table(job, &sessions, plan, &stats)
                    }))
                    .unwrap_or_else(|_| {
                        let e = DbError::new(
                            "internal_error",
                            "ferret failed on this table (a bug: please report it)",
                        );
                        job.source_error(&plan.id, &e)
                    })
                })
                .collect()
        });
        assets.extend(scanned);
    }
    assets
}

fn scan_pg_table(job: &DbJob, sessions: &PgPool, plan: &TablePlan, stats: &ColumnStats) -> Asset {
    let rt = job.rt;
    let deadline = sessions.source.query_deadline();
    let mut profile = AssetProfile::default();
    register_columns(plan, &mut profile);
    let mut out = Outcome::default();
    if let Some(reason) = &plan.denied {
        out.errors
            .push(("permission_denied".into(), reason.clone()));
        return job.finish(plan, "postgresql", profile, out);
    }
    if plan.kind.is_view() && !job.args.include_views && !matches!(job.mode, Mode::MetadataOnly) {
        // Flagged, classified by name only: reading a view runs its query.
        return job.finish(plan, "postgresql", profile, out);
    }
    if let Mode::MetadataOnly = job.mode {
        if let Some(batch) = stats_batch(plan, stats) {
            job.classifier.observe_batch(&batch, &mut profile);
            out.method = "pg_stats";
        }
        return job.finish(plan, "postgresql", profile, out);
    }
    let client = match sessions.get(rt) {
        Ok(c) => c,
        Err(e) => {
            out.errors.push((e.code.into(), e.message));
            return job.finish(plan, "postgresql", profile, out);
        }
    };
    match job.mode {
        Mode::Sample => {
            let rows = job.args.sample_rows as u64;
            match rt.block_on(postgres::sample(
                &client,
                plan,
                rows,
                job.args.seed,
                deadline,
            )) {
                Ok(s) => {
                    for batch in &s.batches {
                        job.classifier.observe_batch(batch, &mut profile);
                    }
                    out.absorb(&s, "not read");
                }
                Err(e) => out.errors.push((e.code.into(), e.message)),
            }
        }
        Mode::Full => {
            out.method = "copy";
            match rt.block_on(FullScan::start(&client, plan, deadline)) {
                Ok(scan) => {
                    out.read = true;
                    match stream_full(job, scan, &mut profile) {
                        Ok((rows, bytes)) => {
                            out.rows = rows;
                            out.bytes = bytes;
                            out.row_count = Some((rows as f64, "exact"));
                        }
                        Err((rows, bytes, e)) => {
                            out.rows = rows;
                            out.bytes = bytes;
                            out.errors.push((e.code.into(), e.message));
                        }
                    }
                }
                Err(e) => out.errors.push((e.code.into(), e.message)),
            }
        }
        Mode::MetadataOnly => {}
    }
    let read = out.read;
    let mut asset = job.finish(plan, "postgresql", profile, out);
    if let (Some(key), true) = (job.lineage, read) {
        fingerprint_pg(job, &client, plan, key, &mut asset);
    }
    // A session the server ended (terminated backend, shutdown) can still
    // look open for a moment after its error arrives; never hand it on.
    if !asset.errors.iter().any(|e| e.code == "connection_lost") {
        sessions.put(client);
    }
    asset
}

/// Labels (values and names) of a column, for choosing digest variants.
fn column_labels(c: &Column) -> BTreeSet<String> {
    c.labels
        .iter()
        .map(|l| l.label.clone())
        .chain(c.name_hints.iter().map(|h| h.label.clone()))
        .collect()
}

/// The lineage pass over a PostgreSQL table: the server hashes every value
/// under the key and returns only the hashes below the coordinated-sampling
/// bound (see [`postgres::lineage_hashes`]). sha1 variants need an extension
/// (pgcrypto) and are not computed for PostgreSQL sources: md5 and sha256 are.
fn fingerprint_pg(
    job: &DbJob,
    client: &Client,
    plan: &TablePlan,
    key: &LineageKey,
    asset: &mut Asset,
) {
    use lineage::fingerprint::{self as fp, Algo};
    let mut variants: HashMap<String, Vec<(String, &'static str, &'static str)>> = HashMap::new();
    for c in &asset.columns {
        for norm in fp::norms_for(&column_labels(c)) {
            for algo in [Algo::Md5, Algo::Sha256] {
                variants.entry(c.path.clone()).or_default().push((
                    fp::variant_name(algo, norm),
                    algo.name(),
                    norm.name(),
                ));
            }
        }
    }
    let shift = fp::threshold_shift(plan.row_estimate);
    let (ipad, opad) = key.sql_pads();
    let q = postgres::LineageQuery {
        ipad: &ipad,
        opad: &opad,
        bound: fp::threshold_bound(shift).map(u64::to_be_bytes),
        k: fp::K,
        variants: &variants,
    };
    let deadline = job.args.db_statement_timeout.max(1);
    let hashed = job.rt.block_on(postgres::lineage_hashes(
        client,
        plan,
        &q,
        std::time::Duration::from_secs(deadline + 5),
    ));
    let mut hashed = match hashed {
        Ok(h) => h,
        Err(e) => {
            asset
                .errors
                .push(job.error(&plan.id, e.code, &format!("lineage pass: {}", e.message)));
            return;
        }
    };
    for c in asset.columns.iter_mut() {
        let Some(mut rows) = hashed.remove(&c.path) else {
            continue;
        };
        rows.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let main: Vec<(u64, bool)> = rows
            .iter()
            .filter(|r| r.0.is_empty())
            .map(|r| (r.1, r.2))
            .collect();
        if main.is_empty() {
            continue;
        }
        let digests = main.iter().filter(|r| r.1).count();
        let mut vs = std::collections::BTreeMap::new();
        for (name, _, _) in variants.get(&c.path).map(Vec::as_slice).unwrap_or(&[]) {
            let hs = rows.iter().filter(|r| &r.0 == name).map(|r| r.1);
            vs.insert(name.clone(), fp::encode(shift, hs));
        }
        c.fingerprint = Some(crate::inventory::Fingerprint {
            key_id: key.id().to_string(),
            method: fp::METHOD.into(),
            k: fp::K as u32,
            values_hashed: None,
            digest_hex: digests as f64 >= 0.9 * main.len() as f64,
            sketch: fp::encode(shift, main.iter().map(|r| r.0)),
            variants: vs,
        });
    }
}

/// Runs a full scan with fetching and parsing (on the I/O runtime) overlapped
/// with detection (on this worker and the rayon pool); at most two batches
/// wait in between, so memory stays bounded. Returns rows and bytes read.
#[allow(clippy::type_complexity)]
fn stream_full(
    job: &DbJob,
    mut scan: FullScan,
    profile: &mut AssetProfile,
) -> Result<(u64, u64), (u64, u64, DbError)> {
    let rt = job.rt;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<RecordBatch, DbError>>(2);
    let reader = rt.spawn(async move {
        loop {
            match scan.next_batch().await {
                Ok(Some(batch)) => {
                    if tx.send(Ok(batch)).await.is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    break;
                }
            }
        }
        (scan.rows, scan.bytes())
    });
    let mut failure = None;
    while let Some(item) = rt.block_on(rx.recv()) {
        match item {
            Ok(batch) => job.classifier.observe_batch(&batch, profile),
            Err(e) => failure = Some(e),
        }
    }
    let (rows, bytes) = match rt.block_on(reader) {
        Ok(counts) => counts,
        Err(_) => {
            let e = DbError::new(
                "internal_error",
                "the reader task failed (a bug: please report it)",
            );
            return Err((0, 0, e));
        }
    };
    match failure {
        Some(e) => Err((rows, bytes, e)),
        None => Ok((rows, bytes)),
    }
}

/// Scans every table (and, with `--include-views`, view) of a SQLite file.
pub fn scan_sqlite(job: &DbJob, path: &Path) -> Vec<Asset> {
    let plans = match sqlite::discover(path, job.args.sniff_binary) {
        Ok(p) => job.filter(p),
        Err(e) => {
            let mut asset = empty_asset(&sqlite::database_url(path), "table", "sqlite");
            asset.errors.push(job.error(&asset.id, e.code, &e.message));
            return vec![asset];
        }
    };
    plans
        .par_iter()
        .map(|plan| {
            let mut profile = AssetProfile::default();
            register_columns(plan, &mut profile);
            let mut out = Outcome::default();
            let skip_view = plan.kind.is_view() && !job.args.include_views;
            if !skip_view && !matches!(job.mode, Mode::MetadataOnly) {
                let rows = match job.mode {
                    Mode::Full => None,
                    _ => Some(job.args.sample_rows as u64),
                };
                let mut sink =
                    |batch: RecordBatch| job.classifier.observe_batch(&batch, &mut profile);
                match sqlite::read(
                    path,
                    plan,
                    rows,
                    job.args.seed,
                    job.args.sniff_binary,
                    &mut sink,
                ) {
                    Ok(r) => out.absorb(&r, "replaced"),
                    Err(e) => out.errors.push((e.code.into(), e.message)),
                }
            }
            let read = out.read;
            let mut asset = job.finish(plan, "sqlite", profile, out);
            if let (Some(key), true) = (job.lineage, read) {
                fingerprint_sqlite(job, path, plan, key, &mut asset);
            }
            asset
        })
        .collect()
}

/// The lineage pass over a SQLite table: read whole, every value hashed.
fn fingerprint_sqlite(
    job: &DbJob,
    path: &Path,
    plan: &TablePlan,
    key: &LineageKey,
    asset: &mut Asset,
) {
    let norms = asset
        .columns
        .iter()
        .filter_map(|c| {
            let n = lineage::fingerprint::norms_for(&column_labels(c));
            (!n.is_empty()).then(|| (c.path.clone(), n))
        })
        .collect();
    let mut sketcher = lineage::ColumnSketcher::new(key, norms);
    let mut sink = |batch: RecordBatch| sketcher.observe(&batch);
    match sqlite::read(
        path,
        plan,
        None,
        job.args.seed,
        job.args.sniff_binary,
        &mut sink,
    ) {
        Ok(r) => asset.bytes_read += r.bytes,
        Err(e) => {
            asset
                .errors
                .push(job.error(&plan.id, e.code, &format!("lineage pass: {}", e.message)));
            return;
        }
    }
    let mut prints = sketcher.finish();
    for c in asset.columns.iter_mut() {
        c.fingerprint = prints.remove(&c.path);
    }
}
