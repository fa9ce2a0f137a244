//! Parquet through ranged reads: the footer first (one read of the last
//! [`FOOTER_PREFETCH`] bytes, a second only when the metadata is larger),
//! then only the column chunks of the chosen row groups and columns.
//!
//! - Sample mode (`max_rows = Some(n)`): row groups are picked in a seeded
//!   shuffle (`opts.seed`) until they hold at least `n` rows, read in file
//!   order, with a row limit of `n`. Full mode reads every row group.
//! - Projection: only leaves a detector could care about are decoded:
//!   strings, numbers, dates and times, decimals, and structs / lists / maps
//!   of those. Boolean, binary and null leaves are skipped and reported in
//!   `ReadStats::skipped_columns`.
//! - Batches are flattened by [`super::flatten`] into dotted-path columns.
//! - A corrupt or truncated file is `corrupt_parquet`, never a panic (a
//!   panic inside the decoder is caught as a last resort).

use super::flatten::{flatten_batch, skip_reason};
use super::{BatchSink, Flow, ReadOptions, ReadProblem, ReadStats};
use crate::source::store::{DynStore, ObjectMeta, StoreError};
use arrow::datatypes::{DataType, Field};
use bytes::Bytes;
use futures::StreamExt;
use futures::future::BoxFuture;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ArrowReaderOptions;
use parquet::arrow::async_reader::{AsyncFileReader, ParquetRecordBatchStreamBuilder};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes read from the end of the file in the first footer read.
pub const FOOTER_PREFETCH: usize = 64 << 10;
/// Ranges closer than this are fetched in one get.
const COALESCE_GAP: u64 = 1 << 20;
/// A coalesced get never grows beyond this (unless one range alone is larger).
const COALESCE_MAX: u64 = 64 << 20;

pub fn read(
    rt: &tokio::runtime::Handle,
    store: &DynStore,
    meta: &ObjectMeta,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    let fetched = Arc::new(AtomicU64::new(0));
    let reader = StoreReader {
        store: store.clone(),
        key: meta.key.clone(),
        size: meta.size,
        fetched: fetched.clone(),
        tail: None,
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(read_async(reader, opts, sink))
    }));
    let mut stats = match run {
        Ok(Ok(stats)) => stats,
        Ok(Err(p)) => return Err(p),
        Err(_) => {
            return Err(ReadProblem::new(
                "corrupt_parquet",
                "the parquet decoder failed on this file (internal panic)",
            ));
        }
    };
    stats.bytes_fetched = fetched.load(Ordering::Relaxed);
    Ok(stats)
}

