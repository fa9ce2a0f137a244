//! Helpers for the tests against a real S3-compatible server (moto, started
//! by `scripts/test.sh` through `scripts/s3-server.sh`, which exports
//! `FERRET_TEST_S3_ENDPOINT`). Without it these tests fail, on purpose: run
//! `bash scripts/s3-server.sh run -- cargo test --test s3_scan`.
#![allow(dead_code)]

pub mod proxy;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub const ACCESS_KEY: &str = "ferrettestkey";
pub const SECRET_KEY: &str = "ferret-test-secret-do-not-print";

pub fn endpoint() -> String {
    match std::env::var("FERRET_TEST_S3_ENDPOINT") {
        Ok(e) if !e.is_empty() => e,
        _ => panic!(
            "FERRET_TEST_S3_ENDPOINT is not set: these tests need a real S3-compatible server. \
             Run them through `bash scripts/test.sh`, or `bash scripts/s3-server.sh run -- cargo test --test s3_scan`."
        ),
    }
}

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

pub fn client_for(endpoint: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"))
        .force_path_style(true)
        .build();
    Client::from_conf(conf)
}

pub fn client() -> Client {
    client_for(&endpoint())
}

/// A new bucket with a name unique to this process and call.
pub fn bucket(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "ferret-{tag}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    );
    let c = client();
    runtime()
        .block_on(c.create_bucket().bucket(&name).send())
        .unwrap_or_else(|e| {
            panic!(
                "cannot create bucket on {}: {}",
                endpoint(),
                aws_sdk_s3::error::DisplayErrorContext(e)
            )
        });
    name
}

pub fn put(bucket: &str, key: &str, bytes: impl Into<Vec<u8>>) {
    put_many(bucket, vec![(key.to_string(), bytes.into())]);
}

/// Uploads objects, 32 at a time.
pub fn put_many(bucket: &str, objects: Vec<(String, Vec<u8>)>) {
    let c = client();
    runtime().block_on(async {
        use futures::StreamExt;
        let results: Vec<Result<(), String>> = futures::stream::iter(objects)
            .map(|(key, body)| {
                let c = c.clone();
                async move {
                    c.put_object()
                        .bucket(bucket)
                        .key(&key)
                        .body(ByteStream::from(body))
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| {
                            format!("{key}: {}", aws_sdk_s3::error::DisplayErrorContext(e))
                        })
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        for r in results {
            r.expect("upload");
        }
    });
}

pub fn delete(bucket: &str, key: &str) {
    runtime()
        .block_on(client().delete_object().bucket(bucket).key(key).send())
        .expect("delete");
}

/// Uploads a local folder's files under `prefix`.
pub fn upload_dir(bucket: &str, dir: &Path, prefix: &str) -> usize {
    let mut objects = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("rel")
            .to_string_lossy()
            .replace('\\', "/");
        objects.push((
            format!("{prefix}{rel}"),
            std::fs::read(entry.path()).expect("read"),
        ));
    }
    let n = objects.len();
    put_many(bucket, objects);
    n
}

/// `ferret scan` with the test credentials in the environment (and nothing
/// that could send the chain to an instance metadata service).
pub fn ferret_s3(endpoint: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"));
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent/ferret-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ferret-test-credentials",
        )
        .env_remove("FERRET_LOG")
        .args(["scan", "--s3-endpoint", endpoint]);
    cmd
}

/// Runs a scan against `endpoint`; returns (exit code, inventory, stderr).
/// The inventory is validated against the schema, and neither output may
/// hold the secret key.
pub fn scan_at(endpoint: &str, args: &[&str]) -> (i32, Value, String) {
    let out = ferret_s3(endpoint).args(args).output().expect("run ferret");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !stdout.contains(SECRET_KEY) && !stderr.contains(SECRET_KEY),
        "the secret key was printed"
    );
    let inv: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    crate::common::validate(&inv);
    (out.status.code().unwrap_or(-1), inv, stderr)
}

pub fn scan(args: &[&str]) -> (i32, Value, String) {
    scan_at(&endpoint(), args)
}

/// The assets of an inventory by id.
pub fn assets_by_id(inv: &Value) -> std::collections::BTreeMap<String, Value> {
    inv["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| (a["id"].as_str().unwrap_or_default().to_string(), a.clone()))
        .collect()
}

pub fn io(inv: &Value, field: &str) -> u64 {
    inv["scan"]["io"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("no scan.io.{field} in the inventory"))
}
