//! The configuration file (`--config ferret.toml`, annotated example in
//! `ferret.example.toml`): sources, include/exclude, thresholds, detectors,
//! outputs and policies. Unknown keys are errors, so a typo never silently
//! weakens a scan. Secrets are referenced by environment variable name
//! only: a URL with an inline password is refused, and a named variable
//! that is not set is an error before anything is scanned. Every error
//! names the file, the line and the column, and never quotes the line (it
//! could hold a secret).

use crate::detect::Pack;
use crate::inventory::Thresholds;
use crate::inventory::policy::{GlobPattern, Policies};
use crate::output::OutputFormat;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Targets scanned in addition to those on the command line (a list,
    /// or one string for one target).
    #[serde(deserialize_with = "one_or_many")]
    pub targets: Vec<SecretFreeUrl>,
    /// Sources with their own include/exclude globs (and, for PostgreSQL,
    /// a password variable), scanned besides the command line's targets.
    pub source: Vec<Source>,
    pub thresholds: Thresholds,
    pub detectors: DetectorSelection,
    pub s3: S3Config,
    /// PostgreSQL servers to scan besides the command line's targets.
    pub postgres: Vec<PostgresSource>,
    pub output: OutputConfig,
    pub policy: Policies,
}

/// `[[source]]`: one target with its own filters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A folder, file, `s3://`, `postgres://` or `sqlite://` URL (no password).
    pub target: SecretFreeUrl,
    /// Globs over keys (files, objects) or `schema.table` (databases), added
    /// to the command line's `--include` / `--exclude` for this source.
    #[serde(default)]
    pub include: Vec<GlobPattern>,
    #[serde(default)]
    pub exclude: Vec<GlobPattern>,
    /// PostgreSQL: the environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<EnvName>,
    /// This source's own sampling (see [`Source::sampled_args`]); a key
    /// left out takes the run's value.
    #[serde(default)]
    pub sample_rows: Option<usize>,
    #[serde(default)]
    pub full: Option<bool>,
    #[serde(default)]
    pub metadata_only: Option<bool>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub sample_bytes: Option<u64>,
    #[serde(default)]
    pub max_objects: Option<usize>,
    /// With full reads, decompressed bytes per gzip / zstd object at most.
    #[serde(default)]
    pub max_decompressed_bytes: Option<u64>,
}

impl Source {
    /// The run's arguments with this source's sampling keys applied. A key
    /// given here wins over the command line's flag (and its default) for
    /// this source only: the file is where an operator wrote a deliberate
    /// exception (a huge table read 10 rows deep, a small folder read
    /// whole), and a flag typed for the whole run must not undo it.
    pub fn sampled_args(&self, args: &super::ScanArgs) -> Result<super::ScanArgs, String> {
        self.check_sampling()?;
        let mut out = args.clone();
        if let Some(n) = self.sample_rows {
            out.sample_rows = n;
        }
        if let Some(n) = self.seed {
            out.seed = n;
        }
        if let Some(n) = self.sample_bytes {
            out.sample_bytes = n;
        }
        if let Some(n) = self.max_objects {
            out.max_objects = n;
        }
        if let Some(n) = self.max_decompressed_bytes {
            out.max_decompressed_bytes = n;
        }
        // `full` and `metadata_only` choose the mode: a source's own choice
        // replaces the run's, so `full = true` on a source scanned with
        // `--metadata-only` reads it whole.
        match (self.full, self.metadata_only) {
            (Some(true), _) => {
                out.full = true;
                out.metadata_only = false;
            }
            (_, Some(true)) => {
                out.full = false;
                out.metadata_only = true;
            }
            // A source that names its row count wants a sample, whatever
            // mode the run was given.
            (None, None) if self.sample_rows.is_some() => {
                out.full = false;
                out.metadata_only = false;
            }
            (full, meta) => {
                if full == Some(false) {
                    out.full = false;
                }
                if meta == Some(false) {
                    out.metadata_only = false;
                }
            }
        }
        if out.sample_rows == 0 && !out.full && !out.metadata_only {
            return Err("sample_rows must be at least 1 (or metadata_only = true)".into());
        }
        if out.max_objects == 0 {
            return Err("max_objects must be at least 1".into());
        }
        Ok(out)
    }
}

