//! `structural` hints, the weakest kind: two columns in different assets
//! with the same label (found in their values) and the same column name,
//! e.g. a file whose path mirrors a table. Nothing says the values are the
//! same: strength at most [`MAX_STRENGTH`], and a stronger hint on the same
//! pair replaces it (see [`super::resolve`]).

use crate::inventory::{Asset, Column, ColumnRef, Inventory, LineageHint};
use std::collections::BTreeMap;

/// The strongest a structural hint gets: names and labels alone are weak evidence.
pub const MAX_STRENGTH: f64 = 0.3;

/// Groups larger than this (a name like `email` in hundreds of tables) give
/// no hints: every pair would be linked, which says nothing and costs n².
pub const MAX_GROUP: usize = 12;

/// `customer_email` -> `customeremail`; the last path segment only.
fn normalise(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The asset's name: a table's, or a file's stem (`users` of `.../users.parquet`).
fn asset_name(a: &Asset) -> String {
    if let Some(t) = &a.table {
        return t.name.to_ascii_lowercase();
    }
    let last = a.id.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    last.split('.').next().unwrap_or("").to_ascii_lowercase()
}

pub fn hints(inv: &Inventory) -> Vec<LineageHint> {
    let mut groups: BTreeMap<(String, String), Vec<(&Asset, &Column)>> = BTreeMap::new();
    for asset in &inv.assets {
        for column in &asset.columns {
            let Some(label) = column.labels.iter().find(|l| l.scope == "value") else {
                continue;
            };
            groups
                .entry((label.label.clone(), normalise(&column.path)))
                .or_default()
                .push((asset, column));
        }
    }
    let mut out = Vec::new();
    for ((label, _), members) in groups {
        if members.len() < 2 || members.len() > MAX_GROUP {
            continue;
        }
        for (i, (a, ca)) in members.iter().enumerate() {
            for (b, cb) in &members[i + 1..] {
                if a.id == b.id {
                    continue;
                }
                let mirrored = asset_name(a) == asset_name(b);
                let same_type = ca.source_type == cb.source_type;
                let mut strength: f64 = 0.2;
                let mut evidence = vec![format!(
                    "both columns are named {} and hold {label} values; no value was compared",
                    cb.path
                )];
                if mirrored {
                    strength += 0.1;
                    evidence.push(format!("both assets are named {}", asset_name(a)));
                }
                if same_type {
                    strength += 0.05;
                }
                out.push(LineageHint {
                    kind: "structural".into(),
                    from: ColumnRef {
                        asset: a.id.clone(),
                        path: ca.path.clone(),
                    },
                    to: ColumnRef {
                        asset: b.id.clone(),
                        path: cb.path.clone(),
                    },
                    strength: strength.min(MAX_STRENGTH),
                    label: Some(label.clone()),
                    evidence,
                    metrics: BTreeMap::new(),
                });
            }
        }
    }
    out
}
