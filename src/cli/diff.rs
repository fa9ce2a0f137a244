//! `ferret diff OLD NEW`: last night's inventory against tonight's.

use super::{FailOn, exit};
use crate::inventory::{diff, load};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For people: a summary line, then one line per change.
    Text,
    /// For machines: one JSON document (counts, then each list).
    Json,
}

pub fn run(old: &Path, new: &Path, format: DiffFormat, fail_on: Option<FailOn>) -> i32 {
    let (old_inv, new_inv) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ferret diff: {e}");
            return exit::USAGE;
        }
    };
    let d = diff(&old_inv, &new_inv);
    let text = match format {
        DiffFormat::Text => d.to_text(),
        DiffFormat::Json => match serde_json::to_string_pretty(&d) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ferret diff: cannot serialise the diff: {e}");
                return exit::USAGE;
            }
        },
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            eprintln!("ferret diff: cannot write: {e}");
            return exit::USAGE;
        }
    }
    match fail_on {
        Some(level) if d.has_new_at_or_above(super::fail_rank(level)) => exit::FOUND,
        _ => exit::CLEAN,
    }
}
