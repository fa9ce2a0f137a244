//! Apache Iceberg: the current snapshot from `metadata/` (format v1 and v2).
//!
//! * The current table metadata: the file `metadata/version-hint.text`
//!   names (a version `N` for `vN.metadata.json`, or a file name), else the
//!   `*.metadata.json` with the highest version (`vN.metadata.json` or
//!   `NNNNN-<uuid>.metadata.json`, gzip-compressed `.gz.metadata.json`
//!   too). A catalog (SQL, REST, Glue, Hive) is the authority on which
//!   metadata is current; with none at hand the highest version is what
//!   every catalog writer leaves as its newest, and the snapshot's
//!   `metadata_file` says which was read.
//! * The current snapshot's manifest list (Avro), then each manifest
//!   (Avro): entries with status 0 (existing) or 1 (added) are live, 2
//!   (deleted) are not. Data files (content 0) are [`LakeSnapshot::live`];
//!   positional (1) and equality (2) delete files
//!   [`LakeSnapshot::delete_files`], with a warning: the rows they delete are
//!   still stored in the data files.
//! * Paths in the metadata are absolute URIs: they are resolved against the
//!   table's `location`, so a table copied or uploaded elsewhere (another
//!   folder, a bucket) reads the same.
//! * A manifest list or manifest the metadata names that storage does not
//!   hold is [`LakeError::MissingManifest`].

use super::avro::{self, Value};
use super::{
    LakeError, LakeFile, LakeFormat, LakeSnapshot, MAX_FILES, MAX_METADATA_FILE_BYTES, dir_prefix,
    is_hidden, join, read_bounded, some_keys,
};
use crate::source::store::{DynStore, ObjectMeta, StoreError};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::io::Read;

/// Manifests read at once.
const READ_AHEAD: usize = 8;

/// The version a metadata file name carries.
fn metadata_version(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".metadata.json")?;
    let stem = stem.strip_suffix(".gz").unwrap_or(stem);
    if let Some(v) = stem.strip_prefix('v')
        && !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_digit())
    {
        return v.parse().ok();
    }
    let (n, _uuid) = stem.split_once('-')?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| n.parse().ok())
        .flatten()
}

fn corrupt(key: &str, detail: impl Into<String>) -> LakeError {
    LakeError::CorruptMetadata {
        key: key.to_string(),
        detail: detail.into(),
    }
}

fn missing_or_store(key: &str, source: StoreError) -> LakeError {
    match source {
        StoreError::NotFound(_) => LakeError::MissingManifest {
            key: key.to_string(),
        },
        source => LakeError::Store {
            key: key.to_string(),
            source,
        },
    }
}

/// Maps the metadata's absolute paths to store keys.
struct Paths {
    root: String,
    /// The table location as the metadata says, and as this store names
    /// the root (they differ for a copied or uploaded table).
    prefixes: Vec<String>,
}

impl Paths {
    fn key(&self, path: &str) -> Option<String> {
        self.prefixes
            .iter()
            .find_map(|p| {
                path.strip_prefix(p.as_str())
                    .and_then(|r| r.strip_prefix('/'))
            })
            .filter(|rel| !rel.is_empty() && !rel.split('/').any(|c| c == ".." || c.is_empty()))
            .map(|rel| join(&self.root, rel))
    }
}

