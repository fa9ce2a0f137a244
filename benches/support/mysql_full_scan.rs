//! Reads one MySQL / MariaDB table whole through ferret's full-scan reader
//! (`ferret::source::db::mysql::FullScan`), batches built and dropped, and
//! prints rows, bytes and seconds: the library half of benches/compare_mysql.sh.
//!
//! usage: mysql_full_scan URL DATABASE TABLE   (password from the URL or MYSQL_PWD)

use ferret::source::db::mysql::{self, FullScan, MySqlSettings, MySqlSource};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, database, table] = args.as_slice() else {
        return Err("usage: mysql_full_scan URL DATABASE TABLE".into());
    };
    let settings = MySqlSettings {
        statement_timeout: Duration::from_secs(3600),
        ..MySqlSettings::default()
    };
    let source = MySqlSource::from_url(url, &settings)?;
    let fail = |e: ferret::source::db::DbError| format!("{}: {}", e.code, e.message);
    let t0 = Instant::now();
    let mut session = source.connect().await.map_err(fail)?;
    let plans = mysql::discover(
        &mut session,
        &source.database_url(database),
        database,
        false,
        source.query_deadline(),
    )
    .await
    .map_err(fail)?;
    let plan = plans
        .iter()
        .find(|p| &p.name == table)
        .ok_or_else(|| format!("no table {database}.{table}"))?;
    let mut scan = FullScan::start(session, plan, source.query_deadline())
        .await
        .map_err(fail)?;
    let mut cells = 0u64;
    while let Some(batch) = scan.next_batch().await.map_err(fail)? {
        cells += (batch.num_rows() * batch.num_columns()) as u64;
    }
    println!(
        "rows={} cells={cells} bytes={} secs={:.3}",
        scan.rows,
        scan.bytes(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
