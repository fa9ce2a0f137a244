//! PostgreSQL: discovery through `pg_catalog` (a few queries per database,
//! whatever its size), samples with `TABLESAMPLE`, full scans streamed with
//! `COPY ... TO STDOUT`. Every value is rendered to text on the server.

mod connect;
mod tables;

pub use connect::{PgError, PgSettings, PgSource, SslMode};
pub use tables::PgTables;

use super::{DbColumn, RelationKind, Render, TableBatchBuilder, TablePlan, TableRead, quote_ident};
use crate::source::db::ForeignKey;
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::StreamExt;
use std::collections::HashMap;
use std::pin::Pin;
use std::time::Duration;
use tokio_postgres::{Client, CopyOutStream};

/// Rows per batch handed to detection in a full scan.
const FULL_BATCH_ROWS: usize = 8192;

/// Schemas that are the server's, not the user's.
const SYSTEM_SCHEMA_FILTER: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

/// Runs `fut` but gives up after `deadline`: a server that stops answering
/// must not hang the scan.
async fn bounded<T>(
    deadline: Duration,
    fut: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, PgError> {
    match tokio::time::timeout(deadline, fut).await {
        Ok(r) => r.map_err(PgError::from),
        Err(_) => Err(PgError::new(
            "timeout",
            format!("the server did not answer within {deadline:?}"),
        )),
    }
}

/// The databases the role may connect to (for `postgres://host:port/`).
pub async fn list_databases(client: &Client, deadline: Duration) -> Result<Vec<String>, PgError> {
    let rows = bounded(
        deadline,
        client.query(
            "SELECT datname::text FROM pg_catalog.pg_database \
             WHERE datallowconn AND NOT datistemplate \
               AND has_database_privilege(datname, 'CONNECT') ORDER BY 1",
            &[],
        ),
    )
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<_, String>(0).ok())
        .collect())
}

/// Values PostgreSQL's statistics hold for one column (most common values
/// and histogram bounds), keyed by `(schema, table, column)`.
pub type ColumnStats = HashMap<(String, String, String), Vec<String>>;

