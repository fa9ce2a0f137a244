//! SQLite sources: `sqlite:///path` targets and database files found in a
//! folder scan, read-only, with the same sampling and classification.

mod common;

use common::scan_json;
use serde_json::Value;
use std::path::Path;

fn luhn_complete(body: &str) -> String {
    let mut sum = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap();
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A database with odd names, types SQLite does not enforce, blobs and bad UTF-8.
fn make_db(path: &Path) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, card TEXT, active BOOLEAN, avatar BLOB, note);
           CREATE TABLE "order lines; DROP TABLE users; --" (id INTEGER, user_id INTEGER REFERENCES users(id), "e""mail" TEXT);
           CREATE TABLE big (id INTEGER PRIMARY KEY, contact TEXT, n INTEGER);
           CREATE VIEW user_emails AS SELECT id, email FROM users;"#,
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    for i in 0..200 {
        let card = luhn_complete(&format!("4{:014}", 31_415_926 + i * 7919));
        let note: rusqlite::types::Value = if i % 10 == 0 {
            // Not UTF-8: must be replaced and counted, not crash the scan.
            rusqlite::types::Value::Text(String::new())
        } else {
            rusqlite::types::Value::Integer(i)
        };
        tx.execute(
            "INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                i,
                format!("user{i}@example.com"),
                card,
                i % 2 == 0,
                vec![0u8, 159, 146, 150],
                note
            ],
        )
        .unwrap();
        tx.execute(
            r#"INSERT INTO "order lines; DROP TABLE users; --" VALUES (?1, ?2, ?3)"#,
            rusqlite::params![i, i, format!("buyer{i}@example.org")],
        )
        .unwrap();
    }
    // Raw invalid UTF-8 in a TEXT column.
    tx.execute(
        "UPDATE users SET note = CAST(x'fffe41' AS TEXT) WHERE id = 0",
        [],
    )
    .unwrap();
    for i in 0..50_000 {
        tx.execute(
            "INSERT INTO big VALUES (?1, ?2, ?3)",
            rusqlite::params![i, format!("c{i}@example.net"), i * 3],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no asset ending {suffix}"))
}

fn labels(a: &Value, path: &str) -> Vec<String> {
    a["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no column {path}"))["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sqlite_targets_are_scanned_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    make_db(&db);
    let before = std::fs::read(&db).unwrap();
    let target = format!("sqlite://{}", db.display());
    let (code, inv, stderr) = scan_json(&[&target]);
    assert_eq!(
        code, 1,
        "the invalid UTF-8 value is reported; stderr:\n{stderr}"
    );

    let users = asset(&inv, "/app.db/users");
    assert_eq!(users["format"], "sqlite");
    assert_eq!(users["table"]["sampling_method"], "whole_table");
    assert_eq!(users["rows_sampled"], 200);
    assert_eq!(users["row_estimate"], 200);
    assert_eq!(labels(users, "email"), ["EMAIL"]);
    assert_eq!(labels(users, "card"), ["CREDIT_CARD"]);
    let codes: Vec<&str> = users["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["invalid_utf8"]);
    let active = users["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "active")
        .unwrap();
    assert!(
        active["skipped_reason"]
            .as_str()
            .unwrap()
            .starts_with("boolean")
    );

    let odd = asset(&inv, "/order lines; DROP TABLE users; --");
    assert_eq!(labels(odd, "e\"mail"), ["EMAIL"]);
    assert!(
        odd["table"]["foreign_keys"][0]["references"]
            .as_str()
            .unwrap()
            .ends_with("/app.db/users")
    );

    let big = asset(&inv, "/app.db/big");
    assert_eq!(big["table"]["sampling_method"], "rowid_ranges");
    assert_eq!(big["rows_sampled"], 1000);
    assert_eq!(big["row_estimate"], 50_000);
    assert_eq!(labels(big, "contact"), ["EMAIL"]);

    let view = asset(&inv, "/app.db/user_emails");
    assert_eq!(view["kind"], "view");
    assert_eq!(view["table"]["sampling_method"], "not_read");
    assert!(
        view["table"]["depends_on"][0]
            .as_str()
            .unwrap()
            .ends_with("/app.db/users")
    );

    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database file is unchanged"
    );
    assert!(!dir.path().join("app.db-journal").exists());

    // --full reads every row.
    let (_, inv, _) = scan_json(&[&target, "--full", "--include", "big"]);
    let big = asset(&inv, "/app.db/big");
    assert_eq!(big["rows_sampled"], 50_000);
    assert_eq!(big["table"]["sampling_method"], "copy");
}

#[test]
fn database_files_in_folders_are_opened_and_broken_ones_reported() {
    let dir = tempfile::tempdir().unwrap();
    make_db(&dir.path().join("app.sqlite"));
    // A SQLite header followed by garbage.
    let mut broken = b"SQLite format 3\0".to_vec();
    broken.extend(std::iter::repeat_n(0xA5u8, 8192));
    std::fs::write(dir.path().join("broken.db"), broken).unwrap();
    let (code, inv, _) = scan_json(&[dir.path().to_str().unwrap(), "--exclude", "big"]);
    assert_eq!(code, 1);
    assert_eq!(labels(asset(&inv, "/app.sqlite/users"), "email"), ["EMAIL"]);
    let broken = asset(&inv, "/broken.db");
    assert!(!broken["errors"].as_array().unwrap().is_empty());
    assert!(
        inv["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["object"].as_str().unwrap().ends_with(".sqlite"))
    );
    // A missing file is an error on that target, not a crash.
    let (code, inv, _) = scan_json(&["sqlite:///nonexistent/x.db"]);
    assert_eq!(code, 1);
    assert_eq!(inv["assets"][0]["errors"][0]["code"], "not_found");
}

/// A database of one table `t` of `n` rows with an email column.
fn emails_db(path: &Path, n: u32) -> String {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT);")
        .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    for i in 0..n {
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            rusqlite::params![i, format!("u{i}@example.com")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    format!("sqlite://{}", path.display())
}

/// `[[source]]` sampling keys on SQLite targets: each source's keys win over
/// the run's flag for its tables, and every table records what it got.
#[test]
fn sqlite_sources_sample_by_their_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    let sampled = emails_db(&dir.path().join("sampled.db"), 300);
    let whole = emails_db(&dir.path().join("whole.db"), 300);
    let default = emails_db(&dir.path().join("default.db"), 300);
    let config = dir.path().join("ferret.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\ntarget = \"{sampled}\"\nsample_rows = 20\nseed = 9\n\
             [[source]]\ntarget = \"{whole}\"\nfull = true\n"
        ),
    )
    .unwrap();
    let (code, inv, stderr) = scan_json(&[
        &default,
        "--config",
        config.to_str().unwrap(),
        "--sample-rows",
        "40",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let t = |db: &str| asset(&inv, &format!("/{db}/t"));
    // Row counts that split evenly over the rowid strata read exactly.
    assert_eq!(t("sampled.db")["rows_sampled"], 20);
    assert_eq!(t("sampled.db")["sampling"]["sample_rows"], 20);
    assert_eq!(t("sampled.db")["table"]["sampling_method"], "rowid_ranges");
    assert_eq!(t("sampled.db")["sampling"]["seed"], 9);
    assert_eq!(t("whole.db")["rows_sampled"], 300);
    assert_eq!(t("whole.db")["sampling"]["mode"], "full");
    assert_eq!(t("whole.db")["table"]["sampling_method"], "copy");
    assert_eq!(t("default.db")["rows_sampled"], 40);
    assert_eq!(t("default.db")["sampling"]["mode"], "sample");
    assert_eq!(t("default.db")["sampling"]["sample_rows"], 40);
    for db in ["sampled.db", "whole.db", "default.db"] {
        assert_eq!(labels(t(db), "email"), ["EMAIL"], "{db}");
    }
    assert_eq!(inv["scan"]["sampling"]["sample_rows"], 40);
    assert_eq!(inv["scan"]["source_sampling"].as_array().unwrap().len(), 2);
}
