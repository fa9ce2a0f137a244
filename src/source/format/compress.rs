//! Opening an object's bytes as a (decompressed) stream. STUB: helper fills in.

use super::{Compression, ReadOptions, ReadProblem};
use crate::source::store::{DynStore, ObjectMeta};
use std::io::BufRead;

/// A decompressed byte stream over an object.
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    /// The stream ends before the object does (sample window): the last
    /// partial line must be dropped.
    pub truncated: bool,
    /// Bytes fetched from the store.
    pub bytes_fetched: u64,
}

pub fn open(
    _rt: &tokio::runtime::Handle,
    _store: &DynStore,
    _meta: &ObjectMeta,
    _compression: Compression,
    _opts: &ReadOptions,
) -> Result<Input, ReadProblem> {
    Err(ReadProblem::new("unimplemented", "not yet"))
}
