//! PostgreSQL sources against a real server: the throwaway cluster that
//! `scripts/pg-server.sh start` runs and loads with fixtures/postgres/fixtures.sql
//! (the README's test command starts it). Without it these tests fail; they
//! never skip.

mod common;

use common::{column_labels as labels, error_codes, validate};
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The test server's coordinates, from the environment or target/pg/env.
struct Pg {
    port: String,
    admin_url: String,
    reader_password: String,
    ca: String,
}

fn pg() -> Pg {
    let mut vars: HashMap<String, String> = std::env::vars().collect();
    if !vars.contains_key("FERRET_TEST_PG_PORT") {
        let file = common::root().join("target/pg/env");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
            panic!(
                "no PostgreSQL test server: run `bash scripts/test.sh` (it starts one) \
                 or `scripts/pg-server.sh start` first ({} is missing)",
                file.display()
            )
        });
        for line in text.lines() {
            if let Some((k, v)) = line.trim_start_matches("export ").split_once('=') {
                vars.insert(k.to_string(), v.to_string());
            }
        }
    }
    let get = |k: &str| {
        vars.get(k)
            .cloned()
            .unwrap_or_else(|| panic!("{k} not set"))
    };
    Pg {
        port: get("FERRET_TEST_PG_PORT"),
        admin_url: get("FERRET_TEST_PG_ADMIN_URL"),
        reader_password: get("FERRET_TEST_PG_READER_PASSWORD"),
        ca: get("FERRET_TEST_PG_CA"),
    }
}

impl Pg {
    fn url(&self, db: &str) -> String {
        format!("postgres://ferret_reader@127.0.0.1:{}/{db}", self.port)
    }

    /// `ferret scan --quiet <args>` as the reader role (password in PGPASSWORD).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::ferret();
        cmd.arg("scan").arg("--quiet").args(args);
        cmd.env("PGPASSWORD", &self.reader_password)
            .env_remove("PGSSLMODE")
            .env_remove("PGSSLROOTCERT")
            .env("PGPASSFILE", "/nonexistent");
        cmd
    }

    fn scan(&self, args: &[&str]) -> (i32, Value, String) {
        let out = self.command(args).output().expect("run ferret");
        parse(out)
    }

    fn admin_url_for(&self, db: &str) -> String {
        let base = self
            .admin_url
            .rsplit_once('/')
            .map_or(self.admin_url.as_str(), |(b, _)| b);
        format!("{base}/{db}")
    }

    /// A superuser session for setting up and observing.
    fn admin(&self) -> (tokio::runtime::Runtime, tokio_postgres::Client) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let client = rt.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&self.admin_url_for("ferret_test"), tokio_postgres::NoTls)
                    .await
                    .expect("admin connection");
            tokio::spawn(conn);
            client
        });
        (rt, client)
    }
}

fn parse(out: std::process::Output) -> (i32, Value, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let inv: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    validate(&inv);
    (out.status.code().unwrap_or(-1), inv, stderr)
}

fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"].as_str().is_some_and(|id| id.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no asset ending in {suffix}: {:?}", ids(inv)))
}

fn ids(inv: &Value) -> Vec<String> {
    inv["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str().map(String::from))
        .collect()
}

fn column<'a>(asset: &'a Value, path: &str) -> &'a Value {
    asset["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["path"] == path)
        .unwrap_or_else(|| panic!("no column {path} in {}", asset["id"]))
}