/// Every relation of a database the scan could read, from `pg_catalog` only.
pub async fn discover(
    client: &Client,
    database_url: &str,
    database: &str,
    sniff_binary: bool,
    deadline: Duration,
) -> Result<Vec<TablePlan>, PgError> {
    let relations = bounded(
        deadline,
        client.query(
            &format!(
                "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text,
                        c.reltuples::float8, obj_description(c.oid, 'pg_class'),
                        has_schema_privilege(n.oid, 'USAGE'),
                        has_table_privilege(c.oid, 'SELECT'),
                        (c.relpages::int8 * current_setting('block_size')::int8)
                 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
                   AND {SYSTEM_SCHEMA_FILTER}
                 ORDER BY 2, 3"
            ),
            &[],
        ),
    )
    .await?;
    let mut plans: Vec<TablePlan> = Vec::with_capacity(relations.len());
    let mut by_oid: HashMap<i64, usize> = HashMap::new();
    for r in &relations {
        let oid: i64 = r.try_get(0)?;
        let schema: String = r.try_get(1)?;
        let name: String = r.try_get(2)?;
        let kind = match r.try_get::<_, String>(3)?.as_str() {
            "p" => RelationKind::PartitionedTable,
            "v" => RelationKind::View,
            "m" => RelationKind::MaterializedView,
            "f" => RelationKind::ForeignTable,
            _ => RelationKind::Table,
        };
        let reltuples: f64 = r.try_get(4)?;
        let schema_usage: bool = r.try_get(6)?;
        let select: bool = r.try_get(7)?;
        let denied = if !schema_usage {
            Some(format!("permission denied for schema {schema}"))
        } else if !select {
            Some(format!(
                "permission denied for {} {schema}.{name}",
                kind.as_str()
            ))
        } else {
            None
        };
        by_oid.insert(oid, plans.len());
        plans.push(TablePlan {
            id: format!("{database_url}/{schema}.{name}"),
            database: database.to_string(),
            schema: Some(schema),
            name,
            kind,
            comment: r.try_get(5)?,
            columns: Vec::new(),
            // -1 (since PostgreSQL 14) means never analyzed; so does 0 on an
            // unanalyzed heap with pages, which the caller double-checks.
            row_estimate: (reltuples >= 0.0 && kind != RelationKind::PartitionedTable)
                .then_some(reltuples),
            bytes: r.try_get::<_, i64>(8).ok().map(|b| b.max(0) as u64),
            partitions: 0,
            foreign_keys: Vec::new(),
            depends_on: Vec::new(),
            denied,
        });
    }

    // Partitioned tables: one asset, with the leaves' rows and size.
    let parts = bounded(
        deadline,
        client.query(
            "SELECT p.oid::int8, count(*)::int8, sum(greatest(c.reltuples, 0))::float8,
                    bool_or(c.reltuples < 0), sum(c.relpages::int8 * current_setting('block_size')::int8)::int8
             FROM pg_catalog.pg_class p, LATERAL pg_partition_tree(p.oid) t
             JOIN pg_catalog.pg_class c ON c.oid = t.relid
             WHERE p.relkind = 'p' AND NOT p.relispartition AND t.isleaf
             GROUP BY p.oid",
            &[],
        ),
    )
    .await?;
    for r in &parts {
        if let Some(&i) = by_oid.get(&r.try_get::<_, i64>(0)?) {
            let plan = &mut plans[i];
            plan.partitions = r.try_get::<_, i64>(1)?.max(0) as u64;
            let unknown: bool = r.try_get(3)?;
            plan.row_estimate = (!unknown).then_some(r.try_get::<_, f64>(2)?);
            plan.bytes = r.try_get::<_, i64>(4).ok().map(|b| b.max(0) as u64);
        }
    }

    let columns = bounded(
        deadline,
        client.query(
            &format!(
                "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod),
                        t.typcategory::text, t.typname::text, coalesce(et.typcategory::text, ''),
                        coalesce(et.typname::text, ''), col_description(a.attrelid, a.attnum)
                 FROM pg_catalog.pg_attribute a
                 JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
                 WHERE a.attnum > 0 AND NOT a.attisdropped
                   AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
                   AND {SYSTEM_SCHEMA_FILTER}
                 ORDER BY a.attrelid, a.attnum"
            ),
            &[],
        ),
    )
    .await?;
    for r in &columns {
        let Some(&i) = by_oid.get(&r.try_get::<_, i64>(0)?) else {
            continue;
        };
        let category: String = r.try_get(3)?;
        let typname: String = r.try_get(4)?;
        let elem_category: String = r.try_get(5)?;
        let elem_name: String = r.try_get(6)?;
        plans[i].columns.push(DbColumn {
            name: r.try_get(1)?,
            source_type: r.try_get(2)?,
            comment: r.try_get(7)?,
            render: render_for(
                &category,
                &typname,
                &elem_category,
                &elem_name,
                sniff_binary,
            ),
        });
    }

    // Foreign keys, for lineage.
    let fks = bounded(
        deadline,
        client.query(
            "SELECT con.conrelid::int8, con.conname::text, con.confrelid::int8,
                    ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
                    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)
             FROM pg_catalog.pg_constraint con WHERE con.contype = 'f'",
            &[],
        ),
    )
    .await?;
    for r in &fks {
        let (Some(&from), Some(&to)) = (
            by_oid.get(&r.try_get::<_, i64>(0)?),
            by_oid.get(&r.try_get::<_, i64>(2)?),
        ) else {
            continue;
        };
        let fk = ForeignKey {
            name: r.try_get(1)?,
            columns: r.try_get(3)?,
            references: plans[to].id.clone(),
            referenced_columns: r.try_get(4)?,
        };
        plans[from].foreign_keys.push(fk);
    }

    // What each view reads (through its rewrite rule's dependencies).
    let deps = bounded(
        deadline,
        client.query(
            "SELECT DISTINCT r.ev_class::int8, d.refobjid::int8
             FROM pg_catalog.pg_rewrite r
             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
             WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class",
            &[],
        ),
    )
    .await?;
    for r in &deps {
        if let (Some(&view), Some(&source)) = (
            by_oid.get(&r.try_get::<_, i64>(0)?),
            by_oid.get(&r.try_get::<_, i64>(1)?),
        ) {
            let id = plans[source].id.clone();
            if !plans[view].depends_on.contains(&id) {
                plans[view].depends_on.push(id);
            }
        }
    }
    Ok(plans)
}

