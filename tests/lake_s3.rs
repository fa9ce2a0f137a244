//! Lake table snapshots over a real S3-compatible server (moto): the tables
//! `scripts/lake-fixtures.sh` wrote are uploaded to a bucket, and their
//! snapshots read through the S3 store must be what the libraries reported
//! and what the local disk gives. Needs `FERRET_TEST_S3_ENDPOINT`
//! (`bash scripts/s3-server.sh run -- cargo test --test lake_s3`) and
//! `FERRET_TEST_LAKE_DIR`; fails loudly without them.
//!
//! One test in this binary, on purpose: it sets the AWS credential
//! variables for the SDK's chain, which is only sound while no other
//! thread reads the environment.

mod common;
#[path = "lake/common.rs"]
mod lakeutil;
mod s3util;

use ferret::source::lake::{self, LakeFormat, LakeSnapshot};
use ferret::source::store::s3::{S3Connector, S3Options};
use ferret::source::store::{DynStore, LocalStore};
use lakeutil::*;
use std::sync::Arc;

/// A file as both stores must agree on: key under the root, size,
/// partition values, removal version.
type FileView = (String, u64, Vec<(String, Option<String>)>, Option<String>);

fn view(files: &[lake::LakeFile], root: &str) -> Vec<FileView> {
    files
        .iter()
        .map(|f| {
            (
                f.meta.key[root.len() + 1..].to_string(),
                f.meta.size,
                f.partition_values.clone(),
                f.removed_at_version.clone(),
            )
        })
        .collect()
}

fn same_files(a: &[lake::LakeFile], a_root: &str, b: &[lake::LakeFile], b_root: &str) {
    assert_eq!(view(a, a_root), view(b, b_root));
}

fn same_snapshot(s3: &LakeSnapshot, s3_root: &str, local: &LakeSnapshot, local_root: &str) {
    assert_eq!(s3.version, local.version);
    assert_eq!(s3.sequence_number, local.sequence_number);
    assert_eq!(s3.schema_columns, local.schema_columns);
    assert_eq!(s3.partition_columns, local.partition_columns);
    same_files(&s3.live, s3_root, &local.live, local_root);
    same_files(
        &s3.stored_not_live,
        s3_root,
        &local.stored_not_live,
        local_root,
    );
    assert!(s3.missing.is_empty(), "{:?}", s3.missing);
}

#[test]
fn lake_snapshots_over_s3_match_the_libraries_and_the_local_disk() {
    let endpoint = s3util::endpoint();
    let dir = lake_dir();
    let m = manifest();
    let bucket = s3util::bucket("lake");
    let tables = [
        ("delta_people", LakeFormat::Delta),
        ("delta_checkpoint", LakeFormat::Delta),
        ("iceberg_people", LakeFormat::Iceberg),
        ("iceberg_people_snappy", LakeFormat::Iceberg),
    ];
    for (table, _) in tables {
        let local_root = root_of(&m, table);
        s3util::upload_dir(&bucket, &dir.join(&local_root), &format!("lake/{table}/"));
    }
    // SAFETY: the only test of this binary, before any runtime or client
    // thread exists.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", s3util::ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", s3util::SECRET_KEY);
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/ferret-test-config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ferret-test-credentials",
        );
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_SESSION_TOKEN");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let connector = S3Connector::new(S3Options {
            endpoint: Some(endpoint),
            ..S3Options::default()
        })
        .await
        .expect("S3 connector");
        let s3: DynStore = Arc::new(connector.bucket(&bucket));
        let local: DynStore = Arc::new(LocalStore::new(&dir));

        let listing = s3.list("lake/").await;
        assert!(listing.errors.is_empty(), "{:?}", listing.errors);
        let mut expected: Vec<(String, LakeFormat)> = tables
            .iter()
            .map(|(t, f)| (format!("lake/{t}"), *f))
            .collect();
        expected.sort();
        assert_eq!(lake::table_roots(&listing.objects), expected);

        for (table, format) in tables {
            let root = format!("lake/{table}");
            assert_eq!(lake::detect(&s3, &root).await, Some(format), "{root}");
            let from_s3 = lake::snapshot(&s3, &root, format)
                .await
                .unwrap_or_else(|e| panic!("{root} over S3: {e}"));
            assert_matches_library(&m, table, &root, &from_s3);
            let local_root = root_of(&m, table);
            let from_disk = lake::snapshot(&local, &local_root, format)
                .await
                .expect("local snapshot");
            same_snapshot(&from_s3, &root, &from_disk, &local_root);
        }
    });
}

/// `ferret scan s3://…` over the same tables: one `lake_table` asset each,
/// with the library's live and stored-not-live counts, as on the local disk.
#[test]
fn scanning_lake_tables_in_s3_matches_the_libraries() {
    let endpoint = s3util::endpoint();
    let dir = lake_dir();
    let m = manifest();
    let bucket = s3util::bucket("lakescan");
    let tables = ["delta_people", "iceberg_people"];
    for table in tables {
        s3util::upload_dir(
            &bucket,
            &dir.join(root_of(&m, table)),
            &format!("lake/{table}/"),
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args(["scan", "-q", "--s3-endpoint", &endpoint])
        .arg(format!("s3://{bucket}/lake/"))
        .env("AWS_ACCESS_KEY_ID", s3util::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", s3util::SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/ferret-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ferret-test-credentials",
        )
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run ferret");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).expect("inventory");
    let assets = inv["assets"].as_array().expect("assets");
    assert_eq!(assets.len(), tables.len(), "{}", inv["assets"]);
    for table in tables {
        let a = assets
            .iter()
            .find(|a| a["id"] == format!("s3://{bucket}/lake/{table}/"))
            .unwrap_or_else(|| panic!("no asset for {table}"));
        assert_eq!(a["kind"], "lake_table");
        let count = |v: &serde_json::Value| v.as_array().map(|a| a.len() as u64);
        assert_eq!(
            a["lake"]["live_files"].as_u64(),
            count(&m[table]["live"]),
            "{table}"
        );
        assert_eq!(
            a["lake"]["stored_not_live"]["files"].as_u64(),
            count(&m[table]["stored_not_live"]),
            "{table}"
        );
    }
}