impl Source {
    /// The sampling keys that are wrong whatever the run's flags, checked
    /// when the file is read (so `check-config` catches them too).
    fn check_sampling(&self) -> Result<(), String> {
        if self.full == Some(true) && self.metadata_only == Some(true) {
            return Err("full and metadata_only cannot both be true".into());
        }
        if self.sample_rows == Some(0)
            && self.full != Some(true)
            && self.metadata_only != Some(true)
        {
            return Err("sample_rows must be at least 1 (or metadata_only = true)".into());
        }
        if self.max_objects == Some(0) {
            return Err("max_objects must be at least 1".into());
        }
        if self.max_decompressed_bytes == Some(0) {
            return Err("max_decompressed_bytes must be at least 1".into());
        }
        Ok(())
    }

    /// Everything about this source that can be wrong before a scan: its
    /// target, its password variable's place, its sampling keys.
    fn check(&self) -> Result<(), String> {
        let target = crate::scan::Target::parse(&self.target.0)?;
        if self.password_env.is_some()
            && !matches!(
                target,
                crate::scan::Target::Postgres(_) | crate::scan::Target::Mysql(_)
            )
        {
            return Err(
                "password_env is for database targets only (postgres://, mysql://, mariadb://)"
                    .into(),
            );
        }
        self.check_sampling()
    }
}

/// `[output]`: where results go; command-line flags win.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// The inventory (`-o`); stdout when absent.
    pub path: Option<PathBuf>,
    /// `json`, `jsonl`, `csv` or `html` (`--format`).
    pub format: Option<OutputFormat>,
    /// Prometheus textfile (`--metrics-file`).
    pub metrics_file: Option<PathBuf>,
    /// One JSON line per finding (`--findings-jsonl`; `-` for stdout).
    pub findings_jsonl: Option<PathBuf>,
}

/// A target URL checked to hold no inline password (`user:secret@host` or
/// `password=`): config files are copied, committed and shown around.
#[derive(Debug, Clone)]
pub struct SecretFreeUrl(pub String);

impl<'de> Deserialize<'de> for SecretFreeUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        SecretFreeUrl::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl SecretFreeUrl {
    /// Refuses a URL that [`crate::redact::credentials`] would change: it
    /// holds a credential.
    pub fn new(url: String) -> Result<SecretFreeUrl, &'static str> {
        if crate::redact::credentials(&url) != url {
            return Err(
                "this URL holds an inline password; remove it and name the environment variable that holds it (password_env = \"...\")",
            );
        }
        Ok(SecretFreeUrl(url))
    }
}

/// `targets = "x"` as `targets = ["x"]`: one string is one target, never
/// an error that quotes it (it may hold a password).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretFreeUrl>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let urls = match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(t)) => vec![t],
        Ok(OneOrMany::Many(ts)) => ts,
        Err(_) => {
            return Err(serde::de::Error::custom(
                "targets must be a list of folders, files or URLs (targets = [\"s3://bucket/prefix/\"])",
            ));
        }
    };
    urls.into_iter()
        .map(|u| SecretFreeUrl::new(u).map_err(<D::Error as serde::de::Error>::custom))
        .collect()
}

/// The name of an environment variable that must be set (checked when the
/// config is read, so a missing secret fails before anything is scanned).
#[derive(Debug, Clone)]
pub struct EnvName(pub String);

impl<'de> Deserialize<'de> for EnvName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        // A value that cannot be a variable's name is most likely the
        // password pasted here: say so without quoting it.
        if !crate::redact::is_env_name(&name) {
            return Err(serde::de::Error::custom(
                "this must be the NAME of an environment variable (letters, digits and _), not the password itself; the value is not shown",
            ));
        }
        if std::env::var_os(&name).is_none() {
            return Err(serde::de::Error::custom(format!(
                "environment variable {name} is not set"
            )));
        }
        Ok(EnvName(name))
    }
}

