//! Opening an object's bytes as a (decompressed) stream.
//!
//! Sample mode (`window_bytes = Some(n)`): one ranged get of the first `n`
//! bytes. A compressed stream cut there ends early; that is expected and read
//! as the end of data (the reader drops the partial last line), while a
//! corrupt stream is an error (`bad_gzip`, `bad_zstd`). Decompressed output is
//! bounded too ([`SAMPLE_EXPANSION`] × the window), against zip bombs.
//!
//! Full mode (`None`): a [`RangeReader`] streams the object in ranged chunks;
//! decompressed output stops at [`ReadOptions::max_decompressed_bytes`] and
//! the stream says so ([`InputStatus::limit_reached`]), so the caller can
//! record a `decompression_limit` problem on the object.

use super::range_reader::{DEFAULT_CHUNK, RangeReader, carries_problem, problem_error, problem_of};
use super::{Compression, ReadOptions, ReadProblem};
use crate::source::store::{DynStore, ObjectMeta};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// In sample mode, decompressed output stops after this many times the window.
pub const SAMPLE_EXPANSION: u64 = 16;

/// A decompressed byte stream over an object.
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    /// Shared with the stream: final once the stream has been read to its end.
    pub status: InputStatus,
}

/// What the stream learned while being read; a cheap shared handle.
#[derive(Clone, Default, Debug)]
pub struct InputStatus {
    fetched: Arc<AtomicU64>,
    truncated: Arc<AtomicBool>,
    /// Full mode: decompressed bytes when the cap stopped the stream, else 0.
    limit_reached: Arc<AtomicU64>,
}

impl InputStatus {
    /// The stream ends before the object does (sample window, or the
    /// decompression bound): its last partial line must be dropped.
    pub fn truncated(&self) -> bool {
        self.truncated.load(Ordering::Relaxed)
    }

    /// Bytes fetched from the store so far (compressed, as transferred).
    pub fn bytes_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    /// Full mode: the decompressed bytes produced when the cap
    /// ([`ReadOptions::max_decompressed_bytes`]) stopped the stream.
    pub fn limit_reached(&self) -> Option<u64> {
        match self.limit_reached.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    fn set_truncated(&self) {
        self.truncated.store(true, Ordering::Relaxed);
    }
}

impl Input {
    /// An in-memory input (tests, and sources that already hold the bytes).
    #[allow(dead_code)]
    pub fn from_bytes(bytes: Vec<u8>, truncated: bool) -> Input {
        let status = InputStatus::default();
        status.fetched.store(bytes.len() as u64, Ordering::Relaxed);
        if truncated {
            status.set_truncated();
        }
        Input {
            reader: Box::new(io::Cursor::new(bytes)),
            status,
        }
    }
}

/// The problem an `io::Error` met while reading an [`Input`] stands for.
pub fn problem(e: &io::Error) -> ReadProblem {
    problem_of(e)
}

pub fn open(
    rt: &tokio::runtime::Handle,
    store: &DynStore,
    meta: &ObjectMeta,
    compression: Compression,
    opts: &ReadOptions,
) -> Result<Input, ReadProblem> {
    let status = InputStatus::default();
    let (end, chunk) = match opts.window_bytes {
        Some(window) => {
            let window = window.max(1);
            if meta.size > window {
                status.set_truncated();
            }
            // One ranged get for the whole window.
            (meta.size.min(window), window)
        }
        None => (meta.size, DEFAULT_CHUNK),
    };
    let raw = RangeReader::new(rt.clone(), store.clone(), &meta.key, 0, end, chunk)
        .with_counter(status.fetched.clone());
    let reader: Box<dyn BufRead + Send> = match compression {
        // An empty object is empty data, compressed or not.
        _ if end == 0 => Box::new(raw),
        Compression::None => Box::new(raw),
        Compression::Gzip => {
            let dec = flate2::bufread::MultiGzDecoder::new(raw);
            Box::new(BufReader::with_capacity(
                64 << 10,
                Decode::new(dec, compression, opts, &status),
            ))
        }
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| {
                ReadProblem::new(
                    "bad_zstd",
                    format!("cannot start zstd decoder: {}", e.kind()),
                )
            })?;
            Box::new(BufReader::with_capacity(
                64 << 10,
                Decode::new(dec, compression, opts, &status),
            ))
        }
    };
    Ok(Input { reader, status })
}