#[test]
fn sampled_scan_classifies_every_table_and_flags_the_rest() {
    let pg = pg();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--exclude",
        "many.*",
        "--exclude",
        "slow.*",
    ]);
    assert_eq!(
        code, 1,
        "permission errors on two relations make exit 1; stderr:\n{stderr}"
    );

    let customers = asset(&inv, "/ferret_test/public.customers");
    assert_eq!(customers["kind"], "table");
    assert_eq!(customers["format"], "postgresql");
    assert_eq!(customers["table"]["comment"], "Customers of the web shop");
    assert_eq!(customers["rows_sampled"], 500);
    assert_eq!(customers["row_estimate"], 500);
    assert_eq!(labels(customers, "email"), ["EMAIL"]);
    assert_eq!(
        column(customers, "email")["comment"],
        "primary contact address"
    );
    assert_eq!(labels(customers, "phone"), ["PHONE"]);
    assert_eq!(labels(customers, "card_number"), ["CREDIT_CARD"]);
    assert_eq!(labels(customers, "ssn"), ["US_SSN"]);
    assert_eq!(
        labels(customers, "profile.contact.email"),
        ["EMAIL"],
        "jsonb flattened"
    );
    assert_eq!(
        labels(customers, "alt_emails[]"),
        ["EMAIL"],
        "arrays as lists"
    );
    assert!(
        labels(customers, "notes").contains(&"EMAIL".to_string()),
        "free text"
    );
    assert!(labels(customers, "status").is_empty());
    assert_eq!(
        column(customers, "active")["skipped_reason"],
        "boolean: cannot hold personal data"
    );
    assert!(
        column(customers, "avatar")["skipped_reason"]
            .as_str()
            .unwrap()
            .contains("--sniff-binary")
    );
    assert_eq!(column(customers, "signup")["source_type"], "date");
    assert_eq!(
        column(customers, "phone")["source_type"],
        "character varying(32)"
    );

    let orders = asset(&inv, "/ferret_test/public.orders");
    let fk = &orders["table"]["foreign_keys"][0];
    assert_eq!(fk["columns"][0], "customer_id");
    assert!(
        fk["references"]
            .as_str()
            .unwrap()
            .ends_with("/ferret_test/public.customers")
    );
    assert_eq!(labels(orders, "client_ip"), ["IP_ADDRESS"]);

    assert!(
        asset(&inv, "/public.products")["columns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["labels"].as_array().unwrap().is_empty()),
        "the decoy table has no personal data"
    );

    // Partitioned: the parent once, no partition assets.
    let m = asset(&inv, "/public.measurements");
    assert_eq!(m["table"]["relation_kind"], "partitioned_table");
    assert_eq!(m["table"]["partitions"], 3);
    assert_eq!(m["row_estimate"], 3000);
    assert_eq!(labels(m, "patient_email"), ["EMAIL"]);
    assert!(
        !ids(&inv).iter().any(|id| id.contains("measurements_20")),
        "partitions are not assets"
    );

    // Views are flagged, not read, without --include-views.
    let v = asset(&inv, "/public.customer_contacts");
    assert_eq!(v["kind"], "view");
    assert_eq!(v["table"]["sampling_method"], "not_read");
    assert_eq!(v["rows_sampled"], 0);
    assert!(
        v["table"]["depends_on"][0]
            .as_str()
            .unwrap()
            .ends_with("/public.customers")
    );
    let mv = asset(&inv, "/public.order_totals");
    assert_eq!(mv["table"]["relation_kind"], "materialized_view");
    assert_eq!(
        labels(mv, "email"),
        ["EMAIL"],
        "materialized views are read like tables"
    );

    // A 1 M-row table is sampled by pages, not read.
    let big = asset(&inv, "/public.big_events");
    assert_eq!(big["table"]["sampling_method"], "tablesample_system");
    let sampled = big["rows_sampled"].as_u64().unwrap();
    assert!((500..=1000).contains(&sampled), "sampled {sampled}");
    assert_eq!(big["row_estimate"], 1_000_000);
    assert_eq!(big["row_estimate_method"], "metadata");
    assert_eq!(labels(big, "user_email"), ["EMAIL"]);

    // Never analyzed: the row count comes from the fallback.
    let un = asset(&inv, "/public.unanalyzed");
    assert_eq!(un["row_estimate"], 1500);
    assert_eq!(un["row_estimate_method"], "exact");

    // Odd names are quoted: read, classified, and nothing dropped.
    for (suffix, col) in [
        ("/Odd Schema.; DROP TABLE x; --", "e-mail address"),
        ("/Odd Schema.with space", "Phone Number"),
        ("/Odd Schema.ünïcødé", "courriel"),
        ("/Odd Schema.MixedCase", "MixedEmail"),
    ] {
        let a = asset(&inv, suffix);
        assert!(
            a["errors"].as_array().unwrap().is_empty(),
            "{suffix}: {}",
            a["errors"]
        );
        assert_eq!(a["rows_sampled"], 40, "{suffix}");
        assert!(!labels(a, col).is_empty(), "{suffix}.{col} classified");
    }
    asset(&inv, "/public.x");

    // Permissions: errors on those relations only.
    assert_eq!(
        error_codes(asset(&inv, "/public.hr_notes")),
        ["permission_denied"]
    );
    assert_eq!(
        error_codes(asset(&inv, "/restricted.salaries")),
        ["permission_denied"]
    );
    let with_errors = inv["summary"]["assets_with_errors"].as_u64().unwrap();
    assert_eq!(with_errors, 2, "only the two forbidden relations fail");
}

