//! `ferret scan`: discovery, sampling, detection and classification of every
//! asset, in parallel, into one inventory.
//!
//! Threads: a rayon pool (`--threads`) does the CPU work, one asset per task
//! and chunks of rows within an asset; a small tokio runtime drives the
//! store's async I/O, entered with `block_on` from the workers.

use super::progress::Progress;
use super::sample::choose_objects;
use super::scan_db::{self, DbJob};
use super::scan_object::{ObjectPart, Tally, read_part};
use super::state::State;
use super::target::Target;
use super::{LogFormat, ScanArgs, config, exit};
use crate::classify::Classifier;
use crate::detect::Pack;
use crate::inventory::{
    Asset, AssetError, DetectorPackInfo, Inventory, SCHEMA_VERSION, Sampling, ScanInfo, Skipped,
    SourceSampling, Summary,
};
use crate::lineage::{self, LineageKey};
use crate::output;
use crate::source::db::postgres::{PgSettings, PgSource};
use crate::source::discover::{AssetPlan, KeyFilter, discover};
use crate::source::format::{Flow, Format, ReadOptions, read_object};
use crate::source::store::{DynStore, LocalStore, ObjectMeta};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Objects of one asset read (or taken from the state) before their parts
/// are folded: bounds the parts held in memory at once.
const OBJECTS_IN_FLIGHT: usize = 256;

/// How values are sampled, derived from the arguments.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mode {
    Sample,
    Full,
    MetadataOnly,
}

pub(super) struct Job<'a> {
    pub classifier: &'a Classifier<'a>,
    pub lineage: Option<&'a LineageKey>,
    pub rt: &'a tokio::runtime::Handle,
    pub mode: Mode,
    pub args: &'a ScanArgs,
    pub progress: &'a Progress,
    /// With `--state`: where kept object parts come from and go.
    pub state: Option<&'a State>,
}

