//! Storage abstraction: list, head and ranged get.
//!
//! Every format reader reads through [`ObjectStore`] only, so the same reader
//! code serves the local disk and (next) S3. Keys are `/`-separated paths
//! relative to the store's root, whatever the backend.

mod local;

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
}

pub type DynStore = Arc<dyn ObjectStore>;
