//! Times `ferret::source::lake::snapshot` on one table of the local disk
//! (benches/lake_snapshot.sh), and prints a summary of it.
//!
//!   cargo run --example lake_snapshot -- DIR [ROOT] [REPEAT]
//!
//! DIR is the store root; ROOT the table under it (default: the first table
//! `table_roots` finds). Prints one JSON line: format, version, live,
//! stored_not_live, missing, warnings, and the best of REPEAT timings.

use ferret::source::lake;
use ferret::source::store::{DynStore, LocalStore};
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: lake_snapshot DIR [ROOT] [REPEAT]")?;
    let root = args.next();
    let repeat: usize = args
        .next()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(5)
        .max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let store: DynStore = Arc::new(LocalStore::new(&dir));
    rt.block_on(async {
        let (root, format) = match root {
            Some(r) => {
                let f = lake::detect(&store, &r)
                    .await
                    .ok_or(format!("{r}: not a lake table"))?;
                (r, f)
            }
            None => {
                let listing = store.list("").await;
                lake::table_roots(&listing.objects)
                    .into_iter()
                    .next()
                    .ok_or("no lake table under DIR")?
            }
        };
        let mut best = f64::MAX;
        let mut last = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let s = lake::snapshot(&store, &root, format).await?;
            best = best.min(t.elapsed().as_secs_f64());
            last = Some(s);
        }
        let s = last.ok_or("no run")?;
        println!(
            "{}",
            serde_json::json!({
                "root": root,
                "format": s.format.as_str(),
                "version": s.version,
                "live": s.live.len(),
                "stored_not_live": s.stored_not_live.len(),
                "missing": s.missing.len(),
                "delete_files": s.delete_files.len(),
                "warnings": s.warnings,
                "best_seconds": best,
                "runs": repeat,
            })
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