/// `[s3]`: how to reach S3 or an S3-compatible store; command-line flags win.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub path_style: Option<bool>,
    pub concurrency: Option<usize>,
    pub max_attempts: Option<u32>,
    /// Seconds; see `--s3-connect-timeout`, `--s3-attempt-timeout`, `--s3-read-timeout`.
    pub connect_timeout_secs: Option<u64>,
    pub attempt_timeout_secs: Option<u64>,
    pub read_timeout_secs: Option<u64>,
}

/// `[[postgres]]`: a server, with its password taken from the environment
/// by name, so the file itself never holds a secret.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresSource {
    /// `postgres://user@host:port/db` (no password here).
    pub url: SecretFreeUrl,
    /// The environment variable holding the password (else `PGPASSWORD`, then `~/.pgpass`).
    pub password_env: Option<EnvName>,
    /// Session limits, in seconds (the command line's defaults otherwise).
    #[serde(default)]
    pub statement_timeout_secs: Option<u64>,
    #[serde(default)]
    pub lock_timeout_secs: Option<u64>,
}

/// `enable` empty means all; `disable` wins over `enable`. Entries are
/// detector ids or labels.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorSelection {
    pub enable: Vec<String>,
    pub disable: Vec<String>,
}

impl DetectorSelection {
    /// The first `enable` / `disable` entry that names no detector id and
    /// no label of `pack`, as (list, entry): a misspelt entry would
    /// silently keep a detector the operator meant to drop, or drop all.
    pub fn unknown<'a>(&'a self, pack: &Pack) -> Option<(&'static str, &'a str)> {
        let known = |x: &String| {
            pack.detectors
                .iter()
                .any(|d| &d.spec.id == x || &d.spec.label == x)
        };
        let enable = self.enable.iter().map(|x| ("enable", x));
        let disable = self.disable.iter().map(|x| ("disable", x));
        enable
            .chain(disable)
            .find(|(_, x)| !known(x))
            .map(|(list, x)| (list, x.as_str()))
    }

    pub fn keeps(&self, id: &str, label: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|x| x == id || x == label);
        (self.enable.is_empty() || named(&self.enable)) && !named(&self.disable)
    }
}

impl Config {
    /// Every number of the file against its range in [`super::limits`] (the
    /// same table the flags use), so `check-config` refuses what `scan`
    /// would, and no value from the file can overflow a deadline.
    pub fn check_ranges(&self) -> Result<(), String> {
        use super::limits::{self, Limit};
        // The key's name is the last word of the limit's first config key.
        let check = |limit: Limit, section: String, v: Option<u64>| match v {
            Some(v) => {
                let name = limit.keys.first().copied().unwrap_or_default();
                let name = name.rsplit_once(' ').map_or(name, |(_, k)| k);
                limit.check(&format!("{section} {name}"), v)
            }
            None => Ok(()),
        };
        let s3 = &self.s3;
        let to64 = |v: Option<usize>| v.map(|n| n as u64);
        check(limits::S3_CONCURRENCY, "[s3]".into(), to64(s3.concurrency))?;
        check(
            limits::S3_MAX_ATTEMPTS,
            "[s3]".into(),
            s3.max_attempts.map(u64::from),
        )?;
        check(
            limits::S3_CONNECT_TIMEOUT,
            "[s3]".into(),
            s3.connect_timeout_secs,
        )?;
        check(
            limits::S3_ATTEMPT_TIMEOUT,
            "[s3]".into(),
            s3.attempt_timeout_secs,
        )?;
        check(limits::S3_READ_TIMEOUT, "[s3]".into(), s3.read_timeout_secs)?;
        for (i, pg) in self.postgres.iter().enumerate() {
            let section = format!("[[postgres]] #{}", i + 1);
            check(
                limits::DB_STATEMENT_TIMEOUT,
                section.clone(),
                pg.statement_timeout_secs,
            )?;
            check(limits::DB_LOCK_TIMEOUT, section, pg.lock_timeout_secs)?;
        }
        for (i, src) in self.source.iter().enumerate() {
            let section = format!("[[source]] #{}", i + 1);
            check(limits::SAMPLE_ROWS, section.clone(), to64(src.sample_rows))?;
            check(limits::SAMPLE_BYTES, section.clone(), src.sample_bytes)?;
            check(limits::MAX_OBJECTS, section.clone(), to64(src.max_objects))?;
            check(
                limits::MAX_DECOMPRESSED_BYTES,
                section.clone(),
                src.max_decompressed_bytes,
            )?;
            check(limits::SEED, section, src.seed)?;
        }
        let t = &self.thresholds;
        check(
            limits::MIN_TEXT_HITS,
            "[thresholds]".into(),
            Some(t.min_text_hits),
        )?;
        check(
            limits::EVIDENCE_PER_LABEL,
            "[thresholds]".into(),
            Some(t.evidence_per_label as u64),
        )?;
        Ok(())
    }

