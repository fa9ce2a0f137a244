//! The HTML report (`ferret report`, `scan --format html`), checked in a real
//! browser: headless Chromium renders the demo scan's report, takes a
//! screenshot, and its DOM after the page's script ran is compared with the
//! inventory. Any console message, uncaught exception or blocked request
//! fails the test (and a test proves a broken page *would* fail). Chromium
//! must be installed (`scripts/test.sh` installs Debian's package): without
//! it these tests fail, they never skip.

mod common;

use common::*;
use regex::Regex;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

/// The demo scan's inventory, scanned once for all tests of this file.
fn demo_inventory() -> &'static (PathBuf, Value) {
    static INV: OnceLock<(PathBuf, Value)> = OnceLock::new();
    INV.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-demo");
        std::fs::create_dir_all(&dir).expect("create the test's folder");
        let path = dir.join("inventory.json");
        let demo = demo();
        let out = run(&[
            "scan",
            "--quiet",
            demo.to_str().expect("utf-8 path"),
            "-o",
            path.to_str().expect("utf-8 path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "demo scan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let inv: Value = serde_json::from_slice(&std::fs::read(&path).expect("read the inventory"))
            .expect("the inventory is JSON");
        validate(&inv);
        (path, inv)
    })
}

/// Runs `ferret report INPUT -o OUTPUT`.
fn report(input: &Path, output: &Path) -> Output {
    run(&[
        "report",
        input.to_str().expect("utf-8 path"),
        "-o",
        output.to_str().expect("utf-8 path"),
    ])
}

/// Writes `inv` to `dir/name.json`, renders it, and returns (report path, html).
fn render(dir: &Path, name: &str, inv: &Value) -> (PathBuf, String) {
    let input = dir.join(format!("{name}.json"));
    std::fs::write(&input, serde_json::to_vec_pretty(inv).expect("serialise")).expect("write");
    let html_path = dir.join(format!("{name}.html"));
    let out = report(&input, &html_path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ferret report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).expect("read the report");
    (html_path, html)
}

/// The Chromium binary; a missing browser is a failure, never a skip.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "Chromium is not installed, and the report must be tested in a real browser: \
         run `apt-get install -y chromium` (scripts/test.sh does it)"
    );
}

