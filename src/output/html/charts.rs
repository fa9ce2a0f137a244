//! Horizontal bar charts as inline SVG, drawn here rather than in the
//! browser so they show with JavaScript off and cost no library.

use super::escape::esc;
use std::fmt::Write;

/// One bar chart: `bars` are (name, count), drawn in the given order.
/// `id` names the chart for tests (`data-chart`), `title` is shown above it.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, u64)]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\" data-chart=\"{}\"><figcaption>{}</figcaption>",
        esc(id),
        esc(title)
    );
    if bars.is_empty() {
        s.push_str("<p class=\"muted\">none found</p></figure>");
        return s;
    }
    const ROW: usize = 22;
    const LABEL_W: f64 = 150.0;
    const BAR_W: f64 = 190.0;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64;
    let height = bars.len() * ROW + 4;
    let _ = write!(
        s,
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 400 {height}\" width=\"400\" height=\"{height}\">",
        esc(title)
    );
    for (i, (name, n)) in bars.iter().enumerate() {
        let y = i * ROW + 2;
        let w = (*n as f64 / max * BAR_W).max(1.0);
        let _ = write!(
            s,
            "<g class=\"bar\" data-name=\"{name}\" data-value=\"{n}\"><title>{name}: {n}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{name}</text>\
             <rect class=\"{cls}\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" rx=\"2\"/>\
             <text x=\"{nx:.1}\" y=\"{ty}\">{n}</text></g>",
            name = esc(name),
            lx = LABEL_W - 6.0,
            ty = y + 14,
            cls = bar_class(name),
            bh = ROW - 6,
            nx = LABEL_W + w + 4.0,
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// Sensitivity bars are coloured by level; others share one colour.
fn bar_class(name: &str) -> &'static str {
    match name {
        "high" => "fill-high",
        "medium" => "fill-medium",
        "low" => "fill-low",
        _ => "fill",
    }
}
