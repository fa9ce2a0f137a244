//! Plain text and logs: each non-empty line is a value of column `line`
//! (source type `text`).
//!
//! Lines longer than `max_line_bytes` are cut there (the kept part still goes
//! to detection) and the rest of the line is skipped without being buffered,
//! so a huge file without newlines reads in bounded memory. Invalid UTF-8 is
//! decoded lossily. Blank lines are skipped.

use super::compress::{self, Input};
use super::{BatchSink, Flow, ReadOptions, ReadProblem, ReadStats, Tally};
use crate::source::batch::string_field;
use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;
use std::io::{self, BufRead};
use std::sync::Arc;

/// How a line read by [`read_line_capped`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineEnd {
    /// Ended by a newline.
    Newline,
    /// The data ended without a newline (possibly a partial line).
    Eof,
    /// Nothing left to read.
    None,
}

/// Reads one line into `buf` (cleared first), without its `\n` / `\r\n`.
/// At most `cap` bytes are kept (cut back to a UTF-8 character boundary);
/// the rest of an over-long line is consumed without buffering. Returns how
/// the line ended and whether it was cut.
pub(super) fn read_line_capped<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<(LineEnd, bool)> {
    buf.clear();
    let mut cut = false;
    let mut any = false;
    let end = loop {
        let avail = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            break if any { LineEnd::Eof } else { LineEnd::None };
        }
        any = true;
        let (chunk, found) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i)),
            None => (avail, None),
        };
        if !cut {
            let room = cap.saturating_sub(buf.len());
            if chunk.len() > room {
                buf.extend_from_slice(&chunk[..room]);
                cut = true;
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        match found {
            Some(i) => {
                reader.consume(i + 1);
                break LineEnd::Newline;
            }
            None => {
                let n = avail.len();
                reader.consume(n);
            }
        }
    };
    if buf.last() == Some(&b'\r') && !cut {
        buf.pop();
    }
    if cut {
        trim_partial_char(buf);
    }
    Ok((end, cut))
}

/// Drops an incomplete UTF-8 sequence at the end of `buf` (left by a cut).
fn trim_partial_char(buf: &mut Vec<u8>) {
    let n = buf.len();
    for back in 1..=3.min(n) {
        let b = buf[n - back];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: look further back
        }
        let need = if b >= 0xF0 {
            4
        } else if b >= 0xE0 {
            3
        } else if b >= 0xC0 {
            2
        } else {
            1
        };
        if need > back {
            buf.truncate(n - back);
        }
        return;
    }
}

/// Counts non-fatal problems met while reading lines, reported once each.
#[derive(Default)]
pub(super) struct LineProblems {
    pub too_long: Tally,
    pub invalid_utf8: Tally,
}

impl LineProblems {
    pub fn report(&self, max_line_bytes: usize, what: &str, problems: &mut Vec<ReadProblem>) {
        self.too_long.report("line_too_long", problems, |n, first| {
            format!(
                "{n} {what}(s) longer than {max_line_bytes} bytes were cut (first at line {first})"
            )
        });
        self.invalid_utf8
            .report("invalid_utf8", problems, |n, first| {
                format!("{n} {what}(s) held invalid UTF-8, replaced (first at line {first})")
            });
    }
}

