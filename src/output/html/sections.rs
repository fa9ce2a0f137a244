//! The report's sections, in reading order: what was scanned, how much was
//! found, where to look first, then the details. Each function appends one
//! section to the page; every outside string goes through [`esc`].

use super::charts::bar_chart;
use super::escape::esc;
use super::{lineage as graph, risk};
use crate::inventory::{Inventory, sensitivity_rank};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn header(s: &mut String, inv: &Inventory) {
    let _ = writeln!(
        s,
        "<header><h1>ferret report</h1><p class=\"muted\">{} · {} mode · finished {} · ferret {} · inventory schema {}</p></header>",
        esc(&inv.scan.targets.join(", ")),
        esc(&inv.scan.sampling.mode),
        esc(&inv.scan.finished_at),
        esc(&inv.scan.tool_version),
        esc(&inv.schema_version),
    );
}

/// The counts a reader checks first; ids and `data-value` let tests read them.
pub fn totals(s: &mut String, inv: &Inventory) {
    let columns: usize = inv.assets.iter().map(|a| a.columns.len()).sum();
    let classified: usize = inv
        .assets
        .iter()
        .flat_map(|a| &a.columns)
        .filter(|c| !c.labels.is_empty())
        .count();
    let errors: usize = inv.assets.iter().map(|a| a.errors.len()).sum();
    let with_errors = inv.assets.iter().filter(|a| !a.errors.is_empty()).count();
    s.push_str("<section id=\"totals\"><h2>Totals</h2><div class=\"totals\">");
    let cards: [(&str, usize, &str, bool); 6] = [
        ("total-assets", inv.assets.len(), "assets", false),
        ("total-columns", columns, "columns", false),
        (
            "total-classified",
            classified,
            "columns with personal data",
            classified > 0,
        ),
        ("total-errors", errors, "errors", errors > 0),
        (
            "total-assets-with-errors",
            with_errors,
            "assets with errors",
            with_errors > 0,
        ),
        (
            "total-policy-violations",
            inv.policy_violations.len(),
            "policy violations",
            !inv.policy_violations.is_empty(),
        ),
    ];
    for (id, n, what, bad) in cards {
        let _ = write!(
            s,
            "<div class=\"card{}\"><span class=\"num\" id=\"{id}\" data-value=\"{n}\">{n}</span>{what}</div>",
            if bad { " bad" } else { "" }
        );
    }
    let _ = writeln!(
        s,
        "</div><p class=\"muted\">Highest sensitivity found: <b>{}</b>. {} objects skipped, {} lineage hints.</p></section>",
        esc(inv.summary.max_sensitivity.as_deref().unwrap_or("none")),
        inv.skipped.len(),
        inv.lineage_hints.len(),
    );
}