#[test]
fn full_scan_streams_every_row_with_copy() {
    let pg = pg();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--full",
        "--include",
        "public.big_events",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let big = asset(&inv, "/public.big_events");
    assert_eq!(big["table"]["sampling_method"], "copy");
    assert_eq!(big["rows_sampled"], 1_000_000);
    assert_eq!(big["row_estimate_method"], "exact");
    assert_eq!(labels(big, "user_email"), ["EMAIL"]);
    assert_eq!(labels(big, "phone"), ["PHONE"]);
    assert!(labels(big, "status").is_empty());
    assert!(big["bytes_read"].as_u64().unwrap() > 50_000_000);
}

#[test]
fn views_are_read_on_request_and_stats_give_a_zero_scan_signal() {
    let pg = pg();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--include-views",
        "--include",
        "public.customer_contacts",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v = asset(&inv, "/public.customer_contacts");
    assert_eq!(v["table"]["sampling_method"], "whole_table");
    assert_eq!(v["rows_sampled"], 500);
    assert_eq!(labels(v, "email"), ["EMAIL"]);

    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--metadata-only",
        "--include",
        "public.customers",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let c = asset(&inv, "/public.customers");
    assert_eq!(c["table"]["sampling_method"], "pg_stats");
    assert_eq!(c["rows_sampled"], 0, "no table row read");
    assert_eq!(labels(c, "email"), ["EMAIL"]);
}

#[test]
fn include_and_exclude_work_on_tables_and_columns() {
    let pg = pg();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--include",
        "public.cust*",
        "--exclude-column",
        "public.customers.card_number",
        "--exclude-column",
        "notes",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        ids(&inv).len(),
        2,
        "customers and the customer_contacts view: {:?}",
        ids(&inv)
    );
    let c = asset(&inv, "/public.customers");
    let paths: Vec<&str> = c["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert!(
        !paths.contains(&"card_number") && !paths.contains(&"notes"),
        "{paths:?}"
    );
    assert!(paths.contains(&"email"));
}

#[test]
fn every_database_when_the_url_names_none() {
    let pg = pg();
    let url = format!("postgres://ferret_reader@127.0.0.1:{}/", pg.port);
    let (code, inv, stderr) = pg.scan(&[
        &url,
        "--include",
        "public.contacts",
        "--include",
        "public.secrets_over_tls",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let other = asset(&inv, "/ferret_other/public.contacts");
    assert_eq!(labels(other, "email"), ["EMAIL"]);
    asset(&inv, "/tlsonly/public.secrets_over_tls");
    assert!(
        inv["scan"]["targets"][0]
            .as_str()
            .unwrap()
            .starts_with("postgres://ferret_reader@")
    );
}

#[test]
fn sessions_are_read_only_with_timeouts_and_a_name() {
    use ferret::source::db::postgres::{PgSettings, PgSource};
    let pg = pg();
    let url = format!(
        "postgres://ferret_reader:{}@127.0.0.1:{}/ferret_test",
        pg.reader_password, pg.port
    );
    let settings = PgSettings {
        statement_timeout: Duration::from_secs(7),
        lock_timeout: Duration::from_secs(3),
        ..PgSettings::default()
    };
    let source = PgSource::from_url(&url, &settings).expect("url");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = source.connect("ferret_test").await.expect("connect");
        let show = |name: &'static str| {
            let client = &client;
            async move {
                let row = client
                    .query_one(&format!("SHOW {name}"), &[])
                    .await
                    .unwrap();
                row.get::<_, String>(0)
            }
        };
        assert_eq!(show("default_transaction_read_only").await, "on");
        assert_eq!(show("statement_timeout").await, "7s");
        assert_eq!(show("lock_timeout").await, "3s");
        assert_eq!(show("application_name").await, "ferret");
        let err = client
            .batch_execute("CREATE TABLE public.should_fail (id int)")
            .await
            .unwrap_err();
        assert_eq!(
            err.code().map(|c| c.code()),
            Some("25006"),
            "read-only transaction: {err}"
        );
    });
    // The password never reaches the debug output.
    assert!(!format!("{source:?}").contains(&pg.reader_password));
}

