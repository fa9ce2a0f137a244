//! PostgreSQL as a [`Source`]: the URL's database (or every database the
//! role can connect to), each relation an asset, read over a pool of
//! read-only sessions per database.

use super::{ColumnStats, FullScan, PgSource};
use crate::source::api::{
    Discovery, HashRequest, KeyedHashes, ReadMode, ReadRequest, Source, SourceAsset, SourceFailure,
};
use crate::source::db::{DbError, DbOptions, IdleSessions, TablePlan};
use crate::source::format::{BatchSink, Flow, ReadProblem, ReadStats};
use crate::source::store::ObjectMeta;
use arrow::record_batch::RecordBatch;
use std::sync::Arc;
use tokio::runtime::Handle;
use tokio_postgres::Client;

const ENGINE: &str = "postgresql";

/// A PostgreSQL server (one database, or all of them).
pub struct PgTables {
    source: PgSource,
    options: DbOptions,
}

impl PgTables {
    pub fn new(source: PgSource, options: DbOptions) -> PgTables {
        PgTables { source, options }
    }

    fn failure(&self, id: String, e: DbError) -> SourceFailure {
        SourceFailure {
            id,
            kind: "table",
            format: ENGINE,
            code: e.code,
            message: e.message,
        }
    }
}

impl Source for PgTables {
    fn target(&self) -> String {
        crate::redact::credentials(
            &self
                .source
                .database_url(self.source.database.as_deref().unwrap_or_default()),
        )
    }

    fn concurrency(&self) -> Option<usize> {
        Some(self.options.connections.max(1))
    }

    fn discover(&self, io: &Handle, mode: ReadMode) -> Discovery {
        let source = &self.source;
        let deadline = source.query_deadline();
        let mut found = Discovery::default();
        let databases = match (&source.database, self.options.all_databases) {
            (Some(db), false) => vec![db.clone()],
            (named, _) => {
                let entry = named.clone().unwrap_or_else(|| "postgres".into());
                let listed = io.block_on(async {
                    let client = source.connect(&entry).await?;
                    super::list_databases(&client, deadline).await
                });
                match listed {
                    Ok(dbs) => dbs,
                    Err(e) => {
                        found
                            .failures
                            .push(self.failure(source.database_url(""), e));
                        return found;
                    }
                }
            }
        };
        for db in databases {
            let db_url = source.database_url(&db);
            let discovered = io.block_on(async {
                let client = source.connect(&db).await?;
                let plans =
                    super::discover(&client, &db_url, &db, self.options.sniff_binary, deadline)
                        .await?;
                let stats = match mode {
                    ReadMode::MetadataOnly => super::column_stats(&client, deadline).await?,
                    _ => ColumnStats::new(),
                };
                Ok::<_, DbError>((client, plans, stats))
            });
            let (client, plans, stats) = match discovered {
                Ok(d) => d,
                Err(e) => {
                    found.failures.push(self.failure(db_url, e));
                    continue;
                }
            };
            let plans = self.options.filter(plans);
            tracing::info!(database = %db_url, relations = plans.len(), "discovered");
            let sessions = Arc::new(Sessions {
                source: source.clone(),
                database: db.clone(),
                idle: IdleSessions::new(vec![client]),
            });
            let stats = Arc::new(stats);
            for plan in plans {
                found.assets.push(Box::new(PgTable {
                    unit: [plan.unit()],
                    plan,
                    sessions: sessions.clone(),
                    stats: stats.clone(),
                    include_views: self.options.include_views,
                }));
            }
        }
        found
    }
}

/// Sessions on one database.
struct Sessions {
    source: PgSource,
    database: String,
    idle: IdleSessions<Client>,
}

impl Sessions {
    fn get(&self, io: &Handle) -> Result<Client, DbError> {
        match self.idle.take(|c| !c.is_closed()) {
            Some(c) => Ok(c),
            None => io.block_on(self.source.connect(&self.database)),
        }
    }

    /// A session the server ended (terminated backend, shutdown) can still
    /// look open for a moment after its error arrives; never hand it on.
    fn put(&self, client: Client, lost: bool) {
        let reusable = !lost && !client.is_closed();
        self.idle.give(client, reusable);
    }
}

