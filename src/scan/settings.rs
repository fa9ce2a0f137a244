//! What a scan is asked to do, resolved once from flags and the config file
//! (ripgrep's split of raw arguments from resolved settings): the command
//! line builds a [`Settings`], the pipeline never sees an argument parser.

use super::shard::Shard;
use super::target::Target;
use crate::detect::Pack;
use crate::inventory::policy::Policies;
use crate::inventory::{Sampling, Thresholds};
use crate::lineage::LineageKey;
use crate::source::ReadMode;
use std::path::PathBuf;
use std::time::Duration;

/// How values are sampled: the run's, or a `[[source]]`'s own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplingSettings {
    pub mode: ReadMode,
    /// Rows per asset in sample mode.
    pub sample_rows: usize,
    pub seed: u64,
    /// Leading bytes of each text object in sample mode.
    pub sample_bytes: u64,
    /// Objects read per dataset in sample mode.
    pub max_objects: usize,
    /// Decompressed bytes of one compressed object at most, in full mode.
    pub max_decompressed_bytes: u64,
}

impl Default for SamplingSettings {
    fn default() -> Self {
        SamplingSettings {
            mode: ReadMode::Sample,
            sample_rows: 1000,
            seed: 0,
            sample_bytes: 4 << 20,
            max_objects: 8,
            max_decompressed_bytes: crate::source::format::DEFAULT_MAX_DECOMPRESSED_BYTES,
        }
    }
}

impl SamplingSettings {
    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            ReadMode::Sample => "sample",
            ReadMode::Full => "full",
            ReadMode::MetadataOnly => "metadata_only",
        }
    }

    /// As the inventory records it.
    pub fn record(&self) -> Sampling {
        Sampling {
            mode: self.mode_name().into(),
            sample_rows: self.sample_rows as u64,
            seed: self.seed,
            window_bytes: self.sample_bytes,
            max_objects_per_asset: self.max_objects as u64,
        }
    }
}

/// Database sessions and what they read.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// Sessions used at once per server.
    pub connections: usize,
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    /// CA certificates for verified TLS.
    pub ca_file: Option<PathBuf>,
    pub include_views: bool,
    pub all_databases: bool,
    pub sniff_binary: bool,
    /// Column globs (`name` or `schema.table.column`).
    pub include_columns: Vec<String>,
    pub exclude_columns: Vec<String>,
}

impl Default for DbSettings {
    fn default() -> Self {
        DbSettings {
            connections: 4,
            statement_timeout: Duration::from_secs(60),
            lock_timeout: Duration::from_secs(5),
            ca_file: None,
            include_views: false,
            all_databases: false,
            sniff_binary: false,
            include_columns: Vec::new(),
            exclude_columns: Vec::new(),
        }
    }
}

/// The S3 client (every bucket of a run shares one).
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub path_style: Option<bool>,
    pub concurrency: Option<usize>,
    pub max_attempts: Option<u32>,
    pub connect_timeout: Option<Duration>,
    pub attempt_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
}

/// One thing to scan.
#[derive(Debug, Clone)]
pub struct TargetSettings {
    pub target: Target,
    /// Globs over keys (files) or `schema.table` (databases).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Databases: the password, when it comes from `password_env`.
    pub password: Option<String>,
    pub sampling: SamplingSettings,
    /// Databases: timeouts of this server only (`[[postgres]]`).
    pub statement_timeout: Option<Duration>,
    pub lock_timeout: Option<Duration>,
}

impl TargetSettings {
    /// A target with the run's globs and sampling.
    pub fn new(target: Target, sampling: &SamplingSettings) -> TargetSettings {
        TargetSettings {
            target,
            include: Vec::new(),
            exclude: Vec::new(),
            password: None,
            sampling: sampling.clone(),
            statement_timeout: None,
            lock_timeout: None,
        }
    }
}

/// Everything one scan needs.
pub struct Settings {
    pub targets: Vec<TargetSettings>,
    /// The run's sampling (targets may have their own).
    pub sampling: SamplingSettings,
    pub pack: Pack,
    pub thresholds: Thresholds,
    pub policy: Policies,
    /// Extra detector folders, as the inventory records them.
    pub detector_dirs: Vec<String>,
    /// Worker threads for detection.
    pub threads: usize,
    pub db: DbSettings,
    pub s3: S3Settings,
    /// `Some`: lineage fingerprints under this key.
    pub lineage: Option<LineageKey>,
    /// Incremental runs: the state file.
    pub state: Option<PathBuf>,
    pub shard: Option<Shard>,
}

impl Settings {
    /// Defaults for scanning `targets` with `pack`: what `ferret scan
    /// TARGET...` does with no flags (all cores, a 1,000-row sample).
    pub fn new(targets: Vec<Target>, pack: Pack) -> Settings {
        let sampling = SamplingSettings::default();
        Settings {
            targets: targets
                .into_iter()
                .map(|t| TargetSettings::new(t, &sampling))
                .collect(),
            sampling,
            pack,
            thresholds: Thresholds::default(),
            policy: Policies::default(),
            detector_dirs: Vec::new(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            db: DbSettings::default(),
            s3: S3Settings::default(),
            lineage: None,
            state: None,
            shard: None,
        }
    }
}
