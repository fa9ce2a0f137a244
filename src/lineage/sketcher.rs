//! Building fingerprints from Arrow batches (files and SQLite): every value
//! of every column goes through the keyed hash; the bottom-k filter keeps
//! what can enter the sketch.

use super::fingerprint::{
    Algo, BottomK, K, LineageKey, METHOD, Norm, canonical, is_digest_hex, variant_name,
};
use crate::inventory::Fingerprint;
use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use std::collections::{BTreeMap, HashMap};

/// A column's fingerprint when at least this share of kept values are digests.
const DIGEST_SHARE: f64 = 0.9;

struct ColumnState {
    values: u64,
    main: BottomK,
    variants: Vec<(Algo, Norm, BottomK)>,
}

/// Sketches of every column of one asset, fed batch by batch.
pub struct ColumnSketcher<'k> {
    key: &'k LineageKey,
    /// Normalisations for `derived` variants, by column path.
    norms: HashMap<String, Vec<Norm>>,
    columns: BTreeMap<String, ColumnState>,
}

impl<'k> ColumnSketcher<'k> {
    /// `norms`: for the columns that may be hashed elsewhere (see
    /// [`super::fingerprint::norms_for`]), the normalisations to try.
    pub fn new(key: &'k LineageKey, norms: HashMap<String, Vec<Norm>>) -> Self {
        ColumnSketcher {
            key,
            norms,
            columns: BTreeMap::new(),
        }
    }

    /// Hashes every non-null value (list elements each) of every string column.
    pub fn observe(&mut self, batch: &RecordBatch) {
        let schema = batch.schema();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let path = field.name();
            if !self.columns.contains_key(path) {
                // A column of digests is not itself hashed again: its first
                // values tell, and skipping saves six digests per value.
                let variants = self
                    .norms
                    .get(path)
                    .filter(|_| !looks_like_digests(array.as_ref()))
                    .map(|ns| {
                        ns.iter()
                            .flat_map(|&n| Algo::ALL.iter().map(move |&a| (a, n, BottomK::new(0))))
                            .collect()
                    })
                    .unwrap_or_default();
                self.columns.insert(
                    path.clone(),
                    ColumnState {
                        values: 0,
                        main: BottomK::new(0),
                        variants,
                    },
                );
            }
            let Some(state) = self.columns.get_mut(path) else {
                continue;
            };
            let key = self.key;
            match array.data_type() {
                DataType::Utf8 => {
                    for v in array.as_string::<i32>().iter().flatten() {
                        offer(key, state, v);
                    }
                }
                DataType::List(_) => {
                    let list = array.as_list::<i32>();
                    for i in 0..list.len() {
                        if list.is_null(i) {
                            continue;
                        }
                        let items = list.value(i);
                        if let Some(s) = items.as_string_opt::<i32>() {
                            for v in s.iter().flatten() {
                                offer(key, state, v);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The fingerprints, by column path (columns with no value get none).
    pub fn finish(self) -> BTreeMap<String, Fingerprint> {
        let key_id = self.key.id().to_string();
        self.columns
            .into_iter()
            .filter(|(_, s)| s.values > 0)
            .map(|(path, s)| {
                let digest_hex = s.main.digest_share() >= DIGEST_SHARE;
                let variants = s
                    .variants
                    .into_iter()
                    .map(|(a, n, b)| (variant_name(a, n), b.into_sketch()))
                    .collect();
                let fp = Fingerprint {
                    key_id: key_id.clone(),
                    method: METHOD.into(),
                    k: K as u32,
                    values_hashed: Some(s.values),
                    digest_hex,
                    sketch: s.main.into_sketch(),
                    variants,
                };
                (path, fp)
            })
            .collect()
    }
}

/// Most of the first (up to 100) values of a string column are hex digests.
fn looks_like_digests(array: &dyn Array) -> bool {
    let Some(s) = array.as_string_opt::<i32>() else {
        return false;
    };
    let (mut n, mut d) = (0, 0);
    for v in s.iter().flatten().take(100) {
        n += 1;
        if is_digest_hex(&canonical(v)) {
            d += 1;
        }
    }
    n > 0 && d as f64 >= DIGEST_SHARE * n as f64
}

fn offer(key: &LineageKey, state: &mut ColumnState, v: &str) {
    state.values += 1;
    let c = canonical(v);
    state.main.offer(key.hash(c.as_bytes()), is_digest_hex(&c));
    if state.variants.is_empty() {
        return;
    }
    let mut last: Option<(Norm, Option<String>)> = None;
    for (algo, norm, sketch) in state.variants.iter_mut() {
        // Variants come grouped by normalisation: normalise once per group.
        let normalised = match &last {
            Some((n, out)) if n == norm => out.clone(),
            _ => {
                let out = norm.apply(v);
                last = Some((*norm, out.clone()));
                out
            }
        };
        if let Some(n) = normalised {
            sketch.offer(key.hash(algo.hex(&n).as_bytes()), true);
        }
    }
}
