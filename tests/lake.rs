//! Lake table snapshots (`ferret::source::lake`) over the local disk, on
//! tables written by the formats' own libraries (`deltalake`, `pyiceberg`;
//! `scripts/lake-fixtures.sh`), compared with what those libraries report
//! (manifest.json). Without the fixtures these tests fail, saying which
//! script to run.

#[path = "lake/common.rs"]
mod lakeutil;

use ferret::source::lake::{self, LakeError, LakeFormat, LakeSnapshot};
use ferret::source::store::{DynStore, Listing, LocalStore, ObjectMeta, ObjectStore, StoreError};
use lakeutil::*;
use std::collections::BTreeSet;
use std::sync::Arc;

fn store() -> DynStore {
    Arc::new(LocalStore::new(lake_dir()))
}

async fn snap(root: &str, format: LakeFormat) -> Result<LakeSnapshot, LakeError> {
    lake::snapshot(&store(), root, format).await
}

#[tokio::test]
async fn delta_table_with_deleted_rows_matches_deltalake() {
    let m = manifest();
    let s = snap("delta_people", LakeFormat::Delta)
        .await
        .expect("snapshot");
    assert_matches_library(&m, "delta_people", "delta_people", &s);
    assert_eq!(
        s.metadata_file,
        "delta_people/_delta_log/00000000000000000000.json"
    );
    // No checkpoint: every removal's version is in the log, and is the
    // version at which deltalake stopped listing the file.
    for f in &s.stored_not_live {
        let rel = &f.meta.key["delta_people/".len()..];
        assert_eq!(
            f.removed_at_version.as_deref(),
            m["delta_people"]["removed_at"][rel].as_str(),
            "{rel}"
        );
    }
    assert!(
        !s.stored_not_live.is_empty(),
        "the delete left files in storage"
    );
    // The partition values that need escaping on disk and in the log.
    let countries: BTreeSet<String> = s
        .live
        .iter()
        .filter_map(|f| f.partition_values[0].1.clone())
        .collect();
    assert!(
        countries.contains("a/b 50%") && countries.contains("Côte d'Ivoire"),
        "{countries:?}"
    );
    assert!(
        s.warnings.iter().any(|w| w.contains("not vacuumed")),
        "{:?}",
        s.warnings
    );
}

#[tokio::test]
async fn delta_table_with_a_checkpoint_matches_deltalake() {
    let m = manifest();
    let t = &m["delta_checkpoint"];
    let s = snap("delta_checkpoint", LakeFormat::Delta)
        .await
        .expect("snapshot");
    assert_matches_library(&m, "delta_checkpoint", "delta_checkpoint", &s);
    let cp = t["last_checkpoint"]["version"]
        .as_u64()
        .expect("checkpoint version");
    assert_eq!(
        s.metadata_file,
        format!("delta_checkpoint/_delta_log/{cp:020}.checkpoint.parquet")
    );
    // Removed after the checkpoint: the version is known and is deltalake's;
    // removed in it: only a tombstone, so unknown or (never) another one.
    let mut after = 0;
    for f in &s.stored_not_live {
        let rel = &f.meta.key["delta_checkpoint/".len()..];
        let expected: u64 = t["removed_at"][rel]
            .as_str()
            .expect("removed_at")
            .parse()
            .expect("version");
        if expected > cp {
            after += 1;
            assert_eq!(f.removed_at_version, Some(expected.to_string()), "{rel}");
        } else {
            assert_eq!(
                f.removed_at_version, None,
                "{rel}: removed at {expected}, in the checkpoint"
            );
        }
    }
    assert!(after > 0, "some files were removed after the checkpoint");
    assert!(
        s.stored_not_live.len() > after,
        "some files were removed before the checkpoint"
    );
}

#[tokio::test]
async fn iceberg_tables_match_pyiceberg_for_every_avro_codec_and_format_v1() {
    let m = manifest();
    for table in [
        "iceberg_people",
        "iceberg_people_snappy",
        "iceberg_people_zstd",
        "iceberg_people_null",
        "iceberg_people_v1",
    ] {
        let root = root_of(&m, table);
        let s = snap(&root, LakeFormat::Iceberg)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_matches_library(&m, table, &root, &s);
        let t = &m[table];
        assert_eq!(s.sequence_number, t["sequence_number"].as_i64(), "{table}");
        assert_eq!(
            s.metadata_file,
            format!(
                "{root}/{}",
                t["metadata_file"].as_str().expect("metadata_file")
            )
        );
        assert_eq!(
            rel_keys(&root, &s.delete_files),
            strings(&t["delete_files"]),
            "{table}"
        );
        assert!(
            !s.stored_not_live.is_empty(),
            "{table}: the delete left files in storage"
        );
    }
}

