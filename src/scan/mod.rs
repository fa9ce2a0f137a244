//! The scan pipeline as a library: [`run`] takes resolved [`Settings`],
//! opens every target as a [`Source`], discovers assets, reads and
//! classifies them in parallel, and returns one [`Inventory`].
//!
//! Threads: a rayon pool (`Settings::threads`) does the CPU work, one asset
//! per task and units within an asset; a source that bounds its sessions
//! (a database) gets a pool of its own that size. A small tokio runtime
//! drives async I/O, entered with `block_on` from the workers.

mod assets;
mod parts;
pub mod progress;
pub mod sampling;
pub mod settings;
pub mod shard;
mod state;
mod stores;
pub mod target;

pub use crate::source::ReadMode;
pub use crate::source::discover::KeyFilter;
pub use crate::source::format::DEFAULT_MAX_DECOMPRESSED_BYTES;
pub use progress::{NoProgress, Progress};
pub use settings::{DbSettings, S3Settings, SamplingSettings, Settings, TargetSettings};
pub use shard::Shard;
pub use target::Target;

use crate::classify::Classifier;
use crate::inventory::{
    Asset, AssetError, DetectorPackInfo, Inventory, SCHEMA_VERSION, ScanInfo, Skipped,
    SourceSampling, Summary,
};
use crate::lineage;
use crate::source::{Source, SourceAsset};
use assets::{Job, scan_asset, units_to_read};
use rayon::prelude::*;
use std::time::Instant;

/// Why a scan did not run: nothing was scanned or written.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The settings cannot be acted on (a target that does not exist, a bad
    /// URL, bad globs, nothing to scan). Messages never hold a password.
    #[error("{0}")]
    Settings(String),
    /// The machine refused a resource (threads, the I/O runtime).
    #[error("{0}")]
    Resources(String),
}

/// One discovered asset and the settings it is scanned with.
struct Planned {
    asset: Box<dyn SourceAsset>,
    /// Index into the targets (its sampling profile).
    target: usize,
    /// Index into the opened sources (its concurrency group).
    source: usize,
}

