//! `ferret merge`: joins the partial inventories of a sharded scan
//! (`ferret scan --shard K/N`) into the inventory one run would have written.
//!
//! Shards of different scans must never be mixed silently: a merge of
//! tonight's shard 0 with last night's shard 1 would look complete and be
//! wrong. So every part must agree on what decides the results (targets,
//! sampling, detector pack, thresholds, ferret version, shard count), and
//! every shard index must be there exactly once unless `--allow-partial`.

use super::{Incremental, Inventory, IoInfo, SCHEMA_VERSION, ShardInfo, Summary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Merge even when shard indices are missing (recorded in `scan.shard.missing`).
    pub allow_partial: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the partial inventories of a sharded scan")]
    NoInput,
    #[error(
        "{path}: not a shard of a scan (no scan.shard.index; was it written with --shard K/N?)"
    )]
    NotAShard { path: PathBuf },
    #[error(
        "{path}: not from the same scan as {first}: {what} differ ({theirs} vs {ours}); shards of different scans cannot be merged"
    )]
    DifferentScan {
        path: PathBuf,
        first: PathBuf,
        what: &'static str,
        theirs: String,
        ours: String,
    },
    #[error(
        "{path}: shard index {index} is not below its shard count {count} (K/N is 0-based, K < N): a damaged or foreign part"
    )]
    ShardOutOfRange {
        path: PathBuf,
        index: u64,
        count: u64,
    },
    #[error("shard {index} of {count} given twice: {a} and {b}")]
    DuplicateShard {
        index: u64,
        count: u64,
        a: PathBuf,
        b: PathBuf,
    },
    #[error(
        "shard(s) {missing:?} of {count} missing; give every part, or --allow-partial to merge what is there"
    )]
    MissingShards { missing: Vec<u64>, count: u64 },
    #[error("asset {id} appears in both {a} and {b}: these are not shards of one scan")]
    DuplicateAsset { id: String, a: PathBuf, b: PathBuf },
}

/// Merges `parts` (each with the path it was read from, for errors).
pub fn merge(
    parts: Vec<(PathBuf, Inventory)>,
    options: MergeOptions,
) -> Result<Inventory, MergeError> {
    let Some((first_path, first)) = parts.first() else {
        return Err(MergeError::NoInput);
    };
    let count = shard_of_part(first_path, first)?.1;
    let mut seen: BTreeMap<u64, &Path> = BTreeMap::new();
    for (path, inv) in &parts {
        let (index, their_count) = shard_of_part(path, inv)?;
        let different = |what: &'static str, theirs: String, ours: String| {
            Err(MergeError::DifferentScan {
                path: path.clone(),
                first: first_path.clone(),
                what,
                theirs,
                ours,
            })
        };
        if their_count != count {
            return different("shard counts", their_count.to_string(), count.to_string());
        }
        // Each check names what differs; values are settings, never data.
        let checks: [(&'static str, String, String); 5] = [
            (
                "targets",
                json(&inv.scan.targets),
                json(&first.scan.targets),
            ),
            (
                "sampling settings",
                // Per-source settings are part of the run: shards of one run
                // share them, whatever they say for each source.
                json(&(&inv.scan.sampling, &inv.scan.source_sampling)),
                json(&(&first.scan.sampling, &first.scan.source_sampling)),
            ),
            (
                "detector packs",
                json(&inv.scan.detector_pack),
                json(&first.scan.detector_pack),
            ),
            (
                "thresholds",
                json(&inv.scan.thresholds),
                json(&first.scan.thresholds),
            ),
            (
                "ferret versions",
                inv.scan.tool_version.clone(),
                first.scan.tool_version.clone(),
            ),
        ];
        for (what, theirs, ours) in checks {
            if theirs != ours {
                return different(what, theirs, ours);
            }
        }
        if let Some(other) = seen.insert(index, path) {
            return Err(MergeError::DuplicateShard {
                index,
                count,
                a: other.to_path_buf(),
                b: path.clone(),
            });
        }
    }
    let missing: Vec<u64> = (0..count).filter(|i| !seen.contains_key(i)).collect();
    if !missing.is_empty() && !options.allow_partial {
        return Err(MergeError::MissingShards { missing, count });
    }

    let mut owner: BTreeMap<String, &Path> = BTreeMap::new();
    for (path, inv) in &parts {
        for a in &inv.assets {
            if let Some(other) = owner.insert(a.id.clone(), path) {
                return Err(MergeError::DuplicateAsset {
                    id: a.id.clone(),
                    a: other.to_path_buf(),
                    b: path.clone(),
                });
            }
        }
    }

    let mut scan = first.scan.clone();
    scan.started_at = pick(parts.iter().map(|(_, i)| &i.scan.started_at), false);
    scan.finished_at = pick(parts.iter().map(|(_, i)| &i.scan.finished_at), true);
    // Wall-clock time of the whole sharded scan, first start to last finish.
    scan.duration_ms = match (
        chrono::DateTime::parse_from_rfc3339(&scan.started_at),
        chrono::DateTime::parse_from_rfc3339(&scan.finished_at),
    ) {
        (Ok(s), Ok(f)) => (f - s).num_milliseconds().max(0) as u64,
        _ => parts
            .iter()
            .map(|(_, i)| i.scan.duration_ms)
            .max()
            .unwrap_or(0),
    };
    scan.io = sum_io(parts.iter().filter_map(|(_, i)| i.scan.io.as_ref()));
    scan.incremental = sum_incremental(
        parts
            .iter()
            .filter_map(|(_, i)| i.scan.incremental.as_ref()),
    );
    scan.shard = (!missing.is_empty()).then_some(ShardInfo {
        index: None,
        count,
        missing,
    });

    let mut assets = Vec::new();
    let mut skipped = Vec::new();
    let mut lineage_hints = Vec::new();
    let mut policy_violations = Vec::new();
    for (_, inv) in parts {
        assets.extend(inv.assets);
        skipped.extend(inv.skipped);
        lineage_hints.extend(inv.lineage_hints);
        policy_violations.extend(inv.policy_violations);
    }
    // The order `ferret scan` writes: assets by id, skipped objects by name.
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.sort_by(|a, b| a.object.cmp(&b.object));
    skipped.dedup_by(|a, b| a.object == b.object);
    // The union of the shards' hints; `ferret merge` then re-resolves them
    // from the fingerprints (`lineage::resolve`), which finds hints between
    // assets of different shards.
    lineage_hints.sort_by(|a, b| {
        (&a.from, &a.to, &a.kind, &a.label).cmp(&(&b.from, &b.to, &b.kind, &b.label))
    });
    lineage_hints.dedup();
    super::sort_violations(&mut policy_violations);
    policy_violations.dedup();

    let mut out = Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        scan,
        summary: Summary::default(),
        assets,
        skipped,
        lineage_hints,
        policy_violations,
    };
    out.summarise();
    Ok(out)
}

