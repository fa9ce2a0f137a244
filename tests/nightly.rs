//! Nightly operations through the real binary: shards and merge, diff,
//! state re-evaluation, metrics, findings stream, config and policies.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// An inventory with its run-dependent times blanked.
fn timeless(mut inv: Value) -> Value {
    for key in ["started_at", "finished_at", "duration_ms"] {
        inv["scan"][key] = Value::Null;
    }
    inv
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Scans the demo as N shards, each to its own file; returns the paths.
fn shard_parts(dir: &Path, n: u64) -> Vec<String> {
    let demo = demo();
    (0..n)
        .map(|k| {
            let part = dir.join(format!("part-{k}.json"));
            let out = run(&[
                "scan",
                "--quiet",
                "--shard",
                &format!("{k}/{n}"),
                "-o",
                part.to_str().unwrap(),
                demo.to_str().unwrap(),
            ]);
            assert_eq!(code(&out), 0, "shard {k}: {}", stderr(&out));
            part.to_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn three_shards_merged_equal_one_run() {
    let dir = tempdir();
    let (c, whole, _) = scan_json(&[demo().to_str().unwrap()]);
    assert_eq!(c, 0);
    let parts = shard_parts(dir.path(), 3);

    // Every shard did some of the work, and none did all of it.
    let total = whole["assets"].as_array().unwrap().len();
    let mut sizes = Vec::new();
    for p in &parts {
        let part = read_json(Path::new(p));
        validate(&part);
        assert_eq!(part["scan"]["shard"]["count"], 3);
        sizes.push(part["assets"].as_array().unwrap().len());
    }
    assert_eq!(sizes.iter().sum::<usize>(), total, "{sizes:?}");
    assert!(sizes.iter().all(|&n| n < total), "{sizes:?}");

    let merged_path = dir.path().join("inventory.json");
    let mut args = vec!["merge", "-o", merged_path.to_str().unwrap()];
    // Order of the parts on the command line must not matter.
    args.extend(parts.iter().rev().map(String::as_str));
    let out = run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let merged = read_json(&merged_path);
    validate(&merged);
    assert_eq!(timeless(merged), timeless(whole));
}

#[test]
fn merge_refuses_mixed_missing_and_foreign_parts() {
    let dir = tempdir();
    let parts = shard_parts(dir.path(), 2);
    let out_path = dir.path().join("merged.json");
    let merge = |extra: &[&str]| {
        let mut args = vec!["merge", "-o", out_path.to_str().unwrap()];
        args.extend_from_slice(extra);
        run(&args)
    };

    // A missing shard: refused, nothing written; allowed with --allow-partial.
    let out = merge(&[&parts[0]]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
    assert!(!out_path.exists(), "a refused merge wrote output");
    let out = merge(&["--allow-partial", &parts[0]]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let partial = read_json(&out_path);
    validate(&partial);
    assert_eq!(partial["scan"]["shard"]["missing"], serde_json::json!([1]));
    std::fs::remove_file(&out_path).unwrap();

    // The same shard twice.
    let out = merge(&[&parts[0], &parts[0]]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("given twice"), "{}", stderr(&out));

    // A shard of another scan (other thresholds via another seed).
    let other = dir.path().join("other-1.json");
    let out = run(&[
        "scan",
        "--quiet",
        "--seed",
        "7",
        "--shard",
        "1/2",
        "-o",
        other.to_str().unwrap(),
        demo().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = merge(&[&parts[0], other.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("sampling settings") && err.contains("other-1.json"),
        "{err}"
    );

    // Corrupt and foreign JSON, named with the place.
    let corrupt = write(dir.path(), "corrupt.json", b"{\"schema_version\": ");
    let out = merge(&[&parts[0], corrupt.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("corrupt.json: not JSON (line 1"),
        "{}",
        stderr(&out)
    );
    let foreign = write(dir.path(), "foreign.json", b"{\"hello\": \"world\"}");
    let out = merge(&[foreign.to_str().unwrap(), &parts[1]]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not a ferret inventory"),
        "{}",
        stderr(&out)
    );
    assert!(!out_path.exists());

    // A whole (unsharded) scan is not a part.
    let whole = dir.path().join("whole.json");
    let out = run(&[
        "scan",
        "--quiet",
        "-o",
        whole.to_str().unwrap(),
        demo().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0);
    let out = merge(&[whole.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not a shard"), "{}", stderr(&out));
}

#[test]
fn bad_shard_specs_are_usage_errors() {
    let demo = demo();
    for spec in ["3/3", "1/0", "a/b", "2", "auto/3"] {
        let out = ferret()
            .args(["scan", "--quiet", "--shard", spec, demo.to_str().unwrap()])
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "--shard {spec}");
        assert!(stderr(&out).contains("--shard"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // auto/N reads the Indexed Job's index.
    let out = ferret()
        .args([
            "scan",
            "--quiet",
            "--shard",
            "auto/3",
            demo.to_str().unwrap(),
        ])
        .env("JOB_COMPLETION_INDEX", "2")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        inv["scan"]["shard"],
        serde_json::json!({"index": 2, "count": 3})
    );
}
