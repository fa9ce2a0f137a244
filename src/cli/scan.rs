//! `ferret scan`: resolves flags and the config file into
//! [`scan::Settings`] once, runs [`scan::run`] with progress drawn on
//! stderr, writes the outputs and maps the result to an exit code. How a
//! scan runs is `crate::scan`'s business.

use super::progress::Progress;
use super::{LogFormat, ScanArgs, config, exit};
use crate::detect::Pack;
use crate::inventory::Inventory;
use crate::lineage::{self, LineageKey};
use crate::output;
use crate::scan::{
    self, DbSettings, ReadMode, S3Settings, SamplingSettings, Settings, Shard, Target,
    TargetSettings,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    let outputs = match Outputs::resolve(&args, &config.output) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let settings = match settings(&args, config) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let progress = Progress::start(args.quiet);
    let inv = match scan::run(&settings, &progress) {
        Ok(inv) => inv,
        Err(e) => return usage_error(&e.to_string()),
    };
    if let Err(e) = outputs.write(&inv) {
        eprintln!("ferret: {e}");
        return exit::USAGE;
    }
    super::exit_code(&inv, args.fail_on)
}

/// The sampling one set of arguments asks for.
fn sampling(args: &ScanArgs) -> SamplingSettings {
    SamplingSettings {
        mode: if args.metadata_only {
            ReadMode::MetadataOnly
        } else if args.full {
            ReadMode::Full
        } else {
            ReadMode::Sample
        },
        sample_rows: args.sample_rows,
        seed: args.seed,
        sample_bytes: args.sample_bytes,
        max_objects: args.max_objects,
        max_decompressed_bytes: args.max_decompressed_bytes,
    }
}

/// Flags over the config file, checked and resolved into settings.
fn settings(args: &ScanArgs, config: config::Config) -> Result<Settings, String> {
    let pack = Pack::load(&args.detectors).map_err(|e| e.to_string())?;
    if let Some(path) = &args.config {
        config.check_names(path, &pack)?;
    }
    let pack = pack
        .retain(|s| config.detectors.keeps(&s.id, &s.label))
        .map_err(|e| e.to_string())?;
    if args.sample_rows == 0 && !args.full && !args.metadata_only {
        return Err("--sample-rows must be at least 1 (or use --metadata-only)".into());
    }
    let run_sampling = sampling(args);
    let mut targets = Vec::new();
    for arg in args.paths.iter().chain(config.targets.iter().map(|t| &t.0)) {
        let mut t = TargetSettings::new(Target::parse(arg)?, &run_sampling);
        t.include = args.include.clone();
        t.exclude = args.exclude.clone();
        targets.push(t);
    }
    for (i, src) in config.source.iter().enumerate() {
        let place = |e: String| format!("config [[source]] #{}: {e}", i + 1);
        let target = Target::parse(&src.target.0).map_err(place)?;
        // `config::load` checked that only database targets name one.
        let password = match &src.password_env {
            Some(var) => Some(std::env::var(&var.0).map_err(|_| {
                place(format!(
                    "environment variable {} (password_env) is not set or not UTF-8",
                    var.0
                ))
            })?),
            None => None,
        };
        let own = src.sampled_args(args).map_err(place)?;
        let mut t = TargetSettings::new(target, &sampling(&own));
        t.include = args
            .include
            .iter()
            .cloned()
            .chain(src.include.iter().map(|g| g.text.clone()))
            .collect();
        t.exclude = args
            .exclude
            .iter()
            .cloned()
            .chain(src.exclude.iter().map(|g| g.text.clone()))
            .collect();
        // Globs are checked here, so the error names the source.
        scan::KeyFilter::new(&t.include, &t.exclude).map_err(place)?;
        t.password = password;
        targets.push(t);
    }
    for (i, src) in config.postgres.iter().enumerate() {
        let place = |e: String| format!("config [[postgres]] #{}: {e}", i + 1);
        let mut t = TargetSettings::new(Target::Postgres(src.url.0.clone()), &run_sampling);
        t.include = args.include.clone();
        t.exclude = args.exclude.clone();
        t.statement_timeout = src
            .statement_timeout_secs
            .map(|s| Duration::from_secs(s.max(1)));
        t.lock_timeout = src.lock_timeout_secs.map(|s| Duration::from_secs(s.max(1)));
        if let Some(var) = &src.password_env {
            let var = &var.0;
            t.password = Some(std::env::var(var).map_err(|_| {
                place(format!(
                    "environment variable {var} (password_env) is not set"
                ))
            })?);
        }
        targets.push(t);
    }
    scan::KeyFilter::new(&args.include, &args.exclude)?;
    scan::KeyFilter::new(&args.include_column, &args.exclude_column)?;
    let shard = args
        .shard
        .as_deref()
        .map(|spec| Shard::parse(spec, |var| std::env::var(var).ok()))
        .transpose()?;
    // `--threads` is in its range (clap checked); the default, all cores,
    // is held to the same ceiling.
    let threads = args.threads.unwrap_or_else(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.min(super::limits::THREADS.max as usize)
    });
    Ok(Settings {
        targets,
        sampling: run_sampling,
        thresholds: config.thresholds.clone(),
        policy: config.policy,
        detector_dirs: args
            .detectors
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        threads,
        db: DbSettings {
            connections: args.db_connections,
            statement_timeout: Duration::from_secs(args.db_statement_timeout.max(1)),
            lock_timeout: Duration::from_secs(args.db_lock_timeout.max(1)),
            ca_file: args.db_ca_file.clone(),
            include_views: args.include_views,
            all_databases: args.all_databases,
            sniff_binary: args.sniff_binary,
            include_columns: args.include_column.clone(),
            exclude_columns: args.exclude_column.clone(),
        },
        s3: s3_settings(args, &config.s3)?,
        lineage: lineage_key(args)?,
        state: args.state.clone(),
        shard,
        pack,
    })
}

