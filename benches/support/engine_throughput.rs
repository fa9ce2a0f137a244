//! Benchmark helper used by `benches/compare_rg.sh` and `benches/rss_full.sh`.
//!
//! ```text
//! cargo run --release --example engine_throughput -- gen-csv FILE MB [SEED]
//! cargo run --release --example engine_throughput -- gen-dir DIR MB
//! cargo run --release --example engine_throughput -- run FILE [--detectors DIR] [--limit-mb N]
//! cargo run --release --example engine_throughput -- many FILE [--cold] [--limit-mb N] [--without ID,ID]
//! cargo run --release --example engine_throughput -- profile FILE [--detectors DIR] [--limit-mb N] [--without ID,ID]
//! cargo run --release --example engine_throughput -- breakdown FILE [--detectors DIR] [--limit-mb N] [--without ID,ID]
//! ```
//!
//! `run` loads the built-in pack (plus `--detectors`), splits every line of
//! the CSV file into fields and calls `Pack::find` on each, on one thread, and
//! prints MB/s; then `Pack::find_many` over 2048-row column chunks (the
//! classifier's path). `many` runs only the latter (for `perf record`).
//! `profile` lists, per detector, how many values its pattern matches and
//! its validator accepts; `breakdown` rebuilds the engine's stages (union
//! over joined values, overlapping union per candidate, own regex and
//! validator) and times them apart, per column and per detector. `--without`
//! drops detectors for what-if runs; `--detectors` adds or overrides some.

#[path = "corpus.rs"]
mod corpus;

use ferret::detect::{Detector, Match, Pack, Scratch};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen-csv") => gen_csv(&args[1..]),
        Some("gen-dir") => gen_dir(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("profile") => profile(&args[1..]),
        Some("breakdown") => breakdown(&args[1..]),
        Some("many") => many(&args[1..]),
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
    /// Detector ids to leave out (what-if runs).
    without: Vec<String>,
}

fn opts(args: &[String]) -> Res<Opts> {
    let mut o = Opts {
        file: PathBuf::from(arg(args, 0, "FILE")?),
        detectors: Vec::new(),
        limit: None,
        without: Vec::new(),
    };
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--detectors" => o.detectors.push(PathBuf::from(arg(args, i + 1, "DIR")?)),
            "--limit-mb" => o.limit = Some((arg(args, i + 1, "N")?.parse::<f64>()? * MB) as usize),
            "--without" => o
                .without
                .extend(arg(args, i + 1, "IDS")?.split(',').map(str::to_string)),
            other => return Err(format!("unknown option {other}").into()),
        }
        i += 2;
    }
    Ok(o)
}

fn load(o: &Opts) -> Res<(Pack, String)> {
    let mut pack = Pack::load(&o.detectors)?;
    if !o.without.is_empty() {
        pack = pack.retain(|s| !o.without.contains(&s.id))?;
    }
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
fn fields<'a>(line: &'a str, mut f: impl FnMut(&'a str)) {
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

/// CPU seconds this (main) thread has run, from `/proc/self/schedstat`
/// (Linux); wall time overstates the cost on a busy machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or(f64::NAN)
}

/// Rows per column chunk handed to `find_many`, as the classifier does.
const CHUNK_ROWS: usize = 2048;

/// The file's non-empty values column by column, cut in chunks of
/// `CHUNK_ROWS` rows (the shape the classifier hands the engine).
fn column_chunks(text: &str) -> Vec<Vec<&str>> {
    let mut chunks: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<Vec<&str>> = Vec::new();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let mut col = 0;
        fields(line, |v| {
            if current.len() <= col {
                current.push(Vec::with_capacity(CHUNK_ROWS));
            }
            if !v.is_empty() {
                current[col].push(v);
            }
            col += 1;
        });
        rows += 1;
        if rows == CHUNK_ROWS {
            chunks.append(&mut current);
            rows = 0;
        }
    }
    chunks.append(&mut current);
    chunks
}

