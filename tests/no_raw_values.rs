//! No raw personal data leaves ferret: scan the fixtures in every output
//! format, with logs on, and search every byte written for each value the
//! fixture generator planted (`fixtures/truth/planted.json`).

mod common;

use common::*;
use serde_json::Value;

fn planted() -> Vec<String> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/truth/planted.json")).expect("planted.json"),
    )
    .expect("planted.json is JSON");
    let values: Vec<String> = v["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect();
    assert!(
        values.len() > 100,
        "too few planted values to be a meaningful test: {}",
        values.len()
    );
    values
}

#[test]
fn no_output_format_or_log_line_carries_a_planted_value() {
    let values = planted();
    let demo = demo();
    let corpus = corpus();
    let mut outputs: Vec<(String, String)> = Vec::new();
    // The state file (`--state`) keeps per-object partial results: it is an
    // output too.
    let dir = tempdir();
    for format in ["json", "jsonl", "csv"] {
        for extra in [&[][..], &["--full"][..]] {
            let state = dir
                .path()
                .join(format!("state-{format}-{}.json", extra.len()));
            let state_arg = state.to_str().expect("path").to_string();
            let mut args = vec!["scan", "--log-format", "json", "--format", format];
            args.extend_from_slice(extra);
            args.extend(["--state", state_arg.as_str()]);
            args.push(demo.to_str().unwrap());
            args.push(corpus.to_str().unwrap());
            let out = ferret()
                .env("FERRET_LOG", "debug")
                .args(&args)
                .output()
                .expect("run");
            assert!(
                out.status.code() == Some(0) || out.status.code() == Some(1),
                "{args:?}: {:?}",
                out.status
            );
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(stdout.len() > 1000, "{args:?} wrote almost nothing");
            outputs.push((format!("{args:?} stdout"), stdout));
            outputs.push((
                format!("{args:?} stderr"),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
            let kept = std::fs::read_to_string(&state).expect("the state file is written");
            assert!(
                kept.contains("\"parts\""),
                "{args:?}: no object parts in the state"
            );
            outputs.push((format!("{args:?} state file"), kept));
        }
    }
    // Clock readings (log and scan timestamps) are ferret's, not data, and a
    // short planted number such as a coordinate can occur inside one.
    let timestamps =
        regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
            .unwrap();
    let outputs: Vec<(String, String)> = outputs
        .into_iter()
        .map(|(name, text)| (name, timestamps.replace_all(&text, "<time>").into_owned()))
        .collect();
    let mut leaks = Vec::new();
    for v in &values {
        for (name, text) in &outputs {
            if text.contains(v.as_str()) {
                leaks.push(format!("{v:?} appears in {name}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} raw values leaked:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
