//! MySQL and MariaDB as a [`Source`]: the URL's database (or every
//! database the role can see), each relation an asset, read over a pool of
//! read-only sessions. Table fingerprints from `information_schema` make
//! the tables incremental (`--state`): an unchanged table is not read again.

use super::{ColumnStats, FullScan, MySqlSource, Session};
use crate::source::api::{
    AssetFacts, Discovery, HashRequest, KeyedHashes, ReadMode, ReadRequest, Source, SourceAsset,
    SourceFailure,
};
use crate::source::db::{DbError, DbOptions, IdleSessions, TablePlan};
use crate::source::format::{BatchSink, Flow, ReadProblem, ReadStats};
use crate::source::store::ObjectMeta;
use arrow::record_batch::RecordBatch;
use std::sync::Arc;
use tokio::runtime::Handle;

/// The engine name of a source that could not be reached (the server's
/// flavour is known once a session is open).
const ENGINE: &str = "mysql";

/// `table.engine` and the asset's format: which server answered.
fn engine_of(session: &Session) -> &'static str {
    match session.flavor() {
        super::Flavor::MariaDb => "mariadb",
        super::Flavor::MySql => "mysql",
    }
}

/// A MySQL or MariaDB server (one database, or all the role can see).
pub struct MySqlTables {
    source: MySqlSource,
    options: DbOptions,
}

impl MySqlTables {
    pub fn new(source: MySqlSource, options: DbOptions) -> MySqlTables {
        MySqlTables { source, options }
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

impl Source for MySqlTables {
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
        let mut session = match io.block_on(source.connect()) {
            Ok(s) => s,
            Err(e) => {
                found
                    .failures
                    .push(self.failure(source.database_url(""), e));
                return found;
            }
        };
        let databases = match &source.database {
            Some(db) if !self.options.all_databases => vec![db.clone()],
            _ => match io.block_on(super::list_databases(&mut session, deadline)) {
                Ok(dbs) => dbs,
                Err(e) => {
                    found
                        .failures
                        .push(self.failure(source.database_url(""), e));
                    return found;
                }
            },
        };
        let stats = match mode {
            ReadMode::MetadataOnly => io
                .block_on(super::column_stats(&mut session, deadline))
                .unwrap_or_default(),
            _ => ColumnStats::new(),
        };
        let stats = Arc::new(stats);
        let engine = engine_of(&session);
        let sessions = Arc::new(Sessions {
            source: source.clone(),
            idle: IdleSessions::new(Vec::new()),
        });
        for db in databases {
            let db_url = source.database_url(&db);
            let discovered = io.block_on(async {
                let plans = super::discover(
                    &mut session,
                    &db_url,
                    &db,
                    self.options.sniff_binary,
                    deadline,
                )
                .await?;
                let prints = super::table_fingerprints(&mut session, &db, deadline)
                    .await
                    .unwrap_or_default();
                Ok::<_, DbError>((plans, prints))
            });
            let (plans, prints) = match discovered {
                Ok(d) => d,
                Err(e) => {
                    found.failures.push(self.failure(db_url, e));
                    continue;
                }
            };
            let plans = self.options.filter(plans);
            tracing::info!(database = %db_url, relations = plans.len(), "discovered");
            for plan in plans {
                let mut unit = plan.unit();
                // A change token the state can trust: without one the table
                // is read again every run.
                unit.etag = prints.get(&plan.name).cloned();
                found.assets.push(Box::new(MySqlTable {
                    unit: [unit],
                    plan,
                    sessions: sessions.clone(),
                    stats: stats.clone(),
                    include_views: self.options.include_views,
                    engine,
                }));
            }
        }
        sessions.put(session);
        found
    }
}

/// Read-only sessions to one server (a session is not tied to a database).
struct Sessions {
    source: MySqlSource,
    idle: IdleSessions<Session>,
}

impl Sessions {
    fn get(&self, io: &Handle) -> Result<Session, DbError> {
        match self.idle.take(|s| !s.is_closed()) {
            Some(s) => Ok(s),
            None => io.block_on(self.source.connect()),
        }
    }

    fn put(&self, session: Session) {
        let reusable = !session.is_closed();
        self.idle.give(session, reusable);
    }
}

struct MySqlTable {
    plan: TablePlan,
    unit: [ObjectMeta; 1],
    sessions: Arc<Sessions>,
    stats: Arc<ColumnStats>,
    include_views: bool,
    engine: &'static str,
}

impl SourceAsset for MySqlTable {
    fn id(&self) -> &str {
        &self.plan.id
    }

    fn facts(&self) -> AssetFacts {
        let mut facts = self.plan.facts(self.engine, self.include_views);
        facts.incremental = self.unit[0].etag.is_some();
        facts
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
        let mut session = self.sessions.get(io)?;
        match req.mode {
            ReadMode::Sample => {
                let read = io.block_on(super::sample(
                    &mut session,
                    &self.plan,
                    req.rows as u64,
                    req.seed,
                    deadline,
                ));
                let lost = matches!(&read, Err(e) if e.code == "connection_lost");
                if !lost {
                    self.sessions.put(session);
                }
                let read = read?;
                for batch in read.batches.iter().cloned() {
                    if let Flow::Stop = sink.batch(batch) {
                        break;
                    }
                }
                Ok(read.stats("replaced"))
            }
            _ => {
                let mut scan = io.block_on(FullScan::start(session, &self.plan, deadline))?;
                let mut failure = None;
                loop {
                    match io.block_on(scan.next_batch()) {
                        Ok(Some(batch)) => {
                            if let Flow::Stop = sink.batch(batch) {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            failure = Some(e);
                            break;
                        }
                    }
                }
                let (rows, bytes, invalid) = (scan.rows, scan.bytes(), scan.invalid_utf8());
                if let Some(session) = io.block_on(scan.finish()) {
                    self.sessions.put(session);
                }
                if let Some(e) = failure {
                    return Err(
                        DbError::new(e.code, format!("{} (after {rows} rows)", e.message)).into(),
                    );
                }
                let read = crate::source::db::TableRead {
                    batches: Vec::new(),
                    rows,
                    bytes,
                    method: "full_scan",
                    row_count: Some((rows as f64, "exact")),
                    invalid_utf8: invalid,
                };
                Ok(read.stats("replaced"))
            }
        }
    }

    fn metadata_values(
        &self,
        _io: &Handle,
    ) -> Option<Result<(RecordBatch, &'static str), ReadProblem>> {
        crate::source::db::stats_batch(&self.plan, &self.stats).map(|b| Ok((b, "column_stats")))
    }

    fn keyed_hashes(
        &self,
        io: &Handle,
        req: &HashRequest<'_>,
    ) -> Option<Result<KeyedHashes, ReadProblem>> {
        let mut session = match self.sessions.get(io) {
            Ok(s) => s,
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
        let result = io.block_on(super::lineage_hashes(
            &mut session,
            &self.plan,
            &q,
            deadline,
        ));
        if !matches!(&result, Err(e) if e.code == "connection_lost") {
            self.sessions.put(session);
        }
        Some(result.map_err(ReadProblem::from))
    }
}
