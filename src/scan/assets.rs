//! One asset, whatever its source: choose the units to read, take what the
//! incremental state kept, read the rest in parallel, fold the parts in
//! order, classify, and (with `--lineage`) fingerprint the columns.

use super::parts::{ObjectPart, Tally};
use super::progress::Progress;
use super::sampling::choose_objects;
use super::settings::SamplingSettings;
use super::state::State;
use crate::classify::{AssetProfile, Classifier, mask::redact};
use crate::inventory::{Asset, AssetError, Column, ForeignKey, LakeInfo, StoredNotLive, TableInfo};
use crate::lineage::{self, LineageKey};
use crate::source::api::{AssetFacts, HashRequest, LakeFacts, TableFacts, Values};
use crate::source::batch::string_field;
use crate::source::format::Flow;
use crate::source::store::ObjectMeta;
use crate::source::{ReadMode, ReadRequest, SourceAsset};
use arrow::datatypes::Schema;
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Units of one asset read (or taken from the state) before their parts
/// are folded: bounds the parts held in memory at once.
const UNITS_IN_FLIGHT: usize = 256;

/// What every asset of one sampling profile is scanned with.
pub(super) struct Job<'a> {
    pub classifier: &'a Classifier<'a>,
    pub lineage: Option<&'a LineageKey>,
    pub io: &'a tokio::runtime::Handle,
    pub sampling: &'a SamplingSettings,
    pub progress: &'a dyn Progress,
    /// With `--state`: where kept parts come from and go.
    pub state: Option<&'a State>,
}

/// How many of an asset's `listed` units a scan reads: all in full mode or
/// when units are not sampled, else at most `--max-objects` (as
/// `choose_objects` picks them). Known before the scan, so progress can
/// say how many reads remain.
pub(super) fn units_to_read(sampling: &SamplingSettings, sampled: bool, listed: usize) -> usize {
    match sampling.mode {
        ReadMode::Full => listed,
        _ if !sampled => listed,
        ReadMode::Sample | ReadMode::MetadataOnly => listed.min(sampling.max_objects.max(1)),
    }
}