#[tokio::test]
async fn hostile_delta_logs_are_errors_with_stable_codes() {
    for (table, code) in [
        ("hostile/delta_corrupt_commit", "corrupt_commit"),
        ("hostile/delta_missing_commit", "missing_commit"),
        ("hostile/delta_missing_checkpoint", "checkpoint_mismatch"),
        (
            "hostile/delta_checkpoint_size_mismatch",
            "checkpoint_mismatch",
        ),
    ] {
        let e = snap(table, LakeFormat::Delta).await.expect_err(table);
        assert_eq!(e.code(), code, "{table}: {e}");
    }
}

#[tokio::test]
async fn a_live_file_missing_from_storage_is_a_per_file_error() {
    let m = manifest();
    let s = snap("hostile/delta_missing_data", LakeFormat::Delta)
        .await
        .expect("the table's other files are still readable");
    let gone = strings(&m["hostile_delta_missing_data"]["missing"]);
    assert_eq!(rel_keys("hostile/delta_missing_data", &s.missing), gone);
    let mut expected_live = strings(&m["delta_people"]["live"]);
    expected_live.retain(|k| !gone.contains(k));
    assert_eq!(
        rel_keys("hostile/delta_missing_data", &s.live),
        expected_live
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("missing from storage")),
        "{:?}",
        s.warnings
    );
}

#[tokio::test]
async fn iceberg_metadata_naming_a_missing_or_truncated_manifest_is_an_error() {
    for table in [
        "hostile/iceberg_missing_manifest_list",
        "hostile/iceberg_missing_manifest",
    ] {
        let e = snap(table, LakeFormat::Iceberg).await.expect_err(table);
        assert_eq!(e.code(), "missing_manifest", "{table}: {e}");
    }
    let table = "hostile/iceberg_truncated_manifest";
    let e = snap(table, LakeFormat::Iceberg).await.expect_err(table);
    assert_eq!(e.code(), "corrupt_metadata", "{table}: {e}");
}

#[tokio::test]
async fn an_oversized_commit_is_refused_before_it_is_read() {
    // A copy of the Delta log whose next commit claims 2 GiB (sparse: no disk
    // used): the reader must refuse it from its listed size.
    let src = lake_dir().join("delta_people");
    let dir = tempfile::tempdir().expect("tempdir");
    let dst = dir.path().join("t");
    std::fs::create_dir_all(dst.join("_delta_log")).expect("mkdir");
    for e in std::fs::read_dir(src.join("_delta_log")).expect("log") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dst.join("_delta_log").join(e.file_name())).expect("copy");
    }
    let version: u64 = manifest()["delta_people"]["version"]
        .as_str()
        .expect("version")
        .parse()
        .expect("number");
    let big = std::fs::File::create(dst.join(format!("_delta_log/{:020}.json", version + 1)))
        .expect("create");
    big.set_len(2 << 30).expect("sparse file");
    let store: DynStore = Arc::new(LocalStore::new(dir.path()));
    let e = lake::snapshot(&store, "t", LakeFormat::Delta)
        .await
        .expect_err("too large");
    assert_eq!(e.code(), "metadata_too_large", "{e}");
}