#[test]
fn tls_modes_behave_like_libpq() {
    let pg = pg();
    let base = pg.url("tlsonly");
    let with = |q: &str| format!("{base}?{q}");
    // The server refuses non-TLS connections to this database.
    let (code, inv, _) = pg.scan(&[&with("sslmode=disable")]);
    assert_eq!(code, 1);
    assert!(!inv["assets"][0]["errors"].as_array().unwrap().is_empty());
    for ok in [
        "sslmode=require".to_string(),
        "sslmode=prefer".to_string(),
        format!("sslmode=verify-ca&sslrootcert={}", pg.ca),
        format!("sslmode=verify-full&sslrootcert={}", pg.ca),
    ] {
        let (code, inv, stderr) = pg.scan(&[&with(&ok)]);
        assert_eq!(code, 0, "{ok}: {stderr}");
        assert_eq!(
            labels(asset(&inv, "/tlsonly/public.secrets_over_tls"), "email"),
            ["EMAIL"],
            "{ok}"
        );
    }
    // The same CA through the flag.
    let (code, _, stderr) = pg.scan(&[&with("sslmode=verify-full"), "--db-ca-file", &pg.ca]);
    assert_eq!(code, 0, "{stderr}");
    // Our CA is not in the system store: verification must fail, clearly.
    let (code, inv, _) = pg.scan(&[&with("sslmode=verify-full")]);
    assert_eq!(code, 1);
    assert_eq!(error_codes(&inv["assets"][0]), ["tls_error"]);
}

#[test]
fn connection_failures_are_errors_on_the_source() {
    let pg = pg();
    // Nothing listens on this port.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://ferret_reader@127.0.0.1:{free}/ferret_test");
    let started = Instant::now();
    let (code, inv, _) = pg.scan(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(error_codes(&inv["assets"][0]), ["connection_failed"]);
    assert!(started.elapsed() < Duration::from_secs(30));

    // Wrong password: auth_failed, and the password is printed nowhere.
    let out = pg
        .command(&[&pg.url("ferret_test")])
        .env("PGPASSWORD", "wrong-Secret-42")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("wrong-Secret-42"));
    let (code, inv, _) = parse(out);
    assert_eq!(code, 1);
    assert_eq!(error_codes(&inv["assets"][0]), ["auth_failed"]);

    // A password in the URL never reaches the inventory either.
    let url = format!(
        "postgres://ferret_reader:{}@127.0.0.1:{}/ferret_test",
        pg.reader_password, pg.port
    );
    let out = pg
        .command(&[&url, "--include", "public.products"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(&pg.reader_password), "password leaked");
    assert_eq!(parse(out).0, 0);

    // Missing database.
    let (code, inv, _) = pg.scan(&[&pg.url("no_such_db")]);
    assert_eq!(code, 1);
    assert_eq!(error_codes(&inv["assets"][0]), ["database_not_found"]);
}

#[test]
fn a_statement_timeout_costs_one_asset() {
    let pg = pg();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--include-views",
        "--include",
        "slow.*",
        "--include",
        "public.products",
        "--db-statement-timeout",
        "1",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        error_codes(asset(&inv, "/slow.sleepy")),
        ["statement_timeout"]
    );
    assert!(error_codes(asset(&inv, "/public.products")).is_empty());
}

