//! Delimited text (CSV, TSV, PSV...) with the `csv` crate.
//!
//! - The delimiter, when not given, is sniffed among `,` `;` `\t` `|`: the one
//!   giving the most consistent field count (> 1) over the first records,
//!   quotes respected.
//! - The header is sniffed: the first row is a header when its values look
//!   like names (non-empty, unique, not numeric, no digits or `@`...) and the
//!   second row looks like data in at least one column, or the names are
//!   identifier-like / common column words. Otherwise columns are named
//!   `column_1`, `column_2`... (a false header would put a data value into a
//!   column name, so the sniffer is cautious). Duplicate names get `_2`, `_3`.
//! - Rows may vary in length: missing fields are null, extra fields are
//!   dropped and reported once (`extra_fields`). Empty strings are null.
//! - Invalid UTF-8 is decoded lossily and reported once (`invalid_utf8`).
//! - A record longer than `max_line_bytes` is skipped without buffering more
//!   than about that much (`line_too_long`); reading resumes at the next line.
//! - When the input is a cut window, the last record is dropped unless the
//!   data ended with a line break.

use super::compress::{self, Input};
use super::text::decode_lossy;
use super::{BatchSink, Flow, ReadOptions, ReadProblem, ReadStats, Tally};
use crate::source::batch::string_field;
use arrow::array::{Array, ArrayRef, BinaryBuilder, StringArray};
use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;
use csv::ByteRecord;
use std::collections::HashSet;
use std::io::{self, BufRead, Read};
use std::sync::Arc;

/// Bytes looked at to sniff the delimiter and header.
const SNIFF_BYTES: usize = 64 << 10;
/// Records looked at to sniff.
const SNIFF_RECORDS: usize = 50;
/// The csv reader's own buffer.
const CSV_BUFFER: usize = 64 << 10;
/// Columns kept at most (further fields count as extra).
const MAX_COLUMNS: usize = 16_384;
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

pub fn read(
    input: Input,
    delimiter: Option<u8>,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    let Input { mut reader, status } = input;
    let mut stats = ReadStats::default();

    // The first bytes, for sniffing; then read on from the same stream.
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| compress::problem(&e))?;
    let prefix_is_all = prefix.len() < SNIFF_BYTES;
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
    }
    let complete = prefix_is_all && !status.truncated();
    let sample_records = sniff_records_all(&prefix, complete);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&sample_records));
    let records = &sample_records[CANDIDATES.iter().position(|&c| c == delimiter).unwrap_or(0)];
    let records: Vec<ByteRecord> = if CANDIDATES.contains(&delimiter) {
        records.clone()
    } else {
        parse_sample(&prefix, delimiter, complete)
    };
    let has_header = sniff_header(&records);

    let source: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(prefix).chain(reader));
    let mut guard = Guard {
        inner: source,
        since_record: 0,
        limit: (opts.max_line_bytes as u64).saturating_add(CSV_BUFFER as u64),
        fired: false,
        last_byte: None,
    };

    let mut columns: Vec<String> = Vec::new();
    let mut need_header = has_header;
    if !has_header {
        let width = mode_width(&records).min(MAX_COLUMNS);
        columns = (1..=width).map(|i| format!("column_{i}")).collect();
    }

    let batch_rows = opts.batch_rows.max(1);
    let max_rows = opts.max_rows.unwrap_or(usize::MAX) as u64;
    let mut out = Columns::default();
    let mut counts = Counts::default();
    let mut record_no = 0u64;
    let mut pending: Option<ByteRecord> = None;
    let mut next = ByteRecord::new();
    let mut stopped = false;
    let mut ended = false;
    let mut last_byte = None;

    'outer: loop {
        let mut rdr = builder(delimiter).from_reader(guard);
        loop {
            if stats.rows >= max_rows {
                stopped = true;
                break 'outer;
            }
            match rdr.read_byte_record(&mut next) {
                Ok(true) => {
                    rdr.get_mut().since_record = 0;
                    record_no += 1;
                    if need_header {
                        columns = header_names(&next);
                        need_header = false;
                        continue;
                    }
                    // One record of lookahead: the last one may be partial.
                    // The two records swap buffers, so reading allocates
                    // nothing per record.
                    let Some(rec) = pending.as_mut() else {
                        pending = Some(std::mem::take(&mut next));
                        continue;
                    };
                    std::mem::swap(rec, &mut next);
                    // `next` now holds the previous record.
                    if emit(
                        &next,
                        record_no - 1,
                        &columns,
                        &mut out,
                        &mut counts,
                        &mut stats,
                    ) && out.rows >= batch_rows
                        && out.flush(&columns, sink)? == Flow::Stop
                    {
                        stopped = true;
                        break 'outer;
                    }
                }
                Ok(false) => {
                    ended = true;
                    last_byte = rdr.get_ref().last_byte;
                    break 'outer;
                }
                Err(e) => {
                    guard = rdr.into_inner();
                    if guard.fired {
                        counts.too_long.note(record_no + 1);
                        record_no += 1;
                        guard.skip_line().map_err(|e| compress::problem(&e))?;
                        guard.fired = false;
                        guard.since_record = 0;
                        continue 'outer;
                    }
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(io) => compress::problem(&io),
                        other => ReadProblem::new(
                            "parse_error",
                            format!(
                                "csv error near record {}: {}",
                                record_no + 1,
                                kind_name(&other)
                            ),
                        ),
                    });
                }
            }
        }
    }
    if let Some(rec) = pending.take() {
        // At the end of a cut window the last record is whole only if the
        // data ended with a line break.
        let partial =
            ended && status.truncated() && !matches!(last_byte, Some(b'\n') | Some(b'\r'));
        if !partial && stats.rows < max_rows {
            emit(&rec, record_no, &columns, &mut out, &mut counts, &mut stats);
        }
    }
    if out.rows > 0 {
        out.flush(&columns, sink)?;
    }
    counts.report(opts.max_line_bytes, columns.len(), &mut stats.problems);
    stats.truncated = stopped || status.truncated();
    stats.bytes_fetched = status.bytes_fetched();
    Ok(stats)
}

fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER);
    b
}

fn kind_name(kind: &csv::ErrorKind) -> &'static str {
    match kind {
        csv::ErrorKind::Utf8 { .. } => "invalid utf-8",
        csv::ErrorKind::UnequalLengths { .. } => "unequal lengths",
        csv::ErrorKind::Seek => "seek",
        csv::ErrorKind::Serialize(_) | csv::ErrorKind::Deserialize { .. } => "serde",
        _ => "malformed record",
    }
}

/// Appends one record as a row; false when it was skipped (blank).
fn emit(
    rec: &ByteRecord,
    record_no: u64,
    columns: &[String],
    out: &mut Columns,
    counts: &mut Counts,
    stats: &mut ReadStats,
) -> bool {
    if rec.iter().all(|f| f.is_empty()) {
        return false;
    }
    if rec.len() > columns.len() {
        counts.extra.note(record_no);
    }
    out.ensure(columns.len());
    // ASCII records (nearly all) need no per-field UTF-8 check; the batch
    // is checked as a whole when it is built.
    let ascii = rec.as_slice().is_ascii();
    let mut lossy_row = false;
    for (j, b) in out.builders.iter_mut().enumerate() {
        match rec.get(j) {
            Some(f) if !f.is_empty() && ascii => b.append_value(f),
            Some(f) if !f.is_empty() => {
                let (s, lossy) = decode_lossy(f);
                lossy_row |= lossy;
                b.append_value(s.as_bytes());
            }
            _ => b.append_null(),
        }
    }
    if lossy_row {
        counts.utf8.note(record_no);
    }
    out.rows += 1;
    stats.rows += 1;
    true
}

/// Column builders of the batch being filled. Bytes, not strings: every
/// value appended is valid UTF-8 (ASCII, or decoded), and the batch is
/// validated once as it is turned into string arrays.
#[derive(Default)]
struct Columns {
    builders: Vec<BinaryBuilder>,
    rows: usize,
}

impl Columns {
    fn ensure(&mut self, n: usize) {
        while self.builders.len() < n {
            self.builders.push(BinaryBuilder::new());
        }
    }

