//! STUB: helper fills in.

use super::{BatchSink, ReadOptions, ReadProblem, ReadStats};
use crate::source::store::{DynStore, ObjectMeta};

pub fn read(
    _rt: &tokio::runtime::Handle,
    _store: &DynStore,
    _meta: &ObjectMeta,
    _opts: &ReadOptions,
    _sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    Err(ReadProblem::new("unimplemented", "not yet"))
}