/// Waits until a ferret session shows `predicate` in pg_stat_activity.
fn wait_for_ferret(rt: &tokio::runtime::Runtime, admin: &tokio_postgres::Client, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n: i64 = rt
            .block_on(admin.query_one(
                &format!("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ferret' AND {condition}"),
                &[],
            ))
            .unwrap()
            .get(0);
        if n > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "ferret never reached: {condition}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_table_dropped_between_discovery_and_sampling_is_an_error_on_it() {
    let pg = pg();
    let (rt, admin) = pg.admin();
    rt.block_on(admin.batch_execute(
        "DROP TABLE IF EXISTS public.doomed; CREATE TABLE public.doomed (email text);
         INSERT INTO public.doomed VALUES ('a@example.com'); GRANT SELECT ON public.doomed TO ferret_reader;",
    ))
    .unwrap();
    rt.block_on(admin.batch_execute("BEGIN; LOCK TABLE public.doomed IN ACCESS EXCLUSIVE MODE;"))
        .unwrap();
    let child = pg
        .command(&[
            &pg.url("ferret_test"),
            "--include",
            "public.doomed",
            "--include",
            "public.products",
            "--db-lock-timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // pg_stat_activity is a snapshot per transaction: watch from another session.
    let (watch_rt, watcher) = pg.admin();
    wait_for_ferret(&watch_rt, &watcher, "wait_event_type = 'Lock'");
    rt.block_on(admin.batch_execute("DROP TABLE public.doomed; COMMIT;"))
        .unwrap();
    let (code, inv, stderr) = parse(child.wait_with_output().unwrap());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        error_codes(asset(&inv, "/public.doomed")),
        ["table_not_found"]
    );
    assert!(error_codes(asset(&inv, "/public.products")).is_empty());
}

#[test]
fn a_locked_table_times_out_instead_of_hanging() {
    let pg = pg();
    let (rt, admin) = pg.admin();
    rt.block_on(admin.batch_execute(
        "DROP TABLE IF EXISTS public.locked; CREATE TABLE public.locked (email text);
         GRANT SELECT ON public.locked TO ferret_reader;",
    ))
    .unwrap();
    rt.block_on(admin.batch_execute("BEGIN; LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE;"))
        .unwrap();
    let (code, inv, stderr) = pg.scan(&[
        &pg.url("ferret_test"),
        "--include",
        "public.locked",
        "--include",
        "public.products",
        "--db-lock-timeout",
        "1",
    ]);
    rt.block_on(admin.batch_execute("ROLLBACK; DROP TABLE public.locked;"))
        .unwrap();
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(error_codes(asset(&inv, "/public.locked")), ["lock_timeout"]);
    assert!(error_codes(asset(&inv, "/public.products")).is_empty());
}

#[test]
fn a_session_killed_mid_scan_costs_that_table_only() {
    let pg = pg();
    let (rt, admin) = pg.admin();
    let child = pg
        .command(&[
            &pg.url("ferret_test"),
            "--full",
            "--db-connections",
            "1",
            "--include",
            "public.big_events",
            "--include",
            "public.customers",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_ferret(&rt, &admin, "query LIKE 'COPY%big_events%'");
    rt.block_on(admin.batch_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ferret' AND query LIKE 'COPY%big_events%'",
    ))
    .unwrap();
    let (code, inv, stderr) = parse(child.wait_with_output().unwrap());
    assert_eq!(code, 1, "{stderr}");
    let big = asset(&inv, "/public.big_events");
    let codes = error_codes(big);
    assert!(codes == ["connection_lost"], "{codes:?}");
    let customers = asset(&inv, "/public.customers");
    assert!(error_codes(customers).is_empty(), "{}", customers["errors"]);
    assert_eq!(
        customers["rows_sampled"], 500,
        "the next table is read on a new session"
    );
}

#[test]
fn config_file_sources_take_the_password_from_the_environment() {
    let pg = pg();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ferret.toml");
    std::fs::write(
        &config,
        format!(
            "[[postgres]]\nurl = \"{}\"\npassword_env = \"FERRET_TEST_DB_PW\"\n",
            pg.url("ferret_test")
        ),
    )
    .unwrap();
    let out = pg
        .command(&[
            "--config",
            config.to_str().unwrap(),
            "--include",
            "public.customers",
        ])
        .env_remove("PGPASSWORD")
        .env("FERRET_TEST_DB_PW", &pg.reader_password)
        .output()
        .unwrap();
    let (code, inv, stderr) = parse(out);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(labels(asset(&inv, "/public.customers"), "email"), ["EMAIL"]);

    let out = pg
        .command(&["--config", config.to_str().unwrap()])
        .env_remove("FERRET_TEST_DB_PW")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing password variable is a usage error"
    );
}

#[test]
fn pgpass_supplies_the_password_when_nothing_else_does() {
    use std::os::unix::fs::PermissionsExt;
    let pg = pg();
    let dir = tempfile::tempdir().unwrap();
    let pgpass = dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "127.0.0.1:{}:*:ferret_reader:{}\n",
            pg.port, pg.reader_password
        ),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = pg
        .command(&[&pg.url("ferret_test"), "--include", "public.products"])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", &pgpass)
        .output()
        .unwrap();
    let (code, _, stderr) = parse(out);
    assert_eq!(code, 0, "{stderr}");
    // libpq's rule: a password file others can read is ignored.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = pg
        .command(&[&pg.url("ferret_test"), "--include", "public.products"])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", &pgpass)
        .output()
        .unwrap();
    assert_eq!(parse(out).0, 1);
}

