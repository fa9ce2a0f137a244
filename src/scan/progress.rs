//! What a scan reports while it runs. The command line draws it (a bar on
//! a terminal, log lines otherwise); library callers may ignore it.

use std::sync::Arc;

/// Object-store traffic so far, as the stores' own counters say (the ones
/// the inventory's `scan.io` reports, so progress and inventory agree).
#[derive(Debug, Default, Clone, Copy)]
pub struct IoCounts {
    pub objects_listed: u64,
    pub bytes_fetched: u64,
}

/// Reads the counters while the scan runs.
pub type IoProbe = Arc<dyn Fn() -> IoCounts + Send + Sync>;

/// Events of one scan, in order: `started`, `listed`, then `object_read`,
/// `asset_done` and `asset_carried` from any worker thread, then `finished`.
pub trait Progress: Sync {
    /// Listing begins; `io` counts object-store bytes when the scan has buckets.
    fn started(&self, _io: Option<IoProbe>) {}
    /// Listing is over: `assets` to scan, `units` planned to be read.
    fn listed(&self, _assets: u64, _units: u64) {}
    /// One unit (object, table) was read or failed to read.
    fn unit_read(&self) {}
    /// An asset is finished.
    fn asset_done(&self) {}
    /// An asset was carried forward from the state: its `units` planned
    /// will not be read this run.
    fn asset_carried(&self, _units: u64) {}
    /// Every asset is done.
    fn finished(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
