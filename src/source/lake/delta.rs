//! Delta Lake: the snapshot from `_delta_log/` (protocol: checkpoint, then
//! the JSON commits after it, in order).
//!
//! * `_last_checkpoint` names the checkpoint to start from; the checkpoint
//!   it names must be there, whole (every part) and, when it says
//!   `sizeInBytes`, of that size — else [`LakeError::CheckpointMismatch`].
//!   A `_last_checkpoint` that is not JSON is ignored with a warning (it is
//!   only a hint): the newest complete checkpoint in the listing is used.
//! * Every commit from the checkpoint's version + 1 (or 0) to the newest
//!   listed must be there: a gap is [`LakeError::MissingCommit`], a line
//!   that is not a JSON action [`LakeError::CorruptCommit`].
//! * `add` / `remove` paths are URIs: percent-decoded into storage keys.
//!   Within one commit removes apply before adds (a file re-added with a new
//!   deletion vector stays live).
//! * Classic checkpoints only (single file or multi-part parquet); a V2
//!   (UUID-named, sidecar) checkpoint is [`LakeError::Unsupported`].

use super::{
    LakeError, LakeFile, LakeFormat, LakeSnapshot, MAX_CHECKPOINT_BYTES, MAX_COMMITS, MAX_FILES,
    MAX_METADATA_FILE_BYTES, dir_prefix, is_hidden, join, read_bounded, some_keys,
};
use crate::source::store::{DynStore, ObjectMeta};
use arrow::array::{Array, AsArray, StringArray};
use arrow::datatypes::DataType;
use futures::{StreamExt, TryStreamExt};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Commits read at once (they are small; over S3 latency dominates).
const READ_AHEAD: usize = 16;

/// Reader features whose meaning for the file list is understood.
const KNOWN_READER_FEATURES: &[&str] = &[
    "columnMapping",
    "deletionVectors",
    "timestampNtz",
    "typeWidening",
    "typeWidening-preview",
    "v2Checkpoint",
    "vacuumProtocolCheck",
    "variantType",
    "variantType-preview",
];

/// Is `name` (a file in `_delta_log/`) a commit, a checkpoint or
/// `_last_checkpoint`?
pub(super) fn is_log_entry(name: &str) -> bool {
    name == "_last_checkpoint" || commit_version(name).is_some() || checkpoint_of(name).is_some()
}

/// `00000000000000000012.json` -> 12.
fn commit_version(name: &str) -> Option<u64> {
    let v = name.strip_suffix(".json")?;
    (v.len() == 20 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse().ok())
        .flatten()
}

#[derive(Debug, PartialEq)]
enum CheckpointName {
    Single,
    /// part (1-based), of parts
    Part(u32, u32),
    /// V2: UUID-named
    V2,
}

