//! `ferret scan s3://...` end to end: the real binary against a real
//! S3-compatible server (moto, see tests/s3util). Fixtures are uploaded
//! through the S3 API by each test into a bucket of its own.

mod common;
mod s3util;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use s3util::*;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;

fn parquet_bytes(batches: &[RecordBatch], row_group_rows: usize) -> Vec<u8> {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group_rows))
        .build();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batches[0].schema(), Some(props)).expect("writer");
    for b in batches {
        w.write(b).expect("write");
    }
    w.close().expect("close");
    buf
}

/// Rows of (id, email, note): `note` is pseudo-random hex, so the file does
/// not compress and its size is what it says.
fn people(start: usize, n: usize, note_len: usize) -> RecordBatch {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ start as u64;
    let mut note = || {
        let mut s = String::with_capacity(note_len);
        while s.len() < note_len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(&format!("{x:016x}"));
        }
        s.truncate(note_len);
        s
    };
    let ids: Vec<i64> = (start..start + n).map(|i| i as i64).collect();
    let emails: Vec<String> = (start..start + n)
        .map(|i| format!("person{i}@example.org"))
        .collect();
    let notes: Vec<String> = (0..n).map(|_| note()).collect();
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(ids))),
        ("email", Arc::new(StringArray::from(emails))),
        ("note", Arc::new(StringArray::from(notes))),
    ];
    RecordBatch::try_from_iter(cols).expect("batch")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

fn labels(asset: &Value, column: &str) -> Vec<String> {
    common::column_labels(asset, column)
}

fn asset_of<'a>(inv: &'a Value, id: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no asset {id} in {:?}", assets_by_id(inv).keys()))
}

#[test]
fn demo_folder_over_s3_classifies_like_the_local_scan() {
    let b = bucket("demo");
    let n = upload_dir(&b, &common::demo(), "demo/");
    assert!(n >= 8);
    let target = format!("s3://{b}/demo/");
    let (code, s3inv, stderr) = scan(&["--quiet", &target]);
    assert_eq!(code, 0, "{stderr}");
    let demo = common::demo();
    let (lcode, local, _) = common::scan_json(&[demo.to_str().expect("path")]);
    assert_eq!(lcode, 0);

    let local_root = format!(
        "file://{}",
        std::path::absolute(&demo).expect("abs").display()
    );
    let mut compared = 0;
    for (id, la) in assets_by_id(&local) {
        // The demo's SQLite file is a database locally; in a bucket it is a
        // skipped binary (databases are not read from object storage).
        if id.starts_with("sqlite://") {
            continue;
        }
        let rel = id
            .strip_prefix(&local_root)
            .expect("local id under the root");
        let s3id = format!("s3://{b}/demo{rel}");
        let sa = asset_of(&s3inv, &s3id);
        for field in [
            "kind",
            "format",
            "objects_total",
            "bytes_total",
            "partition_keys",
        ] {
            assert_eq!(sa[field], la[field], "{field} of {s3id}");
        }
        let cols = |a: &Value| -> Vec<(String, Vec<String>)> {
            a["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .map(|c| {
                    let p = c["path"].as_str().unwrap_or_default().to_string();
                    // Label order follows confidence, which may differ with
                    // the rows drawn (the seed mixes in the key): compare sets.
                    let mut l = labels(a, &p);
                    l.sort();
                    (p.clone(), l)
                })
                .collect()
        };
        assert_eq!(cols(sa), cols(&la), "columns and labels of {s3id}");
        compared += 1;
    }
    assert_eq!(compared, s3inv["assets"].as_array().expect("assets").len());
    assert!(compared >= 6);
    assert!(
        s3inv["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .any(|s| {
                s["object"].as_str().is_some_and(|o| o.ends_with("/crm.db"))
                    && s["reason"].as_str().is_some_and(|r| r.contains("sqlite"))
            }),
        "crm.db is listed as skipped: {}",
        s3inv["skipped"]
    );
    // The traffic is counted, and the text windows / parquet chunks were
    // read with ranged gets, not downloads of whole objects.
    assert!(io(&s3inv, "list_requests") >= 1);
    assert!(io(&s3inv, "get_requests") >= compared as u64);
    // Everything fetched is the assets' reads plus the first 4 KiB that
    // discovery sniffs of each file without a known extension (crm.db).
    let sniffed = 4096 * s3inv["skipped"].as_array().expect("skipped").len() as u64;
    let read = s3inv["summary"]["bytes_read"].as_u64().expect("bytes_read");
    let fetched = io(&s3inv, "bytes_fetched");
    assert!(
        fetched >= read && fetched <= read + sniffed,
        "fetched {fetched}, read {read}"
    );
    assert_eq!(s3inv["scan"]["targets"], serde_json::json!([target]));
}