/// Scans every target of `settings` and returns the inventory (policies
/// evaluated, lineage hints resolved, assets in id order).
pub fn run(settings: &Settings, progress: &dyn Progress) -> Result<Inventory, ScanError> {
    if settings.targets.is_empty() {
        return Err(ScanError::Settings(
            "nothing to scan: give a TARGET, or `targets = [...]` / `[[source]]` / `[[postgres]]` in the config file".into(),
        ));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.max(1))
        .build()
        .map_err(|e| ScanError::Resources(format!("cannot start worker threads: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ScanError::Resources(format!("cannot start the I/O runtime: {e}")))?;
    let settings_error = |e: String| ScanError::Settings(crate::redact::credentials(&e));

    // Every target opened before anything is read: a typo is a usage
    // error, not an asset error halfway through a night's scan.
    let mut buckets = stores::Buckets::default();
    let mut sources: Vec<(Box<dyn Source>, usize)> = Vec::new();
    let mut assets: Vec<Asset> = Vec::new();
    for (i, t) in settings.targets.iter().enumerate() {
        match target::open(t, settings, &runtime, &mut buckets).map_err(settings_error)? {
            target::Opened::Source(s) => sources.push((s, i)),
            target::Opened::Unreadable(a) => {
                tracing::warn!(object = %a.id, code = "not_a_file", "not a regular file or folder");
                assets.push(*a);
            }
        }
    }
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let pack = &settings.pack;
    let classifier = Classifier::new(pack, settings.thresholds.clone());
    let state = settings.state.as_deref().map(|path| {
        // Fingerprints carried forward must share this run's key.
        let mode = match &settings.lineage {
            Some(k) => format!("{}+lineage:{}", settings.sampling.mode_name(), k.id()),
            None => settings.sampling.mode_name().to_string(),
        };
        let key = state::settings_key(
            &mode,
            &settings.sampling,
            &pack.digest,
            &settings.thresholds,
            settings.shard.as_ref(),
        );
        state::State::open(path, key)
    });
    progress.started(buckets.counters().map(|store| {
        let probe: progress::IoProbe = std::sync::Arc::new(move || {
            let io = store.io_stats();
            progress::IoCounts {
                objects_listed: io.objects_listed,
                bytes_fetched: io.bytes_fetched,
            }
        });
        probe
    }));

    // Discovery; sources found inside others (a SQLite file in a folder)
    // are discovered in turn, with their parent's settings.
    let mut planned: Vec<Planned> = Vec::new();
    let mut skipped = Vec::new();
    let mut next = 0;
    while next < sources.len() {
        let (source, target) = (&sources[next].0, sources[next].1);
        let mode = settings.targets[target].sampling.mode;
        let found = source.discover(runtime.handle(), mode);
        for asset in found.assets {
            planned.push(Planned {
                asset,
                target,
                source: next,
            });
        }
        skipped.extend(
            found
                .skipped
                .into_iter()
                .map(|(object, reason)| Skipped { object, reason }),
        );
        for f in found.failures {
            let message =
                crate::classify::mask::redact(pack, &crate::redact::credentials(&f.message));
            tracing::warn!(object = %f.id, code = f.code, "cannot list: {message}");
            assets.push(error_asset(&f.id, f.kind, f.format, f.code, &message));
        }
        sources.extend(found.sources.into_iter().map(|s| (s, target)));
        next += 1;
    }
    // Shards split the work after discovery and grouping, by asset id, so
    // an asset's shard never depends on how its objects were listed.
    let owns = |id: &str| settings.shard.as_ref().is_none_or(|s| s.owns(id));
    planned.retain(|p| owns(p.asset.id()));
    skipped.retain(|s| owns(&s.object));
    tracing::info!(
        assets = planned.len(),
        skipped = skipped.len(),
        "discovered"
    );
    let planned_units = |p: &Planned| {
        let facts = p.asset.facts();
        if facts.values != crate::source::api::Values::Read {
            return 0;
        }
        units_to_read(
            &settings.targets[p.target].sampling,
            facts.sample_units,
            p.asset.units().len(),
        ) as u64
    };
    progress.listed(
        planned.len() as u64,
        planned.iter().map(planned_units).sum(),
    );
    let jobs: Vec<Job> = settings
        .targets
        .iter()
        .map(|t| Job {
            classifier: &classifier,
            lineage: settings.lineage.as_ref(),
            io: runtime.handle(),
            sampling: &t.sampling,
            progress,
            state: state.as_ref(),
        })
        .collect();
    let scan_one = |p: &Planned| {
        let job = &jobs[p.target];
        let sampling = job.sampling.record();
        let incremental = p.asset.facts().incremental;
        if let Some(carried) = state
            .as_ref()
            .filter(|_| incremental)
            .and_then(|s| s.carry(p.asset.as_ref(), &sampling))
        {
            progress.asset_carried(planned_units(p));
            return carried;
        }
        // A bug must cost one asset, not the scan: a panic becomes an
        // error entry on the asset and the other assets go on.
        let mut asset = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scan_asset(job, p.asset.as_ref())
        }))
        .unwrap_or_else(|_| {
            let facts = p.asset.facts();
            let mut a = error_asset(
                p.asset.id(),
                "file",
                "unknown",
                "internal_error",
                "ferret failed on this asset (a bug: please report it with the ferret version)",
            );
            a.kind = facts.kind;
            a.format = facts.format;
            a
        });
        asset.sampling = Some(sampling);
        progress.asset_done();
        if let (Some(s), true) = (&state, incremental) {
            s.record(p.asset.as_ref(), &asset);
        }
        asset
    };
    // Sources that bound their sessions are read on pools of that size,
    // one source after another; the rest share the main pool at once.
    let shared: Vec<&Planned> = planned
        .iter()
        .filter(|p| sources[p.source].0.concurrency().is_none())
        .collect();
    let scanned: Vec<Asset> = pool.install(|| shared.par_iter().map(|p| scan_one(p)).collect());
    assets.extend(scanned);
    for (i, (source, _)) in sources.iter().enumerate() {
        let Some(n) = source.concurrency() else {
            continue;
        };
        let own: Vec<&Planned> = planned.iter().filter(|p| p.source == i).collect();
        if own.is_empty() {
            continue;
        }
        let bounded = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| ScanError::Resources(format!("cannot start database workers: {e}")))?;
        let scanned: Vec<Asset> = bounded.install(|| own.par_iter().map(|p| scan_one(p)).collect());
        assets.extend(scanned);
    }
    progress.finished();

    // Error assets (a listing or a connection that failed) belong to the
    // shard their id hashes to, like the rest, so a merge holds each once.
    assets.retain(|a| owns(&a.id));
    // One order whatever the threads did, and the same order a merge of
    // shards produces.
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.sort_by(|a, b| a.object.cmp(&b.object));

    let finished = chrono::Utc::now();
    let run_sampling = settings.sampling.record();
    let mut inv = Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        scan: ScanInfo {
            tool: "ferret".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            finished_at: finished.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: clock.elapsed().as_millis() as u64,
            targets: settings
                .targets
                .iter()
                .map(|t| t.target.display())
                .collect(),
            sampling: run_sampling.clone(),
            source_sampling: settings
                .targets
                .iter()
                .filter(|t| t.sampling.record() != run_sampling)
                .map(|t| SourceSampling {
                    target: t.target.display(),
                    sampling: t.sampling.record(),
                })
                .collect(),
            detector_pack: DetectorPackInfo {
                digest: pack.digest.clone(),
                detectors: pack.detectors.len() as u64,
                validated_detectors: pack
                    .detectors
                    .iter()
                    .filter(|d| d.validator.is_some())
                    .count() as u64,
                extra_dirs: settings.detector_dirs.clone(),
            },
            thresholds: settings.thresholds.clone(),
            io: buckets.io(),
            incremental: state.as_ref().map(|s| s.finish()),
            shard: settings.shard.map(|s| s.info()),
        },
        summary: Summary::default(),
        assets,
        skipped,
        lineage_hints: Vec::new(),
        policy_violations: Vec::new(),
    };
    inv.summarise();
    if let Err(e) = lineage::resolve(&mut inv) {
        // Only possible with carried-forward fingerprints of another key:
        // the scan stands, without measured hints.
        tracing::warn!("lineage hints not measured: {e}");
        inv.lineage_hints = lineage::declared::hints(&inv);
    }
    // Policies judge every finding of this run, carried forward or not.
    settings.policy.evaluate(&mut inv);
    if !inv.policy_violations.is_empty() {
        tracing::warn!(
            violations = inv.policy_violations.len(),
            "findings break policy rules (see policy_violations)"
        );
    }
    tracing::info!(
        assets = inv.summary.assets,
        classified_columns = inv.summary.classified_columns,
        with_errors = inv.summary.assets_with_errors,
        ms = inv.scan.duration_ms,
        "scan finished"
    );
    if let Some(io) = &inv.scan.io {
        tracing::info!(
            list_requests = io.list_requests,
            get_requests = io.get_requests,
            head_requests = io.head_requests,
            failed_attempts = io.failed_attempts,
            bytes_fetched = io.bytes_fetched,
            "object store traffic"
        );
    }
    Ok(inv)
}

/// An asset standing for something that could not be read at all.
fn error_asset(id: &str, kind: &str, format: &str, code: &str, message: &str) -> Asset {
    let message = crate::redact::credentials(message);
    Asset {
        id: id.to_string(),
        kind: kind.to_string(),
        format: format.to_string(),
        objects_total: 0,
        objects_sampled: 0,
        objects_carried_forward: None,
        bytes_total: 0,
        bytes_read: 0,
        partition_keys: Vec::new(),
        schema_variants: 0,
        sampling: None,
        rows_sampled: 0,
        row_estimate: None,
        row_estimate_method: None,
        columns: Vec::new(),
        errors: vec![AssetError {
            object: Some(id.to_string()),
            code: code.to_string(),
            message,
        }],
        table: None,
        lake: None,
    }
}

#[cfg(test)]
mod tests;
