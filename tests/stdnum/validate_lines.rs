//! Reads `validator<TAB>value` lines on stdin and prints `1` (valid) or `0`
//! for each, in order: the ferret side of the python-stdnum differential
//! test (`scripts/stdnum_diff.sh`). An unknown validator name is an error.

use ferret::detect::validate::lookup;
use std::io::{BufRead, BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let (name, value) = line
            .split_once('\t')
            .ok_or("expected validator<TAB>value")?;
        let v = lookup(name).ok_or_else(|| format!("unknown validator {name}"))?;
        writeln!(out, "{}", u8::from((v.check)(value)))?;
    }
    Ok(())
}
