//! MySQL and MariaDB: discovery through `information_schema` (a few queries
//! per database, whatever its size), samples drawn from ranges of an integer
//! primary key, full scans streamed row by row over the text protocol (every
//! value arrives as text, as the server renders it). Sessions are read-only.
//!
//! One session reads every database of a server (tables are named with their
//! database), so unlike PostgreSQL a session is not tied to a database.

mod connect;
mod tables;

pub use super::postgres::{ColumnStats, LineageHashes, LineageQuery};
pub use connect::{Flavor, MySqlSettings, MySqlSource, Session, SslMode};
pub use tables::MySqlTables;

use super::{DbColumn, DbError, RelationKind, Render, TableBatchBuilder, TablePlan, TableRead};
use crate::source::db::ForeignKey;
use arrow::record_batch::RecordBatch;
use connect::bounded;
use mysql_async::prelude::{FromValue, Queryable};
use mysql_async::{Row, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

/// Rows per batch handed to detection in a full scan.
const FULL_BATCH_ROWS: usize = 8192;
/// Ranges of consecutive keys a sample of a large table is drawn from.
const SAMPLE_RANGES: u64 = 10;
/// Bytes of a binary value read with `--sniff-binary`.
const SNIFF_BYTES: usize = 65536;

/// Databases that are the server's, not the user's.
pub const SYSTEM_DATABASES: [&str; 4] =
    ["information_schema", "mysql", "performance_schema", "sys"];

/// Backtick-quotes an identifier (doubling embedded backticks).
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Column `i` of an `information_schema` row, converted; a value of another
/// type is an error, never a panic.
fn col<T: FromValue>(row: &Row, i: usize) -> Result<T, DbError> {
    match row.get_opt::<T, usize>(i) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(DbError::new(
            "query_failed",
            format!("unexpected value in catalog column {i}: {e}"),
        )),
        None => Err(DbError::new(
            "query_failed",
            format!("catalog column {i} missing"),
        )),
    }
}

/// The databases the role can see, without the server's own.
pub async fn list_databases(
    session: &mut Session,
    deadline: Duration,
) -> Result<Vec<String>, DbError> {
    let rows: Vec<Row> = bounded(
        deadline,
        session.conn.query(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
             WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') \
             ORDER BY 1",
        ),
    )
    .await?;
    rows.iter().map(|r| col::<String>(r, 0)).collect()
}

/// How a column of this declared type is read: booleans (`tinyint(1)`),
/// bits, UUIDs and geometry cannot hold personal data worth a read (or are
/// not text), binary needs `--sniff-binary`, JSON is flattened.
pub fn render_for(data_type: &str, column_type: &str, is_json: bool, sniff_binary: bool) -> Render {
    let data_type = data_type.to_ascii_lowercase();
    let column_type = column_type.to_ascii_lowercase();
    if is_json || data_type == "json" {
        return Render::Json;
    }
    match data_type.as_str() {
        "tinyint" if column_type.starts_with("tinyint(1)") => {
            Render::Skip("boolean: cannot hold personal data")
        }
        "bool" | "boolean" => Render::Skip("boolean: cannot hold personal data"),
        "bit" => Render::Skip("bit: cannot hold personal data"),
        "uuid" => Render::Skip("uuid: a random identifier, cannot hold personal data"),
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" => {
            Render::Skip("geometry: spatial values are not read")
        }
        "vector" => Render::Skip("vector: embeddings are not read"),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            if sniff_binary {
                Render::Text
            } else {
                Render::Skip("binary (blob); use --sniff-binary to read it")
            }
        }
        _ => Render::Text,
    }
}

fn is_binary(col: &DbColumn) -> bool {
    let t = col.source_type.to_ascii_lowercase();
    t.starts_with("binary") || t.starts_with("varbinary") || t.contains("blob")
}

