//! STUB: helper fills in.

use super::compress::Input;
use super::{BatchSink, ReadOptions, ReadProblem, ReadStats};

pub fn read(
    _input: Input,
    
    _opts: &ReadOptions,
    _sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    Err(ReadProblem::new("unimplemented", "not yet"))
}