fn shard_of_part(path: &Path, inv: &Inventory) -> Result<(u64, u64), MergeError> {
    match &inv.scan.shard {
        Some(ShardInfo {
            index: Some(index),
            count,
            ..
        }) if index < count => Ok((*index, *count)),
        Some(ShardInfo {
            index: Some(index),
            count,
            ..
        }) => Err(MergeError::ShardOutOfRange {
            path: path.to_path_buf(),
            index: *index,
            count: *count,
        }),
        _ => Err(MergeError::NotAShard {
            path: path.to_path_buf(),
        }),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The earliest (or latest) of RFC 3339 timestamps; unparsable ones lose.
fn pick<'a>(stamps: impl Iterator<Item = &'a String>, latest: bool) -> String {
    let mut best: Option<(chrono::DateTime<chrono::FixedOffset>, &String)> = None;
    let mut fallback: Option<&String> = None;
    for s in stamps {
        fallback.get_or_insert(s);
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            let better = best
                .as_ref()
                .is_none_or(|(b, _)| if latest { t > *b } else { t < *b });
            if better {
                best = Some((t, s));
            }
        }
    }
    best.map(|(_, s)| s.clone())
        .or_else(|| fallback.cloned())
        .unwrap_or_default()
}

fn sum_io<'a>(parts: impl Iterator<Item = &'a IoInfo>) -> Option<IoInfo> {
    parts.fold(None, |acc: Option<IoInfo>, io| {
        let mut t = acc.unwrap_or_default();
        t.list_requests += io.list_requests;
        t.get_requests += io.get_requests;
        t.head_requests += io.head_requests;
        t.failed_attempts += io.failed_attempts;
        t.bytes_fetched += io.bytes_fetched;
        Some(t)
    })
}