/// Every table and view of `database`, from `information_schema` only.
/// `database_url` is [`MySqlSource::database_url`] of it.
pub async fn discover(
    session: &mut Session,
    database_url: &str,
    database: &str,
    sniff_binary: bool,
    deadline: Duration,
) -> Result<Vec<TablePlan>, DbError> {
    let server_url = database_url
        .rsplit_once('/')
        .map_or(database_url, |(s, _)| s)
        .to_string();
    let tables: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH, TABLE_COMMENT
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
            (database,),
        ),
    )
    .await?;
    let mut plans: Vec<TablePlan> = Vec::with_capacity(tables.len());
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for r in &tables {
        let name: String = col(r, 0)?;
        let kind = match col::<String>(r, 1)?.as_str() {
            "BASE TABLE" | "SYSTEM VERSIONED" => RelationKind::Table,
            "VIEW" => RelationKind::View,
            // Sequences and the server's own views hold no user data.
            _ => continue,
        };
        let comment: Option<String> = col(r, 4)?;
        // The server's comment of every view is "VIEW".
        let placeholder = |c: &String| c.is_empty() || (kind.is_view() && c == "VIEW");
        let comment = comment.filter(|c| !placeholder(c));
        by_name.insert(name.clone(), plans.len());
        plans.push(TablePlan {
            id: format!("{database_url}/{name}"),
            database: database.to_string(),
            schema: Some(database.to_string()),
            name,
            kind,
            comment,
            columns: Vec::new(),
            // InnoDB's count is an estimate from its statistics.
            row_estimate: col::<Option<u64>>(r, 2)?.map(|n| n as f64),
            bytes: col::<Option<u64>>(r, 3)?,
            partitions: 0,
            foreign_keys: Vec::new(),
            depends_on: Vec::new(),
            denied: None,
        });
    }

    let parts: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, COUNT(*) FROM information_schema.PARTITIONS
             WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL GROUP BY TABLE_NAME",
            (database,),
        ),
    )
    .await?;
    for r in &parts {
        if let Some(&i) = by_name.get(&col::<String>(r, 0)?) {
            plans[i].partitions = col(r, 1)?;
            plans[i].kind = RelationKind::PartitionedTable;
        }
    }

    let columns: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLUMN_COMMENT
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        ),
    )
    .await?;
    let mut typed: Vec<(usize, String, String, String, Option<String>)> = Vec::new();
    for r in &columns {
        let Some(&i) = by_name.get(&col::<String>(r, 0)?) else {
            continue;
        };
        let comment: Option<String> = col(r, 4)?;
        typed.push((
            i,
            col(r, 1)?,
            col::<String>(r, 2)?,
            col::<String>(r, 3)?,
            comment.filter(|c| !c.is_empty()),
        ));
    }
    // MariaDB's JSON is LONGTEXT with a `json_valid` check, which only
    // privileged users see in CHECK_CONSTRAINTS: ask each table that has
    // such a column for its definition (a SELECT privilege suffices).
    let mut json_columns: HashMap<usize, String> = HashMap::new();
    if session.flavor() == Flavor::MariaDb {
        let mut tables: Vec<usize> = typed
            .iter()
            .filter(|(i, _, dt, _, _)| {
                dt.eq_ignore_ascii_case("longtext") && plans[*i].kind != RelationKind::View
            })
            .map(|(i, ..)| *i)
            .collect();
        tables.dedup();
        for i in tables {
            let sql = format!(
                "SHOW CREATE TABLE {}.{}",
                quote_ident(database),
                quote_ident(&plans[i].name)
            );
            match bounded(deadline, session.conn.query_first::<Row, _>(sql)).await {
                Ok(Some(row)) => {
                    if let Ok(Some(ddl)) = row.get_opt::<Option<String>, usize>(1).transpose() {
                        json_columns.insert(i, ddl.unwrap_or_default());
                    }
                }
                Ok(None) => {}
                Err(e) if e.code == "connection_lost" || e.code == "timeout" => return Err(e),
                // Unreadable definition: the column is read as text.
                Err(_) => {}
            }
        }
    }
    for (i, name, data_type, column_type, comment) in typed {
        let is_json = json_columns
            .get(&i)
            .is_some_and(|ddl| ddl.contains(&format!("json_valid({})", quote_ident(&name))));
        let render = render_for(&data_type, &column_type, is_json, sniff_binary);
        plans[i].columns.push(DbColumn {
            name,
            source_type: if is_json { "json".into() } else { column_type },
            comment,
            render,
        });
    }

    // Foreign keys, for lineage (composite keys keep their column order).
    let keys: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
                    REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
             FROM information_schema.KEY_COLUMN_USAGE
             WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
             ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
            (database,),
        ),
    )
    .await?;
    for r in &keys {
        let Some(&i) = by_name.get(&col::<String>(r, 0)?) else {
            continue;
        };
        let name: String = col(r, 1)?;
        let column: String = col(r, 2)?;
        let ref_db: String = col(r, 3)?;
        let ref_table: String = col(r, 4)?;
        let ref_column: String = col(r, 5)?;
        let fks = &mut plans[i].foreign_keys;
        match fks.iter_mut().find(|fk| fk.name == name) {
            Some(fk) => {
                fk.columns.push(column);
                fk.referenced_columns.push(ref_column);
            }
            None => fks.push(ForeignKey {
                name,
                columns: vec![column],
                references: format!("{server_url}/{ref_db}/{ref_table}"),
                referenced_columns: vec![ref_column],
            }),
        }
    }

    mark_denied(session, database, &mut plans, deadline).await?;

    // What each view reads: the relations its definition names (the server
    // stores it with every table qualified and quoted). Needs SHOW VIEW or
    // being its definer; otherwise the definition is empty.
    let views: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?",
            (database,),
        ),
    )
    .await?;
    for r in &views {
        let Some(&v) = by_name.get(&col::<String>(r, 0)?) else {
            continue;
        };
        let definition: Option<String> = col(r, 1)?;
        let Some(definition) = definition.filter(|d| !d.is_empty()) else {
            continue;
        };
        let deps: Vec<String> = plans
            .iter()
            .enumerate()
            .filter(|(j, p)| {
                *j != v
                    && definition.contains(&format!(
                        "{}.{}",
                        quote_ident(database),
                        quote_ident(&p.name)
                    ))
            })
            .map(|(_, p)| p.id.clone())
            .collect();
        plans[v].depends_on = deps;
    }
    Ok(plans)
}

