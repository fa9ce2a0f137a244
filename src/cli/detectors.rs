//! `ferret detectors list` and `ferret detectors test`: what the pack holds,
//! and whether a user's own detector files load and match their examples,
//! so a custom detector can be checked before a nightly run.

use super::exit;
use crate::detect::{Detector, Pack};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DetectorsArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// `ferret detectors --detectors DIR` (no subcommand) lists, as before.
    #[command(flatten)]
    list: ListArgs,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// A table of every detector: id, label, category, sensitivity,
    /// validator, countries.
    List(ListArgs),
    /// Loads detector files (a folder of *.toml or one file) on top of the
    /// built-in pack and checks each of their detectors: every example must
    /// match (validated), no counter-example may. Exit 0 when all pass, 1 when
    /// any fails, 2 when a file does not load.
    Test {
        /// Detector files or folders to test.
        #[arg(value_name = "DIR|FILE", required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Also load detector files from this folder (repeatable).
    #[arg(long = "detectors", value_name = "DIR")]
    extra: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

pub fn run(args: DetectorsArgs) -> i32 {
    match args.action {
        Some(Action::List(list)) => list_detectors(&list),
        Some(Action::Test { paths }) => test_detectors(&paths),
        None => list_detectors(&args.list),
    }
}

fn load(paths: &[PathBuf]) -> Option<Pack> {
    match Pack::load_paths(paths) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("ferret: {e}");
            None
        }
    }
}

/// The detector's countries: its own list, else the label's prefix when it
/// is a two-letter country code (`US_SSN`), else none (international).
fn countries(d: &Detector) -> Vec<String> {
    if !d.spec.countries.is_empty() {
        return d.spec.countries.clone();
    }
    match d.spec.label.split_once('_') {
        Some((cc, _)) if cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_uppercase()) => {
            vec![cc.to_string()]
        }
        _ => Vec::new(),
    }
}

fn list_detectors(args: &ListArgs) -> i32 {
    let Some(pack) = load(&args.extra) else {
        return exit::USAGE;
    };
    let validated = pack
        .detectors
        .iter()
        .filter(|d| d.validator.is_some())
        .count();
    if args.format == ListFormat::Json {
        let rows: Vec<serde_json::Value> = pack
            .detectors
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.spec.id,
                    "label": d.spec.label,
                    "category": d.category,
                    "sensitivity": d.spec.sensitivity.as_str(),
                    "validator": d.validator.map(|v| v.name),
                    "validator_kind": d.validator.map(|v| v.kind.as_str()),
                    "countries": countries(d),
                    "source": d.source,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "pack": pack.digest,
            "detectors": rows,
        });
        match serde_json::to_string_pretty(&doc) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("ferret: {e}");
                return exit::USAGE;
            }
        }
        return exit::CLEAN;
    }
    println!(
        "{:<28} {:<26} {:<12} {:<7} {:<32} countries",
        "id", "label", "category", "level", "validator"
    );
    for d in &pack.detectors {
        let c = countries(d);
        println!(
            "{:<28} {:<26} {:<12} {:<7} {:<32} {}",
            d.spec.id,
            d.spec.label,
            d.category,
            d.spec.sensitivity.as_str(),
            d.validator
                .map(|v| format!("{} ({})", v.name, v.kind.as_str()))
                .unwrap_or_else(|| "-".into()),
            if c.is_empty() {
                "-".to_string()
            } else {
                c.join(",")
            }
        );
    }
    println!(
        "\n{} detectors, {validated} validated; pack {}",
        pack.detectors.len(),
        pack.digest
    );
    exit::CLEAN
}

fn test_detectors(paths: &[PathBuf]) -> i32 {
    let Some(pack) = load(paths) else {
        return exit::USAGE;
    };
    let mut tested = 0;
    let mut failed = 0;
    for (i, d) in pack.detectors.iter().enumerate() {
        if d.source.starts_with("builtin:") {
            continue;
        }
        tested += 1;
        let mut problems = Vec::new();
        if d.spec.examples.is_empty() {
            problems.push("no examples".to_string());
        }
        for ex in &d.spec.examples {
            if pack.find_one(i, ex).is_empty() {
                problems.push(format!("example does not match: {ex:?}"));
            }
        }
        for ex in &d.spec.counter_examples {
            if !pack.find_one(i, ex).is_empty() {
                problems.push(format!("counter-example matches: {ex:?}"));
            }
        }
        if problems.is_empty() {
            println!(
                "PASS {} ({} examples, {} counter-examples) [{}]",
                d.spec.id,
                d.spec.examples.len(),
                d.spec.counter_examples.len(),
                d.source
            );
        } else {
            failed += 1;
            println!("FAIL {} [{}]", d.spec.id, d.source);
            for p in problems {
                println!("  {p}");
            }
        }
    }
    if tested == 0 {
        eprintln!("ferret: no detectors found in the given files");
        return exit::USAGE;
    }
    println!("\n{} passed, {failed} failed", tested - failed);
    if failed > 0 {
        exit::ASSET_ERRORS
    } else {
        exit::CLEAN
    }
}