pub fn run(args: ScanArgs) -> i32 {
    init_logging(args.quiet, args.log_format);
    quiet_panics();
    // The phone metadata is built on a spare core while the pack compiles
    // and the sources connect (a detached thread: nothing waits for it).
    std::thread::spawn(crate::detect::validate::phone::prewarm);
    let config = match config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let pack = match Pack::load(&args.detectors) {
        Ok(p) => p,
        Err(e) => return usage_error(&e.to_string()),
    };
    if let Some(path) = &args.config
        && let Err(e) = config.check_names(path, &pack)
    {
        return usage_error(&e);
    }
    let pack = match pack.retain(|s| config.detectors.keeps(&s.id, &s.label)) {
        Ok(p) => p,
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.sample_rows == 0 && !args.full && !args.metadata_only {
        return usage_error("--sample-rows must be at least 1 (or use --metadata-only)");
    }
    // `--threads` is in its range (clap checked); the default, all cores,
    // is held to the same ceiling.
    let threads = args.threads.unwrap_or_else(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.min(super::limits::THREADS.max as usize)
    });
    let builder = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1));
    let pool = match builder.build() {
        Ok(p) => p,
        Err(e) => return usage_error(&format!("cannot start worker threads: {e}")),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return usage_error(&format!("cannot start the I/O runtime: {e}")),
    };
    let filter = match KeyFilter::new(&args.include, &args.exclude) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    // Each target with its filter (the command line's globs, plus its own
    // from a `[[source]]`) and, for PostgreSQL, the password variable.
    let mut parsed: Vec<Target> = Vec::new();
    // Sampling profiles: 0 is the run's (flags and defaults), then one per
    // `[[source]]` with sampling keys of its own.
    let mut profiles: Vec<ScanArgs> = vec![args.clone()];
    let mut per_target: Vec<(KeyFilter, Option<String>, usize)> = Vec::new();
    for arg in args.paths.iter().chain(config.targets.iter().map(|t| &t.0)) {
        match Target::parse(arg) {
            Ok(t) => {
                parsed.push(t);
                per_target.push((filter.clone(), None, 0));
            }
            Err(e) => return usage_error(&e),
        }
    }
    for (i, src) in config.source.iter().enumerate() {
        let place = |e: String| format!("config [[source]] #{}: {e}", i + 1);
        let target = match Target::parse(&src.target.0) {
            Ok(t) => t,
            Err(e) => return usage_error(&place(e)),
        };
        let include: Vec<String> = args
            .include
            .iter()
            .cloned()
            .chain(src.include.iter().map(|g| g.text.clone()))
            .collect();
        let exclude: Vec<String> = args
            .exclude
            .iter()
            .cloned()
            .chain(src.exclude.iter().map(|g| g.text.clone()))
            .collect();
        let own = match KeyFilter::new(&include, &exclude) {
            Ok(f) => f,
            Err(e) => return usage_error(&place(e)),
        };
        // `config::load` checked that only postgres:// targets name one.
        let password = match &src.password_env {
            Some(var) => match std::env::var(&var.0) {
                Ok(pw) => Some(pw),
                Err(_) => {
                    return usage_error(&place(format!(
                        "environment variable {} (password_env) is not set or not UTF-8",
                        var.0
                    )));
                }
            },
            None => None,
        };
        let profile = match src.sampled_args(&args) {
            Ok(own_args) if sampling_of(&own_args) == sampling_of(&args) => 0,
            Ok(own_args) => {
                profiles.push(own_args);
                profiles.len() - 1
            }
            Err(e) => return usage_error(&place(e)),
        };
        parsed.push(target);
        per_target.push((own, password, profile));
    }
    let shard = match args
        .shard
        .as_deref()
        .map(|spec| super::shard::Shard::parse(spec, |var| std::env::var(var).ok()))
    {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return usage_error(&e),
    };
    let owns = |id: &str| shard.is_none_or(|s| s.owns(id));
    let column_filter = match KeyFilter::new(&args.include_column, &args.exclude_column) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let pg_settings = PgSettings {
        statement_timeout: Duration::from_secs(args.db_statement_timeout.max(1)),
        lock_timeout: Duration::from_secs(args.db_lock_timeout.max(1)),
        ca_file: args.db_ca_file.clone(),
        ..PgSettings::default()
    };
    let mut targets: Vec<(DynStore, String, KeyFilter, usize)> = Vec::new();
    let mut pg_sources: Vec<(PgSource, KeyFilter, usize)> = Vec::new();
    let mut sqlite_files: Vec<(PathBuf, KeyFilter, usize)> = Vec::new();
    let mut buckets = super::s3::Buckets::default();
    // Explicit targets that are neither a regular file nor a folder (a
    // device, a FIFO, a socket): an error on that asset, not a usage error
    // and not a silent empty scan.
    let mut unreadable: Vec<Asset> = Vec::new();
    for (target, (own, password, profile)) in parsed.iter().zip(&per_target) {
        let with = |(store, prefix)| (store, prefix, own.clone(), *profile);
        let opened = match target {
            Target::Local(path) => match local_target(path) {
                Ok(LocalTarget::Store(store, prefix)) => {
                    targets.push(with((store, prefix)));
                    Ok(())
                }
                Ok(LocalTarget::Special(asset)) => {
                    unreadable.push(*asset);
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Target::S3 { bucket, prefix } => buckets
                .open(&runtime, &args, &config.s3, bucket, prefix)
                .map(|t| targets.push(with(t))),
            Target::Postgres(url) => PgSource::from_url(url, &pg_settings)
                .map(|s| match password {
                    Some(pw) => s.with_password(pw),
                    None => s,
                })
                .map(|s| pg_sources.push((s, own.clone(), *profile)))
                .map_err(|e| format!("{}: {e}", target.display())),
            Target::Sqlite(path) => {
                sqlite_files.push((path.clone(), own.clone(), *profile));
                Ok(())
            }
        };
        if let Err(e) = opened {
            return usage_error(&e);
        }
    }
    for (i, src) in config.postgres.iter().enumerate() {
        let mut settings = pg_settings.clone();
        if let Some(t) = src.statement_timeout_secs {
            settings.statement_timeout = Duration::from_secs(t.max(1));
        }
        if let Some(t) = src.lock_timeout_secs {
            settings.lock_timeout = Duration::from_secs(t.max(1));
        }
        let mut source = match PgSource::from_url(&src.url.0, &settings) {
            Ok(s) => s,
            Err(e) => return usage_error(&format!("config [[postgres]] #{}: {e}", i + 1)),
        };
        if let Some(var) = &src.password_env {
            let var = &var.0;
            match std::env::var(var) {
                Ok(pw) => source = source.with_password(&pw),
                Err(_) => {
                    return usage_error(&format!(
                        "config [[postgres]] #{}: environment variable {var} (password_env) is not set",
                        i + 1
                    ));
                }
            }
        }
        parsed.push(Target::Postgres(src.url.0.clone()));
        per_target.push((filter.clone(), None, 0));
        pg_sources.push((source, filter.clone(), 0));
    }
    if parsed.is_empty() {
        return usage_error(
            "nothing to scan: give a TARGET, or `targets = [...]` / `[[source]]` / `[[postgres]]` in the config file",
        );
    }
    let outputs = match Outputs::resolve(&args, &config.output) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };

    let lineage_key = match lineage_key(&args) {
        Ok(k) => k,
        Err(e) => return usage_error(&e),
    };
    let mode = mode_of(&args);
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let classifier = Classifier::new(&pack, config.thresholds.clone());
    let state = args.state.as_deref().map(|path| {
        // Fingerprints carried forward must share this run's key.
        let mode = match &lineage_key {
            Some(k) => format!("{}+lineage:{}", mode_name(mode), k.id()),
            None => mode_name(mode).to_string(),
        };
        let settings = super::state::settings_key(
            &mode,
            &args,
            &pack.digest,
            &config.thresholds,
            shard.as_ref(),
        );
        super::state::State::open(path, settings)
    });

    let mut plans: Vec<(AssetPlan, usize)> = Vec::new();
    let mut skipped = Vec::new();
    let mut assets: Vec<Asset> = unreadable;
    for a in &assets {
        tracing::warn!(object = %a.id, code = "not_a_file", "not a regular file or folder");
    }
    let progress = Progress::start(args.quiet, buckets.counters());
    for (store, prefix, filter, profile) in &targets {
        let found = runtime.block_on(discover(store, prefix, filter));
        plans.extend(found.assets.into_iter().map(|p| (p, *profile)));
        for (object, reason) in found.skipped {
            // SQLite files in a local folder are databases to open, not blobs.
            match object.strip_prefix("file://") {
                Some(path) if reason.contains("sqlite database") => {
                    sqlite_files.push((PathBuf::from(path), filter.clone(), *profile));
                }
                _ => skipped.push(Skipped { object, reason }),
            }
        }
        for e in found.errors {
            let why = crate::redact::credentials(&e.error.to_string());
            tracing::warn!(object = %e.url, code = e.error.code(), "cannot list: {why}");
            assets.push(error_asset(&e.url, e.error.code(), &why));
        }
    }
    // Shards split the work after discovery and grouping, by asset id, so
    // an asset's shard never depends on how its objects were listed.
    plans.retain(|(p, _)| owns(&p.id));
    skipped.retain(|s| owns(&s.object));
    tracing::info!(assets = plans.len(), skipped = skipped.len(), "discovered");
    let planned_of = |plan: &AssetPlan, profile: usize| {
        let p = &profiles[profile];
        objects_to_read(mode_of(p), p.max_objects, plan.objects.len()) as u64
    };
    progress.listed(
        plans.len() as u64,
        plans
            .iter()
            .map(|(p, profile)| planned_of(p, *profile))
            .sum(),
    );
    let jobs: Vec<Job> = profiles
        .iter()
        .map(|args| Job {
            classifier: &classifier,
            lineage: lineage_key.as_ref(),
            rt: runtime.handle(),
            mode: mode_of(args),
            args,
            progress: &progress,
            state: state.as_ref(),
        })
        .collect();
    let samplings: Vec<Sampling> = profiles.iter().map(sampling_of).collect();
    let scanned: Vec<Asset> = pool.install(|| {
        plans
            .par_iter()
            .map(|(plan, profile)| {
                let job = &jobs[*profile];
                let sampling = &samplings[*profile];
                if let Some(carried) = state.as_ref().and_then(|s| s.carry(plan, sampling)) {
                    progress.asset_carried(planned_of(plan, *profile));
                    return carried;
                }
                // A bug must cost one asset, not the scan: a panic becomes an
                // error entry on the asset and the other assets go on.
                let mut asset = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan_asset(job, plan)))
                    .unwrap_or_else(|_| {
                        error_asset(
                            &plan.id,
                            "internal_error",
                            "ferret failed on this asset (a bug: please report it with the ferret version)",
                        )
                    });
                asset.sampling = Some(sampling.clone());
                progress.asset_done();
                if let Some(s) = &state {
                    s.record(plan, &asset);
                }
                asset
            })
            .collect()
    });
    progress.finish();
    assets.extend(scanned);

    let db_job = |tables, profile: usize| DbJob {
        classifier: &classifier,
        lineage: lineage_key.as_ref(),
        rt: runtime.handle(),
        mode: mode_of(&profiles[profile]),
        args: &profiles[profile],
        tables,
        columns: &column_filter,
        shard: shard.as_ref(),
    };
    let stamp = |mut a: Asset, profile: usize| {
        a.sampling = Some(samplings[profile].clone());
        a
    };
    for (path, tables, profile) in &sqlite_files {
        let found = pool.install(|| scan_db::scan_sqlite(&db_job(tables, *profile), path));
        assets.extend(found.into_iter().map(|a| stamp(a, *profile)));
    }
    for (source, tables, profile) in &pg_sources {
        let found = scan_db::scan_postgres(&db_job(tables, *profile), source);
        assets.extend(found.into_iter().map(|a| stamp(a, *profile)));
    }

    // Error assets (a listing or a connection that failed) belong to the
    // shard their id hashes to, like the rest, so a merge holds each once.
    assets.retain(|a| owns(&a.id));
    // One order whatever the threads did, and the same order a merge of
    // shards produces.
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.sort_by(|a, b| a.object.cmp(&b.object));

    let finished = chrono::Utc::now();
    let mut inv = Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        scan: ScanInfo {
            tool: "ferret".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            finished_at: finished.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: clock.elapsed().as_millis() as u64,
            targets: parsed.iter().map(Target::display).collect(),
            sampling: samplings[0].clone(),
            source_sampling: parsed
                .iter()
                .zip(&per_target)
                .filter(|(_, (_, _, profile))| *profile != 0)
                .map(|(t, (_, _, profile))| SourceSampling {
                    target: t.display(),
                    sampling: samplings[*profile].clone(),
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
                extra_dirs: args
                    .detectors
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
            },
            thresholds: config.thresholds.clone(),
            io: buckets.io(),
            incremental: state.as_ref().map(|s| s.finish()),
            shard: shard.map(|s| s.info()),
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
    config.policy.evaluate(&mut inv);
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

    if let Err(e) = outputs.write(&inv) {
        eprintln!("ferret: {e}");
        return exit::USAGE;
    }
    super::exit_code(&inv, args.fail_on)
}

/// Where this run's results go: the command line, else `[output]`.
struct Outputs {
    inventory: Option<PathBuf>,
    format: output::OutputFormat,
    metrics: Option<PathBuf>,
    /// `Some(None)`: findings to stdout.
    findings: Option<Option<PathBuf>>,
}

impl Outputs {
    /// Resolves and checks the destinations before anything is scanned: a
    /// typo in a folder name must not cost a night's scan.
    fn resolve(args: &ScanArgs, cfg: &config::OutputConfig) -> Result<Outputs, String> {
        let inventory = args.output.clone().or_else(|| cfg.path.clone());
        let metrics = args
            .metrics_file
            .clone()
            .or_else(|| cfg.metrics_file.clone());
        let findings = args
            .findings_jsonl
            .clone()
            .or_else(|| cfg.findings_jsonl.clone())
            .map(|p| (p.as_os_str() != "-").then_some(p));
        if matches!(findings, Some(None)) && inventory.is_none() {
            return Err(
                "--findings-jsonl - writes findings to stdout: give the inventory a file (-o FILE)"
                    .into(),
            );
        }
        let files = [&inventory, &metrics]
            .into_iter()
            .flatten()
            .chain(findings.iter().flatten());
        for path in files {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                return Err(format!(
                    "cannot write {}: {} is not an existing folder",
                    path.display(),
                    dir.display()
                ));
            }
        }
        Ok(Outputs {
            inventory,
            format: args
                .format
                .or(cfg.format)
                .unwrap_or(output::OutputFormat::Json),
            metrics,
            findings,
        })
    }

    /// Writes every output, each atomically: the findings stream and the
    /// metrics first, the inventory last (a cron job that waits for the
    /// inventory finds the others already there).
    fn write(&self, inv: &Inventory) -> Result<(), String> {
        let named = |what: &str, path: &Path, e: std::io::Error| {
            format!("cannot write the {what} {}: {e}", path.display())
        };
        match &self.findings {
            Some(Some(path)) => output::write_atomically(path, |w| output::findings::write(inv, w))
                .map_err(|e| named("findings", path, e))?,
            Some(None) => output::findings::write(inv, &mut std::io::stdout().lock())
                .map_err(|e| format!("cannot write the findings to stdout: {e}"))?,
            None => {}
        }
        if let Some(path) = &self.metrics {
            let finished = chrono::DateTime::parse_from_rfc3339(&inv.scan.finished_at)
                .map(|t| t.timestamp_millis() as f64 / 1000.0)
                .unwrap_or(0.0);
            output::write_atomically(path, |w| output::metrics::write(inv, finished, w))
                .map_err(|e| named("metrics file", path, e))?;
        }
        match &self.inventory {
            Some(path) => {
                output::write_file(inv, self.format, path).map_err(|e| named("inventory", path, e))
            }
            None => output::write(inv, self.format, &mut std::io::stdout().lock())
                .map_err(|e| format!("cannot write the inventory: {e}")),
        }
    }
}

