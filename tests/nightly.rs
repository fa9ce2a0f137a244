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

fn planted() -> Vec<String> {
    let v = read_json(&root().join("fixtures/truth/planted.json"));
    v["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect()
}

/// Fails if any value the fixture generator planted appears in `text`
/// (ferret's own timestamps blanked first, as in tests/no_raw_values.rs).
fn assert_no_planted(name: &str, text: &str) {
    let times =
        regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
            .unwrap();
    let text = times.replace_all(text, "<time>");
    let leaks: Vec<String> = planted()
        .into_iter()
        .filter(|v| text.contains(v.as_str()))
        .collect();
    assert!(leaks.is_empty(), "{name} leaks planted values: {leaks:?}");
}

/// (asset, column, label) -> sensitivity of every finding of an inventory.
fn findings_of(inv: &Value) -> std::collections::BTreeMap<(String, String, String), String> {
    let mut out = std::collections::BTreeMap::new();
    for a in inv["assets"].as_array().unwrap() {
        for c in a["columns"].as_array().unwrap() {
            for l in c["labels"].as_array().unwrap() {
                out.insert(
                    (
                        a["id"].as_str().unwrap().to_string(),
                        c["path"].as_str().unwrap().to_string(),
                        l["label"].as_str().unwrap().to_string(),
                    ),
                    l["sensitivity"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    out
}

fn rank(s: &str) -> u8 {
    match s {
        "low" => 1,
        "medium" => 2,
        "high" => 3,
        _ => 0,
    }
}

#[test]
fn diff_reports_new_findings_and_gates_on_them() {
    let dir = tempdir();
    let demo = demo();
    let cfg = write(
        dir.path(),
        "no-email.toml",
        b"[detectors]\ndisable = ['EMAIL']\n",
    );
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let out = run(&[
        "scan",
        "--quiet",
        "--config",
        cfg.to_str().unwrap(),
        "-o",
        old.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&[
        "scan",
        "--quiet",
        "-o",
        new.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Expected from the inventories themselves.
    let before = findings_of(&read_json(&old));
    let after = findings_of(&read_json(&new));
    let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).count();
    assert!(!added.is_empty(), "disabling EMAIL changed nothing");
    let top = added.iter().map(|k| rank(&after[*k])).max().unwrap();

    let out = run(&[
        "diff",
        "--format",
        "json",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["counts"]["new_findings"], added.len());
    assert_eq!(d["counts"]["removed_findings"], removed);
    assert_eq!(d["counts"]["new_assets"], 0);
    let new_labels: Vec<&str> = d["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(new_labels.iter().all(|l| *l == "EMAIL"), "{new_labels:?}");
    assert_no_planted("diff json", &String::from_utf8_lossy(&out.stdout));

    let text = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text_out = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text_out.contains(&format!("{} new finding(s)", added.len())),
        "{text_out}"
    );
    assert!(text_out.contains("+ EMAIL"), "{text_out}");
    assert_no_planted("diff text", &text_out);

    // --fail-on: 3 exactly when a new finding reaches the level.
    for (level, r) in [("low", 1), ("medium", 2), ("high", 3)] {
        let out = run(&[
            "diff",
            "--fail-on",
            level,
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ]);
        let expect = if top >= r { 3 } else { 0 };
        assert_eq!(code(&out), expect, "--fail-on {level}");
    }
    // Backwards nothing is new.
    let out = run(&[
        "diff",
        "--fail-on",
        "low",
        new.to_str().unwrap(),
        old.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0);

    // Bad input: corrupt, foreign, another major version.
    let corrupt = write(dir.path(), "corrupt.json", b"{\"scan\": [");
    let foreign = write(dir.path(), "foreign.json", b"[1, 2, 3]");
    let mut v = read_json(&new);
    v["schema_version"] = "2.0.0".into();
    let major = write(dir.path(), "major.json", v.to_string().as_bytes());
    for (bad, says) in [
        (&corrupt, "not JSON"),
        (&foreign, "not a ferret inventory"),
        (&major, "2.0.0"),
    ] {
        let out = run(&["diff", old.to_str().unwrap(), bad.to_str().unwrap()]);
        assert_eq!(code(&out), 2);
        let err = stderr(&out);
        assert!(
            err.contains(bad.file_name().unwrap().to_str().unwrap()) && err.contains(says),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn state_never_freezes_classifications_when_thresholds_change() {
    let dir = tempdir();
    let demo = demo();
    let state = dir.path().join("state.json");
    let strict = write(
        dir.path(),
        "strict.toml",
        b"[thresholds]\nmin_confidence = 0.95\n",
    );
    let scan = |extra: &[&str]| {
        let mut args = vec!["--state", state.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(demo.to_str().unwrap());
        let (c, inv, err) = scan_json(&args);
        assert_eq!(c, 0, "{err}");
        inv
    };
    let first = scan(&[]);
    let second = scan(&[]);
    assert!(
        second["scan"]["incremental"]["carried_forward"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(findings_of(&first), findings_of(&second));

    // Other thresholds: nothing carried, the result equals a fresh scan.
    let third = scan(&["--config", strict.to_str().unwrap()]);
    assert_eq!(third["scan"]["incremental"]["carried_forward"], 0);
    assert!(
        third["scan"]["incremental"]["state_ignored"]
            .as_str()
            .unwrap()
            .contains("settings changed")
    );
    let (_, fresh, _) = scan_json(&["--config", strict.to_str().unwrap(), demo.to_str().unwrap()]);
    assert_eq!(findings_of(&third), findings_of(&fresh));
    assert_ne!(
        findings_of(&third),
        findings_of(&first),
        "the stricter threshold changed nothing: weak test"
    );
}

#[test]
fn metrics_textfile_and_findings_stream() {
    let dir = tempdir();
    let demo = demo();
    let metrics = dir.path().join("ferret.prom");
    let findings = dir.path().join("findings.jsonl");
    let inv_path = dir.path().join("inv.json");
    let out = run(&[
        "scan",
        "--quiet",
        "-o",
        inv_path.to_str().unwrap(),
        "--metrics-file",
        metrics.to_str().unwrap(),
        "--findings-jsonl",
        findings.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let inv = read_json(&inv_path);
    let text = std::fs::read_to_string(&metrics).unwrap();

    // Strict exposition-format check of every line.
    let help = regex::Regex::new(r"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$").unwrap();
    let typ =
        regex::Regex::new(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped)$").unwrap();
    let sample = regex::Regex::new(
        r#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$"#,
    )
    .unwrap();
    let mut typed = std::collections::BTreeSet::new();
    let mut values: std::collections::BTreeMap<String, f64> = Default::default();
    for line in text.lines() {
        if let Some(c) = help.captures(line) {
            assert!(!typed.contains(&c[1]), "HELP after TYPE/samples: {line}");
        } else if let Some(c) = typ.captures(line) {
            assert!(typed.insert(c[1].to_string()), "TYPE twice: {line}");
        } else if let Some(c) = sample.captures(line) {
            assert!(typed.contains(&c[1]), "sample before its TYPE: {line}");
            let key = format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str()));
            values.insert(key, c[3].parse().unwrap());
        } else {
            panic!("not Prometheus text format: {line:?}");
        }
    }
    let s = &inv["summary"];
    assert_eq!(
        values["ferret_assets_scanned"],
        s["assets"].as_f64().unwrap()
    );
    assert_eq!(
        values["ferret_columns_scanned"],
        s["columns"].as_f64().unwrap()
    );
    assert_eq!(
        values["ferret_classified_columns"],
        s["classified_columns"].as_f64().unwrap()
    );
    assert_eq!(values["ferret_policy_violations"], 0.0);
    assert_eq!(values["ferret_asset_errors"], 0.0);
    let expected = findings_of(&inv);
    let mut per: std::collections::BTreeMap<String, f64> = Default::default();
    for ((_, _, label), sens) in &expected {
        *per.entry(format!(
            "ferret_findings{{label=\"{label}\",sensitivity=\"{sens}\"}}"
        ))
        .or_default() += 1.0;
    }
    for (k, n) in &per {
        assert_eq!(values.get(k), Some(n), "{k}");
    }
    let finished =
        chrono::DateTime::parse_from_rfc3339(inv["scan"]["finished_at"].as_str().unwrap()).unwrap();
    assert!(
        (values["ferret_last_success_timestamp_seconds"]
            - finished.timestamp_millis() as f64 / 1000.0)
            .abs()
            < 0.01
    );
    assert_no_planted("metrics", &text);

    // The findings stream: one line per finding, each self-contained.
    let lines = std::fs::read_to_string(&findings).unwrap();
    assert_no_planted("findings", &lines);
    let mut got = std::collections::BTreeMap::new();
    for line in lines.lines() {
        let f: Value = serde_json::from_str(line).unwrap();
        assert_eq!(f["scan_started_at"], inv["scan"]["started_at"]);
        assert!(f["scan_id"].as_str().is_some_and(|id| id.len() == 16));
        got.insert(
            (
                f["asset"].as_str().unwrap().to_string(),
                f["column"].as_str().unwrap().to_string(),
                f["label"].as_str().unwrap().to_string(),
            ),
            f["sensitivity"].as_str().unwrap().to_string(),
        );
    }
    assert_eq!(got.len(), lines.lines().count(), "duplicate finding lines");
    assert_eq!(got, expected);

    // `-` streams findings on stdout (the inventory must then go to a file).
    let out = run(&[
        "scan",
        "--quiet",
        "--findings-jsonl",
        "-",
        "-o",
        inv_path.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        expected.len()
    );
    let out = run(&[
        "scan",
        "--quiet",
        "--findings-jsonl",
        "-",
        demo.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
}

#[test]
fn unwritable_outputs_fail_before_scanning_and_write_nothing() {
    let dir = tempdir();
    let demo = demo();
    let file = write(dir.path(), "a-file", b"x");
    let inside_file = file.join("inv.json");
    let metrics = dir.path().join("m.prom");
    for args in [
        vec![
            "-o",
            inside_file.to_str().unwrap(),
            "--metrics-file",
            metrics.to_str().unwrap(),
        ],
        vec![
            "--metrics-file",
            "/nonexistent-ferret-dir/m.prom",
            "-o",
            metrics.to_str().unwrap(),
        ],
    ] {
        let mut all = vec!["scan", "--quiet"];
        all.extend(args);
        all.push(demo.to_str().unwrap());
        let out = run(&all);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
        assert!(!metrics.exists(), "half the outputs were written");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn config_errors_name_the_file_and_place_and_scan_nothing() {
    let dir = tempdir();
    let demo = demo();
    let out_path = dir.path().join("inv.json");
    let cases: [(&str, &[u8], &str, &str); 8] = [
        (
            "typo.toml",
            b"[output]\nmetrics_fil = 'x'\n",
            "line 2, column 1",
            "metrics_fil",
        ),
        (
            "env.toml",
            b"[[source]]\ntarget = 'postgres://u@db/app'\npassword_env = 'FERRET_NIGHTLY_UNSET'\n",
            "line 3",
            "FERRET_NIGHTLY_UNSET is not set",
        ),
        (
            "glob.toml",
            b"[[policy.allow]]\nasset = 'a{b'\n",
            "line 2",
            "bad glob",
        ),
        (
            "secret.toml",
            b"targets = ['postgres://alice:hunter2@db/app']\n",
            "line 1",
            "inline password",
        ),
        (
            "mode.toml",
            b"targets = ['x']\n\n[[source]]\ntarget = 'data'\n\n[[source]]\ntarget = 'more'\nfull = true\nmetadata_only = true\n",
            "line 6 ([[source]] #2)",
            "full and metadata_only cannot both be true",
        ),
        (
            "pwfile.toml",
            b"[[source]]\ntarget = 's3://lake/x/'\npassword_env = 'PATH'\n",
            "line 1 ([[source]] #1)",
            "password_env is for database targets only",
        ),
        (
            "detector.toml",
            b"[detectors]\ndisable = ['MAC_ADDRESS', 'MAC_ADRESS']\n",
            "[detectors] disable",
            "'MAC_ADRESS' is neither a detector id nor a label",
        ),
        (
            "policy.toml",
            b"[[policy.rule]]\nname = 'cards'\nlabels = ['CREDIT_CARDS']\n",
            "[[policy.rule]] 'cards'",
            "label 'CREDIT_CARDS' is not a label",
        ),
    ];
    for (name, text, place, says) in cases {
        let cfg = write(dir.path(), name, text);
        let out = run(&[
            "scan",
            "--quiet",
            "--config",
            cfg.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
            demo.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 2, "{name}");
        let err = stderr(&out);
        assert!(
            err.contains(name) && err.contains(place) && err.contains(says),
            "{name}: {err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
        assert!(!out_path.exists(), "{name}: an inventory was written");
        let out = run(&["check-config", cfg.to_str().unwrap()]);
        assert_eq!(code(&out), 2, "check-config {name}");
    }
}

#[test]
fn the_example_config_parses_with_its_variables_set() {
    let example = root().join("ferret.example.toml");
    let text = std::fs::read_to_string(&example).unwrap();
    let vars: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("password_env = \""))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(vars.len() >= 2, "{vars:?}");
    let mut cmd = ferret();
    cmd.args(["check-config", example.to_str().unwrap()]);
    for v in &vars {
        cmd.env(v, "not-a-real-password");
    }
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 policy rule(s)"));
    // Without them: refused, naming a variable the file needs, at its place.
    let mut cmd = ferret();
    cmd.args(["check-config", example.to_str().unwrap()]);
    for v in &vars {
        cmd.env_remove(v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("ferret.example.toml, line "), "{err}");
    assert!(
        vars.iter()
            .any(|v| err.contains(&format!("{v} is not set"))),
        "{err}"
    );
}

#[test]
fn policies_mark_allowed_findings_and_violations_give_exit_4() {
    let dir = tempdir();
    let demo = demo();
    let cfg = write(
        dir.path(),
        "policy.toml",
        b"[[policy.allow]]\nname = 'crm'\nasset = '*/crm.db/*'\nlabels = ['CREDIT_CARD']\n\
          [[policy.rule]]\nname = 'cards'\nlabels = ['CREDIT_CARD']\nallowed_assets = ['*/customers.parquet']\nseverity = 'medium'\n",
    );
    let out = run(&[
        "scan",
        "--quiet",
        "--config",
        cfg.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&inv);
    // Expected: every CREDIT_CARD finding outside customers.parquet and crm.db.
    let mut expected: Vec<(String, String)> = findings_of(&inv)
        .into_keys()
        .filter(|(a, _, l)| {
            l == "CREDIT_CARD" && !a.ends_with("/customers.parquet") && !a.contains("/crm.db/")
        })
        .map(|(a, c, _)| (a, c))
        .collect();
    expected.sort();
    let got: Vec<(String, String)> = inv["policy_violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| {
                    (
                        x["asset"].as_str().unwrap().to_string(),
                        x["column"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got, expected);
    assert_eq!(code(&out), if expected.is_empty() { 0 } else { 4 });
    // The crm.db card columns are marked allowed, the others are not.
    for a in inv["assets"].as_array().unwrap() {
        for c in a["columns"].as_array().unwrap() {
            for l in c["labels"].as_array().unwrap() {
                let allowed =
                    l["label"] == "CREDIT_CARD" && a["id"].as_str().unwrap().contains("/crm.db/");
                assert_eq!(
                    l.get("allowed_by").is_some(),
                    allowed,
                    "{} {}",
                    a["id"],
                    c["path"]
                );
            }
        }
    }
    assert!(
        inv["assets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"].as_str().unwrap().contains("/crm.db/payments"))
    );

    // A rule nothing satisfies: every card finding violates it, exit 4.
    let strict = write(
        dir.path(),
        "strict.toml",
        b"[[policy.rule]]\nname = 'no-cards'\nlabels = ['CREDIT_CARD']\n",
    );
    let out = run(&[
        "scan",
        "--quiet",
        "--fail-on",
        "high",
        "--config",
        strict.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(
        code(&out),
        4,
        "policy violations take precedence over --fail-on"
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cards = findings_of(&inv)
        .into_keys()
        .filter(|(_, _, l)| l == "CREDIT_CARD")
        .count();
    assert_eq!(inv["policy_violations"].as_array().unwrap().len(), cards);
}

#[test]
fn kubernetes_manifests_parse_and_agree_on_the_shard_count() {
    use serde::Deserialize;
    let path = root().join("deploy/kubernetes/ferret-nightly.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let docs: Vec<serde_yaml_ng::Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| {
            serde_yaml_ng::Value::deserialize(d)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect();
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["ConfigMap", "PersistentVolumeClaim", "CronJob", "CronJob"]
    );
    let scan = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "ferret-scan")
        .unwrap();
    let job = &scan["spec"]["jobTemplate"]["spec"];
    assert_eq!(job["completionMode"], "Indexed");
    let n = job["completions"].as_u64().unwrap();
    assert_eq!(job["parallelism"].as_u64(), Some(n));
    let env_shards = |doc: &serde_yaml_ng::Value| -> u64 {
        doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "SHARDS")
            .and_then(|e| e["value"].as_str())
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(env_shards(scan), n);
    let script = scan["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
        [0]
    .as_str()
    .unwrap();
    assert!(script.contains("--shard auto/$SHARDS"), "{script}");
    let merge = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "ferret-merge")
        .unwrap();
    assert_eq!(env_shards(merge), n);
    let merge_script =
        merge["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
            .as_str()
            .unwrap();
    assert!(merge_script.contains("ferret merge"), "{merge_script}");
    // The embedded config is a valid ferret config (its variable set).
    let cfg_text = docs[0]["data"]["ferret.toml"].as_str().unwrap();
    let dir = tempdir();
    let cfg = write(dir.path(), "ferret.toml", cfg_text.as_bytes());
    let out = ferret()
        .args(["check-config", cfg.to_str().unwrap()])
        .env("FERRET_APP_DB_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_state_is_not_reused_for_a_source_whose_sampling_changed() {
    let dir = tempdir();
    let folder = dir.path().join("data");
    std::fs::create_dir_all(&folder).unwrap();
    let mut csv = String::from("id,email\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},user{i}@example.com\n"));
    }
    write(&folder, "people.csv", csv.as_bytes());
    let state = dir.path().join("state.json");
    let scan = |rows: u32| {
        let config = write(
            dir.path(),
            "ferret.toml",
            format!(
                "[[source]]\ntarget = \"{}\"\nsample_rows = {rows}\n",
                folder.display()
            )
            .as_bytes(),
        );
        let (c, inv, err) = scan_json(&[
            "--state",
            state.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ]);
        assert_eq!(c, 0, "{err}");
        inv
    };
    let first = scan(5);
    assert_eq!(asset(&first, "people.csv")["rows_sampled"], 5);
    let again = scan(5);
    assert_eq!(again["scan"]["incremental"]["carried_forward"], 1);
    let changed = scan(12);
    assert_eq!(changed["scan"]["incremental"]["carried_forward"], 0);
    assert_eq!(asset(&changed, "people.csv")["rows_sampled"], 12);
    assert_eq!(asset(&changed, "people.csv")["sampling"]["sample_rows"], 12);
}
