//! Hostile input to the command line (issue 22, items 3, 5 and 6): every
//! numeric flag and config key at its extremes exits 0, 1 or 2 (never a
//! panic's 101), a credential planted in every shape a target can take
//! never reaches any output, targets that are neither a file nor a folder
//! are asset errors, and file names cannot forge log lines.

mod common;

use common::*;
use ferret::cli::limits::{self, Limit};
use std::path::Path;

/// A folder with one small clean-to-scan CSV.
fn tiny() -> tempfile::TempDir {
    let dir = tempdir();
    write(
        dir.path(),
        "people.csv",
        b"name,email\nAda,ada.lovelace@example.org\nAlan,alan.turing@example.net\n",
    );
    dir
}

/// The values every numeric flag is fed: the edges of its range, just
/// outside them, and what no range holds.
fn extremes(limit: &Limit) -> Vec<String> {
    let mut v: Vec<String> = vec![
        "0".into(),
        "1".into(),
        limit.min.to_string(),
        limit.max.to_string(),
        (u128::from(limit.max) + 1).to_string(),
        u64::MAX.to_string(),
        "18446744073709551616".into(),
        "-1".into(),
        "ten".into(),
        "1.5".into(),
        String::new(),
    ];
    v.dedup();
    v
}

fn in_range(limit: &Limit, v: &str) -> bool {
    v.parse::<u64>().is_ok_and(|n| limit.range().contains(&n))
}

/// (exit code, stderr) of `ferret <args>`; never killed by a signal.
fn code_of(args: &[&str]) -> (i32, String) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{args:?} died by a signal; stderr:\n{stderr}"));
    (code, stderr)
}

#[test]
fn every_numeric_flag_at_its_extremes_exits_0_1_or_2() {
    let dir = tiny();
    let target = dir.path().to_str().unwrap();
    let out = dir.path().join("inv.json");
    for limit in limits::ALL {
        let Some(flag) = limit.flag else { continue };
        for v in extremes(limit) {
            let _ = std::fs::remove_file(&out);
            let arg = format!("{flag}={v}");
            let (code, stderr) =
                code_of(&["scan", "--quiet", &arg, target, "-o", out.to_str().unwrap()]);
            assert!(
                [0, 1, 2].contains(&code),
                "{arg}: exit {code} (never a panic); stderr:\n{stderr}"
            );
            // Zero rows is allowed by the range only with --full or
            // --metadata-only: a usage error here.
            let usable = in_range(limit, &v) && !(flag == "--sample-rows" && v == "0");
            if usable {
                assert_eq!(code, 0, "{arg} is in range; stderr:\n{stderr}");
                assert!(out.exists(), "{arg}: no inventory written");
            } else {
                assert_eq!(code, 2, "{arg} is out of range; stderr:\n{stderr}");
                assert!(
                    stderr.contains(flag),
                    "{arg}: the error names no flag:\n{stderr}"
                );
                assert!(
                    !out.exists(),
                    "{arg}: an inventory was written on a usage error"
                );
            }
        }
    }
}

/// The config file that sets `key` (as named in the limits table) to `v`,
/// with what its section needs besides.
fn config_with(key: &str, v: &str, target: &str) -> String {
    let (section, name) = key.rsplit_once(' ').expect("section and key");
    match section {
        "[s3]" | "[thresholds]" => format!("{section}\n{name} = {v}\n"),
        "[[postgres]]" => {
            format!("[[postgres]]\nurl = 'postgres://ferret@127.0.0.1:1/app'\n{name} = {v}\n")
        }
        "[[source]]" => format!("[[source]]\ntarget = '{target}'\n{name} = {v}\n"),
        other => panic!("no config section {other} in this test"),
    }
}

