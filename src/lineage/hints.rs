//! `value_overlap` and `derived` hints, measured pairwise from fingerprints.
//!
//! Cost is bounded three ways: only candidate columns take part (a label, a
//! name hint, or digest-shaped values, and enough distinct values); pairs are
//! found through an index of the sketches' hashes, so only pairs sharing at
//! least [`MIN_SHARED`] hashes are compared at all (unrelated columns share
//! none: the hashes are 64-bit); and each comparison is one sorted merge of
//! two sketches of at most k hashes.

use super::fingerprint::{Decoded, compare};
use super::{LineageError, round3};
use crate::inventory::{Asset, Column, ColumnRef, Inventory, LineageHint};
use std::collections::{BTreeMap, HashMap};

/// A hint needs one side to hold at least half of the other's values: a
/// copy, a subset of at least half, or a superset. Below that, shared values
/// are as likely to be a join or a common domain as a copy.
pub const MIN_CONTAINMENT: f64 = 0.5;

/// The contained side must have at least this many values in the compared
/// region: with n values the containment's standard error is at most
/// 0.5/sqrt(n), 0.09 at 32, so 0.5 is not mistaken for 0.9.
pub const MIN_REGION: usize = 32;

/// Columns with fewer distinct values (estimated) are left out: small
/// domains (status codes, countries, ages) overlap everywhere without any
/// copying.
pub const MIN_DISTINCT: f64 = 500.0;

/// Pairs sharing fewer sketch hashes are not compared.
const MIN_SHARED: usize = 2;

/// A hash shared by more sketches than this is too common to index (a tiny
/// domain that slipped through): it would make the candidate pairs quadratic.
const MAX_POSTING: usize = 256;

struct Node<'a> {
    asset: &'a Asset,
    column: &'a Column,
    /// `None`: the column's own values; `Some(name)`: a digest variant.
    variant: Option<&'a str>,
    digest_hex: bool,
    sketch: Decoded,
    k: u32,
}

