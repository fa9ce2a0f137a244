//! `ferret merge PART... -o FILE`: joins the partial inventories of a
//! sharded scan (see `inventory::merge` for what is checked).

use super::exit;
use crate::inventory::{MergeOptions, load, merge};
use crate::output::{self, OutputFormat};
use std::path::{Path, PathBuf};

pub fn run(
    parts: &[PathBuf],
    out: Option<&Path>,
    format: OutputFormat,
    options: MergeOptions,
) -> i32 {
    let mut loaded = Vec::with_capacity(parts.len());
    for path in parts {
        match load(path) {
            Ok(inv) => loaded.push((path.clone(), inv)),
            Err(e) => {
                eprintln!("ferret merge: {e}");
                return exit::USAGE;
            }
        }
    }
    let mut inv = match merge(loaded, options) {
        Ok(inv) => inv,
        Err(e) => {
            eprintln!("ferret merge: {e}");
            return exit::USAGE;
        }
    };
    // Each shard saw only its own assets: hints between assets of different
    // shards exist only once their fingerprints meet here. Fingerprints of
    // different keys cannot be compared, so such parts are refused.
    if let Err(e) = crate::lineage::resolve(&mut inv) {
        eprintln!("ferret merge: {e}");
        return exit::USAGE;
    }
    let written = match out {
        Some(path) => output::write_file(&inv, format, path),
        None => output::write(&inv, format, &mut std::io::stdout().lock()),
    };
    if let Err(e) = written {
        let to = out.map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        eprintln!("ferret merge: cannot write {to}: {e}");
        return exit::USAGE;
    }
    super::exit_code(&inv, None)
}
