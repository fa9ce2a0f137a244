//! SQLite through the bundled library, opened read-only (`mode=ro`): the
//! same plans, sampling and batches as PostgreSQL, without a server.

use super::{
    DbColumn, DbError, RelationKind, Render, TableBatchBuilder, TablePlan, TableRead, quote_ident,
};
use crate::source::api::{
    AssetFacts, Discovery, ReadMode, ReadRequest, Source, SourceAsset, SourceFailure,
};
use crate::source::db::{DbOptions, ForeignKey};
use crate::source::format::{BatchSink, Flow, ReadProblem, ReadStats};
use crate::source::store::ObjectMeta;
use arrow::record_batch::RecordBatch;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;
use tokio::runtime::Handle;

const FULL_BATCH_ROWS: usize = 8192;
/// Ranges of consecutive rowids a sample of a large table is drawn from.
const SAMPLE_RANGES: u64 = 10;

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                rusqlite::ErrorCode::CannotOpen => "cannot_open",
                rusqlite::ErrorCode::NotADatabase => "not_a_database",
                rusqlite::ErrorCode::DatabaseCorrupt => "corrupt_database",
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                    "database_locked"
                }
                rusqlite::ErrorCode::PermissionDenied => "permission_denied",
                _ => "query_failed",
            },
            _ => "query_failed",
        };
        DbError::new(code, e.to_string())
    }
}

/// `sqlite:///abs/path/app.db`, the id prefix of the file's assets.
pub fn database_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("sqlite://{}", abs.display())
}

