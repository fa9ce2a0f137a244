//! Faults against the real S3 test server: throttling (503 SlowDown) for a
//! while and for good, connection resets mid-body, an object deleted between
//! list and get (through a fault-injecting proxy on loopback, tests/s3util/
//! proxy.rs), access denied on some keys and wrong credentials (a moto of
//! the test's own with IAM authentication on), an unreachable endpoint, and
//! a scan killed with SIGKILL midway then resumed from its state.

mod common;
mod s3util;

use s3util::proxy::{self, Rules};
use s3util::*;
use serde_json::Value;
use std::time::{Duration, Instant};

fn errors_of(inv: &Value, id: &str) -> Vec<(String, String, String)> {
    let a = inv["assets"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no asset {id}: {:?}", assets_by_id(inv).keys()));
    a["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["object"].as_str().unwrap_or_default().to_string(),
                e["code"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn three_files(tag: &str) -> String {
    let b = bucket(tag);
    put_many(
        &b,
        vec![
            (
                "a/first.csv".into(),
                b"email\nx1@example.com\nx2@example.com\n".to_vec(),
            ),
            (
                "b/second.csv".into(),
                b"email\ny1@example.com\ny2@example.com\n".to_vec(),
            ),
            (
                "c/third.log".into(),
                "user ann@example.com logged in\nuser bob@example.com logged in\n"
                    .repeat(2000)
                    .into_bytes(),
            ),
        ],
    );
    b
}

#[test]
fn throttling_for_a_while_is_retried_and_logged() {
    let b = three_files("slow");
    let p = proxy::start(
        &endpoint(),
        Rules {
            slow_down: Some((String::new(), 4)),
            ..Rules::default()
        },
    );
    let (code, inv, stderr) = scan_at(&p.url, &["--quiet", &format!("s3://{b}/")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(inv["assets"].as_array().expect("assets").len(), 3);
    assert!(io(&inv, "failed_attempts") >= 4, "{}", inv["scan"]["io"]);
    assert!(
        stderr.contains("retrying") && stderr.contains("503"),
        "retries are not visible in the logs:\n{stderr}"
    );
}

#[test]
fn throttling_that_never_ends_fails_only_the_affected_asset() {
    let b = three_files("slowkey");
    let p = proxy::start(
        &endpoint(),
        Rules {
            slow_down: Some(("second.csv".into(), u64::MAX)),
            ..Rules::default()
        },
    );
    let started = Instant::now();
    let (code, inv, stderr) = scan_at(
        &p.url,
        &["--quiet", "--s3-max-attempts", "3", &format!("s3://{b}/")],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    let id = format!("s3://{b}/b/second.csv");
    let errs = errors_of(&inv, &id);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, id);
    assert_eq!(errs[0].1, "throttled");
    assert!(errs[0].2.contains("b/second.csv") && errs[0].2.contains("SlowDown"));
    assert!(errors_of(&inv, &format!("s3://{b}/a/first.csv")).is_empty());
    assert!(errors_of(&inv, &format!("s3://{b}/c/third.log")).is_empty());
}

#[test]
fn a_connection_reset_mid_body_is_retried() {
    let b = three_files("reset");
    let p = proxy::start(
        &endpoint(),
        Rules {
            reset_body: Some(("third.log".into(), 2)),
            ..Rules::default()
        },
    );
    let (code, inv, stderr) = scan_at(&p.url, &["--quiet", &format!("s3://{b}/")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("retrying"), "{stderr}");
    let a = inv["assets"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["id"] == format!("s3://{b}/c/third.log"))
        })
        .expect("asset");
    assert_eq!(a["rows_sampled"], 1000);

    // Resets on every attempt: an error on that asset only.
    let p = proxy::start(
        &endpoint(),
        Rules {
            reset_body: Some(("third.log".into(), u64::MAX)),
            ..Rules::default()
        },
    );
    let (code, inv, stderr) = scan_at(
        &p.url,
        &["--quiet", "--s3-max-attempts", "2", &format!("s3://{b}/")],
    );
    assert_eq!(code, 1, "{stderr}");
    let errs = errors_of(&inv, &format!("s3://{b}/c/third.log"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].2.contains("c/third.log"), "{errs:?}");
    assert_eq!(inv["summary"]["assets_with_errors"], 1);
}

/// A store that accepts and never answers (then one that stalls mid-body)
/// on one key: that asset gets a `timeout` error naming the key, the rest
/// is scanned, exit code 1, and the run ends within what the configured
/// timeouts allow (every attempt timing out, plus backoff and start-up).
#[test]
fn a_store_that_never_answers_times_out_on_the_asset_only() {
    let b = three_files("hang");
    let attempts = 2u64;
    let timeout = 1u64;
    // Per attempt: the timeout plus at most 2 s of backoff; 20 s to start,
    // list and scan the other assets on a loaded machine.
    let bound = Duration::from_secs(attempts * (timeout + 2) + 20);
    let cases = [
        (
            Rules {
                hang: Some("second.csv".into()),
                ..Rules::default()
            },
            "--s3-attempt-timeout",
            "no answer in time",
        ),
        (
            Rules {
                stall_body: Some("second.csv".into()),
                ..Rules::default()
            },
            "--s3-read-timeout",
            "response body not received in time",
        ),
    ];
    for (rules, flag, reason) in cases {
        let p = proxy::start(&endpoint(), rules);
        let started = Instant::now();
        let (code, inv, stderr) = scan_at(
            &p.url,
            &[
                "--quiet",
                "--s3-max-attempts",
                &attempts.to_string(),
                flag,
                &timeout.to_string(),
                &format!("s3://{b}/"),
            ],
        );
        let took = started.elapsed();
        assert_eq!(code, 1, "{flag}: {stderr}");
        assert!(
            took < bound,
            "{flag}: the scan took {took:?} (bound {bound:?})"
        );
        let id = format!("s3://{b}/b/second.csv");
        let errs = errors_of(&inv, &id);
        assert_eq!(errs.len(), 1, "{flag}: {errs:?}");
        assert_eq!(errs[0].1, "timeout", "{flag}: {errs:?}");
        assert!(
            errs[0].2.contains("b/second.csv") && errs[0].2.contains(reason),
            "{flag}: {errs:?}"
        );
        assert_eq!(inv["summary"]["assets_with_errors"], 1, "{flag}");
        for other in ["a/first.csv", "c/third.log"] {
            let id = format!("s3://{b}/{other}");
            assert!(errors_of(&inv, &id).is_empty(), "{flag}: {other}");
            assert!(assets_by_id(&inv)[&id]["rows_sampled"].as_u64() > Some(0));
        }
    }
}

#[test]
fn an_object_deleted_between_list_and_get() {
    let b = three_files("gone");
    let p = proxy::start(
        &endpoint(),
        Rules {
            delete_before_get: Some((b.clone(), "a/first.csv".into())),
            ..Rules::default()
        },
    );
    let (code, inv, stderr) = scan_at(&p.url, &["--quiet", &format!("s3://{b}/")]);
    assert_eq!(code, 1, "{stderr}");
    let errs = errors_of(&inv, &format!("s3://{b}/a/first.csv"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].1, "not_found");
    assert!(errs[0].2.contains("NoSuchKey"), "{errs:?}");
    assert_eq!(inv["summary"]["assets_with_errors"], 1);
}

#[test]
fn a_decompression_bomb_object_stops_at_the_cap() {
    use std::io::Write;
    // 32 MiB of log lines in a gzip object of a few KiB.
    let mut text = "user ann@example.com logged in\n".repeat(100).into_bytes();
    let filler = [vec![b'a'; 1023], vec![b'\n']].concat();
    while text.len() < 32 << 20 {
        text.extend_from_slice(&filler);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&text).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let b = bucket("bomb");
    put_many(
        &b,
        vec![
            ("logs/bomb.log.gz".into(), gz.clone()),
            ("other/good.csv".into(), b"email\nx1@example.com\n".to_vec()),
        ],
    );
    let cap = (2u64 << 20).to_string();
    let (code, inv, stderr) = scan(&[
        "--quiet",
        "--full",
        "--max-decompressed-bytes",
        &cap,
        &format!("s3://{b}/"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let errs = errors_of(&inv, &format!("s3://{b}/logs/bomb.log.gz"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].1, "decompression_limit");
    assert!(errs[0].2.contains(&cap), "{errs:?}");
    assert!(errs[0].0.ends_with("logs/bomb.log.gz"), "{errs:?}");
    let assets = assets_by_id(&inv);
    let bomb = &assets[&format!("s3://{b}/logs/bomb.log.gz")];
    assert_eq!(bomb["columns"][0]["labels"][0]["label"], "EMAIL", "{bomb}");
    // Every compressed byte was fetched (a few KiB), never more.
    assert!(bomb["bytes_read"].as_u64().unwrap_or(u64::MAX) <= gz.len() as u64);
    assert!(errors_of(&inv, &format!("s3://{b}/other/good.csv")).is_empty());
}

#[test]
fn an_unreachable_endpoint_fails_fast_without_hanging() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let started = Instant::now();
    let (code, inv, stderr) = scan_at(
        &format!("http://127.0.0.1:{port}"),
        &["--quiet", "--s3-max-attempts", "2", "s3://any-bucket/x/"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(inv["assets"][0]["errors"][0]["code"], "unreachable");
}

struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A moto server of this test's own, with IAM authentication enforced after
/// its first `free_actions` actions.
fn moto_with_auth(free_actions: u32) -> (Moto, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", free_actions.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server must be installed (scripts/s3-server.sh installs it)");
    let moto = Moto(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (moto, url)
}

#[test]
fn access_denied_on_some_keys_and_wrong_credentials() {
    let (_moto, url) = moto_with_auth(6);
    let bucket = "ferret-auth";
    let out = std::process::Command::new("python3")
        .arg(common::root().join("tests/s3util/moto_auth_setup.py"))
        .args([&url, bucket])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "setup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Value = serde_json::from_slice(&out.stdout).expect("keys");
    let access = keys["access_key"].as_str().expect("access");
    let secret = keys["secret_key"].as_str().expect("secret");

    let run = |access: &str, secret: &str| {
        let out = ferret_s3(&url)
            .env("AWS_ACCESS_KEY_ID", access)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .args(["--quiet", &format!("s3://{bucket}/")])
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "secret printed"
        );
        let inv: Value = serde_json::from_str(&stdout).expect("json");
        common::validate(&inv);
        (out.status.code(), inv, stderr)
    };

    // The scanner may list the bucket and read open/ only.
    let (code, inv, stderr) = run(access, secret);
    assert_eq!(code, Some(1), "{stderr}");
    let open = format!("s3://{bucket}/open/contacts.csv");
    assert!(errors_of(&inv, &open).is_empty());
    assert_eq!(
        common::column_labels(
            inv["assets"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["id"] == open))
                .expect("open"),
            "email"
        ),
        ["EMAIL"]
    );
    let denied = errors_of(&inv, &format!("s3://{bucket}/secret/payroll.csv"));
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].1, "permission_denied");
    assert!(denied[0].2.contains("AccessDenied") && denied[0].2.contains("secret/payroll.csv"));

    // A wrong secret, and an unknown key: the listing is refused.
    for (a, s, reason) in [
        (access, "not-the-secret", "SignatureDoesNotMatch"),
        ("AKIAUNKNOWNKEY000000", secret, "InvalidAccessKeyId"),
    ] {
        let (code, inv, stderr) = run(a, s);
        assert_eq!(code, Some(1), "{stderr}");
        let e = &inv["assets"][0]["errors"][0];
        assert_eq!(e["code"], "invalid_credentials", "{inv}");
        assert!(
            e["message"].as_str().unwrap_or_default().contains(reason),
            "{e}"
        );
    }
}

/// Runs a `--state` scan of `args` with one worker behind a proxy that
/// delays each request by 60 ms, kills it with SIGKILL as soon as the state
/// file satisfies `ready`, and returns the state as the kill left it.
fn kill_when_state(
    state: &std::path::Path,
    args: &[&str],
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let slow = proxy::start(
        &endpoint(),
        Rules {
            delay: Some(Duration::from_millis(60)),
            ..Rules::default()
        },
    );
    let mut child = ferret_s3(&slow.url)
        .args([
            "--quiet",
            "--threads",
            "1",
            "--state",
            state.to_str().expect("path"),
        ])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the state was not ready in time");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the scan finished before it could be killed"
        );
        if let Ok(text) = std::fs::read_to_string(state)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
            && ready(&v)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    let text = std::fs::read_to_string(state).expect("state after kill");
    serde_json::from_str(&text).expect("the state is whole after SIGKILL")
}

/// `kill -9` in the middle of a `--state` run: the next run carries forward
/// exactly what the state recorded and scans only the rest.
#[test]
fn a_killed_run_resumes_from_its_state() {
    let b = bucket("kill");
    let objects: Vec<(String, Vec<u8>)> = (0..120)
        .map(|i| {
            (
                // One folder each: 120 separate assets.
                format!("d{i:03}x/data.csv"),
                format!("email\nu{i}@example.com\nv{i}@example.com\n").into_bytes(),
            )
        })
        .collect();
    put_many(&b, objects);
    let dir = common::tempdir();
    let state = dir.path().join("state.json");
    let target = format!("s3://{b}/");
    // One worker needs ~7 s for the 120 objects behind the slow proxy.
    // Ready when 5 assets are finished (an entry may hold only a kept part).
    let stored = kill_when_state(&state, &[&target], |v| {
        v["assets"]
            .as_object()
            .is_some_and(|m| m.values().filter(|e| e.get("asset").is_some()).count() >= 5)
    });
    let entries = stored["assets"].as_object().expect("assets");
    // Finished assets, and assets whose object was kept but which the kill
    // caught before they were recorded: those are rescanned without a read.
    let done = entries
        .values()
        .filter(|e| e.get("asset").is_some())
        .count() as u64;
    let parts_only = entries
        .values()
        .filter(|e| {
            e.get("asset").is_none() && e["parts"].as_object().is_some_and(|p| !p.is_empty())
        })
        .count() as u64;
    assert!((5..120).contains(&done), "{done}");

    let (code, inv, stderr) = scan(&["--quiet", "--state", state.to_str().expect("path"), &target]);
    assert_eq!(code, 0, "{stderr}");
    let inc = &inv["scan"]["incremental"];
    assert_eq!(inc["carried_forward"], done, "{inc}");
    assert_eq!(inc["rescanned"], 120 - done, "{inc}");
    assert_eq!(inc["objects_carried_forward"], parts_only, "{inc}");
    assert_eq!(io(&inv, "get_requests"), 120 - done - parts_only);
    assert_eq!(inv["assets"].as_array().expect("assets").len(), 120);
}

/// `kill -9` in the middle of one large dataset (`--full`): the objects it
/// had kept survive in the state, and the next run reads only the others.
/// Its asset is what a fresh scan reports.
#[test]
fn a_run_killed_inside_a_dataset_resumes_from_its_kept_objects() {
    let b = bucket("killds");
    let objects: Vec<(String, Vec<u8>)> = (0..80)
        .map(|i| {
            (
                format!("events/dt={i:03}/part-0.csv"),
                format!("email,ip\nu{i}@example.com,10.0.0.{}\n", i % 250).into_bytes(),
            )
        })
        .collect();
    put_many(&b, objects);
    let dir = common::tempdir();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("path");
    let target = format!("s3://{b}/events/");
    let id = target.clone();
    let kept_parts = |v: &Value| v["assets"][&id]["parts"].as_object().map_or(0, |p| p.len());
    let stored = kill_when_state(&state, &["--full", &target], |v| kept_parts(v) >= 5);
    let kept = kept_parts(&stored) as u64;
    assert!((5..80).contains(&kept), "{kept}");
    assert!(
        stored["assets"][&id].get("asset").is_none(),
        "the asset was not finished"
    );

    let (code, inv, stderr) = scan(&["--quiet", "--full", "--state", state_arg, &target]);
    assert_eq!(code, 0, "{stderr}");
    let inc = &inv["scan"]["incremental"];
    assert_eq!(inc["objects_carried_forward"], kept, "{inc}");
    assert_eq!(inc["objects_read"], 80 - kept, "{inc}");
    assert_eq!(io(&inv, "get_requests"), 80 - kept);
    let (code, fresh, stderr) = scan(&["--quiet", "--full", &target]);
    assert_eq!(code, 0, "{stderr}");
    let mut resumed = inv["assets"][0].clone();
    resumed
        .as_object_mut()
        .expect("asset")
        .remove("objects_carried_forward");
    assert_eq!(resumed, fresh["assets"][0]);
    assert_eq!(fresh["assets"][0]["rows_sampled"], 80);
}