/// How a column of this type is read. Booleans cannot hold personal data;
/// binary needs `--sniff-binary`; structured values are flattened.
fn render_for(
    category: &str,
    typname: &str,
    elem_category: &str,
    elem_name: &str,
    sniff_binary: bool,
) -> Render {
    let scalar = |category: &str, typname: &str| match (category, typname) {
        ("B", _) => Render::Skip("boolean: cannot hold personal data"),
        (_, "uuid") => Render::Skip("uuid: a random identifier, cannot hold personal data"),
        (_, "bytea") if !sniff_binary => {
            Render::Skip("binary (bytea); use --sniff-binary to read it")
        }
        (_, "json" | "jsonb") | ("C", _) => Render::Json,
        _ => Render::Text,
    };
    if category == "A" {
        return match scalar(elem_category, elem_name) {
            Render::Skip(reason) => Render::Skip(reason),
            _ => Render::Json,
        };
    }
    scalar(category, typname)
}

/// The SQL expression that renders a column as text.
fn select_expr(col: &DbColumn) -> String {
    let q = quote_ident(&col.name);
    match col.render {
        Render::Json => format!("to_jsonb({q})::text"),
        _ if col.source_type == "bytea" => {
            format!("encode(substring({q} from 1 for 65536), 'escape')")
        }
        _ => format!("{q}::text"),
    }
}

fn select_list(plan: &TablePlan) -> String {
    let exprs: Vec<String> = plan.read_columns().map(select_expr).collect();
    if exprs.is_empty() {
        // Nothing readable: still count rows.
        "NULL::text".into()
    } else {
        exprs.join(", ")
    }
}

fn from_clause(plan: &TablePlan) -> String {
    match &plan.schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&plan.name)),
        None => quote_ident(&plan.name),
    }
}

