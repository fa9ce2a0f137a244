//! The compiled matcher.
//!
//! Most values hold no personal data, and a regex call on a short value costs
//! more in setup than in matching, so the fast path works on many values at
//! once: the values of a column chunk are joined with `\n` into one haystack
//! and ONE multi-pattern automaton (every detector's pattern, leftmost-first)
//! runs over it. Only the values it touches are candidates; for each, an
//! overlapping multi-pattern pass says exactly which detectors match, and only
//! those detectors' own regexes and validators run.
//!
//! The union is a superset filter: it is compiled multi-line (so `^`/`$` also
//! match at the separators) and a union match that spans a separator marks
//! every value it touches, so no value with a match of any single detector is
//! ever skipped. The per-detector gates (`min_digits`, `prefilter` literals)
//! serve single-detector checks (`find_one`, the examples test).

use super::Detector;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, PatternSet};

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

/// Per-thread buffers reused across calls.
#[derive(Debug, Default)]
pub struct Scratch {
    haystack: String,
    starts: Vec<usize>,
    candidates: Vec<usize>,
    matches: Vec<Match>,
    /// One per overlapping group (sized to its pattern count).
    patterns: Vec<PatternSet>,
    /// Detectors the groups say match in the current value.
    hits: Vec<usize>,
}

#[derive(Debug)]
pub(super) struct Engine {
    /// Every pattern, leftmost-first: finds which values hold any match.
    union_first: Option<MetaRegex>,
    /// Small overlapping unions that together say which detectors match in
    /// one value.
    groups: Vec<Group>,
}

/// Detectors whose patterns share one overlapping (`MatchKind::All`) union.
///
/// One overlapping union of the whole pack tracks every pattern at once: its
/// lazy DFA meets a new state combination on nearly every free-text value
/// and spends most of its time determinizing (measured: 20-30 µs per
/// candidate value). Unions of a few patterns each have small state spaces
/// that stay cached (measured on the mixed CSV corpus, warm, one thread:
/// one union 14.7 MB/s, groups of 8 19.0, of 16 21.2, of 32 19.7, of 64
/// 14.4), and a group whose least digit-hungry member needs more
/// digits than the value has is skipped without running.
#[derive(Debug)]
struct Group {
    regex: MetaRegex,
    /// Detector index of each of the union's patterns, in pattern order.
    members: Vec<usize>,
    /// The smallest `min_digits` among the members.
    min_digits: usize,
}

/// Patterns per overlapping group (see [`Group`]).
const GROUP_SIZE: usize = 16;

const SEPARATOR: char = '\n';

impl Engine {
    pub(super) fn new(detectors: &[Detector]) -> Result<Engine, String> {
        if detectors.is_empty() {
            return Ok(Engine {
                union_first: None,
                groups: Vec::new(),
            });
        }
        let patterns: Vec<String> = detectors.iter().map(Detector::grouped_pattern).collect();
        let build = |kind: MatchKind, cache: usize, patterns: &[&str]| {
            MetaRegex::builder()
                .syntax(syntax::Config::new().multi_line(true))
                .configure(
                    MetaRegex::config()
                        .match_kind(kind)
                        .nfa_size_limit(Some(256 << 20))
                        .hybrid_cache_capacity(cache),
                )
                .build_many(patterns)
                .map_err(|e| format!("cannot compile the detector union: {e}"))
        };
        let all: Vec<&str> = patterns.iter().map(String::as_str).collect();
        // Detectors of similar digit needs share a group, so a value with
        // few digits skips the digit-hungry groups whole.
        let mut order: Vec<usize> = (0..detectors.len()).collect();
        order.sort_by_key(|&i| (detectors[i].spec.min_digits, i));
        let mut groups = Vec::new();
        for members in order.chunks(GROUP_SIZE) {
            let members = members.to_vec();
            let group_patterns: Vec<&str> = members.iter().map(|&i| all[i]).collect();
            groups.push(Group {
                regex: build(MatchKind::All, 8 << 20, &group_patterns)?,
                min_digits: members
                    .iter()
                    .map(|&i| detectors[i].spec.min_digits)
                    .min()
                    .unwrap_or(0),
                members,
            });
        }
        Ok(Engine {
            union_first: Some(build(MatchKind::LeftmostFirst, 32 << 20, &all)?),
            groups,
        })
    }