/// The lineage key of this scan: from `--lineage-key-env NAME`, else
/// `FERRET_LINEAGE_KEY`, else random. `None` without `--lineage`.
fn lineage_key(args: &ScanArgs) -> Result<Option<LineageKey>, String> {
    if !args.lineage {
        return Ok(None);
    }
    let var = args.lineage_key_env.as_deref().unwrap_or(lineage::KEY_ENV);
    if !crate::redact::is_env_name(var) {
        // Most likely the key itself, pasted where its variable's name goes.
        return Err(
            "--lineage-key-env takes the NAME of an environment variable (letters, digits and _), not the key itself; the value is not shown"
                .into(),
        );
    }
    let key = match std::env::var(var) {
        Ok(secret) => LineageKey::from_secret(secret.as_bytes())
            .map_err(|e| format!("lineage key from {var}: {e}"))?,
        Err(_) if args.lineage_key_env.is_some() => {
            return Err(format!(
                "environment variable {var} (--lineage-key-env) is not set"
            ));
        }
        Err(_) => LineageKey::random().map_err(|e| e.to_string())?,
    };
    tracing::info!(key_id = key.id(), "lineage fingerprints on");
    Ok(Some(key))
}

/// The sampling mode one set of arguments asks for.
fn mode_of(args: &ScanArgs) -> Mode {
    if args.metadata_only {
        Mode::MetadataOnly
    } else if args.full {
        Mode::Full
    } else {
        Mode::Sample
    }
}