/// Reads up to `rows` rows: a small table whole; a large one through
/// `TABLESAMPLE SYSTEM` (pages at random, cheap), then `BERNOULLI` (rows at
/// random, reads every page), then a plain `LIMIT` when samples come back
/// short. Views cannot be sampled by page and are read with `LIMIT`.
pub async fn sample(
    client: &Client,
    plan: &TablePlan,
    rows: u64,
    seed: u64,
    deadline: Duration,
) -> Result<TableRead, PgError> {
    let select = select_list(plan);
    let from = from_clause(plan);
    let mut estimate = plan.row_estimate;
    let mut row_count = None;
    if estimate.is_none()
        && matches!(
            plan.kind,
            RelationKind::Table | RelationKind::PartitionedTable | RelationKind::MaterializedView
        )
    {
        // Never analyzed: the catalog's page count is stale too, so ask for
        // the size; count small tables exactly, estimate big ones from 1% of pages.
        let size = bounded(
            deadline,
            client.query_one(
                "SELECT coalesce(sum(pg_relation_size(relid)), 0)::int8 FROM pg_partition_tree(to_regclass($1))",
                &[&from],
            ),
        )
        .await?;
        let small = size.try_get::<_, i64>(0)? <= 64 << 20;
        let sql = if small {
            format!("SELECT count(*)::float8 FROM {from}")
        } else {
            format!(
                "SELECT (count(*) * 100)::float8 FROM {from} TABLESAMPLE SYSTEM (1) REPEATABLE ({})",
                seed % 2_147_483_647
            )
        };
        let row = bounded(deadline, client.query_one(&sql, &[])).await?;
        let n: f64 = row.try_get(0)?;
        estimate = Some(n);
        row_count = Some((n, if small { "exact" } else { "extrapolated" }));
    }
    let pageable = matches!(
        plan.kind,
        RelationKind::Table | RelationKind::PartitionedTable | RelationKind::MaterializedView
    );
    let repeatable = seed % 2_147_483_647;
    let mut attempts: Vec<(String, &'static str)> = Vec::new();
    match estimate {
        Some(est) if pageable && est > (rows * 2) as f64 => {
            // Ask for 1.5x the rows we need: pages are not all full.
            let pct = (150.0 * rows as f64 / est).clamp(0.0001, 100.0);
            attempts.push((
                format!("SELECT {select} FROM {from} TABLESAMPLE SYSTEM ({pct:.6}) REPEATABLE ({repeatable}) LIMIT {rows}"),
                "tablesample_system",
            ));
            attempts.push((
                format!("SELECT {select} FROM {from} TABLESAMPLE BERNOULLI ({:.6}) REPEATABLE ({repeatable}) LIMIT {rows}", (pct * 2.0).min(100.0)),
                "tablesample_bernoulli",
            ));
        }
        _ => {}
    }
    attempts.push((format!("SELECT {select} FROM {from} LIMIT {rows}"), "limit"));

    let mut last = None;
    for (i, (sql, method)) in attempts.iter().enumerate() {
        let result = bounded(deadline, client.query(sql.as_str(), &[])).await?;
        let short = (result.len() as u64) < rows / 2;
        let is_last = i + 1 == attempts.len();
        if short && !is_last {
            tracing::debug!(table = %plan.id, method, rows = result.len(), "sample came back short; next method");
            continue;
        }
        last = Some((result, *method));
        break;
    }
    let Some((result, mut method)) = last else {
        return Err(PgError::new("query_failed", "no sampling query ran"));
    };
    if method == "limit" && (result.len() as u64) < rows {
        method = "whole_table";
        row_count = Some((result.len() as f64, "exact"));
    }
    let mut builder = TableBatchBuilder::new(plan);
    let mut invalid_utf8 = 0u64;
    let width = plan.read_columns().count();
    for row in &result {
        let values: Vec<Option<&str>> = (0..width)
            .map(|i| match row.try_get::<_, Option<&str>>(i) {
                Ok(v) => v,
                Err(_) => {
                    invalid_utf8 += 1;
                    None
                }
            })
            .collect();
        builder.push_row(|i| values.get(i).copied().flatten());
    }
    let n = builder.rows() as u64;
    let batch = builder.finish();
    Ok(TableRead {
        batches: vec![batch],
        rows: n,
        bytes: builder.bytes(),
        method,
        row_count,
        invalid_utf8,
    })
}

/// What the lineage pass asks the server to hash, per column (see
/// `crate::lineage::fingerprint`): keyed hashes are computed in SQL so only
/// the few hashes that can enter a sketch leave the server, never a value.
pub struct LineageQuery<'a> {
    /// HMAC-SHA256 inner and outer pad blocks (key material: bind parameters only).
    pub ipad: &'a [u8],
    pub opad: &'a [u8],
    /// Exclusive upper bound of kept hashes, 8 bytes big-endian; `None`: all.
    pub bound: Option<[u8; 8]>,
    /// Hashes kept per column and variant.
    pub k: usize,
    /// Digest variants per read column (by column name): `(name, algo, norm)`
    /// with algo `md5` | `sha256` and norm `plain` | `lower_trim` | `digits`.
    pub variants: &'a HashMap<String, Vec<(String, &'static str, &'static str)>>,
}

/// Keyed hashes kept for one column: `(variant, hash, is_digest)`, the
/// column's own values under variant `""`.
pub type LineageHashes = HashMap<String, Vec<(String, u64, bool)>>;