/// Like [`time_find_many`], after one untimed pass that fills the lazy DFA
/// caches (a fresh pack starts cold; a real scan amortises that).
fn time_find_many_warm(pack: &Pack, chunks: &[Vec<&str>]) -> (f64, u64, u64) {
    time_find_many(pack, chunks);
    time_find_many(pack, chunks)
}

/// Seconds `find_many` takes over every chunk, and the values with a match.
fn time_find_many(pack: &Pack, chunks: &[Vec<&str>]) -> (f64, u64, u64) {
    let mut scratch = Scratch::default();
    let (mut hit_values, mut validated) = (0u64, 0u64);
    let t = Instant::now();
    for chunk in chunks {
        pack.find_many(chunk, &mut scratch, |_, m| {
            hit_values += 1;
            validated += m.iter().filter(|m| m.validated).count() as u64;
        });
    }
    (t.elapsed().as_secs_f64(), hit_values, validated)
}

/// `find_many` alone, twice over the file (for `perf record`), or once with
/// `--cold`. The phone-number metadata is loaded first, as the binary and
/// `run` do, so the cold pass measures new data, not that one-time load.
fn many(args: &[String]) -> Res<()> {
    let cold_only = args.iter().any(|a| a == "--cold");
    let args: Vec<String> = args.iter().filter(|a| *a != "--cold").cloned().collect();
    let o = opts(&args)?;
    let (pack, text) = load(&o)?;
    let mb = text.len() as f64 / MB;
    let chunks = column_chunks(&text);
    ferret::detect::validate::phone::prewarm();
    let passes: &[&str] = if cold_only {
        &["cold"]
    } else {
        &["cold", "warm"]
    };
    for &pass in passes {
        let (secs, hits, _) = time_find_many(&pack, &chunks);
        println!(
            "find_many {pass}: {:.1} MB/s ({hits} values with matches)",
            mb / secs
        );
    }
    Ok(())
}

fn run(args: &[String]) -> Res<()> {
    let o = opts(args)?;
    let (pack, text) = load(&o)?;
    let mb = text.len() as f64 / MB;

    // 1. Pack::find on every field, row by row.
    let mut scratch = Scratch::default();
    let mut matches: Vec<Match> = Vec::new();
    let (mut values, mut found, mut validated) = (0u64, 0u64, 0u64);
    let t = Instant::now();
    let cpu0 = cpu_secs();
    for line in text.lines().skip(1) {
        fields(line, |v| {
            values += 1;
            pack.find(v, &mut scratch, &mut matches);
            found += matches.len() as u64;
            validated += matches.iter().filter(|m| m.validated).count() as u64;
        });
    }
    let find_secs = t.elapsed().as_secs_f64();
    let find_cpu = cpu_secs() - cpu0;
    eprintln!(
        "Pack::find per field: {} detectors, {mb:.1} MB, {values} values, {found} matches ({validated} validated) in {find_secs:.2}s on 1 thread = {:.1} MB/s ({:.1} MB per CPU-second)",
        pack.detectors.len(),
        mb / find_secs,
        mb / find_cpu
    );

    // 2. Pack::find_many over column chunks (the classifier's path), on a
    //    fresh pack: one pass from cold lazy DFAs and an empty shape memo,
    //    as a scan meets the data. The column split is done beforehand and
    //    not timed. Then a second pass with the same pack: everything warm,
    //    an upper bound a scan approaches only on data of repetitive shapes.
    let chunks = column_chunks(&text);
    let fresh = Pack::load(&o.detectors)?.retain(|s| !o.without.contains(&s.id))?;
    let cpu0 = cpu_secs();
    let (many_secs, hit_values, many_validated) = time_find_many(&fresh, &chunks);
    let many_cpu = cpu_secs() - cpu0;
    let (warm_secs, _, _) = time_find_many(&fresh, &chunks);
    eprintln!(
        "Pack::find_many per {CHUNK_ROWS}-row column chunk, fresh pack, one pass: {hit_values} values with matches ({many_validated} validated) in {many_secs:.2}s on 1 thread = {:.1} MB/s ({:.1} MB per CPU-second); second pass (warm) {:.1} MB/s",
        mb / many_secs,
        mb / many_cpu,
        mb / warm_secs
    );
    println!(
        "FIND_MBPS={:.1} FIND_MANY_MBPS={:.1} WARM_MBPS={:.1} FIND_MANY_CPU_MBPS={:.1} BYTES={}",
        mb / find_secs,
        mb / many_secs,
        mb / warm_secs,
        mb / many_cpu,
        text.len()
    );
    Ok(())
}

