//! Column classification: validated matches over a column sample become
//! labels with a confidence that explains itself.
//!
//! Knows nothing of where the values came from: it sees string batches
//! (see `source::batch`) and column names. It writes inventory columns
//! (`inventory` is the data model both sides share).

pub mod mask;
pub mod names;

use crate::detect::phrases::OwnedPhrases;
use crate::detect::validate::ValidatorKind;
use crate::detect::{Match, Pack, Scratch};
use crate::inventory::{Column, LabelResult, NameHint, Thresholds};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use names::PhraseMatcher;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Rows per unit of parallel work within one column.
const CHUNK_ROWS: usize = 2048;

/// Placeholder strings that mean "no value"; counted as nulls.
const NULL_LIKE: &[&str] = &[
    "null",
    "none",
    "nil",
    "n/a",
    "na",
    "-",
    "--",
    "unknown",
    "undefined",
    "?",
];

/// The pack plus everything derived from it that classification needs.
pub struct Classifier<'p> {
    pack: &'p Pack,
    thresholds: Thresholds,
    column_hints: PhraseMatcher,
    negative_hints: PhraseMatcher,
    keywords_in_names: PhraseMatcher,
    /// Context words inside values, per detector (ASCII case-insensitive).
    value_keywords: Option<AhoCorasick>,
    value_keyword_owners: Vec<Vec<usize>>,
}

/// What was seen of one detector in one column. Detectors are pack indices:
/// stored partials (`--state`) are only reused with the same pack digest.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct DetectorStats {
    /// Values with at least one validated match.
    values_hit: u64,
    /// ... of which the match was the whole value.
    whole_hits: u64,
    /// Pattern matches, validated or not.
    candidates: u64,
    validated: u64,
    /// Hit values that also contain one of the detector's keywords.
    keyword_values: u64,
    /// Values where another label's detector validated the very same span:
    /// detector -> count (ambiguous shapes, decided per column).
    shared: BTreeMap<usize, u64>,
    /// Masked evidence, distinct.
    evidence: Vec<String>,
}

/// Running statistics of one column; partial ones merge (in the order the
/// values were read, which keeps the evidence the same as one pass).
/// Serializable so an incremental run can keep one object's partial.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub path: String,
    pub source_type: String,
    pub rows_seen: u64,
    pub values_scanned: u64,
    pub skipped_reason: Option<String>,
    /// Sparse: only detectors that matched something.
    detectors: BTreeMap<usize, DetectorStats>,
}

/// Running statistics of every column of one asset, in first-seen order.
#[derive(Debug, Default)]
pub struct AssetProfile {
    pub columns: Vec<ColumnStats>,
    index: HashMap<String, usize>,
}

impl AssetProfile {
    fn column_mut(&mut self, path: &str, source_type: &str) -> usize {
        if let Some(&i) = self.index.get(path) {
            return i;
        }
        let i = self.columns.len();
        self.index.insert(path.to_string(), i);
        self.columns.push(ColumnStats {
            path: path.to_string(),
            source_type: source_type.to_string(),
            ..ColumnStats::default()
        });
        i
    }

    /// Notes a column the source declined to read.
    pub fn skip_column(&mut self, path: &str, reason: &str) {
        self.skip_typed_column(path, "unread", reason);
    }

    /// Notes a column of a known type the source declined to read (a
    /// database `boolean` or `bytea`).
    pub fn skip_typed_column(&mut self, path: &str, source_type: &str, reason: &str) {
        let i = self.column_mut(path, source_type);
        self.columns[i].skipped_reason = Some(reason.to_string());
    }

    /// Registers a batch's columns without looking at any value
    /// (`--metadata-only`).
    pub fn observe_schema(&mut self, batch: &RecordBatch) {
        for field in batch.schema().fields() {
            self.column_mut(field.name(), &crate::event::source_type(field));
        }
    }

    /// The columns, to keep as one object's partial.
    pub fn into_columns(self) -> Vec<ColumnStats> {
        self.columns
    }
}