/// One pass over the table computes, for every text column, the keyed hash
/// of each value (hex-only values lower-cased, as ferret does) and of each
/// digest variant, keeps those below the coordinated-sampling bound, and
/// returns the `k` smallest distinct per column and variant. The server
/// reads every row (a sequential scan); ferret receives at most
/// k x (variants + 1) hashes per column.
pub async fn lineage_hashes(
    client: &Client,
    plan: &TablePlan,
    q: &LineageQuery<'_>,
    deadline: Duration,
) -> Result<LineageHashes, PgError> {
    let cols: Vec<&DbColumn> = plan
        .read_columns()
        .filter(|c| c.render == Render::Text)
        .collect();
    if cols.is_empty() {
        return Ok(LineageHashes::new());
    }
    let mut inner = Vec::new();
    let mut canon = Vec::new();
    let mut values = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        inner.push(format!("{} AS x{i}", select_expr(c)));
        canon.push(format!(
            "x{i}, CASE WHEN x{i} ~ '^[0-9A-Fa-f]{{16,}}$' THEN lower(x{i}) ELSE x{i} END AS c{i}"
        ));
        values.push(format!(
            "({i}, '', c{i}, c{i} ~ '^([0-9a-f]{{32}}|[0-9a-f]{{40}}|[0-9a-f]{{64}})$')"
        ));
        for (name, algo, norm) in q.variants.get(&c.name).map(Vec::as_slice).unwrap_or(&[]) {
            let n = match *norm {
                "lower_trim" => format!("lower(btrim(x{i}, ' '))"),
                "digits" => format!("regexp_replace(x{i}, '[^0-9]', '', 'g')"),
                _ => format!("x{i}"),
            };
            let n = format!("NULLIF({n}, '')");
            let d = match *algo {
                "md5" => format!("md5({n})"),
                "sha256" => format!("encode(sha256(convert_to({n}, 'UTF8')), 'hex')"),
                _ => continue,
            };
            values.push(format!("({i}, '{}', {d}, true)", name.replace('\'', "")));
        }
    }
    let sql = format!(
        "SELECT col, variant, h, d FROM (
           SELECT col, variant, h, bool_or(d) AS d,
                  row_number() OVER (PARTITION BY col, variant ORDER BY h) AS rn
           FROM (
             SELECT s.col, s.variant, s.d,
                    substr(sha256($2::bytea || sha256($1::bytea || convert_to(s.y, 'UTF8'))), 1, 8) AS h
             FROM (SELECT {canon} FROM (SELECT {inner} FROM {from}) t0) t,
                  LATERAL (VALUES {values}) s(col, variant, y, d)
             WHERE s.y IS NOT NULL
           ) u
           WHERE $3::bytea IS NULL OR u.h < $3::bytea
           GROUP BY col, variant, h
         ) w WHERE rn <= {k}",
        canon = canon.join(", "),
        inner = inner.join(", "),
        from = from_clause(plan),
        values = values.join(", "),
        k = q.k,
    );
    let bound: Option<&[u8]> = q.bound.as_ref().map(|b| b.as_slice());
    let rows = bounded(
        deadline,
        client.query(sql.as_str(), &[&q.ipad, &q.opad, &bound]),
    )
    .await?;
    let mut out = LineageHashes::new();
    for r in &rows {
        let col: i32 = r.try_get(0)?;
        let variant: String = r.try_get(1)?;
        let h: &[u8] = r.try_get(2)?;
        let d: bool = r.try_get::<_, Option<bool>>(3)?.unwrap_or(false);
        let (Some(c), Ok(b)) = (cols.get(col.max(0) as usize), <[u8; 8]>::try_from(h)) else {
            continue;
        };
        out.entry(c.name.clone())
            .or_default()
            .push((variant, u64::from_be_bytes(b), d));
    }
    Ok(out)
}

/// A full scan in progress: `COPY (SELECT ...) TO STDOUT`, parsed as it
/// streams in, a batch at a time; never the whole table in memory.
pub struct FullScan {
    stream: Pin<Box<CopyOutStream>>,
    builder: TableBatchBuilder,
    pending: Vec<u8>,
    line: CopyLine,
    deadline: Duration,
    done: bool,
    pub rows: u64,
}