    /// Checks the names the file gives against the detector pack the scan
    /// will use: `[detectors]` entries (ids or labels) and the labels of
    /// policies. A misspelt label would make a policy that never fires.
    pub fn check_names(&self, path: &Path, pack: &Pack) -> Result<(), String> {
        let place = |what: String| format!("config {}: {what}", path.display());
        if let Some((list, entry)) = self.detectors.unknown(pack) {
            return Err(place(format!(
                "[detectors] {list}: '{entry}' is neither a detector id nor a label of the detector pack (see `ferret detectors list`)"
            )));
        }
        let has_label = |l: &String| pack.detectors.iter().any(|d| &d.spec.label == l);
        let allows = self
            .policy
            .allow
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("[[policy.allow]] #{}", i + 1), &a.labels));
        let rules = self
            .policy
            .rule
            .iter()
            .map(|r| (format!("[[policy.rule]] '{}'", r.name), &r.labels));
        for (what, labels) in allows.chain(rules) {
            if let Some(l) = labels.iter().find(|l| !has_label(l)) {
                return Err(place(format!(
                    "{what}: label '{l}' is not a label of the detector pack (see `ferret detectors list`)"
                )));
            }
        }
        Ok(())
    }
}

/// `ferret check-config FILE`: reads and checks the config as `scan` would
/// (syntax, unknown keys, globs, inline passwords, environment variables),
/// so a deployment can validate it before the nightly run.
pub fn check(path: &Path, detectors: &[PathBuf]) -> i32 {
    let checked = load(Some(path)).and_then(|c| {
        let pack = Pack::load(detectors).map_err(|e| e.to_string())?;
        c.check_names(path, &pack)?;
        Ok(c)
    });
    match checked {
        Ok(c) => {
            println!(
                "{}: ok ({} target(s), {} source(s), {} postgres server(s), {} allow-list entr(ies), {} policy rule(s))",
                path.display(),
                c.targets.len(),
                c.source.len(),
                c.postgres.len(),
                c.policy.allow.len(),
                c.policy.rule.len()
            );
            super::exit::CLEAN
        }
        Err(e) => {
            eprintln!("ferret: {e}");
            super::exit::USAGE
        }
    }
}

pub fn load(path: Option<&Path>) -> Result<Config, String> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    let config = parse(&text, path)?;
    // `[[source]]` headers in file order, which is the array's order.
    let mut headers = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[source]]"))
        .map(|(i, _)| i + 1);
    for (i, src) in config.source.iter().enumerate() {
        let line = headers.next();
        if let Err(e) = src.check() {
            let place = line.map(|l| format!(", line {l}")).unwrap_or_default();
            return Err(format!(
                "config {}{place} ([[source]] #{}): {e}",
                path.display(),
                i + 1
            ));
        }
    }
    config
        .check_ranges()
        .map_err(|e| format!("config {}: {e}", path.display()))?;
    let t = &config.thresholds;
    for (name, v) in [
        ("min_confidence", t.min_confidence),
        ("min_value_ratio", t.min_value_ratio),
        ("min_validation_rate", t.min_validation_rate),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(format!(
                "config {}: thresholds.{name} must be within 0..1",
                path.display()
            ));
        }
    }
    Ok(config)
}

