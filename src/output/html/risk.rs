//! The risk score that orders assets, "riskiest first".
//!
//! A responder's first question is where to look; the score says how much
//! sensitive data an asset holds and how sure ferret is about it. Per
//! classified column, take its strongest label's sensitivity weight times its
//! confidence; an asset's score is the sum over its columns. Summing (rather
//! than taking the maximum) ranks a table with twenty personal columns above
//! one with a single email column of equal sensitivity. The page explains it
//! with [`EXPLANATION`].

use crate::inventory::{Asset, Column, LabelResult};

/// What the page says about the score.
pub const EXPLANATION: &str = "Risk score of an asset: the sum, over its classified columns, \
    of the column's strongest label's sensitivity weight (high = 10, medium = 3, low = 1) \
    times its confidence (0 to 1). A table with ten card-number columns scores higher than \
    one with a single phone column.";

/// The weight of a sensitivity level (unknown levels weigh nothing).
pub fn weight(sensitivity: &str) -> f64 {
    match sensitivity {
        "high" => 10.0,
        "medium" => 3.0,
        "low" => 1.0,
        _ => 0.0,
    }
}

/// One label's contribution: weight × confidence (confidence clamped to 0..1,
/// so a malformed inventory cannot inflate or flip a score).
pub fn label_score(l: &LabelResult) -> f64 {
    let c = if l.confidence.is_finite() {
        l.confidence.clamp(0.0, 1.0)
    } else {
        0.0
    };
    weight(&l.sensitivity) * c
}

/// A column's score: its strongest label's.
pub fn column_score(c: &Column) -> f64 {
    c.labels.iter().map(label_score).fold(0.0, f64::max)
}

/// An asset's score: the sum over its columns.
pub fn asset_score(a: &Asset) -> f64 {
    a.columns.iter().map(column_score).sum()
}

/// Indices of `assets`, riskiest first (ties by id, so the order is stable).
pub fn ranked(assets: &[Asset]) -> Vec<(usize, f64)> {
    let mut v: Vec<(usize, f64)> = assets
        .iter()
        .enumerate()
        .map(|(i, a)| (i, asset_score(a)))
        .collect();
    v.sort_by(|x, y| {
        y.1.total_cmp(&x.1)
            .then_with(|| assets[x.0].id.cmp(&assets[y.0].id))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testing;

    fn label(sensitivity: &str, confidence: f64) -> LabelResult {
        testing::label("X", sensitivity, confidence)
    }

    fn column(labels: Vec<LabelResult>) -> Column {
        testing::column("p", labels)
    }

    #[test]
    fn a_column_counts_its_strongest_label_and_bad_confidences_count_nothing() {
        let c = column(vec![
            label("low", 1.0),
            label("high", 0.5),
            label("medium", 0.9),
        ]);
        assert_eq!(column_score(&c), 5.0);
        assert_eq!(label_score(&label("high", f64::NAN)), 0.0);
        assert_eq!(label_score(&label("high", 7.0)), 10.0);
        assert_eq!(label_score(&label("secret", 1.0)), 0.0);
    }
}