impl<'p> Classifier<'p> {
    pub fn new(pack: &'p Pack, thresholds: Thresholds) -> Self {
        let n = pack.detectors.len();
        let column_hints = PhraseMatcher::new(n, |d| &pack.detectors[d].spec.column_hints);
        let negative_hints =
            PhraseMatcher::new(n, |d| &pack.detectors[d].spec.negative_column_hints);
        let keywords_in_names = PhraseMatcher::new(n, |d| &pack.detectors[d].spec.keywords);
        let mut words = OwnedPhrases::default();
        for (d, det) in pack.detectors.iter().enumerate() {
            for k in &det.spec.keywords {
                let k = k.to_ascii_lowercase();
                if k.len() >= 3 {
                    words.add(k, d);
                }
            }
        }
        let value_keywords = if words.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&words.phrases)
                .ok()
        };
        let owners = words.owners;
        Classifier {
            pack,
            thresholds,
            column_hints,
            negative_hints,
            keywords_in_names,
            value_keywords,
            value_keyword_owners: owners,
        }
    }

    pub fn pack(&self) -> &Pack {
        self.pack
    }

    /// Runs detection over every value of `batch` (in parallel over chunks
    /// of rows) and folds the results into `profile`.
    pub fn observe_batch(&self, batch: &RecordBatch, profile: &mut AssetProfile) {
        let schema = batch.schema();
        let mut work: Vec<(usize, ArrayRef)> = Vec::new();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let idx = profile.column_mut(field.name(), &crate::event::source_type(field));
            let mut offset = 0;
            while offset < array.len() {
                let len = CHUNK_ROWS.min(array.len() - offset);
                work.push((idx, array.slice(offset, len)));
                offset += len;
            }
        }
        let partials: Vec<(usize, ColumnStats)> = work
            .par_iter()
            .map_init(Scratch::default, |scratch, (idx, array)| {
                (*idx, self.scan_array(array, scratch))
            })
            .collect();
        for (idx, partial) in partials {
            merge(
                &mut profile.columns[idx],
                partial,
                self.thresholds.evidence_per_label,
            );
        }
    }

    /// Folds one object's partial columns (from [`AssetProfile::into_columns`])
    /// into `profile`. Absorbing every object's partial in read order gives
    /// the profile one pass over the same objects gives.
    pub fn absorb(&self, profile: &mut AssetProfile, columns: Vec<ColumnStats>) {
        for mut c in columns {
            let idx = profile.column_mut(&c.path, &c.source_type);
            if let Some(reason) = c.skipped_reason.take() {
                profile.columns[idx].skipped_reason = Some(reason);
            }
            merge(
                &mut profile.columns[idx],
                c,
                self.thresholds.evidence_per_label,
            );
        }
    }

    fn scan_array(&self, array: &ArrayRef, scratch: &mut Scratch) -> ColumnStats {
        let mut stats = ColumnStats {
            rows_seen: array.len() as u64,
            ..ColumnStats::default()
        };
        // Owned arrays the borrowed values below point into.
        let holder: Vec<ArrayRef> = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 => vec![array.clone()],
            DataType::List(_) => array.as_list::<i32>().iter().flatten().collect(),
            // Sources hand over strings; anything else is cast here so a
            // source that forgot is still scanned.
            _ => arrow::compute::cast(array, &DataType::Utf8)
                .into_iter()
                .collect(),
        };
        let mut values: Vec<&str> = Vec::with_capacity(array.len());
        for a in &holder {
            match a.data_type() {
                DataType::Utf8 => values.extend(a.as_string::<i32>().iter().flatten()),
                DataType::LargeUtf8 => values.extend(a.as_string::<i64>().iter().flatten()),
                _ => {}
            }
        }
        values.retain(|v| !is_null_like(v));
        stats.values_scanned = values.len() as u64;
        self.pack.find_many(&values, scratch, |i, matches| {
            self.record_matches(values[i], matches, &mut stats);
        });
        stats
    }

    fn record_matches(&self, value: &str, matches: &[Match], stats: &mut ColumnStats) {
        let mut hit_detectors: Vec<usize> = Vec::new();
        for m in matches {
            let s = stats.detectors.entry(m.detector).or_default();
            s.candidates += 1;
            if !m.validated {
                continue;
            }
            s.validated += 1;
            if !hit_detectors.contains(&m.detector) {
                hit_detectors.push(m.detector);
                for o in matches {
                    if o.validated
                        && o.detector != m.detector
                        && o.start == m.start
                        && o.end == m.end
                    {
                        *s.shared.entry(o.detector).or_default() += 1;
                    }
                }
                s.values_hit += 1;
                if m.whole_value {
                    s.whole_hits += 1;
                }
                if s.evidence.len() < self.thresholds.evidence_per_label {
                    let label = &self.pack.detectors[m.detector].spec.label;
                    let masked = mask::mask(label, value.get(m.start..m.end).unwrap_or_default());
                    if !s.evidence.contains(&masked) {
                        s.evidence.push(masked);
                    }
                }
            }
        }
        // A keyword inside a validated match does not count (below): with a
        // match covering the whole value, none can, so skip the search.
        let covered = matches
            .iter()
            .any(|x| x.validated && x.start == 0 && x.end == value.len());
        if hit_detectors.is_empty() || covered {
            return;
        }
        if let Some(ac) = &self.value_keywords {
            let mut seen: Vec<usize> = Vec::new();
            // Overlapping: a keyword found inside a word must not hide one
            // that starts within it and is a whole token.
            for m in ac.find_overlapping_iter(value) {
                // Whole tokens only, as in column names: `nit` is not in
                // `unit`, `utr` not in `neutral`.
                if !names::whole_tokens(value, m.start(), m.end()) {
                    continue;
                }
                // A keyword inside a match is part of the value (`mail` in
                // `jo@gmail.com`), not context around it.
                let inside = matches
                    .iter()
                    .any(|x| x.validated && x.start <= m.start() && m.end() <= x.end);
                if inside {
                    continue;
                }
                for &d in &self.value_keyword_owners[m.pattern().as_usize()] {
                    if hit_detectors.contains(&d) && !seen.contains(&d) {
                        seen.push(d);
                        if let Some(s) = stats.detectors.get_mut(&d) {
                            s.keyword_values += 1;
                        }
                    }
                }
            }
        }
    }

    /// Turns an asset's column statistics into inventory columns.
    pub fn finish(&self, profile: AssetProfile) -> Vec<Column> {
        let neighbours = NameKeywords::new(
            &self.keywords_in_names,
            profile.columns.iter().map(|c| c.path.as_str()),
        );
        profile
            .columns
            .into_iter()
            .enumerate()
            .map(|(i, c)| self.classify_column(c, &neighbours, i))
            .collect()
    }

    fn classify_column(&self, c: ColumnStats, neighbours: &NameKeywords, me: usize) -> Column {
        let t = &self.thresholds;
        let hint_hits = self.column_hints.hits(&c.path);
        let negative_hits = self.negative_hints.hits(&c.path);
        let own_keyword_hits = self.keywords_in_names.hits(&c.path);

        // Group detector statistics by label.
        let mut by_label: BTreeMap<&str, Vec<(usize, &DetectorStats)>> = BTreeMap::new();
        for (&d, s) in &c.detectors {
            let has_context = || {
                s.keyword_values > 0
                    || hint_hits
                        .iter()
                        .chain(&own_keyword_hits)
                        .any(|h| h.detector == d)
                    || neighbours.first(&[d], me).is_some()
            };
            if self.pack.detectors[d].spec.requires_context && !has_context() {
                continue;
            }
            if s.validated > 0 {
                by_label
                    .entry(self.pack.detectors[d].spec.label.as_str())
                    .or_default()
                    .push((d, s));
            }
        }
        let n = c.values_scanned;
        let mut candidates_out: Vec<Candidate> = Vec::new();
        for (label, dets) in by_label {
            let hits: u64 = dets.iter().map(|(_, s)| s.values_hit).sum::<u64>().min(n);
            let whole: u64 = dets
                .iter()
                .map(|(_, s)| s.whole_hits)
                .sum::<u64>()
                .min(hits);
            let candidates: u64 = dets.iter().map(|(_, s)| s.candidates).sum();
            let validated: u64 = dets.iter().map(|(_, s)| s.validated).sum();
            let keyword_values: u64 = dets
                .iter()
                .map(|(_, s)| s.keyword_values)
                .sum::<u64>()
                .min(hits);
            let det_ids: Vec<usize> = dets.iter().map(|(d, _)| *d).collect();
            let best = det_ids
                .iter()
                .copied()
                .max_by(|a, b| {
                    let (x, y) = (&self.pack.detectors[*a], &self.pack.detectors[*b]);
                    x.base_confidence.total_cmp(&y.base_confidence)
                })
                .unwrap_or(det_ids[0]);
            let best_det = &self.pack.detectors[best];
            let ratio = if n == 0 { 0.0 } else { hits as f64 / n as f64 };
            let validation_rate = if candidates == 0 {
                0.0
            } else {
                validated as f64 / candidates as f64
            };
            let scope = if whole * 2 >= hits {
                "value"
            } else {
                "free_text"
            };
            let mut why = Vec::new();
            let mut conf = best_det.base_confidence;
            why.push(format!(
                "{hits} of {n} values hold a validated match ({}); base {:.2} from detector '{}'{}",
                pct(ratio),
                conf,
                best_det.spec.id,
                best_det
                    .validator
                    .map(|v| format!(" ({} validator '{}')", v.kind.as_str(), v.name))
                    .unwrap_or_default()
            ));
            let mut accepted = true;
            if best_det.validator.is_some() {
                why.push(format!(
                    "{validated} of {candidates} pattern matches passed validation ({})",
                    pct(validation_rate)
                ));
                if validation_rate < t.min_validation_rate {
                    accepted = false;
                    why.push(format!(
                        "rejected: validation rate below {} (random look-alikes)",
                        pct(t.min_validation_rate)
                    ));
                }
                conf *= 0.6 + 0.4 * validation_rate;
            }
            if scope == "value" {
                conf *= 0.7 + 0.3 * ratio;
                if ratio < t.min_value_ratio {
                    accepted = false;
                    why.push(format!(
                        "rejected: whole-value hit ratio below {}",
                        pct(t.min_value_ratio)
                    ));
                }
            } else {
                conf *= 0.7 + 0.3 * (hits as f64 / 10.0).min(1.0);
                if hits < t.min_text_hits.min(n) {
                    accepted = false;
                    why.push(format!(
                        "rejected: fewer than {} values in free text",
                        t.min_text_hits
                    ));
                }
                why.push(format!(
                    "free text: {whole} of {hits} hits are the whole value"
                ));
            }
            if let Some(h) = negative_hits.iter().find(|h| det_ids.contains(&h.detector)) {
                accepted = false;
                why.push(format!(
                    "rejected: column name matches negative hint '{}'",
                    h.phrase
                ));
            }
            let hinted: Vec<&str> = hint_hits
                .iter()
                .filter(|h| det_ids.contains(&h.detector))
                .map(|h| h.phrase.as_str())
                .collect();
            if let Some(h) = hinted.first() {
                conf += (1.0 - conf) * 0.5;
                why.push(format!("column name matches hint '{h}' (+)"));
            }
            let keyword_in_name = own_keyword_hits
                .iter()
                .find(|h| det_ids.contains(&h.detector))
                .map(|h| h.phrase.as_str())
                .or_else(|| neighbours.first(&det_ids, me));
            if let Some(k) = keyword_in_name {
                conf += (1.0 - conf) * 0.2;
                why.push(format!(
                    "keyword '{k}' in this or a neighbouring column name (+)"
                ));
            }
            if keyword_values > 0 && hits > 0 {
                let share = keyword_values as f64 / hits as f64;
                conf += (1.0 - conf) * 0.2 * share;
                why.push(format!(
                    "{keyword_values} hit values carry a context keyword (+)"
                ));
            }
            let conf = round3(conf.clamp(0.0, 1.0));
            if conf < t.min_confidence {
                accepted = false;
                why.push(format!(
                    "rejected: confidence below {:.2}",
                    t.min_confidence
                ));
            }
            let hinted_here = !hinted.is_empty();
            let shaped_as_other = hint_hits.iter().chain(&own_keyword_hits).find(|h| {
                !det_ids.contains(&h.detector)
                    && self.pack.detectors[h.detector].spec.label != label
                    && c.detectors
                        .get(&h.detector)
                        .is_some_and(|s| s.candidates > 0)
            });
            if let (Some(h), false, false) = (
                shaped_as_other,
                hinted_here,
                best_det.validator_kind() == Some(ValidatorKind::Checksum),
            ) {
                // The name says another label, and the values have that
                // label's shape (its pattern matched, whatever its checksum
                // said): weak evidence for this label does not outweigh it.
                accepted = false;
                why.push(format!(
                    "rejected: column name says {} ('{}') and the values have its shape; no checksum supports {label}",
                    self.pack.detectors[h.detector].spec.label, h.phrase
                ));
            }
            if !accepted {
                continue;
            }
            let mut evidence: Vec<String> = Vec::new();
            for (_, s) in &dets {
                for e in &s.evidence {
                    if evidence.len() < t.evidence_per_label && !evidence.contains(e) {
                        evidence.push(e.clone());
                    }
                }
            }
            let shared: BTreeMap<usize, u64> = dets
                .iter()
                .flat_map(|(_, s)| s.shared.iter().map(|(k, v)| (*k, *v)))
                .fold(BTreeMap::new(), |mut acc, (k, v)| {
                    *acc.entry(k).or_default() += v;
                    acc
                });
            candidates_out.push(Candidate {
                det_ids: det_ids.clone(),
                hinted: hinted_here,
                checksum: dets.iter().any(|(d, _)| {
                    self.pack.detectors[*d].validator_kind() == Some(ValidatorKind::Checksum)
                }),
                hits,
                shared,
                result: LabelResult {
                    label: label.to_string(),
                    category: self.pack.category_of(label).to_string(),
                    sensitivity: dets
                        .iter()
                        .map(|(d, _)| self.pack.detectors[*d].spec.sensitivity)
                        .max()
                        .unwrap_or(best_det.spec.sensitivity)
                        .as_str()
                        .to_string(),
                    confidence: conf,
                    scope: scope.to_string(),
                    hit_ratio: round3(ratio),
                    match_count: hits,
                    candidate_count: candidates,
                    validated_count: validated,
                    detectors: det_ids
                        .iter()
                        .map(|d| self.pack.detectors[*d].spec.id.clone())
                        .collect(),
                    evidence,
                    explanation: why,
                    allowed_by: None,
                },
            });
        }
        let mut labels = resolve_conflicts(candidates_out, &self.pack.detectors);

        let mut name_hints: Vec<NameHint> = hint_hits
            .iter()
            .map(|h| NameHint {
                label: self.pack.detectors[h.detector].spec.label.clone(),
                detector: self.pack.detectors[h.detector].spec.id.clone(),
                matched: h.phrase.clone(),
            })
            .collect();
        name_hints.dedup_by(|a, b| a.detector == b.detector);
        if n == 0 && c.skipped_reason.is_none() {
            // Nothing to look at (metadata-only, or an empty column): the name
            // is all the evidence there is, and it is reported as such.
            for h in &hint_hits {
                let d = &self.pack.detectors[h.detector];
                if labels.iter().any(|l: &LabelResult| l.label == d.spec.label) {
                    continue;
                }
                labels.push(LabelResult {
                    label: d.spec.label.clone(),
                    category: d.category.clone(),
                    sensitivity: d.spec.sensitivity.as_str().to_string(),
                    confidence: 0.5,
                    scope: "name_only".into(),
                    hit_ratio: 0.0,
                    match_count: 0,
                    candidate_count: 0,
                    validated_count: 0,
                    detectors: vec![d.spec.id.clone()],
                    evidence: Vec::new(),
                    explanation: vec![format!(
                        "no values read; column name matches hint '{}'",
                        h.phrase
                    )],
                    allowed_by: None,
                });
            }
        }
        labels.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then_with(|| a.label.cmp(&b.label))
        });
        let prevalence_upper_bound = if labels.is_empty() && c.skipped_reason.is_none() {
            Some(prevalence_bound(n))
        } else {
            None
        };
        Column {
            path: c.path,
            source_type: c.source_type,
            rows_seen: c.rows_seen,
            values_scanned: n,
            skipped_reason: c.skipped_reason,
            comment: None,
            labels,
            name_hints,
            prevalence_upper_bound,
            fingerprint: None,
        }
    }
}

