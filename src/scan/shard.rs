//! `--shard K/N`: one deterministic slice of a scan, so N machines (a
//! Kubernetes Indexed Job, an AWS Batch array job) share the work and
//! `ferret merge` joins their partial inventories.
//!
//! The unit is the asset (a file, a dataset of many objects, a database
//! table), decided by its id after discovery and grouping: the same asset
//! lands on the same shard however the store happens to list its objects,
//! and whichever machine runs the shard. The hash is fixed forever (FNV-1a
//! of the id, mixed by splitmix64, as the sampler's seeds are), never Rust's
//! randomised `DefaultHasher`.

use crate::inventory::ShardInfo;
use crate::source::seed::SeededRng;

/// Environment variables that carry an array task's index, in the order
/// `--shard auto/N` looks at them (both are 0-based).
pub const INDEX_VARIABLES: [&str; 2] = ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (0-based K, `K < N`) or `auto/N` (K from
    /// [`INDEX_VARIABLES`]); `env` looks variables up (the process
    /// environment, or a map in tests).
    pub fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let bad =
            |why: &str| format!("--shard {spec}: {why} (expected K/N with 0 <= K < N, or auto/N)");
        let (k, n) = spec.split_once('/').ok_or_else(|| bad("no '/'"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        let (index_text, from) = if k.trim() == "auto" {
            let found = INDEX_VARIABLES
                .iter()
                .find_map(|var| env(var).map(|v| (v, *var)));
            match found {
                Some((v, var)) => (v, Some(var)),
                None => {
                    return Err(bad(&format!(
                        "auto needs {} or {} in the environment",
                        INDEX_VARIABLES[0], INDEX_VARIABLES[1]
                    )));
                }
            }
        } else {
            (k.to_string(), None)
        };
        let index: u64 = index_text.trim().parse().map_err(|_| match from {
            Some(var) => bad(&format!("{var}={index_text} is not a whole number")),
            None => bad("K is not a whole number"),
        })?;
        if index >= count {
            return Err(bad(&format!(
                "K={index} is not below N={count} (K is 0-based)"
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether the asset with this id belongs to this shard.
    pub fn owns(&self, asset_id: &str) -> bool {
        shard_of(asset_id, self.count) == self.index
    }

    pub fn info(&self) -> ShardInfo {
        ShardInfo {
            index: Some(self.index),
            count: self.count,
            missing: Vec::new(),
        }
    }
}

/// The shard (0-based, below `count`) an asset id belongs to.
pub fn shard_of(asset_id: &str, count: u64) -> u64 {
    SeededRng::new(0, asset_id).next_u64() % count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_and_validates() {
        assert_eq!(
            Shard::parse("0/3", no_env),
            Ok(Shard { index: 0, count: 3 })
        );
        assert_eq!(
            Shard::parse("2/3", no_env),
            Ok(Shard { index: 2, count: 3 })
        );
        for bad in ["3/3", "1/0", "x/2", "2", "-1/2", "1/two", "auto/2"] {
            assert!(Shard::parse(bad, no_env).is_err(), "{bad} accepted");
        }
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "4".to_string());
        assert_eq!(
            Shard::parse("auto/5", k8s),
            Ok(Shard { index: 4, count: 5 })
        );
        assert!(Shard::parse("auto/4", k8s).is_err());
        let batch = |v: &str| (v == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "1".to_string());
        assert_eq!(
            Shard::parse("auto/2", batch),
            Ok(Shard { index: 1, count: 2 })
        );
    }

    #[test]
    fn every_id_has_exactly_one_shard_and_the_split_is_even_enough() {
        let ids: Vec<String> = (0..3000)
            .map(|i| format!("file:///data/t{i}.csv"))
            .collect();
        let shards: Vec<Shard> = (0..3).map(|index| Shard { index, count: 3 }).collect();
        let mut per = [0usize; 3];
        for id in &ids {
            let owners: Vec<u64> = shards
                .iter()
                .filter(|s| s.owns(id))
                .map(|s| s.index)
                .collect();
            assert_eq!(owners.len(), 1, "{id}");
            per[owners[0] as usize] += 1;
        }
        // 1000 expected per shard; a fair hash stays well within +-15%.
        assert!(per.iter().all(|&n| (850..=1150).contains(&n)), "{per:?}");
        assert_eq!(shard_of("anything", 1), 0);
    }
}
