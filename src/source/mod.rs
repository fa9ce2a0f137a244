//! Sources: discovery of assets and reading them into string batches.
//! Knows nothing of detectors or outputs.

pub use api::{Discovery, ReadMode, ReadRequest, Source, SourceAsset};

pub mod api;
pub mod batch;
pub mod db;
pub mod discover;
pub mod files;
pub mod format;
pub mod lake;
pub mod seed;
pub mod store;
