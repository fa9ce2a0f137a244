//! Sources: discovery of assets and reading them into string batches.
//! Knows nothing of detectors or outputs.

pub mod batch;
pub mod db;
pub mod discover;
pub mod format;
pub mod lake;
pub mod seed;
pub mod store;
