//! The common currency: Arrow batches of flattened string columns.
//!
//! Every source hands detection a `RecordBatch` whose columns are either
//! `Utf8` (one value per row) or `List<Utf8>` (values of a repeated field,
//! e.g. `contacts[].email`). Field names are dotted paths (`address.city`);
//! list levels are written `[]`. The type the value had at the source is kept
//! in field metadata under [`SOURCE_TYPE_KEY`], so the inventory can report
//! it while detection sees only text.

use arrow::array::{ArrayRef, ListBuilder, StringBuilder};
use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use std::sync::Arc;

pub use crate::event::{SOURCE_TYPE_KEY, list_field, source_type, string_field};

/// Builds a string batch row by row from sparse records (JSON objects, CSV
/// rows): columns appear in first-seen order and missing values are null.
#[derive(Default)]
pub struct RowBatchBuilder {
    columns: Vec<ColumnBuilder>,
    index: HashMap<String, usize>,
    rows: usize,
}

struct ColumnBuilder {
    path: String,
    source_type: String,
    /// One entry per row: a scalar, a list of values, or null.
    values: Vec<Cell>,
    is_list: bool,
}

/// One row's value in one column.
#[derive(Debug, Clone)]
pub enum Cell {
    Null,
    Value(String),
    List(Vec<String>),
}

impl RowBatchBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends one row given as `(path, source_type, cell)` triples.
    pub fn push_row<I>(&mut self, cells: I)
    where
        I: IntoIterator<Item = (String, &'static str, Cell)>,
    {
        for (path, source_type, cell) in cells {
            let idx = match self.index.get(&path) {
                Some(&i) => i,
                None => {
                    let i = self.columns.len();
                    self.index.insert(path.clone(), i);
                    self.columns.push(ColumnBuilder {
                        path,
                        source_type: source_type.to_string(),
                        values: vec![Cell::Null; self.rows],
                        is_list: false,
                    });
                    i
                }
            };
            let col = &mut self.columns[idx];
            if col.values.len() > self.rows {
                // The same path twice in one row (e.g. duplicate JSON keys): keep the first.
                continue;
            }
            if matches!(cell, Cell::List(_)) {
                col.is_list = true;
            }
            col.values.push(cell);
        }
        self.rows += 1;
        for col in &mut self.columns {
            if col.values.len() < self.rows {
                col.values.push(Cell::Null);
            }
        }
    }

    /// Finishes the batch and resets the builder (column order is kept).
    pub fn finish(&mut self) -> RecordBatch {
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len());
        for col in &mut self.columns {
            let values = std::mem::take(&mut col.values);
            if col.is_list {
                fields.push(list_field(&col.path, &col.source_type));
                let (items, bytes) = values.iter().fold((0, 0), |(n, b), cell| match cell {
                    Cell::Null => (n, b),
                    Cell::Value(v) => (n + 1, b + v.len()),
                    Cell::List(vs) => (n + vs.len(), b + vs.iter().map(String::len).sum::<usize>()),
                });
                let mut b = ListBuilder::with_capacity(
                    StringBuilder::with_capacity(items, bytes),
                    values.len(),
                );
                for cell in values {
                    match cell {
                        Cell::Null => b.append_null(),
                        Cell::Value(v) => {
                            b.values().append_value(v);
                            b.append(true);
                        }
                        Cell::List(vs) => {
                            for v in vs {
                                b.values().append_value(v);
                            }
                            b.append(true);
                        }
                    }
                }
                arrays.push(Arc::new(b.finish()));
            } else {
                fields.push(string_field(&col.path, &col.source_type));
                // Sized to the values: a default builder reserves room for
                // 1,024 of them, which across 100,000 columns of a wide JSON
                // document was half a gigabyte per batch.
                let bytes = values
                    .iter()
                    .map(|c| match c {
                        Cell::Value(v) => v.len(),
                        _ => 0,
                    })
                    .sum();
                let mut b = StringBuilder::with_capacity(values.len(), bytes);
                for cell in values {
                    match cell {
                        Cell::Value(v) => b.append_value(v),
                        _ => b.append_null(),
                    }
                }
                arrays.push(Arc::new(b.finish()));
            }
        }
        let rows = self.rows;
        self.rows = 0;
        let schema = Arc::new(Schema::new(fields));
        let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows));
        // Columns are built to `rows` entries each, so this cannot fail; an
        // empty batch is the honest fallback if it ever did.
        RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
            .unwrap_or_else(|_| RecordBatch::new_empty(schema))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, ListArray, StringArray};

    #[test]
    fn sparse_rows_become_null_padded_columns() {
        let mut b = RowBatchBuilder::new();
        b.push_row([("a".to_string(), "string", Cell::Value("x".into()))]);
        b.push_row([
            (
                "b".to_string(),
                "string",
                Cell::List(vec!["p".into(), "q".into()]),
            ),
            ("a".to_string(), "string", Cell::Value("y".into())),
        ]);
        let batch = b.finish();
        assert_eq!(batch.num_rows(), 2);
        let a = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(a.value(1), "y");
        let list = batch
            .column(1)
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap();
        assert!(list.is_null(0));
        assert_eq!(list.value(1).len(), 2);
    }
}