#[test]
fn every_numeric_config_key_at_its_extremes_exits_0_1_or_2_and_check_config_agrees() {
    let dir = tiny();
    let target = dir.path().to_str().unwrap();
    let config = dir.path().join("ferret.toml");
    let out = dir.path().join("inv.json");
    // Nothing else under the scanned folder but the CSV: the config and
    // the inventory live in their own folder.
    let side = tempdir();
    let config = side.path().join(config.file_name().unwrap());
    let out = side.path().join(out.file_name().unwrap());
    for limit in limits::ALL {
        for key in limit.keys {
            // TOML integers are 64-bit signed: u64::MAX is a syntax error there.
            let max = limit.max.min(i64::MAX as u64);
            let mut values = vec![
                "0".to_string(),
                "1".into(),
                limit.min.to_string(),
                max.to_string(),
                i64::MAX.to_string(),
                u64::MAX.to_string(),
                "-1".into(),
                "'ten'".into(),
                "1.5".into(),
            ];
            if max < i64::MAX as u64 {
                values.push((max + 1).to_string());
            }
            for v in values {
                std::fs::write(&config, config_with(key, &v, target)).unwrap();
                let _ = std::fs::remove_file(&out);
                let c = config.to_str().unwrap();
                let (checked, check_err) = code_of(&["check-config", c]);
                let mut scan = vec!["scan", "--quiet", "--config", c, "-o"];
                scan.push(out.to_str().unwrap());
                if !key.starts_with("[[source]]") {
                    scan.push(target);
                }
                let (code, stderr) = code_of(&scan);
                let what = format!("{key} = {v}");
                assert!(
                    [0, 1, 2].contains(&code),
                    "{what}: scan exit {code}:\n{stderr}"
                );
                let usable = in_range(limit, &v) && !(key.ends_with("sample_rows") && v == "0");
                if usable {
                    assert_eq!(checked, 0, "{what}: check-config refused it:\n{check_err}");
                    // A PostgreSQL server on port 1 is an asset error (1).
                    let want = if key.starts_with("[[postgres]]") {
                        1
                    } else {
                        0
                    };
                    assert_eq!(code, want, "{what}: scan:\n{stderr}");
                    assert!(out.exists(), "{what}: no inventory written");
                } else {
                    assert_eq!(checked, 2, "{what}: check-config accepted it");
                    assert_eq!(code, 2, "{what}: scan:\n{stderr}");
                    let name = key.rsplit_once(' ').unwrap().1;
                    assert!(check_err.contains(name), "{what}: unnamed:\n{check_err}");
                    assert!(!out.exists(), "{what}: inventory written on a usage error");
                }
            }
        }
    }
}

/// Every file a run wrote, and its stdout and stderr, as one text.
fn everything(stdout: &[u8], stderr: &[u8], files: &[&Path]) -> String {
    let mut all = String::from_utf8_lossy(stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(stderr));
    for f in files {
        if let Ok(text) = std::fs::read_to_string(f) {
            all.push_str(&text);
        }
    }
    all
}

fn assert_hidden(all: &str, secrets: &[&str], what: &str) {
    for s in secrets {
        assert!(!all.contains(s), "{what}: secret {s} printed:\n{all}");
    }
}

