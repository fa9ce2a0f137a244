//! Database sources: every table (and, on request, view) is an asset; its
//! rows become string batches like any file's.
//!
//! Engines ([`postgres`], [`sqlite`]) discover relations into [`TablePlan`]s
//! from their catalogs, then hand rows, already rendered as text, to a
//! [`TableBatchBuilder`]. What to read of each column is decided once, from
//! its declared type ([`Render`]): text-like values go to detection as they
//! are, JSON and arrays are flattened into dotted paths like file records,
//! booleans and binary columns are skipped with a reason.

pub mod mysql;
pub mod postgres;
pub mod sqlite;

use crate::source::api::{AssetFacts, DeclaredColumn, TableFacts, Values};
use crate::source::batch::{Cell, RowBatchBuilder, string_field};
use crate::source::discover::KeyFilter;
use crate::source::format::flatten_document;
use crate::source::format::{ReadProblem, ReadStats};
use crate::source::store::ObjectMeta;
use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::Schema;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use std::sync::Arc;

/// Why reading a database failed: a stable code for the inventory and a
/// message that never holds a password (callers redact data out of it).
#[derive(Debug, Clone)]
pub struct DbError {
    pub code: &'static str,
    pub message: String,
}

impl DbError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        DbError {
            code,
            message: message.into(),
        }
    }
}

/// How a column's values are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Render {
    /// Rendered as text (numbers may hold phone numbers or ids, dates may be birth dates).
    Text,
    /// JSON text (json, jsonb, arrays, composites), flattened into `column.path` / `column[]`.
    Json,
    /// Not read; the reason goes into the inventory.
    Skip(&'static str),
}

#[derive(Debug, Clone)]
pub struct DbColumn {
    pub name: String,
    /// The declared type (`character varying(32)`, `jsonb`, `text[]`).
    pub source_type: String,
    pub comment: Option<String>,
    pub render: Render,
}

pub use crate::source::api::DeclaredKey as ForeignKey;

/// What kind of relation an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    PartitionedTable,
    View,
    MaterializedView,
    ForeignTable,
}

impl RelationKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::PartitionedTable => "partitioned_table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized_view",
            RelationKind::ForeignTable => "foreign_table",
        }
    }

    /// Views run a query when read: flagged, and read only on request.
    pub fn is_view(&self) -> bool {
        matches!(self, RelationKind::View)
    }
}

/// One relation found in a catalog, with everything needed to read it.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// The asset id: `postgres://host:port/db/schema.table`, `sqlite:///path/app.db/table`.
    pub id: String,
    pub database: String,
    pub schema: Option<String>,
    pub name: String,
    pub kind: RelationKind,
    pub comment: Option<String>,
    pub columns: Vec<DbColumn>,
    /// Rows according to the catalog; `None` when the catalog does not know.
    pub row_estimate: Option<f64>,
    /// On-disk size (all partitions), when the engine tells.
    pub bytes: Option<u64>,
    /// Leaf partitions under a partitioned table.
    pub partitions: u64,
    pub foreign_keys: Vec<ForeignKey>,
    /// Asset ids this view or materialized view reads.
    pub depends_on: Vec<String>,
    /// `Some(reason)` when the role may not read this relation.
    pub denied: Option<String>,
}