#[test]
fn no_raw_value_leaves_ferret() {
    let pg = pg();
    let (rt, admin) = pg.admin();
    let rows = rt
        .block_on(admin.query(
            "SELECT email, phone, card_number, ssn, profile->'contact'->>'email', alt_emails[1] FROM public.customers",
            &[],
        ))
        .unwrap();
    let mut raw: Vec<String> = Vec::new();
    for r in &rows {
        for i in 0..6 {
            if let Ok(Some(v)) = r.try_get::<_, Option<String>>(i) {
                raw.push(v.trim().to_string());
            }
        }
    }
    assert!(raw.len() > 2000);
    for format in ["json", "jsonl", "csv"] {
        let out = pg
            .command(&[
                &pg.url("ferret_test"),
                "--include",
                "public.customer*",
                "--include-views",
                "--format",
                format,
            ])
            .env("FERRET_LOG", "debug")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("EMAIL"), "{format}: the scan found something");
        for v in &raw {
            assert!(
                !text.contains(v.as_str()),
                "{format}: raw value {v:?} in the output"
            );
        }
    }
}

#[test]
fn shards_split_tables_and_merge_back_into_one_run() {
    let pg = pg();
    let url = pg.url("ferret_test");
    let blank = |mut inv: Value| {
        for key in ["started_at", "finished_at", "duration_ms"] {
            inv["scan"][key] = Value::Null;
        }
        inv
    };
    // Only `public`: other tests create and drop tables elsewhere meanwhile.
    let (code, whole, stderr) = parse(
        pg.command(&["--include", "public.*", &url])
            .output()
            .unwrap(),
    );
    assert!(code == 0 || code == 1, "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for k in 0..2 {
        let part = dir.path().join(format!("part-{k}.json"));
        let out = pg
            .command(&[
                "--include",
                "public.*",
                "--shard",
                &format!("{k}/2"),
                "-o",
                part.to_str().unwrap(),
                &url,
            ])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "shard {k}");
        parts.push(part.to_str().unwrap().to_string());
    }
    let merged = dir.path().join("merged.json");
    let mut args = vec!["merge", "-o", merged.to_str().unwrap()];
    args.extend(parts.iter().map(String::as_str));
    let out = common::run(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&std::fs::read(&merged).unwrap()).unwrap();
    validate(&merged);
    assert_eq!(blank(merged), blank(whole));
}

/// Fifty rows of a CSV with an email column, in `dir/name/people.csv`.
fn people_folder(dir: &std::path::Path, name: &str) -> String {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let mut csv = String::from("id,email\n");
    for i in 0..50 {
        csv.push_str(&format!("{i},user{i}@example.com\n"));
    }
    std::fs::write(folder.join("people.csv"), csv).unwrap();
    folder.display().to_string()
}