/// Flags the relations the session may not SELECT: no global, database or
/// table SELECT privilege (column privileges alone do not let ferret read).
/// When the privilege views show no SELECT at all (privileges through roles
/// they do not list), nothing is flagged and a read says what it can.
async fn mark_denied(
    session: &mut Session,
    database: &str,
    plans: &mut [TablePlan],
    deadline: Duration,
) -> Result<(), DbError> {
    const GRANTEE: &str = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', \
                           SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";
    let global: Vec<Row> = bounded(
        deadline,
        session.conn.query(format!(
            "SELECT 1 FROM information_schema.USER_PRIVILEGES
             WHERE PRIVILEGE_TYPE = 'SELECT' AND GRANTEE = {GRANTEE}"
        )),
    )
    .await?;
    if !global.is_empty() {
        return Ok(());
    }
    let schema: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            format!(
                "SELECT COUNT(*), COALESCE(SUM(? LIKE TABLE_SCHEMA), 0)
                 FROM information_schema.SCHEMA_PRIVILEGES
                 WHERE PRIVILEGE_TYPE = 'SELECT' AND GRANTEE = {GRANTEE}"
            ),
            (database,),
        ),
    )
    .await?;
    let (schema_any, schema_here) = match schema.first() {
        Some(r) => (col::<u64>(r, 0)?, col::<u64>(r, 1)?),
        None => (0, 0),
    };
    if schema_here > 0 {
        return Ok(());
    }
    let tables: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLE_PRIVILEGES
                 WHERE PRIVILEGE_TYPE = 'SELECT' AND GRANTEE = {GRANTEE}"
            ),
            (),
        ),
    )
    .await?;
    if tables.is_empty() && schema_any == 0 {
        return Ok(());
    }
    let mut readable = std::collections::HashSet::new();
    for r in &tables {
        if col::<String>(r, 0)? == database {
            readable.insert(col::<String>(r, 1)?);
        }
    }
    for plan in plans.iter_mut() {
        if !readable.contains(&plan.name) {
            plan.denied = Some(format!(
                "permission denied for {} {}.{} (no SELECT privilege)",
                plan.kind.as_str(),
                database,
                plan.name
            ));
        }
    }
    Ok(())
}

/// The SQL expression that reads a column (the text protocol renders every
/// value as text; binary values are cut to their first 64 KiB).
fn select_expr(col: &DbColumn) -> String {
    let q = quote_ident(&col.name);
    if is_binary(col) {
        format!("SUBSTRING({q}, 1, {SNIFF_BYTES})")
    } else {
        q
    }
}

fn select_list(plan: &TablePlan) -> String {
    let exprs: Vec<String> = plan.read_columns().map(select_expr).collect();
    if exprs.is_empty() {
        // Nothing readable: still count rows.
        "NULL".into()
    } else {
        exprs.join(", ")
    }
}

fn from_clause(plan: &TablePlan) -> String {
    format!(
        "{}.{}",
        quote_ident(plan.schema.as_deref().unwrap_or(&plan.database)),
        quote_ident(&plan.name)
    )
}

/// A value of a text-protocol row as text; invalid UTF-8 is replaced (and counted).
fn text_of<'v>(v: &'v Option<Value>, invalid_utf8: &mut u64) -> Option<Cow<'v, str>> {
    match v.as_ref()? {
        Value::NULL => None,
        Value::Bytes(b) => Some(match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                *invalid_utf8 += 1;
                String::from_utf8_lossy(b)
            }
        }),
        // The text protocol sends only bytes; other values would come from
        // the binary protocol, rendered as MySQL prints them.
        Value::Int(i) => Some(Cow::Owned(i.to_string())),
        Value::UInt(u) => Some(Cow::Owned(u.to_string())),
        Value::Float(f) => Some(Cow::Owned(f.to_string())),
        Value::Double(d) => Some(Cow::Owned(d.to_string())),
        other => Some(Cow::Owned(
            other.as_sql(true).trim_matches('\'').to_string(),
        )),
    }
}