pub(super) fn scan_asset(job: &Job, asset: &dyn SourceAsset) -> Asset {
    let facts = asset.facts();
    let all = asset.units();
    let sampling = job.sampling;
    let units = match sampling.mode {
        ReadMode::Sample | ReadMode::MetadataOnly if facts.sample_units => {
            choose_objects(all, sampling.max_objects.max(1), sampling.seed)
        }
        _ => all.to_vec(),
    };
    debug_assert_eq!(
        units.len(),
        units_to_read(sampling, facts.sample_units, all.len())
    );
    let quota = sampling.sample_rows.div_ceil(units.len().max(1));
    let mut tally = Tally::new();
    register_columns(&facts, &mut tally.profile);
    let mut errors = Vec::new();
    match &facts.values {
        Values::Read => read_units(job, asset, &facts, &units, quota, &mut tally),
        Values::NamesOnly => {}
        Values::Denied(reason) => errors.push(error(job, asset.id(), "permission_denied", reason)),
    }
    let mut method = tally.method.take();
    if sampling.mode == ReadMode::MetadataOnly {
        match asset.metadata_values(job.io) {
            Some(Ok((batch, how))) => {
                job.classifier.observe_batch(&batch, &mut tally.profile);
                method = Some(how.to_string());
            }
            Some(Err(p)) => errors.push(error(job, asset.id(), p.code, &p.message)),
            None => {}
        }
    }
    let Tally {
        profile,
        errors: read_errors,
        rows_sampled,
        mut bytes_read,
        sampled_bytes,
        mut estimate_rows,
        mut estimate_exact,
        estimate_from_metadata,
        column_sets,
        carried,
        units_read,
        row_count,
        ..
    } = tally;
    errors.splice(0..0, read_errors);

    let mut columns = job.classifier.finish(profile);
    for col in columns.iter_mut() {
        if let Some(c) = facts.columns.iter().find(|c| c.name == col.path) {
            col.comment = c.comment.clone();
        }
    }
    // Metadata-only reads of a table return no rows: nothing was sampled.
    let values_read =
        facts.values == Values::Read && units_read > 0 && sampling.mode != ReadMode::MetadataOnly;
    if let (Some(key), ReadMode::Sample | ReadMode::Full, true) =
        (job.lineage, sampling.mode, values_read)
    {
        let plan = HashPlan::new(key, &facts, asset, &columns);
        match asset.keyed_hashes(job.io, &plan.request()) {
            Some(Ok(hashed)) => {
                fingerprints_from_hashes(key, hashed, &plan.variants, plan.shift, &mut columns);
            }
            Some(Err(p)) => errors.push(error(
                job,
                asset.id(),
                p.code,
                &format!("lineage pass: {}", p.message),
            )),
            None => bytes_read += fingerprint_units(job, asset, key, &mut columns, &mut errors),
        }
    }

    let mut out = Asset {
        id: asset.id().to_string(),
        kind: facts.kind.clone(),
        format: facts.format.clone(),
        objects_total: all.len() as u64,
        objects_sampled: units.len() as u64,
        objects_carried_forward: (carried > 0).then_some(carried),
        bytes_total: facts.bytes_total,
        bytes_read,
        partition_keys: facts.partition_keys.clone(),
        schema_variants: column_sets.len() as u64,
        // Set by the caller, which knows the source's settings.
        sampling: None,
        rows_sampled,
        row_estimate: None,
        row_estimate_method: None,
        columns,
        errors,
        table: None,
        lake: None,
    };
    match &facts.table {
        Some(table) => {
            let (n, how) = match row_count {
                Some((n, how)) => (Some(n), Some(how)),
                None => (
                    table.row_estimate,
                    table.row_estimate.map(|_| "metadata".into()),
                ),
            };
            out.row_estimate = n.map(|n| n.round().max(0.0) as u64);
            out.row_estimate_method = how;
            out.objects_sampled = u64::from(values_read);
            out.schema_variants = u64::from(values_read);
            out.table = Some(table_info(table, method));
        }
        None => {
            let all_units = units.len() == all.len();
            if !all_units && sampled_bytes > 0 {
                estimate_rows *= facts.bytes_total as f64 / sampled_bytes as f64;
                estimate_exact = false;
            }
            let (n, how) = match sampling.mode {
                ReadMode::MetadataOnly if !estimate_from_metadata => (None, None),
                _ if estimate_exact && estimate_from_metadata => {
                    (Some(estimate_rows), Some("metadata"))
                }
                _ if estimate_exact => (Some(estimate_rows), Some("exact")),
                _ => (Some(estimate_rows), Some("extrapolated")),
            };
            out.row_estimate = n.map(|n| n.round() as u64);
            out.row_estimate_method = how.map(String::from);
        }
    }
    if let Some(lake) = &facts.lake {
        out.lake = Some(lake_info(job, asset, lake, &mut out));
    }
    if !out.errors.is_empty() {
        tracing::warn!(asset = %out.id, errors = out.errors.len(), "asset had errors");
    }
    if column_sets.len() > 1 {
        tracing::warn!(asset = %out.id, variants = column_sets.len(), "objects of one dataset differ in columns");
    }
    tracing::debug!(asset = %out.id, rows = rows_sampled, "asset scanned");
    out
}

/// A lake table's snapshot facts, with the files it no longer holds read
/// (a sample of them, bounded like a dataset's objects) and classified.
fn lake_info(job: &Job, asset: &dyn SourceAsset, lake: &LakeFacts, out: &mut Asset) -> LakeInfo {
    let mut stored = StoredNotLive {
        files: lake.stored_files,
        bytes: lake.stored_bytes,
        since_version: lake.since_version.clone(),
        files_sampled: 0,
        rows_sampled: 0,
        columns: Vec::new(),
    };
    if let Some(shadow) = asset.stored_not_live() {
        // Not kept in the state and not counted in progress: a part of
        // this asset, read again every run.
        let quiet = super::progress::NoProgress;
        let shadow_job = Job {
            classifier: job.classifier,
            lineage: None,
            io: job.io,
            sampling: job.sampling,
            progress: &quiet,
            state: None,
        };
        let read = scan_asset(&shadow_job, shadow.as_ref());
        stored.files_sampled = read.objects_sampled;
        stored.rows_sampled = read.rows_sampled;
        out.bytes_read += read.bytes_read;
        out.errors.extend(read.errors);
        if read.columns.iter().any(|c| !c.labels.is_empty()) {
            tracing::warn!(asset = %out.id, files = stored.files, "files removed from the table but still stored hold personal data");
        }
        stored.columns = read.columns;
    }
    for key in &lake.missing {
        out.errors.push(error(
            job,
            key,
            "missing_file",
            "the table's snapshot names this data file, but storage does not hold it",
        ));
    }
    LakeInfo {
        format: lake.format.clone(),
        version: lake.version.clone(),
        metadata_file: lake.metadata_file.clone(),
        partition_columns: lake.partition_columns.clone(),
        live_files: lake.live_files,
        missing_files: lake.missing.len() as u64,
        stored_not_live: stored,
        warnings: lake.warnings.clone(),
    }
}

