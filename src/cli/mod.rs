//! The command line: argument parsing, configuration, logging, progress and
//! exit codes. Knows how to drive the pipeline, not how detection works.

mod config;
mod detectors;
mod diff;
mod export;
pub mod limits;
mod logs;
mod merge;
mod progress;
mod scan;

use crate::inventory::Inventory;
use crate::output::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit codes (documented in the README; stable for cron jobs and CI gates).
pub mod exit {
    /// Scan completed, no asset had errors, no `--fail-on` finding.
    pub const CLEAN: i32 = 0;
    /// Scan completed, but some assets had errors (see `errors` in the inventory).
    pub const ASSET_ERRORS: i32 = 1;
    /// Usage or configuration error; nothing was scanned.
    pub const USAGE: i32 = 2;
    /// `--fail-on` found personal data at or above the given sensitivity
    /// (`diff`: a *new* finding at or above it).
    pub const FOUND: i32 = 3;
    /// Findings break a policy rule of the config file (takes precedence over 3 and 1).
    pub const POLICY: i32 = 4;
}

#[derive(Debug, Parser)]
#[command(
    name = "ferret",
    version,
    about = "Find personal data in files, datasets and databases, and write a classification inventory.",
    long_about = "ferret samples your data (Parquet, CSV/TSV, JSON/JSON Lines, text and logs, \
                  gzip/zstd compressed), runs pattern and checksum detectors for personal data \
                  over it, and writes an inventory: which asset, which column, which kind of \
                  personal data, how sure. Raw values never appear in any output.\n\n\
                  Start with:  ferret scan fixtures/demo\n\n\
                  Exit codes: 0 clean; 1 some assets had errors; 2 usage or configuration \
                  error (nothing scanned or written); 3 --fail-on matched (diff: a new finding \
                  at or above the level); 4 findings break a policy rule of the config file \
                  (precedence: 2, then 4, then 3, then 1)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan folders and files and write an inventory (JSON on stdout by default).
    Scan(Box<ScanArgs>),
    /// List the detectors (`detectors list`, the default) or test custom
    /// detector files against their own examples (`detectors test`).
    Detectors(detectors::DetectorsArgs),
    /// Print the JSON Schema of the inventory.
    Schema,
    /// Render an inventory as one self-contained HTML page (no network requests).
    Report {
        /// The inventory (JSON, as written by `ferret scan`).
        #[arg(value_name = "INVENTORY")]
        input: PathBuf,
        /// Write the report here (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Export an inventory for a catalog (DataHub, OpenMetadata, Atlas / Purview) or a spreadsheet.
    Export(Box<export::ExportArgs>),
    /// Check a config file as `scan` would read it (syntax, unknown keys,
    /// globs, inline passwords, environment variables); exit 2 if it is wrong.
    CheckConfig {
        /// The config file (ferret.toml).
        file: PathBuf,
        /// Detector files the scan will load too (`scan --detectors`), so
        /// their ids and labels count as known. Repeatable.
        #[arg(long = "detectors", value_name = "DIR")]
        detectors: Vec<PathBuf>,
    },
    /// Compare two inventories: new, removed and changed findings, new and
    /// removed assets, new errors. Exit code 3 with --fail-on when a new
    /// finding is at or above LEVEL.
    Diff {
        /// The earlier inventory (last night's).
        old: PathBuf,
        /// The later inventory (tonight's).
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Text)]
        format: diff::DiffFormat,
        /// Exit with code 3 when a new finding is at or above this sensitivity.
        #[arg(long, value_enum, value_name = "LEVEL")]
        fail_on: Option<FailOn>,
    },
    /// Join the partial inventories of a sharded scan (`scan --shard K/N`)
    /// into one. Refuses parts of different scans and missing or duplicate shards.
    Merge {
        /// The partial inventories (one per shard).
        #[arg(required = true, value_name = "PART")]
        parts: Vec<PathBuf>,
        /// Write the merged inventory here (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long, value_parser = format_parser(), default_value = "json")]
        format: OutputFormat,
        /// Merge even when some shards are missing (listed in scan.shard.missing).
        #[arg(long)]
        allow_partial: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// What to scan: folders or files (walked recursively), s3://bucket/prefix,
    /// postgres://user@host:port/db, mysql:// or mariadb://user@host:port/db,
    /// or sqlite:///path/app.db. Also taken
    /// from `targets = [...]` in the config file.
    #[arg(value_name = "TARGET")]
    pub paths: Vec<String>,

    /// Write the inventory here (atomically) instead of stdout (or `[output] path`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format [default: json, or `[output] format`].
    #[arg(long, value_parser = format_parser())]
    pub format: Option<OutputFormat>,

    /// Also write the scan's numbers as a Prometheus textfile here (atomically).
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,

    /// Also write one JSON line per finding here (atomically; `-` for stdout, with -o FILE).
    #[arg(long, value_name = "PATH")]
    pub findings_jsonl: Option<PathBuf>,

    /// Only scan files whose path (relative to the scanned folder) or name matches this glob;
    /// for databases, tables whose `schema.table` matches. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files whose relative path or name (tables whose `schema.table`) matches this glob. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Databases: only read columns whose name or `schema.table.column` matches this glob. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include_column: Vec<String>,

    /// Databases: never read columns whose name or `schema.table.column` matches this glob. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude_column: Vec<String>,

    /// Databases: also read views (they are listed and classified by column name either way).
    #[arg(long)]
    pub include_views: bool,

    /// PostgreSQL: scan every database the role can connect to (implied by a URL without a database).
    #[arg(long)]
    pub all_databases: bool,

    /// PostgreSQL: sessions used at once (tables are read concurrently) [range 1..=64].
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = limits::DB_CONNECTIONS.usize())]
    pub db_connections: usize,

    /// PostgreSQL: statement_timeout of every query, in seconds [range 1..=86400].
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = limits::DB_STATEMENT_TIMEOUT.u64())]
    pub db_statement_timeout: u64,

    /// PostgreSQL: lock_timeout, in seconds (a locked table fails fast instead
    /// of waiting) [range 1..=86400].
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = limits::DB_LOCK_TIMEOUT.u64())]
    pub db_lock_timeout: u64,

    /// PostgreSQL: CA certificates (PEM) for sslmode=verify-ca / verify-full
    /// (default: sslrootcert= in the URL, PGSSLROOTCERT, then the system store).
    #[arg(long, value_name = "FILE")]
    pub db_ca_file: Option<PathBuf>,

    /// Databases: read binary columns (bytea, blob) as text too.
    #[arg(long)]
    pub sniff_binary: bool,

    /// Rows sampled per asset [range 0..=10000000; 0 only with --full or --metadata-only].
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = limits::SAMPLE_ROWS.usize())]
    pub sample_rows: usize,

    /// Read every row of every object instead of sampling (slower, exhaustive).
    #[arg(long, conflicts_with = "metadata_only")]
    pub full: bool,

    /// Classify from column names and types alone; no table row or file value is read
    /// (for PostgreSQL, the server's own statistics (pg_stats) are used where they exist).
    #[arg(long)]
    pub metadata_only: bool,

    /// Seed for every sampling choice (objects, row groups, rows): same seed,
    /// same sample [any whole number from 0 to 2^64-1].
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = limits::SEED.u64())]
    pub seed: u64,

    /// In sample mode, bytes read from the start of each text object (CSV, JSON,
    /// logs) [range 1..=268435456, i.e. 256 MiB].
    #[arg(long, value_name = "BYTES", default_value_t = 4 << 20, value_parser = limits::SAMPLE_BYTES.u64())]
    pub sample_bytes: u64,

    /// With --full, decompressed bytes read from one gzip / zstd object at most (a
    /// decompression bomb stops there with a `decompression_limit` error on the asset;
    /// the rows before it are scanned). Default 4 GiB [range 1..=1099511627776, i.e. 1 TiB].
    #[arg(long, value_name = "BYTES", default_value_t = crate::scan::DEFAULT_MAX_DECOMPRESSED_BYTES, value_parser = limits::MAX_DECOMPRESSED_BYTES.u64())]
    pub max_decompressed_bytes: u64,

    /// In sample mode, objects read per dataset (newest first, then a seeded
    /// random few) [range 1..=100000].
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = limits::MAX_OBJECTS.usize())]
    pub max_objects: usize,

    /// Also load detector files (*.toml) from this folder. Repeatable.
    #[arg(long = "detectors", value_name = "DIR")]
    pub detectors: Vec<PathBuf>,

    /// Configuration file: sources, thresholds, detectors, outputs, policies
    /// (see ferret.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Exit with code 3 when personal data at or above this sensitivity is found.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Worker threads (default: all cores, at most 256) [range 1..=256].
    #[arg(long, value_name = "N", value_parser = limits::THREADS.usize())]
    pub threads: Option<usize>,

    /// No progress bar and no log lines below warnings.
    #[arg(short, long)]
    pub quiet: bool,

    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// S3-compatible endpoint URL (MinIO, Ceph, R2, ...); implies path-style addressing.
    #[arg(long, value_name = "URL")]
    pub s3_endpoint: Option<String>,

    /// AWS region (default: from the credential chain: AWS_REGION, profile).
    #[arg(long, value_name = "REGION")]
    pub s3_region: Option<String>,

    /// Path-style addressing (endpoint/bucket/key); default: on with --s3-endpoint.
    #[arg(long, value_name = "BOOL")]
    pub s3_path_style: Option<bool>,

    /// S3 requests in flight at most, per bucket [default: 32; range 1..=1024].
    #[arg(long, value_name = "N", value_parser = limits::S3_CONCURRENCY.usize())]
    pub s3_concurrency: Option<usize>,

    /// Attempts per S3 request, with exponential backoff and jitter [default: 6; range 1..=20].
    #[arg(long, value_name = "N", value_parser = limits::S3_MAX_ATTEMPTS.u32())]
    pub s3_max_attempts: Option<u32>,

    /// Seconds to open a connection to the store [default: 5; range 1..=86400].
    #[arg(long, value_name = "SECS", value_parser = limits::S3_CONNECT_TIMEOUT.u64())]
    pub s3_connect_timeout: Option<u64>,

    /// Seconds per request attempt until the response headers; a store that
    /// accepts and never answers fails the attempt (then retried) [default: 30;
    /// range 1..=86400].
    #[arg(long, value_name = "SECS", value_parser = limits::S3_ATTEMPT_TIMEOUT.u64())]
    pub s3_attempt_timeout: Option<u64>,

    /// Seconds to receive one response body (a ranged get); a body that
    /// stalls mid-way fails the attempt (then retried) [default: 120; range 1..=86400].
    #[arg(long, value_name = "SECS", value_parser = limits::S3_READ_TIMEOUT.u64())]
    pub s3_read_timeout: Option<u64>,

    /// Lineage hints from values: fingerprint every column (keyed hashes of
    /// its values, coordinated bottom-k sketches) and report where the same or
    /// hashed values appear elsewhere. Costs a second, whole-column read of
    /// every file and one hashing pass per PostgreSQL table (see docs/lineage.md).
    #[arg(long)]
    pub lineage: bool,

    /// Read the lineage key (16+ bytes) from this environment variable
    /// [default: FERRET_LINEAGE_KEY; unset: a random key per scan, so
    /// fingerprints compare only within this scan].
    #[arg(long, value_name = "NAME", requires = "lineage")]
    pub lineage_key_env: Option<String>,

    /// Incremental runs: keep object fingerprints and per-object results in
    /// this file; the next run reads only new or changed objects.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Scan only shard K of N (0-based K < N): the assets whose id hashes to K.
    /// `auto/N` takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
    /// AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job). Join with `ferret merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
}