/// Pushes one text-protocol row into `builder`.
fn push_row(builder: &mut TableBatchBuilder, row: Row, invalid_utf8: &mut u64) {
    let raw = row.unwrap_raw();
    let texts: SmallVec<[Option<Cow<str>>; 16]> =
        raw.iter().map(|v| text_of(v, invalid_utf8)).collect();
    builder.push_row(|i| texts.get(i).and_then(|t| t.as_deref()));
}

/// Runs `sql` and pushes every row it returns; returns how many.
async fn read_into(
    session: &mut Session,
    sql: &str,
    builder: &mut TableBatchBuilder,
    invalid_utf8: &mut u64,
    deadline: Duration,
) -> Result<u64, DbError> {
    let work = async {
        let mut result = session.conn.query_iter(sql).await?;
        let mut n = 0u64;
        while let Some(row) = result.next().await? {
            push_row(builder, row, invalid_utf8);
            n += 1;
        }
        Ok::<u64, mysql_async::Error>(n)
    };
    bounded(deadline, work).await
}

/// The single-column integer key of a table, if it has one: `(name, unsigned)`.
async fn integer_key(
    session: &mut Session,
    plan: &TablePlan,
    deadline: Duration,
) -> Result<Option<String>, DbError> {
    let rows: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_KEY = 'PRI'",
            (plan.schema.as_deref().unwrap_or(&plan.database), &plan.name),
        ),
    )
    .await?;
    if rows.len() != 1 {
        return Ok(None);
    }
    let name: String = col(&rows[0], 0)?;
    let data_type: String = col(&rows[0], 1)?;
    let integer = matches!(
        data_type.to_ascii_lowercase().as_str(),
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    );
    Ok(integer.then_some(name))
}

/// Reads up to `rows` rows. A table with a single-column integer primary
/// key whose key span is over twice `rows` is sampled from `SAMPLE_RANGES`
/// seeded runs of consecutive keys, one in each equal stratum of the span
/// (`pk_ranges`: index range reads, never the whole table); other tables
/// and views with `LIMIT` (`limit`, or `whole_table` when fewer rows came
/// back).
pub async fn sample(
    session: &mut Session,
    plan: &TablePlan,
    rows: u64,
    seed: u64,
    deadline: Duration,
) -> Result<TableRead, DbError> {
    let select = select_list(plan);
    let from = from_clause(plan);
    let mut builder = TableBatchBuilder::new(plan);
    let mut invalid_utf8 = 0u64;
    let rows = rows.max(1);
    let mut drawn = None;
    if !plan.kind.is_view()
        && let Some(key) = integer_key(session, plan, deadline).await?
    {
        let q = quote_ident(&key);
        let bounds: Option<Row> = bounded(
            deadline,
            session.conn.query_first(format!(
                "SELECT CAST(MIN({q}) AS CHAR), CAST(MAX({q}) AS CHAR) FROM {from}"
            )),
        )
        .await?;
        let parse = |i: usize| -> Option<i128> {
            bounds
                .as_ref()?
                .get_opt::<Option<String>, usize>(i)?
                .ok()??
                .parse()
                .ok()
        };
        if let (Some(lo), Some(hi)) = (parse(0), parse(1)) {
            let span = (hi - lo + 1) as u128;
            if span > u128::from(rows) * 2 {
                // One seeded run in each of SAMPLE_RANGES equal strata of the
                // key span, started early enough to fit in its stratum.
                let mut rng = crate::source::seed::SeededRng::new(seed, &plan.id);
                let per = rows.div_ceil(SAMPLE_RANGES);
                let width = span / u128::from(SAMPLE_RANGES);
                let room = width.saturating_sub(u128::from(per)) + 1;
                let mut total = 0u64;
                for i in 0..u128::from(SAMPLE_RANGES) {
                    let start = lo + (i * width + u128::from(rng.next_u64()) % room) as i128;
                    let sql = format!(
                        "SELECT {select} FROM {from} WHERE {q} >= {start} ORDER BY {q} LIMIT {per}"
                    );
                    total +=
                        read_into(session, &sql, &mut builder, &mut invalid_utf8, deadline).await?;
                }
                drawn = Some((total, "pk_ranges", None));
            }
        }
    }
    let (total, method, row_count) = match drawn {
        Some(d) => d,
        None => {
            let sql = format!("SELECT {select} FROM {from} LIMIT {rows}");
            let n = read_into(session, &sql, &mut builder, &mut invalid_utf8, deadline).await?;
            if n < rows {
                (n, "whole_table", Some((n as f64, "exact")))
            } else {
                (n, "limit", None)
            }
        }
    };
    let bytes = builder.bytes();
    Ok(TableRead {
        batches: vec![builder.finish()],
        rows: total,
        bytes,
        method,
        row_count,
        invalid_utf8,
    })
}