impl TablePlan {
    /// `schema.table` (or `table`), the key `--include` / `--exclude` globs match.
    pub fn qualified_name(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The columns that are read, in select order.
    pub fn read_columns(&self) -> impl Iterator<Item = &DbColumn> {
        self.columns
            .iter()
            .filter(|c| !matches!(c.render, Render::Skip(_)))
    }
}

/// Builds string batches from rows of text values in the order of
/// [`TablePlan::read_columns`]. Text columns go straight into Arrow string
/// builders (the fast path for `--full`); JSON columns are flattened.
pub struct TableBatchBuilder {
    text: Vec<(usize, String, String, StringBuilder)>,
    json: Vec<(usize, String)>,
    nested: RowBatchBuilder,
    rows: usize,
    bytes: u64,
    cells: Vec<(String, &'static str, Cell)>,
}

impl TableBatchBuilder {
    pub fn new(plan: &TablePlan) -> Self {
        let mut text = Vec::new();
        let mut json = Vec::new();
        for (i, col) in plan.read_columns().enumerate() {
            match col.render {
                Render::Json => json.push((i, col.name.clone())),
                _ => text.push((
                    i,
                    col.name.clone(),
                    col.source_type.clone(),
                    StringBuilder::new(),
                )),
            }
        }
        TableBatchBuilder {
            text,
            json,
            nested: RowBatchBuilder::new(),
            rows: 0,
            bytes: 0,
            cells: Vec::new(),
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Bytes of text received so far (all batches).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Appends one row; `value(i)` is the text of the i-th read column.
    pub fn push_row<'v>(&mut self, value: impl Fn(usize) -> Option<&'v str>) {
        for (i, _, _, b) in &mut self.text {
            match value(*i) {
                Some(v) => {
                    self.bytes += v.len() as u64;
                    b.append_value(v);
                }
                None => b.append_null(),
            }
        }
        if !self.json.is_empty() {
            self.cells.clear();
            for (i, name) in &self.json {
                if let Some(v) = value(*i) {
                    self.bytes += v.len() as u64;
                    if !flatten_document(name, v.as_bytes(), &mut self.cells) {
                        self.cells
                            .push((name.clone(), "json", Cell::Value(v.to_string())));
                    }
                }
            }
            self.nested.push_row(self.cells.drain(..));
        }
        self.rows += 1;
    }

    /// The rows pushed since the last call, as one batch.
    pub fn finish(&mut self) -> RecordBatch {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (_, name, ty, b) in &mut self.text {
            fields.push(string_field(name, ty));
            arrays.push(Arc::new(b.finish()));
        }
        if !self.json.is_empty() {
            let nested = self.nested.finish();
            for (field, array) in nested.schema().fields().iter().zip(nested.columns()) {
                fields.push(field.as_ref().clone());
                arrays.push(array.clone());
            }
        }
        let rows = std::mem::take(&mut self.rows);
        let schema = Arc::new(Schema::new(fields));
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        // Every column was built to `rows` entries.
        RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
            .unwrap_or_else(|_| RecordBatch::new_empty(schema))
    }
}

/// What reading one relation produced, whatever the engine.
pub struct TableRead {
    /// The batches of a sample read in one go (streamed reads hand them to a sink instead).
    pub batches: Vec<RecordBatch>,
    pub rows: u64,
    /// Bytes of text received.
    pub bytes: u64,
    /// How rows were chosen: `whole_table`, `limit`, `tablesample_system`,
    /// `tablesample_bernoulli`, `rowid_ranges`, `copy`.
    pub method: &'static str,
    /// Rows, when the read settles it (a table read whole) or a cheap count could.
    pub row_count: Option<(f64, &'static str)>,
    /// Values that were not valid UTF-8 (replaced or dropped, and reported).
    pub invalid_utf8: u64,
}

/// Idle sessions of a database source, handed to one worker at a time
/// (the scan reads a source's tables on `Source::concurrency` workers, so at
/// most that many exist). Shared by every engine's pool.
pub struct IdleSessions<S> {
    idle: std::sync::Mutex<Vec<S>>,
}

impl<S> IdleSessions<S> {
    pub fn new(first: Vec<S>) -> Self {
        IdleSessions {
            idle: std::sync::Mutex::new(first),
        }
    }

    /// An idle session that still looks open, if any.
    pub fn take(&self, open: impl Fn(&S) -> bool) -> Option<S> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(s) = idle.pop() {
            if open(&s) {
                return Some(s);
            }
        }
        None
    }

    /// Keeps a session for the next table; a session whose read ended it
    /// (`reusable` false) is dropped, never handed on.
    pub fn give(&self, session: S, reusable: bool) {
        if reusable && let Ok(mut idle) = self.idle.lock() {
            idle.push(session);
        }
    }
}

/// What every database source is told besides its URL.
#[derive(Debug, Clone, Default)]
pub struct DbOptions {
    /// Globs on `schema.table` (or `table`).
    pub tables: KeyFilter,
    /// Globs on column names or `schema.table.column`.
    pub columns: KeyFilter,
    /// Read views too (they are listed and classified by name either way).
    pub include_views: bool,
    /// Every database the role can see, not only the URL's.
    pub all_databases: bool,
    /// Read binary columns as text.
    pub sniff_binary: bool,
    /// Sessions used at once.
    pub connections: usize,
}

impl DbOptions {
    /// Drops excluded tables and columns.
    pub fn filter(&self, plans: Vec<TablePlan>) -> Vec<TablePlan> {
        plans
            .into_iter()
            .filter(|p| self.tables.accepts(&p.qualified_name()))
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
}

impl TablePlan {
    /// The inventory facts of this relation, read by `engine`.
    pub fn facts(&self, engine: &str, include_views: bool) -> AssetFacts {
        let values = match &self.denied {
            Some(reason) => Values::Denied(reason.clone()),
            None if self.kind.is_view() && !include_views => Values::NamesOnly,
            None => Values::Read,
        };
        AssetFacts {
            kind: if self.kind.is_view() { "view" } else { "table" }.into(),
            format: engine.into(),
            bytes_total: self.bytes.unwrap_or(0),
            partition_keys: Vec::new(),
            table: Some(TableFacts {
                engine: engine.into(),
                database: self.database.clone(),
                schema: self.schema.clone(),
                name: self.name.clone(),
                relation_kind: self.kind.as_str().into(),
                comment: self.comment.clone(),
                partitions: self.partitions,
                foreign_keys: self.foreign_keys.clone(),
                depends_on: self.depends_on.clone(),
                row_estimate: self.row_estimate,
            }),
            lake: None,
            columns: self
                .columns
                .iter()
                .map(|c| DeclaredColumn {
                    name: c.name.clone(),
                    source_type: c.source_type.clone(),
                    comment: c.comment.clone(),
                    skipped: match c.render {
                        Render::Skip(reason) => Some(reason),
                        _ => None,
                    },
                    nested: c.render == Render::Json,
                })
                .collect(),
            values,
            sample_units: false,
            incremental: false,
        }
    }