/// Personal data by label, category and sensitivity (counted over labels on
/// columns: a column holding EMAIL and PHONE counts once for each).
pub fn charts(s: &mut String, inv: &Inventory) {
    let mut by_label: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_sensitivity: BTreeMap<String, u64> = BTreeMap::new();
    for l in inv
        .assets
        .iter()
        .flat_map(|a| &a.columns)
        .flat_map(|c| &c.labels)
    {
        *by_label.entry(l.label.clone()).or_default() += 1;
        *by_category.entry(l.category.clone()).or_default() += 1;
        *by_sensitivity.entry(l.sensitivity.clone()).or_default() += 1;
    }
    let by_count = |m: BTreeMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    let mut sens: Vec<(String, u64)> = by_sensitivity.into_iter().collect();
    sens.sort_by(|a, b| {
        sensitivity_rank(&b.0)
            .cmp(&sensitivity_rank(&a.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    s.push_str("<section id=\"charts\"><h2>Personal data found</h2><p class=\"muted\">Columns holding each label, category and sensitivity (a column with two labels counts under both).</p><div class=\"charts\">");
    s.push_str(&bar_chart("label", "By label", &by_count(by_label)));
    s.push_str(&bar_chart(
        "category",
        "By category",
        &by_count(by_category),
    ));
    s.push_str(&bar_chart("sensitivity", "By sensitivity", &sens));
    s.push_str("</div></section>\n");
}

/// Assets by risk score, highest first (only those with personal data).
pub fn riskiest(s: &mut String, inv: &Inventory) {
    let ranked: Vec<(usize, f64)> = risk::ranked(&inv.assets)
        .into_iter()
        .filter(|(_, score)| *score > 0.0)
        .collect();
    let _ = write!(
        s,
        "<section id=\"riskiest\"><h2>Riskiest assets first</h2><p class=\"muted risk-explain\">{}</p>",
        esc(risk::EXPLANATION)
    );
    if ranked.is_empty() {
        s.push_str("<p>No personal data found.</p></section>\n");
        return;
    }
    s.push_str("<table id=\"risk-table\"><thead><tr><th class=\"num\">risk</th><th>asset</th><th>format</th><th class=\"num\">columns with personal data</th><th>labels</th><th class=\"num\">errors</th></tr></thead><tbody>");
    for (i, score) in ranked {
        let a = &inv.assets[i];
        let classified = a.columns.iter().filter(|c| !c.labels.is_empty()).count();
        let mut labels: Vec<&str> = a
            .columns
            .iter()
            .flat_map(|c| &c.labels)
            .map(|l| l.label.as_str())
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let _ = write!(
            s,
            "<tr class=\"risk-row\" data-score=\"{score:.2}\"><td class=\"num\">{score:.1}</td><td><a href=\"#asset-{i}\"><code>{}</code></a></td><td>{}</td><td class=\"num\">{classified} of {}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&a.id),
            esc(&a.format),
            a.columns.len(),
            esc(&labels.join(", ")),
            a.errors.len(),
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// One row per label on a column, riskiest first; search and sort in JS.
pub fn findings(s: &mut String, inv: &Inventory) {
    let mut rows = Vec::new();
    for (ai, a) in inv.assets.iter().enumerate() {
        for c in &a.columns {
            for l in &c.labels {
                rows.push((ai, a, c, l, risk::label_score(l)));
            }
        }
    }
    rows.sort_by(|x, y| {
        y.4.total_cmp(&x.4)
            .then_with(|| x.1.id.cmp(&y.1.id))
            .then_with(|| x.2.path.cmp(&y.2.path))
    });
    let _ = write!(
        s,
        "<section id=\"findings\"><h2>Classified columns</h2>\
         <input type=\"search\" id=\"findings-search\" placeholder=\"Filter: asset, column, label, category…\" aria-label=\"filter the classified columns\">\
         <span id=\"findings-shown\" class=\"muted\" data-value=\"{n}\">{n} rows</span>\
         <p class=\"muted\">Click a header to sort. Evidence is masked by ferret at scan time; no raw value is in this page.</p>\
         <table id=\"findings-table\" data-rows=\"{n}\"><thead><tr>\
         <th data-type=\"text\">asset</th><th data-type=\"text\">column</th><th data-type=\"text\">label</th>\
         <th data-type=\"text\">category</th><th data-type=\"number\">sensitivity</th><th data-type=\"number\" class=\"num\">confidence</th>\
         <th data-type=\"number\" class=\"num\">hit ratio</th><th data-type=\"number\" class=\"num\">matches</th><th data-type=\"text\">scope</th><th>masked evidence</th>\
         </tr></thead><tbody>",
        n = rows.len()
    );
    for (ai, a, c, l, _) in rows {
        let _ = write!(
            s,
            "<tr class=\"finding\"><td><a href=\"#asset-{ai}\"><code>{}</code></a></td><td><code>{}</code></td><td>{}</td><td>{}</td>\
             <td data-sort=\"{}\" class=\"sens sens-{}\">{}</td><td class=\"num\" data-sort=\"{}\">{:.2}</td><td class=\"num\" data-sort=\"{}\">{:.1}%</td>\
             <td class=\"num\" data-sort=\"{}\">{}</td><td>{}</td><td class=\"ev\">{}</td></tr>",
            esc(&a.id),
            esc(&c.path),
            esc(&l.label),
            esc(&l.category),
            sensitivity_rank(&l.sensitivity),
            sens_class(&l.sensitivity),
            esc(&l.sensitivity),
            l.confidence,
            l.confidence,
            l.hit_ratio,
            l.hit_ratio * 100.0,
            l.match_count,
            l.match_count,
            esc(&l.scope),
            evidence(&l.evidence),
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// Lineage hints: the graph, then the same hints as a table.
pub fn lineage(s: &mut String, inv: &Inventory) {
    if inv.lineage_hints.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<section id=\"lineage\"><h2>Lineage hints ({})</h2><p class=\"muted\">Where the same personal data seems to have been copied: an arrow goes from the column the data seems to come from to the one holding a copy, labelled with the hint's kind and strength (0 to 1).</p><div class=\"graph\">{}</div>",
        inv.lineage_hints.len(),
        graph::graph(&inv.lineage_hints)
    );
    s.push_str("<table id=\"lineage-table\"><thead><tr><th>from</th><th>to</th><th>kind</th><th class=\"num\">strength</th><th>label</th><th>evidence</th></tr></thead><tbody>");
    for h in &inv.lineage_hints {
        let _ = write!(
            s,
            "<tr class=\"hint\"><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class=\"num\">{:.2}</td><td>{}</td><td>{}</td></tr>",
            esc(&graph::node_name(&h.from)),
            esc(&graph::node_name(&h.to)),
            esc(&h.kind),
            h.strength,
            esc(h.label.as_deref().unwrap_or("")),
            esc(&h.evidence.join("; ")),
        );
    }
    s.push_str("</tbody></table></section>\n");
}

pub fn policy(s: &mut String, inv: &Inventory) {
    if inv.policy_violations.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<section id=\"policy\"><h2>Policy violations ({})</h2><table id=\"policy-table\"><thead><tr><th>severity</th><th>policy</th><th>asset</th><th>column</th><th>label</th><th>message</th></tr></thead><tbody>",
        inv.policy_violations.len()
    );
    let mut v: Vec<_> = inv.policy_violations.iter().collect();
    v.sort_by_key(|p| std::cmp::Reverse(sensitivity_rank(&p.severity)));
    for p in v {
        let _ = write!(
            s,
            "<tr class=\"violation\"><td class=\"sens sens-{}\">{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            sens_class(&p.severity),
            esc(&p.severity),
            esc(&p.policy),
            esc(&p.asset),
            esc(p.column.as_deref().unwrap_or("")),
            esc(&p.label),
            esc(&p.message),
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// Every asset, riskiest first, folded: its columns, errors and table facts.
pub fn assets(s: &mut String, inv: &Inventory) {
    s.push_str("<section id=\"assets\"><h2>Assets</h2>");
    for (i, score) in risk::ranked(&inv.assets) {
        let a = &inv.assets[i];
        let classified = a.columns.iter().filter(|c| !c.labels.is_empty()).count();
        let _ = write!(
            s,
            "<details class=\"asset\" id=\"asset-{i}\"><summary><code>{}</code> · {} {} · risk {score:.1} · {classified} of {} columns with personal data{}</summary>",
            esc(&a.id),
            esc(&a.kind),
            esc(&a.format),
            a.columns.len(),
            if a.errors.is_empty() {
                String::new()
            } else {
                format!(" · {} errors", a.errors.len())
            },
        );
        let _ = write!(
            s,
            "<p class=\"muted\">{} rows sampled{}; {} of {} objects read; {} of {} bytes read.</p>",
            a.rows_sampled,
            a.row_estimate
                .map(|r| format!(
                    " of about {r} ({})",
                    esc(a.row_estimate_method.as_deref().unwrap_or("estimate"))
                ))
                .unwrap_or_default(),
            a.objects_sampled,
            a.objects_total,
            a.bytes_read,
            a.bytes_total,
        );
        if let Some(t) = &a.table {
            let _ = write!(
                s,
                "<p class=\"muted\">{} {} <code>{}</code>, read by {}{}</p>",
                esc(&t.engine),
                esc(&t.relation_kind),
                esc(&t.name),
                esc(&t.sampling_method),
                t.comment
                    .as_deref()
                    .map(|c| format!("; comment: {}", esc(c)))
                    .unwrap_or_default(),
            );
        }
        for e in &a.errors {
            let _ = write!(
                s,
                "<p class=\"sens-high\">error <code>{}</code>{}: {}</p>",
                esc(&e.code),
                e.object
                    .as_deref()
                    .map(|o| format!(" on <code>{}</code>", esc(o)))
                    .unwrap_or_default(),
                esc(&e.message),
            );
        }
        s.push_str("<table class=\"columns\"><thead><tr><th>column</th><th>type</th><th class=\"num\">values scanned</th><th>labels (confidence)</th><th>name hints</th><th>note</th></tr></thead><tbody>");
        for c in &a.columns {
            let labels: Vec<String> = c
                .labels
                .iter()
                .map(|l| {
                    format!(
                        "<span class=\"sens sens-{}\">{}</span> ({:.2})",
                        sens_class(&l.sensitivity),
                        esc(&l.label),
                        l.confidence
                    )
                })
                .collect();
            let hints: Vec<String> = c
                .name_hints
                .iter()
                .map(|h| esc(&h.label).to_string())
                .collect();
            let note = match (&c.skipped_reason, c.prevalence_upper_bound) {
                (Some(r), _) => format!("skipped: {}", esc(r)),
                (None, Some(b)) if c.labels.is_empty() => {
                    format!("at most {:.2}% could be undetected", b * 100.0)
                }
                _ => String::new(),
            };
            let _ = write!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.path),
                esc(&c.source_type),
                c.values_scanned,
                labels.join(", "),
                hints.join(", "),
                note,
            );
        }
        s.push_str("</tbody></table></details>\n");
    }
    s.push_str("</section>\n");
}

/// Scan errors (all assets together) and objects that were not scanned.
pub fn problems(s: &mut String, inv: &Inventory) {
    s.push_str("<section id=\"errors\"><h2>Scan errors and skipped objects</h2>");
    let errors: Vec<_> = inv
        .assets
        .iter()
        .flat_map(|a| a.errors.iter().map(move |e| (a, e)))
        .collect();
    if errors.is_empty() {
        s.push_str("<p>No scan errors.</p>");
    } else {
        s.push_str("<table id=\"errors-table\"><thead><tr><th>asset</th><th>object</th><th>code</th><th>message</th></tr></thead><tbody>");
        for (a, e) in errors {
            let _ = write!(
                s,
                "<tr class=\"scan-error\"><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&a.id),
                esc(e.object.as_deref().unwrap_or("")),
                esc(&e.code),
                esc(&e.message),
            );
        }
        s.push_str("</tbody></table>");
    }
    if inv.skipped.is_empty() {
        s.push_str("<p>No object skipped.</p>");
    } else {
        s.push_str("<details><summary>Skipped objects (");
        let _ = write!(s, "{}", inv.skipped.len());
        s.push_str(")</summary><table id=\"skipped-table\"><thead><tr><th>object</th><th>reason</th></tr></thead><tbody>");
        for k in &inv.skipped {
            let _ = write!(
                s,
                "<tr class=\"skipped\"><td><code>{}</code></td><td>{}</td></tr>",
                esc(&k.object),
                esc(&k.reason)
            );
        }
        s.push_str("</tbody></table></details>");
    }
    s.push_str("</section>\n");
}

pub fn scan_info(s: &mut String, inv: &Inventory) {
    let sc = &inv.scan;
    let targets: Vec<String> = sc
        .targets
        .iter()
        .map(|t| format!("<code>{}</code>", esc(t)))
        .collect();
    let _ = write!(
        s,
        "<section id=\"scan\"><h2>Scan</h2><table id=\"scan-table\"><tbody>\
         <tr><th>targets</th><td>{}</td></tr>\
         <tr><th>mode</th><td>{} ({} rows per asset, seed {}, {} objects per dataset, {} bytes per text object)</td></tr>\
         <tr><th>started / finished</th><td>{} / {}</td></tr>\
         <tr><th>duration</th><td id=\"scan-duration\" data-value=\"{}\">{:.1} s</td></tr>\
         <tr><th>detector pack</th><td><code id=\"detector-digest\">{}</code> ({} detectors, {} validated{})</td></tr>\
         <tr><th>thresholds</th><td>min confidence {}, min value ratio {}, min text hits {}, min validation rate {}</td></tr>",
        targets.join(" "),
        esc(&sc.sampling.mode),
        sc.sampling.sample_rows,
        sc.sampling.seed,
        sc.sampling.max_objects_per_asset,
        sc.sampling.window_bytes,
        esc(&sc.started_at),
        esc(&sc.finished_at),
        sc.duration_ms,
        sc.duration_ms as f64 / 1000.0,
        esc(&sc.detector_pack.digest),
        sc.detector_pack.detectors,
        sc.detector_pack.validated_detectors,
        if sc.detector_pack.extra_dirs.is_empty() {
            String::new()
        } else {
            format!("; extra: {}", esc(&sc.detector_pack.extra_dirs.join(", ")))
        },
        sc.thresholds.min_confidence,
        sc.thresholds.min_value_ratio,
        sc.thresholds.min_text_hits,
        sc.thresholds.min_validation_rate,
    );
    if let Some(io) = &sc.io {
        let _ = write!(
            s,
            "<tr><th>object store I/O</th><td>{} list, {} get, {} head requests; {} failed attempts; {} bytes fetched</td></tr>",
            io.list_requests,
            io.get_requests,
            io.head_requests,
            io.failed_attempts,
            io.bytes_fetched
        );
    }
    if let Some(inc) = &sc.incremental {
        let _ = write!(
            s,
            "<tr><th>incremental</th><td>{} carried forward, {} rescanned, {} dropped{}</td></tr>",
            inc.carried_forward,
            inc.rescanned,
            inc.dropped,
            inc.state_ignored
                .as_deref()
                .map(|w| format!("; state ignored: {}", esc(w)))
                .unwrap_or_default()
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// Masked evidence, one per line.
fn evidence(ev: &[String]) -> String {
    ev.iter()
        .map(|e| esc(e).to_string())
        .collect::<Vec<_>>()
        .join("<br>")
}

/// A CSS class for a sensitivity level (never an outside string).
fn sens_class(s: &str) -> &'static str {
    match s {
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        _ => "unknown",
    }
}
