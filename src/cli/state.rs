//! Incremental runs (`--state FILE`).
//!
//! The state keeps, per asset id, the fingerprint of every object of the
//! asset (key, size, ETag, last-modified) and the finished [`Asset`] of the
//! run that scanned it. The next run lists as usual; an asset whose objects
//! all have the same fingerprints (none added, changed or deleted) is
//! carried forward from the state without reading a byte; the others are
//! scanned; assets that are gone are dropped. Assets that had errors are not
//! recorded, so they are retried next time.
//!
//! The file is rewritten atomically (temporary file + rename) at most every
//! [`FLUSH_EVERY`] while assets finish, and at the end: a run killed midway
//! keeps what it finished, and the next run redoes only the rest. A state
//! written with other scan settings (mode, sample sizes, seed, detectors,
//! thresholds) is not used: every asset is scanned again.

use crate::inventory::{Asset, Incremental, Sampling};
use crate::source::discover::AssetPlan;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The state file's own format version.
const FORMAT: u32 = 1;
/// Longest time between two writes of the state while assets finish.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    key: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    objects: Vec<Fingerprint>,
    asset: Asset,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The scan settings the results depend on.
    settings: String,
    assets: BTreeMap<String, Entry>,
}

struct Current {
    stored: Stored,
    seen: BTreeSet<String>,
    dirty: bool,
    last_flush: Instant,
    carried: u64,
    rescanned: u64,
    write_error_logged: bool,
}

pub struct State {
    path: PathBuf,
    previous: BTreeMap<String, Entry>,
    ignored: Option<String>,
    current: Mutex<Current>,
}

fn fingerprint(plan: &AssetPlan) -> Vec<Fingerprint> {
    let mut fp: Vec<Fingerprint> = plan
        .objects
        .iter()
        .map(|o| Fingerprint {
            key: o.key.clone(),
            size: o.size,
            etag: o.etag.clone(),
            modified: o
                .modified
                .map(|m| m.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)),
        })
        .collect();
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
                Ok(s) if s.format != FORMAT => (
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
            previous,
            ignored,
            current: Mutex::new(Current {
                stored: Stored {
                    format: FORMAT,
                    settings,
                    assets: BTreeMap::new(),
                },
                seen: BTreeSet::new(),
                dirty: false,
                last_flush: Instant::now(),
                carried: 0,
                rescanned: 0,
                write_error_logged: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The previous result of `plan`, when none of its objects changed.
    pub fn carry(&self, plan: &AssetPlan, sampling: &Sampling) -> Option<Asset> {
        let prev = self.previous.get(&plan.id);
        let mut cur = self.lock();
        cur.seen.insert(plan.id.clone());
        let prev = prev?;
        let fp = fingerprint(plan);
        // A result read with other sampling (its `[[source]]` keys changed
        // since) is not this run's answer for the asset: read it again.
        if prev.objects != fp || prev.asset.sampling.as_ref() != Some(sampling) {
            return None;
        }
        cur.carried += 1;
        cur.stored.assets.insert(plan.id.clone(), prev.clone());
        cur.dirty = true;
        Some(prev.asset.clone())
    }

    /// Records a scanned asset (unless it had errors), writing the state when
    /// the last write is older than [`FLUSH_EVERY`].
    pub fn record(&self, plan: &AssetPlan, asset: &Asset) {
        let mut cur = self.lock();
        cur.rescanned += 1;
        if asset.errors.is_empty() {
            cur.stored.assets.insert(
                plan.id.clone(),
                Entry {
                    objects: fingerprint(plan),
                    asset: asset.clone(),
                },
            );
            cur.dirty = true;
        }
        if cur.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush_locked(&mut cur);
        }
    }

    /// Writes the state if anything changed since the last write, and says
    /// what this run carried forward.
    pub fn finish(&self) -> Incremental {
        let mut cur = self.lock();
        // Written even when nothing changed, so a run over an emptied
        // bucket records the empty state.
        cur.dirty = true;
        self.flush_locked(&mut cur);
        let dropped = self
            .previous
            .keys()
            .filter(|id| !cur.seen.contains(*id))
            .count() as u64;
        tracing::info!(
            carried_forward = cur.carried,
            rescanned = cur.rescanned,
            dropped,
            "incremental run"
        );
        Incremental {
            carried_forward: cur.carried,
            rescanned: cur.rescanned,
            dropped,
            state_ignored: self.ignored.clone(),
        }
    }

    fn flush_locked(&self, cur: &mut Current) {
        if !cur.dirty {
            return;
        }
        match write_atomically(&self.path, &cur.stored) {
            Ok(()) => {
                cur.dirty = false;
                cur.last_flush = Instant::now();
            }
            Err(e) => {
                cur.last_flush = Instant::now();
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
    crate::output::write_atomically(path, |w| {
        serde_json::to_writer(w, stored).map_err(std::io::Error::other)
    })
    .map_err(|e| e.to_string())
}

/// What the results depend on, besides the objects: a state written with
/// other settings is not reused.
pub fn settings_key(
    mode: &str,
    args: &super::ScanArgs,
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