async fn read_async(
    reader: StoreReader,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    if reader.size == 0 {
        // An empty object (a placeholder): nothing to read, not corrupt.
        return Ok(ReadStats {
            rows_total: Some(0),
            ..Default::default()
        });
    }
    if reader.size < 12 {
        return Err(ReadProblem::new(
            "corrupt_parquet",
            format!("file of {} bytes is too small to be parquet", reader.size),
        ));
    }
    let size = reader.size;
    let options = ArrowReaderOptions::new();
    let builder = ParquetRecordBatchStreamBuilder::new_with_options(reader, options)
        .await
        .map_err(problem)?;
    let metadata = builder.metadata().clone();
    check_layout(&metadata, size)?;
    let mut stats = ReadStats {
        rows_total: u64::try_from(metadata.file_metadata().num_rows()).ok(),
        ..Default::default()
    };

    // Projection: the leaves worth decoding.
    let mut leaves = Vec::new();
    for field in builder.schema().fields() {
        collect_leaves(field.name(), field, &mut leaves);
    }
    let parquet_leaves = builder.parquet_schema().num_columns();
    let mut keep = Vec::new();
    if leaves.len() == parquet_leaves {
        for (i, (path, dt)) in leaves.iter().enumerate() {
            match skip_reason(dt) {
                Some(reason) => stats
                    .skipped_columns
                    .push((path.clone(), reason.to_string())),
                None => keep.push(i),
            }
        }
    } else {
        // Leaf order unknown (should not happen): decode everything.
        keep = (0..parquet_leaves).collect();
    }
    if keep.is_empty() {
        stats.truncated = stats.rows_total.unwrap_or(0) > 0;
        return Ok(stats);
    }
    let mask = ProjectionMask::leaves(builder.parquet_schema(), keep);

    let row_groups = choose_row_groups(&metadata, opts.max_rows, opts.seed);
    let rows_chosen: u64 = row_groups
        .iter()
        .map(|&i| metadata.row_group(i).num_rows().max(0) as u64)
        .sum();
    let mut builder = builder
        .with_projection(mask)
        .with_row_groups(row_groups)
        .with_batch_size(opts.batch_rows.max(1));
    if let Some(n) = opts.max_rows {
        builder = builder.with_limit(n);
    }
    let mut stream = builder.build().map_err(problem)?;

    let mut stopped = false;
    let mut skipped_seen = false;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(problem)?;
        let (flat, skipped) = flatten_batch(&batch).map_err(|e| {
            ReadProblem::new(
                "corrupt_parquet",
                format!("cannot flatten batch: {}", short(&e.to_string())),
            )
        })?;
        if !skipped_seen {
            for s in skipped {
                if !stats.skipped_columns.contains(&s) {
                    stats.skipped_columns.push(s);
                }
            }
            skipped_seen = true;
        }
        stats.rows += flat.num_rows() as u64;
        if sink.batch(flat) == Flow::Stop {
            stopped = true;
            break;
        }
    }
    let total = stats.rows_total.unwrap_or(rows_chosen);
    stats.truncated = stopped || stats.rows < total;
    Ok(stats)
}