/// `--format`: the output formats by name (outputs take no clap types).
fn format_parser() -> impl clap::builder::TypedValueParser<Value = OutputFormat> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        OutputFormat::ALL.map(|(_, name, help)| PossibleValue::new(name).help(help)),
    )
    .map(|name| OutputFormat::from_name(&name).unwrap_or(OutputFormat::Json))
}

/// Parses arguments, runs, and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Detectors(args) => detectors::run(args),
        Command::Export(args) => export::run(*args),
        Command::Schema => {
            print!("{}", crate::inventory::JSON_SCHEMA);
            exit::CLEAN
        }
        Command::Report { input, output } => report(&input, output.as_deref()),
        Command::CheckConfig { file, detectors } => config::check(&file, &detectors),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
        } => diff::run(&old, &new, format, fail_on),
        Command::Merge {
            parts,
            output,
            format,
            allow_partial,
        } => merge::run(
            &parts,
            output.as_deref(),
            format,
            crate::inventory::MergeOptions { allow_partial },
        ),
    }
}

/// `ferret report`: a bad inventory or an unwritable output is a usage error
/// naming the file; the output is written atomically, so it is never half there.
fn report(input: &std::path::Path, output: Option<&std::path::Path>) -> i32 {
    let inv = match crate::inventory::load(input) {
        Ok(inv) => inv,
        Err(e) => {
            eprintln!("ferret: {e}");
            return exit::USAGE;
        }
    };
    let written = match output {
        Some(path) => crate::output::write_file(&inv, OutputFormat::Html, path)
            .map_err(|e| format!("{}: cannot write the report: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            crate::output::write(&inv, OutputFormat::Html, &mut out)
                .map_err(|e| format!("stdout: cannot write the report: {e}"))
        }
    };
    match written {
        Ok(()) => exit::CLEAN,
        Err(e) => {
            eprintln!("ferret: {e}");
            exit::USAGE
        }
    }
}

/// The [`crate::inventory::sensitivity_rank`] of a `--fail-on` level.
pub fn fail_rank(level: FailOn) -> u8 {
    match level {
        FailOn::Low => 1,
        FailOn::Medium => 2,
        FailOn::High => 3,
    }
}

/// The exit code an inventory calls for.
pub fn exit_code(inv: &Inventory, fail_on: Option<FailOn>) -> i32 {
    if !inv.policy_violations.is_empty() {
        return exit::POLICY;
    }
    if let Some(level) = fail_on {
        let threshold = fail_rank(level);
        let found = inv
            .summary
            .max_sensitivity
            .as_deref()
            .is_some_and(|s| crate::inventory::sensitivity_rank(s) >= threshold);
        if found {
            return exit::FOUND;
        }
    }
    if inv.summary.assets_with_errors > 0 {
        exit::ASSET_ERRORS
    } else {
        exit::CLEAN
    }
}
