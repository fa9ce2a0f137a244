//! Benchmark helper used by `benches/compare_rg.sh` and `benches/rss_full.sh`.
//!
//! ```text
//! cargo run --release --example engine_throughput -- gen-csv FILE MB [SEED]
//! cargo run --release --example engine_throughput -- gen-dir DIR MB
//! cargo run --release --example engine_throughput -- run FILE [--detectors DIR] [--limit-mb N]
//! cargo run --release --example engine_throughput -- profile FILE [--detectors DIR] [--limit-mb N]
//! ```
//!
//! `run` loads the built-in pack (plus `--detectors`), splits every line of
//! the CSV file into fields and calls `Pack::find` on each, on one thread, and
//! prints MB/s. `profile` times each detector's regex (and validator) alone
//! over the values its fast-path gate lets through, to show where time goes.

#[path = "corpus.rs"]
mod corpus;

use ferret::detect::{Match, Pack, Scratch};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen-csv") => gen_csv(&args[1..]),
        Some("gen-dir") => gen_dir(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("profile") => profile(&args[1..]),
        _ => Err("usage: engine_throughput gen-csv FILE MB [SEED] | gen-dir DIR MB | run FILE [--detectors DIR] [--limit-mb N] | profile FILE [...]".into()),
    };
    if let Err(e) = result {
        eprintln!("engine_throughput: {e}");
        std::process::exit(2);
    }
}

const MB: f64 = 1_000_000.0;

fn arg<'a>(args: &'a [String], i: usize, what: &str) -> Res<&'a str> {
    args.get(i)
        .map(String::as_str)
        .ok_or_else(|| format!("missing {what}").into())
}

