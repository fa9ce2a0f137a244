//! The lineage graph: columns as nodes, hints as arrows from the column the
//! data seems to come from to the one that seems to hold a copy. Laid out in
//! layers (a column sits one layer right of every column it was copied from)
//! so a chain of copies reads left to right; drawn as inline SVG.

use super::escape::esc;
use crate::inventory::{ColumnRef, LineageHint};
use std::collections::BTreeMap;
use std::fmt::Write;

const NODE_W: usize = 230;
/// Room above and below the nodes for arcs over skipped layers and cycles.
const TOP: usize = 60;
const NODE_H: usize = 40;
const COL_GAP: usize = 110;
const ROW_GAP: usize = 24;

/// The SVG of `hints` (empty string when there are none).
pub fn graph(hints: &[LineageHint]) -> String {
    if hints.is_empty() {
        return String::new();
    }
    // Distinct columns, in a stable order.
    let mut index: BTreeMap<&ColumnRef, usize> = BTreeMap::new();
    for h in hints {
        index.entry(&h.from).or_insert(0);
        index.entry(&h.to).or_insert(0);
    }
    let nodes: Vec<&ColumnRef> = index.keys().copied().collect();
    for (i, n) in nodes.iter().enumerate() {
        index.insert(n, i);
    }
    let edges: Vec<(usize, usize)> = hints
        .iter()
        .map(|h| (index[&h.from], index[&h.to]))
        .collect();
    let layer = layers(nodes.len(), &edges);
    // Position: x by layer, y by order within the layer.
    let mut per_layer: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pos = vec![(0usize, 0usize); nodes.len()];
    for (i, l) in layer.iter().enumerate() {
        let slot = per_layer.entry(*l).or_insert(0);
        pos[i] = (
            20 + l * (NODE_W + COL_GAP),
            TOP + *slot * (NODE_H + ROW_GAP),
        );
        *slot += 1;
    }
    let width = 40 + (layer.iter().max().copied().unwrap_or(0) + 1) * (NODE_W + COL_GAP) - COL_GAP;
    let height = 2 * TOP + per_layer.values().max().copied().unwrap_or(1) * (NODE_H + ROW_GAP);

    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"lineage-graph\" role=\"img\" aria-label=\"lineage graph\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" data-nodes=\"{}\" data-edges=\"{}\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>",
        nodes.len(),
        hints.len()
    );
    for (k, (h, (f, t))) in hints.iter().zip(&edges).enumerate() {
        let (fx, fy) = pos[*f];
        let (tx, ty) = pos[*t];
        let (x1, y1, x2, y2, cx, cy) = route(k, (fx, fy), (tx, ty), f == t);
        // The label sits at the curve's midpoint (a quadratic's is halfway
        // between the chord's midpoint and the control point).
        let (lx, ly) = ((x1 + 2.0 * cx + x2) / 4.0, (y1 + 2.0 * cy + y2) / 4.0 - 4.0);
        let label = format!("{} {:.2}", h.kind, h.strength);
        let _ = write!(
            s,
            "<g class=\"edge\" data-kind=\"{kind}\" data-strength=\"{st}\"><title>{from} → {to}: {label}</title>\
             <path class=\"edge-line kind-{kindcls}\" d=\"M{x1:.1},{y1:.1} Q{cx:.1},{cy:.1} {x2:.1},{y2:.1}\" marker-end=\"url(#arrow)\"/>\
             <text class=\"edge-label\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{label}</text></g>",
            kind = esc(&h.kind),
            kindcls = kind_class(&h.kind),
            st = h.strength,
            from = esc(&node_name(&h.from)),
            to = esc(&node_name(&h.to)),
            label = esc(&label),
        );
    }
    for (n, (x, y)) in nodes.iter().zip(&pos) {
        let _ = write!(
            s,
            "<g class=\"node\"><title>{full}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/>\
             <text x=\"{tx}\" y=\"{ty1}\" class=\"node-col\">{col}</text>\
             <text x=\"{tx}\" y=\"{ty2}\" class=\"node-asset\">{asset}</text></g>",
            full = esc(&node_name(n)),
            tx = x + 8,
            ty1 = y + 16,
            ty2 = y + 32,
            col = esc(&shorten(&n.path, 30)),
            asset = esc(&shorten(&n.asset, 36)),
        );
    }
    s.push_str("</svg>");
    s
}