/// The sampling one set of arguments gives, as the inventory records it.
fn sampling_of(args: &ScanArgs) -> Sampling {
    Sampling {
        mode: mode_name(mode_of(args)).into(),
        sample_rows: args.sample_rows as u64,
        seed: args.seed,
        window_bytes: args.sample_bytes,
        max_objects_per_asset: args.max_objects as u64,
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Sample => "sample",
        Mode::Full => "full",
        Mode::MetadataOnly => "metadata_only",
    }
}

/// Prints a usage error (through the redaction of credentials: messages
/// quote targets) and returns exit code 2.
fn usage_error(message: &str) -> i32 {
    eprintln!("ferret: {}", crate::redact::credentials(message));
    exit::USAGE
}

/// What a local target path is.
enum LocalTarget {
    /// A store and prefix to list.
    Store(DynStore, String),
    /// Neither a regular file nor a folder: its error asset.
    Special(Box<Asset>),
}

/// A store and prefix for a local path: a folder is its own root; a file is
/// a one-object listing under its parent folder. A device, FIFO or socket
/// named explicitly is an error asset (reading `/dev/zero` never ends, a
/// FIFO blocks); one met while walking a folder is skipped by the listing.
fn local_target(path: &Path) -> Result<LocalTarget, String> {
    let md = std::fs::metadata(path).map_err(|e| format!("cannot scan {}: {e}", path.display()))?;
    if md.is_dir() {
        return Ok(LocalTarget::Store(
            Arc::new(LocalStore::new(path)),
            String::new(),
        ));
    }
    if !md.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let t = md.file_type();
        let kind = if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_char_device() {
            "a character device"
        } else if t.is_block_device() {
            "a block device"
        } else {
            "not a regular file"
        };
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let id = format!("file://{}", abs.to_string_lossy());
        return Ok(LocalTarget::Special(Box::new(error_asset(
            &id,
            "not_a_file",
            &format!("{kind}: only regular files and folders are scanned"),
        ))));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("cannot scan {}: not a file name", path.display()))?;
    Ok(LocalTarget::Store(Arc::new(LocalStore::new(parent)), name))
}

