//! MySQL / MariaDB sources against real servers: the throwaway ones that
//! `scripts/mariadb-server.sh start` runs and loads with
//! fixtures/mariadb/fixtures.sql (scripts/test.sh starts them). Without them
//! these tests fail; they never skip. They call the library directly
//! (`ferret::source::db::mysql`); expected values come from the fixture
//! definitions and from an admin session's own counts.

mod common;

use arrow::array::{Array, StringArray};
use arrow::record_batch::RecordBatch;
use ferret::source::db::mysql::{
    self, Flavor, FullScan, MySqlSettings, MySqlSource, Session, SslMode,
};
use ferret::source::db::{RelationKind, Render, TablePlan};
use ferret::source::discover::KeyFilter;
use mysql_async::prelude::Queryable;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// The test servers' coordinates, from the environment or target/mariadb/env.
struct My {
    port: String,
    plain_port: String,
    admin_url: String,
    reader_password: String,
    ca: String,
    other_ca: String,
}

fn my() -> My {
    let mut vars: HashMap<String, String> = std::env::vars().collect();
    if !vars.contains_key("FERRET_TEST_MYSQL_PORT") {
        let file = common::root().join("target/mariadb/env");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
            panic!(
                "no MariaDB test server: run `bash scripts/mariadb-server.sh start` and \
                 `. target/mariadb/env` (or `bash scripts/test.sh`, which does both); {} is missing",
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
        vars.get(k).cloned().unwrap_or_else(|| {
            panic!(
                "{k} not set: run `bash scripts/mariadb-server.sh start` and `. target/mariadb/env`"
            )
        })
    };
    My {
        port: get("FERRET_TEST_MYSQL_PORT"),
        plain_port: get("FERRET_TEST_MYSQL_PLAIN_PORT"),
        admin_url: get("FERRET_TEST_MYSQL_ADMIN_URL"),
        reader_password: get("FERRET_TEST_MYSQL_READER_PASSWORD"),
        ca: get("FERRET_TEST_MYSQL_CA"),
        other_ca: get("FERRET_TEST_MYSQL_OTHER_CA"),
    }
}

const DEADLINE: Duration = Duration::from_secs(60);

impl My {
    /// `mysql://ferret_reader@127.0.0.1:PORT/db?params`, password added with `with_password`.
    fn reader(&self, db: &str, params: &str, settings: &MySqlSettings) -> MySqlSource {
        let url = format!("mysql://ferret_reader@127.0.0.1:{}/{db}{params}", self.port);
        MySqlSource::from_url(&url, settings)
            .expect("reader URL")
            .with_password(&self.reader_password)
    }

    async fn session(&self) -> Session {
        let source = self.reader("", "", &MySqlSettings::default());
        source.connect().await.unwrap_or_else(|e| {
            panic!(
                "cannot reach the MariaDB test server ({}: {}): run `bash scripts/mariadb-server.sh start`",
                e.code, e.message
            )
        })
    }

    /// A plain admin connection (not ferret's): for setting up and observing.
    async fn admin(&self) -> mysql_async::Conn {
        mysql_async::Conn::from_url(&self.admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!("admin connection failed ({e}): run `bash scripts/mariadb-server.sh start`")
            })
    }
}

async fn plans(session: &mut Session, db: &str, sniff_binary: bool) -> Vec<TablePlan> {
    let my = my();
    let url = format!("mysql://127.0.0.1:{}/{db}", my.port);
    mysql::discover(session, &url, db, sniff_binary, DEADLINE)
        .await
        .unwrap_or_else(|e| panic!("discover {db}: {} {}", e.code, e.message))
}

fn plan<'a>(plans: &'a [TablePlan], name: &str) -> &'a TablePlan {
    plans
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no relation {name}"))
}

fn strings(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
    let idx = batch
        .schema()
        .index_of(column)
        .unwrap_or_else(|_| panic!("no column {column} in {:?}", batch.schema()));
    let array = batch
        .column(idx)
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("string column");
    (0..array.len())
        .map(|i| (!array.is_null(i)).then(|| array.value(i).to_string()))
        .collect()
}

async fn admin_count(admin: &mut mysql_async::Conn, table: &str) -> u64 {
    admin
        .query_first::<u64, _>(format!("SELECT COUNT(*) FROM {table}"))
        .await
        .expect("count")
        .expect("a count")
}