type Chunk = Result<(RecordBatch, u64, u64), DbError>;

/// A full scan in progress: `SELECT ... FROM table` over the text protocol,
/// rows turned into batches as they stream in by a task that owns the
/// session; at most two batches wait, so memory stays bounded whatever the
/// table's size. The session comes back with [`FullScan::finish`] when the
/// scan ended cleanly.
pub struct FullScan {
    rx: tokio::sync::mpsc::Receiver<Chunk>,
    task: tokio::task::JoinHandle<Option<Session>>,
    bytes: u64,
    invalid_utf8: u64,
    pub rows: u64,
}

impl FullScan {
    /// Starts the query; an error the server gives at once (no privilege, no
    /// such table, a lock) is returned here.
    pub async fn start(
        session: Session,
        plan: &TablePlan,
        deadline: Duration,
    ) -> Result<FullScan, DbError> {
        let sql = format!("SELECT {} FROM {}", select_list(plan), from_clause(plan));
        let plan = plan.clone();
        let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(2);
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<Result<(), DbError>>();
        let task = tokio::spawn(async move {
            let mut session = session;
            let mut result = match bounded(deadline, session.conn.query_iter(sql)).await {
                Ok(r) => {
                    let _ = started_tx.send(Ok(()));
                    r
                }
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                    return None;
                }
            };
            let mut builder = TableBatchBuilder::new(&plan);
            let mut invalid_utf8 = 0u64;
            loop {
                let row = match tokio::time::timeout(deadline, result.next()).await {
                    Ok(Ok(row)) => row,
                    Ok(Err(e)) => {
                        let _ = tx.send(Err(e.into())).await;
                        return None;
                    }
                    Err(_) => {
                        let e = DbError::new(
                            "timeout",
                            format!("no data from the server within {deadline:?}"),
                        );
                        let _ = tx.send(Err(e)).await;
                        return None;
                    }
                };
                let Some(row) = row else { break };
                push_row(&mut builder, row, &mut invalid_utf8);
                if builder.rows() >= FULL_BATCH_ROWS {
                    let bytes = builder.bytes();
                    if tx
                        .send(Ok((builder.finish(), bytes, invalid_utf8)))
                        .await
                        .is_err()
                    {
                        // The reader gave up: the session is mid-result, not reusable.
                        return None;
                    }
                }
            }
            drop(result);
            if builder.rows() > 0 {
                let bytes = builder.bytes();
                let _ = tx.send(Ok((builder.finish(), bytes, invalid_utf8))).await;
            }
            Some(session)
        });
        match started_rx.await {
            Ok(Ok(())) => Ok(FullScan {
                rx,
                task,
                bytes: 0,
                invalid_utf8: 0,
                rows: 0,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(DbError::new(
                "internal_error",
                "the full-scan task ended before the query started",
            )),
        }
    }

    /// Bytes of text received so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Values that were not valid UTF-8 so far (replaced by U+FFFD).
    pub fn invalid_utf8(&self) -> u64 {
        self.invalid_utf8
    }

    /// The next batch of up to 8,192 rows; `None` at the end.
    pub async fn next_batch(&mut self) -> Result<Option<RecordBatch>, DbError> {
        match self.rx.recv().await {
            None => Ok(None),
            Some(Err(e)) => Err(e),
            Some(Ok((batch, bytes, invalid))) => {
                self.rows += batch.num_rows() as u64;
                self.bytes = bytes;
                self.invalid_utf8 = invalid;
                Ok(Some(batch))
            }
        }
    }

    /// The session back, once every batch was taken and the scan ended
    /// without error; `None` otherwise (the session is then closed).
    pub async fn finish(self) -> Option<Session> {
        drop(self.rx);
        self.task.await.ok().flatten()
    }
}

/// What tells, without reading a row, whether each table of `database`
/// changed since the last run: a digest of `information_schema.TABLES`'
/// `UPDATE_TIME`, `TABLE_ROWS`, `DATA_LENGTH`, `INDEX_LENGTH`,
/// `AUTO_INCREMENT`, `CREATE_TIME`, the engine, and the columns' names and
/// types, keyed by table name. Views have none (their rows are other
/// tables'), so they are always read again. `CHECKSUM TABLE` would be exact
/// but reads every row.
///
/// What it misses: a change that keeps the row count estimate, the data and
/// index sizes and the auto-increment counter (an `UPDATE` of values in
/// place) when `UPDATE_TIME` does not move, which happens when the engine
/// does not keep it (InnoDB keeps it in memory only: after a restart it is
/// NULL until the next write, so a write just before a restart and another
/// restart before the next run is missed; partitioned tables on older
/// servers) . It reports changes that are not: InnoDB re-estimating its row
/// count, a restart clearing `UPDATE_TIME`, `OPTIMIZE TABLE`. On MySQL 8
/// sessions ask for fresh statistics (`information_schema_stats_expiry =
/// 0`), else the server would answer from a day-old cache.
pub async fn table_fingerprints(
    session: &mut Session,
    database: &str,
    deadline: Duration,
) -> Result<HashMap<String, String>, DbError> {
    use sha2::{Digest, Sha256};
    let tables: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, COALESCE(ENGINE, ''), COALESCE(CAST(CREATE_TIME AS CHAR), ''),
                    COALESCE(CAST(UPDATE_TIME AS CHAR), ''), COALESCE(CAST(TABLE_ROWS AS CHAR), ''),
                    COALESCE(CAST(DATA_LENGTH AS CHAR), ''), COALESCE(CAST(INDEX_LENGTH AS CHAR), ''),
                    COALESCE(CAST(AUTO_INCREMENT AS CHAR), '')
             FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
            (database,),
        ),
    )
    .await?;
    let columns: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        ),
    )
    .await?;
    let mut digests: HashMap<String, Sha256> = HashMap::new();
    for r in &tables {
        let mut h = Sha256::new();
        for i in 1..8 {
            h.update(col::<String>(r, i)?.as_bytes());
            h.update([0u8]);
        }
        digests.insert(col(r, 0)?, h);
    }
    for r in &columns {
        if let Some(h) = digests.get_mut(&col::<String>(r, 0)?) {
            h.update(col::<String>(r, 1)?.as_bytes());
            h.update([1u8]);
            h.update(col::<String>(r, 2)?.as_bytes());
            h.update([2u8]);
        }
    }
    Ok(digests
        .into_iter()
        .map(|(t, h)| (t, hex::encode(h.finalize())))
        .collect())
}