pub(super) async fn snapshot(
    store: &DynStore,
    root: &str,
    listed: &[ObjectMeta],
    mut warnings: Vec<String>,
) -> Result<LakeSnapshot, LakeError> {
    let meta_prefix = format!("{}/", join(root, "metadata"));
    let prefix = dir_prefix(root);
    let objects: Vec<&ObjectMeta> = listed
        .iter()
        .filter(|o| o.key.starts_with(&prefix))
        .collect();
    let by_key: HashMap<&str, &ObjectMeta> = objects.iter().map(|o| (o.key.as_str(), *o)).collect();
    let candidates: Vec<(u64, &ObjectMeta)> = objects
        .iter()
        .copied()
        .filter_map(|o| {
            let name = o.key.strip_prefix(&meta_prefix)?;
            (!name.contains('/')).then_some(())?;
            metadata_version(name).map(|v| (v, o))
        })
        .collect();
    if candidates.is_empty() {
        return Err(LakeError::NotATable {
            root: root.to_string(),
            format: "iceberg",
        });
    }
    let mut spent = 0u64;

    // version-hint.text, when there.
    let mut current: Option<&ObjectMeta> = None;
    let hint_key = format!("{meta_prefix}version-hint.text");
    if let Some(o) = by_key.get(hint_key.as_str()) {
        let bytes = read_bounded(store, &o.key, Some(o.size), 1024, &mut spent).await?;
        let hint = String::from_utf8_lossy(&bytes).trim().to_string();
        let named = if hint.bytes().all(|b| b.is_ascii_digit()) && !hint.is_empty() {
            [
                format!("v{hint}.metadata.json"),
                format!("v{hint}.gz.metadata.json"),
            ]
            .into_iter()
            .find_map(|n| by_key.get(format!("{meta_prefix}{n}").as_str()).copied())
        } else {
            let name = hint.rsplit('/').next().unwrap_or(&hint);
            by_key.get(format!("{meta_prefix}{name}").as_str()).copied()
        };
        match named {
            Some(o) => current = Some(o),
            None => warnings.push(format!(
                "{hint_key} names a metadata file that is not there: using the highest version"
            )),
        }
    }
    let current = match current {
        Some(o) => o,
        None => {
            let top = candidates.iter().map(|(v, _)| *v).max().unwrap_or(0);
            let mut tied: Vec<&ObjectMeta> = candidates
                .iter()
                .filter(|(v, _)| *v == top)
                .map(|(_, o)| *o)
                .collect();
            tied.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| b.key.cmp(&a.key)));
            if tied.len() > 1 {
                warnings.push(format!(
                    "{} metadata files share version {top}: read the newest, {}",
                    tied.len(),
                    tied[0].key
                ));
            }
            tied[0]
        }
    };

    let raw = read_bounded(
        store,
        &current.key,
        Some(current.size),
        MAX_METADATA_FILE_BYTES,
        &mut spent,
    )
    .await?;
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .take(MAX_METADATA_FILE_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| corrupt(&current.key, format!("gzip: {e}")))?;
        if out.len() as u64 > MAX_METADATA_FILE_BYTES {
            return Err(LakeError::TooLarge {
                key: current.key.clone(),
                size: out.len() as u64,
                limit: MAX_METADATA_FILE_BYTES,
            });
        }
        out
    } else {
        raw.to_vec()
    };
    let md: Json = serde_json::from_slice(&text)
        .map_err(|e| corrupt(&current.key, format!("not JSON ({e})")))?;
    let format_version = md.get("format-version").and_then(Json::as_i64).unwrap_or(1);
    if format_version > 2 {
        warnings.push(format!(
            "iceberg format version {format_version}: read as v2 (row lineage and deletion vectors are not read)"
        ));
    }
    let location = md
        .get("location")
        .and_then(Json::as_str)
        .ok_or_else(|| corrupt(&current.key, "no table location"))?
        .trim_end_matches('/')
        .to_string();
    let paths = Paths {
        root: root.to_string(),
        prefixes: vec![location, store.url(root).trim_end_matches('/').to_string()],
    };
    let (schema_columns, partition_columns) = schema_and_spec(&md, &current.key)?;

    let snapshot_id = md
        .get("current-snapshot-id")
        .and_then(Json::as_i64)
        .filter(|id| *id != -1);
    let mut live_keys: HashMap<String, (Partition, u64)> = HashMap::new();
    let mut delete_keys: HashMap<String, (Partition, u64, i64)> = HashMap::new();
    let mut removed: HashMap<String, Option<String>> = HashMap::new();
    let mut outside: Vec<String> = Vec::new();
    let mut sequence_number = None;
    if let Some(id) = snapshot_id {
        let snap = md
            .get("snapshots")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|s| s.get("snapshot-id").and_then(Json::as_i64) == Some(id))
            .ok_or_else(|| {
                corrupt(
                    &current.key,
                    format!("current snapshot {id} is not among the snapshots"),
                )
            })?;
        // v1 has no sequence numbers: the spec reads them as 0.
        sequence_number = snap
            .get("sequence-number")
            .and_then(Json::as_i64)
            .or((format_version == 1).then_some(0));

        // Manifest paths: from the manifest list, or (old v1) inline.
        let mut manifests: Vec<String> = Vec::new();
        if let Some(list) = snap.get("manifest-list").and_then(Json::as_str) {
            let key = paths.key(list).ok_or_else(|| {
                corrupt(
                    &current.key,
                    "the manifest list is outside the table location",
                )
            })?;
            let size = by_key.get(key.as_str()).map(|o| o.size);
            let bytes = read_avro_file(store, &key, size, &mut spent).await?;
            let list = avro::read_container(&bytes).map_err(|e| corrupt(&key, e.0))?;
            for m in &list.records {
                let p = m
                    .field("manifest_path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| corrupt(&key, "a manifest list entry without manifest_path"))?;
                manifests.push(p.to_string());
            }
        } else if let Some(inline) = snap.get("manifests").and_then(Json::as_array) {
            manifests.extend(inline.iter().filter_map(Json::as_str).map(str::to_string));
        } else {
            return Err(corrupt(
                &current.key,
                format!("snapshot {id} has no manifest list"),
            ));
        }
        let mut keys = Vec::with_capacity(manifests.len());
        for m in &manifests {
            let key = paths
                .key(m)
                .ok_or_else(|| corrupt(&current.key, "a manifest is outside the table location"))?;
            let size = by_key.get(key.as_str()).map(|o| o.size);
            if size.is_none() {
                // Not listed: a head tells missing from elsewhere.
                store
                    .head(&key)
                    .await
                    .map_err(|e| missing_or_store(&key, e))?;
            }
            super::check_size(&key, size.unwrap_or(0), MAX_METADATA_FILE_BYTES, &mut spent)?;
            keys.push((key, size));
        }
        let mut reads = futures::stream::iter(keys.into_iter().map(|(key, size)| async move {
            let mut unused = 0u64;
            let bytes = read_avro_file(store, &key, size, &mut unused).await?;
            Ok::<_, LakeError>((key, bytes))
        }))
        .buffered(READ_AHEAD);
        while let Some((key, bytes)) = reads.try_next().await? {
            let manifest = avro::read_container(&bytes).map_err(|e| corrupt(&key, e.0))?;
            for entry in &manifest.records {
                let status = entry
                    .field("status")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| corrupt(&key, "a manifest entry without status"))?;
                let file = entry
                    .field("data_file")
                    .ok_or_else(|| corrupt(&key, "a manifest entry without data_file"))?;
                let path = file
                    .field("file_path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| corrupt(&key, "a data file without file_path"))?;
                let content = file.field("content").and_then(Value::as_i64).unwrap_or(0);
                let size = file
                    .field("file_size_in_bytes")
                    .and_then(Value::as_i64)
                    .and_then(|s| u64::try_from(s).ok())
                    .unwrap_or(0);
                let partition = match file.field("partition") {
                    Some(Value::Record(fields)) => fields
                        .iter()
                        .map(|(n, v)| (n.clone(), v.render()))
                        .collect(),
                    _ => Vec::new(),
                };
                let Some(fkey) = paths.key(path) else {
                    if status != 2 {
                        outside.push(path.to_string());
                    }
                    continue;
                };
                match (status, content) {
                    (2, _) => {
                        let by = entry
                            .field("snapshot_id")
                            .and_then(Value::as_i64)
                            .map(|s| s.to_string());
                        removed.insert(fkey, by);
                    }
                    (_, 0) => {
                        live_keys.insert(fkey, (partition, size));
                    }
                    (_, c) => {
                        delete_keys.insert(fkey, (partition, size, c));
                    }
                }
                if live_keys.len() + delete_keys.len() + removed.len() > MAX_FILES {
                    return Err(LakeError::TooLarge {
                        key,
                        size: (live_keys.len() + delete_keys.len() + removed.len()) as u64,
                        limit: MAX_FILES as u64,
                    });
                }
            }
        }
    } else {
        warnings
            .push("the table has no current snapshot: every stored data file is not live".into());
    }

    // Storage against the snapshot.
    let mut live = Vec::new();
    let mut missing = Vec::new();
    let mut size_mismatch = Vec::new();
    let lake_file = |meta: ObjectMeta, pv: &[(String, Option<String>)]| LakeFile {
        meta,
        partition_values: pv.to_vec(),
        removed_at_version: None,
        deletion_vector: false,
    };
    for (key, (pv, size)) in &live_keys {
        match by_key.get(key.as_str()) {
            Some(o) => {
                if *size != 0 && o.size != *size {
                    size_mismatch.push(o.key.as_str());
                }
                live.push(lake_file((*o).clone(), pv));
            }
            None => missing.push(lake_file(
                ObjectMeta {
                    key: key.clone(),
                    size: *size,
                    modified: None,
                    etag: None,
                },
                pv,
            )),
        }
    }
    let mut delete_files = Vec::new();
    let (mut positional, mut equality) = (0usize, 0usize);
    for (key, (pv, size, content)) in &delete_keys {
        if *content == 1 {
            positional += 1;
        } else {
            equality += 1;
        }
        let meta = by_key
            .get(key.as_str())
            .map(|o| (*o).clone())
            .unwrap_or(ObjectMeta {
                key: key.clone(),
                size: *size,
                modified: None,
                etag: None,
            });
        if by_key.contains_key(key.as_str()) {
            delete_files.push(lake_file(meta, pv));
        } else {
            missing.push(lake_file(meta, pv));
        }
    }
    let mut stored_not_live: Vec<LakeFile> = objects
        .iter()
        .copied()
        .filter(|o| {
            let rel = o.key.strip_prefix(&prefix).unwrap_or(&o.key);
            !o.key.starts_with(&meta_prefix)
                && !is_hidden(rel)
                && !live_keys.contains_key(&o.key)
                && !delete_keys.contains_key(&o.key)
        })
        .map(|o| LakeFile {
            meta: o.clone(),
            partition_values: Vec::new(),
            removed_at_version: removed.get(&o.key).cloned().flatten(),
            deletion_vector: false,
        })
        .collect();
    for v in [
        &mut live,
        &mut missing,
        &mut delete_files,
        &mut stored_not_live,
    ] {
        v.sort_by(|a, b| a.meta.key.cmp(&b.meta.key));
    }
    size_mismatch.sort_unstable();

    if positional + equality > 0 {
        warnings.push(format!(
            "{positional} positional and {equality} equality delete file(s) in the live snapshot: rows they delete are still stored in the data files"
        ));
    }
    if !missing.is_empty() {
        warnings.push(format!(
            "{} live file(s) missing from storage: {}",
            missing.len(),
            some_keys(missing.iter().map(|f| f.meta.key.as_str()))
        ));
    }
    if !size_mismatch.is_empty() {
        warnings.push(format!(
            "{} live data file(s) differ in size from the manifests: {}",
            size_mismatch.len(),
            some_keys(size_mismatch.iter().copied())
        ));
    }
    if !outside.is_empty() {
        warnings.push(format!(
            "{} live file(s) outside the table location, not read: {}",
            outside.len(),
            some_keys(outside.iter().map(String::as_str))
        ));
    }
    if !stored_not_live.is_empty() {
        warnings.push(format!(
            "{} file(s) in storage are not in the current snapshot (older snapshots, not expired): their rows are still stored",
            stored_not_live.len()
        ));
    }
    Ok(LakeSnapshot {
        format: LakeFormat::Iceberg,
        root: root.to_string(),
        version: snapshot_id.map_or_else(|| "none".to_string(), |id| id.to_string()),
        sequence_number,
        metadata_file: current.key.clone(),
        partition_columns,
        schema_columns,
        live,
        stored_not_live,
        delete_files,
        missing,
        warnings,
    })
}