impl FullScan {
    pub async fn start(
        client: &Client,
        plan: &TablePlan,
        deadline: Duration,
    ) -> Result<FullScan, PgError> {
        let sql = format!(
            "COPY (SELECT {} FROM {}) TO STDOUT",
            select_list(plan),
            from_clause(plan)
        );
        let stream = bounded(deadline, client.copy_out(sql.as_str())).await?;
        Ok(FullScan {
            stream: Box::pin(stream),
            builder: TableBatchBuilder::new(plan),
            pending: Vec::new(),
            line: CopyLine::default(),
            deadline,
            done: false,
            rows: 0,
        })
    }

    /// Bytes of text received so far.
    pub fn bytes(&self) -> u64 {
        self.builder.bytes()
    }

    /// The next batch of up to 8,192 rows; `None` at the end.
    pub async fn next_batch(&mut self) -> Result<Option<RecordBatch>, PgError> {
        while !self.done && self.builder.rows() < FULL_BATCH_ROWS {
            let chunk: Option<Result<Bytes, tokio_postgres::Error>> =
                match tokio::time::timeout(self.deadline, self.stream.next()).await {
                    Ok(c) => c,
                    Err(_) => {
                        return Err(PgError::new(
                            "timeout",
                            format!("no data from the server within {:?}", self.deadline),
                        ));
                    }
                };
            match chunk {
                None => {
                    self.done = true;
                    if !self.pending.is_empty() {
                        let line = std::mem::take(&mut self.pending);
                        self.push_line(&line);
                    }
                }
                Some(Err(e)) => return Err(PgError::from(e)),
                Some(Ok(bytes)) => {
                    let mut start = 0;
                    for nl in memchr::memchr_iter(b'\n', &bytes) {
                        if self.pending.is_empty() {
                            self.push_line(&bytes[start..nl]);
                        } else {
                            self.pending.extend_from_slice(&bytes[start..nl]);
                            let line = std::mem::take(&mut self.pending);
                            self.push_line(&line);
                        }
                        start = nl + 1;
                    }
                    self.pending.extend_from_slice(&bytes[start..]);
                }
            }
        }
        if self.builder.rows() == 0 {
            return Ok(None);
        }
        Ok(Some(self.builder.finish()))
    }

    fn push_line(&mut self, line: &[u8]) {
        self.line.parse(line);
        let parsed = &self.line;
        self.builder.push_row(|i| parsed.field(i));
        self.rows += 1;
    }
}

/// One line of COPY's text format, split into fields. The unescaped text of
/// every field lives in one buffer reused from line to line (a `String` per
/// field was a tenth of a full scan's time).
#[derive(Default)]
struct CopyLine {
    text: String,
    /// Byte ranges into `text`; `None` is SQL NULL.
    fields: Vec<Option<std::ops::Range<usize>>>,
    scratch: Vec<u8>,
}

impl CopyLine {
    fn field(&self, i: usize) -> Option<&str> {
        let r = self.fields.get(i)?.clone()?;
        self.text.get(r)
    }

    /// Splits `line`: tab-separated, `\N` for NULL, backslash escapes (`\t`,
    /// `\n`, `\\`, octal, `\x` hex). Bytes that are not UTF-8 become U+FFFD.
    fn parse(&mut self, line: &[u8]) {
        self.fields.clear();
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        for raw in line.split(|&b| b == b'\t') {
            if raw == b"\\N" {
                self.fields.push(None);
                continue;
            }
            let from = bytes.len();
            unescape_into(raw, &mut bytes);
            self.fields.push(Some(from..bytes.len()));
        }
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.scratch = std::mem::replace(&mut self.text, text).into_bytes();
            }
            Err(e) => {
                // Rare: redo field by field, each decoded lossily.
                let bytes = e.into_bytes();
                self.text.clear();
                for r in self.fields.iter_mut().flatten() {
                    let from = self.text.len();
                    self.text
                        .push_str(&String::from_utf8_lossy(&bytes[r.clone()]));
                    *r = from..self.text.len();
                }
                self.scratch = bytes;
            }
        }
    }
}