    fn flush(&mut self, columns: &[String], sink: &mut dyn BatchSink) -> Result<Flow, ReadProblem> {
        self.ensure(columns.len());
        let fields: Vec<_> = columns.iter().map(|c| string_field(c, "string")).collect();
        let arrays: Result<Vec<ArrayRef>, _> = self
            .builders
            .iter_mut()
            .map(|b| {
                let array = b.finish();
                // The next batch is likely the same size: no regrowing.
                *b = BinaryBuilder::with_capacity(array.len(), array.value_data().len());
                StringArray::try_from_binary(array).map(|a| Arc::new(a) as ArrayRef)
            })
            .collect();
        let arrays =
            arrays.map_err(|e| ReadProblem::new("internal", format!("building batch: {e}")))?;
        let options =
            arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(self.rows));
        self.rows = 0;
        let batch =
            RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
                .map_err(|e| ReadProblem::new("internal", format!("building batch: {e}")))?;
        Ok(sink.batch(batch))
    }
}

#[derive(Default)]
struct Counts {
    extra: Tally,
    utf8: Tally,
    too_long: Tally,
}

impl Counts {
    fn report(&self, max: usize, width: usize, problems: &mut Vec<ReadProblem>) {
        self.extra.report("extra_fields", problems, |n, first| {
            format!(
                "{n} record(s) had more than {width} fields; extra fields dropped (first at record {first})"
            )
        });
        self.too_long.report("line_too_long", problems, |n, first| {
            format!("{n} record(s) longer than {max} bytes skipped (first at record {first})")
        });
        self.utf8.report("invalid_utf8", problems, |n, first| {
            format!("{n} record(s) held invalid UTF-8, replaced (first at record {first})")
        });
    }
}

/// Sits under the csv reader: fails a read once the current record has
/// grown past `limit` (so a never-ending field cannot take all memory), and
/// remembers the last byte passed on.
///
/// The csv reader refills its buffer only when it is empty, so when this
/// fires every byte handed over belongs to the record in progress.
struct Guard {
    inner: Box<dyn BufRead + Send>,
    since_record: u64,
    limit: u64,
    fired: bool,
    last_byte: Option<u8>,
}

impl Read for Guard {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.since_record > self.limit {
            self.fired = true;
            return Err(io::Error::other("record too long"));
        }
        let n = self.inner.read(out)?;
        if n > 0 {
            self.last_byte = Some(out[n - 1]);
        }
        self.since_record += n as u64;
        Ok(n)
    }
}

impl Guard {
    /// Consumes the rest of the current line (quotes ignored: the record was
    /// given up) without buffering it.
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                return Ok(());
            }
            if let Some(i) = memchr::memchr(b'\n', avail) {
                self.last_byte = Some(b'\n');
                self.inner.consume(i + 1);
                return Ok(());
            }
            let n = avail.len();
            self.last_byte = avail.last().copied();
            self.inner.consume(n);
        }
    }
}

/// The first records of `prefix` under each candidate delimiter.
fn sniff_records_all(prefix: &[u8], complete: bool) -> Vec<Vec<ByteRecord>> {
    CANDIDATES
        .iter()
        .map(|&d| parse_sample(prefix, d, complete))
        .collect()
}

/// Up to [`SNIFF_RECORDS`] records of `prefix`; the last is left out unless
/// `prefix` is all the data (it may be cut).
fn parse_sample(prefix: &[u8], delimiter: u8, complete: bool) -> Vec<ByteRecord> {
    let mut rdr = builder(delimiter).from_reader(prefix);
    let mut out = Vec::new();
    let mut rec = ByteRecord::new();
    while out.len() <= SNIFF_RECORDS {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => out.push(rec.clone()),
            _ => break,
        }
    }
    let reached_end = rdr.is_done();
    if out.len() > SNIFF_RECORDS {
        out.truncate(SNIFF_RECORDS);
    } else if reached_end && !complete && out.len() > 1 {
        out.pop();
    }
    out
}

/// The most common field count (ties: the one seen first), 1 when none.
fn mode_width(records: &[ByteRecord]) -> usize {
    let mut freq: std::collections::HashMap<usize, usize> = Default::default();
    for r in records {
        *freq.entry(r.len()).or_default() += 1;
    }
    let mut best: Option<(usize, usize)> = None;
    for r in records {
        let n = freq[&r.len()];
        if best.is_none_or(|(_, bn)| n > bn) {
            best = Some((r.len(), n));
        }
    }
    best.map(|(c, _)| c).unwrap_or(1)
}

