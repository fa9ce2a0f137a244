//! File formats: each turns an object's bytes into string batches
//! (see [`crate::source::batch`]) pushed into a [`BatchSink`].
//!
//! Readers see only the [`ObjectStore`](crate::source::store::ObjectStore)
//! and read only what they need: Parquet through ranged reads of the footer
//! and the chosen column chunks; text formats a window of the first bytes in
//! sample mode, or a stream of ranged chunks in full mode.

mod compress;
mod csv;
pub mod flatten;
mod json;
mod parquet;
mod range_reader;
mod text;

pub use json::flatten_document;
pub use range_reader::RangeReader;

use crate::source::store::{DynStore, ObjectMeta, StoreError};
use arrow::record_batch::RecordBatch;

/// How an object's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    /// Delimited text; the delimiter is sniffed when `None`.
    Csv {
        delimiter: Option<u8>,
    },
    /// A JSON document (array of objects or one object) or JSON Lines; sniffed.
    Json,
    /// Plain text or logs: each line a value of column `line`.
    Text,
}

impl Format {
    pub fn name(&self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv {
                delimiter: Some(b'\t'),
            } => "tsv",
            Format::Csv { .. } => "csv",
            Format::Json => "json",
            Format::Text => "text",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFormat {
    pub format: Format,
    pub compression: Compression,
}

impl FileFormat {
    /// e.g. `csv`, `jsonl+gzip`.
    pub fn describe(&self) -> String {
        match self.compression {
            Compression::None => self.format.name().to_string(),
            Compression::Gzip => format!("{}+gzip", self.format.name()),
            Compression::Zstd => format!("{}+zstd", self.format.name()),
        }
    }
}

/// The result of looking at a key (and optionally its first bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    Supported(FileFormat),
    /// Not something ferret reads (yet); the reason is reported on the asset.
    Unsupported(String),
}

/// Decides an object's format from its extension, falling back to magic
/// bytes in `head` (the first few KiB) when the extension says nothing.
pub fn detect_format(key: &str, head: Option<&[u8]>) -> Detected {
    let name = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    let (stem, compression) = if let Some(s) = name.strip_suffix(".gz") {
        (s, Compression::Gzip)
    } else if let Some(s) = name.strip_suffix(".gzip") {
        (s, Compression::Gzip)
    } else if let Some(s) = name.strip_suffix(".zst") {
        (s, Compression::Zstd)
    } else if let Some(s) = name.strip_suffix(".zstd") {
        (s, Compression::Zstd)
    } else {
        (name.as_str(), Compression::None)
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let format = match ext {
        "parquet" | "parq" | "pq" => Some(Format::Parquet),
        "csv" => Some(Format::Csv { delimiter: None }),
        "tsv" | "tab" => Some(Format::Csv {
            delimiter: Some(b'\t'),
        }),
        "psv" => Some(Format::Csv {
            delimiter: Some(b'|'),
        }),
        "json" | "jsonl" | "ndjson" | "geojson" => Some(Format::Json),
        "txt" | "log" | "text" | "md" | "out" | "err" => Some(Format::Text),
        _ => None,
    };
    if let Some(format) = format {
        if format == Format::Parquet && compression != Compression::None {
            return Detected::Unsupported("compressed parquet file".into());
        }
        return Detected::Supported(FileFormat {
            format,
            compression,
        });
    }
    match head {
        Some(bytes) => sniff(bytes, compression),
        None => Detected::Unsupported(format!("unknown extension '.{ext}'")),
    }
}

fn sniff(head: &[u8], compression: Compression) -> Detected {
    if head.starts_with(b"PAR1") {
        return Detected::Supported(FileFormat {
            format: Format::Parquet,
            compression: Compression::None,
        });
    }
    if compression == Compression::None && head.starts_with(&[0x1f, 0x8b]) {
        return Detected::Supported(FileFormat {
            format: Format::Text,
            compression: Compression::Gzip,
        });
    }
    if compression == Compression::None && head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Detected::Supported(FileFormat {
            format: Format::Text,
            compression: Compression::Zstd,
        });
    }
    if compression != Compression::None {
        // Compressed, unknown inner format: read it as text.
        return Detected::Supported(FileFormat {
            format: Format::Text,
            compression,
        });
    }
    if head.is_empty() {
        return Detected::Supported(FileFormat {
            format: Format::Text,
            compression,
        });
    }
    if let Some(kind) = binary_kind(head) {
        return Detected::Unsupported(format!("binary file ({kind})"));
    }
    let text_like = !head.contains(&0) && std::str::from_utf8(trim_partial_utf8(head)).is_ok();
    if text_like {
        Detected::Supported(FileFormat {
            format: Format::Text,
            compression,
        })
    } else {
        Detected::Unsupported("binary file (unrecognised)".into())
    }
}

/// Well-known binary formats, named so the skip reason is useful.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"SQLite format 3\0", "sqlite database"),
        (b"\x89PNG", "png image"),
        (b"\xff\xd8\xff", "jpeg image"),
        (b"GIF8", "gif image"),
        (b"%PDF", "pdf document"),
        (b"PK\x03\x04", "zip archive"),
        (b"\x7fELF", "elf executable"),
        (b"ORC", "orc file"),
        (b"Obj\x01", "avro file"),
        (b"ARROW1", "arrow ipc file"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// `head` cut at a possibly split multi-byte character at its end.
fn trim_partial_utf8(head: &[u8]) -> &[u8] {
    match std::str::from_utf8(head) {
        Ok(_) => head,
        Err(e) if e.error_len().is_none() => &head[..e.valid_up_to()],
        Err(_) => head,
    }
}

/// What to read of an object.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Stop after this many rows (`None`: read everything, `--full`).
    pub max_rows: Option<usize>,
    /// Sample mode for text formats: read only this many leading (compressed)
    /// bytes and drop the last partial line. `None` streams the whole object.
    pub window_bytes: Option<u64>,
    /// Rows per batch handed to the sink.
    pub batch_rows: usize,
    /// Longest line kept whole; longer lines are cut here and reported.
    pub max_line_bytes: usize,
    /// Seeds the choice of Parquet row groups in sample mode.
    pub seed: u64,
    /// Full mode: decompressed bytes read from one gzip / zstd object at
    /// most (`--max-decompressed-bytes`), against decompression bombs. Past
    /// it the read stops, what was read is scanned, and the object gets a
    /// `decompression_limit` problem. (Sample mode is bounded by its window.)
    pub max_decompressed_bytes: u64,
}

/// Default of [`ReadOptions::max_decompressed_bytes`]: 4 GiB, far above any
/// sane text object's expansion, far below what a bomb (or a disk) holds.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_rows: None,
            window_bytes: None,
            batch_rows: 8192,
            max_line_bytes: 1 << 20,
            seed: 0,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
        }
    }
}