/// Reads one Avro metadata file; a missing one is [`LakeError::MissingManifest`].
async fn read_avro_file(
    store: &DynStore,
    key: &str,
    size: Option<u64>,
    spent: &mut u64,
) -> Result<bytes::Bytes, LakeError> {
    match read_bounded(store, key, size, MAX_METADATA_FILE_BYTES, spent).await {
        Err(LakeError::Store { key, source }) => Err(missing_or_store(&key, source)),
        other => other,
    }
}

type Columns = Vec<(String, String)>;
/// A file's partition values, by partition field name.
type Partition = Vec<(String, Option<String>)>;

/// The current schema's top-level columns and the default partition spec's
/// field names (v2 `schemas` / `partition-specs`, v1 `schema` /
/// `partition-spec`).
fn schema_and_spec(md: &Json, key: &str) -> Result<(Columns, Vec<String>), LakeError> {
    let schema = match md.get("schemas").and_then(Json::as_array) {
        Some(all) => {
            let id = md.get("current-schema-id").and_then(Json::as_i64);
            all.iter()
                .find(|s| s.get("schema-id").and_then(Json::as_i64) == id)
                .or_else(|| all.last())
        }
        None => md.get("schema"),
    }
    .ok_or_else(|| corrupt(key, "no current schema"))?;
    let columns = schema
        .get("fields")
        .and_then(Json::as_array)
        .ok_or_else(|| corrupt(key, "schema without fields"))?
        .iter()
        .map(|f| {
            let name = f
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let ty = match f.get("type") {
                Some(Json::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            (name, ty)
        })
        .collect();
    let spec_fields = match md.get("partition-specs").and_then(Json::as_array) {
        Some(specs) => {
            let id = md.get("default-spec-id").and_then(Json::as_i64);
            specs
                .iter()
                .find(|s| s.get("spec-id").and_then(Json::as_i64) == id)
                .or_else(|| specs.last())
                .and_then(|s| s.get("fields"))
        }
        None => md.get("partition-spec"),
    };
    let partition_columns = spec_fields
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("name").and_then(Json::as_str).map(str::to_string))
        .collect();
    Ok((columns, partition_columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_versions_from_names() {
        assert_eq!(metadata_version("v12.metadata.json"), Some(12));
        assert_eq!(metadata_version("v3.gz.metadata.json"), Some(3));
        assert_eq!(
            metadata_version("00004-f3941c6c-c770-4824-becb-2b4fd6abf28b.metadata.json"),
            Some(4)
        );
        assert_eq!(metadata_version("version-hint.text"), None);
        assert_eq!(metadata_version("abc.metadata.json"), None);
    }

    #[test]
    fn paths_resolve_against_the_location_and_stay_inside() {
        let p = Paths {
            root: "copy/t".into(),
            prefixes: vec!["file:///orig/t".into(), "s3://b/copy/t".into()],
        };
        assert_eq!(
            p.key("file:///orig/t/data/x.parquet"),
            Some("copy/t/data/x.parquet".into())
        );
        assert_eq!(
            p.key("s3://b/copy/t/metadata/m.avro"),
            Some("copy/t/metadata/m.avro".into())
        );
        assert_eq!(p.key("file:///orig/tx/data/x.parquet"), None);
        assert_eq!(p.key("file:///orig/t/../secret"), None);
        assert_eq!(p.key("file:///elsewhere/x"), None);
    }
}