/// The curve of edge `k` from the node at `f` to the node at `t` (top-left
/// corners): (x1, y1, x2, y2, control x, control y). Edges to the next layer
/// bow a little (by index, so parallel hints stay apart); edges that skip
/// layers arc above the nodes they would cross; edges pointing back (cycles)
/// arc below; a self-loop hangs off the node's right edge.
fn route(
    k: usize,
    f: (usize, usize),
    t: (usize, usize),
    self_loop: bool,
) -> (f64, f64, f64, f64, f64, f64) {
    let (w, h) = (NODE_W as f64, NODE_H as f64);
    let (fx, fy, tx, ty) = (f.0 as f64, f.1 as f64, t.0 as f64, t.1 as f64);
    let spread = (k % 4) as f64 * 10.0;
    if self_loop {
        let (x, y) = (fx + w, fy + h / 2.0);
        return (x, y - 8.0, x, y + 8.0, x + 60.0 + spread, y);
    }
    let (y1, y2) = (fy + h / 2.0, ty + h / 2.0);
    if tx > fx {
        let (x1, x2) = (fx + w, tx);
        let skips = tx - fx > w + COL_GAP as f64;
        let cy = if skips {
            y1.min(y2) - 60.0 - spread
        } else {
            (y1 + y2) / 2.0 - 10.0 - spread
        };
        (x1, y1, x2, y2, (x1 + x2) / 2.0, cy)
    } else {
        let (x1, x2) = (fx, tx + w);
        (x1, y1, x2, y2, (x1 + x2) / 2.0, y1.max(y2) + 60.0 + spread)
    }
}

/// `asset#column`, the way the page names a column.
pub fn node_name(c: &ColumnRef) -> String {
    format!("{} › {}", c.asset, c.path)
}

/// The layer of each node: one more than the deepest of its sources, found by
/// relaxation; bounded by the node count so a cycle cannot loop forever.
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(f, t) in edges {
            if f != t && layer[t] < layer[f] + 1 && layer[f] + 1 < n {
                layer[t] = layer[f] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// Known kinds get their own line style; anything else the default.
fn kind_class(kind: &str) -> &'static str {
    match kind {
        "declared" => "declared",
        "value_overlap" => "value_overlap",
        "derived" => "derived",
        "structural" => "structural",
        _ => "other",
    }
}

/// Keeps the tail of long names (the table or file name is at the end).
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let tail: String = s.chars().skip(n - (max - 1)).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(f: (&str, &str), t: (&str, &str)) -> LineageHint {
        LineageHint {
            kind: "value_overlap".into(),
            from: ColumnRef {
                asset: f.0.into(),
                path: f.1.into(),
            },
            to: ColumnRef {
                asset: t.0.into(),
                path: t.1.into(),
            },
            strength: 0.5,
            label: None,
            evidence: vec![],
            metrics: Default::default(),
        }
    }

    #[test]
    fn chains_go_left_to_right_and_cycles_terminate() {
        assert_eq!(layers(3, &[(0, 1), (1, 2)]), [0, 1, 2]);
        let l = layers(2, &[(0, 1), (1, 0)]);
        assert!(l.iter().all(|x| *x < 2));
        let svg = graph(&[hint(("a", "x"), ("b", "y")), hint(("b", "y"), ("a", "x"))]);
        assert_eq!(svg.matches("class=\"edge\"").count(), 2);
        assert_eq!(svg.matches("class=\"node\"").count(), 2);
        assert_eq!(graph(&[]), "");
    }

    #[test]
    fn shorten_keeps_the_tail() {
        assert_eq!(shorten("abcdef", 4), "…def");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
