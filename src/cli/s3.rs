//! `s3://bucket/prefix` targets: one SDK client per run (the credential
//! chain resolved once), one store per bucket (its own in-flight bound),
//! settings from the flags over the config file's `[s3]` section.

use super::ScanArgs;
use super::config::S3Config;
use crate::inventory::IoInfo;
use crate::source::store::s3::{S3Connector, S3Options};
use crate::source::store::{DynStore, IoStats};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A timeout from a flag or `[s3]` key (whole seconds), else the default;
/// zero is refused (it would fail every request at once).
fn secs(flag: &str, given: Option<u64>, default: Duration) -> Result<Duration, String> {
    match given {
        Some(0) => Err(format!("{flag} must be at least 1 second")),
        Some(n) => Ok(Duration::from_secs(n)),
        None => Ok(default),
    }
}

/// The buckets a run opened.
#[derive(Default)]
pub struct Buckets {
    connector: Option<S3Connector>,
    stores: BTreeMap<String, DynStore>,
}

impl Buckets {
    /// The store and prefix for `s3://bucket/prefix`. Credentials are not
    /// checked here (the first listing does, and its error lands on the
    /// target's entry in the inventory).
    pub fn open(
        &mut self,
        runtime: &tokio::runtime::Runtime,
        args: &ScanArgs,
        config: &S3Config,
        bucket: &str,
        prefix: &str,
    ) -> Result<(DynStore, String), String> {
        if self.connector.is_none() {
            let defaults = S3Options::default();
            let opts = S3Options {
                endpoint: args.s3_endpoint.clone().or_else(|| config.endpoint.clone()),
                region: args.s3_region.clone().or_else(|| config.region.clone()),
                path_style: args.s3_path_style.or(config.path_style),
                concurrency: args
                    .s3_concurrency
                    .or(config.concurrency)
                    .unwrap_or(defaults.concurrency),
                max_attempts: args
                    .s3_max_attempts
                    .or(config.max_attempts)
                    .unwrap_or(defaults.max_attempts),
                connect_timeout: secs(
                    "--s3-connect-timeout",
                    args.s3_connect_timeout.or(config.connect_timeout_secs),
                    defaults.connect_timeout,
                )?,
                attempt_timeout: secs(
                    "--s3-attempt-timeout",
                    args.s3_attempt_timeout.or(config.attempt_timeout_secs),
                    defaults.attempt_timeout,
                )?,
                body_timeout: secs(
                    "--s3-read-timeout",
                    args.s3_read_timeout.or(config.read_timeout_secs),
                    defaults.body_timeout,
                )?,
            };
            if opts.max_attempts == 0 {
                return Err("--s3-max-attempts must be at least 1".into());
            }
            self.connector = Some(runtime.block_on(S3Connector::new(opts))?);
        }
        let store = match (self.stores.get(bucket), &self.connector) {
            (Some(s), _) => s.clone(),
            (None, Some(c)) => {
                let s: DynStore = Arc::new(c.bucket(bucket));
                self.stores.insert(bucket.to_string(), s.clone());
                s
            }
            (None, None) => return Err("S3 client not initialised".into()),
        };
        Ok((store, prefix.to_string()))
    }

    /// A store whose counters cover every bucket of the run (they share one
    /// client and one set of counters), for progress to read while the scan
    /// runs; `None` when no bucket was opened.
    pub fn counters(&self) -> Option<DynStore> {
        self.stores.values().next().cloned()
    }

    /// Traffic of every bucket so far; `None` when no bucket was opened.
    pub fn io(&self) -> Option<IoInfo> {
        // Buckets share one set of counters (one client): read it once.
        let s: IoStats = self.counters()?.io_stats();
        Some(IoInfo {
            list_requests: s.list_requests,
            get_requests: s.get_requests,
            head_requests: s.head_requests,
            failed_attempts: s.failed_attempts,
            bytes_fetched: s.bytes_fetched,
        })
    }
}
