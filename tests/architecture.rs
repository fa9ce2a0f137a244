//! The module boundaries, held by a test rather than by memory: every
//! `crate::<module>` path in `src/` (comments aside) is an edge, and an
//! edge outside [`ALLOWED`] fails with the file and line that made it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which top-level modules each module may use. Why each rule exists:
///
/// - `cli` parses, loads config, draws progress and maps exit codes; it
///   reaches sources only through `scan` (the seam), so a new source never
///   needs a CLI change beyond a flag.
/// - `scan` is the pipeline: it drives sources, classification, lineage
///   and policies into the inventory; it knows no argument parser and no
///   output format.
/// - `source` reads bytes into the event type (`event`); it never imports
///   detection or classification (a source must not decide what is personal
///   data) nor the inventory (its facts are mapped by `scan`).
/// - `detect` is the matcher: no source, no output, nothing of the
///   inventory, so it can be benchmarked and fuzzed alone.
/// - `classify` turns matches into labels; it reads the event type, not
///   where bytes came from.
/// - `inventory` is the contract others write and read: it imports no CLI,
///   no source, no pipeline.
/// - `lineage` compares fingerprints inside an inventory.
/// - `output` writes inventories; it takes resolved options, not clap types
///   (and `Cargo.toml` keeps clap out of it: see the test below).
/// - `event`, `redact` and `atomic` are leaves every layer may use.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "cli",
        &[
            "scan",
            "output",
            "inventory",
            "detect",
            "lineage",
            "redact",
            "atomic",
        ],
    ),
    (
        "scan",
        &[
            "source",
            "classify",
            "detect",
            "inventory",
            "lineage",
            "redact",
            "event",
            "atomic",
        ],
    ),
    ("source", &["event", "redact"]),
    ("detect", &["redact"]),
    ("classify", &["detect", "inventory", "event", "redact"]),
    ("inventory", &["redact"]),
    ("lineage", &["inventory", "redact"]),
    ("output", &["inventory", "redact", "atomic"]),
    ("event", &[]),
    ("redact", &[]),
    ("atomic", &[]),
];

/// The top-level module a file under `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::<module>` paths in code (line comments and doc comments dropped;
/// `use crate::{a, b}` groups expanded).
fn edges(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push((i + 1, name));
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push((i + 1, name));
                }
            }
            rest = after;
        }
    }
    out
}

#[test]
fn module_edges_stay_inside_the_allowed_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    let mut seen_edges = 0;
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(ok) = allowed.get(module.as_str()) else {
            bad.push(format!(
                "{}: module `{module}` is not in the map (add it, with its reason)",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (line, target) in edges(&text) {
            seen_edges += 1;
            if target == module || ok.contains(&target.as_str()) {
                continue;
            }
            bad.push(format!(
                "{}:{line}: `{module}` uses `crate::{target}`",
                file.display()
            ));
        }
    }
    // The walk must have found the code it guards.
    assert!(files.len() > 50, "only {} files under src/", files.len());
    assert!(seen_edges > 100, "only {seen_edges} edges found");
    assert!(bad.is_empty(), "edges outside the map:\n{}", bad.join("\n"));
}

#[test]
fn the_edge_reader_sees_groups_and_ignores_comments() {
    let text = "use crate::{source, detect::Pack};\n// crate::cli in a comment\nlet x = crate::output::write(); // crate::scan\n";
    let found: Vec<String> = edges(text).into_iter().map(|(_, m)| m).collect();
    assert_eq!(found, ["source", "detect", "output"]);
}

/// Outputs take resolved options: the inventory writers must compile
/// without an argument parser in scope.
#[test]
fn outputs_do_not_name_clap() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/output");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(
            !text.contains("clap"),
            "{} mentions clap: outputs take resolved options",
            f.display()
        );
    }
}
