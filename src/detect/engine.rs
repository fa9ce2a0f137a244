//! The compiled matcher.
//!
//! Most values hold no personal data, so the fast path decides cheaply which
//! detectors could match at all before any regex runs: one pass counts ASCII
//! digits (numeric ids need a minimum), and one aho-corasick pass over every
//! detector's required literals (`@`, `AKIA`, `eyJ`, ...) marks the detectors
//! whose literal is present. Only those detectors' regexes run.

use super::Detector;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// One regex match of one detector in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Index into `Pack::detectors`.
    pub detector: usize,
    pub start: usize,
    pub end: usize,
    /// The validator accepted it (always true for detectors without one).
    pub validated: bool,
    /// The match is the whole value (after trimming blanks and quotes), not
    /// a part of free text.
    pub whole_value: bool,
}

/// Per-thread buffers reused across values.
#[derive(Debug, Default)]
pub struct Scratch {
    candidates: Vec<bool>,
    order: Vec<usize>,
}

#[derive(Debug)]
pub(super) struct Engine {
    literals: Option<AhoCorasick>,
    /// Literal pattern index -> detectors gated by it.
    literal_owners: Vec<Vec<usize>>,
    /// Detectors with no literal gate: `(min_digits, detector)`.
    ungated: Vec<(usize, usize)>,
}

impl Engine {
    pub(super) fn new(detectors: &[Detector]) -> Result<Engine, String> {
        let mut literals: Vec<String> = Vec::new();
        let mut literal_owners: Vec<Vec<usize>> = Vec::new();
        let mut ungated = Vec::new();
        for (i, d) in detectors.iter().enumerate() {
            if d.spec.prefilter.is_empty() {
                ungated.push((d.spec.min_digits, i));
                continue;
            }
            for lit in &d.spec.prefilter {
                if lit.is_empty() {
                    return Err(format!("detector '{}': empty prefilter literal", d.spec.id));
                }
                let lower = lit.to_ascii_lowercase();
                match literals.iter().position(|l| *l == lower) {
                    Some(p) => literal_owners[p].push(i),
                    None => {
                        literals.push(lower);
                        literal_owners.push(vec![i]);
                    }
                }
            }
        }
        let literals = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&literals)
                    .map_err(|e| format!("prefilter: {e}"))?,
            )
        };
        Ok(Engine {
            literals,
            literal_owners,
            ungated,
        })
    }

    pub(super) fn find(
        &self,
        detectors: &[Detector],
        value: &str,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        out.clear();
        if value.is_empty() {
            return;
        }
        let digits = count_digits(value.as_bytes());
        scratch.candidates.clear();
        scratch.candidates.resize(detectors.len(), false);
        scratch.order.clear();
        for &(min_digits, i) in &self.ungated {
            if digits >= min_digits {
                scratch.candidates[i] = true;
                scratch.order.push(i);
            }
        }
        if let Some(ac) = &self.literals {
            for m in ac.find_overlapping_iter(value) {
                for &i in &self.literal_owners[m.pattern().as_usize()] {
                    if !scratch.candidates[i] && digits >= detectors[i].spec.min_digits {
                        scratch.candidates[i] = true;
                        scratch.order.push(i);
                    }
                }
            }
        }
        if scratch.order.is_empty() {
            return;
        }
        let (trim_start, trim_end) = trimmed_bounds(value);
        for &i in &scratch.order {
            run_detector(&detectors[i], i, value, (trim_start, trim_end), out);
        }
        resolve_overlaps(detectors, out);
    }

    pub(super) fn find_one(&self, detectors: &[Detector], detector: usize, value: &str) -> Vec<Match> {
        let d = &detectors[detector];
        let mut out = Vec::new();
        if count_digits(value.as_bytes()) < d.spec.min_digits {
            return out;
        }
        if !d.spec.prefilter.is_empty() {
            let lower = value.to_ascii_lowercase();
            if !d
                .spec
                .prefilter
                .iter()
                .any(|l| lower.contains(&l.to_ascii_lowercase()))
            {
                return out;
            }
        }
        run_detector(d, detector, value, trimmed_bounds(value), &mut out);
        out.retain(|m| m.validated);
        out
    }
}

fn run_detector(d: &Detector, i: usize, value: &str, trimmed: (usize, usize), out: &mut Vec<Match>) {
    for m in d.regex.find_iter(value) {
        if m.start() == m.end() {
            continue;
        }
        let validated = d.validator.is_none_or(|v| (v.check)(m.as_str()));
        out.push(Match {
            detector: i,
            start: m.start(),
            end: m.end(),
            validated,
            whole_value: m.start() <= trimmed.0 && m.end() >= trimmed.1,
        });
    }
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| b.is_ascii_digit()).count()
}

/// Byte bounds of `value` without surrounding blanks and quotes.
fn trimmed_bounds(value: &str) -> (usize, usize) {
    let is_pad = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(' | ')' | ',' | ';');
    let start = value.len() - value.trim_start_matches(is_pad).len();
    let end = value.trim_end_matches(is_pad).len();
    (start, end.max(start))
}

/// Among validated matches, a match lying inside a longer validated match of
/// another detector is dropped (the digits of an IBAN are not also a phone
/// number); for the same span, the detector with the higher base confidence
/// wins. Unvalidated matches are kept: the classifier counts them as
/// candidates that failed validation.
fn resolve_overlaps(detectors: &[Detector], out: &mut Vec<Match>) {
    if out.iter().filter(|m| m.validated).count() < 2 {
        return;
    }
    let snapshot: Vec<Match> = out.clone();
    out.retain(|m| {
        if !m.validated {
            return true;
        }
        !snapshot.iter().any(|o| {
            if !o.validated || o.detector == m.detector || o.start > m.start || o.end < m.end {
                return false;
            }
            let same_span = o.start == m.start && o.end == m.end;
            if !same_span {
                return true;
            }
            let (mine, theirs) = (detectors[m.detector].base_confidence, detectors[o.detector].base_confidence);
            theirs > mine || (theirs == mine && o.detector < m.detector && detectors[o.detector].spec.label == detectors[m.detector].spec.label)
        })
    });
}
