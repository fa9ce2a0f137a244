//! Incremental runs (`--state FILE`).
//!
//! The state keeps, per asset id, the fingerprint of every object of the
//! asset (key, size, ETag, last-modified), the finished [`Asset`] of the run
//! that scanned it, and per object read the partial result of that object
//! ([`ObjectPart`]: its column statistics and read counts). The next run
//! lists as usual:
//! - an asset whose objects all have the same fingerprints (none added,
//!   changed or deleted) is carried forward whole, without reading a byte;
//! - in an asset that changed, each object to read whose fingerprint (and
//!   read settings) match a kept part is taken from the state, and only new
//!   or changed objects are read; the parts are merged and classified again,
//!   so the asset is what a fresh scan of the same objects gives;
//! - assets that are gone are dropped.
//!
//! Objects and assets with errors are not kept, so they are retried.
//!
//! The file is rewritten atomically (temporary file + rename) while objects
//! finish, at most every [`FLUSH_EVERY`] (longer when writing takes long),
//! and at the end: a run killed midway keeps every object it finished and
//! everything of the previous run it had not reached, and the next run
//! redoes only the rest. A state written with other scan settings (mode,
//! sample sizes, seed, detectors, thresholds) is not used: every asset is
//! scanned again.

use super::parts::ObjectPart;
use super::settings::SamplingSettings;
use crate::inventory::{Asset, Incremental, Sampling};
use crate::source::SourceAsset;
use crate::source::store::ObjectMeta;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The state file's own format version. Format 1 (no parts) still loads.
const FORMAT: u32 = 2;
/// Longest time between two writes of the state while objects finish.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// A large state is written at most once per this many times its last
/// write took, so writing never dominates a run.
const FLUSH_COST_FACTOR: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    key: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
}

impl Fingerprint {
    fn of(o: &ObjectMeta) -> Fingerprint {
        Fingerprint {
            key: o.key.clone(),
            size: o.size,
            etag: o.etag.clone(),
            modified: o
                .modified
                .map(|m| m.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)),
        }
    }
}

/// One object's result, with what it was read from and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredPart {
    object: Fingerprint,
    /// The read settings the part depends on beyond the run's (its source's
    /// sampling and caps).
    read: String,
    /// Rows kept per object in sample mode (`None` in full and metadata-only
    /// modes, where every row read is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quota: Option<usize>,
    part: ObjectPart,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Entry {
    objects: Vec<Fingerprint>,
    /// The finished asset; absent while it is being scanned, or when it had
    /// errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    asset: Option<Asset>,
    /// Object key -> its kept part.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    parts: BTreeMap<String, StoredPart>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The scan settings the results depend on.
    settings: String,
    assets: BTreeMap<String, Entry>,
}

struct Current {
    /// Starts as the previous state: what this run has not reached yet stays
    /// valid (every entry is checked against the listing before use).
    stored: Stored,
    previous_ids: BTreeSet<String>,
    seen: BTreeSet<String>,
    /// Object keys each asset in progress has used this run.
    used: BTreeMap<String, BTreeSet<String>>,
    dirty: bool,
    last_flush: Instant,
    flush_every: Duration,
    carried: u64,
    rescanned: u64,
    objects_carried: u64,
    objects_read: u64,
    write_error_logged: bool,
}

pub struct State {
    path: PathBuf,
    ignored: Option<String>,
    current: Mutex<Current>,
}

fn fingerprint(asset: &dyn SourceAsset) -> Vec<Fingerprint> {
    let mut fp: Vec<Fingerprint> = asset.units().iter().map(Fingerprint::of).collect();
    fp.sort_by(|a, b| a.key.cmp(&b.key));
    fp
}