#[tokio::test]
async fn roots_and_detection_over_a_listing() {
    let m = manifest();
    let listing = store().list("").await;
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    let roots = lake::table_roots(&listing.objects);
    let mut expected: Vec<(String, LakeFormat)> = vec![
        ("delta_checkpoint".into(), LakeFormat::Delta),
        ("delta_people".into(), LakeFormat::Delta),
        (
            "hostile/delta_checkpoint_size_mismatch".into(),
            LakeFormat::Delta,
        ),
        ("hostile/delta_corrupt_commit".into(), LakeFormat::Delta),
        ("hostile/delta_missing_checkpoint".into(), LakeFormat::Delta),
        ("hostile/delta_missing_commit".into(), LakeFormat::Delta),
        ("hostile/delta_missing_data".into(), LakeFormat::Delta),
        (
            "hostile/iceberg_missing_manifest".into(),
            LakeFormat::Iceberg,
        ),
        (
            "hostile/iceberg_missing_manifest_list".into(),
            LakeFormat::Iceberg,
        ),
        (
            "hostile/iceberg_truncated_manifest".into(),
            LakeFormat::Iceberg,
        ),
    ];
    for t in [
        "iceberg_people",
        "iceberg_people_snappy",
        "iceberg_people_zstd",
        "iceberg_people_null",
        "iceberg_people_v1",
    ] {
        expected.push((root_of(&m, t), LakeFormat::Iceberg));
    }
    expected.sort();
    assert_eq!(roots, expected);
    let st = store();
    for (root, format) in &roots {
        assert_eq!(lake::detect(&st, root).await, Some(*format), "{root}");
        // Every key under a root is either the table's metadata or a data
        // file the snapshot accounts for (live, or stored and not live).
        if root.starts_with("hostile") {
            continue;
        }
        let s = lake::snapshot(&st, root, *format).await.expect("snapshot");
        // The same from the whole store's listing, made once.
        let listed = lake::snapshot_listed(&st, root, *format, &listing.objects, Vec::new())
            .await
            .expect("snapshot from a listing");
        assert_eq!(listed, s, "{root}");
        let accounted: BTreeSet<&str> = s
            .live
            .iter()
            .chain(&s.stored_not_live)
            .map(|f| f.meta.key.as_str())
            .collect();
        for o in listing
            .objects
            .iter()
            .filter(|o| o.key.starts_with(&format!("{root}/")))
        {
            assert!(
                lake::is_table_metadata(root, *format, &o.key)
                    || accounted.contains(o.key.as_str()),
                "{} neither metadata nor accounted for",
                o.key
            );
        }
    }
    assert_eq!(lake::detect(&st, "iceberg").await, None);
    assert_eq!(lake::detect(&st, "delta_people/country=US").await, None);
    let e = snap("iceberg", LakeFormat::Delta)
        .await
        .expect_err("not a table");
    assert_eq!(e.code(), "not_a_table");
}

/// A local store that records every key read.
#[derive(Debug)]
struct Recording {
    inner: LocalStore,
    reads: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl ObjectStore for Recording {
    fn url(&self, key: &str) -> String {
        self.inner.url(key)
    }
    async fn list(&self, prefix: &str) -> Listing {
        self.inner.list(prefix).await
    }
    async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError> {
        self.inner.head(key).await
    }
    async fn get_range(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<bytes::Bytes, StoreError> {
        if let Ok(mut r) = self.reads.lock() {
            r.push(key.to_string());
        }
        self.inner.get_range(key, range).await
    }
}

#[tokio::test]
async fn a_snapshot_reads_metadata_only() {
    let m = manifest();
    for (table, format) in [
        ("delta_people", LakeFormat::Delta),
        ("delta_checkpoint", LakeFormat::Delta),
        ("iceberg_people", LakeFormat::Iceberg),
    ] {
        let root = root_of(&m, table);
        let rec = Arc::new(Recording {
            inner: LocalStore::new(lake_dir()),
            reads: Default::default(),
        });
        let store: DynStore = rec.clone();
        let s = lake::snapshot(&store, &root, format)
            .await
            .expect("snapshot");
        let reads = rec.reads.lock().map(|r| r.clone()).unwrap_or_default();
        assert!(!reads.is_empty(), "{table}");
        for key in &reads {
            assert!(
                lake::is_table_metadata(&root, format, key),
                "{table}: read {key}"
            );
        }
        let live: BTreeSet<&str> = s.live.iter().map(|f| f.meta.key.as_str()).collect();
        assert!(reads.iter().all(|k| !live.contains(k.as_str())));
        if table == "delta_checkpoint" {
            // From the checkpoint on: no commit before it is read.
            let cp = m[table]["last_checkpoint"]["version"]
                .as_u64()
                .expect("version");
            assert!(
                !reads
                    .iter()
                    .any(|k| k.ends_with(&format!("{:020}.json", cp.saturating_sub(1)))),
                "{reads:?}"
            );
        }
    }
}