/// The candidate whose field count (> 1) is the most consistent; `,` when
/// none splits the records.
fn sniff_delimiter(samples: &[Vec<ByteRecord>]) -> u8 {
    let mut best: Option<(f64, usize, u8)> = None;
    for (records, &d) in samples.iter().zip(CANDIDATES.iter()) {
        let counts: Vec<usize> = records
            .iter()
            .filter(|r| !(r.len() == 1 && r[0].is_empty()))
            .map(|r| r.len())
            .collect();
        if counts.is_empty() {
            continue;
        }
        let mut freq: std::collections::HashMap<usize, usize> = Default::default();
        for &c in &counts {
            *freq.entry(c).or_default() += 1;
        }
        let (&mode, &n) = freq
            .iter()
            .max_by_key(|&(&c, &n)| (n, c))
            .expect("counts is not empty");
        if mode <= 1 {
            continue;
        }
        let consistency = n as f64 / counts.len() as f64;
        let better = match best {
            None => true,
            Some((bc, bm, _)) => {
                consistency > bc + 1e-9 || ((consistency - bc).abs() <= 1e-9 && mode > bm)
            }
        };
        if better {
            best = Some((consistency, mode, d));
        }
    }
    best.map(|(_, _, d)| d).unwrap_or(b',')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Empty,
    Numeric,
    HasDigit,
    Email,
    Text,
}

fn class(v: &str) -> Class {
    let v = v.trim();
    if v.is_empty() {
        Class::Empty
    } else if v.parse::<f64>().is_ok() {
        Class::Numeric
    } else if v.contains('@') {
        Class::Email
    } else if v.bytes().any(|b| b.is_ascii_digit()) {
        Class::HasDigit
    } else {
        Class::Text
    }
}

/// Looks like a column name: short, starts with a letter or `_`, made of
/// letters, digits and a few separators.
fn name_like(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && v.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | ' ' | '-' | '.' | '/' | '#' | '(' | ')')
        })
}

/// Identifier style typical of headers rather than data: snake_case,
/// camelCase, all lower case.
fn identifier_like(v: &str) -> bool {
    let v = v.trim();
    let has_lower = v.chars().any(|c| c.is_lowercase());
    v.contains('_')
        || (has_lower && !v.chars().next().is_some_and(|c| c.is_uppercase()) && !v.contains(' '))
}

const COLUMN_WORDS: &[&str] = &[
    "name",
    "email",
    "mail",
    "phone",
    "mobile",
    "address",
    "city",
    "country",
    "zip",
    "postcode",
    "postal",
    "id",
    "date",
    "time",
    "birth",
    "dob",
    "age",
    "gender",
    "user",
    "login",
    "account",
    "number",
    "code",
    "type",
    "status",
    "amount",
    "price",
    "total",
    "created",
    "updated",
    "ssn",
    "iban",
    "card",
    "ip",
    "url",
    "title",
    "description",
    "comment",
    "note",
    "first",
    "last",
    "surname",
    "company",
    "street",
    "state",
    "region",
    "key",
    "value",
    "count",
    "year",
    "month",
];

fn has_column_word(v: &str) -> bool {
    let lower = v.trim().to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| COLUMN_WORDS.contains(&w))
}

fn sniff_header(records: &[ByteRecord]) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    let row0: Vec<String> = first
        .iter()
        .map(|f| decode_lossy(f).0.into_owned())
        .collect();
    if row0.iter().all(|v| v.trim().is_empty()) {
        return false;
    }
    // Allow one empty name (a pandas index column); all must look like names.
    let empties = row0.iter().filter(|v| v.trim().is_empty()).count();
    let named: Vec<&String> = row0.iter().filter(|v| !v.trim().is_empty()).collect();
    if empties > 1 || !named.iter().all(|v| name_like(v)) {
        return false;
    }
    // Names are words: no numbers, no e-mail addresses, few digits
    // (`address_line2` is a name, `2023-01-05` is not).
    let wordy = |v: &str| match class(v) {
        Class::Text => true,
        Class::HasDigit => {
            let digits = v.bytes().filter(|b| b.is_ascii_digit()).count();
            digits * 3 <= v.len() && identifier_like(v)
        }
        _ => false,
    };
    if !named.iter().all(|v| wordy(v)) {
        return false;
    }
    // A column whose name is a word but whose values (most of them) are
    // numbers, contain digits, or are e-mail addresses.
    let differs = row0.iter().enumerate().any(|(j, h)| {
        if class(h) != Class::Text {
            return false;
        }
        let classes: Vec<Class> = records[1..]
            .iter()
            .take(20)
            .filter_map(|r| r.get(j))
            .map(|f| class(&decode_lossy(f).0))
            .filter(|c| *c != Class::Empty)
            .collect();
        let other = classes.iter().filter(|c| **c != Class::Text).count();
        other > 0 && other * 5 >= classes.len() * 4
    });
    if differs {
        return true;
    }
    let ident = named.iter().all(|v| identifier_like(v));
    let second_ident = records.get(1).is_some_and(|r| {
        r.iter().all(|f| {
            let s = decode_lossy(f).0;
            s.trim().is_empty() || identifier_like(&s)
        })
    });
    (ident && !second_ident) || named.iter().any(|v| has_column_word(v))
}

