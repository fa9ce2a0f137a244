//! Discovery: from listed objects to assets.
//!
//! A lake table is many files: Hive-partitioned folders
//! (`events/dt=2024-01-01/part-0.parquet`) and sibling files whose names differ
//! only in numbers or ids (`part-0001.csv`, `part-0002.csv`) are grouped into
//! ONE dataset asset, so a table of 50,000 part files is one inventory entry.
//! Works on keys only, so the same grouping serves the local disk and S3.

use super::format::{Detected, FileFormat, detect_format};
use super::lake::{LakeFormat, table_roots};
use super::store::{DynStore, ObjectMeta, StoreError};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;

/// Bytes read from the start of an object whose extension says nothing.
const SNIFF_BYTES: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    File,
    Dataset,
}

impl AssetKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AssetKind::File => "file",
            AssetKind::Dataset => "dataset",
        }
    }
}

/// An asset to scan: one file, or a dataset of objects sharing one format.
#[derive(Debug, Clone)]
pub struct AssetPlan {
    pub id: String,
    pub kind: AssetKind,
    pub store: DynStore,
    pub objects: Vec<ObjectMeta>,
    pub format: FileFormat,
    pub partition_keys: Vec<String>,
}

/// A listing error, attributed to the folder or object it is about.
#[derive(Debug, Clone)]
pub struct DiscoveryError {
    pub url: String,
    pub error: StoreError,
}

/// A lake table found in a listing: its root and every object under it
/// (log or metadata, and data files), for [`super::lake::snapshot_listed`].
#[derive(Debug, Clone)]
pub struct LakeTablePlan {
    pub id: String,
    pub root: String,
    pub format: LakeFormat,
    pub store: DynStore,
    pub objects: Vec<ObjectMeta>,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub assets: Vec<AssetPlan>,
    /// Delta Lake and Iceberg tables: one asset each, read through their
    /// log or metadata, never as loose files.
    pub lake_tables: Vec<LakeTablePlan>,
    /// `(url, reason)` of objects not scanned (unsupported formats).
    pub skipped: Vec<(String, String)>,
    pub errors: Vec<DiscoveryError>,
}

/// `--include` / `--exclude` globs over keys (relative paths). `*` crosses
/// folders, so `*.csv` matches `a/b/c.csv`.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl KeyFilter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        let build = |globs: &[String]| -> Result<Option<GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).map_err(|e| format!("bad glob '{g}': {e}"))?);
            }
            b.build().map(Some).map_err(|e| e.to_string())
        };
        Ok(KeyFilter {
            include: build(include)?,
            exclude: build(exclude)?,
        })
    }

    pub fn accepts(&self, key: &str) -> bool {
        let name = key.rsplit('/').next().unwrap_or(key);
        let hit = |set: &GlobSet| set.is_match(key) || set.is_match(name);
        self.include.as_ref().is_none_or(hit) && !self.exclude.as_ref().is_some_and(hit)
    }
}