    /// The table as one unit of the scan.
    pub fn unit(&self) -> ObjectMeta {
        ObjectMeta {
            key: self.id.clone(),
            size: self.bytes.unwrap_or(0),
            modified: None,
            etag: None,
        }
    }
}

impl TableRead {
    /// As the scan records a unit's read; invalid UTF-8 is reported, saying
    /// what became of those values.
    pub fn stats(&self, invalid_fate: &str) -> ReadStats {
        let mut problems = Vec::new();
        if self.invalid_utf8 > 0 {
            problems.push(ReadProblem::new(
                "invalid_utf8",
                format!(
                    "{} value(s) were not valid UTF-8 ({invalid_fate})",
                    self.invalid_utf8
                ),
            ));
        }
        ReadStats {
            rows: self.rows,
            bytes_fetched: self.bytes,
            rows_total: None,
            truncated: false,
            problems,
            skipped_columns: Vec::new(),
            method: Some(self.method),
            row_count: self.row_count,
        }
    }
}

impl From<DbError> for ReadProblem {
    fn from(e: DbError) -> Self {
        ReadProblem::new(e.code, e.message)
    }
}

/// A batch of each column's values from the server's statistics
/// (PostgreSQL's `pg_stats`, MariaDB's `column_stats`), padded with nulls:
/// metadata-only scans classify them like read values.
pub fn stats_batch(plan: &TablePlan, stats: &postgres::ColumnStats) -> Option<RecordBatch> {
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

/// Values of a PostgreSQL array literal (`{a,"b c",NULL}`), as pg_stats
/// prints `most_common_vals`; `NULL` elements are dropped.
pub fn parse_array_literal(text: &str) -> Vec<String> {
    let inner = match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(i) => i,
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while chars.peek().is_some() {
        let mut value = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    _ => value.push(c),
                }
            }
            // Skip to the separator.
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
            }
            out.push(value);
        } else {
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
                value.push(c);
            }
            if value != "NULL" {
                out.push(value);
            }
        }
    }
    out
}

/// Double-quotes an SQL identifier (doubling embedded quotes), for
/// PostgreSQL and SQLite alike.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, ListArray, StringArray};

    #[test]
    fn array_literals_parse() {
        assert_eq!(parse_array_literal("{a,b}"), vec!["a", "b"]);
        assert_eq!(
            parse_array_literal(r#"{"x, y","q\"uote",NULL,plain}"#),
            vec!["x, y", "q\"uote", "plain"]
        );
        assert!(parse_array_literal("{}").is_empty());
        assert!(parse_array_literal("garbage").is_empty());
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("; DROP TABLE x; --"), "\"; DROP TABLE x; --\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    fn column(name: &str, render: Render) -> DbColumn {
        DbColumn {
            name: name.into(),
            source_type: "t".into(),
            comment: None,
            render,
        }
    }

    #[test]
    fn rows_become_flattened_batches() {
        let plan = TablePlan {
            id: "sqlite:///x.db/t".into(),
            database: "x".into(),
            schema: None,
            name: "t".into(),
            kind: RelationKind::Table,
            comment: None,
            columns: vec![
                column("email", Render::Text),
                column("active", Render::Skip("boolean")),
                column("profile", Render::Json),
            ],
            row_estimate: None,
            bytes: None,
            partitions: 0,
            foreign_keys: Vec::new(),
            depends_on: Vec::new(),
            denied: None,
        };
        let mut b = TableBatchBuilder::new(&plan);
        let rows = [
            [
                Some("a@example.com"),
                Some(r#"{"contact":{"email":"b@example.com"},"tags":["x","y"]}"#),
            ],
            [None, Some("not json")],
        ];
        for row in &rows {
            b.push_row(|i| row[i]);
        }
        let batch = b.finish();
        assert_eq!(batch.num_rows(), 2);
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(
            names,
            [
                "email",
                "profile.contact.email",
                "profile.tags[]",
                "profile"
            ]
        );
        let email = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert!(email.is_null(1));
        let tags = batch
            .column(2)
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap();
        assert_eq!(tags.value(0).len(), 2);
    }
}