/// Per detector: the share of values its pattern matches (each such value
/// takes the engine's slow per-value path), the share its validator accepts,
/// and what its own regex and validator cost over every value. Sorted by
/// matched share: detectors matching ordinary business values come first.
fn profile(args: &[String]) -> Res<()> {
    let o = opts(args)?;
    let (pack, text) = load(&o)?;
    let mb = text.len() as f64 / MB;
    let chunks = column_chunks(&text);
    let values: Vec<&str> = chunks.iter().flatten().copied().collect();
    let (total, hit_values, _) = time_find_many_warm(&pack, &chunks);
    println!(
        "find_many (warm), {} detectors, 1 thread: {total:.3}s = {:.1} MB/s over {mb:.1} MB; {} values, {hit_values} with a match ({:.1}%)",
        pack.detectors.len(),
        mb / total,
        values.len(),
        100.0 * hit_values as f64 / values.len().max(1) as f64
    );
    let mut rows = Vec::new();
    for d in &pack.detectors {
        let (mut hits, mut validated) = (0usize, 0usize);
        let t = Instant::now();
        for v in &values {
            let mut hit = false;
            let mut ok = false;
            for m in d.regex.find_iter(v) {
                hit = true;
                ok |= d.validator.is_none_or(|val| (val.check)(m.as_str()));
            }
            hits += hit as usize;
            validated += ok as usize;
        }
        rows.push((
            d.spec.id.as_str(),
            hits,
            validated,
            t.elapsed().as_secs_f64(),
        ));
    }
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.3.total_cmp(&a.3)));
    println!(
        "\n{:<26} {:>10} {:>9} {:>10} {:>9} {:>13}",
        "detector", "matched", "matched%", "validated", "valid%", "regex+valid."
    );
    let n = values.len().max(1) as f64;
    for (id, hits, validated, secs) in rows {
        println!(
            "{id:<26} {hits:>10} {:>8.2}% {validated:>10} {:>8.2}% {secs:>12.3}s",
            100.0 * hits as f64 / n,
            100.0 * validated as f64 / n,
        );
    }
    Ok(())
}