#[test]
fn sources_sample_by_their_own_settings_and_each_asset_says_which() {
    let pg = pg();
    let dir = tempfile::tempdir().unwrap();
    let whole = people_folder(dir.path(), "whole");
    let ten = people_folder(dir.path(), "ten");
    let default = people_folder(dir.path(), "default");
    let config = dir.path().join("ferret.toml");
    std::fs::write(
        &config,
        format!(
            "targets = [\"{default}\"]\n\
             [[source]]\ntarget = \"{whole}\"\nfull = true\n\
             [[source]]\ntarget = \"{ten}\"\nsample_rows = 10\nseed = 3\n\
             [[source]]\ntarget = \"{}\"\ninclude = [\"public.customers\"]\nsample_rows = 7\n",
            pg.url("ferret_test")
        ),
    )
    .unwrap();
    // The flag sets the run's default; the sources' own keys win over it.
    let (code, inv, stderr) =
        pg.scan(&["--config", config.to_str().unwrap(), "--sample-rows", "30"]);
    assert_eq!(code, 0, "{stderr}");
    common::validate(&inv);
    let rows = |suffix: &str| asset(&inv, suffix)["rows_sampled"].as_u64().unwrap();
    let sampling = |suffix: &str| asset(&inv, suffix)["sampling"].clone();
    assert_eq!(rows("whole/people.csv"), 50);
    assert_eq!(sampling("whole/people.csv")["mode"], "full");
    assert_eq!(rows("ten/people.csv"), 10);
    assert_eq!(sampling("ten/people.csv")["sample_rows"], 10);
    assert_eq!(sampling("ten/people.csv")["seed"], 3);
    assert_eq!(rows("default/people.csv"), 30);
    assert_eq!(sampling("default/people.csv")["sample_rows"], 30);
    assert_eq!(sampling("default/people.csv")["mode"], "sample");
    assert_eq!(rows("/public.customers"), 7);
    assert_eq!(sampling("/public.customers")["sample_rows"], 7);
    assert_eq!(inv["scan"]["sampling"]["sample_rows"], 30);
    let per_source = inv["scan"]["source_sampling"].as_array().unwrap();
    assert_eq!(per_source.len(), 3, "{per_source:?}");
    assert_eq!(per_source[0]["sampling"]["mode"], "full");
}

/// A password holding an unescaped `?` and `/` (as pasted from a password
/// manager) connects, and appears in no output of the run: not in
/// `scan.targets`, asset ids, the findings stream, the state, the metrics or
/// either log format (issue 22, item 5).
#[test]
fn a_password_with_question_mark_and_slash_connects_and_is_never_printed() {
    let pg = pg();
    let (rt, admin) = pg.admin();
    let secret = "Hx7?q/Zr9/w?Kp";
    rt.block_on(admin.batch_execute(&format!(
        "DROP ROLE IF EXISTS ferret_hostile; \
         CREATE ROLE ferret_hostile LOGIN PASSWORD '{secret}' IN ROLE ferret_reader;"
    )))
    .unwrap();
    let url = format!(
        "postgres://ferret_hostile:{secret}@127.0.0.1:{}/ferret_test",
        pg.port
    );
    let dir = common::tempdir();
    let file = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for log_format in ["text", "json"] {
        let out = pg
            .command(&[
                &url,
                "--include",
                "public.customers",
                "--log-format",
                log_format,
                "--findings-jsonl",
                &file("findings.jsonl"),
                "--metrics-file",
                &file("metrics.prom"),
                "--state",
                &file("state.json"),
                "-o",
                &file("inv.json"),
            ])
            .env_remove("PGPASSWORD")
            .env("FERRET_LOG", "debug")
            .output()
            .unwrap();
        let mut all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for f in ["findings.jsonl", "metrics.prom", "state.json", "inv.json"] {
            all.push_str(&std::fs::read_to_string(file(f)).unwrap_or_default());
        }
        assert_eq!(out.status.code(), Some(0), "{all}");
        let inv: Value =
            serde_json::from_str(&std::fs::read_to_string(file("inv.json")).unwrap()).unwrap();
        // It connected: the table was read with the password from the URL.
        assert!(
            asset(&inv, "/public.customers")["rows_sampled"].as_u64() > Some(0),
            "{all}"
        );
        assert_eq!(
            inv["scan"]["targets"][0],
            format!(
                "postgres://ferret_hostile:***@127.0.0.1:{}/ferret_test",
                pg.port
            )
        );
        for part in [secret, "Hx7", "Zr9", "w?Kp"] {
            assert!(!all.contains(part), "{log_format}: {part} printed:\n{all}");
        }
    }
    rt.block_on(admin.batch_execute("DROP ROLE ferret_hostile;"))
        .unwrap();
}