fn error_asset(url: &str, code: &str, message: &str) -> Asset {
    let message = &crate::redact::credentials(message);
    let mut asset = scan_db::empty_asset(url, "file", "unknown");
    asset.errors.push(AssetError {
        object: Some(url.to_string()),
        code: code.to_string(),
        message: message.to_string(),
    });
    asset
}

fn scan_asset(job: &Job, plan: &AssetPlan) -> Asset {
    let args = job.args;
    let objects = match job.mode {
        Mode::Full => plan.objects.clone(),
        Mode::Sample | Mode::MetadataOnly => {
            choose_objects(&plan.objects, args.max_objects.max(1), args.seed)
        }
    };
    debug_assert_eq!(
        objects.len(),
        objects_to_read(job.mode, args.max_objects, plan.objects.len())
    );
    let quota = args.sample_rows.div_ceil(objects.len().max(1));
    let is_parquet = plan.format.format == Format::Parquet;
    let opts = ReadOptions {
        max_rows: match job.mode {
            Mode::Full => None,
            Mode::MetadataOnly => Some(1),
            // Parquet picks row groups at random and reads a few times the
            // quota; text formats read their whole window, then we pick rows.
            Mode::Sample if is_parquet => Some(quota.saturating_mul(4)),
            Mode::Sample => None,
        },
        window_bytes: match job.mode {
            Mode::Full => None,
            _ => Some(args.sample_bytes),
        },
        seed: args.seed,
        max_decompressed_bytes: args.max_decompressed_bytes,
        ..ReadOptions::default()
    };
    // What a kept part depends on beyond the run's settings (which the
    // state checks as a whole): this source's sampling and caps, and in
    // sample mode the rows kept per object.
    let kept_quota = matches!(job.mode, Mode::Sample).then_some(quota);
    let read_key = format!(
        "{}|max_decompressed_bytes={}",
        serde_json::to_string(&sampling_of(args)).unwrap_or_default(),
        args.max_decompressed_bytes
    );

    let part_of = |obj: &ObjectMeta| {
        if let Some(part) = job
            .state
            .and_then(|s| s.reuse(&plan.id, obj, &read_key, kept_quota))
        {
            return (part, true);
        }
        let part = read_part(job, plan, obj, quota, &opts);
        if let Some(s) = job.state {
            s.keep(&plan.id, obj, &read_key, kept_quota, &part);
        }
        (part, false)
    };
    // Objects are read in parallel (a dataset of many small objects is
    // bound by request latency, not CPU) and folded in order, so the result
    // does not depend on which read finished first. Chunks bound the parts
    // held at once.
    let mut tally = Tally::new();
    for chunk in objects.chunks(OBJECTS_IN_FLIGHT) {
        let parts: Vec<(ObjectPart, bool)> = chunk
            .par_iter()
            .map(|obj| {
                let done = part_of(obj);
                job.progress.object_read();
                done
            })
            .collect();
        for ((part, carried), obj) in parts.into_iter().zip(chunk) {
            tally.add(job, part, obj.size, carried);
        }
    }
    let Tally {
        profile,
        errors,
        rows_sampled,
        mut bytes_read,
        sampled_bytes,
        mut estimate_rows,
        mut estimate_exact,
        estimate_from_metadata,
        column_sets,
        carried,
    } = tally;

    let mut columns = job.classifier.finish(profile);
    if let (Some(key), Mode::Sample | Mode::Full) = (job.lineage, job.mode) {
        bytes_read += fingerprint_files(job, plan, key, &mut columns);
    }
    let bytes_total: u64 = plan.objects.iter().map(|o| o.size).sum();
    let all_objects = objects.len() == plan.objects.len();
    if !all_objects && sampled_bytes > 0 {
        estimate_rows *= bytes_total as f64 / sampled_bytes as f64;
        estimate_exact = false;
    }
    let (row_estimate, method) = match job.mode {
        Mode::MetadataOnly if !estimate_from_metadata => (None, None),
        _ if estimate_exact && estimate_from_metadata => {
            (Some(estimate_rows.round() as u64), Some("metadata"))
        }
        _ if estimate_exact => (Some(estimate_rows.round() as u64), Some("exact")),
        _ => (Some(estimate_rows.round() as u64), Some("extrapolated")),
    };
    if !errors.is_empty() {
        tracing::warn!(asset = %plan.id, errors = errors.len(), "asset had errors");
    }
    if column_sets.len() > 1 {
        tracing::warn!(asset = %plan.id, variants = column_sets.len(), "objects of one dataset differ in columns");
    }
    tracing::debug!(asset = %plan.id, rows = rows_sampled, "asset scanned");
    Asset {
        id: plan.id.clone(),
        kind: plan.kind.as_str().into(),
        format: plan.format.describe(),
        objects_total: plan.objects.len() as u64,
        objects_sampled: objects.len() as u64,
        objects_carried_forward: (carried > 0).then_some(carried),
        bytes_total,
        bytes_read,
        partition_keys: plan.partition_keys.clone(),
        schema_variants: column_sets.len() as u64,
        // Set by the caller, which knows the source's settings.
        sampling: None,
        rows_sampled,
        row_estimate,
        row_estimate_method: method.map(String::from),
        columns,
        errors,
        table: None,
    }
}

