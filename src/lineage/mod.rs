//! Lineage hints: where the same personal data seems to have been copied to.
//!
//! Four kinds, strongest first (see `docs/lineage.md`):
//! - `declared` ([`declared`]): foreign keys and view dependencies from
//!   database catalogs;
//! - `value_overlap` and `derived` ([`hints`]): measured from keyed
//!   fingerprints of the columns' values ([`fingerprint`]), made while
//!   scanning with `--lineage`;
//! - `structural` ([`structural`]): same label and column name, nothing more.
//!
//! [`resolve`] recomputes every hint of an inventory from what it stores
//! (fingerprints and table catalogs), so partial inventories of a sharded
//! scan can be merged first and resolved after.

pub mod declared;
pub mod fingerprint;
pub mod hints;
pub mod sketcher;
pub mod structural;

pub use fingerprint::{KEY_ENV, LineageKey};
pub use sketcher::ColumnSketcher;

use crate::inventory::{Inventory, LineageHint};
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum LineageError {
    #[error("the lineage key must be at least 16 bytes")]
    WeakKey,
    #[error(
        "fingerprints were made with different lineage keys (key ids {first} and {second}, e.g. column {column}): they cannot be compared; rescan every shard with the same key (FERRET_LINEAGE_KEY or --lineage-key-env)"
    )]
    KeyMismatch {
        first: String,
        second: String,
        column: String,
    },
    #[error("the fingerprint of column {column} is unreadable: {reason}")]
    BadFingerprint { column: String, reason: String },
}

/// Recomputes `inv.lineage_hints` from the inventory alone: declared hints
/// from table catalogs, value hints from the stored fingerprints, structural
/// hints from labels and names (only for pairs no stronger hint links).
/// Fails, leaving the hints untouched, when fingerprints were made with
/// different keys or cannot be read.
pub fn resolve(inv: &mut Inventory) -> Result<(), LineageError> {
    let measured = hints::measure(inv)?;
    let mut all = declared::hints(inv);
    all.extend(measured);
    let linked: BTreeSet<(String, String, String, String)> = all.iter().map(pair_key).collect();
    all.extend(
        structural::hints(inv)
            .into_iter()
            .filter(|h| !linked.contains(&pair_key(h))),
    );
    all.sort_by(|a, b| {
        (kind_rank(&a.kind), &a.from, &a.to).cmp(&(kind_rank(&b.kind), &b.from, &b.to))
    });
    inv.lineage_hints = all;
    Ok(())
}

/// The unordered pair of columns a hint links.
fn pair_key(h: &LineageHint) -> (String, String, String, String) {
    let a = (h.from.asset.clone(), h.from.path.clone());
    let b = (h.to.asset.clone(), h.to.path.clone());
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    (x.0, x.1, y.0, y.1)
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "declared" => 0,
        "derived" => 1,
        "value_overlap" => 2,
        _ => 3,
    }
}

/// Rounds a measured quantity for the inventory (stable output, no false precision).
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
