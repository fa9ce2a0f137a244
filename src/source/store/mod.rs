//! Storage abstraction: list, head and ranged get.
//!
//! Every format reader reads through [`ObjectStore`] only, so the same reader
//! code serves the local disk and S3 (and S3-compatible stores). Keys are `/`-separated paths
//! relative to the store's root, whatever the backend.

mod local;
pub mod s3;

pub use local::LocalStore;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// What a listing or head tells about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `/`-separated path relative to the store root.
    pub key: String,
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
    /// Backend change token (S3 ETag); `None` on the local disk.
    pub etag: Option<String>,
}

/// Why a store operation failed. Messages never carry object contents.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    #[error("symlink loop at {0}")]
    SymlinkLoop(String),
    #[error("range {start}..{end} out of bounds for object of {size} bytes")]
    OutOfRange { start: u64, end: u64, size: u64 },
    #[error("i/o error: {0}")]
    Io(String),
    /// The store kept answering "slow down" / 503 after every retry.
    #[error("throttled: {0}")]
    Throttled(String),
    /// The credentials were refused (unknown key, bad signature, expired token).
    #[error("invalid credentials: {0}")]
    InvalidCredentials(String),
    /// No answer in time, after every retry.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The store could not be reached (connection refused, DNS, TLS).
    #[error("unreachable: {0}")]
    Unreachable(String),
}

impl StoreError {
    /// A short stable code for the inventory's error entries.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound(_) => "not_found",
            StoreError::PermissionDenied(_) => "permission_denied",
            StoreError::SymlinkLoop(_) => "symlink_loop",
            StoreError::OutOfRange { .. } => "out_of_range",
            StoreError::Io(_) => "io_error",
            StoreError::Throttled(_) => "throttled",
            StoreError::InvalidCredentials(_) => "invalid_credentials",
            StoreError::Timeout(_) => "timeout",
            StoreError::Unreachable(_) => "unreachable",
        }
    }
}

/// A listing: the objects found, and the entries that could not be listed
/// (unreadable folders, symlink loops). Listing errors never abort a scan.
#[derive(Debug, Default)]
pub struct Listing {
    pub objects: Vec<ObjectMeta>,
    pub errors: Vec<(String, StoreError)>,
}

#[async_trait]
pub trait ObjectStore: Send + Sync + fmt::Debug {
    /// The URL of a key, as used in asset ids (`file:///abs/path`, `s3://bucket/key`).
    fn url(&self, key: &str) -> String;
    /// Every object under `prefix` (recursive).
    async fn list(&self, prefix: &str) -> Listing;
    async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError>;
    /// Bytes `range` of an object; a range past the end is clipped to the end.
    async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, StoreError>;
    /// Requests sent and bytes received so far (for logs, the inventory and
    /// benchmarks); the local disk does not count.
    fn io_stats(&self) -> IoStats {
        IoStats::default()
    }
}

/// What a store has cost so far: requests by kind, attempts that failed and
/// were retried, and object bytes received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IoStats {
    pub list_requests: u64,
    pub get_requests: u64,
    pub head_requests: u64,
    /// Attempts that failed (5xx, throttling, timeouts, resets) and were retried
    /// while attempts remained.
    pub failed_attempts: u64,
    pub bytes_fetched: u64,
    /// Objects the listings returned (folder markers excluded); for progress
    /// only, not in the inventory.
    #[serde(default)]
    pub objects_listed: u64,
}

impl IoStats {
    pub fn add(&mut self, o: &IoStats) {
        self.list_requests += o.list_requests;
        self.get_requests += o.get_requests;
        self.head_requests += o.head_requests;
        self.failed_attempts += o.failed_attempts;
        self.bytes_fetched += o.bytes_fetched;
        self.objects_listed += o.objects_listed;
    }
}

pub type DynStore = Arc<dyn ObjectStore>;
