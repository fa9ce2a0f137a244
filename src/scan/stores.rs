//! `s3://bucket/prefix` targets: one SDK client per run (the credential
//! chain resolved once), one store per bucket (its own in-flight bound),
//! settings resolved by the caller ([`S3Settings`]).

use super::settings::S3Settings;
use crate::inventory::IoInfo;
use crate::source::store::s3::{S3Connector, S3Options};
use crate::source::store::{DynStore, IoStats};
use std::collections::BTreeMap;
use std::sync::Arc;

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
        settings: &S3Settings,
        bucket: &str,
        prefix: &str,
    ) -> Result<(DynStore, String), String> {
        if self.connector.is_none() {
            let defaults = S3Options::default();
            let opts = S3Options {
                endpoint: settings.endpoint.clone(),
                region: settings.region.clone(),
                path_style: settings.path_style,
                concurrency: settings.concurrency.unwrap_or(defaults.concurrency),
                max_attempts: settings
                    .max_attempts
                    .unwrap_or(defaults.max_attempts)
                    .max(1),
                connect_timeout: settings.connect_timeout.unwrap_or(defaults.connect_timeout),
                attempt_timeout: settings.attempt_timeout.unwrap_or(defaults.attempt_timeout),
                body_timeout: settings.read_timeout.unwrap_or(defaults.body_timeout),
            };
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