/// Reads the units (in parallel: a dataset of many small objects is bound
/// by request latency, not CPU) and folds them in order, so the result does
/// not depend on which read finished first.
fn read_units(
    job: &Job,
    asset: &dyn SourceAsset,
    facts: &AssetFacts,
    units: &[ObjectMeta],
    quota: usize,
    tally: &mut Tally,
) {
    let sampling = job.sampling;
    // What a kept part depends on beyond the run's settings (which the
    // state checks as a whole): this source's sampling and caps, and in
    // sample mode the rows kept per unit.
    let kept_quota = matches!(sampling.mode, ReadMode::Sample).then_some(quota);
    let read_key = format!(
        "{}|max_decompressed_bytes={}",
        serde_json::to_string(&sampling.record()).unwrap_or_default(),
        sampling.max_decompressed_bytes
    );
    let state = job.state.filter(|_| facts.incremental);
    let part_of = |unit: &ObjectMeta| {
        if let Some(part) = state.and_then(|s| s.reuse(asset.id(), unit, &read_key, kept_quota)) {
            return (part, true);
        }
        let part = super::parts::read_part(job, asset, unit, quota);
        if let Some(s) = state {
            s.keep(asset.id(), unit, &read_key, kept_quota, &part);
        }
        (part, false)
    };
    for chunk in units.chunks(UNITS_IN_FLIGHT) {
        let parts: Vec<(ObjectPart, bool)> = chunk
            .par_iter()
            .map(|unit| {
                let done = part_of(unit);
                job.progress.unit_read();
                done
            })
            .collect();
        for ((part, carried), unit) in parts.into_iter().zip(chunk) {
            tally.add(job, part, unit.size, carried);
        }
    }
}

/// Registers every declared column in table order, read or not, so the
/// inventory lists them all (name hints work on unread columns too).
fn register_columns(facts: &AssetFacts, profile: &mut AssetProfile) {
    for col in &facts.columns {
        match (col.skipped, col.nested) {
            (Some(reason), _) => profile.skip_typed_column(&col.name, &col.source_type, reason),
            // Flattened paths appear as values are read.
            (None, true) => {}
            (None, false) => {
                let schema = Arc::new(Schema::new(vec![string_field(&col.name, &col.source_type)]));
                profile.observe_schema(&RecordBatch::new_empty(schema));
            }
        }
    }
}

fn table_info(t: &TableFacts, method: Option<String>) -> TableInfo {
    TableInfo {
        engine: t.engine.clone(),
        database: t.database.clone(),
        schema: t.schema.clone(),
        name: t.name.clone(),
        relation_kind: t.relation_kind.clone(),
        comment: t.comment.clone(),
        sampling_method: method.unwrap_or_else(|| "not_read".into()),
        partitions: t.partitions,
        foreign_keys: t
            .foreign_keys
            .iter()
            .map(|k| ForeignKey {
                name: k.name.clone(),
                columns: k.columns.clone(),
                references: k.references.clone(),
                referenced_columns: k.referenced_columns.clone(),
            })
            .collect(),
        depends_on: t.depends_on.clone(),
    }
}

fn error(job: &Job, object: &str, code: &str, message: &str) -> AssetError {
    let message = redact(job.classifier.pack(), message);
    tracing::warn!(object, code, "{message}");
    AssetError {
        object: Some(object.to_string()),
        code: code.to_string(),
        message,
    }
}

/// Labels (values and names) of a column, for choosing digest variants.
fn column_labels(c: &Column) -> BTreeSet<String> {
    c.labels
        .iter()
        .map(|l| l.label.clone())
        .chain(c.name_hints.iter().map(|h| h.label.clone()))
        .collect()
}

type Variants = HashMap<String, Vec<(String, &'static str, &'static str)>>;

/// What a source that hashes values where they live is asked for: digest
/// variants per column, the coordinated-sampling shift and the key pads.
struct HashPlan {
    ipad: Vec<u8>,
    opad: Vec<u8>,
    variants: Variants,
    shift: u32,
}