struct PgTable {
    plan: TablePlan,
    unit: [ObjectMeta; 1],
    sessions: Arc<Sessions>,
    stats: Arc<ColumnStats>,
    include_views: bool,
}

impl SourceAsset for PgTable {
    fn id(&self) -> &str {
        &self.plan.id
    }

    fn facts(&self) -> crate::source::api::AssetFacts {
        self.plan.facts(ENGINE, self.include_views)
    }

    fn units(&self) -> &[ObjectMeta] {
        &self.unit
    }

    fn read(
        &self,
        io: &Handle,
        _unit: &ObjectMeta,
        req: &ReadRequest,
        sink: &mut dyn BatchSink,
    ) -> Result<ReadStats, ReadProblem> {
        let deadline = self.sessions.source.query_deadline();
        if req.mode == ReadMode::MetadataOnly {
            return Ok(ReadStats::default());
        }
        let client = self.sessions.get(io)?;
        let result = match req.mode {
            ReadMode::Sample => io
                .block_on(super::sample(
                    &client,
                    &self.plan,
                    req.rows as u64,
                    req.seed,
                    deadline,
                ))
                .map(|s| {
                    for batch in s.batches.iter().cloned() {
                        if let Flow::Stop = sink.batch(batch) {
                            break;
                        }
                    }
                    s.stats("not read")
                }),
            _ => io
                .block_on(FullScan::start(&client, &self.plan, deadline))
                .and_then(|scan| stream_full(io, scan, sink)),
        };
        let lost = matches!(&result, Err(e) if e.code == "connection_lost");
        self.sessions.put(client, lost);
        result.map_err(ReadProblem::from)
    }

    fn metadata_values(
        &self,
        _io: &Handle,
    ) -> Option<Result<(RecordBatch, &'static str), ReadProblem>> {
        crate::source::db::stats_batch(&self.plan, &self.stats).map(|b| Ok((b, "pg_stats")))
    }

    fn keyed_hashes(
        &self,
        io: &Handle,
        req: &HashRequest<'_>,
    ) -> Option<Result<KeyedHashes, ReadProblem>> {
        let client = match self.sessions.get(io) {
            Ok(c) => c,
            Err(e) => return Some(Err(e.into())),
        };
        // The pass reads every row: more time than one sample query.
        let deadline = self.sessions.source.query_deadline() + std::time::Duration::from_secs(5);
        let q = super::LineageQuery {
            ipad: req.ipad,
            opad: req.opad,
            bound: req.bound,
            k: req.k,
            variants: req.variants,
        };
        let result = io.block_on(super::lineage_hashes(&client, &self.plan, &q, deadline));
        let lost = matches!(&result, Err(e) if e.code == "connection_lost");
        self.sessions.put(client, lost);
        Some(result.map_err(ReadProblem::from))
    }

    fn hashes_sha1(&self) -> bool {
        // sha1 needs an extension (pgcrypto): md5 and sha256 are computed.
        false
    }
}

/// Runs a full scan with fetching and parsing (on the I/O runtime)
/// overlapped with detection (the sink, on this worker); at most two
/// batches wait in between, so memory stays bounded.
fn stream_full(
    io: &Handle,
    mut scan: FullScan,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, DbError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<RecordBatch, DbError>>(2);
    let reader = io.spawn(async move {
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
    while let Some(item) = io.block_on(rx.recv()) {
        match item {
            Ok(batch) => {
                if let Flow::Stop = sink.batch(batch) {
                    break;
                }
            }
            Err(e) => failure = Some(e),
        }
    }
    drop(rx);
    let (rows, bytes) = io.block_on(reader).map_err(|_| {
        DbError::new(
            "internal_error",
            "the reader task failed (a bug: please report it)",
        )
    })?;
    let stats = ReadStats {
        rows,
        bytes_fetched: bytes,
        method: Some("copy"),
        row_count: failure.is_none().then_some((rows as f64, "exact")),
        ..ReadStats::default()
    };
    match failure {
        // The rows before the failure were classified; the error says the
        // rest were not.
        Some(e) => Err(DbError::new(
            e.code,
            format!("{} (after {rows} rows)", e.message),
        )),
        None => Ok(stats),
    }
}