/// One text the lineage pass hashes: a column's value or one of its digest variants.
struct Combo {
    col: usize,
    /// `""` for the value itself, else `algo:norm`.
    variant: String,
    /// The SQL expression of the text hashed.
    text: String,
    plain: bool,
}

/// The lineage pass, as PostgreSQL's ([`super::postgres::lineage_hashes`]):
/// one scan of the table computes, for every text column, the keyed hash
/// (HMAC-SHA256 from the pads, first 8 bytes) of each value (hex-only values
/// of 16 or more digits lower-cased) and of each digest variant (`md5`,
/// `sha1`, `sha256` of the value lower-cased and trimmed, or of its digits),
/// keeps those below the bound and returns the `k` smallest distinct per
/// column and variant: no value leaves the server. Values are hashed as
/// UTF-8 whatever the column's character set. Binary columns are left out
/// (the server would not render them as ferret does). Needs window
/// functions: MariaDB 10.2+, MySQL 8.0+.
pub async fn lineage_hashes(
    session: &mut Session,
    plan: &TablePlan,
    q: &LineageQuery<'_>,
    deadline: Duration,
) -> Result<LineageHashes, DbError> {
    let cols: Vec<&DbColumn> = plan
        .read_columns()
        .filter(|c| c.render == Render::Text && !is_binary(c))
        .collect();
    if cols.is_empty() {
        return Ok(LineageHashes::new());
    }
    let mut inner = Vec::new();
    let mut combos: Vec<Combo> = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        inner.push(format!(
            "CONVERT({} USING utf8mb4) AS x{i}",
            quote_ident(&c.name)
        ));
        combos.push(Combo {
            col: i,
            variant: String::new(),
            text: format!(
                "CASE WHEN CAST(x{i} AS BINARY) REGEXP '^[0-9A-Fa-f]{{16,}}$' THEN LOWER(x{i}) ELSE x{i} END"
            ),
            plain: true,
        });
        for (name, algo, norm) in q.variants.get(&c.name).map(Vec::as_slice).unwrap_or(&[]) {
            let n = match *norm {
                "lower_trim" => format!("LOWER(TRIM(BOTH ' ' FROM x{i}))"),
                "digits" => format!("REGEXP_REPLACE(x{i}, '[^0-9]', '')"),
                _ => format!("x{i}"),
            };
            let n = format!("NULLIF({n}, '')");
            let d = match *algo {
                "md5" => format!("MD5({n})"),
                "sha1" => format!("SHA1({n})"),
                "sha256" => format!("SHA2({n}, 256)"),
                _ => continue,
            };
            combos.push(Combo {
                col: i,
                variant: name.replace(['\'', '\\'], ""),
                text: d,
                plain: false,
            });
        }
    }
    let case = |f: &dyn Fn(&Combo) -> String| -> String {
        let arms: Vec<String> = combos
            .iter()
            .enumerate()
            .map(|(n, c)| format!("WHEN {n} THEN {}", f(c)))
            .collect();
        format!("CASE v.n {} END", arms.join(" "))
    };
    let numbers: Vec<String> = (0..combos.len())
        .map(|n| format!("SELECT {n} AS n"))
        .collect();
    let sql = format!(
        "SELECT col, variant, HEX(h), d FROM (
           SELECT col, variant, h, MAX(d) AS d,
                  ROW_NUMBER() OVER (PARTITION BY col, variant ORDER BY h) AS rn
           FROM (
             SELECT col, variant,
                    IF(plain, CAST(y AS BINARY) REGEXP '^([0-9a-f]{{32}}|[0-9a-f]{{40}}|[0-9a-f]{{64}})$', 1) AS d,
                    SUBSTRING(UNHEX(SHA2(CONCAT(UNHEX(?), UNHEX(SHA2(CONCAT(UNHEX(?), CAST(y AS BINARY)), 256))), 256)), 1, 8) AS h
             FROM (
               SELECT {col} AS col, {variant} AS variant, {plain} AS plain, {y} AS y
               FROM (SELECT {inner} FROM {from}) t CROSS JOIN ({numbers}) v
             ) s
             WHERE y IS NOT NULL
           ) u
           WHERE ? IS NULL OR h < UNHEX(?)
           GROUP BY col, variant, h
         ) w WHERE rn <= {k}",
        col = case(&|c| c.col.to_string()),
        variant = case(&|c| format!("'{}'", c.variant)),
        plain = case(&|c| u8::from(c.plain).to_string()),
        y = case(&|c| c.text.clone()),
        inner = inner.join(", "),
        from = from_clause(plan),
        numbers = numbers.join(" UNION ALL "),
        k = q.k,
    );
    let bound = q.bound.map(hex::encode);
    let rows: Vec<Row> = bounded(
        deadline,
        session.conn.exec(
            sql,
            (
                hex::encode(q.opad),
                hex::encode(q.ipad),
                bound.clone(),
                bound,
            ),
        ),
    )
    .await?;
    let mut out = LineageHashes::new();
    for r in &rows {
        let i: i64 = col(r, 0)?;
        let variant: String = col(r, 1)?;
        let h: String = col(r, 2)?;
        let d: Option<i64> = col(r, 3)?;
        let (Some(c), Ok(h)) = (
            usize::try_from(i).ok().and_then(|i| cols.get(i)),
            u64::from_str_radix(&h, 16),
        ) else {
            continue;
        };
        out.entry(c.name.clone())
            .or_default()
            .push((variant, h, d.unwrap_or(0) != 0));
    }
    Ok(out)
}

