//! The configuration file (`--config ferret.toml`): thresholds and which
//! detectors run. Unknown keys are errors, so a typo never silently weakens
//! a scan.

use crate::inventory::Thresholds;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Targets scanned in addition to those on the command line.
    pub targets: Vec<String>,
    pub thresholds: Thresholds,
    pub detectors: DetectorSelection,
    pub s3: S3Config,
    /// PostgreSQL servers to scan besides the command line's targets.
    pub postgres: Vec<PostgresSource>,
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
}

/// `[[postgres]]`: a server, with its password taken from the environment
/// by name, so the file itself never holds a secret.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresSource {
    /// `postgres://user@host:port/db` (no password here).
    pub url: String,
    /// The environment variable holding the password (else `PGPASSWORD`, then `~/.pgpass`).
    pub password_env: Option<String>,
    /// Session limits, in seconds (the command line's defaults otherwise).
    pub statement_timeout_secs: Option<u64>,
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
    pub fn keeps(&self, id: &str, label: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|x| x == id || x == label);
        (self.enable.is_empty() || named(&self.enable)) && !named(&self.disable)
    }
}

pub fn load(path: Option<&Path>) -> Result<Config, String> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    let config: Config =
        toml::from_str(&text).map_err(|e| format!("config {}: {e}", path.display()))?;
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
        let c: Config = toml::from_str(
            "[[postgres]]\nurl = 'postgres://ferret@db:5432/app'\npassword_env = 'APP_DB_PASSWORD'\n",
        )
        .unwrap();
        assert_eq!(
            c.postgres[0].password_env.as_deref(),
            Some("APP_DB_PASSWORD")
        );
        assert!(
            toml::from_str::<Config>("[[postgres]]\nurl = 'x'\npassword = 'inline'\n").is_err()
        );
    }
}
