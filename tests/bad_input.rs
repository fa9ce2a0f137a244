//! Bad input: every case gives an error entry on its asset (or a clean skip
//! with a reason), the scan goes on with the rest, and the exit code says so.
//! Never a panic, never an abort.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;

/// A good file scanned beside every bad one: it must still be classified.
fn with_good_neighbour(dir: &std::path::Path) {
    write(dir, "good.csv", b"name,email\nAda,ada.lovelace@example.org\nAlan,alan.turing@example.net\nGrace,grace.hopper@example.com\n");
}

fn good_still_classified(inv: &Value) {
    let good = asset(inv, "/good.csv");
    assert_eq!(
        column_labels(good, "email"),
        ["EMAIL"],
        "the good file was not scanned properly"
    );
}

fn errors_of(inv: &Value, suffix: &str) -> Vec<String> {
    error_codes(asset(inv, suffix))
}

#[test]
fn truncated_and_corrupt_parquet() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    // A real parquet file cut in half, and garbage framed by the magic bytes.
    let real = std::fs::read(demo().join("customers.parquet")).expect("demo parquet");
    write(dir.path(), "cut.parquet", &real[..real.len() / 2]);
    let mut garbage = b"PAR1".to_vec();
    garbage.extend(std::iter::repeat_n(0xAB, 500));
    garbage.extend(100u32.to_le_bytes());
    garbage.extend(b"PAR1");
    write(dir.path(), "garbage.parquet", &garbage);
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "asset errors must give exit code 1");
    assert_eq!(errors_of(&inv, "/cut.parquet"), ["corrupt_parquet"]);
    assert_eq!(errors_of(&inv, "/garbage.parquet"), ["corrupt_parquet"]);
    good_still_classified(&inv);
}

#[test]
fn bad_gzip_and_bad_zstd() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    write(
        dir.path(),
        "broken.log.gz",
        b"\x1f\x8b\x08\x00garbage that is not deflate at all, not even close",
    );
    write(
        dir.path(),
        "broken.csv.zst",
        b"\x28\xb5\x2f\xfdnot a zstd frame",
    );
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(errors_of(&inv, "/broken.log.gz"), ["bad_gzip"]);
    assert_eq!(errors_of(&inv, "/broken.csv.zst"), ["bad_zstd"]);
    good_still_classified(&inv);
}

#[test]
fn invalid_utf8_is_reported_and_the_rest_still_scanned() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    let mut bytes = b"note\n".to_vec();
    for i in 0..50 {
        bytes.extend(format!("contact user{i}@example.org please\n").as_bytes());
    }
    bytes.extend(b"bad \xff\xfe bytes here\n");
    write(dir.path(), "mixed.csv", &bytes);
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(errors_of(&inv, "/mixed.csv"), ["invalid_utf8"]);
    assert_eq!(column_labels(asset(&inv, "/mixed.csv"), "note"), ["EMAIL"]);
    good_still_classified(&inv);
}

#[test]
fn a_gigabyte_without_newline_in_bounded_memory() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    let path = dir.path().join("one_line.txt");
    let mut f = std::fs::File::create(&path).expect("create");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..1024 {
        f.write_all(&chunk).expect("write");
    }
    drop(f);
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(errors_of(&inv, "/one_line.txt"), ["line_too_long"]);
    let a = asset(&inv, "/one_line.txt");
    assert!(
        a["bytes_read"].as_u64().unwrap() < 64 << 20,
        "sample mode must not read the whole file: {}",
        a["bytes_read"]
    );
    good_still_classified(&inv);
}

/// Lines of log with an email each, then a long run of one byte: 64 MiB of
/// text in a few hundred KiB of gzip or zstd.
fn bomb_text() -> Vec<u8> {
    let mut text = "user ann@example.com logged in\n".repeat(200).into_bytes();
    let filler = [vec![b'a'; 1023], vec![b'\n']].concat();
    while text.len() < 64 << 20 {
        text.extend_from_slice(&filler);
    }
    text
}