const HOSTILE: &str = "we\"ird`; DROP TABLE x; --";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_reads_the_catalog_into_plans() {
    let mut s = my().session().await;
    assert_eq!(s.flavor(), Flavor::MariaDb, "{}", s.version());
    let dbs = mysql::list_databases(&mut s, DEADLINE).await.expect("list");
    // The reader sees what it was granted something on: not tlsonly, not
    // restricted, not the server's own (benches/compare_mysql.sh may add ferret_bench).
    let dbs: Vec<&str> = dbs
        .iter()
        .map(String::as_str)
        .filter(|d| *d != "ferret_bench")
        .collect();
    assert_eq!(dbs, ["ferret_other", "ferret_test"]);

    let plans = plans(&mut s, "ferret_test", false).await;
    let mut names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    let mut expected = vec![
        "big_events",
        "customer_contacts",
        "customers",
        "hr_notes",
        "orders",
        "products",
        "shipment_events",
        "shipments",
        "slow_view",
        "unkeyed",
        HOSTILE,
        "x",
    ];
    expected.sort_unstable();
    assert_eq!(names, expected);

    let customers = plan(&plans, "customers");
    assert_eq!(customers.kind, RelationKind::Table);
    assert_eq!(customers.qualified_name(), "ferret_test.customers");
    assert!(
        customers.id.ends_with("/ferret_test/customers"),
        "{}",
        customers.id
    );
    assert!(customers.id.starts_with("mysql://127.0.0.1:"));
    assert_eq!(
        customers.comment.as_deref(),
        Some("Customers of the web shop")
    );
    assert!(customers.denied.is_none());
    let est = customers.row_estimate.expect("an estimate");
    assert!((400.0..=600.0).contains(&est), "{est}");
    assert!(customers.bytes.is_some_and(|b| b > 0));
    let render: BTreeMap<&str, &Render> = customers
        .columns
        .iter()
        .map(|c| (c.name.as_str(), &c.render))
        .collect();
    assert_eq!(render["email"], &Render::Text);
    assert_eq!(render["signup"], &Render::Text);
    assert_eq!(render["status"], &Render::Text);
    assert_eq!(render["profile"], &Render::Json);
    assert_eq!(render["alt_emails"], &Render::Json);
    assert!(matches!(render["active"], Render::Skip(r) if r.contains("boolean")));
    assert!(matches!(render["avatar"], Render::Skip(r) if r.contains("binary")));
    let email = customers
        .columns
        .iter()
        .find(|c| c.name == "email")
        .expect("email");
    assert_eq!(email.comment.as_deref(), Some("primary contact address"));
    assert_eq!(email.source_type, "varchar(255)");

    let orders = plan(&plans, "orders");
    let render: BTreeMap<&str, &Render> = orders
        .columns
        .iter()
        .map(|c| (c.name.as_str(), &c.render))
        .collect();
    assert!(matches!(render["ship_to"], Render::Skip(r) if r.contains("geometry")));
    assert!(matches!(render["flags"], Render::Skip(r) if r.contains("bit")));
    assert!(matches!(
        plan(&plans, "big_events").columns.iter().find(|c| c.name == "session_id").map(|c| &c.render),
        Some(Render::Skip(r)) if r.contains("uuid")
    ));

    let view = plan(&plans, "customer_contacts");
    assert_eq!(view.kind, RelationKind::View);
    assert!(view.kind.is_view());
    assert_eq!(view.comment, None);
    assert_eq!(view.depends_on, std::slice::from_ref(&customers.id));

    let hr = plan(&plans, "hr_notes");
    assert!(
        hr.denied.as_deref().is_some_and(|d| d.contains("hr_notes")),
        "{:?}",
        hr.denied
    );

    // --include / --exclude work on `db.table`.
    let filter =
        KeyFilter::new(&["ferret_test.cust*".into()], &["*contacts".into()]).expect("filter");
    let kept: Vec<&str> = plans
        .iter()
        .filter(|p| filter.accepts(&p.qualified_name()))
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(kept, ["customers"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_keys_name_their_columns_and_targets() {
    let mut s = my().session().await;
    let plans = plans(&mut s, "ferret_test", false).await;
    let orders = plan(&plans, "orders");
    assert_eq!(orders.foreign_keys.len(), 1);
    let fk = &orders.foreign_keys[0];
    assert_eq!(fk.name, "orders_customer_fk");
    assert_eq!(fk.columns, ["customer_id"]);
    assert_eq!(fk.references, plan(&plans, "customers").id);
    assert_eq!(fk.referenced_columns, ["id"]);
    let events = plan(&plans, "shipment_events");
    assert_eq!(events.foreign_keys.len(), 1);
    let fk = &events.foreign_keys[0];
    assert_eq!(fk.name, "events_shipment_fk");
    assert_eq!(fk.columns, ["order_id", "line"]);
    assert_eq!(fk.referenced_columns, ["order_id", "line"]);
    assert_eq!(fk.references, plan(&plans, "shipments").id);
    assert!(plan(&plans, "customers").foreign_keys.is_empty());
}

/// Rows the session's handlers read so far (index and table reads).
async fn handler_reads(s: &mut Session) -> u64 {
    let rows: Vec<(String, String)> = s
        .conn()
        .query("SHOW SESSION STATUS LIKE 'Handler_read%'")
        .await
        .expect("status");
    rows.iter().filter_map(|(_, v)| v.parse::<u64>().ok()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_use_key_ranges_on_big_tables_and_limit_elsewhere() {
    let my = my();
    let mut admin = my.admin().await;
    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", false).await;

    let big = plan(&plans, "big_events");
    let total = admin_count(&mut admin, "ferret_test.big_events").await;
    assert_eq!(total, 200_000);
    let before = handler_reads(&mut s).await;
    let read = mysql::sample(&mut s, big, 1000, 7, DEADLINE)
        .await
        .expect("sample");
    let reads = handler_reads(&mut s).await - before;
    assert_eq!(read.method, "pk_ranges");
    assert_eq!(read.rows, 1000);
    assert_eq!(read.invalid_utf8, 0);
    // Ten index range reads of 100 rows, not a scan of 200,000 rows.
    assert!(reads < 5_000, "the sample read {reads} rows");
    let batch = &read.batches[0];
    assert_eq!(batch.num_rows(), 1000);
    let emails = strings(batch, "user_email");
    assert!(
        emails
            .iter()
            .all(|e| e.as_deref().is_some_and(|e| e.contains('@')))
    );
    // Not the first 1,000 rows: drawn across the key span.
    let ids: Vec<u64> = strings(batch, "id")
        .iter()
        .filter_map(|v| v.as_deref()?.parse().ok())
        .collect();
    assert_eq!(ids.len(), 1000);
    assert!(ids.iter().any(|&i| i > 100_000), "all ids low");
    // Seeded: the same seed gives the same rows, another seed others.
    let again = mysql::sample(&mut s, big, 1000, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!(strings(&again.batches[0], "id"), strings(batch, "id"));
    let other = mysql::sample(&mut s, big, 1000, 8, DEADLINE)
        .await
        .expect("sample");
    assert_ne!(strings(&other.batches[0], "id"), strings(batch, "id"));
    // The server renders values as text, amounts and dates included.
    let amounts = strings(batch, "amount");
    assert!(amounts.iter().flatten().all(|a| a.contains('.')));

    // A string key: LIMIT; a small table comes back whole, counted.
    let products = plan(&plans, "products");
    let read = mysql::sample(&mut s, products, 100, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("limit", 100));
    let read = mysql::sample(&mut s, products, 1000, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("whole_table", 300));
    assert_eq!(read.row_count, Some((300.0, "exact")));
    // No key at all, and a view: LIMIT.
    let read = mysql::sample(&mut s, plan(&plans, "unkeyed"), 1000, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("limit", 1000));
    let read = mysql::sample(&mut s, plan(&plans, "customer_contacts"), 10, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("limit", 10));
    // An integer key over a span too small for ranges: read whole.
    let read = mysql::sample(&mut s, plan(&plans, "customers"), 1000, 7, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("whole_table", 500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_flattened_and_binary_is_read_on_request() {
    let mut s = my().session().await;
    let plans = plans(&mut s, "ferret_test", true).await;
    let customers = plan(&plans, "customers");
    assert_eq!(
        customers
            .columns
            .iter()
            .find(|c| c.name == "avatar")
            .map(|c| &c.render),
        Some(&Render::Text)
    );
    let read = mysql::sample(&mut s, customers, 1000, 1, DEADLINE)
        .await
        .expect("sample");
    assert_eq!(read.rows, 500);
    let batch = &read.batches[0];
    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert!(
        names.contains(&"profile.contact.email".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"alt_emails[]".to_string()), "{names:?}");
    // md5 digests as bytes: most are not UTF-8, each counted once.
    assert!(
        read.invalid_utf8 > 400 && read.invalid_utf8 <= 500,
        "{}",
        read.invalid_utf8
    );
    let emails = strings(batch, "profile.contact.email");
    assert!(
        emails
            .iter()
            .flatten()
            .all(|e| e.ends_with("example.com") || e.contains("example."))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_are_quoted() {
    let my = my();
    let mut admin = my.admin().await;
    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", false).await;
    let odd = plan(&plans, HOSTILE);
    assert_eq!(odd.qualified_name(), format!("ferret_test.{HOSTILE}"));
    let read = mysql::sample(&mut s, odd, 1000, 3, DEADLINE)
        .await
        .expect("sample");
    assert_eq!((read.method, read.rows), ("whole_table", 40));
    let batch = &read.batches[0];
    let emails = strings(batch, "e-mail address");
    assert!(emails.iter().flatten().all(|e| e.contains('@')));
    assert_eq!(strings(batch, "Quote`d")[0].as_deref(), Some("q1"));
    let mut scan = FullScan::start(s, odd, DEADLINE).await.expect("full scan");
    while scan.next_batch().await.expect("batch").is_some() {}
    assert_eq!(scan.rows, 40);
    // The table the name would have dropped is still there, whole.
    assert_eq!(admin_count(&mut admin, "ferret_test.x").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_scans_stream_every_row_in_bounded_batches() {
    let my = my();
    let mut admin = my.admin().await;
    let expected = admin_count(&mut admin, "ferret_test.big_events").await;
    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", false).await;
    let big = plan(&plans, "big_events");
    let mut scan = FullScan::start(s, big, DEADLINE).await.expect("start");
    let mut rows = 0u64;
    let mut batches = 0;
    let mut distinct_first = std::collections::HashSet::new();
    while let Some(batch) = scan.next_batch().await.expect("batch") {
        assert!(batch.num_rows() <= 8192 && batch.num_rows() > 0);
        rows += batch.num_rows() as u64;
        batches += 1;
        if let Some(Some(id)) = strings(&batch, "id").first() {
            distinct_first.insert(id.clone());
        }
    }
    assert_eq!(rows, expected);
    assert_eq!(scan.rows, expected);
    assert_eq!(batches, expected.div_ceil(8192) as usize);
    assert_eq!(distinct_first.len(), batches);
    assert!(scan.bytes() > expected * 50, "{} bytes", scan.bytes());
    assert_eq!(scan.invalid_utf8(), 0);
    // The session comes back, usable.
    let mut s = scan.finish().await.expect("session back");
    let one: Option<u32> = s.conn().query_first("SELECT 1").await.expect("query");
    assert_eq!(one, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_writes_nothing_and_sessions_refuse_writes() {
    let my = my();
    let mut admin = my.admin().await;
    let tables = [
        "customers",
        "orders",
        "shipments",
        "shipment_events",
        "products",
        "big_events",
        "unkeyed",
        "x",
        "hr_notes",
        HOSTILE,
    ];
    async fn snapshot(admin: &mut mysql_async::Conn, tables: &[&str]) -> Vec<(u64, Option<u64>)> {
        let mut out = Vec::new();
        for t in tables {
            let q = format!("ferret_test.{}", mysql::quote_ident(t));
            let count = admin_count(admin, &q).await;
            let sum: Option<(String, Option<u64>)> = admin
                .query_first(format!("CHECKSUM TABLE {q}"))
                .await
                .expect("checksum");
            out.push((count, sum.and_then(|s| s.1)));
        }
        out
    }
    let before = snapshot(&mut admin, &tables).await;
    assert!(before.iter().all(|(_, sum)| sum.is_some()));

    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", true).await;
    for p in plans
        .iter()
        .filter(|p| p.name != "slow_view" && p.denied.is_none())
    {
        mysql::sample(&mut s, p, 500, 11, DEADLINE)
            .await
            .unwrap_or_else(|e| panic!("sample {}: {} {}", p.name, e.code, e.message));
    }
    mysql::table_fingerprints(&mut s, "ferret_test", DEADLINE)
        .await
        .expect("fingerprints");
    let mut scan = FullScan::start(s, plan(&plans, "orders"), DEADLINE)
        .await
        .expect("scan");
    while scan.next_batch().await.expect("batch").is_some() {}
    assert_eq!(snapshot(&mut admin, &tables).await, before);

    // Even a role that may write gets a read-only session from ferret.
    let admin_source =
        MySqlSource::from_url(&my.admin_url, &MySqlSettings::default()).expect("url");
    let mut s = admin_source.connect().await.expect("admin session");
    let err = s
        .conn()
        .query_drop("INSERT INTO ferret_test.x VALUES (99)")
        .await
        .expect_err("a write in a read-only session");
    let err = ferret::source::db::DbError::from(err);
    assert_eq!(err.code, "read_only", "{}", err.message);
    assert_eq!(admin_count(&mut admin, "ferret_test.x").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_table_times_out_quickly_and_others_still_read() {
    let my = my();
    let mut admin = my.admin().await;
    admin
        .query_drop(
            "CREATE TABLE IF NOT EXISTS ferret_other.lockme (id INT PRIMARY KEY, email VARCHAR(100))",
        )
        .await
        .expect("create");
    admin
        .query_drop("INSERT IGNORE INTO ferret_other.lockme VALUES (1, 'locked@example.com')")
        .await
        .expect("insert");
    let settings = MySqlSettings {
        lock_timeout: Duration::from_secs(1),
        statement_timeout: Duration::from_secs(30),
        ..MySqlSettings::default()
    };
    let source = my.reader("", "", &settings);
    let mut s = source.connect().await.expect("session");
    let plans = plans(&mut s, "ferret_other", false).await;
    let locked = plan(&plans, "lockme");
    let mut holder = my.admin().await;
    holder
        .query_drop("LOCK TABLES ferret_other.lockme WRITE")
        .await
        .expect("lock");
    let t0 = Instant::now();
    let err = mysql::sample(&mut s, locked, 10, 1, source.query_deadline())
        .await
        .err()
        .expect("a locked table cannot be read");
    let waited = t0.elapsed();
    assert_eq!(err.code, "lock_timeout", "{}", err.message);
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    // The same session goes on with the next table.
    let read = mysql::sample(&mut s, plan(&plans, "contacts"), 10, 1, DEADLINE)
        .await
        .expect("the rest reads");
    assert_eq!(read.rows, 10);
    holder.query_drop("UNLOCK TABLES").await.expect("unlock");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_timeout_costs_one_table() {
    let my = my();
    let settings = MySqlSettings {
        statement_timeout: Duration::from_secs(1),
        ..MySqlSettings::default()
    };
    let source = my.reader("", "", &settings);
    let mut s = source.connect().await.expect("session");
    let plans = plans(&mut s, "ferret_test", false).await;
    let t0 = Instant::now();
    let err = mysql::sample(
        &mut s,
        plan(&plans, "slow_view"),
        10,
        1,
        source.query_deadline(),
    )
    .await
    .err()
    .expect("a 5 s view under a 1 s timeout");
    assert_eq!(err.code, "statement_timeout", "{}", err.message);
    assert!(t0.elapsed() < Duration::from_secs(4), "{:?}", t0.elapsed());
    let read = mysql::sample(&mut s, plan(&plans, "products"), 10, 1, DEADLINE)
        .await
        .expect("the rest reads");
    assert_eq!(read.rows, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_killed_mid_scan_costs_that_table_only() {
    let my = my();
    let mut admin = my.admin().await;
    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", false).await;
    let id = s.id();
    let mut scan = FullScan::start(s, plan(&plans, "big_events"), DEADLINE)
        .await
        .expect("start");
    assert!(scan.next_batch().await.expect("first batch").is_some());
    admin.query_drop(format!("KILL {id}")).await.expect("kill");
    let err = loop {
        match scan.next_batch().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the scan ended cleanly after its session was killed"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.code, "connection_lost", "{}", err.message);
    assert!(scan.rows < 200_000);
    assert!(
        scan.finish().await.is_none(),
        "a killed session is not handed back"
    );
    let mut s = my.session().await;
    let read = mysql::sample(&mut s, plan(&plans, "customers"), 100, 1, DEADLINE)
        .await
        .expect("the rest reads");
    assert_eq!(read.rows, 100);
}

async fn cipher(s: &mut Session) -> String {
    let row: Option<(String, String)> = s
        .conn()
        .query_first("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        .await
        .expect("status");
    row.map(|r| r.1).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_modes_verify_what_they_say() {
    let my = my();
    let settings = MySqlSettings::default();
    let ca = format!("&ssl-ca={}", my.ca);
    let connect = |params: String| {
        let source = my.reader("ferret_test", &params, &settings);
        async move { source.connect().await }
    };
    // Verified against our CA, by IP and by name.
    let mut s = connect(format!("?ssl-mode=VERIFY_IDENTITY{ca}"))
        .await
        .expect("verify identity");
    assert!(!cipher(&mut s).await.is_empty());
    let source = MySqlSource::from_url(
        &format!(
            "mysql://ferret_reader@localhost:{}/?ssl-mode=VERIFY_CA{ca}",
            my.port
        ),
        &settings,
    )
    .expect("url")
    .with_password(&my.reader_password);
    assert_eq!(source.ssl_mode(), SslMode::VerifyCa);
    let mut s = source.connect().await.expect("verify ca by name");
    assert!(!cipher(&mut s).await.is_empty());
    // A CA that did not sign the server's certificate: refused.
    let err = connect(format!("?ssl-mode=VERIFY_IDENTITY&ssl-ca={}", my.other_ca))
        .await
        .err()
        .expect("an untrusted certificate");
    assert_eq!(err.code, "tls_error", "{}", err.message);
    // The settings' CA file wins over the system store.
    let with_ca = MySqlSettings {
        ca_file: Some(my.ca.clone().into()),
        ..MySqlSettings::default()
    };
    my.reader("", "?ssl-mode=verify-full", &with_ca)
        .connect()
        .await
        .expect("CA from the settings");
    // REQUIRED encrypts without checking; PREFERRED (the default) encrypts when offered.
    let mut s = connect("?ssl-mode=REQUIRED".into())
        .await
        .expect("required");
    assert!(!cipher(&mut s).await.is_empty());
    let mut s = connect(String::new()).await.expect("preferred");
    assert!(!cipher(&mut s).await.is_empty());
    let mut s = connect("?ssl-mode=DISABLED".into())
        .await
        .expect("disabled");
    assert!(cipher(&mut s).await.is_empty());

    // A user that must come over TLS.
    let tls_user = |mode: &str| {
        MySqlSource::from_url(
            &format!(
                "mysql://ferret_tls@127.0.0.1:{}/tlsonly?ssl-mode={mode}",
                my.port
            ),
            &settings,
        )
        .expect("url")
        .with_password(&my.reader_password)
    };
    let err = tls_user("DISABLED")
        .connect()
        .await
        .err()
        .expect("refused without TLS");
    assert_eq!(err.code, "auth_failed", "{}", err.message);
    let mut s = tls_user("REQUIRED").connect().await.expect("over TLS");
    let plans = plans(&mut s, "tlsonly", false).await;
    let read = mysql::sample(&mut s, plan(&plans, "secrets_over_tls"), 100, 1, DEADLINE)
        .await
        .expect("read over TLS");
    assert_eq!(read.rows, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_tls_is_refused_when_tls_is_required() {
    let my = my();
    let settings = MySqlSettings::default();
    let plain = |mode: &str| {
        MySqlSource::from_url(
            &format!(
                "mariadb://ferret_reader@127.0.0.1:{}/ferret_plain?ssl-mode={mode}",
                my.plain_port
            ),
            &settings,
        )
        .expect("url")
        .with_password(&my.reader_password)
    };
    for mode in ["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] {
        let t0 = Instant::now();
        let err = plain(mode)
            .connect()
            .await
            .err()
            .expect("no TLS, no session");
        assert_eq!(err.code, "tls_refused", "{mode}: {}", err.message);
        assert!(
            err.message.contains("does not offer TLS"),
            "{}",
            err.message
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
    // PREFERRED falls back to plain TCP, as the mysql client does.
    let mut s = plain("PREFERRED").connect().await.expect("preferred");
    assert!(cipher(&mut s).await.is_empty());
    let n: Option<u64> = s
        .conn()
        .query_first("SELECT COUNT(*) FROM ferret_plain.contacts")
        .await
        .expect("count");
    assert_eq!(n, Some(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_failures_are_coded_and_never_show_the_password() {
    let my = my();
    let settings = MySqlSettings {
        connect_timeout: Duration::from_secs(3),
        ..MySqlSettings::default()
    };
    let secret = "Wr0ng-s3cret-pw";
    let url = format!(
        "mysql://ferret_reader:{secret}@127.0.0.1:{}/ferret_test",
        my.port
    );
    let err = MySqlSource::from_url(&url, &settings)
        .expect("url")
        .connect()
        .await
        .err()
        .expect("a wrong password");
    assert_eq!(err.code, "auth_failed", "{}", err.message);
    assert!(!err.message.contains(secret));
    // A password with URL metacharacters, percent-encoded, connects (set it first).
    let mut admin = my.admin().await;
    let odd = "p@ss/w?rd:#1";
    admin
        .query_drop(format!(
            "CREATE USER IF NOT EXISTS 'ferret_odd'@'%' IDENTIFIED BY '{odd}'"
        ))
        .await
        .expect("user");
    admin
        .query_drop("GRANT SELECT ON ferret_other.* TO 'ferret_odd'@'%'")
        .await
        .expect("grant");
    let encoded = "p%40ss%2Fw%3Frd%3A%231";
    let url = format!(
        "mysql://ferret_odd:{encoded}@127.0.0.1:{}/ferret_other",
        my.port
    );
    let source = MySqlSource::from_url(&url, &settings).expect("url");
    assert!(!format!("{source:?}").contains("ss/w"));
    let mut s = source.connect().await.expect("odd password");
    let plans = plans(&mut s, "ferret_other", false).await;
    assert!(plans.iter().any(|p| p.name == "contacts"));
    // Nobody listens: a connection error, quickly.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let err = MySqlSource::from_url(
        &format!("mysql://u:{secret}@127.0.0.1:{closed}/"),
        &settings,
    )
    .expect("url")
    .connect()
    .await
    .err()
    .expect("nothing listens");
    assert_eq!(err.code, "connection_failed", "{}", err.message);
    assert!(!err.message.contains(secret));
    // A database that does not exist is not a connection error: discovery finds nothing.
    let mut s = my.session().await;
    assert!(plans_of(&mut s, "no_such_db").await.is_empty());
}

async fn plans_of(s: &mut Session, db: &str) -> Vec<TablePlan> {
    mysql::discover(s, "mysql://h:1/x", db, false, DEADLINE)
        .await
        .expect("discover")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fingerprints_change_with_the_table_and_only_then() {
    let my = my();
    let mut admin = my.admin().await;
    admin
        .query_drop(
            "CREATE OR REPLACE TABLE ferret_other.fp_probe (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100))",
        )
        .await
        .expect("create");
    admin
        .query_drop("INSERT INTO ferret_other.fp_probe (email) VALUES ('a@example.com')")
        .await
        .expect("insert");
    let mut s = my.session().await;
    let first = mysql::table_fingerprints(&mut s, "ferret_other", DEADLINE)
        .await
        .expect("fp");
    let second = mysql::table_fingerprints(&mut s, "ferret_other", DEADLINE)
        .await
        .expect("fp");
    assert_eq!(first, second, "nothing changed");
    assert!(first.contains_key("contacts") && first.contains_key("fp_probe"));
    admin
        .query_drop("INSERT INTO ferret_other.fp_probe (email) VALUES ('b@example.com')")
        .await
        .expect("insert");
    let third = mysql::table_fingerprints(&mut s, "ferret_other", DEADLINE)
        .await
        .expect("fp");
    assert_ne!(third["fp_probe"], first["fp_probe"], "a row was added");
    assert_eq!(third["contacts"], first["contacts"]);
    admin
        .query_drop("ALTER TABLE ferret_other.fp_probe ADD COLUMN phone VARCHAR(20)")
        .await
        .expect("alter");
    let fourth = mysql::table_fingerprints(&mut s, "ferret_other", DEADLINE)
        .await
        .expect("fp");
    assert_ne!(fourth["fp_probe"], third["fp_probe"], "a column was added");
    // Views have none: they are always read again.
    let test = mysql::table_fingerprints(&mut s, "ferret_test", DEADLINE)
        .await
        .expect("fp");
    assert!(test.contains_key("customers") && !test.contains_key("customer_contacts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_statistics_give_values_without_reading_rows() {
    let my = my();
    let mut admin = my.admin().await;
    let (min, max): (String, String) = admin
        .query_first("SELECT MIN(email), MAX(email) FROM ferret_test.customers")
        .await
        .expect("min/max")
        .expect("a row");
    let mut s = my.session().await;
    let stats = mysql::column_stats(&mut s, DEADLINE).await.expect("stats");
    let key = |c: &str| {
        (
            "ferret_test".to_string(),
            "customers".to_string(),
            c.to_string(),
        )
    };
    let emails = stats.get(&key("email")).expect("email statistics");
    assert!(
        emails.contains(&min) && emails.contains(&max),
        "{} values",
        emails.len()
    );
    assert!(emails.len() > 10, "histogram bounds too: {}", emails.len());
    assert!(emails.iter().all(|e| e.contains('@')));
    assert!(stats.contains_key(&key("phone")));
    // Tables not analyzed with PERSISTENT have none.
    assert!(!stats.keys().any(|(_, t, _)| t == "big_events"));
}

/// The `k` smallest distinct keyed hashes below `bound` of `values`, with
/// whether each came from a hex digest: what the server must return.
fn bottom_k(
    key: &ferret::lineage::LineageKey,
    values: impl Iterator<Item = (String, bool)>,
    bound: Option<u64>,
    k: usize,
) -> Vec<(u64, bool)> {
    let mut kept: BTreeMap<u64, bool> = BTreeMap::new();
    for (v, digest) in values {
        let h = key.hash(v.as_bytes());
        if bound.is_none_or(|b| h < b) {
            *kept.entry(h).or_default() |= digest;
        }
    }
    kept.into_iter().take(k).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lineage_hashes_match_ferrets_own_hashing() {
    use ferret::lineage::fingerprint::{self as fp, Algo, Norm};
    let my = my();
    let mut admin = my.admin().await;
    let rows: Vec<(Option<String>, Option<String>, Option<String>)> = admin
        .query("SELECT email, phone, ssn FROM ferret_test.customers")
        .await
        .expect("values");
    assert_eq!(rows.len(), 500);
    let key = fp::LineageKey::from_secret(b"a lineage test secret, long enough").expect("key");
    let (ipad, opad) = key.sql_pads();
    let mut variants = HashMap::new();
    let email_variants: Vec<(String, &'static str, &'static str)> =
        [Algo::Md5, Algo::Sha1, Algo::Sha256]
            .iter()
            .map(|a| {
                (
                    fp::variant_name(*a, Norm::LowerTrim),
                    a.name(),
                    Norm::LowerTrim.name(),
                )
            })
            .collect();
    variants.insert("email".to_string(), email_variants.clone());
    variants.insert(
        "phone".to_string(),
        vec![(
            fp::variant_name(Algo::Sha256, Norm::Digits),
            "sha256",
            "digits",
        )],
    );
    let mut s = my.session().await;
    let plans = plans(&mut s, "ferret_test", false).await;
    let customers = plan(&plans, "customers");
    for (k, bound) in [(50usize, None), (1024, Some(1u64 << 62))] {
        let q = mysql::LineageQuery {
            ipad: &ipad,
            opad: &opad,
            bound: bound.map(u64::to_be_bytes),
            k,
            variants: &variants,
        };
        let got = mysql::lineage_hashes(&mut s, customers, &q, DEADLINE)
            .await
            .unwrap_or_else(|e| panic!("lineage: {} {}", e.code, e.message));
        let pick = |c: &str, variant: &str| -> Vec<(u64, bool)> {
            let mut v: Vec<(u64, bool)> = got
                .get(c)
                .into_iter()
                .flatten()
                .filter(|r| r.0 == variant)
                .map(|r| (r.1, r.2))
                .collect();
            v.sort_unstable();
            v
        };
        let plain = |i: usize| {
            rows.iter().filter_map(move |r| {
                let v = [&r.0, &r.1, &r.2][i].clone()?;
                let c = fp::canonical(&v).into_owned();
                let d = fp::is_digest_hex(&c);
                Some((c, d))
            })
        };
        let email = bottom_k(&key, plain(0), bound, k);
        assert_eq!(email.len(), if bound.is_none() { 50 } else { email.len() });
        assert!(!email.is_empty());
        assert_eq!(pick("email", ""), email, "email, k={k}");
        assert_eq!(pick("ssn", ""), bottom_k(&key, plain(2), bound, k), "ssn");
        for (name, algo, _) in &email_variants {
            let algo = Algo::ALL
                .into_iter()
                .find(|a| a.name() == *algo)
                .expect("algo");
            let expected = bottom_k(
                &key,
                rows.iter().filter_map(|r| {
                    let n = Norm::LowerTrim.apply(r.0.as_deref()?)?;
                    Some((algo.hex(&n), true))
                }),
                bound,
                k,
            );
            assert_eq!(pick("email", name), expected, "{name}");
        }
        let phones = bottom_k(
            &key,
            rows.iter().filter_map(|r| {
                let n = Norm::Digits.apply(r.1.as_deref()?)?;
                Some((Algo::Sha256.hex(&n), true))
            }),
            bound,
            k,
        );
        assert_eq!(pick("phone", "sha256:digits"), phones);
        // Binary and skipped columns are not hashed.
        assert!(!got.contains_key("avatar") && !got.contains_key("active"));
    }
}

/// `ferret scan mysql://…` through the binary: what the fixtures planted is
/// labelled, the denied table is an error on its asset only (exit 1), the
/// inventory validates, the password appears in no output, `--full` reads
/// as many rows as an admin session counts, and a second run with `--state`
/// reads no unchanged table again.
#[tokio::test]
async fn scanning_through_the_binary() {
    let my = my();
    let url = format!("mysql://ferret_reader@127.0.0.1:{}/ferret_test", my.port);
    let dir = common::tempdir();
    let state = dir.path().join("state.json");
    let run = |extra: &[&str]| {
        let out = common::ferret()
            .args(["scan", "-q"])
            .args(extra)
            .arg(&url)
            .env("MYSQL_PWD", &my.reader_password)
            .output()
            .expect("run ferret");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !stdout.contains(&my.reader_password) && !stderr.contains(&my.reader_password),
            "the password reached an output"
        );
        let inv: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("no inventory ({e}): {stderr}"));
        (out.status.code(), inv)
    };
    let state_arg = state.to_str().expect("utf-8 path");
    let (code, inv) = run(&["--state", state_arg]);
    assert_eq!(code, Some(1), "the denied table is an asset error");
    common::validate(&inv);
    let customers = common::asset(&inv, "/ferret_test/customers");
    assert_eq!(customers["table"]["engine"], "mariadb");
    for (column, label) in [
        ("email", "EMAIL"),
        ("phone", "PHONE"),
        ("card_number", "CREDIT_CARD"),
    ] {
        assert!(
            common::column_labels(customers, column).contains(&label.to_string()),
            "{column}: {}",
            customers["columns"]
        );
    }
    let denied = common::asset(&inv, "/ferret_test/hr_notes");
    assert_eq!(common::error_codes(denied), ["permission_denied"]);
    let big = common::asset(&inv, "/ferret_test/big_events");
    assert_eq!(big["table"]["sampling_method"], "pk_ranges");
    let hostile = inv["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .find(|a| a["id"].as_str().is_some_and(|id| id.contains("DROP TABLE")))
        .expect("the table with a hostile name is an asset");
    assert!(hostile["errors"].as_array().expect("errors").is_empty());

    // Incremental: nothing changed, so every table with a fingerprint is
    // carried forward.
    let (_, again) = run(&["--state", state_arg]);
    let carried = again["scan"]["incremental"]["carried_forward"]
        .as_u64()
        .unwrap_or(0);
    assert!(carried >= 5, "{}", again["scan"]["incremental"]);

    // --full: every row, as an admin session counts them.
    let mut admin = my.admin().await;
    let rows: Option<u64> = admin
        .query_first("SELECT COUNT(*) FROM ferret_test.big_events")
        .await
        .expect("count");
    let (_, full) = run(&["--full", "--include", "ferret_test.big_events"]);
    let big = common::asset(&full, "/ferret_test/big_events");
    assert_eq!(big["rows_sampled"].as_u64(), rows);
    assert_eq!(big["row_estimate_method"], "exact");
    assert_eq!(big["table"]["sampling_method"], "full_scan");
}
