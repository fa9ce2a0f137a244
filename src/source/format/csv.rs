//! STUB: helper fills in.

use super::compress::Input;
use super::{BatchSink, ReadOptions, ReadProblem, ReadStats};

pub fn read(
    _input: Input,
    _delimiter: Option<u8>,
    _opts: &ReadOptions,
    _sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    Err(ReadProblem::new("unimplemented", "not yet"))
}