/// Whether the sink wants more batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Receives batches as a reader produces them (ripgrep's `Sink`, for rows).
pub trait BatchSink {
    fn batch(&mut self, batch: RecordBatch) -> Flow;
}

impl<F: FnMut(RecordBatch) -> Flow> BatchSink for F {
    fn batch(&mut self, batch: RecordBatch) -> Flow {
        self(batch)
    }
}

/// A problem met while reading, recorded on the asset. Fatal ones end the
/// object's read; others (`ReadStats::problems`) are noted and reading goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ReadProblem {
    /// Stable short code: `corrupt_parquet`, `bad_gzip`, `bad_zstd`,
    /// `invalid_utf8`, `line_too_long`, `parse_error`, `store_error`, ...
    pub code: &'static str,
    /// Human-readable; never contains values read from the object.
    pub message: String,
}

impl ReadProblem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ReadProblem {
            code,
            message: message.into(),
        }
    }
}

/// Counts one kind of non-fatal problem over an object and remembers where it
/// first happened, so a million bad lines make one inventory entry, not a million.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    count: u64,
    first: u64,
}

impl Tally {
    /// Counts one more occurrence, at `at` (a line, record or element number).
    pub(crate) fn note(&mut self, at: u64) {
        if self.count == 0 {
            self.first = at;
        }
        self.count += 1;
    }

