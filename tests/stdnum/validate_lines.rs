//! Reads `validator<TAB>value` lines on stdin and prints `1` (valid) or `0`
//! for each, in order: the ferret side of the python-stdnum differential
//! test (`scripts/stdnum_diff.sh`). An unknown validator name is an error.
//! With `--names`, prints every validator name of the pack instead, one a
//! line, so the test can tell a validator nobody compared.

use ferret::detect::validate::{VALIDATORS, lookup};
use std::io::{BufRead, BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if std::env::args().nth(1).as_deref() == Some("--names") {
        for v in VALIDATORS {
            writeln!(out, "{}", v.name)?;
        }
        return Ok(());
    }
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