impl State {
    /// Reads the state at `path` (a missing, unreadable or foreign state
    /// means "scan everything", with the reason in the inventory).
    pub fn open(path: &Path, settings: String) -> State {
        let (previous, ignored) = match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                BTreeMap::new(),
                Some("no state yet (first run)".to_string()),
            ),
            Err(e) => {
                tracing::warn!(state = %path.display(), "cannot read the state file ({}): scanning everything", e.kind());
                (
                    BTreeMap::new(),
                    Some(format!("state file unreadable ({})", e.kind())),
                )
            }
            Ok(bytes) => match serde_json::from_slice::<Stored>(&bytes) {
                Ok(s) if !(1..=FORMAT).contains(&s.format) => (
                    BTreeMap::new(),
                    Some(format!("state file format {} not supported", s.format)),
                ),
                Ok(s) if s.settings != settings => {
                    tracing::info!(state = %path.display(), "scan settings changed since the state was written: scanning everything");
                    (
                        BTreeMap::new(),
                        Some("scan settings changed since the state was written".to_string()),
                    )
                }
                Ok(s) => (s.assets, None),
                Err(e) => {
                    tracing::warn!(state = %path.display(), line = e.line(), "state file is corrupt: scanning everything");
                    (BTreeMap::new(), Some("state file corrupt".to_string()))
                }
            },
        };
        State {
            path: path.to_path_buf(),
            ignored,
            current: Mutex::new(Current {
                previous_ids: previous.keys().cloned().collect(),
                stored: Stored {
                    format: FORMAT,
                    settings,
                    assets: previous,
                },
                seen: BTreeSet::new(),
                used: BTreeMap::new(),
                dirty: false,
                last_flush: Instant::now(),
                flush_every: FLUSH_EVERY,
                carried: 0,
                rescanned: 0,
                objects_carried: 0,
                objects_read: 0,
                write_error_logged: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The previous result of `plan`, when none of its objects changed.
    /// Otherwise the asset is marked as being rescanned: its old result is
    /// no longer kept, only its parts (see [`State::reuse`]).
    pub fn carry(&self, asset: &dyn SourceAsset, sampling: &Sampling) -> Option<Asset> {
        let fp = fingerprint(asset);
        let mut cur = self.lock();
        cur.seen.insert(asset.id().to_string());
        let entry = cur.stored.assets.get_mut(asset.id())?;
        // A result read with other sampling (its `[[source]]` keys changed
        // since) is not this run's answer for the asset: read it again.
        let same = entry.objects == fp
            && entry
                .asset
                .as_ref()
                .is_some_and(|a| a.sampling.as_ref() == Some(sampling));
        if !same {
            entry.asset = None;
            return None;
        }
        let asset = entry.asset.clone();
        cur.carried += 1;
        asset
    }

    /// The kept part of `obj` in asset `id`, when the object and the read
    /// settings are the same as when it was kept, and the rows it kept are
    /// the ones `quota` keeps.
    pub fn reuse(
        &self,
        id: &str,
        obj: &ObjectMeta,
        read: &str,
        quota: Option<usize>,
    ) -> Option<ObjectPart> {
        let mut cur = self.lock();
        let stored = cur.stored.assets.get(id)?.parts.get(&obj.key)?;
        let same_rows =
            stored.quota == quota || quota.is_some_and(|q| stored.part.same_rows_with_quota(q));
        if stored.read != read || stored.object != Fingerprint::of(obj) || !same_rows {
            return None;
        }
        let part = stored.part.clone();
        cur.objects_carried += 1;
        cur.used
            .entry(id.to_string())
            .or_default()
            .insert(obj.key.clone());
        Some(part)
    }

    /// Keeps the part of an object just read (unless it had errors), and
    /// writes the state when the last write is old enough.
    pub fn keep(
        &self,
        id: &str,
        obj: &ObjectMeta,
        read: &str,
        quota: Option<usize>,
        part: &ObjectPart,
    ) {
        let mut cur = self.lock();
        cur.objects_read += 1;
        if part.is_clean() {
            cur.used
                .entry(id.to_string())
                .or_default()
                .insert(obj.key.clone());
            cur.stored
                .assets
                .entry(id.to_string())
                .or_default()
                .parts
                .insert(
                    obj.key.clone(),
                    StoredPart {
                        object: Fingerprint::of(obj),
                        read: read.to_string(),
                        quota,
                        part: part.clone(),
                    },
                );
            cur.dirty = true;
        }
        self.flush_if_due(&mut cur);
    }

    /// Records a scanned asset: its object fingerprints, the parts it used,
    /// and the asset itself unless it had errors.
    pub fn record(&self, source: &dyn SourceAsset, asset: &Asset) {
        let mut cur = self.lock();
        cur.rescanned += 1;
        let used = cur.used.remove(source.id()).unwrap_or_default();
        let entry = cur
            .stored
            .assets
            .entry(source.id().to_string())
            .or_default();
        entry.parts.retain(|key, _| used.contains(key));
        entry.objects = fingerprint(source);
        entry.asset = asset.errors.is_empty().then(|| asset.clone());
        if entry.asset.is_none() && entry.parts.is_empty() {
            cur.stored.assets.remove(source.id());
        }
        cur.dirty = true;
        self.flush_if_due(&mut cur);
    }

    /// Drops the assets this run did not list, writes the state, and says
    /// what this run carried forward.
    pub fn finish(&self) -> Incremental {
        let mut cur = self.lock();
        let cur = &mut *cur;
        let seen = &cur.seen;
        cur.stored.assets.retain(|id, _| seen.contains(id));
        let dropped = cur
            .previous_ids
            .iter()
            .filter(|id| !seen.contains(*id))
            .count() as u64;
        // Written even when nothing changed, so a run over an emptied
        // bucket records the empty state.
        cur.dirty = true;
        self.flush(cur);
        tracing::info!(
            carried_forward = cur.carried,
            rescanned = cur.rescanned,
            dropped,
            objects_carried_forward = cur.objects_carried,
            objects_read = cur.objects_read,
            "incremental run"
        );
        Incremental {
            carried_forward: cur.carried,
            rescanned: cur.rescanned,
            dropped,
            objects_carried_forward: Some(cur.objects_carried),
            objects_read: Some(cur.objects_read),
            state_ignored: self.ignored.clone(),
        }
    }

    fn flush_if_due(&self, cur: &mut Current) {
        if cur.last_flush.elapsed() >= cur.flush_every {
            self.flush(cur);
        }
    }

    fn flush(&self, cur: &mut Current) {
        if !cur.dirty {
            return;
        }
        let started = Instant::now();
        let result = write_atomically(&self.path, &cur.stored);
        cur.last_flush = Instant::now();
        cur.flush_every = FLUSH_EVERY.max(started.elapsed() * FLUSH_COST_FACTOR);
        match result {
            Ok(()) => cur.dirty = false,
            Err(e) => {
                if !cur.write_error_logged {
                    cur.write_error_logged = true;
                    tracing::error!(state = %self.path.display(), "cannot write the state file: {e}");
                }
            }
        }
    }
}

/// Serializes `stored` next to `path` and renames it over `path`: readers
/// (and a crash) see the old state or the new one, never half of one.
fn write_atomically(path: &Path, stored: &Stored) -> Result<(), String> {
    crate::atomic::write_atomically(path, |w| {
        serde_json::to_writer(w, stored).map_err(std::io::Error::other)
    })
    .map_err(|e| e.to_string())
}

/// What the results depend on, besides the objects: a state written with
/// other settings is not reused.
pub fn settings_key(
    mode: &str,
    args: &SamplingSettings,
    pack_digest: &str,
    thresholds: &crate::inventory::Thresholds,
    shard: Option<&super::shard::Shard>,
) -> String {
    // A state kept by one shard holds only that shard's assets.
    let shard = shard.map_or_else(String::new, |s| format!(";shard={}/{}", s.index, s.count));
    format!(
        "mode={mode};sample_rows={};seed={};sample_bytes={};max_objects={};max_decompressed_bytes={};pack={pack_digest};thresholds={}{shard}",
        args.sample_rows,
        args.seed,
        args.sample_bytes,
        args.max_objects,
        args.max_decompressed_bytes,
        serde_json::to_string(thresholds).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testing;

    /// A state written by the previous release (format 1: whole assets, no
    /// parts) is still used: upgrading does not cost a full rescan.
    #[test]
    fn a_format_1_state_still_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.json");
        let asset = testing::asset("file:///d/t/", vec![]);
        let v1 = serde_json::json!({
            "format": 1,
            "settings": "mode=sample",
            "assets": {
                "file:///d/t/": {
                    "objects": [{ "key": "t/a.csv", "size": 3 }],
                    "asset": asset,
                }
            }
        });
        std::fs::write(&path, v1.to_string()).expect("write");
        let state = State::open(&path, "mode=sample".into());
        assert_eq!(state.ignored, None);
        let cur = state.lock();
        let entry = &cur.stored.assets["file:///d/t/"];
        assert_eq!(entry.asset.as_ref().map(|a| &a.id), Some(&asset.id));
        assert!(entry.parts.is_empty());
        drop(cur);
        // Another settings string: not used.
        let other = State::open(&path, "mode=full".into());
        assert!(other.ignored.is_some());
        assert!(other.lock().stored.assets.is_empty());
    }
}