#[test]
fn credentials_planted_in_every_shape_never_reach_any_output() {
    let dir = tiny();
    let side = tempdir();
    let inv = side.path().join("inv.json");
    let state = side.path().join("state.json");
    let metrics = side.path().join("m.prom");
    let findings = side.path().join("f.jsonl");
    let outputs = [inv.as_path(), &state, &metrics, &findings];
    let target = dir.path().to_str().unwrap();

    // A run that completes (the database and the store are unreachable:
    // asset errors), in both log formats: every output searched.
    let pg = "postgres://alice:PgPw1?x/y@127.0.0.1:1/app";
    for log_format in ["text", "json"] {
        let args = [
            "scan",
            "--log-format",
            log_format,
            "--state",
            state.to_str().unwrap(),
            "--metrics-file",
            metrics.to_str().unwrap(),
            "--findings-jsonl",
            findings.to_str().unwrap(),
            "-o",
            inv.to_str().unwrap(),
            "--s3-endpoint",
            "http://EpKey2:EpSecret2@127.0.0.1:1",
            "--s3-max-attempts",
            "1",
            target,
            pg,
            "s3://bucket/prefix/",
        ];
        // Credentials from the environment: no instance-metadata lookups.
        let out = ferret()
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("PGCONNECT_TIMEOUT", "2")
            .output()
            .unwrap();
        let all = everything(&out.stdout, &out.stderr, &outputs);
        assert!(
            [1, 2].contains(&out.status.code().unwrap_or(-1)),
            "exit {:?}:\n{all}",
            out.status
        );
        assert_hidden(&all, &["PgPw1", "x/y@", "EpSecret2"], log_format);
        if out.status.code() == Some(1) {
            let text = std::fs::read_to_string(&inv).unwrap();
            assert!(
                text.contains("postgres://alice:***@127.0.0.1:1/app"),
                "the target is recorded, redacted:\n{text}"
            );
        }
    }

    // Shapes refused before a scan: the refusal never quotes the secret.
    for (arg, secret) in [
        ("s3://AkiaKey3:S3Secret3@bucket/p/", "S3Secret3"),
        ("s3://AkiaKey3:S3Secret3@bucket/p/", "AkiaKey3"),
        (
            "postgres://u@127.0.0.1:1/app?sslpassword=SslPw4&password=Pw4b",
            "SslPw4",
        ),
        (
            "postgres://u@127.0.0.1:1/app?sslpassword=SslPw4&password=Pw4b",
            "Pw4b",
        ),
        (
            "host=127.0.0.1 port=1 user=u password=LibpqPw5 dbname=app",
            "LibpqPw5",
        ),
        (
            "host=127.0.0.1 options='-c password=OptPw6' dbname=app",
            "OptPw6",
        ),
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAC7&X-Amz-Signature=Sig7",
            "Sig7",
        ),
        ("ftp://user:FtpPw8@host/x", "FtpPw8"),
        ("postgres://alice:Pw@9@127.0.0.1:1/app", "Pw@9"),
    ] {
        let _ = std::fs::remove_file(&inv);
        let out = ferret()
            .args(["scan", "-o", inv.to_str().unwrap(), arg])
            .output()
            .unwrap();
        let all = everything(&out.stdout, &out.stderr, &outputs);
        assert!(
            [1, 2].contains(&out.status.code().unwrap_or(-1)),
            "{secret}: exit {:?}",
            out.status
        );
        assert_hidden(&all, &[secret], arg);
    }

    // The config file: `targets` as one string, an inline password, and a
    // password pasted where its variable's name belongs; check-config and
    // scan alike.
    let config = side.path().join("ferret.toml");
    for (text, secret) in [
        (
            "targets = \"postgres://u:CfgPw10@127.0.0.1:1/app\"\n".to_string(),
            "CfgPw10",
        ),
        (
            "targets = [\"s3://Key11:CfgS3Secret11@bucket/\"]\n".to_string(),
            "CfgS3Secret11",
        ),
        (
            "[[postgres]]\nurl = 'postgres://u@127.0.0.1:1/app'\npassword_env = 'Pasted-Pw12!'\n"
                .to_string(),
            "Pasted-Pw12!",
        ),
        (
            "[[source]]\ntarget = 'postgres://u@127.0.0.1:1/app?sslpassword=SrcPw13'\n".to_string(),
            "SrcPw13",
        ),
        (
            "targets = { url = 'postgres://u:TblPw14@h/db' }\n".to_string(),
            "TblPw14",
        ),
    ] {
        std::fs::write(&config, &text).unwrap();
        let c = config.to_str().unwrap();
        for args in [
            vec!["check-config", c],
            vec!["scan", "--config", c, "-o", inv.to_str().unwrap(), target],
        ] {
            let out = ferret().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?} with {text}");
            let all = everything(&out.stdout, &out.stderr, &[]);
            assert_hidden(&all, &[secret], &text);
        }
    }

    // The lineage key pasted where its variable's name belongs.
    let out = ferret()
        .args([
            "scan",
            "--lineage",
            "--lineage-key-env",
            "Key=Lineage15!",
            target,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_hidden(
        &everything(&out.stdout, &out.stderr, &[]),
        &["Lineage15"],
        "--lineage-key-env",
    );
}

#[test]
fn a_fifo_a_socket_or_a_device_given_as_the_target_is_an_asset_error() {
    let dir = tiny();
    let side = tempdir();
    let fifo = side.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let sock = side.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).expect("bind a socket");
    let (code, inv, _) = scan_json(&[
        dir.path().to_str().unwrap(),
        fifo.to_str().unwrap(),
        sock.to_str().unwrap(),
        "/dev/zero",
    ]);
    assert_eq!(code, 1, "asset errors give exit code 1");
    for suffix in ["/pipe", "/sock", "/dev/zero"] {
        assert_eq!(error_codes(asset(&inv, suffix)), ["not_a_file"], "{suffix}");
    }
    // The rest of the scan completed.
    assert_eq!(
        column_labels(asset(&inv, "/people.csv"), "email"),
        ["EMAIL"]
    );
}

#[test]
fn file_names_cannot_forge_text_log_lines() {
    let dir = tempdir();
    // A name holding a newline, a forged log line and ANSI escapes; the
    // file is corrupt, so its name is logged with a warning.
    let name = "x\n2026-01-01T00:00:00Z  INFO scan finished assets=0\u{1b}[2K.parquet";
    write(dir.path(), name, b"PAR1 not really parquet PAR1");
    let out = ferret()
        .args(["scan", "--log-format", "text", dir.path().to_str().unwrap()])
        .env("FERRET_LOG", "debug")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scan finished assets=0"),
        "the name is logged (escaped):\n{stderr}"
    );
    for line in stderr.lines() {
        assert!(
            !line.trim_start().starts_with("2026-01-01"),
            "a line was forged:\n{stderr}"
        );
        assert!(!line.contains('\u{1b}'), "a raw escape code:\n{stderr}");
    }
    assert!(stderr.contains("\\u{1b}"), "{stderr}");
}