/// Groups the objects under `prefix` of `store` into assets.
pub async fn discover(store: &DynStore, prefix: &str, filter: &KeyFilter) -> Discovery {
    let listing = store.list(prefix).await;
    let mut out = Discovery::default();
    for (key, error) in listing.errors {
        out.errors.push(DiscoveryError {
            url: store.url(&key),
            error,
        });
    }
    // Lake tables are found on the whole listing (their logs are what
    // marks them), then take every object under their root.
    let mut tables: Vec<LakeTablePlan> = table_roots(&listing.objects)
        .into_iter()
        .map(|(root, format)| LakeTablePlan {
            id: format!("{}/", store.url(&root).trim_end_matches('/')),
            root,
            format,
            store: store.clone(),
            objects: Vec::new(),
        })
        .collect();
    // Innermost root first: a table nested in another's folder owns its files.
    tables.sort_by_key(|t| std::cmp::Reverse(t.root.len()));
    let mut objects: Vec<ObjectMeta> = Vec::new();
    for o in listing.objects {
        let owner = tables
            .iter_mut()
            .find(|t| t.root.is_empty() || o.key.starts_with(&format!("{}/", t.root)));
        match owner {
            Some(t) => t.objects.push(o),
            None if filter.accepts(&o.key) => objects.push(o),
            None => {}
        }
    }
    // A table is kept when the globs accept its root or any of its files.
    tables.retain(|t| filter.accepts(&t.root) || t.objects.iter().any(|o| filter.accepts(&o.key)));
    tables.sort_by(|a, b| a.root.cmp(&b.root));
    out.lake_tables = tables;

    // Group keys: hive datasets by their root, siblings by folder + name template.
    let mut groups: BTreeMap<GroupKey, Vec<ObjectMeta>> = BTreeMap::new();
    let mut folder_sizes: BTreeMap<String, usize> = BTreeMap::new();
    for o in objects {
        let (dir, _) = split_key(&o.key);
        *folder_sizes.entry(dir.to_string()).or_default() += 1;
        groups.entry(group_key(&o.key)).or_default().push(o);
    }

    for (g, members) in groups {
        let Some(first) = members.first() else {
            continue;
        };
        let format = match detect_format(&first.key, None) {
            Detected::Supported(f) => Ok(f),
            Detected::Unsupported(_) => {
                let head = store
                    .get_range(&first.key, 0..SNIFF_BYTES.min(first.size))
                    .await;
                match head {
                    Ok(bytes) => match detect_format(&first.key, Some(&bytes)) {
                        Detected::Supported(f) => Ok(f),
                        Detected::Unsupported(reason) => Err(reason),
                    },
                    Err(e) => Err(format!("cannot read to detect format: {e}")),
                }
            }
        };
        let format = match format {
            Ok(f) => f,
            Err(reason) => {
                for m in &members {
                    out.skipped.push((store.url(&m.key), reason.clone()));
                }
                continue;
            }
        };
        let (id, kind, partition_keys) = match &g {
            GroupKey::Hive { root, .. } => {
                let keys = partition_keys(&members);
                (
                    format!("{}/", store.url(root).trim_end_matches('/')),
                    AssetKind::Dataset,
                    keys,
                )
            }
            GroupKey::Siblings { dir, template } if members.len() > 1 => {
                let whole_folder = folder_sizes.get(dir).copied() == Some(members.len());
                let id = if whole_folder {
                    format!("{}/", store.url(dir).trim_end_matches('/'))
                } else {
                    store.url(&join(dir, template))
                };
                (id, AssetKind::Dataset, Vec::new())
            }
            GroupKey::Siblings { .. } => (store.url(&first.key), AssetKind::File, Vec::new()),
        };
        out.assets.push(AssetPlan {
            id,
            kind,
            store: store.clone(),
            objects: members,
            format,
            partition_keys,
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Hive { root: String, ext: String },
    Siblings { dir: String, template: String },
}

fn split_key(key: &str) -> (&str, &str) {
    key.rsplit_once('/').unwrap_or(("", key))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn is_hive_segment(seg: &str) -> bool {
    matches!(seg.split_once('='), Some((k, _)) if !k.is_empty())
}

fn group_key(key: &str) -> GroupKey {
    let segments: Vec<&str> = key.split('/').collect();
    let dirs = &segments[..segments.len().saturating_sub(1)];
    let name = segments.last().copied().unwrap_or_default();
    if let Some(i) = dirs.iter().position(|s| is_hive_segment(s)) {
        return GroupKey::Hive {
            root: dirs[..i].join("/"),
            ext: extension_of(name),
        };
    }
    GroupKey::Siblings {
        dir: dirs.join("/"),
        template: name_template(name),
    }
}

fn extension_of(name: &str) -> String {
    name.split_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// `part-00012-3f2a9c1e.snappy.parquet` -> `part-*-*.snappy.parquet`: runs of
/// digits, and hex runs of 8+ characters holding a digit (ids, UUID parts),
/// become `*`.
pub fn name_template(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_hexdigit() {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
                j += 1;
            }
            let run = &bytes[i..j];
            let has_digit = run.iter().any(u8::is_ascii_digit);
            let all_digits = run.iter().all(u8::is_ascii_digit);
            if all_digits || (has_digit && run.len() >= 8) {
                out.push('*');
                i = j;
                continue;
            }
            // A word with hex letters (`cafe`, `deadline`): keep letters, but
            // still replace the digit runs inside it.
            for &b in run {
                if b.is_ascii_digit() {
                    if !out.ends_with('*') {
                        out.push('*');
                    }
                } else {
                    out.push(b as char);
                }
            }
            i = j;
            continue;
        }
        // Multi-byte UTF-8 is copied through as-is.
        let ch_len = name[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&name[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn partition_keys(members: &[ObjectMeta]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for m in members {
        for seg in m.key.split('/') {
            if let Some((k, _)) = seg.split_once('=')
                && !k.is_empty()
                && !keys.iter().any(|x| x == k)
            {
                keys.push(k.to_string());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::store::LocalStore;
    use std::sync::Arc;

    #[test]
    fn templates_hide_numbers_and_ids() {
        assert_eq!(name_template("part-00012.csv"), "part-*.csv");
        assert_eq!(
            name_template("part-00012-3f2a9c1e.snappy.parquet"),
            "part-*-*.snappy.parquet"
        );
        assert_eq!(name_template("customers.parquet"), "customers.parquet");
        assert_eq!(name_template("face.csv"), "face.csv");
        assert_eq!(name_template("log2024.txt"), "log*.txt");
        assert_eq!(name_template("données.csv"), "données.csv");
    }

    #[tokio::test]
    async fn groups_hive_partitions_and_siblings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for d in [
            "events/dt=2024-01-01",
            "events/dt=2024-01-02",
            "logs",
            "misc",
        ] {
            std::fs::create_dir_all(p.join(d)).unwrap();
        }
        std::fs::write(p.join("events/dt=2024-01-01/part-0.jsonl"), "{}\n").unwrap();
        std::fs::write(p.join("events/dt=2024-01-02/part-0.jsonl"), "{}\n").unwrap();
        std::fs::write(p.join("logs/app-1.log"), "a\n").unwrap();
        std::fs::write(p.join("logs/app-2.log"), "b\n").unwrap();
        std::fs::write(p.join("misc/customers.csv"), "a,b\n").unwrap();
        std::fs::write(p.join("misc/orders.csv"), "a,b\n").unwrap();
        std::fs::write(p.join("misc/photo.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let store: DynStore = Arc::new(LocalStore::new(p));
        let d = discover(&store, "", &KeyFilter::default()).await;
        let ids: Vec<_> = d
            .assets
            .iter()
            .map(|a| {
                (
                    a.id.rsplit_once(p.to_str().unwrap()).unwrap().1.to_string(),
                    a.kind,
                )
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                ("/events/".to_string(), AssetKind::Dataset),
                ("/logs/".to_string(), AssetKind::Dataset),
                ("/misc/customers.csv".to_string(), AssetKind::File),
                ("/misc/orders.csv".to_string(), AssetKind::File),
            ]
        );
        assert_eq!(d.assets[0].partition_keys, ["dt"]);
        assert_eq!(d.assets[0].objects.len(), 2);
        assert_eq!(d.skipped.len(), 1);
        assert!(d.skipped[0].1.contains("png"));

        let only_csv = KeyFilter::new(&["*.csv".into()], &["orders*".into()]).unwrap();
        let d = discover(&store, "", &only_csv).await;
        assert_eq!(d.assets.len(), 1);
        assert!(d.assets[0].id.ends_with("/misc/customers.csv"));
    }

    /// A listing of 100,000 keys (the size of a large lake prefix), served
    /// from memory: discovery groups them into datasets, in bounded time.
    #[derive(Debug)]
    struct Listed(Vec<ObjectMeta>);

    #[async_trait::async_trait]
    impl crate::source::store::ObjectStore for Listed {
        fn url(&self, key: &str) -> String {
            format!("s3://lake/{key}")
        }
        async fn list(&self, _prefix: &str) -> crate::source::store::Listing {
            crate::source::store::Listing {
                objects: self.0.clone(),
                errors: Vec::new(),
            }
        }
        async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError> {
            Err(StoreError::NotFound(key.into()))
        }
        async fn get_range(
            &self,
            key: &str,
            _range: std::ops::Range<u64>,
        ) -> Result<bytes::Bytes, StoreError> {
            Err(StoreError::NotFound(key.into()))
        }
    }

    #[tokio::test]
    async fn groups_100k_keys_into_datasets() {
        let meta = |key: String| ObjectMeta {
            key,
            size: 100,
            modified: None,
            etag: Some("\"e\"".into()),
        };
        let mut objects = Vec::new();
        for i in 0..50_000 {
            objects.push(meta(format!(
                "warehouse/events/dt=2024-{:02}-{:02}/part-{i:05}-3f2a9c1e.snappy.parquet",
                i % 12 + 1,
                i % 28 + 1
            )));
        }
        for i in 0..49_990 {
            objects.push(meta(format!("logs/app/app-{i:06}.log.gz")));
        }
        for i in 0..10 {
            objects.push(meta(format!(
                "exports/report_{}.csv",
                ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][i]
            )));
        }
        let store: DynStore = Arc::new(Listed(objects));
        let started = std::time::Instant::now();
        let d = discover(&store, "", &KeyFilter::default()).await;
        let took = started.elapsed();
        let sizes: Vec<(String, usize)> = d
            .assets
            .iter()
            .map(|a| (a.id.clone(), a.objects.len()))
            .collect();
        assert_eq!(sizes.len(), 12, "{sizes:?}");
        assert!(sizes.contains(&("s3://lake/warehouse/events/".into(), 50_000)));
        assert!(sizes.contains(&("s3://lake/logs/app/".into(), 49_990)));
        assert!(took.as_secs() < 20, "{took:?}");
    }
}