/// The lineage pass over a file asset: every object read whole (text
/// formats past the sample window, every Parquet row group), every value
/// keyed-hashed into its column's sketch. Coordinated sampling needs every
/// value to decide which enter; this is the cost `--lineage` documents.
/// Returns the bytes it fetched.
fn fingerprint_files(
    job: &Job,
    plan: &AssetPlan,
    key: &LineageKey,
    columns: &mut [crate::inventory::Column],
) -> u64 {
    let norms = columns
        .iter()
        .filter_map(|c| {
            let labels: std::collections::BTreeSet<String> = c
                .labels
                .iter()
                .map(|l| l.label.clone())
                .chain(c.name_hints.iter().map(|h| h.label.clone()))
                .collect();
            let n = lineage::fingerprint::norms_for(&labels);
            (!n.is_empty()).then(|| (c.path.clone(), n))
        })
        .collect();
    let mut sketcher = lineage::ColumnSketcher::new(key, norms);
    let opts = ReadOptions {
        seed: job.args.seed,
        max_decompressed_bytes: job.args.max_decompressed_bytes,
        ..ReadOptions::default()
    };
    let mut bytes = 0;
    for obj in &plan.objects {
        let mut sink = |batch: RecordBatch| {
            sketcher.observe(&batch);
            Flow::Continue
        };
        match read_object(job.rt, &plan.store, obj, plan.format, &opts, &mut sink) {
            Ok(stats) => bytes += stats.bytes_fetched,
            Err(p) => {
                tracing::warn!(asset = %plan.id, code = p.code, "lineage pass could not read an object; its values are missing from the fingerprints");
            }
        }
    }
    let mut prints = sketcher.finish();
    for c in columns.iter_mut() {
        c.fingerprint = prints.remove(&c.path);
    }
    bytes
}

/// How many of an asset's `listed` objects a scan reads: all in full mode,
/// else at most `--max-objects` (as `choose_objects` picks them). Known
/// before the scan, so progress can say how many reads remain.
fn objects_to_read(mode: Mode, max_objects: usize, listed: usize) -> usize {
    match mode {
        Mode::Full => listed,
        Mode::Sample | Mode::MetadataOnly => listed.min(max_objects.max(1)),
    }
}

/// Panic messages can quote whatever a library was handed, data included:
/// report where a panic happened, never its message.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown location".into());
        tracing::error!(at = %at, "internal error (panic) caught; the asset is reported with an error");
    }));
}

fn init_logging(quiet: bool, format: LogFormat) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FERRET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder.with_writer(std::io::stderr).json().try_init(),
        // Plain text, control characters escaped: a file name must not
        // forge a line or repaint the terminal (see `logs`).
        LogFormat::Text => builder
            .with_ansi(false)
            .with_writer(|| super::logs::EscapedStderr)
            .try_init(),
    };
}
