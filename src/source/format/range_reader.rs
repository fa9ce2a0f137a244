//! A blocking [`std::io::Read`] over an object, fetched in sequential ranged
//! gets, so a full (unsampled) read streams with bounded memory whatever the
//! backend.

use super::ReadProblem;
use crate::source::store::DynStore;
use bytes::Bytes;
use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default chunk fetched per ranged get in full mode.
pub const DEFAULT_CHUNK: u64 = 4 << 20;

/// Reads bytes `start..end` of an object sequentially, one ranged get of at
/// most `chunk` bytes at a time. Only the current chunk is held in memory.
///
/// Must be used off the tokio runtime (it drives the store with `block_on`).
/// Store errors surface as `io::Error`s carrying a [`ReadProblem`] (see
/// [`problem_of`]).
pub struct RangeReader {
    rt: tokio::runtime::Handle,
    store: DynStore,
    key: String,
    /// Next offset to fetch.
    pos: u64,
    end: u64,
    chunk: u64,
    buf: Bytes,
    buf_pos: usize,
    fetched: Arc<AtomicU64>,
}

impl RangeReader {
    /// A reader over bytes `start..end` of `key`.
    pub fn new(
        rt: tokio::runtime::Handle,
        store: DynStore,
        key: &str,
        start: u64,
        end: u64,
        chunk: u64,
    ) -> Self {
        RangeReader {
            rt,
            store,
            key: key.to_string(),
            pos: start,
            end: end.max(start),
            chunk: chunk.max(1),
            buf: Bytes::new(),
            buf_pos: 0,
            fetched: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Shares the fetched-bytes counter with another owner (it keeps counting
    /// after the reader is boxed away inside a decoder).
    pub fn with_counter(mut self, fetched: Arc<AtomicU64>) -> Self {
        self.fetched = fetched;
        self
    }

    /// Bytes fetched from the store so far.
    pub fn bytes_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    fn fetch(&mut self) -> io::Result<()> {
        if self.pos >= self.end {
            return Ok(());
        }
        let range = self.pos..self.end.min(self.pos.saturating_add(self.chunk));
        let bytes = self
            .rt
            .block_on(self.store.get_range(&self.key, range))
            .map_err(|e| problem_error(ReadProblem::from(e)))?;
        self.fetched
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if bytes.is_empty() {
            // The object shrank under us: end of data.
            self.end = self.pos;
        }
        self.pos += bytes.len() as u64;
        self.buf = bytes;
        self.buf_pos = 0;
        Ok(())
    }
}

impl Read for RangeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for RangeReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.buf_pos >= self.buf.len() {
            self.fetch()?;
        }
        Ok(&self.buf[self.buf_pos.min(self.buf.len())..])
    }

    fn consume(&mut self, amt: usize) {
        self.buf_pos = (self.buf_pos + amt).min(self.buf.len());
    }
}

/// A [`ReadProblem`] carried through `io::Error`, so readers built on
/// `std::io` can hand back the precise problem (store error, bad gzip...).
#[derive(Debug)]
struct ProblemError(ReadProblem);

impl std::fmt::Display for ProblemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ProblemError {}

/// Wraps a problem into an `io::Error` (see [`problem_of`]).
pub(super) fn problem_error(p: ReadProblem) -> io::Error {
    io::Error::other(ProblemError(p))
}

/// Whether `e` carries a [`ReadProblem`] (made by [`problem_error`]).
pub(super) fn carries_problem(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<ProblemError>())
}

/// The problem an `io::Error` from an input stream stands for.
pub(super) fn problem_of(e: &io::Error) -> ReadProblem {
    if let Some(p) = e.get_ref().and_then(|i| i.downcast_ref::<ProblemError>()) {
        return p.0.clone();
    }
    ReadProblem::new("io_error", format!("read failed: {}", e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::store::LocalStore;

    #[test]
    fn reads_in_chunks_and_counts_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("f"), &data).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let store: DynStore = Arc::new(LocalStore::new(dir.path()));
        let mut r = RangeReader::new(rt.handle().clone(), store.clone(), "f", 0, 10_000, 999);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(r.bytes_fetched(), 10_000);

        // A sub-range, and an end past the object clipped by the store.
        let mut r = RangeReader::new(rt.handle().clone(), store.clone(), "f", 100, 20_000, 4096);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, &data[100..]);

        let mut r = RangeReader::new(rt.handle().clone(), store, "missing", 0, 10, 4096);
        let err = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(carries_problem(&err));
        assert_eq!(problem_of(&err).code, "not_found");
    }
}