/// The keywords found in every column name of an asset, by detector, so a
/// column asks about its neighbours' names without reading each of them: an
/// asset can have 100,000 columns (a JSON document with that many keys), and
/// reading every other name for every column was quadratic.
struct NameKeywords {
    /// Per detector: `(column, place, phrase)` of each hit, in column order;
    /// `place` is the hit's index among its name's hits.
    by_detector: HashMap<usize, Vec<(usize, usize, String)>>,
}

impl NameKeywords {
    fn new<'a>(matcher: &PhraseMatcher, names: impl Iterator<Item = &'a str>) -> Self {
        let mut by_detector: HashMap<usize, Vec<(usize, usize, String)>> = HashMap::new();
        for (column, name) in names.enumerate() {
            for (place, hit) in matcher.hits(name).into_iter().enumerate() {
                by_detector
                    .entry(hit.detector)
                    .or_default()
                    .push((column, place, hit.phrase));
            }
        }
        NameKeywords { by_detector }
    }

    /// The first keyword of any of `detectors` in a column other than `me`,
    /// in column order, then in the order of the hits within a name: what
    /// walking every other name in turn finds first.
    fn first(&self, detectors: &[usize], me: usize) -> Option<&str> {
        detectors
            .iter()
            .filter_map(|d| self.by_detector.get(d)?.iter().find(|(c, _, _)| *c != me))
            .min_by_key(|(column, place, _)| (*column, *place))
            .map(|(_, _, phrase)| phrase.as_str())
    }
}