#[test]
fn a_decompression_bomb_stops_at_the_cap_with_its_rows_scanned() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    let text = bomb_text();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&text).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let zst = zstd::encode_all(&text[..], 19).expect("zstd");
    assert!(gz.len() < 1 << 20 && zst.len() < 1 << 20);
    write(dir.path(), "bomb.log.gz", &gz);
    write(dir.path(), "bomb.txt.zst", &zst);
    // Under the cap: read whole, no problem.
    write(dir.path(), "small.log.gz", &{
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"user bob@example.com logged in\n")
            .expect("gzip");
        e.finish().expect("gzip")
    });
    let cap = 4u64 << 20;
    let (code, inv, stderr) = scan_json(&[
        "--full",
        "--max-decompressed-bytes",
        &cap.to_string(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "a capped object is an asset error: {stderr}");
    for name in ["/bomb.log.gz", "/bomb.txt.zst"] {
        let a = asset(&inv, name);
        assert_eq!(error_codes(a), ["decompression_limit"], "{name}");
        let msg = a["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(&cap.to_string()), "{name}: {msg}");
        // The rows before the cap were scanned and classified.
        assert_eq!(column_labels(a, "line"), ["EMAIL"], "{name}");
        let rows = a["rows_sampled"].as_u64().unwrap_or_default();
        assert!(
            rows > 200 && rows <= cap / 1024 + 200,
            "{name}: {rows} rows"
        );
    }
    assert!(errors_of(&inv, "/small.log.gz").is_empty());
    good_still_classified(&inv);
    // The default cap (4 GiB) reads the 64 MiB whole.
    let (code, inv, _) = scan_json(&["--full", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let a = asset(&inv, "/bomb.log.gz");
    assert!(error_codes(a).is_empty());
    assert_eq!(
        a["rows_sampled"].as_u64(),
        Some(text.iter().filter(|&&b| b == b'\n').count() as u64)
    );
}

#[test]
fn empty_files_scan_clean() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    for name in ["empty.csv", "empty.jsonl", "empty.txt", "empty.log.gz"] {
        write(dir.path(), name, b"");
    }
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert!(code == 0 || code == 1, "exit {code}");
    for name in ["/empty.csv", "/empty.jsonl", "/empty.txt"] {
        let a = asset(&inv, name);
        assert_eq!(a["rows_sampled"], 0, "{name}");
        assert!(
            a["errors"].as_array().unwrap().is_empty(),
            "{name}: {}",
            a["errors"]
        );
    }
    good_still_classified(&inv);
}

#[test]
fn unreadable_files_are_permission_errors() {
    // Root reads everything, so the scan runs as `nobody` via setpriv.
    let dir = tempdir();
    let base = dir.path();
    std::fs::set_permissions(base, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    with_good_neighbour(base);
    std::fs::set_permissions(
        base.join("good.csv"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let secret = write(base, "secret.csv", b"email\nx@example.org\n");
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::create_dir(base.join("locked")).unwrap();
    write(base, "locked/inner.csv", b"a\n1\n");
    std::fs::set_permissions(
        base.join("locked"),
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_ferret"),
            "scan",
            "--quiet",
        ])
        .arg(base)
        .output()
        .expect("setpriv (util-linux) must be installed to run this test");
    let inv: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    validate(&inv);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(errors_of(&inv, "/secret.csv"), ["permission_denied"]);
    let msg = asset(&inv, "/secret.csv")["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("permission denied"), "{msg}");
    assert_eq!(errors_of(&inv, "/locked"), ["permission_denied"]);
    good_still_classified(&inv);
}

#[test]
fn symlink_loops_do_not_hang() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/back_to_top")).unwrap();
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(errors_of(&inv, "/sub/back_to_top"), ["symlink_loop"]);
    good_still_classified(&inv);
}

#[test]
fn a_hundred_thousand_tiny_files_are_one_dataset() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    let tiny = dir.path().join("tiny");
    std::fs::create_dir(&tiny).unwrap();
    for i in 0..100_000 {
        std::fs::write(tiny.join(format!("f{i:06}.txt")), format!("line {i}\n")).unwrap();
    }
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let a = asset(&inv, "/tiny/");
    assert_eq!(a["kind"], "dataset");
    assert_eq!(a["objects_total"], 100_000);
    assert_eq!(a["objects_sampled"], 8);
    good_still_classified(&inv);
}

#[test]
fn binary_files_are_skipped_with_a_reason() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    write(dir.path(), "image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let skipped = inv["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["object"].as_str().unwrap().ends_with("/image.bin")
                && s["reason"].as_str().unwrap().contains("png")),
        "{skipped:?}"
    );
    good_still_classified(&inv);
}

#[test]
fn output_to_a_pipe_or_device_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("inventory.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let demo = common::demo();
    let out = common::run(&[
        "scan",
        "--quiet",
        demo.to_str().unwrap(),
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let bytes = reader.join().unwrap();
    let inv: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(inv["summary"]["assets"], 9);
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the pipe is still a pipe"
    );
}

/// JSON Lines whose objects hold 20,000 distinct keys: classifying a column
/// once looked for keywords in every other column's name, quadratic in the
/// columns (184 s at 20,000 keys). The scan must end well inside the limit
/// below, with every column reported and the keyword in a neighbour's name
/// still seen.
#[test]
fn twenty_thousand_keys_are_classified_in_linear_time() {
    let dir = tempdir();
    with_good_neighbour(dir.path());
    let keys = 20_000;
    let mut text = String::new();
    for row in 0..3 {
        let fields: Vec<String> = (0..keys)
            .map(|i| format!("\"k{i}\":\"v{row}x{i}\""))
            .collect();
        text.push('{');
        text.push_str(&fields.join(","));
        text.push_str(",\"contact\":\"ada.lovelace@example.org\"}\n");
    }
    write(dir.path(), "wide.jsonl", text.as_bytes());
    let mut child = ferret()
        .args(["scan", "--full", "--quiet", "-o"])
        .arg(dir.path().join("inv.json"))
        .arg(dir.path().join("wide.jsonl"))
        .arg(dir.path().join("good.csv"))
        .spawn()
        .expect("ferret starts");
    let started = std::time::Instant::now();
    let limit = std::time::Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("a scan of {keys} keys ran past {limit:?}: not linear");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let inv: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("inv.json")).expect("inventory written"),
    )
    .expect("inventory is JSON");
    let wide = asset(&inv, "/wide.jsonl");
    let columns = wide["columns"].as_array().expect("columns");
    assert_eq!(columns.len(), keys + 1);
    assert_eq!(column_labels(wide, "contact"), ["EMAIL"]);
    good_still_classified(&inv);
}