/// Checks that every column chunk lies inside the file (the parquet crate
/// asserts on negative offsets; a chunk past the end is a truncated file).
fn check_layout(metadata: &ParquetMetaData, size: u64) -> Result<(), ReadProblem> {
    for (g, rg) in metadata.row_groups().iter().enumerate() {
        if rg.num_rows() < 0 {
            return Err(ReadProblem::new(
                "corrupt_parquet",
                format!("row group {g} has a negative row count"),
            ));
        }
        for (c, col) in rg.columns().iter().enumerate() {
            let start = col
                .dictionary_page_offset()
                .unwrap_or(col.data_page_offset());
            let len = col.compressed_size();
            let inside = start >= 0
                && len >= 0
                && (start as u64)
                    .checked_add(len as u64)
                    .is_some_and(|end| end <= size);
            if !inside {
                return Err(ReadProblem::new(
                    "corrupt_parquet",
                    format!(
                        "column chunk {c} of row group {g} lies outside the file ({size} bytes)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Every leaf of `field` as (convention path, type), in Parquet leaf order.
fn collect_leaves(path: &str, field: &Field, out: &mut Vec<(String, DataType)>) {
    match field.data_type() {
        DataType::Struct(children) => {
            for c in children {
                collect_leaves(&format!("{path}.{}", c.name()), c, out);
            }
        }
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            collect_leaves(&format!("{path}[]"), item, out);
        }
        DataType::Map(entries, _) => {
            if let DataType::Struct(kv) = entries.data_type() {
                for (c, name) in kv.iter().zip(["key", "value"]) {
                    collect_leaves(&format!("{path}[].{name}"), c, out);
                }
            }
        }
        dt => out.push((path.to_string(), dt.clone())),
    }
}

/// All row groups (full mode), or a seeded random choice holding at least
/// `max_rows` rows, in file order.
fn choose_row_groups(metadata: &ParquetMetaData, max_rows: Option<usize>, seed: u64) -> Vec<usize> {
    let groups: Vec<usize> = (0..metadata.num_row_groups())
        .filter(|&i| metadata.row_group(i).num_rows() > 0)
        .collect();
    let Some(n) = max_rows else {
        return groups;
    };
    let mut order = groups;
    // Fisher-Yates with splitmix64: deterministic for a seed, independent
    // of any crate's RNG versioning.
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..order.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let mut chosen = Vec::new();
    let mut rows = 0u64;
    for g in order {
        if rows >= n as u64 && !chosen.is_empty() {
            break;
        }
        rows += metadata.row_group(g).num_rows() as u64;
        chosen.push(g);
    }
    chosen.sort_unstable();
    chosen
}

fn short(s: &str) -> String {
    let mut s = s.to_string();
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// The problem a parquet error stands for: store errors keep their code
/// (except a range past the end: the file lies about its layout), the rest
/// is `corrupt_parquet`.
fn problem(e: ParquetError) -> ReadProblem {
    if let ParquetError::External(inner) = &e
        && let Some(store) = inner.downcast_ref::<StoreError>()
        && !matches!(store, StoreError::OutOfRange { .. })
    {
        return ReadProblem::from(store.clone());
    }
    ReadProblem::new(
        "corrupt_parquet",
        format!("corrupt parquet: {}", short(&e.to_string())),
    )
}

/// [`AsyncFileReader`] over [`DynStore::get_range`].
struct StoreReader {
    store: DynStore,
    key: String,
    size: u64,
    fetched: Arc<AtomicU64>,
    /// The file's last bytes, fetched for the footer: later reads inside it
    /// (all of a small file) are served from here.
    tail: Option<(u64, Bytes)>,
}

impl StoreReader {
    async fn fetch(&self, range: Range<u64>) -> parquet::errors::Result<Bytes> {
        if range.start > range.end || range.end > self.size {
            return Err(ParquetError::EOF(format!(
                "range {}..{} past the end of a {} byte file",
                range.start, range.end, self.size
            )));
        }
        if let Some((start, tail)) = &self.tail {
            let (start, end) = (*start, start + tail.len() as u64);
            if range.start >= start && range.end <= end {
                let from = (range.start - start) as usize;
                return Ok(tail.slice(from..(range.end - start) as usize));
            }
            if range.start < start && range.end > start && range.end <= end {
                // Fetch only the part before the cached tail.
                let head = self.get(range.start..start).await?;
                let mut joined = Vec::with_capacity((range.end - range.start) as usize);
                joined.extend_from_slice(&head);
                joined.extend_from_slice(&tail[..(range.end - start) as usize]);
                return Ok(Bytes::from(joined));
            }
        }
        self.get(range).await
    }

    async fn get(&self, range: Range<u64>) -> parquet::errors::Result<Bytes> {
        let bytes = self
            .store
            .get_range(&self.key, range.clone())
            .await
            .map_err(|e| ParquetError::External(Box::new(e)))?;
        self.fetched
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if bytes.len() as u64 != range.end - range.start {
            return Err(ParquetError::EOF(format!(
                "expected {} bytes at offset {}, got {}",
                range.end - range.start,
                range.start,
                bytes.len()
            )));
        }
        Ok(bytes)
    }
}

impl AsyncFileReader for StoreReader {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        Box::pin(async move { self.fetch(range).await })
    }

    fn get_byte_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
    ) -> BoxFuture<'_, parquet::errors::Result<Vec<Bytes>>> {
        Box::pin(async move {
            let merged = coalesce(&ranges);
            let mut parts = Vec::with_capacity(merged.len());
            for m in &merged {
                parts.push((m.clone(), self.fetch(m.clone()).await?));
            }
            ranges
                .iter()
                .map(|r| {
                    let (m, bytes) = parts
                        .iter()
                        .find(|(m, _)| m.start <= r.start && r.end <= m.end)
                        .ok_or_else(|| ParquetError::General("range not fetched".into()))?;
                    let from = (r.start - m.start) as usize;
                    let to = (r.end - m.start) as usize;
                    Ok(bytes.slice(from..to))
                })
                .collect()
        })
    }

    fn get_metadata<'a>(
        &'a mut self,
        _options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, parquet::errors::Result<Arc<ParquetMetaData>>> {
        Box::pin(async move {
            let size = self.size;
            if self.tail.is_none() {
                let start = size.saturating_sub(FOOTER_PREFETCH as u64);
                let tail = self.fetch(start..size).await?;
                self.tail = Some((start, tail));
            }
            let metadata = ParquetMetaDataReader::new()
                .with_prefetch_hint(Some(FOOTER_PREFETCH))
                .load_and_finish(self, size)
                .await?;
            Ok(Arc::new(metadata))
        })
    }
}

/// Merges ranges closer than [`COALESCE_GAP`] (up to [`COALESCE_MAX`] each).
fn coalesce(ranges: &[Range<u64>]) -> Vec<Range<u64>> {
    let mut sorted: Vec<Range<u64>> = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::new();
    for r in sorted {
        match out.last_mut() {
            Some(last)
                if r.start <= last.end.saturating_add(COALESCE_GAP)
                    && r.end.max(last.end) - last.start <= COALESCE_MAX =>
            {
                last.end = last.end.max(r.end);
            }
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::format::text::tests::column_values;
    use crate::source::format::{Compression, FileFormat, Format, read_object};
    use crate::source::store::LocalStore;
    use arrow::array::{
        Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Int32Builder, Int64Array, ListBuilder,
        MapBuilder, StringArray, StringBuilder, StructBuilder,
    };
    use arrow::record_batch::RecordBatch;
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    const PARQUET: FileFormat = FileFormat {
        format: Format::Parquet,
        compression: Compression::None,
    };

    fn write_parquet(batches: &[RecordBatch], row_group_rows: usize) -> Vec<u8> {
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(row_group_rows))
            .build();
        let mut buf = Vec::new();
        let mut w = ArrowWriter::try_new(&mut buf, batches[0].schema(), Some(props)).unwrap();
        for b in batches {
            w.write(b).unwrap();
        }
        w.close().unwrap();
        buf
    }

    fn read_bytes(
        data: &[u8],
        opts: &ReadOptions,
    ) -> (Result<ReadStats, ReadProblem>, Vec<RecordBatch>, u64) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.parquet"), data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head("t.parquet")).unwrap();
        let mut batches = Vec::new();
        let mut sink = |b: RecordBatch| {
            batches.push(b);
            Flow::Continue
        };
        let res = read_object(rt.handle(), &store, &meta, PARQUET, opts, &mut sink);
        (res, batches, meta.size)
    }

    fn nested_batch() -> RecordBatch {
        let mut address = StructBuilder::from_fields(
            vec![
                Field::new("city", DataType::Utf8, true),
                Field::new("zip", DataType::Int32, true),
            ],
            2,
        );
        for (city, zip) in [("Paris", 75001), ("Lyon", 69001)] {
            address
                .field_builder::<StringBuilder>(0)
                .unwrap()
                .append_value(city);
            address
                .field_builder::<Int32Builder>(1)
                .unwrap()
                .append_value(zip);
            address.append(true);
        }
        let mut contacts = ListBuilder::new(StructBuilder::from_fields(
            vec![
                Field::new("email", DataType::Utf8, true),
                Field::new("verified", DataType::Boolean, true),
            ],
            0,
        ));
        for email in ["ann@example.com", "ann.work@example.com"] {
            let s = contacts.values();
            s.field_builder::<StringBuilder>(0)
                .unwrap()
                .append_value(email);
            s.field_builder::<arrow::array::BooleanBuilder>(1)
                .unwrap()
                .append_value(true);
            s.append(true);
        }
        contacts.append(true);
        contacts.append(true); // empty list for row 2
        let mut attrs = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        attrs.keys().append_value("phone");
        attrs.values().append_value("+33 1 23 45 67 89");
        attrs.append(true).unwrap();
        attrs.append(false).unwrap();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("id", Arc::new(Int64Array::from(vec![1, 2]))),
            ("address", Arc::new(address.finish())),
            ("contacts", Arc::new(contacts.finish())),
            ("attrs", Arc::new(attrs.finish())),
            ("active", Arc::new(BooleanArray::from(vec![true, false]))),
            (
                "blob",
                Arc::new(BinaryArray::from(vec![&b"\x00\x01"[..], b"\x02"])),
            ),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn list_strings(batches: &[RecordBatch], name: &str, row: usize) -> Option<Vec<String>> {
        let col = batches[0].column_by_name(name).unwrap();
        let l = col.as_list::<i32>();
        if l.is_null(row) {
            return None;
        }
        let v = l.value(row);
        let v = v.as_string::<i32>();
        Some((0..v.len()).map(|i| v.value(i).to_string()).collect())
    }

    #[test]
    fn nested_parquet_is_flattened_and_projected() {
        let data = write_parquet(&[nested_batch()], 1024);
        let (res, batches, size) = read_bytes(&data, &ReadOptions::default());
        let stats = res.unwrap();
        assert_eq!(stats.rows, 2);
        // A small file is read once, in the footer read.
        assert_eq!(stats.bytes_fetched, size);
        assert_eq!(stats.rows_total, Some(2));
        assert!(!stats.truncated);
        let schema = batches[0].schema();
        let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "address.city",
                "address.zip",
                "contacts[].email",
                "attrs[].key",
                "attrs[].value"
            ]
        );
        let mut skipped = stats.skipped_columns.clone();
        skipped.sort();
        assert_eq!(
            skipped,
            [
                ("active".to_string(), "boolean".to_string()),
                ("blob".to_string(), "binary".to_string()),
                ("contacts[].verified".to_string(), "boolean".to_string()),
            ]
        );
        assert_eq!(
            column_values(&batches, "id"),
            [Some("1".into()), Some("2".into())]
        );
        assert_eq!(
            column_values(&batches, "address.city"),
            [Some("Paris".into()), Some("Lyon".into())]
        );
        assert_eq!(
            column_values(&batches, "address.zip")[0],
            Some("75001".into())
        );
        assert_eq!(
            list_strings(&batches, "contacts[].email", 0),
            Some(vec![
                "ann@example.com".into(),
                "ann.work@example.com".into()
            ])
        );
        assert_eq!(list_strings(&batches, "contacts[].email", 1), Some(vec![]));
        assert_eq!(
            list_strings(&batches, "attrs[].key", 0),
            Some(vec!["phone".into()])
        );
        assert_eq!(
            list_strings(&batches, "attrs[].value", 0),
            Some(vec!["+33 1 23 45 67 89".into()])
        );
        assert_eq!(list_strings(&batches, "attrs[].value", 1), None);
        let st = |n: &str| crate::source::batch::source_type(schema.field_with_name(n).unwrap());
        assert_eq!(st("id"), "int64");
        assert_eq!(st("address.zip"), "int32");
        assert_eq!(st("contacts[].email"), "utf8");
    }

    fn many_rows(n: usize) -> RecordBatch {
        let ids: Vec<i64> = (0..n as i64).collect();
        let emails: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "user{i}.{:08x}@example.com",
                    (i as u64).wrapping_mul(2654435761)
                )
            })
            .collect();
        RecordBatch::try_from_iter(vec![
            ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
            ("email", Arc::new(StringArray::from(emails)) as ArrayRef),
        ])
        .unwrap()
    }

    #[test]
    fn sampling_reads_few_row_groups() {
        let data = write_parquet(&[many_rows(20_000)], 1000); // 20 row groups
        let opts = ReadOptions {
            max_rows: Some(500),
            seed: 7,
            ..Default::default()
        };
        let (res, batches, size) = read_bytes(&data, &opts);
        let stats = res.unwrap();
        assert_eq!(stats.rows, 500);
        assert_eq!(stats.rows_total, Some(20_000));
        assert!(stats.truncated);
        assert!(
            stats.bytes_fetched * 4 < size,
            "fetched {} of {size} bytes",
            stats.bytes_fetched
        );
        let first = column_values(&batches, "id");
        // Deterministic for a seed; another seed picks another group.
        let (res2, batches2, _) = read_bytes(&data, &opts);
        assert_eq!(res2.unwrap().bytes_fetched, stats.bytes_fetched);
        assert_eq!(column_values(&batches2, "id"), first);
        let other = ReadOptions {
            seed: 8,
            ..opts.clone()
        };
        let picks: Vec<_> = (8..16)
            .map(|seed| {
                let (_, b, _) = read_bytes(
                    &data,
                    &ReadOptions {
                        seed,
                        ..other.clone()
                    },
                );
                column_values(&b, "id")[0].clone()
            })
            .collect();
        assert!(picks.iter().any(|p| *p != first[0]));

        // Full mode reads everything.
        let (res, batches, _) = read_bytes(&data, &ReadOptions::default());
        let stats = res.unwrap();
        assert_eq!(stats.rows, 20_000);
        assert!(!stats.truncated);
        assert_eq!(column_values(&batches, "email").len(), 20_000);
    }

    #[test]
    fn sink_stop_ends_the_read() {
        let data = write_parquet(&[many_rows(5000)], 1000);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.parquet"), &data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head("t.parquet")).unwrap();
        let opts = ReadOptions {
            batch_rows: 100,
            ..Default::default()
        };
        let mut n = 0;
        let mut sink = |_b: RecordBatch| {
            n += 1;
            Flow::Stop
        };
        let stats = read_object(rt.handle(), &store, &meta, PARQUET, &opts, &mut sink).unwrap();
        assert_eq!((n, stats.rows), (1, 100));
        assert!(stats.truncated);
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let good = write_parquet(&[many_rows(3000)], 1000);
        let code = |data: &[u8]| {
            read_bytes(data, &ReadOptions::default())
                .0
                .err()
                .map(|e| e.code)
        };

        // Truncated: the footer is gone.
        assert_eq!(code(&good[..good.len() / 2]), Some("corrupt_parquet"));
        // Garbage between valid magics.
        let mut garbage = b"PAR1".to_vec();
        garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
        garbage.extend(b"PAR1");
        assert_eq!(code(&garbage), Some("corrupt_parquet"));
        // A plausible footer length over garbage metadata.
        let mut garbage = b"PAR1".to_vec();
        garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
        garbage.extend(4000u32.to_le_bytes());
        garbage.extend(b"PAR1");
        assert_eq!(code(&garbage), Some("corrupt_parquet"));
        // Footer length pointing past the start of the file.
        let mut lying = b"PAR1 tiny".to_vec();
        lying.extend(1_000_000u32.to_le_bytes());
        lying.extend(b"PAR1");
        assert_eq!(code(&lying), Some("corrupt_parquet"));
        // Bad magic.
        let mut bad_magic = good.clone();
        let n = bad_magic.len();
        bad_magic[n - 4..].copy_from_slice(b"NOPE");
        assert_eq!(code(&bad_magic), Some("corrupt_parquet"));
        // Too small.
        assert_eq!(code(b"PAR1"), Some("corrupt_parquet"));
        // An empty object is zero rows, not an error.
        let (res, batches, _) = read_bytes(b"", &ReadOptions::default());
        assert_eq!(res.unwrap().rows, 0);
        assert!(batches.is_empty());
        // Valid footer, corrupt pages: overwrite the data section.
        let mut bad_pages = good.clone();
        let end = bad_pages.len() / 3;
        for (i, b) in bad_pages[4..end].iter_mut().enumerate() {
            *b = (i as u32).wrapping_mul(2654435761).to_le_bytes()[1];
        }
        assert_eq!(code(&bad_pages), Some("corrupt_parquet"));
    }

    /// Random byte damage never escapes as a panic or a hang.
    #[test]
    fn fuzz_corruption() {
        let good = write_parquet(&[nested_batch(), nested_batch()], 1);
        let mut x: u64 = 1;
        let mut panics = 0;
        let mut errs = 0;
        for _ in 0..200 {
            let mut bad = good.clone();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x as usize) % bad.len();
                bad[i] = (x >> 32) as u8;
            }
            match read_bytes(&bad, &ReadOptions::default()).0 {
                Err(e) if e.message.contains("panic") => panics += 1,
                Err(_) => errs += 1,
                Ok(_) => {}
            }
        }
        assert!(errs > 100, "{errs} errors, {panics} caught panics");
    }

    #[test]
    fn row_group_choice_is_seeded_and_covers_max_rows() {
        let data = write_parquet(&[many_rows(10_000)], 1000);
        let meta = ParquetMetaDataReader::new()
            .parse_and_finish(&Bytes::from(data))
            .unwrap();
        assert_eq!(choose_row_groups(&meta, None, 1).len(), 10);
        let a = choose_row_groups(&meta, Some(2500), 1);
        assert_eq!(a.len(), 3);
        assert_eq!(a, choose_row_groups(&meta, Some(2500), 1));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(choose_row_groups(&meta, Some(1), 1).len(), 1);
        assert_eq!(choose_row_groups(&meta, Some(1 << 30), 1).len(), 10);
    }

    /// Counts ranged gets.
    #[derive(Debug)]
    struct Counting(LocalStore, std::sync::atomic::AtomicUsize);

    #[async_trait::async_trait]
    impl crate::source::store::ObjectStore for Counting {
        fn url(&self, key: &str) -> String {
            self.0.url(key)
        }
        async fn list(&self, prefix: &str) -> crate::source::store::Listing {
            self.0.list(prefix).await
        }
        async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError> {
            self.0.head(key).await
        }
        async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, StoreError> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.get_range(key, range).await
        }
    }

    #[test]
    fn footer_takes_one_read_unless_metadata_is_large() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("small.parquet"),
            write_parquet(&[many_rows(100)], 1000),
        )
        .unwrap();
        // ~600 columns: metadata well over the 64 KiB prefetch.
        let columns: Vec<(String, ArrayRef)> = (0..600)
            .map(|i| {
                (
                    format!("a_rather_long_column_name_{i:04}"),
                    Arc::new(Int64Array::from(vec![1i64, 2])) as ArrayRef,
                )
            })
            .collect();
        let wide = RecordBatch::try_from_iter(columns).unwrap();
        std::fs::write(
            dir.path().join("wide.parquet"),
            write_parquet(&[wide], 1000),
        )
        .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        for (key, gets) in [("small.parquet", 1), ("wide.parquet", 2)] {
            let counting = Arc::new(Counting(LocalStore::new(dir.path()), Default::default()));
            let store: DynStore = counting.clone();
            let meta = rt.block_on(store.head(key)).unwrap();
            let mut reader = StoreReader {
                store,
                key: key.to_string(),
                size: meta.size,
                fetched: Default::default(),
                tail: None,
            };
            let md = rt.block_on(reader.get_metadata(None)).unwrap();
            assert!(md.num_row_groups() >= 1);
            assert_eq!(counting.1.load(Ordering::Relaxed), gets, "{key}");
        }
    }

    #[test]
    fn coalescing_merges_near_ranges() {
        assert_eq!(coalesce(&[10..20, 0..5, 100..200]), vec![0..200]);
        assert_eq!(coalesce(&[0..5, (3 << 20)..(3 << 20) + 1]).len(), 2);
    }
}