/// Column names from a header record: trimmed, empty ones numbered,
/// duplicates suffixed `_2`, `_3`...
fn header_names(rec: &ByteRecord) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rec.len());
    for (j, f) in rec.iter().take(MAX_COLUMNS).enumerate() {
        let name = decode_lossy(f).0.trim().to_string();
        let base = if name.is_empty() {
            format!("column_{}", j + 1)
        } else {
            name
        };
        let mut candidate = base.clone();
        let mut k = 2;
        while seen.contains(&candidate) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        seen.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::format::compress::tests::{gzip, zstd};
    use crate::source::format::text::tests::{column_values, read_file};
    use crate::source::format::{Compression, FileFormat, Format};

    fn csv_fmt(delimiter: Option<u8>, compression: Compression) -> FileFormat {
        FileFormat {
            format: Format::Csv { delimiter },
            compression,
        }
    }

    fn names(batches: &[RecordBatch]) -> Vec<String> {
        batches[0]
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn col(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
        column_values(batches, name)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn comma_with_header() {
        let data = b"id,name,email\n1,Ann,ann@example.com\n2,Bob,\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 2);
        assert_eq!(names(&b), ["id", "name", "email"]);
        assert_eq!(col(&b, "email"), [s("ann@example.com"), None]);
        let f = b[0].schema().field(0).clone();
        assert_eq!(crate::source::batch::source_type(&f), "string");
    }

    #[test]
    fn semicolon_and_tab_sniffed() {
        let data =
            b"name;city;phone\nAnn;Paris, France;+33 1 23 45 67 89\nBob;Lyon;+33 4 00 00 00 00\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap().rows, 2);
        assert_eq!(names(&b), ["name", "city", "phone"]);
        assert_eq!(col(&b, "city"), [s("Paris, France"), s("Lyon")]);

        let data = b"name\tcity\tphone\nAnn\tParis, France\t555-0100\nBob\tLyon\t555-0101\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap().rows, 2);
        assert_eq!(names(&b), ["name", "city", "phone"]);
        assert_eq!(col(&b, "phone"), [s("555-0100"), s("555-0101")]);
    }

    #[test]
    fn headerless_pipe_and_ragged_rows() {
        let data = b"1|Ann|ann@example.com\n2|Bob\n3|Cid|cid@example.com|extra|more\n";
        let (res, b) = read_file(
            "a.psv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 3);
        assert_eq!(names(&b), ["column_1", "column_2", "column_3"]);
        assert_eq!(
            col(&b, "column_3"),
            [s("ann@example.com"), None, s("cid@example.com")]
        );
        let extra: Vec<_> = stats
            .problems
            .iter()
            .filter(|p| p.code == "extra_fields")
            .collect();
        assert_eq!(extra.len(), 1);
        assert!(!extra[0].message.contains("extra,"));
    }

    #[test]
    fn header_names_with_digits() {
        let data = b"booking_ref,address_line2,departure\nKEHGTR,Flat 2,2023-07-24T08:33:12Z\nWCGQED,,2023-04-26T21:58:25Z\n";
        let (_, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(names(&b), ["booking_ref", "address_line2", "departure"]);
        // Dates and codes in the first row are data.
        let data = b"KEHGTR,2023-07-24,x1\nWCGQED,2023-04-26,x2\n";
        let (_, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(names(&b), ["column_1", "column_2", "column_3"]);
    }

    #[test]
    fn headerless_names_stay_data() {
        let data = b"John,Smith\nJane,Doe\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap().rows, 2);
        assert_eq!(names(&b), ["column_1", "column_2"]);
        assert_eq!(col(&b, "column_1"), [s("John"), s("Jane")]);
    }

    #[test]
    fn quoted_fields_with_delimiters_and_newlines() {
        let data = b"name,address,note\n\"Doe, Jane\",\"1 Main St\nSpringfield\",\"said \"\"hi\"\"\"\nBob,2 Elm St,\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap().rows, 2);
        assert_eq!(col(&b, "name"), [s("Doe, Jane"), s("Bob")]);
        assert_eq!(
            col(&b, "address"),
            [s("1 Main St\nSpringfield"), s("2 Elm St")]
        );
        assert_eq!(col(&b, "note"), [s("said \"hi\""), None]);
    }

    #[test]
    fn duplicate_and_empty_header_names() {
        let data = b"name,name,,email\na,b,c,d@e.com\n";
        let (_, b) = read_file(
            "a.csv",
            data,
            csv_fmt(Some(b','), Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(names(&b), ["name", "name_2", "column_3", "email"]);
    }

    #[test]
    fn compressed_csv() {
        let data = b"id,email\n1,a@b.com\n2,c@d.com\n";
        for (c, packed) in [
            (Compression::Gzip, gzip(data)),
            (Compression::Zstd, zstd(data)),
        ] {
            let (res, b) = read_file(
                "a.csv.x",
                &packed,
                csv_fmt(None, c),
                &ReadOptions::default(),
            );
            assert_eq!(res.unwrap().rows, 2);
            assert_eq!(col(&b, "email"), [s("a@b.com"), s("c@d.com")]);
        }
    }

    #[test]
    fn window_drops_partial_record_and_limits_rows() {
        let mut data = b"id,email\n".to_vec();
        for i in 0..1000 {
            data.extend(format!("{i},user{i}@example.com\n").as_bytes());
        }
        let opts = ReadOptions {
            window_bytes: Some(5000),
            batch_rows: 100,
            ..Default::default()
        };
        let (res, b) = read_file("a.csv", &data, csv_fmt(None, Compression::None), &opts);
        let stats = res.unwrap();
        assert!(stats.truncated);
        let emails = col(&b, "email");
        let last = emails.last().unwrap().clone().unwrap();
        let n = emails.len();
        assert_eq!(last, format!("user{}@example.com", n - 1));
        // Window cut exactly after a line break: the last record is whole.
        let cut = data[..5000].iter().rposition(|&b| b == b'\n').unwrap() + 1;
        let opts2 = ReadOptions {
            window_bytes: Some(cut as u64),
            ..Default::default()
        };
        let (_, b2) = read_file("a.csv", &data, csv_fmt(None, Compression::None), &opts2);
        assert_eq!(col(&b2, "email").len(), n);

        let opts = ReadOptions {
            max_rows: Some(10),
            ..Default::default()
        };
        let (res, b) = read_file("a.csv", &data, csv_fmt(None, Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(stats.rows, 10);
        assert!(stats.truncated);
        assert_eq!(col(&b, "id").len(), 10);
    }

    #[test]
    fn invalid_utf8_and_empty() {
        let data = b"name,city\nAnn,Z\xfcrich\nBob,Bern\n";
        let (res, b) = read_file(
            "a.csv",
            data,
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 2);
        assert_eq!(col(&b, "city"), [s("Z\u{fffd}rich"), s("Bern")]);
        assert!(stats.problems.iter().any(|p| p.code == "invalid_utf8"));

        let (res, b) = read_file(
            "e.csv",
            b"",
            csv_fmt(None, Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 0);
        assert!(b.is_empty());
        assert!(stats.problems.is_empty());
    }

    #[test]
    fn huge_record_is_skipped_and_reading_goes_on() {
        let mut data = b"id,text\n1,short\n2,\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 4 << 20));
        data.extend(b"\n3,after\n");
        let opts = ReadOptions {
            max_line_bytes: 256 << 10,
            ..Default::default()
        };
        let (res, b) = read_file("a.csv", &data, csv_fmt(None, Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(col(&b, "text"), [s("short"), s("after")]);
        assert!(stats.problems.iter().any(|p| p.code == "line_too_long"));
    }
}