    /// Pushes `code` with `describe(count, first)` when anything was noted.
    pub(crate) fn report(
        &self,
        code: &'static str,
        problems: &mut Vec<ReadProblem>,
        describe: impl FnOnce(u64, u64) -> String,
    ) {
        if self.count > 0 {
            problems.push(ReadProblem::new(code, describe(self.count, self.first)));
        }
    }
}

impl From<StoreError> for ReadProblem {
    fn from(e: StoreError) -> Self {
        ReadProblem::new(e.code(), e.to_string())
    }
}

/// What reading one object amounted to.
#[derive(Debug, Default, Clone)]
pub struct ReadStats {
    pub rows: u64,
    /// Bytes fetched from the store (compressed, as transferred).
    pub bytes_fetched: u64,
    /// Rows the object holds, when the format says (Parquet metadata).
    pub rows_total: Option<u64>,
    /// True when the read stopped before the end (sample window or row limit).
    pub truncated: bool,
    /// Non-fatal problems (e.g. invalid UTF-8 replaced, an over-long line cut).
    pub problems: Vec<ReadProblem>,
    /// Columns not read, with the reason (`binary`, `boolean`, ...).
    pub skipped_columns: Vec<(String, String)>,
    /// Databases: how rows were chosen (`tablesample_system`, `copy`, ...).
    pub method: Option<&'static str>,
    /// Databases: rows of the table, when the read settled it (`exact`) or
    /// a cheap count could (`count`).
    pub row_count: Option<(f64, &'static str)>,
}

/// Reads one object into `sink`.
///
/// Runs on a worker thread; async store calls are driven with `rt`. Returns
/// `Err` when the object could not be read at all (corrupt, unreadable): the
/// caller records it on the asset and carries on with the next object.
pub fn read_object(
    rt: &tokio::runtime::Handle,
    store: &DynStore,
    meta: &ObjectMeta,
    format: FileFormat,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    match format.format {
        Format::Parquet => parquet::read(rt, store, meta, opts, sink),
        Format::Csv { .. } | Format::Json | Format::Text => {
            let input = compress::open(rt, store, meta, format.compression, opts)?;
            let status = input.status.clone();
            let mut stats = match format.format {
                Format::Csv { delimiter } => csv::read(input, delimiter, opts, sink),
                Format::Json => json::read(input, opts, sink),
                _ => text::read(input, opts, sink),
            }?;
            if let Some(produced) = status.limit_reached() {
                stats.truncated = true;
                stats.problems.push(ReadProblem::new(
                    "decompression_limit",
                    format!(
                        "decompression stopped at {produced} bytes (the limit, --max-decompressed-bytes) \
                         after {} of {} compressed bytes; the rows before it were scanned",
                        status.bytes_fetched(),
                        meta.size
                    ),
                ));
            }
            Ok(stats)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_extension_and_magic() {
        let f = |k: &str, h: Option<&[u8]>| detect_format(k, h);
        assert_eq!(
            f("a/b.csv.gz", None),
            Detected::Supported(FileFormat {
                format: Format::Csv { delimiter: None },
                compression: Compression::Gzip
            })
        );
        assert!(matches!(f("x.jsonl.zst", None), Detected::Supported(_)));
        assert!(matches!(
            f("x", Some(b"PAR1....")),
            Detected::Supported(FileFormat {
                format: Format::Parquet,
                ..
            })
        ));
        assert!(matches!(
            f("x.bin", Some(b"\x89PNG\r\n")),
            Detected::Unsupported(_)
        ));
        assert!(matches!(
            f("README", Some(b"hello\n")),
            Detected::Supported(FileFormat {
                format: Format::Text,
                ..
            })
        ));
    }
}