    /// Validated and unvalidated matches in each of `values`; `each(i, matches)`
    /// is called for every value with at least one match, in order.
    pub(super) fn find_many(
        &self,
        detectors: &[Detector],
        values: &[&str],
        scratch: &mut Scratch,
        mut each: impl FnMut(usize, &[Match]),
    ) {
        let Some(first) = &self.union_first else {
            return;
        };
        scratch.candidates.clear();
        if values.len() == 1 {
            scratch.candidates.push(0);
        } else {
            scratch.haystack.clear();
            scratch.starts.clear();
            for v in values {
                scratch.starts.push(scratch.haystack.len());
                scratch.haystack.push_str(v);
                scratch.haystack.push(SEPARATOR);
            }
            // Once a value is a candidate the rest of it need not be searched:
            // resume at the next value.
            let hay = scratch.haystack.as_bytes();
            let mut pos = 0;
            while pos < hay.len() {
                let Some(m) = first.search(&Input::new(hay).range(pos..)) else {
                    break;
                };
                if m.is_empty() {
                    pos = m.end() + 1;
                    continue;
                }
                let from = value_at(&scratch.starts, m.start());
                let to = value_at(&scratch.starts, m.end() - 1);
                for i in from..=to {
                    if scratch.candidates.last().is_none_or(|&last| i > last) {
                        scratch.candidates.push(i);
                    }
                }
                pos = scratch.starts.get(to + 1).copied().unwrap_or(hay.len());
            }
        }
        let candidates = std::mem::take(&mut scratch.candidates);
        for &i in &candidates {
            let value = values[i];
            self.find_in_value(detectors, value, scratch);
            if !scratch.matches.is_empty() {
                each(i, &scratch.matches);
            }
        }
        scratch.candidates = candidates;
    }

    /// All matches in one value, of the detectors the overlapping union says match.
    fn find_in_value(&self, detectors: &[Detector], value: &str, scratch: &mut Scratch) {
        scratch.matches.clear();
        scratch.hits.clear();
        if value.is_empty() {
            return;
        }
        if scratch.patterns.len() != self.groups.len() {
            scratch.patterns = self
                .groups
                .iter()
                .map(|g| PatternSet::new(g.regex.pattern_len()))
                .collect();
        }
        let digits = count_digits(value.as_bytes());
        let input = Input::new(value);
        for (group, set) in self.groups.iter().zip(scratch.patterns.iter_mut()) {
            if digits < group.min_digits {
                continue;
            }
            set.clear();
            group.regex.which_overlapping_matches(&input, set);
            scratch
                .hits
                .extend(set.iter().map(|pid| group.members[pid.as_usize()]));
        }
        if scratch.hits.is_empty() {
            return;
        }
        // Detector order, as one union over the pack reported them.
        scratch.hits.sort_unstable();
        let trimmed = trimmed_bounds(value);
        for &i in &scratch.hits {
            run_detector(
                &detectors[i],
                i,
                value,
                digits,
                trimmed,
                &mut scratch.matches,
            );
        }
        resolve_overlaps(detectors, &mut scratch.matches);
    }

    /// Validated matches of one detector only, honouring its own gates.
    pub(super) fn find_one(
        &self,
        detectors: &[Detector],
        detector: usize,
        value: &str,
    ) -> Vec<Match> {
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
        let digits = count_digits(value.as_bytes());
        run_detector(d, detector, value, digits, trimmed_bounds(value), &mut out);
        out.retain(|m| m.validated);
        out
    }
}

/// Index of the value whose text holds haystack byte `pos`.
fn value_at(starts: &[usize], pos: usize) -> usize {
    starts.partition_point(|&s| s <= pos).saturating_sub(1)
}

fn run_detector(
    d: &Detector,
    i: usize,
    value: &str,
    digits: usize,
    trimmed: (usize, usize),
    out: &mut Vec<Match>,
) {
    // The gates are a contract of the detector: a value that fails them is
    // not this detector's, whatever the pattern says.
    if digits < d.spec.min_digits {
        return;
    }
    if !d.spec.prefilter.is_empty()
        && !d
            .spec
            .prefilter
            .iter()
            .any(|l| contains_ignore_ascii_case(value, l))
    {
        return;
    }
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

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| b.is_ascii_digit()).count()
}

/// Byte bounds of `value` without surrounding blanks and quotes.
fn trimmed_bounds(value: &str) -> (usize, usize) {
    let is_pad =
        |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(' | ')' | ',' | ';');
    let start = value.len() - value.trim_start_matches(is_pad).len();
    let end = value.trim_end_matches(is_pad).len();
    (start, end.max(start))
}

/// Among validated matches, a match lying inside a longer validated match of
/// another detector is dropped (the digits of an IBAN are not also a phone
/// number); for the same span, two detectors of one label keep the one with
/// the higher base confidence, and detectors of different labels are all
/// kept. Unvalidated matches are kept: the classifier counts them as
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
            if o.start != m.start || o.end != m.end {
                return true;
            }
            // The same span under two labels (nine bare digits: an SSN, a
            // routing number and a BSN at once) is ambiguous in one value;
            // both stay, and the column as a whole decides (see `classify`).
            // Under one label, one detector is enough.
            detectors[o.detector].spec.label == detectors[m.detector].spec.label
                && (
                    detectors[o.detector].base_confidence,
                    std::cmp::Reverse(o.detector),
                ) > (
                    detectors[m.detector].base_confidence,
                    std::cmp::Reverse(m.detector),
                )
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_at_maps_offsets_to_values() {
        let starts = [0, 4, 9];
        assert_eq!(value_at(&starts, 0), 0);
        assert_eq!(value_at(&starts, 3), 0);
        assert_eq!(value_at(&starts, 4), 1);
        assert_eq!(value_at(&starts, 100), 2);
    }
}