/// Headless Chromium on a local file, with a throwaway profile. `--no-sandbox`
/// because tests run as root in CI; console messages go to stderr.
fn chromium_on(html: &Path, extra: &[&str]) -> Output {
    let profile = tempdir();
    let url = format!(
        "file://{}",
        html.canonicalize().expect("report path").display()
    );
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The DOM after the page's scripts ran, and what the browser reported.
struct Rendered {
    dom: String,
    stderr: String,
}

fn browse(html: &Path) -> Rendered {
    let out = chromium_on(html, &["--dump-dom"]);
    Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Everything that went wrong in the page: every console message Chromium
/// logged (the report logs nothing, so any message is a problem: errors,
/// uncaught exceptions, blocked requests), what the page's own error hook
/// recorded, and a script that never finished.
fn problems(r: &Rendered) -> Vec<String> {
    let mut p: Vec<String> = r
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    match html_attr(&r.dom, "data-js-errors").as_deref() {
        Some("0") => {}
        other => p.push(format!(
            "the page's error hook recorded {other:?} errors: {:?}",
            html_attr(&r.dom, "data-js-error-log")
        )),
    }
    if html_attr(&r.dom, "data-js-ready").as_deref() != Some("1") {
        p.push("the page's script did not finish (no data-js-ready on <html>)".into());
    }
    p
}

/// An attribute of the `<html>` element in a DOM dump.
fn html_attr(dom: &str, name: &str) -> Option<String> {
    let tag = Regex::new(r"<html[^>]*>")
        .ok()?
        .find(dom)?
        .as_str()
        .to_string();
    let re = Regex::new(&format!(r#"\s{}="([^"]*)""#, regex::escape(name))).ok()?;
    re.captures(&tag).map(|c| c[1].to_string())
}

/// The `data-value` of the element with this id.
fn value_of(dom: &str, id: &str) -> u64 {
    let re = Regex::new(&format!(
        r#"id="{}"[^>]*data-value="(\d+)""#,
        regex::escape(id)
    ))
    .expect("regex");
    re.captures(dom)
        .unwrap_or_else(|| panic!("no #{id} with data-value in the page"))[1]
        .parse()
        .expect("a number")
}

/// The bars of one chart: name -> value.
fn chart(dom: &str, id: &str) -> BTreeMap<String, u64> {
    let fig = Regex::new(&format!(
        r#"(?s)<figure class="chart" data-chart="{}">(.*?)</figure>"#,
        regex::escape(id)
    ))
    .expect("regex")
    .captures(dom)
    .unwrap_or_else(|| panic!("no chart {id}"))[1]
        .to_string();
    Regex::new(r#"class="bar" data-name="([^"]*)" data-value="(\d+)""#)
        .expect("regex")
        .captures_iter(&fig)
        .map(|c| (c[1].to_string(), c[2].parse().expect("a number")))
        .collect()
}

/// Classified-column counts of an inventory, computed from its assets.
struct Expected {
    assets: u64,
    columns: u64,
    classified: u64,
    errors: u64,
    labels: u64,
    by_sensitivity: BTreeMap<String, u64>,
}

fn expected(inv: &Value) -> Expected {
    let assets = inv["assets"].as_array().expect("assets");
    let columns: Vec<&Value> = assets
        .iter()
        .flat_map(|a| a["columns"].as_array().expect("columns"))
        .collect();
    let labels: Vec<&Value> = columns
        .iter()
        .flat_map(|c| c["labels"].as_array().expect("labels"))
        .collect();
    let mut by_sensitivity = BTreeMap::new();
    for l in &labels {
        *by_sensitivity
            .entry(l["sensitivity"].as_str().expect("sensitivity").to_string())
            .or_insert(0) += 1;
    }
    Expected {
        assets: assets.len() as u64,
        columns: columns.len() as u64,
        classified: columns
            .iter()
            .filter(|c| !c["labels"].as_array().expect("labels").is_empty())
            .count() as u64,
        errors: assets
            .iter()
            .map(|a| a["errors"].as_array().expect("errors").len() as u64)
            .sum(),
        labels: labels.len() as u64,
        by_sensitivity,
    }
}

fn summary_map(inv: &Value, key: &str) -> BTreeMap<String, u64> {
    inv["summary"][key]
        .as_object()
        .expect("summary map")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect()
}

/// No `src=`/`href=` (nor CSS `url(`) pointing at the network.
fn assert_no_external_references(html: &str) {
    let re =
        Regex::new(r#"(?i)(src|href|action|srcset)\s*=\s*["']?\s*(https?:)?//"#).expect("regex");
    assert!(
        re.find(html).is_none(),
        "external reference: {:?}",
        re.find(html).map(|m| m.as_str())
    );
    let css = Regex::new(r#"(?i)url\(\s*["']?\s*(https?:)?//"#).expect("regex");
    assert!(css.find(html).is_none(), "external url() in the page");
    assert!(!html.contains("@import"), "CSS @import in the page");
}

#[test]
fn demo_report_renders_in_chromium_without_errors_and_shows_the_inventory() {
    let (inv_path, inv) = demo_inventory();
    let dir = tempdir();
    let html_path = dir.path().join("report.html");
    let out = report(inv_path, &html_path);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).expect("read the report");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_no_external_references(&html);
    assert!(
        html.contains("Content-Security-Policy")
            && html.replace("&#39;", "'").contains("default-src 'none'"),
        "the page forbids network requests itself"
    );
    eprintln!("report size: {} bytes", html.len());

    let started = Instant::now();
    let r = browse(&html_path);
    eprintln!("chromium --dump-dom: {:?}", started.elapsed());
    let p = problems(&r);
    assert!(
        p.is_empty(),
        "the page had problems in Chromium:\n{}",
        p.join("\n")
    );

    // The numbers shown, as the browser has them, against the inventory.
    let e = expected(inv);
    let dom = &r.dom;
    assert_eq!(value_of(dom, "total-assets"), e.assets);
    assert_eq!(value_of(dom, "total-columns"), e.columns);
    assert_eq!(value_of(dom, "total-classified"), e.classified);
    assert_eq!(value_of(dom, "total-errors"), e.errors);
    assert_eq!(e.assets, inv["summary"]["assets"].as_u64().unwrap_or(0));
    assert_eq!(e.columns, inv["summary"]["columns"].as_u64().unwrap_or(0));
    assert_eq!(
        e.classified,
        inv["summary"]["classified_columns"].as_u64().unwrap_or(0)
    );
    assert!(e.classified > 0, "the demo has personal data");
    // The findings table: one row per label on a column, all shown after the
    // script ran (it filters with an empty query and counts).
    assert_eq!(
        dom.matches("<tr class=\"finding\"").count() as u64,
        e.labels
    );
    let visible = Regex::new(r#"id="findings-table"[^>]*data-visible-rows="(\d+)""#)
        .expect("regex")
        .captures(dom)
        .expect("the script set data-visible-rows")[1]
        .parse::<u64>()
        .expect("a number");
    assert_eq!(visible, e.labels);
    assert_eq!(value_of(dom, "findings-shown"), e.labels);
    // Charts against the inventory's own summary.
    assert_eq!(chart(dom, "label"), summary_map(inv, "labels"));
    assert_eq!(chart(dom, "category"), summary_map(inv, "categories"));
    assert_eq!(chart(dom, "sensitivity"), e.by_sensitivity);
    // Riskiest first: scores descending, one row per asset with personal data.
    let scores: Vec<f64> = Regex::new(r#"class="risk-row" data-score="([0-9.]+)""#)
        .expect("regex")
        .captures_iter(dom)
        .map(|c| c[1].parse().expect("a number"))
        .collect();
    let with_data = inv["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .filter(|a| {
            a["columns"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["labels"].as_array().is_some_and(|l| !l.is_empty()))
            })
        })
        .count();
    assert_eq!(scores.len(), with_data);
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // One collapsible detail per asset; scan metadata shown.
    assert_eq!(
        dom.matches("<details class=\"asset\"").count() as u64,
        e.assets
    );
    let digest = inv["scan"]["detector_pack"]["digest"]
        .as_str()
        .expect("digest");
    assert!(dom.contains(digest), "detector pack digest shown");
    // Evidence is shown (already masked in the inventory).
    let first_evidence = inv["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["columns"].as_array().into_iter().flatten())
        .flat_map(|c| c["labels"].as_array().into_iter().flatten())
        .find_map(|l| l["evidence"][0].as_str())
        .expect("some evidence");
    let escaped = first_evidence
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(dom.contains(&escaped), "evidence {first_evidence} shown");

    // A screenshot: a real, non-blank PNG of the requested size.
    let png = dir.path().join("report.png");
    let started = Instant::now();
    chromium_on(
        &html_path,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
        ],
    );
    eprintln!("chromium --screenshot: {:?}", started.elapsed());
    let bytes = std::fs::read(&png).expect("the screenshot was written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!((width, height), (1280, 2000));
    // A blank 1280x2000 page compresses to a few KB; text, tables and charts do not.
    assert!(bytes.len() > 50_000, "screenshot is {} bytes", bytes.len());
    eprintln!("screenshot: {} bytes", bytes.len());
}

#[test]
fn a_filter_in_the_link_filters_the_table_in_the_browser() {
    let (inv_path, inv) = demo_inventory();
    let labels: Vec<&Value> = inv["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["columns"].as_array().into_iter().flatten())
        .flat_map(|c| c["labels"].as_array().into_iter().flatten())
        .collect();
    let cards = labels
        .iter()
        .filter(|l| l["label"] == "CREDIT_CARD")
        .count();
    assert!(
        cards > 0 && cards < labels.len(),
        "the demo has cards and more"
    );
    // Only the label says CREDIT_CARD (no asset or column name does).
    let names = labels_by_column(inv)
        .into_iter()
        .flat_map(|(asset, path, _)| [asset, path]);
    assert!(
        names
            .into_iter()
            .all(|n| !n.to_lowercase().contains("credit_card"))
    );
    let dir = tempdir();
    let html_path = dir.path().join("report.html");
    assert_eq!(report(inv_path, &html_path).status.code(), Some(0));
    let url = format!(
        "file://{}#filter=credit_card",
        html_path.canonicalize().expect("path").display()
    );
    let profile = tempdir();
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(value_of(&dom, "findings-shown"), cards as u64);
}

#[test]
fn broken_pages_are_caught() {
    let (inv_path, _) = demo_inventory();
    let dir = tempdir();
    let html_path = dir.path().join("report.html");
    assert_eq!(report(inv_path, &html_path).status.code(), Some(0));
    let html = std::fs::read_to_string(&html_path).expect("read");
    let csp = Regex::new(r#"<meta http-equiv="Content-Security-Policy"[^>]*>"#).expect("regex");
    assert!(csp.is_match(&html));
    let variant = |name: &str, page: String| -> Vec<String> {
        let p = dir.path().join(format!("{name}.html"));
        std::fs::write(&p, page).expect("write");
        problems(&browse(&p))
    };
    // An uncaught exception (with the policy removed so the script runs).
    let thrown = variant(
        "throws",
        csp.replace(&html, "").replace(
            "</body>",
            "<script>throw new Error('deliberate failure')</script></body>",
        ),
    );
    assert!(
        thrown.iter().any(|p| p.contains("deliberate failure")),
        "{thrown:?}"
    );
    // An injected inline script: the policy blocks it, and that is reported.
    let injected = variant(
        "injected",
        html.replace("</body>", "<script>document.title = 'x'</script></body>"),
    );
    assert!(!injected.is_empty(), "an injected script went unnoticed");
    // A network request: blocked by the policy and reported.
    let network = variant(
        "network",
        html.replace(
            "</body>",
            "<img src=\"https://example.invalid/pixel.png\" alt=\"\"></body>",
        ),
    );
    assert!(
        network.iter().any(|p| p.contains("example.invalid")),
        "{network:?}"
    );
}

#[test]
fn hostile_names_stay_text_and_lineage_and_policies_are_drawn() {
    let (_, demo) = demo_inventory();
    let mut inv = demo.clone();
    let script = "<script>document.documentElement.setAttribute('data-xss','1')</script>";
    let img = "s3://lake/\"><img src=x onerror=\"document.documentElement.setAttribute('data-xss','2')\">";
    // Classified columns of the demo, to hang hints and names on.
    let mut cols: Vec<(usize, usize)> = Vec::new();
    for (ai, a) in inv["assets"].as_array().expect("assets").iter().enumerate() {
        for (ci, c) in a["columns"].as_array().expect("columns").iter().enumerate() {
            if c["labels"].as_array().is_some_and(|l| !l.is_empty()) {
                cols.push((ai, ci));
            }
        }
    }
    assert!(
        cols.len() >= 4,
        "the demo has at least four classified columns"
    );
    inv["assets"][cols[0].0]["columns"][cols[0].1]["path"] = json!(script);
    inv["assets"][cols[1].0]["id"] = json!(img);
    let r = |k: usize| {
        let (ai, ci) = cols[k];
        json!({"asset": inv["assets"][ai]["id"], "path": inv["assets"][ai]["columns"][ci]["path"]})
    };
    let hint = |f: usize, t: usize, kind: &str, strength: f64| {
        json!({"kind": kind, "from": r(f), "to": r(t), "strength": strength,
               "label": "EMAIL", "evidence": [format!("synthetic {kind} <b>hint</b>")]})
    };
    let hints = vec![
        hint(0, 1, "value_overlap", 0.91),
        hint(1, 2, "derived", 0.6),
        hint(0, 2, "declared", 1.0),
        hint(3, 0, "structural", 0.3),
    ];
    let nodes: std::collections::BTreeSet<String> = hints
        .iter()
        .flat_map(|h| [h["from"].to_string(), h["to"].to_string()])
        .collect();
    inv["lineage_hints"] = json!(hints);
    inv["policy_violations"] = json!([
        {"policy": "no-cards", "asset": inv["assets"][cols[1].0]["id"], "column": "card_number",
         "label": "CREDIT_CARD", "severity": "high", "message": script},
        {"policy": "emails-only-in-crm", "asset": "s3://lake/x/", "label": "EMAIL",
         "severity": "medium", "message": "EMAIL outside the CRM"}
    ]);
    validate(&inv);

    let dir = tempdir();
    let (html_path, html) = render(dir.path(), "hostile", &inv);
    assert!(
        !html.contains(script),
        "a column name reached the page unescaped"
    );
    assert!(
        !html.contains(img),
        "an asset id reached the page unescaped"
    );
    assert!(!html.contains("<b>hint</b>"), "hint evidence unescaped");
    assert!(html.contains("&lt;script&gt;document.documentElement"));
    assert_no_external_references(&html);

    // The graph: one edge per hint, one node per distinct column.
    let graph = Regex::new(r#"(?s)<svg id="lineage-graph"[^>]*>.*?</svg>"#)
        .expect("regex")
        .find(&html)
        .expect("a lineage graph")
        .as_str();
    assert_eq!(graph.matches("class=\"edge\"").count(), hints.len());
    assert_eq!(graph.matches("class=\"node\"").count(), nodes.len());
    for h in &hints {
        let kind = h["kind"].as_str().expect("kind");
        assert!(
            graph.contains(&format!("data-kind=\"{kind}\"")),
            "edge of kind {kind}"
        );
    }
    assert_eq!(html.matches("<tr class=\"hint\"").count(), hints.len());
    assert_eq!(html.matches("<tr class=\"violation\"").count(), 2);
    assert_eq!(value_of(&html, "total-policy-violations"), 2);

    // In the browser: nothing injected ran, nothing failed.
    let rendered = browse(&html_path);
    let p = problems(&rendered);
    assert!(p.is_empty(), "problems:\n{}", p.join("\n"));
    assert_eq!(
        html_attr(&rendered.dom, "data-xss"),
        None,
        "injected code ran"
    );
    assert!(rendered.dom.contains("id=\"lineage-graph\""));
}

#[test]
fn demo_report_without_lineage_has_no_graph() {
    // Every scan writes declared and structural hints; take them out.
    let (_, inv) = demo_inventory();
    let mut inv = inv.clone();
    inv["lineage_hints"] = json!([]);
    let dir = tempdir();
    let inv_path = dir.path().join("no-hints.json");
    std::fs::write(&inv_path, serde_json::to_vec(&inv).expect("json")).expect("write");
    let html_path = dir.path().join("r.html");
    assert_eq!(report(&inv_path, &html_path).status.code(), Some(0));
    let html = std::fs::read_to_string(&html_path).expect("read");
    assert!(!html.contains("lineage-graph"));
}

#[test]
fn scan_writes_the_same_report_with_format_html() {
    let (inv_path, inv) = demo_inventory();
    let dir = tempdir();
    let from_scan = dir.path().join("scan.html");
    let demo = demo();
    let out = run(&[
        "scan",
        "--quiet",
        "--format",
        "html",
        demo.to_str().expect("utf-8"),
        "-o",
        from_scan.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&from_scan).expect("read");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let e = expected(inv);
    assert_eq!(value_of(&html, "total-assets"), e.assets);
    assert_eq!(value_of(&html, "total-classified"), e.classified);
    assert_eq!(
        html.matches("<tr class=\"finding\"").count() as u64,
        e.labels
    );
    // And `report` over a saved inventory renders the same findings.
    let from_report = dir.path().join("report.html");
    assert_eq!(report(inv_path, &from_report).status.code(), Some(0));
    let other = std::fs::read_to_string(&from_report).expect("read");
    assert_eq!(
        other.matches("<tr class=\"finding\"").count(),
        html.matches("<tr class=\"finding\"").count()
    );
}

// ---- bad input: a clear error naming the file, exit 2, nothing written ----

/// Runs `report` on `text` with an output path that already holds a previous
/// report; returns stderr after checking the exit code and that the previous
/// report is untouched and no temporary file was left beside it.
fn refused(text: &str) -> (String, PathBuf) {
    let dir = tempdir();
    let input = dir.path().join("input.json");
    std::fs::write(&input, text).expect("write");
    let output = dir.path().join("report.html");
    std::fs::write(&output, "previous report").expect("write");
    let out = report(&input, &output);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&output).expect("read"),
        "previous report"
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
    assert!(
        stderr.contains(input.to_str().expect("utf-8")),
        "the error names the file: {stderr}"
    );
    (stderr, input)
}

#[test]
fn corrupt_json_is_refused_with_line_and_column() {
    let (stderr, _) =
        refused("{\n  \"schema_version\": \"1.2.0\",\n  \"scan\": {\"tool\": \"ferret\",,\n");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("column"), "{stderr}");
}

#[test]
fn foreign_json_is_refused() {
    let (stderr, _) = refused("{\"name\": \"a package.json\", \"version\": \"1.0.0\"}");
    assert!(stderr.contains("not a ferret inventory"), "{stderr}");
}

#[test]
fn another_schema_version_is_refused() {
    let (_, inv) = demo_inventory();
    let mut other = inv.clone();
    other["schema_version"] = json!("2.0.0");
    let (stderr, _) = refused(&other.to_string());
    assert!(stderr.contains("2.0.0"), "{stderr}");
}

#[test]
fn an_unwritable_output_is_a_usage_error_naming_it() {
    let (inv_path, _) = demo_inventory();
    let dir = tempdir();
    // A folder that does not exist.
    let missing = dir.path().join("no/such/folder/report.html");
    let out = report(inv_path, &missing);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(missing.to_str().expect("utf-8")),
        "{stderr}"
    );
    assert!(!missing.exists());
    // A path that is a folder: the rename fails, and the temporary file
    // written beside it is gone afterwards.
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).expect("mkdir");
    let out = report(inv_path, &folder);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(folder.to_str().expect("utf-8")), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("a-folder")], "{left:?}");
}

#[test]
fn a_missing_inventory_is_a_usage_error_naming_it() {
    let dir = tempdir();
    let input = dir.path().join("nope.json");
    let output = dir.path().join("r.html");
    let out = report(&input, &output);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nope.json"), "{stderr}");
    assert!(!output.exists());
}