#[test]
fn partitioned_parquet_compressed_text_and_binaries() {
    let b = bucket("lake");
    let mut objects = Vec::new();
    for (p, dt) in ["2024-01-01", "2024-01-02", "2024-01-03"]
        .iter()
        .enumerate()
    {
        for f in 0..2 {
            let start = (p * 2 + f) * 500;
            objects.push((
                format!("lake/orders/dt={dt}/part-{f:05}-3f2a9c1e.parquet"),
                parquet_bytes(&[people(start, 500, 16)], 100),
            ));
        }
    }
    let mut csv = String::from("name,contact\n");
    for i in 0..300 {
        csv.push_str(&format!("Person {i},contact{i}@example.com\n"));
    }
    objects.push(("lake/exports/contacts.csv.gz".into(), gzip(csv.as_bytes())));
    let mut jsonl = String::new();
    for i in 0..200 {
        jsonl.push_str(&format!(
            "{{\"user\":{{\"email\":\"u{i}@example.net\"}},\"n\":{i}}}\n"
        ));
    }
    objects.push(("lake/events/today.jsonl".into(), jsonl.into_bytes()));
    objects.push((
        "lake/images/photo.png".into(),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
    ));
    objects.push(("lake/blob.bin".into(), vec![0u8, 1, 2, 3, 0xff, 0xfe, 0, 0]));
    objects.push(("lake/empty/".into(), Vec::new())); // a folder marker
    put_many(&b, objects);

    let (code, inv, stderr) = scan(&["--quiet", &format!("s3://{b}/lake/")]);
    assert_eq!(code, 0, "{stderr}");
    let orders = asset_of(&inv, &format!("s3://{b}/lake/orders/"));
    assert_eq!(orders["kind"], "dataset");
    assert_eq!(orders["format"], "parquet");
    assert_eq!(orders["objects_total"], 6);
    assert_eq!(orders["partition_keys"], serde_json::json!(["dt"]));
    assert_eq!(labels(orders, "email"), ["EMAIL"]);
    assert_eq!(orders["row_estimate"], 3000);

    let contacts = asset_of(&inv, &format!("s3://{b}/lake/exports/contacts.csv.gz"));
    assert_eq!(contacts["format"], "csv+gzip");
    assert_eq!(labels(contacts, "contact"), ["EMAIL"]);
    assert_eq!(contacts["rows_sampled"], 300);

    let events = asset_of(&inv, &format!("s3://{b}/lake/events/today.jsonl"));
    assert_eq!(labels(events, "user.email"), ["EMAIL"]);

    let skipped: Vec<&str> = inv["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["object"].as_str())
        .collect();
    assert!(
        skipped.contains(&format!("s3://{b}/lake/images/photo.png").as_str()),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&format!("s3://{b}/lake/blob.bin").as_str()),
        "{skipped:?}"
    );
    assert_eq!(inv["assets"].as_array().expect("assets").len(), 3);

    // Include / exclude globs apply to keys.
    let (code, inv, _) = scan(&[
        "--quiet",
        "--include",
        "*.parquet",
        "--exclude",
        "*dt=2024-01-03*",
        &format!("s3://{b}/lake/"),
    ]);
    assert_eq!(code, 0);
    let ids: Vec<String> = assets_by_id(&inv).into_keys().collect();
    assert_eq!(ids, [format!("s3://{b}/lake/orders/")]);
    assert_eq!(asset_of(&inv, &ids[0])["objects_total"], 4);
}