/// Wraps a decoder: maps its errors to `bad_gzip` / `bad_zstd`, reads an
/// early end of a window-cut stream as the end of data, and bounds output.
struct Decode<R> {
    inner: R,
    compression: Compression,
    /// The compressed bytes are a cut prefix of the object.
    cut: bool,
    limit: u64,
    /// The limit is the sample bound (expected) rather than the full-mode cap.
    sample: bool,
    produced: u64,
    done: bool,
    status: InputStatus,
}

impl<R: Read> Decode<R> {
    fn new(inner: R, compression: Compression, opts: &ReadOptions, status: &InputStatus) -> Self {
        Decode {
            inner,
            compression,
            cut: status.truncated(),
            limit: match opts.window_bytes {
                Some(w) => w.max(1).saturating_mul(SAMPLE_EXPANSION),
                None => opts.max_decompressed_bytes.max(1),
            },
            sample: opts.window_bytes.is_some(),
            produced: 0,
            done: false,
            status: status.clone(),
        }
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.done || out.is_empty() {
            return Ok(0);
        }
        let left = self.limit.saturating_sub(self.produced);
        if left == 0 {
            self.done = true;
            // A stream that ends exactly at the cap did not hit it.
            let mut probe = [0u8; 1];
            if self.sample || !matches!(self.inner.read(&mut probe), Ok(0)) {
                self.status.set_truncated();
                if !self.sample {
                    self.status
                        .limit_reached
                        .store(self.produced, Ordering::Relaxed);
                }
            }
            return Ok(0);
        }
        let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        match self.inner.read(&mut out[..want]) {
            Ok(n) => {
                self.produced += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                // Store errors pass through as they are.
                if carries_problem(&e) {
                    return Err(e);
                }
                if self.cut && e.kind() == io::ErrorKind::UnexpectedEof {
                    // The window cut the stream: the data ends here.
                    self.done = true;
                    return Ok(0);
                }
                let (code, name) = match self.compression {
                    Compression::Zstd => ("bad_zstd", "zstd"),
                    _ => ("bad_gzip", "gzip"),
                };
                Err(problem_error(ReadProblem::new(
                    code,
                    format!(
                        "corrupt {name} stream after {} decompressed bytes ({})",
                        self.produced,
                        e.kind()
                    ),
                )))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::source::store::LocalStore;
    use std::io::Write;

    pub fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    pub fn zstd(data: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(data, 3).unwrap()
    }

    /// Pseudo-random (incompressible-ish) text lines.
    pub fn noisy_lines(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for i in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            writeln!(out, "line {i} {x:016x} {:x}", x.rotate_left(17)).unwrap();
        }
        out
    }

    fn read_all(
        data: &[u8],
        compression: Compression,
        window: Option<u64>,
    ) -> (Result<Vec<u8>, ReadProblem>, InputStatus) {
        let opts = ReadOptions {
            window_bytes: window,
            ..Default::default()
        };
        read_with(data, compression, &opts)
    }

    fn read_with(
        data: &[u8],
        compression: Compression,
        opts: &ReadOptions,
    ) -> (Result<Vec<u8>, ReadProblem>, InputStatus) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("obj"), data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let meta = rt.block_on(store.head("obj")).unwrap();
        let mut input = open(rt.handle(), &store, &meta, compression, opts).unwrap();
        let mut out = Vec::new();
        let res = input.reader.read_to_end(&mut out).map_err(|e| problem(&e));
        (res.map(|_| out), input.status)
    }

    #[test]
    fn plain_full_and_window() {
        let data = noisy_lines(1000);
        let (out, st) = read_all(&data, Compression::None, None);
        assert_eq!(out.unwrap(), data);
        assert!(!st.truncated());
        assert_eq!(st.bytes_fetched(), data.len() as u64);
        let (out, st) = read_all(&data, Compression::None, Some(1000));
        assert_eq!(out.unwrap(), &data[..1000]);
        assert!(st.truncated());
        assert_eq!(st.bytes_fetched(), 1000);
        let (out, st) = read_all(&data, Compression::None, Some(1 << 30));
        assert_eq!(out.unwrap(), data);
        assert!(!st.truncated());
    }

    #[test]
    fn gzip_and_zstd_roundtrip_and_cut() {
        let data = noisy_lines(20_000);
        for (c, packed) in [
            (Compression::Gzip, gzip(&data)),
            (Compression::Zstd, zstd(&data)),
        ] {
            let (out, st) = read_all(&packed, c, None);
            assert_eq!(out.unwrap(), data, "{c:?}");
            assert!(!st.truncated());
            assert_eq!(st.bytes_fetched(), packed.len() as u64);
            // Cut by the window: a prefix of the data, no error.
            let (out, st) = read_all(&packed, c, Some(packed.len() as u64 / 3));
            let out = out.unwrap();
            assert!(!out.is_empty() && out.len() < data.len(), "{c:?}");
            assert_eq!(out, &data[..out.len()]);
            assert!(st.truncated());
            assert_eq!(st.bytes_fetched(), packed.len() as u64 / 3);
        }
    }

    #[test]
    fn concatenated_gzip_members() {
        let mut packed = gzip(b"a\nb\n");
        packed.extend(gzip(b"c\n"));
        let (out, _) = read_all(&packed, Compression::Gzip, None);
        assert_eq!(out.unwrap(), b"a\nb\nc\n");
    }

    #[test]
    fn corrupt_streams_are_errors() {
        let data = noisy_lines(5000);
        let (out, _) = read_all(b"this is not gzip at all", Compression::Gzip, None);
        assert_eq!(out.err().map(|e| e.code), Some("bad_gzip"));
        let mut packed = gzip(&data);
        let mid = packed.len() / 2;
        for b in &mut packed[mid..mid + 64] {
            *b = !*b;
        }
        let (out, _) = read_all(&packed, Compression::Gzip, None);
        assert_eq!(out.err().map(|e| e.code), Some("bad_gzip"));
        // A bad header is still an error in sample mode.
        let (out, _) = read_all(
            b"\x1f\x8b\x09garbage, garbage",
            Compression::Gzip,
            Some(1000),
        );
        assert_eq!(out.err().map(|e| e.code), Some("bad_gzip"));
        // A whole gzip file that ends early (not cut by us) is corrupt.
        let packed = gzip(&data);
        let (out, _) = read_all(&packed[..packed.len() / 2], Compression::Gzip, None);
        assert_eq!(out.err().map(|e| e.code), Some("bad_gzip"));

        let (out, _) = read_all(b"not zstd either, no", Compression::Zstd, None);
        assert_eq!(out.err().map(|e| e.code), Some("bad_zstd"));
        let mut packed = zstd(&data);
        let mid = packed.len() / 2;
        for b in &mut packed[mid..mid + 64] {
            *b = !*b;
        }
        let (out, _) = read_all(&packed, Compression::Zstd, None);
        assert_eq!(out.err().map(|e| e.code), Some("bad_zstd"));
    }

    #[test]
    fn sample_output_is_bounded() {
        let data = vec![b'a'; 8 << 20];
        let packed = gzip(&data);
        assert!(packed.len() < 64 << 10);
        let window = packed.len() as u64 + 100;
        let (out, st) = read_all(&packed, Compression::Gzip, Some(window));
        assert_eq!(out.unwrap().len() as u64, window * SAMPLE_EXPANSION);
        assert!(st.truncated());
    }

    #[test]
    fn full_output_is_capped_and_says_so() {
        // A small bomb: 8 MiB of one byte, a few KiB compressed.
        let data = vec![b'a'; 8 << 20];
        for (c, packed) in [
            (Compression::Gzip, gzip(&data)),
            (Compression::Zstd, zstd(&data)),
        ] {
            assert!(packed.len() < 64 << 10, "{c:?}");
            let opts = ReadOptions {
                max_decompressed_bytes: 1 << 20,
                ..Default::default()
            };
            let (out, st) = read_with(&packed, c, &opts);
            assert_eq!(out.unwrap().len(), 1 << 20, "{c:?}");
            assert!(st.truncated(), "{c:?}");
            assert_eq!(st.limit_reached(), Some(1 << 20), "{c:?}");
            // A stream ending exactly at the cap is whole, not capped.
            let opts = ReadOptions {
                max_decompressed_bytes: data.len() as u64,
                ..Default::default()
            };
            let (out, st) = read_with(&packed, c, &opts);
            assert_eq!(out.unwrap(), data, "{c:?}");
            assert!(!st.truncated() && st.limit_reached().is_none(), "{c:?}");
            // The default cap leaves it alone.
            let (out, st) = read_all(&packed, c, None);
            assert_eq!(out.unwrap().len(), data.len(), "{c:?}");
            assert_eq!(st.limit_reached(), None, "{c:?}");
        }
    }
}
