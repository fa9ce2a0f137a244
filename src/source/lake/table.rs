//! A lake table as a scan asset: its units are the live snapshot's data
//! files (sampled like a dataset's objects); the files storage still holds
//! beyond the snapshot are a second asset the scan classifies and reports
//! on this one, because a deletion is not complete until they are gone.

use super::{LakeFile, LakeSnapshot, snapshot_listed};
use crate::source::api::{AssetFacts, LakeFacts, ReadRequest, SourceAsset, SourceFailure, Values};
use crate::source::discover::LakeTablePlan;
use crate::source::files::read_file;
use crate::source::format::{BatchSink, Detected, ReadProblem, ReadStats, detect_format};
use crate::source::store::{DynStore, ObjectMeta};
use std::sync::Arc;
use tokio::runtime::Handle;

/// Reads the table's snapshot (metadata only) into an asset, or says why
/// it could not, as a failure on the table.
pub fn open(io: &Handle, plan: LakeTablePlan) -> Result<Box<dyn SourceAsset>, SourceFailure> {
    let snap = io
        .block_on(snapshot_listed(
            &plan.store,
            &plan.root,
            plan.format,
            &plan.objects,
            Vec::new(),
        ))
        .map_err(|e| SourceFailure {
            id: plan.id.clone(),
            kind: "lake_table",
            format: plan.format.as_str(),
            code: e.code(),
            message: crate::redact::credentials(&e.to_string()),
        })?;
    let snap = Arc::new(snap);
    Ok(Box::new(LakeTable::new(
        plan.id,
        plan.store,
        snap,
        Part::Live,
    )))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Live,
    StoredNotLive,
}

struct LakeTable {
    id: String,
    store: DynStore,
    snapshot: Arc<LakeSnapshot>,
    part: Part,
    units: Vec<ObjectMeta>,
}

impl LakeTable {
    fn new(id: String, store: DynStore, snapshot: Arc<LakeSnapshot>, part: Part) -> Self {
        let files: &[LakeFile] = match part {
            Part::Live => &snapshot.live,
            Part::StoredNotLive => &snapshot.stored_not_live,
        };
        let units = files.iter().map(|f| f.meta.clone()).collect();
        let id = match part {
            Part::Live => id,
            Part::StoredNotLive => format!("{id}#stored_not_live"),
        };
        LakeTable {
            id,
            store,
            snapshot,
            part,
            units,
        }
    }

    fn facts_of(&self) -> LakeFacts {
        let s = &self.snapshot;
        // Delta versions are numbers: the earliest is the smallest; Iceberg
        // snapshot ids are not ordered, so the first one met stands.
        let since = s
            .stored_not_live
            .iter()
            .filter_map(|f| f.removed_at_version.clone())
            .min_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => std::cmp::Ordering::Equal,
            });
        LakeFacts {
            format: s.format.as_str().into(),
            version: s.version.clone(),
            metadata_file: self.store.url(&s.metadata_file),
            partition_columns: s.partition_columns.clone(),
            live_files: s.live.len() as u64,
            missing: s
                .missing
                .iter()
                .map(|f| self.store.url(&f.meta.key))
                .collect(),
            stored_files: s.stored_not_live.len() as u64,
            stored_bytes: s.stored_not_live.iter().map(|f| f.meta.size).sum(),
            since_version: since,
            warnings: s.warnings.clone(),
        }
    }
}

impl SourceAsset for LakeTable {
    fn id(&self) -> &str {
        &self.id
    }

    fn facts(&self) -> AssetFacts {
        AssetFacts {
            kind: "lake_table".into(),
            format: self.snapshot.format.as_str().into(),
            bytes_total: self.units.iter().map(|u| u.size).sum(),
            partition_keys: self.snapshot.partition_columns.clone(),
            table: None,
            lake: (self.part == Part::Live).then(|| self.facts_of()),
            columns: Vec::new(),
            values: Values::Read,
            sample_units: true,
            // A vacuum changes what is stored without touching the live
            // files the state would fingerprint: read again every run.
            incremental: false,
        }
    }

    fn units(&self) -> &[ObjectMeta] {
        &self.units
    }

    fn read(
        &self,
        io: &Handle,
        unit: &ObjectMeta,
        req: &ReadRequest,
        sink: &mut dyn BatchSink,
    ) -> Result<ReadStats, ReadProblem> {
        match detect_format(&unit.key, None) {
            Detected::Supported(format) => read_file(io, &self.store, unit, format, req, sink),
            Detected::Unsupported(reason) => Err(ReadProblem::new("unsupported_format", reason)),
        }
    }

    fn unit_url(&self, unit: &ObjectMeta) -> String {
        self.store.url(&unit.key)
    }

    fn stored_not_live(&self) -> Option<Box<dyn SourceAsset>> {
        (self.part == Part::Live && !self.snapshot.stored_not_live.is_empty()).then(|| {
            Box::new(LakeTable::new(
                self.id.clone(),
                self.store.clone(),
                self.snapshot.clone(),
                Part::StoredNotLive,
            )) as Box<dyn SourceAsset>
        })
    }
}