/// Every measured hint of the inventory.
pub fn measure(inv: &Inventory) -> Result<Vec<LineageHint>, LineageError> {
    let nodes = nodes(inv)?;
    // Inverted index: hash -> nodes holding it.
    let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        for &h in &n.sketch.hashes {
            postings.entry(h).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for list in postings.values() {
        if list.len() < 2 || list.len() > MAX_POSTING {
            continue;
        }
        for (x, &i) in list.iter().enumerate() {
            for &j in &list[x + 1..] {
                *shared.entry((i, j)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = shared
        .into_iter()
        .filter(|&(_, n)| n >= MIN_SHARED)
        .map(|(p, _)| p)
        .collect();
    pairs.sort_unstable();

    // Best hint per (from, to, kind).
    let mut best: BTreeMap<(ColumnRef, ColumnRef, &'static str), LineageHint> = BTreeMap::new();
    for (i, j) in pairs {
        let (a, b) = (&nodes[i], &nodes[j]);
        if std::ptr::eq(a.asset, b.asset) && !is_view(a.asset) {
            continue;
        }
        let hint = match (a.variant, b.variant) {
            (None, None) => overlap_hint(a, b),
            (Some(_), None) if b.digest_hex => derived_hint(a, b),
            (None, Some(_)) if a.digest_hex => derived_hint(b, a),
            _ => None,
        };
        if let Some(h) = hint {
            let kind: &'static str = if h.kind == "derived" {
                "derived"
            } else {
                "value_overlap"
            };
            let key = (h.from.clone(), h.to.clone(), kind);
            match best.get(&key) {
                Some(old) if old.strength >= h.strength => {}
                _ => {
                    best.insert(key, h);
                }
            }
        }
    }
    Ok(best.into_values().collect())
}

fn is_view(a: &Asset) -> bool {
    a.table
        .as_ref()
        .is_some_and(|t| t.relation_kind.contains("view"))
}

/// Columns that take part: fingerprinted, one key, candidates only.
fn nodes(inv: &Inventory) -> Result<Vec<Node<'_>>, LineageError> {
    let mut key: Option<(String, String)> = None;
    let mut out = Vec::new();
    for asset in &inv.assets {
        for column in &asset.columns {
            let Some(fp) = &column.fingerprint else {
                continue;
            };
            let name = format!("{} {}", asset.id, column.path);
            match &key {
                None => key = Some((fp.key_id.clone(), name.clone())),
                Some((id, _)) if *id != fp.key_id => {
                    return Err(LineageError::KeyMismatch {
                        first: id.clone(),
                        second: fp.key_id.clone(),
                        column: name,
                    });
                }
                _ => {}
            }
            let bad = |reason: String| LineageError::BadFingerprint {
                column: name.clone(),
                reason,
            };
            if fp.k == 0 {
                return Err(bad("k is 0".into()));
            }
            let main = Decoded::from_sketch(&fp.sketch, fp.k).map_err(bad)?;
            let candidate =
                fp.digest_hex || !column.labels.is_empty() || !column.name_hints.is_empty();
            if !candidate || main.distinct_estimate(fp.k) < MIN_DISTINCT {
                continue;
            }
            for (variant, sketch) in &fp.variants {
                out.push(Node {
                    asset,
                    column,
                    variant: Some(variant.as_str()),
                    digest_hex: false,
                    sketch: Decoded::from_sketch(sketch, fp.k)
                        .map_err(|e| bad(format!("variant {variant}: {e}")))?,
                    k: fp.k,
                });
            }
            out.push(Node {
                asset,
                column,
                variant: None,
                digest_hex: fp.digest_hex,
                sketch: main,
                k: fp.k,
            });
        }
    }
    Ok(out)
}

fn column_ref(n: &Node) -> ColumnRef {
    ColumnRef {
        asset: n.asset.id.clone(),
        path: n.column.path.clone(),
    }
}

/// The label both columns carry (value labels first, then name hints).
fn shared_label(a: &Column, b: &Column) -> Option<String> {
    let labels = |c: &Column| -> Vec<String> {
        c.labels
            .iter()
            .map(|l| l.label.clone())
            .chain(c.name_hints.iter().map(|h| h.label.clone()))
            .collect()
    };
    let lb = labels(b);
    labels(a).into_iter().find(|l| lb.contains(l))
}

fn metrics(
    o: &super::fingerprint::Overlap,
    from_in_to: f64,
    to_in_from: f64,
    n: usize,
    k: u32,
) -> BTreeMap<String, f64> {
    BTreeMap::from([
        ("jaccard".to_string(), round3(o.jaccard())),
        ("containment_from_in_to".to_string(), round3(from_in_to)),
        ("containment_to_in_from".to_string(), round3(to_in_from)),
        // Conservative: a share estimated from n sampled values errs by at
        // most 0.5/sqrt(n) (one standard error); 1/sqrt(n) is the usual
        // KMV bound and what we state.
        (
            "standard_error".to_string(),
            round3(1.0 / (n.max(1) as f64).sqrt()),
        ),
        ("sample_values".to_string(), n as f64),
        ("sketch_size".to_string(), f64::from(k)),
    ])
}

/// `value_overlap`: the two columns' value sets overlap. `from` is the side
/// with more distinct values (the likely original of a subset); for equal
/// sets the direction is a guess and the evidence says so.
fn overlap_hint(a: &Node, b: &Node) -> Option<LineageHint> {
    let o = compare(&a.sketch, &b.sketch);
    let (a_in_b, b_in_a) = (o.a_in_b(), o.b_in_a());
    // The contained side: the one whose containment is the larger.
    let (c, n) = if a_in_b >= b_in_a {
        (a_in_b, o.n_a)
    } else {
        (b_in_a, o.n_b)
    };
    if c < MIN_CONTAINMENT || n < MIN_REGION {
        return None;
    }
    let (from, to, from_in_to, to_in_from) =
        if a.sketch.distinct_estimate(a.k) >= b.sketch.distinct_estimate(b.k) {
            (a, b, a_in_b, b_in_a)
        } else {
            (b, a, b_in_a, a_in_b)
        };
    let mut evidence = vec![format!(
        "{:.0}% of the sampled values of {} are also in {} (estimated from {} values selected by keyed hash; ±{:.0}%)",
        to_in_from * 100.0,
        to.column.path,
        from.column.path,
        n,
        100.0 / (n as f64).sqrt()
    )];
    if (from_in_to - to_in_from).abs() < 0.1 {
        evidence.push(
            "the two columns hold about the same values: which one is the copy is a guess".into(),
        );
    } else {
        evidence.push(format!(
            "{:.0}% of the values of {} are in {}: a subset",
            from_in_to * 100.0,
            from.column.path,
            to.column.path
        ));
    }
    Some(LineageHint {
        kind: "value_overlap".into(),
        from: column_ref(from),
        to: column_ref(to),
        strength: round3(c.min(1.0)),
        label: shared_label(from.column, to.column),
        evidence,
        metrics: metrics(&o, from_in_to, to_in_from, n, a.k.min(b.k)),
    })
}

/// `derived`: the digest column `hashed` holds hex digests of `source`'s values.
fn derived_hint(source: &Node, hashed: &Node) -> Option<LineageHint> {
    let variant = source.variant?;
    let o = compare(&source.sketch, &hashed.sketch);
    let (src_in_hashed, hashed_in_src) = (o.a_in_b(), o.b_in_a());
    let (c, n) = if hashed_in_src >= src_in_hashed {
        (hashed_in_src, o.n_b)
    } else {
        (src_in_hashed, o.n_a)
    };
    if c < MIN_CONTAINMENT || n < MIN_REGION {
        return None;
    }
    let (algo, norm) = variant.split_once(':').unwrap_or((variant, "plain"));
    let how = match norm {
        "lower_trim" => "lower-cased and trimmed",
        "digits" => "reduced to digits",
        _ => "as they are",
    };
    let mut m = metrics(&o, src_in_hashed, hashed_in_src, n, source.k.min(hashed.k));
    m.insert("variant_matches".into(), o.shared as f64);
    Some(LineageHint {
        kind: "derived".into(),
        from: column_ref(source),
        to: column_ref(hashed),
        strength: round3(c.min(1.0)),
        label: source
            .column
            .labels
            .first()
            .map(|l| l.label.clone())
            .or_else(|| source.column.name_hints.first().map(|h| h.label.clone())),
        evidence: vec![
            format!(
                "{:.0}% of the sampled values of {} are {} hex digests of values of {}, {how} (pseudonymised, still linkable)",
                hashed_in_src * 100.0,
                hashed.column.path,
                algo,
                source.column.path
            ),
            format!("variant {variant}, {n} values compared"),
        ],
        metrics: m,
    })
}