/// `[s3]` keys under the flags; zero timeouts and attempts are refused.
fn s3_settings(args: &ScanArgs, config: &config::S3Config) -> Result<S3Settings, String> {
    let attempts = args.s3_max_attempts.or(config.max_attempts);
    if attempts == Some(0) {
        return Err("--s3-max-attempts must be at least 1".into());
    }
    Ok(S3Settings {
        endpoint: args.s3_endpoint.clone().or_else(|| config.endpoint.clone()),
        region: args.s3_region.clone().or_else(|| config.region.clone()),
        path_style: args.s3_path_style.or(config.path_style),
        concurrency: args.s3_concurrency.or(config.concurrency),
        max_attempts: attempts,
        connect_timeout: secs(
            "--s3-connect-timeout",
            args.s3_connect_timeout.or(config.connect_timeout_secs),
        )?,
        attempt_timeout: secs(
            "--s3-attempt-timeout",
            args.s3_attempt_timeout.or(config.attempt_timeout_secs),
        )?,
        read_timeout: secs(
            "--s3-read-timeout",
            args.s3_read_timeout.or(config.read_timeout_secs),
        )?,
    })
}

/// A timeout from a flag or `[s3]` key (whole seconds); zero is refused
/// (it would fail every request at once).
fn secs(flag: &str, given: Option<u64>) -> Result<Option<Duration>, String> {
    match given {
        Some(0) => Err(format!("{flag} must be at least 1 second")),
        Some(n) => Ok(Some(Duration::from_secs(n))),
        None => Ok(None),
    }
}

/// Where this run's results go: the command line, else `[output]`.
struct Outputs {
    inventory: Option<PathBuf>,
    format: output::OutputFormat,
    metrics: Option<PathBuf>,
    /// `Some(None)`: findings to stdout.
    findings: Option<Option<PathBuf>>,
    /// A person at a terminal asked for nothing in particular: a short
    /// table instead of the JSON document.
    table: bool,
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
        use std::io::IsTerminal;
        let table = inventory.is_none()
            && args.format.is_none()
            && cfg.format.is_none()
            && findings.is_none()
            && std::io::stdout().is_terminal();
        Ok(Outputs {
            inventory,
            format: args
                .format
                .or(cfg.format)
                .unwrap_or(output::OutputFormat::Json),
            metrics,
            findings,
            table,
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
            None if self.table => {
                let cwd = std::env::current_dir()
                    .ok()
                    .map(|d| d.to_string_lossy().into_owned());
                output::table::write(inv, cwd.as_deref(), &mut std::io::stdout().lock())
                    .map_err(|e| format!("cannot write the summary: {e}"))
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

/// Prints a usage error (through the redaction of credentials: messages
/// quote targets) and returns exit code 2.
fn usage_error(message: &str) -> i32 {
    eprintln!("ferret: {}", crate::redact::credentials(message));
    exit::USAGE
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