fn sum_incremental<'a>(parts: impl Iterator<Item = &'a Incremental>) -> Option<Incremental> {
    parts.fold(None, |acc: Option<Incremental>, inc| {
        let mut t = acc.unwrap_or_default();
        t.carried_forward += inc.carried_forward;
        t.rescanned += inc.rescanned;
        t.dropped += inc.dropped;
        let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        t.objects_carried_forward = add(t.objects_carried_forward, inc.objects_carried_forward);
        t.objects_read = add(t.objects_read, inc.objects_read);
        if t.state_ignored.is_none() {
            t.state_ignored.clone_from(&inc.state_ignored);
        }
        Some(t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::*;

    /// Shard `index` of `count`: three rows and ten bytes per asset, two GETs.
    fn part(index: u64, count: u64, assets: &[&str], started: &str, finished: &str) -> Inventory {
        let assets = assets
            .iter()
            .map(|id| Asset {
                rows_sampled: 3,
                bytes_total: 10,
                bytes_read: 10,
                ..testing::asset(id, vec![])
            })
            .collect();
        let mut inv = testing::inventory(assets);
        inv.scan.started_at = started.into();
        inv.scan.finished_at = finished.into();
        inv.scan.duration_ms = 1;
        inv.scan.io = Some(IoInfo {
            get_requests: 2,
            ..IoInfo::default()
        });
        inv.scan.shard = Some(ShardInfo {
            index: Some(index),
            count,
            missing: vec![],
        });
        inv
    }

    fn p(name: &str) -> PathBuf {
        PathBuf::from(name)
    }

    #[test]
    fn joins_parts_in_id_order_with_summed_counters_and_time_span() {
        let a = part(
            1,
            2,
            &["c", "a"],
            "2026-01-01T00:00:05.000Z",
            "2026-01-01T00:00:09.000Z",
        );
        let b = part(
            0,
            2,
            &["b"],
            "2026-01-01T00:00:01.000Z",
            "2026-01-01T00:00:07.000Z",
        );
        let m = merge(vec![(p("a"), a), (p("b"), b)], MergeOptions::default()).unwrap();
        let ids: Vec<&str> = m.assets.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(m.summary.assets, 3);
        assert_eq!(m.summary.rows_sampled, 9);
        assert_eq!(m.scan.started_at, "2026-01-01T00:00:01.000Z");
        assert_eq!(m.scan.finished_at, "2026-01-01T00:00:09.000Z");
        assert_eq!(m.scan.duration_ms, 8000);
        assert_eq!(m.scan.io.as_ref().map(|io| io.get_requests), Some(4));
        assert_eq!(m.scan.shard, None);
    }

    /// Shard 7 of 3 cannot exist: the error names that part and says why,
    /// instead of reporting the other shards missing.
    #[test]
    fn a_shard_index_past_the_count_is_named() {
        let t = "2026-01-01T00:00:00.000Z";
        let e = merge(
            vec![
                (p("s0.json"), part(0, 3, &["a"], t, t)),
                (p("s7.json"), part(7, 3, &["b"], t, t)),
            ],
            MergeOptions {
                allow_partial: true,
            },
        )
        .unwrap_err();
        let shown = e.to_string();
        assert!(
            matches!(
                e,
                MergeError::ShardOutOfRange {
                    index: 7,
                    count: 3,
                    ..
                }
            ),
            "{shown}"
        );
        assert!(
            shown.contains("s7.json")
                && shown.contains("shard index 7")
                && !shown.contains("missing"),
            "{shown}"
        );
    }

    #[test]
    fn refuses_mixed_missing_and_duplicate_shards() {
        let t = "2026-01-01T00:00:00.000Z";
        let mut other = part(1, 2, &["b"], t, t);
        other.scan.detector_pack.digest = "other".into();
        let e = merge(
            vec![(p("x"), part(0, 2, &["a"], t, t)), (p("y"), other)],
            MergeOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("detector packs"), "{e}");

        let e = merge(
            vec![
                (p("x"), part(0, 2, &["a"], t, t)),
                (p("y"), part(1, 3, &["b"], t, t)),
            ],
            MergeOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("shard counts"), "{e}");

        let e = merge(
            vec![
                (p("x"), part(0, 2, &["a"], t, t)),
                (p("y"), part(0, 2, &["b"], t, t)),
            ],
            MergeOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(e, MergeError::DuplicateShard { index: 0, .. }),
            "{e}"
        );

        let only = || vec![(p("x"), part(0, 3, &["a"], t, t))];
        let e = merge(only(), MergeOptions::default()).unwrap_err();
        assert!(
            matches!(e, MergeError::MissingShards { ref missing, .. } if missing == &[1, 2]),
            "{e}"
        );
        let m = merge(
            only(),
            MergeOptions {
                allow_partial: true,
            },
        )
        .unwrap();
        assert_eq!(
            m.scan.shard,
            Some(ShardInfo {
                index: None,
                count: 3,
                missing: vec![1, 2]
            })
        );

        let e = merge(
            vec![
                (p("x"), part(0, 2, &["a"], t, t)),
                (p("y"), part(1, 2, &["a"], t, t)),
            ],
            MergeOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, MergeError::DuplicateAsset { .. }), "{e}");

        let mut whole = part(0, 1, &["a"], t, t);
        whole.scan.shard = None;
        let e = merge(vec![(p("w"), whole)], MergeOptions::default()).unwrap_err();
        assert!(matches!(e, MergeError::NotAShard { .. }), "{e}");
    }
}
