//! The demo scan a newcomer runs, end to end through the real binary: assets
//! grouped right, labels where the demo planted data, nothing on the decoys,
//! every inventory valid against the schema, formats, exit codes, options.

mod common;

use common::*;
use serde_json::Value;

fn demo_scan(extra: &[&str]) -> (i32, Value) {
    let demo = demo();
    let mut args: Vec<&str> = extra.to_vec();
    args.push(demo.to_str().unwrap());
    let (code, inv, _) = scan_json(&args);
    (code, inv)
}

#[test]
fn demo_assets_are_grouped_and_classified() {
    let (code, inv) = demo_scan(&[]);
    assert_eq!(code, 0, "the demo scans clean");

    let events = asset(&inv, "/events/");
    assert_eq!(events["kind"], "dataset");
    assert_eq!(events["objects_total"], 3);
    assert_eq!(events["partition_keys"], serde_json::json!(["dt"]));
    assert!(column_labels(events, "user.email").contains(&"EMAIL".to_string()));
    assert!(column_labels(events, "device.ip").contains(&"IP_ADDRESS".to_string()));

    let customers = asset(&inv, "/customers.parquet");
    assert_eq!(customers["kind"], "file");
    assert_eq!(column_labels(customers, "email"), ["EMAIL"]);
    assert!(column_labels(customers, "card_number").contains(&"CREDIT_CARD".to_string()));
    assert!(column_labels(customers, "iban").contains(&"IBAN".to_string()));
    assert!(column_labels(customers, "contacts[].value").contains(&"EMAIL".to_string()));
    assert!(column_labels(customers, "loyalty_tier").is_empty());

    let tickets = asset(&inv, "/support_tickets.csv");
    let body = tickets["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "body")
        .unwrap();
    let email = body["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "EMAIL")
        .expect("EMAIL in body");
    assert_eq!(email["scope"], "free_text");
    assert!(email["hit_ratio"].as_f64().unwrap() < 0.9);

    // The demo's SQLite database: one asset per table, the view flagged.
    let accounts = asset(&inv, "/crm.db/accounts");
    assert_eq!(accounts["format"], "sqlite");
    assert_eq!(accounts["kind"], "table");
    assert_eq!(column_labels(accounts, "contact_email"), ["EMAIL"]);
    assert!(column_labels(accounts, "iban").contains(&"IBAN".to_string()));
    assert!(column_labels(accounts, "tier").is_empty());
    let payments = asset(&inv, "/crm.db/payments");
    assert!(column_labels(payments, "card_number").contains(&"CREDIT_CARD".to_string()));
    assert!(
        payments["table"]["foreign_keys"][0]["references"]
            .as_str()
            .unwrap()
            .ends_with("/crm.db/accounts")
    );
    assert_eq!(asset(&inv, "/crm.db/account_contacts")["kind"], "view");

    let log = asset(&inv, "/app.log.gz");
    assert_eq!(log["format"], "text+gzip");
    assert!(!column_labels(log, "line").is_empty());

    // Decoys: look-alikes that are not personal data.
    for a in inv["assets"].as_array().unwrap() {
        if a["id"].as_str().unwrap().contains("/decoys/") {
            for c in a["columns"].as_array().unwrap() {
                assert!(
                    c["labels"].as_array().unwrap().is_empty(),
                    "decoy {}:{} labelled {}",
                    a["id"],
                    c["path"],
                    c["labels"]
                );
                assert!(c["prevalence_upper_bound"].as_f64().unwrap() > 0.0);
            }
        }
    }
    assert_eq!(inv["summary"]["assets_with_errors"], 0);
    assert_eq!(inv["summary"]["max_sensitivity"], "high");
}

#[test]
fn same_seed_same_inventory() {
    let strip = |mut v: Value| {
        v["scan"]["started_at"] = Value::Null;
        v["scan"]["finished_at"] = Value::Null;
        v["scan"]["duration_ms"] = Value::Null;
        v
    };
    let (_, a) = demo_scan(&["--seed", "7", "--sample-rows", "100"]);
    let (_, b) = demo_scan(&["--seed", "7", "--sample-rows", "100"]);
    assert_eq!(strip(a), strip(b));
}

#[test]
fn full_mode_reads_every_row() {
    let (_, inv) = demo_scan(&["--full"]);
    let customers = asset(&inv, "/customers.parquet");
    assert_eq!(customers["rows_sampled"], customers["row_estimate"]);
    assert!(customers["rows_sampled"].as_u64().unwrap() > 1000);
    assert_eq!(inv["scan"]["sampling"]["mode"], "full");
}

#[test]
fn sample_rows_bounds_the_sample() {
    let (_, inv) = demo_scan(&["--sample-rows", "50"]);
    for a in inv["assets"].as_array().unwrap() {
        assert!(
            a["rows_sampled"].as_u64().unwrap() <= 50 + a["objects_sampled"].as_u64().unwrap(),
            "{}",
            a["id"]
        );
    }
}

#[test]
fn metadata_only_reads_no_values() {
    let (_, inv) = demo_scan(&["--metadata-only"]);
    let customers = asset(&inv, "/customers.parquet");
    for c in customers["columns"].as_array().unwrap() {
        assert_eq!(c["values_scanned"], 0);
        for l in c["labels"].as_array().unwrap() {
            assert_eq!(l["scope"], "name_only");
            assert!(l["evidence"].as_array().unwrap().is_empty());
        }
    }
    assert!(column_labels(customers, "email").contains(&"EMAIL".to_string()));
}

#[test]
fn jsonl_and_csv_outputs() {
    let demo = demo();
    let out = run(&[
        "scan",
        "--quiet",
        "--format",
        "jsonl",
        demo.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines[0]["record"], "scan");
    assert!(lines.iter().filter(|l| l["record"] == "asset").count() >= 5);

    let out = run(&["scan", "--quiet", "--format", "csv", demo.to_str().unwrap()]);
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    let first: Vec<&str> = headers.iter().take(3).collect();
    assert_eq!(first, ["asset", "column", "label"]);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert!(rows.iter().any(|r| &r[1] == "email" && &r[2] == "EMAIL"));
    // Every column, classified or not (the demo has 69, 19 classified).
    let columns: std::collections::BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (&r[0], &r[1])).collect();
    assert_eq!(columns.len(), 69);
    assert!(rows.iter().any(|r| r[2].is_empty()));
}

#[test]
fn output_file_is_written() {
    let dir = tempdir();
    let path = dir.path().join("inv.json");
    let demo = demo();
    let out = run(&[
        "scan",
        "--quiet",
        "-o",
        path.to_str().unwrap(),
        demo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let inv: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    validate(&inv);
}

#[test]
fn exit_codes() {
    let demo = demo();
    let d = demo.to_str().unwrap();
    assert_eq!(
        run(&["scan", "--quiet", "--fail-on", "high", d])
            .status
            .code(),
        Some(3)
    );
    let decoys = demo.join("decoys");
    assert_eq!(
        run(&[
            "scan",
            "--quiet",
            "--fail-on",
            "low",
            decoys.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(run(&["scan", "/no/such/path"]).status.code(), Some(2));
    assert_eq!(run(&["scan", "--frobnicate", d]).status.code(), Some(2));
    assert_eq!(run(&["scan"]).status.code(), Some(2));
    let dir = tempdir();
    let cfg = write(
        dir.path(),
        "ferret.toml",
        b"[thresholds]\nmin_confidense = 0.9\n",
    );
    let out = run(&["scan", "--config", cfg.to_str().unwrap(), d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("min_confidense"));
}

#[test]
fn include_and_exclude_globs() {
    let (_, inv) = demo_scan(&["--include", "*.csv", "--exclude", "decoys/*"]);
    let ids: Vec<&str> = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].ends_with("/support_tickets.csv"));
}

#[test]
fn extra_detector_folder_and_config_disable() {
    let dir = tempdir();
    write(
        dir.path(),
        "employee.toml",
        br#"[[detector]]
id = "acme_employee_id"
label = "EMPLOYEE_ID"
sensitivity = "medium"
pattern = '\bEMP-[0-9]{6}\b'
prefilter = ["EMP-"]
examples = ["EMP-123456"]
counter_examples = ["EMP-12"]
"#,
    );
    write(
        dir.path(),
        "taxonomy.toml",
        b"[[label]]\nid = \"EMPLOYEE_ID\"\ncategory = \"identity\"\n",
    );
    let data = tempdir();
    write(
        data.path(),
        "staff.csv",
        b"who,badge\na,EMP-000001\nb,EMP-000002\nc,EMP-000003\n",
    );
    let (_, inv, _) = scan_json(&[
        "--detectors",
        dir.path().to_str().unwrap(),
        data.path().to_str().unwrap(),
    ]);
    assert_eq!(
        column_labels(asset(&inv, "/staff.csv"), "badge"),
        ["EMPLOYEE_ID"]
    );

    let cfg = write(
        dir.path(),
        "cfg.toml",
        b"[detectors]\ndisable = [\"EMAIL\"]\n",
    );
    let (_, inv) = demo_scan(&["--config", cfg.to_str().unwrap()]);
    assert!(column_labels(asset(&inv, "/customers.parquet"), "email").is_empty());
}

#[test]
fn detectors_command_lists_the_pack() {
    let out = run(&["detectors"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("credit_card") || text.contains("CREDIT_CARD"));
}

#[test]
fn siblings_that_differ_in_columns_are_flagged() {
    let dir = tempdir();
    write(
        dir.path(),
        "export/part-1.csv",
        b"id,email\n1,ada@example.org\n2,bob@example.net\n",
    );
    write(
        dir.path(),
        "export/part-2.csv",
        b"id,phone_note\n3,none\n4,none\n",
    );
    write(dir.path(), "same/part-1.csv", b"id,city\n1,Oslo\n");
    write(dir.path(), "same/part-2.csv", b"id,city\n2,Bergen\n");
    let (_, inv, _) = scan_json(&[dir.path().to_str().unwrap()]);
    let export = asset(&inv, "/export/");
    assert_eq!(export["kind"], "dataset");
    assert_eq!(export["schema_variants"], 2);
    let paths: Vec<&str> = export["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["id", "email", "phone_note"]);
    assert_eq!(asset(&inv, "/same/")["schema_variants"], 1);
}

/// At a terminal with no format asked for, a person gets a short table:
/// one row per classified column of the JSON inventory (whose paths are
/// checked against it), a summary line with the inventory's counts, and
/// how to get the JSON. `script` gives the scan a pseudo-terminal.
#[test]
fn a_terminal_gets_a_table_and_a_pipe_gets_the_inventory() {
    let bin = env!("CARGO_BIN_EXE_ferret");
    let demo = demo();
    let command = format!("{bin} scan -q {}", demo.display());
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(root())
        .output()
        .expect("script (util-linux) runs");
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(table.starts_with("ASSET"), "{table}");
    assert!(!table.contains("\"schema_version\""), "{table}");
    assert!(table.contains("--format json"), "{table}");

    let (code, inv) = demo_scan(&[]);
    assert_eq!(code, 0);
    let classified = labels_by_column(&inv)
        .into_iter()
        .filter(|(_, _, labels)| !labels.is_empty())
        .count();
    let rows = table.lines().skip(1).take_while(|l| !l.is_empty()).count();
    assert_eq!(rows, classified, "{table}");
    let summary = format!(
        "{} classified of {} columns in {} assets",
        inv["summary"]["classified_columns"], inv["summary"]["columns"], inv["summary"]["assets"]
    );
    assert!(table.contains(&summary), "{summary} not in\n{table}");
    // Masked evidence only: no planted value reaches the table.
    let planted: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/truth/planted.json")).unwrap(),
    )
    .unwrap();
    for v in planted["values"].as_array().unwrap() {
        let v = v.as_str().unwrap();
        assert!(
            v.len() < 6 || !table.contains(v),
            "a planted value is in the table"
        );
    }
}