/// Lossy UTF-8 decoding that says whether anything was replaced.
pub(super) fn decode_lossy(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.into(), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

/// True when the reader has no more bytes (errors count as "more": the next
/// read reports them).
pub(super) fn at_eof<R: BufRead + ?Sized>(reader: &mut R) -> bool {
    matches!(reader.fill_buf(), Ok(b) if b.is_empty())
}

pub fn read(
    input: Input,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    let Input { mut reader, status } = input;
    let schema = Arc::new(Schema::new(vec![string_field("line", "text")]));
    let batch_rows = opts.batch_rows.max(1);
    let max_rows = opts.max_rows.unwrap_or(usize::MAX) as u64;
    let mut stats = ReadStats::default();
    let mut problems = LineProblems::default();
    let mut builder = StringBuilder::new();
    let mut in_batch = 0usize;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut stopped = false;

    let flush = |builder: &mut StringBuilder, in_batch: &mut usize, sink: &mut dyn BatchSink| {
        let array: ArrayRef = Arc::new(builder.finish());
        *in_batch = 0;
        let batch = RecordBatch::try_new(schema.clone(), vec![array])
            .map_err(|e| ReadProblem::new("internal", format!("building batch: {e}")))?;
        Ok::<Flow, ReadProblem>(sink.batch(batch))
    };

    loop {
        if stats.rows >= max_rows {
            stopped = !at_eof(&mut *reader);
            break;
        }
        let (end, cut) = read_line_capped(&mut *reader, &mut buf, opts.max_line_bytes)
            .map_err(|e| compress::problem(&e))?;
        if end == LineEnd::None {
            break;
        }
        line_no += 1;
        if end == LineEnd::Eof && status.truncated() && !cut {
            // The partial last line of a cut window. (A cut line was already
            // complete enough: its kept part is data.)
            break;
        }
        if cut {
            problems.too_long.note(line_no);
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let (line, lossy) = decode_lossy(&buf);
        if lossy {
            problems.invalid_utf8.note(line_no);
        }
        builder.append_value(line);
        in_batch += 1;
        stats.rows += 1;
        if in_batch >= batch_rows && flush(&mut builder, &mut in_batch, sink)? == Flow::Stop {
            stopped = !at_eof(&mut *reader);
            in_batch = 0;
            break;
        }
    }
    if in_batch > 0 {
        flush(&mut builder, &mut in_batch, sink)?;
    }
    problems.report(opts.max_line_bytes, "line", &mut stats.problems);
    stats.truncated = stopped || status.truncated();
    stats.bytes_fetched = status.bytes_fetched();
    Ok(stats)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::source::format::compress::tests::{gzip, noisy_lines, zstd};
    use crate::source::format::{Compression, FileFormat, Format, read_object};
    use crate::source::store::{DynStore, LocalStore};
    use arrow::array::{Array, StringArray};

    /// Writes `data` as `name` in a temp dir and reads it with `read_object`.
    pub fn read_file(
        name: &str,
        data: &[u8],
        format: FileFormat,
        opts: &ReadOptions,
    ) -> (Result<ReadStats, ReadProblem>, Vec<RecordBatch>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head(name)).unwrap();
        let mut batches = Vec::new();
        let mut sink = |b: RecordBatch| {
            batches.push(b);
            Flow::Continue
        };
        let res = read_object(rt.handle(), &store, &meta, format, opts, &mut sink);
        (res, batches)
    }

    fn text(c: Compression) -> FileFormat {
        FileFormat {
            format: Format::Text,
            compression: c,
        }
    }

    pub fn column_values(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
        let mut out = Vec::new();
        for b in batches {
            let Some(col) = b.column_by_name(name) else {
                out.extend(std::iter::repeat_n(None, b.num_rows()));
                continue;
            };
            let col = col.as_any().downcast_ref::<StringArray>().unwrap();
            for i in 0..col.len() {
                out.push(col.is_valid(i).then(|| col.value(i).to_string()));
            }
        }
        out
    }

    fn lines(batches: &[RecordBatch]) -> Vec<String> {
        column_values(batches, "line")
            .into_iter()
            .map(Option::unwrap)
            .collect()
    }

    #[test]
    fn lines_crlf_batches_and_limits() {
        let data = b"alpha\r\nbeta\n\n  \ngamma\ndelta";
        let opts = ReadOptions {
            batch_rows: 2,
            ..Default::default()
        };
        let (res, batches) = read_file("a.txt", data, text(Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(lines(&batches), ["alpha", "beta", "gamma", "delta"]);
        assert_eq!(batches.len(), 2);
        assert_eq!(stats.rows, 4);
        assert!(!stats.truncated);
        assert!(stats.problems.is_empty());
        let f = batches[0].schema().field(0).clone();
        assert_eq!(crate::source::batch::source_type(&f), "text");

        let opts = ReadOptions {
            max_rows: Some(3),
            ..Default::default()
        };
        let (res, batches) = read_file("a.txt", data, text(Compression::None), &opts);
        assert_eq!(lines(&batches), ["alpha", "beta", "gamma"]);
        assert!(res.unwrap().truncated);
    }

    #[test]
    fn sink_stop_is_honoured() {
        let data = noisy_lines(100);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.log"), &data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head("x.log")).unwrap();
        let opts = ReadOptions {
            batch_rows: 10,
            ..Default::default()
        };
        let mut n = 0;
        let mut sink = |_b: RecordBatch| {
            n += 1;
            Flow::Stop
        };
        let stats = read_object(
            rt.handle(),
            &store,
            &meta,
            text(Compression::None),
            &opts,
            &mut sink,
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(stats.rows, 10);
        assert!(stats.truncated);
    }

    #[test]
    fn window_drops_partial_last_line() {
        let data = b"first line\nsecond line\nthird line\n";
        let opts = ReadOptions {
            window_bytes: Some(15),
            ..Default::default()
        };
        let (res, batches) = read_file("a.txt", data, text(Compression::None), &opts);
        assert_eq!(lines(&batches), ["first line"]);
        let stats = res.unwrap();
        assert!(stats.truncated);
        assert_eq!(stats.bytes_fetched, 15);
    }

    #[test]
    fn compressed_text_and_cut_gzip_window() {
        let data = noisy_lines(20_000);
        let expected: Vec<String> = String::from_utf8(data.clone())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        for (c, packed) in [
            (Compression::Gzip, gzip(&data)),
            (Compression::Zstd, zstd(&data)),
        ] {
            let (res, batches) = read_file("a.log.z", &packed, text(c), &ReadOptions::default());
            assert_eq!(lines(&batches), expected);
            assert_eq!(res.unwrap().bytes_fetched, packed.len() as u64);

            let opts = ReadOptions {
                window_bytes: Some(packed.len() as u64 / 2),
                ..Default::default()
            };
            let (res, batches) = read_file("a.log.z", &packed, text(c), &opts);
            let stats = res.unwrap();
            let got = lines(&batches);
            assert!(got.len() > 100 && got.len() < expected.len(), "{c:?}");
            // Every line read is whole: the partial last one was dropped.
            assert_eq!(got[..], expected[..got.len()]);
            assert!(stats.truncated);
            assert!(stats.problems.is_empty());
        }
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let (res, _) = read_file(
            "a.txt.gz",
            b"\x1f\x8b\x08\x00garbage garbage garbage",
            text(Compression::Gzip),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap_err().code, "bad_gzip");
    }

    #[test]
    fn invalid_utf8_is_reported_and_replaced() {
        let data = b"ok\nbad \xff\xfe here\nalso \xc3 bad\nfine\n";
        let (res, batches) = read_file(
            "a.txt",
            data,
            text(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        let got = lines(&batches);
        assert_eq!(got.len(), 4);
        assert_eq!(got[1], "bad \u{fffd}\u{fffd} here");
        let p: Vec<_> = stats
            .problems
            .iter()
            .filter(|p| p.code == "invalid_utf8")
            .collect();
        assert_eq!(p.len(), 1);
        assert!(p[0].message.starts_with("2 "), "{}", p[0].message);
        assert!(!p[0].message.contains("bad"));
    }

    #[test]
    fn long_line_is_cut_in_bounded_memory() {
        // 8 MiB without a newline, then a short line; cap 1 MiB.
        let mut data = vec![b'x'; 8 << 20];
        data.extend_from_slice(b"\ntail line\n");
        let opts = ReadOptions {
            max_line_bytes: 1 << 20,
            ..Default::default()
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.txt"), &data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head("big.txt")).unwrap();
        let mut input =
            compress::open(rt.handle(), &store, &meta, Compression::None, &opts).unwrap();
        // The line reader never holds more than the cap.
        let mut buf = Vec::new();
        let (end, cut) = read_line_capped(&mut *input.reader, &mut buf, 1 << 20).unwrap();
        assert_eq!((end, cut), (LineEnd::Newline, true));
        assert_eq!(buf.len(), 1 << 20);
        assert!(buf.capacity() <= (2 << 20));

        let (res, batches) = read_file("big.txt", &data, text(Compression::None), &opts);
        let stats = res.unwrap();
        let got = lines(&batches);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), 1 << 20);
        assert_eq!(got[1], "tail line");
        let p: Vec<_> = stats
            .problems
            .iter()
            .filter(|p| p.code == "line_too_long")
            .collect();
        assert_eq!(p.len(), 1);
        assert!(p[0].message.starts_with("1 "));
    }

    #[test]
    fn cut_keeps_utf8_boundary() {
        let mut r = io::Cursor::new("aé€b\n".as_bytes().to_vec());
        let mut buf = Vec::new();
        // 'a' (1) + 'é' (2) + first byte of '€' would be 4 bytes.
        read_line_capped(&mut r, &mut buf, 4).unwrap();
        assert_eq!(buf, "aé".as_bytes());
    }

    #[test]
    fn empty_file_gives_no_rows() {
        for (c, data) in [
            (Compression::None, Vec::new()),
            (Compression::Gzip, gzip(b"")),
            (Compression::Zstd, zstd(b"")),
        ] {
            let (res, batches) = read_file("e.txt", &data, text(c), &ReadOptions::default());
            let stats = res.unwrap();
            assert_eq!(stats.rows, 0);
            assert!(batches.iter().all(|b| b.num_rows() == 0));
            assert!(stats.problems.is_empty());
        }
    }
}