fn gen_csv(args: &[String]) -> Res<()> {
    let path = PathBuf::from(arg(args, 0, "FILE")?);
    let mb: f64 = arg(args, 1, "MB")?.parse()?;
    let seed: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let t = Instant::now();
    let mut w = BufWriter::new(std::fs::File::create(&path)?);
    let n = corpus::write_csv(seed, (mb * MB) as u64, &mut w)?;
    w.flush()?;
    eprintln!(
        "wrote {} ({:.1} MB) in {:.1}s",
        path.display(),
        n as f64 / MB,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

enum Kind {
    Csv,
    Jsonl,
    GzLog,
}

/// A folder of about `MB` megabytes (uncompressed): 85% CSV in 20 part
/// files (one dataset), 10% JSON Lines in 4 Hive partitions, 5% gzip'd logs.
fn gen_dir(args: &[String]) -> Res<()> {
    let dir = PathBuf::from(arg(args, 0, "DIR")?);
    let total = (arg(args, 1, "MB")?.parse::<f64>()? * MB) as u64;
    let mut jobs: Vec<(PathBuf, Kind, u64, u64)> = Vec::new();
    for i in 0..20u64 {
        jobs.push((
            dir.join(format!("orders/orders-part-{:04}.csv", i + 1)),
            Kind::Csv,
            total * 85 / 100 / 20,
            100 + i,
        ));
    }
    for i in 0..4u64 {
        jobs.push((
            dir.join(format!("events/dt=2024-01-0{}/part-0.jsonl", i + 1)),
            Kind::Jsonl,
            total * 10 / 100 / 4,
            200 + i,
        ));
    }
    for i in 0..4u64 {
        jobs.push((
            dir.join(format!("logs/app-2024-01-0{}.log.gz", i + 1)),
            Kind::GzLog,
            total * 5 / 100 / 4,
            300 + i,
        ));
    }
    let t = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let raw = std::sync::atomic::AtomicU64::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Vec<String> {
                    let mut errors = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((path, kind, bytes, seed)) = jobs.get(i) else {
                            return errors;
                        };
                        match write_one(path, kind, *bytes, *seed) {
                            Ok(n) => {
                                raw.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                            }
                            Err(e) => errors.push(format!("{}: {e}", path.display())),
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if !failures.is_empty() {
        return Err(failures.join("; ").into());
    }
    let disk: u64 = jobs
        .iter()
        .map(|(p, ..)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    eprintln!(
        "wrote {} files in {:.1}s",
        jobs.len(),
        t.elapsed().as_secs_f64()
    );
    println!("DISK_BYTES={disk} RAW_BYTES={}", raw.into_inner());
    Ok(())
}

fn write_one(path: &Path, kind: &Kind, bytes: u64, seed: u64) -> Res<u64> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = BufWriter::new(std::fs::File::create(path)?);
    Ok(match kind {
        Kind::Csv => {
            let mut w = file;
            let n = corpus::write_csv(seed, bytes, &mut w)?;
            w.flush()?;
            n
        }
        Kind::Jsonl => {
            let mut w = file;
            let n = corpus::write_lines(seed, bytes, &mut w, corpus::Gen::jsonl_line)?;
            w.flush()?;
            n
        }
        Kind::GzLog => {
            let mut w = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            let n = corpus::write_lines(seed, bytes, &mut w, corpus::Gen::log_line)?;
            w.finish()?.flush()?;
            n
        }
    })
}

/// Options shared by `run` and `profile`.
struct Opts {
    file: PathBuf,
    detectors: Vec<PathBuf>,
    limit: Option<usize>,
}

fn opts(args: &[String]) -> Res<Opts> {
    let mut o = Opts {
        file: PathBuf::from(arg(args, 0, "FILE")?),
        detectors: Vec::new(),
        limit: None,
    };
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--detectors" => o.detectors.push(PathBuf::from(arg(args, i + 1, "DIR")?)),
            "--limit-mb" => o.limit = Some((arg(args, i + 1, "N")?.parse::<f64>()? * MB) as usize),
            other => return Err(format!("unknown option {other}").into()),
        }
        i += 2;
    }
    Ok(o)
}

fn load(o: &Opts) -> Res<(Pack, String)> {
    let pack = Pack::load(&o.detectors)?;
    let mut text = std::fs::read_to_string(&o.file)?;
    if let Some(limit) = o.limit
        && text.len() > limit
    {
        let cut = text[..limit].rfind('\n').map(|p| p + 1).unwrap_or(0);
        text.truncate(cut);
    }
    Ok((pack, text))
}

/// CSV fields of one line: split on commas outside double quotes; quotes are
/// stripped from quoted fields (escaped quotes are left doubled).
fn fields(line: &str, mut f: impl FnMut(&str)) {
    let b = line.as_bytes();
    let mut start = 0;
    let mut quoted = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                f(unquote(&line[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    f(unquote(&line[start..]));
}

fn unquote(v: &str) -> &str {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn run(args: &[String]) -> Res<()> {
    let o = opts(args)?;
    let (pack, text) = load(&o)?;
    let mut scratch = Scratch::default();
    let mut matches: Vec<Match> = Vec::new();
    let (mut values, mut found, mut validated) = (0u64, 0u64, 0u64);
    let t = Instant::now();
    for line in text.lines().skip(1) {
        fields(line, |v| {
            values += 1;
            pack.find(v, &mut scratch, &mut matches);
            found += matches.len() as u64;
            validated += matches.iter().filter(|m| m.validated).count() as u64;
        });
    }
    let secs = t.elapsed().as_secs_f64();
    let mbps = text.len() as f64 / MB / secs;
    eprintln!(
        "ferret engine: {} detectors, {:.1} MB, {values} values, {found} matches ({validated} validated) in {secs:.2}s on 1 thread",
        pack.detectors.len(),
        text.len() as f64 / MB
    );
    println!(
        "ENGINE_MBPS={mbps:.1} ENGINE_SECS={secs:.3} BYTES={}",
        text.len()
    );
    Ok(())
}

/// Per detector: values passing its gate, time of its regex + validator over
/// them alone, matches, validated; then the engine's whole time for scale.
fn profile(args: &[String]) -> Res<()> {
    let o = opts(args)?;
    let (pack, text) = load(&o)?;
    let mut values: Vec<&str> = Vec::new();
    for line in text.lines().skip(1) {
        fields(line, |v| {
            if !v.is_empty() {
                values.push(v);
            }
        });
    }
    let non_ascii = values.iter().filter(|v| !v.is_ascii()).count();
    eprintln!(
        "profile over {:.1} MB, {} non-empty values ({non_ascii} non-ASCII), {} detectors",
        text.len() as f64 / MB,
        values.len(),
        pack.detectors.len()
    );

    let mut scratch = Scratch::default();
    let mut matches = Vec::new();
    let t = Instant::now();
    for v in &values {
        pack.find(v, &mut scratch, &mut matches);
    }
    let engine = t.elapsed();

    let t = Instant::now();
    let mut digits_total = 0usize;
    for v in &values {
        digits_total += v.bytes().filter(u8::is_ascii_digit).count();
    }
    let digit_pass = t.elapsed();
    std::hint::black_box(digits_total);

    struct Row {
        id: String,
        gated: usize,
        time: Duration,
        ascii_time: Option<Duration>,
        found: usize,
        validated: usize,
    }
    let mut rows = Vec::new();
    for d in &pack.detectors {
        let lits: Vec<String> = d
            .spec
            .prefilter
            .iter()
            .map(|l| l.to_ascii_lowercase())
            .collect();
        let gated: Vec<&str> = values
            .iter()
            .copied()
            .filter(|v| {
                v.bytes().filter(u8::is_ascii_digit).count() >= d.spec.min_digits
                    && (lits.is_empty() || {
                        let lower = v.to_ascii_lowercase();
                        lits.iter().any(|l| lower.contains(l.as_str()))
                    })
            })
            .collect();
        let (mut found, mut validated) = (0, 0);
        let t = Instant::now();
        for v in &gated {
            for m in d.regex.find_iter(v) {
                found += 1;
                if d.validator.is_none_or(|val| (val.check)(m.as_str())) {
                    validated += 1;
                }
            }
        }
        let time = t.elapsed();
        // The same pattern with ASCII-only classes and word boundaries, when it compiles.
        let ascii_time = regex::RegexBuilder::new(&d.spec.pattern)
            .case_insensitive(d.spec.case_insensitive)
            .unicode(false)
            .size_limit(1 << 24)
            .build()
            .ok()
            .map(|re| {
                let t = Instant::now();
                let mut n = 0usize;
                for v in &gated {
                    n += re.find_iter(v).count();
                }
                std::hint::black_box(n);
                t.elapsed()
            });
        rows.push(Row {
            id: d.spec.id.clone(),
            gated: gated.len(),
            time,
            ascii_time,
            found,
            validated,
        });
    }
    rows.sort_by(|a, b| b.time.cmp(&a.time));
    let total_mb = text.len() as f64 / MB;
    println!(
        "engine (all detectors, 1 thread): {:.3}s = {:.1} MB/s; digit counting alone {:.3}s",
        engine.as_secs_f64(),
        total_mb / engine.as_secs_f64(),
        digit_pass.as_secs_f64()
    );
    println!(
        "{:<28} {:>10} {:>7} {:>9} {:>8} {:>10} {:>10} {:>12}",
        "detector", "gated", "gated%", "regex+val", "%engine", "matches", "validated", "ascii-only"
    );
    let mut sum = Duration::ZERO;
    for r in &rows {
        sum += r.time;
        println!(
            "{:<28} {:>10} {:>6.1}% {:>8.3}s {:>7.1}% {:>10} {:>10} {:>12}",
            r.id,
            r.gated,
            100.0 * r.gated as f64 / values.len().max(1) as f64,
            r.time.as_secs_f64(),
            100.0 * r.time.as_secs_f64() / engine.as_secs_f64(),
            r.found,
            r.validated,
            r.ascii_time
                .map(|t| format!("{:.3}s", t.as_secs_f64()))
                .unwrap_or_else(|| "n/a".into())
        );
    }
    println!(
        "sum of detectors {:.3}s; engine overhead (gates, aho-corasick, overlaps) ~{:.3}s",
        sum.as_secs_f64(),
        (engine.as_secs_f64() - sum.as_secs_f64()).max(0.0)
    );
    Ok(())
}
