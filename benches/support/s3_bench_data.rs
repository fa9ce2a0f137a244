//! Uploads the S3 benchmark's data set to an S3-compatible server (see
//! benches/s3_sample.sh):
//!
//! - bucket `bench-parquet`: `warehouse/events/part-N.parquet`, FILES files
//!   of ~MIB MiB each, row groups of ~1 MiB (incompressible text columns);
//! - bucket `bench-many`: 10,000 small JSON Lines objects.
//!
//! usage: s3_bench_data ENDPOINT [FILES] [MIB]

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

fn batch(start: usize, n: usize) -> RecordBatch {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ start as u64;
    let mut hex = |len: usize| {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(&format!("{x:016x}"));
        }
        s.truncate(len);
        s
    };
    let ids: Vec<i64> = (start..start + n).map(|i| i as i64).collect();
    let emails: Vec<String> = (start..start + n)
        .map(|i| format!("user{i}@example.com"))
        .collect();
    let notes: Vec<String> = (0..n).map(|_| hex(120)).collect();
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(ids))),
        ("email", Arc::new(StringArray::from(emails))),
        ("payload", Arc::new(StringArray::from(notes))),
    ];
    RecordBatch::try_from_iter(cols).expect("batch")
}

fn parquet_file(index: usize, mib: usize) -> Vec<u8> {
    // ~160 bytes a row: 6,500 rows is about 1 MiB, one row group.
    let rows_per_group = 6_500;
    let groups = mib.max(1);
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let mut buf = Vec::new();
    let first = batch(0, 1);
    let mut w = ArrowWriter::try_new(&mut buf, first.schema(), Some(props)).expect("writer");
    for g in 0..groups {
        w.write(&batch(
            index * 10_000_000 + g * rows_per_group,
            rows_per_group,
        ))
        .expect("write");
    }
    w.close().expect("close");
    buf
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let endpoint = args
        .get(1)
        .expect("usage: s3_bench_data ENDPOINT [FILES] [MIB]");
    let files: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);
    let mib: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
        .force_path_style(true)
        .build();
    let c = aws_sdk_s3::Client::from_conf(conf);
    for b in ["bench-parquet", "bench-many"] {
        let _ = c.create_bucket().bucket(b).send().await;
    }
    let mut total = 0u64;
    for i in 0..files {
        let data = parquet_file(i, mib);
        total += data.len() as u64;
        c.put_object()
            .bucket("bench-parquet")
            .key(format!("warehouse/events/part-{i:05}.parquet"))
            .body(ByteStream::from(data))
            .send()
            .await
            .expect("upload parquet");
    }
    println!("bench-parquet: {files} files, {total} bytes");
    let results: Vec<bool> = futures::stream::iter(0..10_000)
        .map(|i| {
            let c = c.clone();
            async move {
                c.put_object()
                    .bucket("bench-many")
                    .key(format!(
                        "clicks/dt=2024-01-{:02}/part-{i:05}.jsonl",
                        i % 28 + 1
                    ))
                    .body(ByteStream::from(
                        format!("{{\"email\":\"visitor{i}@example.com\",\"n\":{i}}}\n")
                            .into_bytes(),
                    ))
                    .send()
                    .await
                    .is_ok()
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let ok = results.iter().filter(|r| **r).count();
    println!("bench-many: {ok} objects");
    assert_eq!(ok, 10_000, "some uploads failed");
}