/// The engine's two stages rebuilt outside it (same construction as
/// `src/detect/engine.rs`), timed apart, with variants: a bigger lazy-DFA
/// cache and ASCII-only syntax. Per column too.
fn breakdown(args: &[String]) -> Res<()> {
    use regex_automata::meta::Regex as MetaRegex;
    use regex_automata::util::syntax;
    use regex_automata::{Input, MatchKind, PatternSet};

    let o = opts(args)?;
    let (pack, text) = load(&o)?;
    let mb = text.len() as f64 / MB;
    let chunks = column_chunks(&text);
    let ncols = corpus::CSV_HEADER.len();
    let patterns: Vec<String> = pack
        .detectors
        .iter()
        .map(Detector::grouped_pattern)
        .collect();
    let build = |kind: MatchKind, cache: usize, unicode: bool| -> Res<MetaRegex> {
        Ok(MetaRegex::builder()
            .syntax(
                syntax::Config::new()
                    .multi_line(true)
                    .unicode(unicode)
                    .utf8(unicode),
            )
            .configure(
                MetaRegex::config()
                    .match_kind(kind)
                    .nfa_size_limit(Some(256 << 20))
                    .hybrid_cache_capacity(cache),
            )
            .build_many(&patterns)?)
    };
    let haystacks: Vec<(usize, String, Vec<usize>)> = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut h = String::new();
            let mut starts = Vec::with_capacity(chunk.len());
            for v in chunk {
                starts.push(h.len());
                h.push_str(v);
                h.push('\n');
            }
            (i % ncols, h, starts)
        })
        .collect();

    // Stage 1: the leftmost-first union over the joined values.
    let stage1 = |re: &MetaRegex, per_col: &mut Vec<f64>| -> (f64, Vec<Vec<usize>>) {
        let t = Instant::now();
        let mut cands = Vec::with_capacity(haystacks.len());
        for (col, h, starts) in &haystacks {
            let tc = Instant::now();
            let mut c: Vec<usize> = Vec::new();
            for m in re.find_iter(h.as_bytes()) {
                if m.is_empty() {
                    continue;
                }
                let from = starts
                    .partition_point(|&s| s <= m.start())
                    .saturating_sub(1);
                let to = starts.partition_point(|&s| s < m.end()).saturating_sub(1);
                for i in from..=to {
                    if c.last().is_none_or(|&l| i > l) {
                        c.push(i);
                    }
                }
            }
            per_col[*col] += tc.elapsed().as_secs_f64();
            cands.push(c);
        }
        (t.elapsed().as_secs_f64(), cands)
    };
    let first = build(MatchKind::LeftmostFirst, 32 << 20, true)?;
    let mut per_col = vec![0.0; ncols];
    let (s1_cold, cands) = stage1(&first, &mut per_col);
    let mut per_col_warm = vec![0.0; ncols];
    let (s1_warm, _) = stage1(&first, &mut per_col_warm);
    let ncand: usize = cands.iter().map(Vec::len).sum();
    let nvals: usize = chunks.iter().map(Vec::len).sum();

    // Stage 2: overlapping union per candidate value; stage 3: own regexes + validators.
    let all = build(MatchKind::All, 32 << 20, true)?;
    let mut set = PatternSet::new(all.pattern_len());
    let mut which: Vec<Vec<usize>> = Vec::with_capacity(ncand);
    let t = Instant::now();
    for (chunk, c) in chunks.iter().zip(&cands) {
        for &i in c {
            set.clear();
            all.which_overlapping_matches(&Input::new(chunk[i]), &mut set);
            which.push(set.iter().map(|p| p.as_usize()).collect());
        }
    }
    let s2 = t.elapsed().as_secs_f64();
    let mut s2_col = vec![0.0; ncols];
    let t = Instant::now();
    for (k, (chunk, c)) in chunks.iter().zip(&cands).enumerate() {
        let tc = Instant::now();
        for &i in c {
            set.clear();
            all.which_overlapping_matches(&Input::new(chunk[i]), &mut set);
        }
        s2_col[k % ncols] += tc.elapsed().as_secs_f64();
    }
    let s2_warm = t.elapsed().as_secs_f64();
    let mut per_det = vec![(0usize, 0.0f64); pack.detectors.len()];
    let t = Instant::now();
    let mut w = which.iter();
    for (chunk, c) in chunks.iter().zip(&cands) {
        for &i in c {
            for &d in w.next().into_iter().flatten() {
                let td = Instant::now();
                let det = &pack.detectors[d];
                for m in det.regex.find_iter(chunk[i]) {
                    std::hint::black_box(det.validator.is_none_or(|v| (v.check)(m.as_str())));
                }
                per_det[d].0 += 1;
                per_det[d].1 += td.elapsed().as_secs_f64();
            }
        }
    }
    let s3 = t.elapsed().as_secs_f64();
    // Stage 3 again: validators that compile tables lazily (phone metadata)
    // paid that once above, to whichever detector ran first.
    let t = Instant::now();
    let mut w = which.iter();
    let mut per_det_warm = vec![0.0f64; pack.detectors.len()];
    for (chunk, c) in chunks.iter().zip(&cands) {
        for &i in c {
            for &d in w.next().into_iter().flatten() {
                let td = Instant::now();
                let det = &pack.detectors[d];
                for m in det.regex.find_iter(chunk[i]) {
                    std::hint::black_box(det.validator.is_none_or(|v| (v.check)(m.as_str())));
                }
                per_det_warm[d] += td.elapsed().as_secs_f64();
            }
        }
    }
    let s3_warm = t.elapsed().as_secs_f64();
    // Stage 1 on a fresh union over successive tenths of the data: whether
    // the lazy DFA settles (later tenths as fast as a warm pass) or keeps
    // building states on new text.
    let fresh = build(MatchKind::LeftmostFirst, 32 << 20, true)?;
    let tenth = haystacks.len().div_ceil(10).max(1);
    let mut tenths = Vec::new();
    for part in haystacks.chunks(tenth) {
        let t = Instant::now();
        for (_, h, _) in part {
            std::hint::black_box(fresh.find_iter(h.as_bytes()).count());
        }
        tenths.push(t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    for (_, h, _) in &haystacks {
        std::hint::black_box(fresh.find_iter(h.as_bytes()).count());
    }
    let again = t.elapsed().as_secs_f64();

    println!(
        "{mb:.1} MB, {nvals} values in {} column chunks, {} patterns",
        chunks.len(),
        patterns.len()
    );
    println!(
        "stage 1 union leftmost-first over joined values: {s1_cold:.3}s cold, {s1_warm:.3}s warm ({:.1} MB/s warm); {ncand} candidate values ({:.1}%)",
        mb / s1_warm,
        100.0 * ncand as f64 / nvals.max(1) as f64
    );
    println!(
        "stage 2 overlapping union per candidate:        {s2:.3}s cold, {s2_warm:.3}s warm ({:.2} us per candidate)",
        1e6 * s2_warm / ncand.max(1) as f64
    );
    println!("stage 3 own regex + validator per matched pair: {s3:.3}s first, {s3_warm:.3}s again");
    println!(
        "stage 1 on a fresh union, per tenth of the data: {} (then all again: {again:.3}s)",
        tenths
            .iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (label, cache, unicode) in [
        ("cache 256 MiB", 256usize << 20, true),
        ("ASCII-only syntax", 32 << 20, false),
    ] {
        match build(MatchKind::LeftmostFirst, cache, unicode) {
            Ok(re) => {
                let mut pc = vec![0.0; ncols];
                let (cold, c) = stage1(&re, &mut pc);
                let (warm, _) = stage1(&re, &mut pc);
                let n: usize = c.iter().map(Vec::len).sum();
                println!(
                    "  stage 1 variant {label}: {cold:.3}s cold, {warm:.3}s warm, {n} candidates"
                );
            }
            Err(e) => println!("  stage 1 variant {label}: does not compile: {e}"),
        }
    }
    println!("\nstage 1 time per column (cold, warm), candidates, stage 2 time (warm):");
    for col in 0..ncols {
        let n: usize = cands
            .iter()
            .enumerate()
            .filter(|(i, _)| i % ncols == col)
            .map(|(_, c)| c.len())
            .sum();
        println!(
            "  {:<12} {:>7.3}s {:>7.3}s {:>9} {:>7.3}s",
            corpus::CSV_HEADER[col],
            per_col[col],
            per_col_warm[col],
            n,
            s2_col[col]
        );
    }
    let mut dets: Vec<(usize, (usize, f64))> = per_det
        .into_iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .collect();
    dets.sort_by(|a, b| b.1.1.total_cmp(&a.1.1));
    println!("\nstage 3 per detector, second pass (values it ran on, time):");
    for (d, (n, t)) in dets.iter().take(20) {
        println!("  {:<26} {:>9} {:>8.3}s", pack.detectors[*d].spec.id, n, t);
    }
    Ok(())
}
