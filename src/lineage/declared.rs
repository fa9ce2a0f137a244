//! `declared` hints: what database catalogs say outright. A foreign key is a
//! certain link between its columns (strength 1); a view column that has the
//! name of a column of a relation the view reads most likely passes it
//! through (strength 0.9: a view may rename or compute columns).

use crate::inventory::{ColumnRef, Inventory, LineageHint};
use std::collections::BTreeMap;

/// Strength of a view column matched by name to a column of a relation it reads.
pub const VIEW_STRENGTH: f64 = 0.9;

pub fn hints(inv: &Inventory) -> Vec<LineageHint> {
    let mut out = Vec::new();
    for asset in &inv.assets {
        let Some(table) = &asset.table else { continue };
        for fk in &table.foreign_keys {
            for (col, refcol) in fk.columns.iter().zip(&fk.referenced_columns) {
                out.push(LineageHint {
                    kind: "declared".into(),
                    from: ColumnRef {
                        asset: fk.references.clone(),
                        path: refcol.clone(),
                    },
                    to: ColumnRef {
                        asset: asset.id.clone(),
                        path: col.clone(),
                    },
                    strength: 1.0,
                    label: None,
                    evidence: vec![format!(
                        "foreign key {} ({col} references {refcol})",
                        fk.name
                    )],
                    metrics: BTreeMap::new(),
                });
            }
        }
        for source_id in &table.depends_on {
            let Some(source) = inv.assets.iter().find(|a| &a.id == source_id) else {
                continue;
            };
            for col in &asset.columns {
                if source.columns.iter().any(|c| c.path == col.path) {
                    out.push(LineageHint {
                        kind: "declared".into(),
                        from: ColumnRef {
                            asset: source.id.clone(),
                            path: col.path.clone(),
                        },
                        to: ColumnRef {
                            asset: asset.id.clone(),
                            path: col.path.clone(),
                        },
                        strength: VIEW_STRENGTH,
                        label: col.labels.first().map(|l| l.label.clone()),
                        evidence: vec![format!(
                            "{} {} reads this relation and has a column of the same name",
                            table.relation_kind, table.name
                        )],
                        metrics: BTreeMap::new(),
                    });
                }
            }
        }
    }
    out
}