/// Opens the file read-only; SQLite itself refuses every write on it.
pub fn open(path: &Path) -> Result<Connection, DbError> {
    if !path.is_file() {
        return Err(DbError::new(
            "not_found",
            format!("no such file: {}", path.display()),
        ));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Fails on a file that is not a database, here rather than mid-scan.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

/// Every table and view in the file.
pub fn discover(path: &Path, sniff_binary: bool) -> Result<Vec<TablePlan>, DbError> {
    let conn = open(path)?;
    let url = database_url(path);
    let database = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut stmt = conn.prepare(
        "SELECT name, type, coalesce(sql, '') FROM sqlite_master
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let relations: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut plans = Vec::new();
    for (name, kind, _) in &relations {
        let mut cols = conn
            .prepare("SELECT name, type FROM pragma_table_xinfo(?1) WHERE hidden IN (0, 2, 3)")?;
        let columns: Vec<DbColumn> = cols
            .query_map([name], |r| {
                let col: String = r.get(0)?;
                let ty: String = r.get(1)?;
                Ok((col, ty))
            })?
            .filter_map(Result::ok)
            .map(|(col, ty)| {
                let upper = ty.to_ascii_uppercase();
                let render = if upper.contains("BOOL") {
                    Render::Skip("boolean: cannot hold personal data")
                } else if upper.contains("BLOB") && !sniff_binary {
                    Render::Skip("binary (blob); use --sniff-binary to read it")
                } else {
                    Render::Text
                };
                DbColumn {
                    name: col,
                    source_type: if ty.is_empty() {
                        "any".into()
                    } else {
                        ty.to_ascii_lowercase()
                    },
                    comment: None,
                    render,
                }
            })
            .collect();
        let mut fk_stmt = conn.prepare(
            "SELECT id, \"table\", \"from\", coalesce(\"to\", '') FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )?;
        let mut foreign_keys: Vec<(i64, ForeignKey)> = Vec::new();
        let rows = fk_stmt.query_map([name], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for (id, table, from, to) in rows.filter_map(Result::ok) {
            match foreign_keys.iter_mut().find(|(i, _)| *i == id) {
                Some((_, fk)) => {
                    fk.columns.push(from);
                    fk.referenced_columns.push(to);
                }
                None => foreign_keys.push((
                    id,
                    ForeignKey {
                        name: format!("{name}_fk{id}"),
                        columns: vec![from],
                        references: format!("{url}/{table}"),
                        referenced_columns: vec![to],
                    },
                )),
            }
        }
        plans.push(TablePlan {
            id: format!("{url}/{name}"),
            database: database.clone(),
            schema: None,
            name: name.clone(),
            kind: if kind == "view" {
                RelationKind::View
            } else {
                RelationKind::Table
            },
            comment: None,
            columns,
            row_estimate: None,
            bytes: None,
            partitions: 0,
            foreign_keys: foreign_keys.into_iter().map(|(_, fk)| fk).collect(),
            depends_on: Vec::new(),
            denied: None,
        });
    }
    // SQLite keeps no dependency catalog: a view depends on the relations
    // its SQL names (as a whole word, quoted or not).
    for (i, (_, kind, sql)) in relations.iter().enumerate() {
        if kind != "view" {
            continue;
        }
        let lower = sql.to_lowercase();
        let deps: Vec<String> = relations
            .iter()
            .enumerate()
            .filter(|(j, (other, _, _))| *j != i && names_relation(&lower, &other.to_lowercase()))
            .map(|(j, _)| plans[j].id.clone())
            .collect();
        plans[i].depends_on = deps;
    }
    Ok(plans)
}

fn names_relation(sql: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    sql.match_indices(name).any(|(at, _)| {
        let before = sql[..at].chars().next_back();
        let after = sql[at + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

fn select_sql(plan: &TablePlan) -> String {
    let cols: Vec<String> = plan.read_columns().map(|c| quote_ident(&c.name)).collect();
    let list = if cols.is_empty() {
        "NULL".to_string()
    } else {
        cols.join(", ")
    };
    format!("SELECT {list} FROM {}", quote_ident(&plan.name))
}

/// A value as text, or `None` for NULL and unread blobs.
fn text_of(v: ValueRef<'_>, sniff_binary: bool, invalid_utf8: &mut u64) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(match std::str::from_utf8(t) {
            Ok(s) => s.to_string(),
            Err(_) => {
                *invalid_utf8 += 1;
                String::from_utf8_lossy(t).into_owned()
            }
        }),
        ValueRef::Blob(b) if sniff_binary => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Blob(_) => None,
    }
}

/// Reads a sample (`rows` of them) or, with `rows = None`, every row,
/// handing each batch to `sink` as it fills.
pub fn read(
    path: &Path,
    plan: &TablePlan,
    rows: Option<u64>,
    seed: u64,
    sniff_binary: bool,
    sink: &mut dyn FnMut(RecordBatch),
) -> Result<TableRead, DbError> {
    let conn = open(path)?;
    let base = select_sql(plan);
    let table = quote_ident(&plan.name);
    let width = plan.read_columns().count().max(1);
    let mut builder = TableBatchBuilder::new(plan);
    let mut invalid_utf8 = 0u64;
    let mut total = 0u64;
    let mut run = |sql: &str,
                   params: &[&dyn rusqlite::ToSql],
                   limit: Option<u64>,
                   builder: &mut TableBatchBuilder|
     -> Result<u64, DbError> {
        let mut stmt = conn.prepare(sql)?;
        let mut cursor = stmt.query(params)?;
        let mut n = 0u64;
        let mut values: Vec<Option<String>> = Vec::with_capacity(width);
        while let Some(row) = cursor.next()? {
            values.clear();
            for i in 0..width {
                values.push(
                    row.get_ref(i)
                        .ok()
                        .and_then(|v| text_of(v, sniff_binary, &mut invalid_utf8)),
                );
            }
            builder.push_row(|i| values.get(i).and_then(|v| v.as_deref()));
            n += 1;
            if builder.rows() >= FULL_BATCH_ROWS {
                sink(builder.finish());
            }
            if limit.is_some_and(|l| n >= l) {
                break;
            }
        }
        Ok(n)
    };

    let (method, row_count) = match rows {
        None => {
            total = run(&base, &[], None, &mut builder)?;
            ("copy", Some((total as f64, "exact")))
        }
        Some(want) => {
            let bounds: Option<(i64, i64)> = if plan.kind == RelationKind::Table {
                conn.query_row(
                    &format!("SELECT min(rowid), max(rowid) FROM {table}"),
                    [],
                    |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
                )
                .ok()
                .and_then(|(a, b)| Some((a?, b?)))
            } else {
                None
            };
            match bounds {
                Some((lo, hi)) if (hi - lo + 1) as u64 > want * 2 => {
                    // One seeded run of rows in each of SAMPLE_RANGES equal
                    // strata of the rowid span, started early enough to fit in
                    // its stratum: runs never overlap and never hit the table's
                    // end, so the sample holds `want` rows (a start drawn
                    // anywhere gave fewer, depending on the seed and the path).
                    let mut rng = crate::source::seed::SeededRng::new(seed, &plan.id);
                    let span = (hi - lo + 1) as u64;
                    let per = want.div_ceil(SAMPLE_RANGES);
                    let width = span / SAMPLE_RANGES;
                    let room = width.saturating_sub(per) + 1;
                    let starts: Vec<i64> = (0..SAMPLE_RANGES)
                        .map(|i| lo + (i * width + rng.next_u64() % room) as i64)
                        .collect();
                    let sql = format!("{base} WHERE rowid >= ?1 ORDER BY rowid LIMIT {per}");
                    for s in starts {
                        total += run(&sql, &[&s], None, &mut builder)?;
                    }
                    ("rowid_ranges", Some((span as f64, "extrapolated")))
                }
                _ => {
                    total = run(
                        &format!("{base} LIMIT {want}"),
                        &[],
                        Some(want),
                        &mut builder,
                    )?;
                    if total < want {
                        ("whole_table", Some((total as f64, "exact")))
                    } else {
                        ("limit", None)
                    }
                }
            }
        }
    };
    let bytes = builder.bytes();
    if builder.rows() > 0 {
        sink(builder.finish());
    }
    Ok(TableRead {
        batches: Vec::new(),
        rows: total,
        bytes,
        method,
        row_count,
        invalid_utf8,
    })
}

/// A SQLite file as a [`Source`]: every table (and, on request, view) an asset.
pub struct SqliteFile {
    path: std::path::PathBuf,
    options: DbOptions,
}

impl SqliteFile {
    pub fn new(path: std::path::PathBuf, options: DbOptions) -> SqliteFile {
        SqliteFile { path, options }
    }
}

impl Source for SqliteFile {
    fn target(&self) -> String {
        crate::redact::credentials(&format!("sqlite://{}", self.path.display()))
    }

    fn discover(&self, _io: &Handle, _mode: ReadMode) -> Discovery {
        let mut found = Discovery::default();
        match discover(&self.path, self.options.sniff_binary) {
            Ok(plans) => {
                for plan in self.options.filter(plans) {
                    found.assets.push(Box::new(SqliteTable {
                        unit: [plan.unit()],
                        plan,
                        path: self.path.clone(),
                        options: self.options.clone(),
                    }));
                }
            }
            Err(e) => found.failures.push(SourceFailure {
                id: database_url(&self.path),
                kind: "table",
                format: "sqlite",
                code: e.code,
                message: e.message,
            }),
        }
        found
    }
}

struct SqliteTable {
    plan: TablePlan,
    unit: [ObjectMeta; 1],
    path: std::path::PathBuf,
    options: DbOptions,
}

impl SourceAsset for SqliteTable {
    fn id(&self) -> &str {
        &self.plan.id
    }

    fn facts(&self) -> AssetFacts {
        self.plan.facts("sqlite", self.options.include_views)
    }

    fn units(&self) -> &[ObjectMeta] {
        &self.unit
    }

    fn read(
        &self,
        _io: &Handle,
        _unit: &ObjectMeta,
        req: &ReadRequest,
        sink: &mut dyn BatchSink,
    ) -> Result<ReadStats, ReadProblem> {
        let rows = match req.mode {
            ReadMode::MetadataOnly => return Ok(ReadStats::default()),
            ReadMode::Full => None,
            ReadMode::Sample => Some(req.rows as u64),
        };
        let mut stop = false;
        let mut each = |batch: RecordBatch| {
            if !stop {
                stop = matches!(sink.batch(batch), Flow::Stop);
            }
        };
        let read = read(
            &self.path,
            &self.plan,
            rows,
            req.seed,
            self.options.sniff_binary,
            &mut each,
        )?;
        Ok(read.stats("replaced"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_dependencies_match_whole_words() {
        assert!(names_relation(
            "create view v as select * from users",
            "users"
        ));
        assert!(names_relation("select * from \"users\" u", "users"));
        assert!(!names_relation("select * from users_archive", "users"));
    }
}