/// A label that passed its own thresholds, before labels that claim the
/// same values are weighed against each other.
struct Candidate {
    det_ids: Vec<usize>,
    hinted: bool,
    checksum: bool,
    hits: u64,
    /// Other detectors that validated the very same spans -> values.
    shared: BTreeMap<usize, u64>,
    result: LabelResult,
}

impl Candidate {
    /// Strength when two labels claim the same values: a column-name hint
    /// first, then a checksum (random digits pass a structural check far
    /// more often), then how many values validated, then confidence.
    fn rank(&self) -> (bool, bool, u64, f64) {
        (
            self.hinted,
            self.checksum,
            self.hits,
            self.result.confidence,
        )
    }

    fn shared_with(&self, other: &Candidate) -> u64 {
        other
            .det_ids
            .iter()
            .map(|d| self.shared.get(d).copied().unwrap_or(0))
            .sum()
    }
}

/// Two labels whose validated matches are mostly the same spans (nine bare
/// digits valid as an SSN, a routing number and a BSN) cannot both be what
/// the column holds: when the stronger label accounts for at least 80% of the
/// weaker one's values, the weaker is dropped and the winner's explanation
/// says so.
fn resolve_conflicts(
    mut cands: Vec<Candidate>,
    detectors: &[crate::detect::Detector],
) -> Vec<LabelResult> {
    cands.sort_by(|a, b| {
        b.rank()
            .partial_cmp(&a.rank())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut kept: Vec<Candidate> = Vec::new();
    for c in cands {
        // Dropped only when the stronger label explains most of its values:
        // free text can hold routing numbers AND social security numbers.
        let beaten_by = kept
            .iter_mut()
            .find(|k| c.shared_with(k) * 5 >= c.hits.max(1) * 4);
        match beaten_by {
            Some(k) => {
                let why = if k.hinted && !c.hinted {
                    "the column name"
                } else if k.checksum && !c.checksum {
                    "a checksum"
                } else {
                    "more validated values"
                };
                let other = c
                    .det_ids
                    .first()
                    .map(|d| detectors[*d].spec.label.as_str())
                    .unwrap_or_default();
                k.result.explanation.push(format!(
                    "the same values are also valid as {other} ({} values); {} decides for {}",
                    c.hits, why, k.result.label
                ));
            }
            None => kept.push(c),
        }
    }
    kept.into_iter().map(|c| c.result).collect()
}

/// Blank, or a placeholder that means "no value" (`n/a`, `null`, `-`).
fn is_null_like(value: &str) -> bool {
    // Most values: longer than any placeholder, with no whitespace (ASCII or
    // not) at either end for `trim` to remove.
    if let (Some(&first), Some(&last)) = (value.as_bytes().first(), value.as_bytes().last())
        && value.len() > 9
        && first.is_ascii_graphic()
        && last.is_ascii_graphic()
    {
        return false;
    }
    let t = value.trim();
    t.is_empty() || (t.len() <= 9 && NULL_LIKE.iter().any(|n| t.eq_ignore_ascii_case(n)))
}

fn merge(into: &mut ColumnStats, from: ColumnStats, evidence_cap: usize) {
    into.rows_seen += from.rows_seen;
    into.values_scanned += from.values_scanned;
    for (d, s) in from.detectors {
        let t = into.detectors.entry(d).or_default();
        t.values_hit += s.values_hit;
        t.whole_hits += s.whole_hits;
        t.candidates += s.candidates;
        t.validated += s.validated;
        t.keyword_values += s.keyword_values;
        for (o, n) in s.shared {
            *t.shared.entry(o).or_default() += n;
        }
        for e in s.evidence {
            if t.evidence.len() < evidence_cap && !t.evidence.contains(&e) {
                t.evidence.push(e);
            }
        }
    }
}

/// The largest prevalence still consistent, at 95% confidence, with finding
/// nothing in `n` values: `1 - 0.05^(1/n)` (about `3/n`); 1 when `n` is 0.
pub fn prevalence_bound(n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    round_up6(1.0 - 0.05f64.powf(1.0 / n as f64))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round_up6(x: f64) -> f64 {
    ((x * 1e6).ceil() / 1e6).min(1.0)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prevalence_bound_is_about_three_over_n() {
        assert_eq!(prevalence_bound(0), 1.0);
        let b = prevalence_bound(1000);
        assert!((b - 0.002991).abs() < 1e-5, "{b}");
        assert!(prevalence_bound(100) > prevalence_bound(1000));
    }

    #[test]
    fn null_like_placeholders_with_any_whitespace() {
        for v in [
            "",
            "  ",
            "null",
            " N/A ",
            "undefined",
            "\u{3000}none\u{3000}\u{3000}",
            "\tNULL\t\t\t\t\t\t",
        ] {
            assert!(is_null_like(v), "{v:?}");
        }
        for v in [
            "nullable",
            "jo@example.com",
            "undefined!",
            "\u{3000}a long value",
        ] {
            assert!(!is_null_like(v), "{v:?}");
        }
    }

    fn batch(rows: &[(&str, &str)]) -> RecordBatch {
        use arrow::array::StringArray;
        let contact: StringArray = rows.iter().map(|r| Some(r.0)).collect();
        let note: StringArray = rows.iter().map(|r| Some(r.1)).collect();
        RecordBatch::try_from_iter([
            ("contact", std::sync::Arc::new(contact) as ArrayRef),
            ("note", std::sync::Arc::new(note) as ArrayRef),
        ])
        .expect("batch")
    }

    /// The index answers what walking every other column's name answers,
    /// which hit comes first included (it is quoted in the explanation).
    #[test]
    fn name_keywords_equal_walking_every_other_name() {
        let pack = Pack::load(&[] as &[&std::path::Path]).expect("built-in pack");
        let classifier = Classifier::new(&pack, Thresholds::default());
        let matcher = &classifier.keywords_in_names;
        let names = [
            "id",
            "customer_email",
            "iban_or_card",
            "notes",
            "card_number",
            "phone_mobile_email",
            "sort_code",
            "email",
            "passport_no",
        ];
        let index = NameKeywords::new(matcher, names.iter().copied());
        let all: Vec<usize> = (0..pack.detectors.len()).collect();
        let mut asked = 0;
        for me in 0..names.len() {
            let walked: Vec<_> = names
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != me)
                .flat_map(|(_, n)| matcher.hits(n))
                .collect();
            for d in &all {
                let want = walked
                    .iter()
                    .find(|h| h.detector == *d)
                    .map(|h| h.phrase.as_str());
                assert_eq!(index.first(&[*d], me), want, "detector {d}, column {me}");
                asked += usize::from(want.is_some());
            }
            // Several detectors at once: the first hit of any of them.
            for window in all.chunks(7) {
                let want = walked
                    .iter()
                    .find(|h| window.contains(&h.detector))
                    .map(|h| h.phrase.as_str());
                assert_eq!(index.first(window, me), want, "{window:?}, column {me}");
            }
        }
        assert!(
            asked > 20,
            "the names hold too few keywords to test: {asked}"
        );
    }

    /// Incremental runs rebuild an asset from per-object partials: folding
    /// them in read order must give exactly the one-pass profile, evidence
    /// (capped, first seen) and column order included.
    #[test]
    fn absorbed_partials_equal_one_pass() {
        let pack = Pack::load(&[] as &[&std::path::Path]).expect("built-in pack");
        let classifier = Classifier::new(&pack, Thresholds::default());
        let objects = [
            batch(&[
                ("ann@example.com", "call +44 20 7946 0958"),
                ("bob@example.org", "n/a"),
                ("4111 1111 1111 1111", "card 5500 0000 0000 0004"),
            ]),
            batch(&[
                ("cy@example.net", "mail dee@example.com"),
                ("ann@example.com", ""),
                ("eve@example.com", "ip 10.1.2.3"),
                ("fay@example.com", "x"),
            ]),
            batch(&[("gus@example.com", "card 4012 8888 8888 1881")]),
        ];
        let mut one_pass = AssetProfile::default();
        for b in &objects {
            classifier.observe_batch(b, &mut one_pass);
        }
        let mut folded = AssetProfile::default();
        for (i, b) in objects.iter().enumerate() {
            let mut part = AssetProfile::default();
            classifier.observe_batch(b, &mut part);
            if i == 1 {
                part.skip_column("blob", "binary");
            }
            // Through the state file and back, as a kept part travels.
            let json = serde_json::to_string(&part.into_columns()).expect("serialize");
            let back: Vec<ColumnStats> = serde_json::from_str(&json).expect("deserialize");
            classifier.absorb(&mut folded, back);
        }
        one_pass.skip_column("blob", "binary");
        assert_eq!(folded.columns, one_pass.columns);
        let email = folded.columns[0]
            .detectors
            .values()
            .map(|d| d.evidence.len())
            .max();
        assert_eq!(
            email,
            Some(3),
            "the evidence cap was reached, so order mattered"
        );
        assert_eq!(classifier.finish(folded), classifier.finish(one_pass));
    }

    fn labels_of_note(classifier: &Classifier, notes: &[String]) -> Vec<String> {
        let rows: Vec<(&str, &str)> = notes.iter().map(|n| ("", n.as_str())).collect();
        let mut profile = AssetProfile::default();
        classifier.observe_batch(&batch(&rows), &mut profile);
        let cols = classifier.finish(profile);
        cols.iter()
            .filter(|c| c.path == "note")
            .flat_map(|c| c.labels.iter().map(|l| l.label.clone()))
            .collect()
    }

    /// Context keywords count in values only as whole tokens (issue 23):
    /// `unit`, `neutral` and `Samkaya` are not `nit`, `utr` and `amka`, so
    /// identifiers that need context get no label from them; the same
    /// sentences with the keyword as a word do (the test can fail).
    #[test]
    fn keywords_inside_words_give_no_context() {
        let pack = Pack::load(&[] as &[&std::path::Path]).expect("built-in pack");
        let classifier = Classifier::new(&pack, Thresholds::default());
        let cases = [
            (
                "CO_NIT",
                "one unit of 900.373.913-4 shipped",
                "NIT 900.373.913-4 shipped",
            ),
            (
                "UK_UTR",
                "a neutral answer, 1955839661",
                "UTR 1955839661 answered",
            ),
            (
                "GR_AMKA",
                "Samkaya 01013099997 in the list",
                "AMKA 01013099997 in the list",
            ),
        ];
        for (label, inside, whole) in cases {
            let inside: Vec<String> = (0..20).map(|_| inside.to_string()).collect();
            let whole: Vec<String> = (0..20).map(|_| whole.to_string()).collect();
            assert!(
                !labels_of_note(&classifier, &inside)
                    .iter()
                    .any(|l| l == label),
                "{label} from a keyword inside a word"
            );
            assert!(
                labels_of_note(&classifier, &whole)
                    .iter()
                    .any(|l| l == label),
                "{label} with the keyword as a word"
            );
        }
    }

    /// A clean column of valid ABNs under a neutral name, one stray value
    /// in fifty, gets AU_ABN (issue 23: the detector's base confidence was
    /// the reporting threshold itself, so the stray value dropped it below).
    /// ABNs valid per python-stdnum 2.2 (`stdnum.au.abn.is_valid`).
    #[test]
    fn clean_abn_column_is_labelled() {
        let pack = Pack::load(&[] as &[&std::path::Path]).expect("built-in pack");
        let classifier = Classifier::new(&pack, Thresholds::default());
        let abns = [
            "53173584802",
            "86131549265",
            "15082171827",
            "44812117271",
            "84880611175",
            "43497853256",
            "87875566195",
            "49235237232",
            "76875166535",
            "16546808962",
        ];
        let mut notes: Vec<String> = (0..49).map(|i| abns[i % abns.len()].to_string()).collect();
        notes.push("pending".to_string());
        assert!(
            labels_of_note(&classifier, &notes)
                .iter()
                .any(|l| l == "AU_ABN")
        );
    }
}