impl HashPlan {
    fn new(
        key: &LineageKey,
        facts: &AssetFacts,
        asset: &dyn SourceAsset,
        columns: &[Column],
    ) -> Self {
        use lineage::fingerprint::{self as fp, Algo};
        let algos: &[Algo] = if asset.hashes_sha1() {
            &Algo::ALL
        } else {
            &[Algo::Md5, Algo::Sha256]
        };
        let mut variants: Variants = HashMap::new();
        for c in columns {
            for norm in fp::norms_for(&column_labels(c)) {
                for algo in algos {
                    variants.entry(c.path.clone()).or_default().push((
                        fp::variant_name(*algo, norm),
                        algo.name(),
                        norm.name(),
                    ));
                }
            }
        }
        let (ipad, opad) = key.sql_pads();
        HashPlan {
            ipad,
            opad,
            variants,
            shift: fp::threshold_shift(facts.table.as_ref().and_then(|t| t.row_estimate)),
        }
    }

    fn request(&self) -> HashRequest<'_> {
        use lineage::fingerprint as fp;
        HashRequest {
            ipad: &self.ipad,
            opad: &self.opad,
            bound: fp::threshold_bound(self.shift).map(u64::to_be_bytes),
            k: fp::K,
            variants: &self.variants,
        }
    }
}

/// Fingerprints from hashes a source computed where the data lives.
fn fingerprints_from_hashes(
    key: &LineageKey,
    mut hashed: crate::source::api::KeyedHashes,
    variants: &Variants,
    shift: u32,
    columns: &mut [Column],
) {
    use lineage::fingerprint as fp;
    for c in columns.iter_mut() {
        let Some(mut rows) = hashed.remove(&c.path) else {
            continue;
        };
        rows.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let main: Vec<(u64, bool)> = rows
            .iter()
            .filter(|r| r.0.is_empty())
            .map(|r| (r.1, r.2))
            .collect();
        if main.is_empty() {
            continue;
        }
        let digests = main.iter().filter(|r| r.1).count();
        let mut vs = BTreeMap::new();
        for (name, _, _) in variants.get(&c.path).map(Vec::as_slice).unwrap_or(&[]) {
            let hs = rows.iter().filter(|r| &r.0 == name).map(|r| r.1);
            vs.insert(name.clone(), fp::encode(shift, hs));
        }
        c.fingerprint = Some(crate::inventory::Fingerprint {
            key_id: key.id().to_string(),
            method: fp::METHOD.into(),
            k: fp::K as u32,
            values_hashed: None,
            digest_hex: digests as f64 >= 0.9 * main.len() as f64,
            sketch: fp::encode(shift, main.iter().map(|r| r.0)),
            variants: vs,
        });
    }
}

/// The lineage pass by reading: every unit read whole (text formats past
/// the sample window, every Parquet row group, every row of a table), every
/// value keyed-hashed into its column's sketch. Coordinated sampling needs
/// every value to decide which enter; this is the cost `--lineage`
/// documents. Returns the bytes it fetched.
fn fingerprint_units(
    job: &Job,
    asset: &dyn SourceAsset,
    key: &LineageKey,
    columns: &mut [Column],
    errors: &mut Vec<AssetError>,
) -> u64 {
    let norms = columns
        .iter()
        .filter_map(|c| {
            let n = lineage::fingerprint::norms_for(&column_labels(c));
            (!n.is_empty()).then(|| (c.path.clone(), n))
        })
        .collect();
    let mut sketcher = lineage::ColumnSketcher::new(key, norms);
    let req = ReadRequest {
        mode: ReadMode::Full,
        rows: 0,
        seed: job.sampling.seed,
        window_bytes: job.sampling.sample_bytes,
        max_decompressed_bytes: job.sampling.max_decompressed_bytes,
    };
    let mut bytes = 0;
    let is_table = asset.facts().table.is_some();
    for unit in asset.units() {
        let mut sink = |batch: RecordBatch| {
            sketcher.observe(&batch);
            Flow::Continue
        };
        match asset.read(job.io, unit, &req, &mut sink) {
            Ok(stats) => bytes += stats.bytes_fetched,
            Err(p) if is_table => {
                errors.push(error(
                    job,
                    asset.id(),
                    p.code,
                    &format!("lineage pass: {}", p.message),
                ));
                return bytes;
            }
            Err(p) => {
                tracing::warn!(asset = %asset.id(), code = p.code, "lineage pass could not read an object; its values are missing from the fingerprints");
            }
        }
    }
    let mut prints = sketcher.finish();
    for c in columns.iter_mut() {
        c.fingerprint = prints.remove(&c.path);
    }
    bytes
}