fn unescape_into(raw: &[u8], v: &mut Vec<u8>) {
    if !raw.contains(&b'\\') {
        v.extend_from_slice(raw);
        return;
    }
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' || i + 1 == raw.len() {
            v.push(b);
            i += 1;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        match e {
            b'b' => v.push(8),
            b'f' => v.push(12),
            b'n' => v.push(b'\n'),
            b'r' => v.push(b'\r'),
            b't' => v.push(b'\t'),
            b'v' => v.push(11),
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                let mut k = 0;
                while k < 2 && i < raw.len() && (b'0'..=b'7').contains(&raw[i]) {
                    n = n * 8 + u32::from(raw[i] - b'0');
                    i += 1;
                    k += 1;
                }
                v.push((n & 0xff) as u8);
            }
            b'x' => {
                let mut n = 0u32;
                let mut k = 0;
                while k < 2 && i < raw.len() && raw[i].is_ascii_hexdigit() {
                    n = n * 16 + (raw[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                v.push(n as u8);
            }
            other => v.push(other),
        }
    }
}

/// Values from `pg_stats` (most common values and histogram bounds) of every
/// column the role may read: a signal that reads no table rows.
pub async fn column_stats(client: &Client, deadline: Duration) -> Result<ColumnStats, PgError> {
    let rows = bounded(
        deadline,
        client.query(
            "SELECT schemaname::text, tablename::text, attname::text,
                    most_common_vals::text, histogram_bounds::text
             FROM pg_catalog.pg_stats
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        ),
    )
    .await?;
    let mut out = ColumnStats::new();
    for r in &rows {
        let key = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let mut values = Vec::new();
        for i in [3, 4] {
            if let Ok(Some(text)) = r.try_get::<_, Option<String>>(i) {
                values.extend(super::parse_array_literal(&text));
            }
        }
        if !values.is_empty() {
            out.insert(key, values);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_lines_unescape() {
        fn fields(line: &mut CopyLine, raw: &[u8]) -> Vec<Option<String>> {
            line.parse(raw);
            (0..line.fields.len())
                .map(|i| line.field(i).map(str::to_owned))
                .collect()
        }
        let mut line = CopyLine::default();
        assert_eq!(
            fields(&mut line, b"a\\tb\t\\N\tx\\\\y\\nz\t\\101\\x41"),
            vec![
                Some("a\tb".into()),
                None,
                Some("x\\y\nz".into()),
                Some("AA".into())
            ]
        );
        assert_eq!(fields(&mut line, b""), vec![Some(String::new())]);
        assert_eq!(
            fields(&mut line, b"trailing\\"),
            vec![Some("trailing\\".into())]
        );
        // Invalid UTF-8 (raw or escaped) is replaced in its own field only.
        assert_eq!(
            fields(&mut line, b"ok\tbad\xff\t\\xfe!\tnext"),
            vec![
                Some("ok".into()),
                Some("bad\u{fffd}".into()),
                Some("\u{fffd}!".into()),
                Some("next".into())
            ]
        );
    }

    #[test]
    fn types_decide_what_is_read() {
        assert_eq!(
            render_for("B", "bool", "", "", false),
            Render::Skip("boolean: cannot hold personal data")
        );
        assert!(matches!(
            render_for("U", "bytea", "", "", false),
            Render::Skip(_)
        ));
        assert_eq!(render_for("U", "bytea", "", "", true), Render::Text);
        assert_eq!(render_for("U", "jsonb", "", "", false), Render::Json);
        assert_eq!(render_for("A", "_text", "S", "text", false), Render::Json);
        assert!(matches!(
            render_for("A", "_bool", "B", "bool", false),
            Render::Skip(_)
        ));
        assert_eq!(render_for("N", "int8", "", "", false), Render::Text);
        assert!(matches!(
            render_for("U", "uuid", "", "", false),
            Render::Skip(_)
        ));
        assert_eq!(render_for("D", "date", "", "", false), Render::Text);
    }
}
