//! Builders of small inventories for unit tests, so every module's tests
//! make assets, columns and labels the same way and a new inventory field
//! is added here once, not in every test module.

use super::*;

/// A value-scoped label with one masked evidence value and detector `x`.
pub(crate) fn label(name: &str, sensitivity: &str, confidence: f64) -> LabelResult {
    LabelResult {
        label: name.into(),
        category: "contact".into(),
        sensitivity: sensitivity.into(),
        confidence,
        scope: "value".into(),
        hit_ratio: 1.0,
        match_count: 1,
        candidate_count: 1,
        validated_count: 1,
        detectors: vec!["x".into()],
        evidence: vec!["j***@e******.com".into()],
        explanation: vec![],
        allowed_by: None,
    }
}

/// A string column of one value.
pub(crate) fn column(path: &str, labels: Vec<LabelResult>) -> Column {
    Column {
        path: path.into(),
        source_type: "string".into(),
        rows_seen: 1,
        values_scanned: 1,
        skipped_reason: None,
        comment: None,
        labels,
        name_hints: vec![],
        prevalence_upper_bound: None,
        fingerprint: None,
    }
}

/// A one-object CSV file asset of one row.
pub(crate) fn asset(id: &str, columns: Vec<Column>) -> Asset {
    Asset {
        id: id.into(),
        kind: "file".into(),
        format: "csv".into(),
        objects_total: 1,
        objects_sampled: 1,
        objects_carried_forward: None,
        bytes_total: 1,
        bytes_read: 1,
        partition_keys: vec![],
        schema_variants: 1,
        sampling: None,
        rows_sampled: 1,
        row_estimate: None,
        row_estimate_method: None,
        columns,
        errors: vec![],
        table: None,
        lake: None,
    }
}

/// An inventory of this build's schema version over `assets`, summarised.
pub(crate) fn inventory(assets: Vec<Asset>) -> Inventory {
    let mut inv = Inventory {
        schema_version: SCHEMA_VERSION.into(),
        scan: ScanInfo {
            tool: "ferret".into(),
            tool_version: "0.1.0".into(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: "2026-01-01T00:00:00.000Z".into(),
            duration_ms: 0,
            targets: vec!["data".into()],
            sampling: Sampling {
                mode: "sample".into(),
                sample_rows: 1000,
                seed: 0,
                window_bytes: 1,
                max_objects_per_asset: 8,
            },
            source_sampling: vec![],
            detector_pack: DetectorPackInfo {
                digest: "d".into(),
                detectors: 1,
                validated_detectors: 1,
                extra_dirs: vec![],
            },
            thresholds: Thresholds::default(),
            io: None,
            incremental: None,
            shard: None,
        },
        summary: Summary::default(),
        assets,
        skipped: vec![],
        lineage_hints: vec![],
        policy_violations: vec![],
    };
    inv.summarise();
    inv
}