/// Parses config text; errors say `config FILE, line L, column C: why`.
pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|span| {
                let (line, column) = line_column(text, span.start);
                format!(", line {line}, column {column}")
            })
            .unwrap_or_default();
        // The key of the line at fault, when the error is about a value
        // (toml's message names the value's type, not its key). Only the
        // key: the line's value could be a secret.
        let key = e
            .span()
            .and_then(|span| text.get(..span.start))
            .and_then(|before| {
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let line = text.get(start..)?.lines().next()?;
                let (key, _) = line.split_once('=')?;
                let key = key.trim();
                let bare = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                let named = e.message().contains(key);
                (bare && !named).then(|| format!(", key {key}"))
            })
            .unwrap_or_default();
        // toml quotes the value it could not take: a string is not shown
        // (a password pasted into the wrong key), and the rest goes through
        // the redaction of credentials, as every message about a target.
        let why = crate::redact::credentials(&hide_quoted_string(e.message().trim()));
        format!("config {}{place}{key}: {why}", path.display())
    })
}

/// `invalid type: string "hunter2", expected u64` without the string: a
/// value typed into the wrong key can be a secret.
fn hide_quoted_string(message: &str) -> String {
    if let (Some(start), Some(end)) = (message.find("string \""), message.rfind("\", expected"))
        && end >= start + "string \"".len()
    {
        return format!(
            "{}a string (not shown){}",
            &message[..start],
            &message[end + 1..]
        );
    }
    message.to_string()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_typos() {
        let c: Config = toml::from_str(
            "[thresholds]\nmin_confidence = 0.7\n[detectors]\ndisable = ['PHONE']\n",
        )
        .unwrap();
        assert_eq!(c.thresholds.min_confidence, 0.7);
        assert!(!c.detectors.keeps("phone_e164", "PHONE"));
        assert!(c.detectors.keeps("email", "EMAIL"));
        assert!(toml::from_str::<Config>("[thresholds]\nmin_confidense = 0.7\n").is_err());
        let c: Config = toml::from_str(
            "targets = ['s3://lake/a/', 's3://other']\n[s3]\nendpoint = 'http://127.0.0.1:9000'\nconcurrency = 8\n",
        )
        .unwrap();
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.s3.concurrency, Some(8));
        assert!(toml::from_str::<Config>("[s3]\nendpont = 'x'\n").is_err());
        // PATH is set wherever tests run; a variable that is not set fails.
        let c: Config = toml::from_str(
            "[[postgres]]\nurl = 'postgres://ferret@db:5432/app'\npassword_env = 'PATH'\n",
        )
        .unwrap();
        assert_eq!(
            c.postgres[0].password_env.as_ref().map(|e| e.0.as_str()),
            Some("PATH")
        );
        assert!(
            toml::from_str::<Config>("[[postgres]]\nurl = 'x'\npassword = 'inline'\n").is_err()
        );
    }

    /// The scan arguments `ferret scan <flags> x` parses to.
    fn run_args(flags: &[&str]) -> crate::cli::ScanArgs {
        use clap::Parser;
        let argv = ["ferret", "scan"].iter().chain(flags).chain(&["x"]);
        match crate::cli::Cli::try_parse_from(argv).map(|c| c.command) {
            Ok(crate::cli::Command::Scan(a)) => *a,
            other => panic!("not a scan: {other:?}"),
        }
    }

    fn source(keys: &str) -> Source {
        let c: Config = toml::from_str(&format!("[[source]]\ntarget = 'x'\n{keys}")).unwrap();
        c.source.into_iter().next().unwrap()
    }

    #[test]
    fn a_sources_sampling_keys_win_over_the_runs_flags_and_the_rest_is_kept() {
        let run = run_args(&["--sample-rows", "30", "--seed", "1", "--max-objects", "3"]);
        // No keys: the run's values, flags and defaults alike.
        let a = source("").sampled_args(&run).unwrap();
        assert_eq!((a.sample_rows, a.seed, a.max_objects), (30, 1, 3));
        assert_eq!(a.sample_bytes, 4 << 20);
        assert!(!a.full && !a.metadata_only);
        // Each key replaces only its own value.
        let a = source(
            "sample_rows = 7\nseed = 9\nsample_bytes = 512\nmax_objects = 2\nmax_decompressed_bytes = 99\n",
        )
        .sampled_args(&run)
        .unwrap();
        assert_eq!(
            (a.sample_rows, a.seed, a.sample_bytes, a.max_objects),
            (7, 9, 512, 2)
        );
        assert_eq!(a.max_decompressed_bytes, 99);
        assert_eq!(
            source("")
                .sampled_args(&run)
                .unwrap()
                .max_decompressed_bytes,
            4 << 30
        );
        // The mode: a source's choice replaces the run's, either way.
        let meta = run_args(&["--metadata-only"]);
        let full = run_args(&["--full"]);
        let a = source("full = true\n").sampled_args(&meta).unwrap();
        assert!(a.full && !a.metadata_only);
        let a = source("metadata_only = true\n")
            .sampled_args(&full)
            .unwrap();
        assert!(!a.full && a.metadata_only);
        // A source naming its row count wants a sample, whatever the run's mode.
        let a = source("sample_rows = 5\n").sampled_args(&full).unwrap();
        assert!(!a.full && !a.metadata_only && a.sample_rows == 5);
        let a = source("full = false\n").sampled_args(&full).unwrap();
        assert!(!a.full);
        // An unrelated key keeps the run's mode.
        let a = source("seed = 2\n").sampled_args(&full).unwrap();
        assert!(a.full);
        // Contradictions and empty samples are errors, not silent choices.
        let e = source("full = true\nmetadata_only = true\n").sampled_args(&run);
        assert!(e.unwrap_err().contains("cannot both be true"));
        let e = source("sample_rows = 0\n").sampled_args(&run);
        assert!(e.unwrap_err().contains("sample_rows must be at least 1"));
        let e = source("max_objects = 0\n").sampled_args(&run);
        assert!(e.unwrap_err().contains("max_objects must be at least 1"));
    }

    /// A secret typed into a number's key is not quoted back, and the
    /// message still names the key and the place.
    #[test]
    fn a_string_where_a_number_belongs_is_not_echoed() {
        let p = Path::new("ferret.toml");
        let e = parse("[s3]\nconcurrency = 'hunter2 \" , expected x'\n", p).unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("line 2") && e.contains("key concurrency"), "{e}");
        assert!(e.contains("a string (not shown), expected"), "{e}");
        let e = parse("[s3]\nmax_attempts = 'x'\n", p).unwrap_err();
        assert!(e.contains("not shown") && e.contains("max_attempts"), "{e}");
    }

    #[test]
    fn errors_name_the_file_and_place_and_never_quote_secrets() {
        let p = Path::new("ferret.toml");
        let e = parse("targets = ['a']\n\n[thresholds]\nmin_confidense = 0.7\n", p).unwrap_err();
        assert!(
            e.starts_with("config ferret.toml, line 4, column 1:"),
            "{e}"
        );
        assert!(e.contains("min_confidense"), "{e}");
        let e = parse("[[postgres]]\nurl = 'postgres://alice:hunter2@db/app'\n", p).unwrap_err();
        assert!(
            e.contains("line 2, column 7") && e.contains("inline password"),
            "{e}"
        );
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse("targets = ['postgres://u@db/app?password=hunter2']\n", p).unwrap_err();
        assert!(
            e.contains("inline password") && !e.contains("hunter2"),
            "{e}"
        );
        let e = parse(
            "[[source]]\ntarget = 'postgres://u@db/app'\npassword_env = 'FERRET_TEST_SURELY_UNSET_VAR'\n",
            p,
        )
        .unwrap_err();
        assert!(
            e.contains("line 3") && e.contains("FERRET_TEST_SURELY_UNSET_VAR is not set"),
            "{e}"
        );
        let e = parse("[[source]]\ntarget = 'data'\nexclude = ['ok', '[bad']\n", p).unwrap_err();
        assert!(e.contains("line 3") && e.contains("bad glob '[bad'"), "{e}");
        let c = parse(
            "[output]\nformat = 'csv'\nmetrics_file = 'm.prom'\n[[policy.rule]]\nname = 'r'\nlabels = ['CREDIT_CARD']\n",
            p,
        )
        .unwrap();
        assert_eq!(c.output.format, Some(OutputFormat::Csv));
        assert_eq!(c.policy.rule.len(), 1);
    }
}