/// Values the server's column statistics hold, keyed by `(database, table,
/// column)`: a signal for metadata-only scans that reads no table rows.
/// MariaDB keeps them in `mysql.column_stats` (minimum, maximum and, since
/// 10.8, a JSON histogram's bucket bounds) after `ANALYZE TABLE ...
/// PERSISTENT FOR ...`, readable only with a grant on that table; MySQL 8 in
/// `information_schema.COLUMN_STATISTICS` after `ANALYZE TABLE ... UPDATE
/// HISTOGRAM`. Statistics the role may not read give an empty map, not an
/// error.
pub async fn column_stats(
    session: &mut Session,
    deadline: Duration,
) -> Result<ColumnStats, DbError> {
    let sql = match session.flavor() {
        Flavor::MariaDb => {
            "SELECT db_name, table_name, column_name, min_value, max_value, hist_type, histogram
             FROM mysql.column_stats
             WHERE db_name NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')"
        }
        Flavor::MySql => {
            "SELECT SCHEMA_NAME, TABLE_NAME, COLUMN_NAME, NULL, NULL, 'MYSQL', HISTOGRAM
             FROM information_schema.COLUMN_STATISTICS
             WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')"
        }
    };
    let rows: Vec<Row> = match bounded(deadline, session.conn.query(sql)).await {
        Ok(rows) => rows,
        Err(e) if matches!(e.code, "permission_denied" | "table_not_found") => {
            return Ok(ColumnStats::new());
        }
        Err(e) => return Err(e),
    };
    let mut out = ColumnStats::new();
    for r in &rows {
        let key = (col(r, 0)?, col(r, 1)?, col(r, 2)?);
        let mut values = Vec::new();
        for i in [3, 4] {
            if let Some(Ok(Some(v))) = r.get_opt::<Option<Vec<u8>>, usize>(i) {
                values.push(String::from_utf8_lossy(&v).into_owned());
            }
        }
        let kind: Option<String> = col(r, 5)?;
        if let Some(Ok(Some(h))) = r.get_opt::<Option<Vec<u8>>, usize>(6) {
            values.extend(histogram_values(kind.as_deref().unwrap_or(""), &h));
        }
        values.dedup();
        if !values.is_empty() {
            out.insert(key, values);
        }
    }
    Ok(out)
}