/// `V.checkpoint.parquet`, `V.checkpoint.P.N.parquet`, `V.checkpoint.UUID.{json,parquet}`.
fn checkpoint_of(name: &str) -> Option<(u64, CheckpointName)> {
    let (v, rest) = name.split_once(".checkpoint")?;
    if v.len() != 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version = v.parse().ok()?;
    if rest == ".parquet" {
        return Some((version, CheckpointName::Single));
    }
    let rest = rest.strip_prefix('.')?;
    let parts: Vec<&str> = rest.split('.').collect();
    match parts.as_slice() {
        [p, n, "parquet"] if p.len() == 10 && n.len() == 10 => {
            let (p, n) = (p.parse().ok()?, n.parse().ok()?);
            (p >= 1 && p <= n).then_some((version, CheckpointName::Part(p, n)))
        }
        [_uuid, "json" | "parquet"] => Some((version, CheckpointName::V2)),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastCheckpoint {
    version: u64,
    size: Option<u64>,
    parts: Option<u32>,
    size_in_bytes: Option<u64>,
    v2_checkpoint: Option<serde_json::Value>,
}

/// One line of a commit: only the actions read here.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    add: Option<Add>,
    remove: Option<Remove>,
    meta_data: Option<MetaData>,
    protocol: Option<Protocol>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Add {
    path: String,
    #[serde(default)]
    partition_values: HashMap<String, Option<String>>,
    #[serde(default)]
    size: u64,
    deletion_vector: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Remove {
    path: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetaData {
    schema_string: String,
    #[serde(default)]
    partition_columns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Protocol {
    min_reader_version: i64,
    reader_features: Option<Vec<String>>,
}

/// A file of the log's state.
#[derive(Debug)]
struct LiveFile {
    partition_values: HashMap<String, Option<String>>,
    size: u64,
    deletion_vector: bool,
}

/// The log replayed so far.
#[derive(Debug, Default)]
struct State {
    /// Live files by decoded relative path.
    live: HashMap<String, LiveFile>,
    /// Removed files: the commit of the `remove` (None: from a checkpoint).
    removed: HashMap<String, Option<u64>>,
    meta: Option<MetaData>,
    protocol: Option<Protocol>,
    /// Paths outside the table (absolute URIs elsewhere).
    outside: Vec<String>,
}

impl State {
    fn add(&mut self, key: &str, a: Add, rel: String) -> Result<(), LakeError> {
        self.removed.remove(&rel);
        self.live.insert(
            rel,
            LiveFile {
                partition_values: a.partition_values,
                size: a.size,
                deletion_vector: a.deletion_vector.as_ref().is_some_and(|d| !d.is_null()),
            },
        );
        self.check_bound(key)
    }

    fn remove(&mut self, key: &str, rel: String, version: Option<u64>) -> Result<(), LakeError> {
        self.live.remove(&rel);
        self.removed.insert(rel, version);
        self.check_bound(key)
    }

    fn check_bound(&self, key: &str) -> Result<(), LakeError> {
        let n = self.live.len() + self.removed.len();
        if n > MAX_FILES {
            return Err(LakeError::TooLarge {
                key: key.to_string(),
                size: n as u64,
                limit: MAX_FILES as u64,
            });
        }
        Ok(())
    }
}

/// A log path (a URI, relative or absolute) as a key relative to the table
/// root; `None` when it points outside the table.
fn decode_path(store_url_root: &str, path: &str) -> Result<Option<String>, String> {
    let rel = if path.contains("://") {
        match path
            .strip_prefix(store_url_root)
            .and_then(|p| p.strip_prefix('/'))
        {
            Some(r) => r,
            None => return Ok(None),
        }
    } else {
        path
    };
    let decoded = percent_encoding::percent_decode_str(rel)
        .decode_utf8()
        .map_err(|_| "a path is not UTF-8 once decoded".to_string())?;
    if decoded.is_empty() || decoded.split('/').any(|c| c == ".." || c.is_empty()) {
        return Err("a path escapes the table folder or is empty".into());
    }
    Ok(Some(decoded.into_owned()))
}

pub(super) async fn snapshot(
    store: &DynStore,
    root: &str,
    listed: &[ObjectMeta],
    mut warnings: Vec<String>,
) -> Result<LakeSnapshot, LakeError> {
    let log_dir = join(root, "_delta_log");
    let prefix = dir_prefix(root);
    let objects: Vec<&ObjectMeta> = listed
        .iter()
        .filter(|o| o.key.starts_with(&prefix))
        .collect();
    let log_prefix = format!("{log_dir}/");
    let mut commits: BTreeMap<u64, &ObjectMeta> = BTreeMap::new();
    let mut checkpoints: BTreeMap<u64, Vec<(CheckpointName, &ObjectMeta)>> = BTreeMap::new();
    let mut last_checkpoint = None;
    let mut data: Vec<&ObjectMeta> = Vec::new();
    for o in &objects {
        if let Some(name) = o.key.strip_prefix(&log_prefix) {
            if name == "_last_checkpoint" {
                last_checkpoint = Some(o);
            } else if let Some(v) = commit_version(name) {
                commits.insert(v, o);
            } else if let Some((v, kind)) = checkpoint_of(name) {
                checkpoints.entry(v).or_default().push((kind, o));
            }
        } else {
            data.push(o);
        }
    }
    if commits.is_empty() && checkpoints.is_empty() {
        return Err(LakeError::NotATable {
            root: root.to_string(),
            format: "delta",
        });
    }

    let mut spent = 0u64;
    let mut state = State::default();
    let store_root_url = store.url(root).trim_end_matches('/').to_string();

    // The checkpoint to start from.
    let mut start: Option<u64> = None;
    let mut metadata_file = String::new();
    let hint = match last_checkpoint {
        Some(o) => {
            let bytes = read_bounded(
                store,
                &o.key,
                Some(o.size),
                MAX_METADATA_FILE_BYTES,
                &mut spent,
            )
            .await?;
            match serde_json::from_slice::<LastCheckpoint>(&bytes) {
                Ok(h) => Some(h),
                Err(e) => {
                    warnings.push(format!(
                        "{} is not valid ({e}): using the newest complete checkpoint in the listing",
                        o.key
                    ));
                    None
                }
            }
        }
        None => None,
    };
    let hinted_actions = hint.as_ref().and_then(|h| h.size);
    let chosen: Option<(u64, Vec<&ObjectMeta>)> = match hint {
        Some(h) => {
            let key = format!("{log_prefix}_last_checkpoint");
            if h.v2_checkpoint.is_some() {
                return Err(LakeError::Unsupported(format!(
                    "{key}: V2 checkpoint (sidecars)"
                )));
            }
            let found = checkpoints
                .get(&h.version)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if found.iter().any(|(k, _)| *k == CheckpointName::V2) {
                return Err(LakeError::Unsupported(format!(
                    "{key}: V2 checkpoint (sidecars)"
                )));
            }
            let parts =
                complete_parts(found, h.parts).ok_or_else(|| LakeError::CheckpointMismatch {
                    key: key.clone(),
                    detail: format!(
                        "it names checkpoint {} ({} part(s)) and storage does not hold it whole",
                        h.version,
                        h.parts.unwrap_or(1)
                    ),
                })?;
            if let Some(expected) = h.size_in_bytes {
                let actual: u64 = parts.iter().map(|o| o.size).sum();
                if actual != expected {
                    return Err(LakeError::CheckpointMismatch {
                        key,
                        detail: format!(
                            "checkpoint {} is {actual} bytes, _last_checkpoint says {expected}",
                            h.version
                        ),
                    });
                }
            }
            Some((h.version, parts))
        }
        None => checkpoints
            .iter()
            .rev()
            .find_map(|(v, found)| complete_parts(found, None).map(|p| (*v, p))),
    };
    if let Some((version, parts)) = &chosen {
        let total: u64 = parts.iter().map(|o| o.size).sum();
        if total > MAX_CHECKPOINT_BYTES {
            return Err(LakeError::TooLarge {
                key: parts.first().map(|o| o.key.clone()).unwrap_or_default(),
                size: total,
                limit: MAX_CHECKPOINT_BYTES,
            });
        }
        let mut rows = 0u64;
        for part in parts {
            let bytes = read_bounded(
                store,
                &part.key,
                Some(part.size),
                MAX_CHECKPOINT_BYTES,
                &mut spent,
            )
            .await?;
            rows += read_checkpoint(&part.key, bytes, &store_root_url, &mut state)?;
        }
        metadata_file = parts.first().map(|o| o.key.clone()).unwrap_or_default();
        start = Some(*version);
        // Not an error: writers have counted actions differently.
        if let Some(n) = hinted_actions
            && n != rows
        {
            warnings.push(format!(
                "_last_checkpoint says {n} actions, checkpoint {version} has {rows} rows"
            ));
        }
    }

    // The commits after it, contiguous up to the newest.
    let first = start.map_or(0, |v| v + 1);
    let newest = commits
        .keys()
        .next_back()
        .copied()
        .unwrap_or(0)
        .max(start.unwrap_or(0));
    let wanted = newest.saturating_sub(first).saturating_add(1);
    if first <= newest && wanted > MAX_COMMITS as u64 {
        return Err(LakeError::TooLarge {
            key: log_dir.clone(),
            size: wanted,
            limit: MAX_COMMITS as u64,
        });
    }
    let mut to_read = Vec::new();
    if first <= newest {
        for v in first..=newest {
            let o = commits.get(&v).ok_or_else(|| LakeError::MissingCommit {
                root: root.to_string(),
                version: v,
            })?;
            super::check_size(&o.key, o.size, MAX_METADATA_FILE_BYTES, &mut spent)?;
            to_read.push((v, *o));
        }
    }
    if metadata_file.is_empty()
        && let Some((_, o)) = to_read.first()
    {
        metadata_file = o.key.clone();
    }
    let mut reads = futures::stream::iter(to_read.into_iter().map(|(v, o)| async move {
        let bytes =
            store
                .get_range(&o.key, 0..o.size)
                .await
                .map_err(|source| LakeError::Store {
                    key: o.key.clone(),
                    source,
                })?;
        Ok::<_, LakeError>((v, o, bytes))
    }))
    .buffered(READ_AHEAD);
    while let Some((v, o, bytes)) = reads.try_next().await? {
        if bytes.len() as u64 > o.size {
            return Err(LakeError::TooLarge {
                key: o.key.clone(),
                size: bytes.len() as u64,
                limit: o.size,
            });
        }
        apply_commit(&o.key, v, &bytes, &store_root_url, &mut state)?;
    }

    finish(root, newest, metadata_file, state, data, warnings)
}

/// The parts of one checkpoint version when all are listed (the single file,
/// or parts 1..=n of one multi-part set).
fn complete_parts<'a>(
    found: &[(CheckpointName, &'a ObjectMeta)],
    parts: Option<u32>,
) -> Option<Vec<&'a ObjectMeta>> {
    if parts.is_none_or(|p| p == 1)
        && let Some((_, o)) = found.iter().find(|(k, _)| *k == CheckpointName::Single)
    {
        return Some(vec![*o]);
    }
    let mut by_total: BTreeMap<u32, BTreeMap<u32, &ObjectMeta>> = BTreeMap::new();
    for (k, o) in found {
        if let CheckpointName::Part(p, n) = k {
            by_total.entry(*n).or_default().insert(*p, *o);
        }
    }
    by_total
        .into_iter()
        .rev()
        .filter(|(n, _)| parts.is_none_or(|p| p == *n))
        .find(|(n, got)| got.len() == *n as usize)
        .map(|(_, got)| got.into_values().collect())
}

fn apply_commit(
    key: &str,
    version: u64,
    bytes: &[u8],
    root_url: &str,
    state: &mut State,
) -> Result<(), LakeError> {
    let corrupt = |detail: String| LakeError::CorruptCommit {
        key: key.to_string(),
        detail,
    };
    let mut adds = Vec::new();
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let action: Action = serde_json::from_slice(line)
            .map_err(|e| corrupt(format!("line {}: not a JSON action ({e})", n + 1)))?;
        if let Some(r) = action.remove
            && let Some(rel) = decode_path(root_url, &r.path)
                .map_err(|e| corrupt(format!("line {}: {e}", n + 1)))?
        {
            state.remove(key, rel, Some(version))?;
        }
        if let Some(a) = action.add {
            adds.push((n, a));
        }
        if let Some(m) = action.meta_data {
            state.meta = Some(m);
        }
        if let Some(p) = action.protocol {
            state.protocol = Some(p);
        }
    }
    for (n, a) in adds {
        match decode_path(root_url, &a.path).map_err(|e| corrupt(format!("line {}: {e}", n + 1)))? {
            Some(rel) => state.add(key, a, rel)?,
            None => state.outside.push(a.path),
        }
    }
    Ok(())
}

/// Applies one checkpoint part; returns its row count.
fn read_checkpoint(
    key: &str,
    bytes: bytes::Bytes,
    root_url: &str,
    state: &mut State,
) -> Result<u64, LakeError> {
    let corrupt = |detail: String| LakeError::CorruptCheckpoint {
        key: key.to_string(),
        detail,
    };
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| corrupt(e.to_string()))?;
    let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let wanted = ["add", "remove", "metaData", "protocol"];
    let roots: Vec<usize> = builder
        .parquet_schema()
        .root_schema()
        .get_fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted.contains(&f.name()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(8192)
        .build()
        .map_err(|e| corrupt(e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| corrupt(e.to_string()))?;
        if let Some(col) = batch.column_by_name("add") {
            let add = col
                .as_struct_opt()
                .ok_or_else(|| corrupt("add is not a struct".into()))?;
            let path = strings(add.column_by_name("path")).map_err(corrupt)?;
            let size = add
                .column_by_name("size")
                .and_then(|c| arrow::compute::cast(c, &DataType::Int64).ok());
            let size = size
                .as_ref()
                .and_then(|c| c.as_primitive_opt::<arrow::datatypes::Int64Type>());
            let pv = add
                .column_by_name("partitionValues")
                .and_then(|c| c.as_map_opt());
            let dv = add.column_by_name("deletionVector");
            for i in 0..add.len() {
                if add.is_null(i) || path.is_null(i) {
                    continue;
                }
                let mut partition_values = HashMap::new();
                if let Some(pv) = pv
                    && pv.is_valid(i)
                {
                    let entries = pv.value(i);
                    let keys = strings(Some(entries.column(0))).map_err(corrupt)?;
                    let values = strings(entries.columns().get(1)).map_err(corrupt)?;
                    for j in 0..keys.len() {
                        if keys.is_valid(j) {
                            let v = values.is_valid(j).then(|| values.value(j).to_string());
                            partition_values.insert(keys.value(j).to_string(), v);
                        }
                    }
                }
                let raw = path.value(i);
                let a = Add {
                    path: raw.to_string(),
                    partition_values,
                    size: size
                        .filter(|s| s.is_valid(i))
                        .map_or(0, |s| u64::try_from(s.value(i)).unwrap_or(0)),
                    deletion_vector: dv
                        .filter(|d| d.is_valid(i))
                        .map(|_| serde_json::Value::Bool(true)),
                };
                match decode_path(root_url, raw).map_err(|e| corrupt(e.to_string()))? {
                    Some(rel) => state.add(key, a, rel)?,
                    None => state.outside.push(raw.to_string()),
                }
            }
        }
        if let Some(col) = batch.column_by_name("remove") {
            let remove = col
                .as_struct_opt()
                .ok_or_else(|| corrupt("remove is not a struct".into()))?;
            let path = strings(remove.column_by_name("path")).map_err(corrupt)?;
            for i in 0..remove.len() {
                if remove.is_valid(i)
                    && path.is_valid(i)
                    && let Some(rel) = decode_path(root_url, path.value(i)).map_err(corrupt)?
                {
                    // A tombstone: removed at or before the checkpoint.
                    state.remove(key, rel, None)?;
                }
            }
        }
        if let Some(col) = batch.column_by_name("metaData") {
            let md = col
                .as_struct_opt()
                .ok_or_else(|| corrupt("metaData is not a struct".into()))?;
            let schema = strings(md.column_by_name("schemaString")).map_err(corrupt)?;
            let parts = md
                .column_by_name("partitionColumns")
                .and_then(|c| c.as_list_opt::<i32>());
            for i in 0..md.len() {
                if md.is_null(i) || schema.is_null(i) {
                    continue;
                }
                let mut partition_columns = Vec::new();
                if let Some(parts) = parts
                    && parts.is_valid(i)
                {
                    let names = strings(Some(&parts.value(i))).map_err(corrupt)?;
                    partition_columns = names.iter().flatten().map(str::to_string).collect();
                }
                state.meta = Some(MetaData {
                    schema_string: schema.value(i).to_string(),
                    partition_columns,
                });
            }
        }
        if let Some(col) = batch.column_by_name("protocol") {
            let p = col
                .as_struct_opt()
                .ok_or_else(|| corrupt("protocol is not a struct".into()))?;
            let min = p
                .column_by_name("minReaderVersion")
                .and_then(|c| arrow::compute::cast(c, &DataType::Int64).ok());
            let features = p
                .column_by_name("readerFeatures")
                .and_then(|c| c.as_list_opt::<i32>());
            for i in 0..p.len() {
                if p.is_null(i) {
                    continue;
                }
                let min_reader_version = min
                    .as_ref()
                    .and_then(|m| m.as_primitive_opt::<arrow::datatypes::Int64Type>())
                    .filter(|m| m.is_valid(i))
                    .map_or(1, |m| m.value(i));
                let mut reader_features = None;
                if let Some(f) = features
                    && f.is_valid(i)
                {
                    let names = strings(Some(&f.value(i))).map_err(corrupt)?;
                    reader_features = Some(names.iter().flatten().map(str::to_string).collect());
                }
                state.protocol = Some(Protocol {
                    min_reader_version,
                    reader_features,
                });
            }
        }
    }
    Ok(rows)
}

/// A column as UTF-8 strings (checkpoint writers use Utf8, LargeUtf8 or
/// views).
fn strings(col: Option<&arrow::array::ArrayRef>) -> Result<StringArray, String> {
    let col = col.ok_or_else(|| "a string column is missing".to_string())?;
    let cast = arrow::compute::cast(col, &DataType::Utf8)
        .map_err(|e| format!("not a string column: {e}"))?;
    cast.as_string_opt::<i32>()
        .cloned()
        .ok_or_else(|| "not a string column".to_string())
}

fn finish(
    root: &str,
    version: u64,
    metadata_file: String,
    state: State,
    data: Vec<&ObjectMeta>,
    mut warnings: Vec<String>,
) -> Result<LakeSnapshot, LakeError> {
    let meta = state.meta.ok_or_else(|| LakeError::CorruptCommit {
        key: join(root, "_delta_log"),
        detail: "the log has no metaData action".into(),
    })?;
    if let Some(p) = &state.protocol {
        if p.min_reader_version > 3 {
            return Err(LakeError::Unsupported(format!(
                "delta reader version {}",
                p.min_reader_version
            )));
        }
        for f in p.reader_features.iter().flatten() {
            if !KNOWN_READER_FEATURES.contains(&f.as_str()) {
                warnings.push(format!(
                    "unknown delta reader feature {f}: the file list may not mean what it says"
                ));
            }
        }
    }
    let schema: serde_json::Value =
        serde_json::from_str(&meta.schema_string).map_err(|e| LakeError::CorruptCommit {
            key: join(root, "_delta_log"),
            detail: format!("schemaString is not JSON ({e})"),
        })?;
    let mut schema_columns = Vec::new();
    // Column mapping: partitionValues are keyed by physical names.
    let mut physical: HashMap<String, String> = HashMap::new();
    for f in schema
        .get("fields")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
    {
        let name = f
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let ty = match f.get("type") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        if let Some(p) = f
            .get("metadata")
            .and_then(|m| m.get("delta.columnMapping.physicalName"))
            .and_then(|p| p.as_str())
        {
            physical.insert(name.clone(), p.to_string());
        }
        schema_columns.push((name, ty));
    }

    let prefix = super::dir_prefix(root);
    let stored: HashMap<&str, &ObjectMeta> = data
        .iter()
        .filter_map(|o| o.key.strip_prefix(&prefix).map(|rel| (rel, *o)))
        .collect();
    let partition_values = |pv: &HashMap<String, Option<String>>| -> Vec<(String, Option<String>)> {
        meta.partition_columns
            .iter()
            .map(|c| {
                let k = physical.get(c).unwrap_or(c);
                (
                    c.clone(),
                    pv.get(k).or_else(|| pv.get(c)).cloned().flatten(),
                )
            })
            .collect()
    };

    let mut live = Vec::new();
    let mut missing = Vec::new();
    let mut dv_files = 0usize;
    let mut size_mismatch = Vec::new();
    for (rel, f) in &state.live {
        if f.deletion_vector {
            dv_files += 1;
        }
        let file = |meta: ObjectMeta| LakeFile {
            meta,
            partition_values: partition_values(&f.partition_values),
            removed_at_version: None,
            deletion_vector: f.deletion_vector,
        };
        match stored.get(rel.as_str()) {
            Some(o) => {
                if f.size != 0 && o.size != f.size {
                    size_mismatch.push(o.key.as_str());
                }
                live.push(file((*o).clone()));
            }
            None => missing.push(file(ObjectMeta {
                key: join(root, rel),
                size: f.size,
                modified: None,
                etag: None,
            })),
        }
    }
    live.sort_by(|a, b| a.meta.key.cmp(&b.meta.key));
    missing.sort_by(|a, b| a.meta.key.cmp(&b.meta.key));
    size_mismatch.sort_unstable();

    let mut stored_not_live: Vec<LakeFile> = stored
        .iter()
        .filter(|(rel, _)| {
            !state.live.contains_key(**rel) && !is_hidden(rel) && !is_deletion_vector(rel)
        })
        .map(|(rel, o)| LakeFile {
            meta: (*o).clone(),
            partition_values: Vec::new(),
            removed_at_version: state
                .removed
                .get(*rel)
                .copied()
                .flatten()
                .map(|v| v.to_string()),
            deletion_vector: false,
        })
        .collect();
    stored_not_live.sort_by(|a, b| a.meta.key.cmp(&b.meta.key));

    if dv_files > 0 {
        warnings.push(format!(
            "{dv_files} live file(s) have deletion vectors: rows those mark deleted are still stored in the files"
        ));
    }
    if !missing.is_empty() {
        warnings.push(format!(
            "{} live data file(s) missing from storage: {}",
            missing.len(),
            some_keys(missing.iter().map(|f| f.meta.key.as_str()))
        ));
    }
    if !size_mismatch.is_empty() {
        warnings.push(format!(
            "{} live data file(s) differ in size from the log: {}",
            size_mismatch.len(),
            some_keys(size_mismatch.iter().copied())
        ));
    }
    if !state.outside.is_empty() {
        warnings.push(format!(
            "{} live data file(s) outside the table folder, not read: {}",
            state.outside.len(),
            some_keys(state.outside.iter().map(String::as_str))
        ));
    }
    if !stored_not_live.is_empty() {
        warnings.push(format!(
            "{} file(s) in storage are not in the live snapshot (removed, not vacuumed): their rows are still stored",
            stored_not_live.len()
        ));
    }
    Ok(LakeSnapshot {
        format: LakeFormat::Delta,
        root: root.to_string(),
        version: version.to_string(),
        sequence_number: None,
        metadata_file,
        partition_columns: meta.partition_columns.clone(),
        schema_columns,
        live,
        stored_not_live,
        delete_files: Vec::new(),
        missing,
        warnings,
    })
}

/// Deletion vector files (`deletion_vector_<uuid>.bin`, maybe under a
/// random prefix) hold row indexes, not rows.
fn is_deletion_vector(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with("deletion_vector_") && name.ends_with(".bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        assert_eq!(commit_version("00000000000000000012.json"), Some(12));
        assert_eq!(commit_version("0000000000000000012.json"), None);
        assert_eq!(commit_version("00000000000000000012.crc"), None);
        assert_eq!(
            checkpoint_of("00000000000000000010.checkpoint.parquet"),
            Some((10, CheckpointName::Single))
        );
        assert_eq!(
            checkpoint_of("00000000000000000010.checkpoint.0000000002.0000000003.parquet"),
            Some((10, CheckpointName::Part(2, 3)))
        );
        assert_eq!(
            checkpoint_of(
                "00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json"
            ),
            Some((10, CheckpointName::V2))
        );
        assert_eq!(
            checkpoint_of("00000000000000000010.checkpoint.0000000004.0000000003.parquet"),
            None
        );
    }

    #[test]
    fn paths_are_percent_decoded_and_confined() {
        let root = "file:///t";
        assert_eq!(
            decode_path(root, "country=a%252Fb/part%201.parquet"),
            Ok(Some("country=a%2Fb/part 1.parquet".into()))
        );
        assert_eq!(
            decode_path(root, "file:///t/x%20y.parquet"),
            Ok(Some("x y.parquet".into()))
        );
        assert_eq!(decode_path(root, "s3://elsewhere/x.parquet"), Ok(None));
        assert!(decode_path(root, "../../etc/passwd").is_err());
        assert!(decode_path(root, "a/%2E%2E/b").is_err());
        assert!(decode_path(root, "%FF").is_err());
    }

    /// The `add` action with a deletion vector from the Delta protocol's
    /// own example (PROTOCOL.md, "Deletion Vectors"); delta-rs (the
    /// `deltalake` package) does not write deletion vectors, so no fixture
    /// table has one.
    #[test]
    fn deletion_vectors_are_noted() {
        let commit = br#"{"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{}}}
{"add":{"path":"part-00000-a9bf7e4d-3a4c-4cf4-8f23-9a0fa4f2c4f1-c000.snappy.parquet","partitionValues":{},"size":1024,"modificationTime":1612345678000,"dataChange":true,"deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":4,"sizeInBytes":40,"cardinality":6}}}
"#;
        let mut state = State::default();
        apply_commit(
            "_delta_log/00000000000000000000.json",
            0,
            commit,
            "file:///t",
            &mut state,
        )
        .expect("commit");
        let s = finish("", 0, String::new(), state, Vec::new(), Vec::new()).expect("snapshot");
        assert_eq!(s.missing.len(), 1);
        assert!(s.missing[0].deletion_vector);
        assert!(
            s.warnings.iter().any(|w| w.contains("deletion vectors")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn removes_apply_before_adds_within_a_commit() {
        let commit = br#"{"add":{"path":"a.parquet","partitionValues":{},"size":1,"deletionVector":{"storageType":"u"}}}
{"remove":{"path":"a.parquet"}}
"#;
        let mut state = State::default();
        apply_commit("k", 4, commit, "file:///t", &mut state).expect("commit");
        assert!(state.live.contains_key("a.parquet"));
        let bad = b"{\"add\":{\"path\":\"a.parquet\"\n";
        let e = apply_commit("k", 5, bad, "file:///t", &mut state).unwrap_err();
        assert_eq!(e.code(), "corrupt_commit");
    }
}