#[test]
fn ten_thousand_objects_list_in_pages_into_one_dataset() {
    let b = bucket("many");
    let objects: Vec<(String, Vec<u8>)> = (0..10_000)
        .map(|i| {
            (
                format!("tables/clicks/part-{i:05}.jsonl"),
                format!("{{\"email\":\"visitor{i}@example.com\",\"page\":\"/p/{i}\"}}\n")
                    .into_bytes(),
            )
        })
        .collect();
    put_many(&b, objects);
    let started = std::time::Instant::now();
    let (code, inv, stderr) = scan(&["--quiet", &format!("s3://{b}/")]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    let a = asset_of(&inv, &format!("s3://{b}/tables/clicks/"));
    assert_eq!(a["objects_total"], 10_000);
    assert_eq!(a["objects_sampled"], 8);
    assert_eq!(labels(a, "email"), ["EMAIL"]);
    // ListObjectsV2 returns at most 1000 keys a page.
    assert!(io(&inv, "list_requests") >= 10, "{}", inv["scan"]["io"]);
    assert_eq!(io(&inv, "get_requests"), 8);
    eprintln!("listed and sampled 10,000 objects in {took:?}");
}

#[test]
fn large_parquet_is_sampled_with_few_ranged_reads() {
    let b = bucket("big");
    // ~260 MiB: 128 row groups of 5,000 rows of ~420 incompressible bytes.
    let batches: Vec<RecordBatch> = (0..16).map(|i| people(i * 40_000, 40_000, 400)).collect();
    let data = parquet_bytes(&batches, 5_000);
    let size = data.len() as u64;
    assert!(size > 250 << 20, "{size}");
    put(&b, "warehouse/big.parquet", data);
    let (code, inv, stderr) = scan(&["--quiet", &format!("s3://{b}/warehouse/")]);
    assert_eq!(code, 0, "{stderr}");
    let a = asset_of(&inv, &format!("s3://{b}/warehouse/big.parquet"));
    assert_eq!(a["bytes_total"], size);
    assert_eq!(a["row_estimate"], 640_000);
    assert_eq!(labels(a, "email"), ["EMAIL"]);
    let read = a["bytes_read"].as_u64().expect("bytes_read");
    assert!(
        read * 20 <= size,
        "a sample read {read} of {size} bytes (over 5%)"
    );
    let gets = io(&inv, "get_requests");
    assert!(gets <= 4, "{gets} requests for one sampled parquet object");
    eprintln!("sampled {read} of {size} bytes in {gets} ranged gets");

    // Full mode reads every byte of every row group, streaming.
    let (code, inv, stderr) = scan(&["--quiet", "--full", &format!("s3://{b}/warehouse/")]);
    assert_eq!(code, 0, "{stderr}");
    let a = asset_of(&inv, &format!("s3://{b}/warehouse/big.parquet"));
    assert_eq!(a["rows_sampled"], 640_000);
}

#[test]
fn bad_objects_are_errors_on_their_assets_and_the_rest_completes() {
    let b = bucket("bad");
    let good = parquet_bytes(&[people(0, 200, 8)], 100);
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let mut corrupt = good.clone();
    let n = corrupt.len();
    for x in &mut corrupt[n - 200..n - 8] {
        *x = 0xAB;
    }
    // A gzip bomb: 256 MiB of text lines, about 250 KiB compressed.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros: Vec<u8> =
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(1 << 14);
    for _ in 0..256 {
        enc.write_all(&zeros).expect("gzip");
    }
    let bomb = enc.finish().expect("gzip");
    put_many(
        &b,
        vec![
            ("good.parquet".into(), good),
            ("truncated.parquet".into(), truncated),
            ("corrupt.parquet".into(), corrupt),
            ("bomb.log.gz".into(), bomb),
        ],
    );
    let started = std::time::Instant::now();
    let (code, inv, stderr) = scan(&["--quiet", &format!("s3://{b}")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(started.elapsed().as_secs() < 120);
    let err_of = |name: &str| -> (String, String) {
        let a = asset_of(&inv, &format!("s3://{b}/{name}"));
        let e = &a["errors"][0];
        assert_eq!(e["object"], format!("s3://{b}/{name}"), "{a}");
        (
            e["code"].as_str().unwrap_or_default().to_string(),
            e["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    assert_eq!(err_of("truncated.parquet").0, "corrupt_parquet");
    assert_eq!(err_of("corrupt.parquet").0, "corrupt_parquet");
    let good = asset_of(&inv, &format!("s3://{b}/good.parquet"));
    assert!(good["errors"].as_array().expect("errors").is_empty());
    assert_eq!(labels(good, "email"), ["EMAIL"]);
    // The bomb is read through a bounded window: no error, bounded work.
    let bomb = asset_of(&inv, &format!("s3://{b}/bomb.log.gz"));
    assert!(bomb["bytes_read"].as_u64().expect("bytes") <= 4 << 20);
    assert_eq!(inv["summary"]["assets_with_errors"], 2);
}

#[test]
fn missing_bucket_is_an_asset_error_not_a_crash() {
    let (code, inv, stderr) = scan(&["--quiet", "s3://ferret-no-such-bucket-for-tests/x/"]);
    assert_eq!(code, 1, "{stderr}");
    let a = &inv["assets"][0];
    assert_eq!(a["errors"][0]["code"], "not_found");
    assert!(
        a["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("NoSuchBucket"),
        "{a}"
    );
    // A second, good target in the same run completes.
    let b = bucket("ok");
    put(&b, "a.csv", "email\nx1@example.com\nx2@example.com\n");
    let (code, inv, _) = scan(&[
        "--quiet",
        "s3://ferret-no-such-bucket-for-tests/",
        &format!("s3://{b}/"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        labels(asset_of(&inv, &format!("s3://{b}/a.csv")), "email"),
        ["EMAIL"]
    );
}

#[test]
fn targets_and_s3_settings_from_the_config_file() {
    let b = bucket("cfg");
    put(&b, "one/a.csv", "email\nx1@example.com\nx2@example.com\n");
    put(&b, "two/b.csv", "email\ny1@example.com\ny2@example.com\n");
    let dir = common::tempdir();
    let config = common::write(
        dir.path(),
        "ferret.toml",
        format!(
            "targets = ['s3://{b}/one/', 's3://{b}/two/']\n[s3]\nendpoint = '{}'\nconcurrency = 4\n",
            endpoint()
        )
        .as_bytes(),
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/ferret-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ferret-test-credentials",
        )
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .args([
            "scan",
            "--quiet",
            "--config",
            config.to_str().expect("path"),
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).expect("json");
    common::validate(&inv);
    let ids: Vec<String> = assets_by_id(&inv).into_keys().collect();
    assert_eq!(
        ids,
        [format!("s3://{b}/one/a.csv"), format!("s3://{b}/two/b.csv")]
    );
}

/// Incremental runs: unchanged assets are carried forward without reading,
/// changed ones rescanned, deleted ones dropped.
#[test]
fn state_carries_unchanged_assets_forward() {
    let b = bucket("state");
    put_many(
        &b,
        vec![
            (
                "a.csv".into(),
                b"email\nx1@example.com\nx2@example.com\n".to_vec(),
            ),
            (
                "b.jsonl".into(),
                b"{\"mail\":\"q@example.com\"}\n{\"mail\":\"r@example.com\"}\n".to_vec(),
            ),
            (
                "t/part-1.csv".into(),
                b"phone,email\n1,z1@example.com\n".to_vec(),
            ),
            (
                "t/part-2.csv".into(),
                b"phone,email\n2,z2@example.com\n".to_vec(),
            ),
            (
                "p/data.parquet".into(),
                parquet_bytes(&[people(0, 300, 8)], 100),
            ),
        ],
    );
    let dir = common::tempdir();
    let state = dir.path().join("ferret-state.json");
    let state_arg = state.to_str().expect("path");
    let target = format!("s3://{b}/");
    let run = || scan(&["--quiet", "--state", state_arg, &target]);

    let (code, first, stderr) = run();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first["scan"]["incremental"]["rescanned"], 4);
    assert_eq!(first["scan"]["incremental"]["carried_forward"], 0);
    assert!(state.exists());
    assert!(io(&first, "bytes_fetched") > 0);
    // No raw values in the state either.
    let text = std::fs::read_to_string(&state).expect("state");
    assert!(!text.contains("x1@example.com") && !text.contains("person1@example.org"));

    let (code, second, _) = run();
    assert_eq!(code, 0);
    assert_eq!(second["scan"]["incremental"]["carried_forward"], 4);
    assert_eq!(second["scan"]["incremental"]["rescanned"], 0);
    assert_eq!(io(&second, "get_requests"), 0);
    assert_eq!(io(&second, "bytes_fetched"), 0);
    assert_eq!(second["assets"], first["assets"]);
    assert_eq!(second["summary"], first["summary"]);

    // Change one object: only its asset is read again.
    put(
        &b,
        "b.jsonl",
        "{\"mail\":\"q@example.com\"}\n{\"ip\":\"10.1.2.3\"}\n{\"ip\":\"10.1.2.4\"}\n",
    );
    let (code, third, _) = run();
    assert_eq!(code, 0);
    assert_eq!(third["scan"]["incremental"]["carried_forward"], 3);
    assert_eq!(third["scan"]["incremental"]["rescanned"], 1);
    assert_eq!(io(&third, "get_requests"), 1);
    let changed = asset_of(&third, &format!("s3://{b}/b.jsonl"));
    assert!(
        changed["columns"]
            .as_array()
            .expect("cols")
            .iter()
            .any(|c| c["path"] == "ip")
    );

    // A new part in a dataset rescans the dataset, reading only the new
    // part (the others' results come from the state); a deleted file is
    // dropped.
    put(&b, "t/part-3.csv", "phone,email\n3,z3@example.com\n");
    delete(&b, "a.csv");
    let (code, fourth, _) = run();
    assert_eq!(code, 0);
    let inc = &fourth["scan"]["incremental"];
    assert_eq!(inc["carried_forward"], 2, "{inc}");
    assert_eq!(inc["rescanned"], 1, "{inc}");
    assert_eq!(inc["dropped"], 1, "{inc}");
    assert_eq!(inc["objects_read"], 1, "{inc}");
    assert_eq!(inc["objects_carried_forward"], 2, "{inc}");
    assert_eq!(io(&fourth, "get_requests"), 1);
    let t = asset_of(&fourth, &format!("s3://{b}/t/"));
    assert_eq!(t["objects_total"], 3);
    assert_eq!(t["objects_carried_forward"], 2);
    assert_eq!(t["rows_sampled"], 3);
    assert_eq!(fourth["assets"].as_array().expect("assets").len(), 3);

    // Other settings: the state is not reused.
    let (_, other, _) = scan(&["--quiet", "--seed", "9", "--state", state_arg, &target]);
    assert_eq!(other["scan"]["incremental"]["carried_forward"], 0);
    assert!(other["scan"]["incremental"]["state_ignored"].is_string());
}

/// Per-object incremental runs over a partitioned lake table: after a new
/// partition, a rewritten one and a deleted one, the next run reads only
/// the new and rewritten objects, and its asset is exactly what a fresh
/// scan without a state reports (in sample and in full mode).
#[test]
fn state_reads_only_new_and_changed_objects_of_a_dataset() {
    let b = bucket("incr");
    let part = |day: usize, start: usize| {
        (
            format!("orders/dt=2024-01-{day:02}/part-0.parquet"),
            parquet_bytes(&[people(start, 400, 24)], 100),
        )
    };
    put_many(&b, (1..=8).map(|d| part(d, d * 1000)).collect());
    let target = format!("s3://{b}/orders/");
    let id = target.clone();
    let dir = common::tempdir();
    for mode in [&["--max-objects", "4"][..], &["--full"][..]] {
        // Each mode starts from the same eight partitions.
        put_many(&b, (1..=8).map(|d| part(d, d * 1000)).collect());
        delete(&b, "orders/dt=2024-01-09/part-0.parquet");
        let state = dir.path().join(format!("state-{}.json", mode[0]));
        let state_arg = state.to_str().expect("path");
        let mut args = vec!["--quiet", "--state", state_arg];
        args.extend_from_slice(mode);
        args.push(&target);
        let (code, first, stderr) = scan(&args);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        let read_first = first["scan"]["incremental"]["objects_read"]
            .as_u64()
            .expect("objects_read");

        // dt=09 is new (and the newest), dt=05 is rewritten with other
        // rows, dt=01 is deleted.
        put_many(&b, vec![part(9, 9000), part(5, 50_000)]);
        delete(&b, "orders/dt=2024-01-01/part-0.parquet");
        let (code, second, stderr) = scan(&args);
        assert_eq!(code, 0, "{mode:?}: {stderr}");
        let inc = &second["scan"]["incremental"];
        let read = inc["objects_read"].as_u64().expect("objects_read");
        let carried = inc["objects_carried_forward"].as_u64().expect("carried");
        let asset = asset_of(&second, &id);
        assert_eq!(
            asset["objects_sampled"].as_u64(),
            Some(read + carried),
            "{mode:?} {inc}"
        );
        assert_eq!(
            asset["objects_carried_forward"].as_u64(),
            Some(carried),
            "{mode:?}"
        );
        if mode[0] == "--full" {
            // All 8 objects: dt=09 and dt=05 read, the other 6 carried.
            assert_eq!((read, carried, read_first), (2, 6, 8), "{mode:?} {inc}");
        } else {
            // 4 of 8: the newest two (dt=09 new, dt=08 kept), and random
            // picks that mostly stay the same.
            assert_eq!(read_first, 4);
            assert!(read <= 3 && carried >= 1, "{mode:?} {inc}");
        }

        let mut fresh_args: Vec<&str> = vec!["--quiet"];
        fresh_args.extend_from_slice(mode);
        fresh_args.push(&target);
        let (code, fresh, stderr) = scan(&fresh_args);
        assert_eq!(code, 0, "{stderr}");
        let mut incremental = asset.clone();
        incremental
            .as_object_mut()
            .expect("asset")
            .remove("objects_carried_forward");
        assert_eq!(&incremental, asset_of(&fresh, &id), "{mode:?}");
        assert!(
            io(&second, "get_requests") < io(&fresh, "get_requests"),
            "{mode:?}: the incremental run read as much as a fresh one"
        );
        assert_eq!(labels(&incremental, "email"), ["EMAIL"], "{mode:?}");
    }
}

/// `[[source]]` sampling keys on S3 targets: each source's own keys win over
/// the run's flag for its assets, and every asset records what it got.
#[test]
fn s3_sources_sample_by_their_own_settings() {
    let b = bucket("srcsampling");
    let rows = |tag: &str| {
        let mut csv = String::from("id,email\n");
        for i in 0..20 {
            csv.push_str(&format!("{i},{tag}{i}@example.org\n"));
        }
        csv
    };
    for i in 0..4 {
        put(&b, &format!("few/part-000{i}.csv"), rows(&format!("f{i}x")));
    }
    put(&b, "names/people.csv", rows("n"));
    put(&b, "default/people.csv", rows("d"));
    let dir = common::tempdir();
    let config = common::write(
        dir.path(),
        "ferret.toml",
        format!(
            "targets = ['s3://{b}/default/']\n\
             [[source]]\ntarget = 's3://{b}/few/'\nsample_rows = 6\nmax_objects = 2\nseed = 4\n\
             [[source]]\ntarget = 's3://{b}/names/'\nmetadata_only = true\n"
        )
        .as_bytes(),
    );
    let (code, inv, stderr) = scan(&[
        "--quiet",
        "--config",
        config.to_str().expect("path"),
        "--sample-rows",
        "30",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let few = asset_of(&inv, &format!("s3://{b}/few/"));
    assert_eq!(few["kind"], "dataset");
    assert_eq!(few["objects_total"], 4);
    assert_eq!(few["objects_sampled"], 2);
    // The rows are shared out over the objects read: 3 from each of 2.
    assert_eq!(few["rows_sampled"], 6);
    assert_eq!(few["sampling"]["sample_rows"], 6);
    assert_eq!(few["sampling"]["max_objects_per_asset"], 2);
    assert_eq!(few["sampling"]["seed"], 4);
    assert_eq!(labels(few, "email"), ["EMAIL"]);

    let names = asset_of(&inv, &format!("s3://{b}/names/people.csv"));
    assert_eq!(names["sampling"]["mode"], "metadata_only");
    assert_eq!(names["rows_sampled"], 0);

    let default = asset_of(&inv, &format!("s3://{b}/default/people.csv"));
    assert_eq!(default["sampling"]["mode"], "sample");
    assert_eq!(default["sampling"]["sample_rows"], 30);
    assert_eq!(default["rows_sampled"], 20);
    assert_eq!(inv["scan"]["sampling"]["sample_rows"], 30);
    let per_source: Vec<&str> = inv["scan"]["source_sampling"]
        .as_array()
        .expect("source_sampling")
        .iter()
        .map(|s| s["target"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        per_source,
        [format!("s3://{b}/few/"), format!("s3://{b}/names/")]
    );
}

/// The "progress" log lines of a scan's stderr (JSON logs), as their fields.
fn progress_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "progress")
        .map(|l| l["fields"].clone())
        .collect()
}

fn count(line: &Value, field: &str) -> u64 {
    line[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {field} in the progress line {line}"))
}

/// With stderr not a terminal (cron), progress goes to the log: periodic
/// lines (the interval forced short by FERRET_PROGRESS_INTERVAL_MS), one at
/// the end of listing and one at the end, whose counts are the inventory's:
/// objects read = the assets' objects_sampled, bytes = scan.io.
#[test]
fn progress_lines_in_the_log_match_the_inventory() {
    let b = bucket("progress");
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for table in ["a", "b", "c"] {
        for i in 0..12 {
            objects.push((
                format!("tables/{table}/part-{i:03}.csv"),
                format!("email,n\nperson{i}@example.com,{i}\n").into_bytes(),
            ));
        }
    }
    objects.push((
        "one.jsonl".into(),
        b"{\"email\":\"x@example.com\"}\n".to_vec(),
    ));
    objects.push(("tables/marker/".into(), Vec::new()));
    let listed = objects.len() as u64 - 1;
    put_many(&b, objects);

    let run = |interval: Option<&str>| {
        let mut cmd = ferret_s3(&endpoint());
        cmd.args(["--log-format", "json", &format!("s3://{b}/")]);
        match interval {
            Some(ms) => cmd.env("FERRET_PROGRESS_INTERVAL_MS", ms),
            None => cmd.env_remove("FERRET_PROGRESS_INTERVAL_MS"),
        };
        let out = cmd.output().expect("run ferret");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let inv: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
        common::validate(&inv);
        (inv, stderr)
    };

    let (inv, stderr) = run(Some("1"));
    let lines = progress_lines(&stderr);
    let phase = |p: &str| -> Vec<&Value> { lines.iter().filter(|l| l["phase"] == p).collect() };
    let assets = inv["assets"].as_array().expect("assets");
    assert_eq!(assets.len(), 4, "{}", inv["assets"]);
    let sampled: u64 = assets
        .iter()
        .map(|a| a["objects_sampled"].as_u64().expect("objects_sampled"))
        .sum();
    assert_eq!(sampled, 3 * 8 + 1);
    let fetched = io(&inv, "bytes_fetched");
    assert!(fetched > 0);

    let [at_listed] = phase("listed")[..] else {
        panic!("not one 'listed' progress line:\n{stderr}");
    };
    assert_eq!(count(at_listed, "assets_total"), 4);
    assert_eq!(count(at_listed, "assets_done"), 0);
    assert_eq!(count(at_listed, "objects_listed"), listed);
    assert_eq!(count(at_listed, "objects_planned"), sampled);
    assert_eq!(count(at_listed, "objects_read"), 0);

    let [last] = phase("scanned")[..] else {
        panic!("not one 'scanned' progress line:\n{stderr}");
    };
    assert_eq!(count(last, "assets_done"), 4);
    assert_eq!(count(last, "assets_total"), 4);
    assert_eq!(count(last, "objects_read"), sampled);
    assert_eq!(count(last, "objects_planned"), sampled);
    assert_eq!(count(last, "bytes_fetched"), fetched);

    // A 1 ms interval gives lines while the scan runs, never past the end.
    let periodic: Vec<&Value> = lines
        .iter()
        .filter(|l| l["phase"] == "scanning" || l["phase"] == "listing")
        .collect();
    assert!(!periodic.is_empty(), "no periodic progress line:\n{stderr}");
    for l in &periodic {
        assert!(count(l, "objects_read") <= sampled, "{l}");
        assert!(count(l, "bytes_fetched") <= fetched, "{l}");
        assert!(count(l, "assets_done") <= 4, "{l}");
    }
    // Counts only: no key, asset id or value.
    for l in &lines {
        let text = l.to_string();
        assert!(
            !text.contains("s3://") && !text.contains("example.com"),
            "{text}"
        );
    }

    // The default interval (10 s) is longer than this scan: only the
    // listing's and the final line.
    let (_, stderr) = run(None);
    let phases: Vec<String> = progress_lines(&stderr)
        .iter()
        .map(|l| l["phase"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(phases, ["listed", "scanned"], "{stderr}");
}