/// Bucket bounds of a JSON histogram: MariaDB's `JSON_HB`
/// (`{"histogram_hb": [{"start": v, "end": v}, ...]}`) or MySQL 8's
/// (`{"buckets": [[v, ...], ...]}`, strings as `base64:type254:...`).
/// MariaDB's binary histograms (`SINGLE_PREC_HB`, `DOUBLE_PREC_HB`) hold
/// positions, not values: nothing.
fn histogram_values(kind: &str, histogram: &[u8]) -> Vec<String> {
    use base64::Engine;
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(histogram) else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => match s.strip_prefix("base64:") {
                Some(rest) => {
                    let b64 = rest.split_once(':').map_or(rest, |(_, b)| b);
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                }
                None => Some(s.clone()),
            },
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    if kind.eq_ignore_ascii_case("JSON_HB") {
        for b in doc["histogram_hb"].as_array().into_iter().flatten() {
            out.extend(["start", "end"].iter().filter_map(|k| text(&b[*k])));
        }
    } else if kind == "MYSQL" {
        let bounds = if doc["histogram-type"] == "equi-height" {
            2
        } else {
            1
        };
        for b in doc["buckets"].as_array().into_iter().flatten() {
            for v in b.as_array().into_iter().flatten().take(bounds) {
                out.extend(text(v));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_backtick_quoted() {
        assert_eq!(quote_ident("a`b"), "`a``b`");
        assert_eq!(
            quote_ident("we\"ird`; DROP TABLE x; --"),
            "`we\"ird``; DROP TABLE x; --`"
        );
    }

    #[test]
    fn types_decide_what_is_read() {
        assert_eq!(
            render_for("tinyint", "tinyint(1)", false, false),
            Render::Skip("boolean: cannot hold personal data")
        );
        assert_eq!(
            render_for("tinyint", "tinyint(4)", false, false),
            Render::Text
        );
        assert!(matches!(
            render_for("varbinary", "varbinary(16)", false, false),
            Render::Skip(_)
        ));
        assert_eq!(render_for("blob", "blob", false, true), Render::Text);
        assert_eq!(render_for("json", "json", false, false), Render::Json);
        assert_eq!(
            render_for("longtext", "longtext", true, false),
            Render::Json
        );
        assert_eq!(
            render_for("longtext", "longtext", false, false),
            Render::Text
        );
        assert!(matches!(
            render_for("point", "point", false, false),
            Render::Skip(_)
        ));
        assert!(matches!(
            render_for("bit", "bit(8)", false, true),
            Render::Skip(_)
        ));
        assert!(matches!(
            render_for("uuid", "uuid", false, false),
            Render::Skip(_)
        ));
        for (dt, ct) in [
            ("varchar", "varchar(20)"),
            ("decimal", "decimal(10,2)"),
            ("date", "date"),
            ("datetime", "datetime"),
            ("enum", "enum('a','b')"),
            ("bigint", "bigint(20) unsigned"),
        ] {
            assert_eq!(render_for(dt, ct, false, false), Render::Text, "{ct}");
        }
    }

    #[test]
    fn text_values_count_invalid_utf8() {
        let mut bad = 0;
        let ok = Some(Value::Bytes(b"caf\xc3\xa9".to_vec()));
        assert_eq!(text_of(&ok, &mut bad).as_deref(), Some("café"));
        let invalid = Some(Value::Bytes(b"a\xffb".to_vec()));
        assert_eq!(text_of(&invalid, &mut bad).as_deref(), Some("a\u{fffd}b"));
        assert_eq!(text_of(&Some(Value::NULL), &mut bad), None);
        assert_eq!(text_of(&None, &mut bad), None);
        assert_eq!(bad, 1);
    }

    #[test]
    fn histograms_give_their_bucket_bounds() {
        let maria = br#"{"target_histogram_size": 254, "histogram_hb": [
            {"start": "anna@example.com", "size": 0.5, "ndv": 2},
            {"start": "li@example.org", "end": "omar@example.net", "size": 0.5, "ndv": 2}]}"#;
        assert_eq!(
            histogram_values("JSON_HB", maria),
            ["anna@example.com", "li@example.org", "omar@example.net"]
        );
        // "am9AZXhhbXBsZS5jb20=" is base64 of "jo@example.com".
        let mysql = br#"{"buckets": [["base64:type254:am9AZXhhbXBsZS5jb20=", 0.5], [42, 1.0]],
            "histogram-type": "singleton"}"#;
        assert_eq!(histogram_values("MYSQL", mysql), ["jo@example.com", "42"]);
        assert!(histogram_values("DOUBLE_PREC_HB", b"\x01\x02").is_empty());
        assert!(histogram_values("JSON_HB", b"not json").is_empty());
    }
}
