//! The compiled matcher.
//!
//! Most values hold no personal data, and a regex call on a short value costs
//! more in setup than in matching, so the fast path works on many values at
//! once, and on their *shapes* (digits replaced by `0`, see `relax`):
//!
//! 1. Each value's shape is looked up in a per-thread memo. Table columns
//!    repeat a few shapes (ids, dates, amounts, codes), so most values stop
//!    here, with a plan of which detectors can match and where. A shape is
//!    remembered the second time it is met: hashes, tracking codes and most
//!    emails have shapes of their own that never return, and keeping them
//!    cost an allocation each and flushed the memo of the shapes that do.
//! 2. The shapes not in the memo are joined into one haystack and ONE
//!    multi-pattern automaton of the united detectors' digit-blind patterns
//!    runs over it, forward only, stopping at the first match end. The
//!    shape that holds it is a candidate and the search resumes at the next
//!    shape; for each candidate, overlapping unions say which of those
//!    detectors might match. Detectors with prefilter literals, and those
//!    whose patterns count long runs of a wide class, are not united (they
//!    made the unions' states explode on distinct data, see [`Route`]):
//!    each new shape asks them alone, behind an automaton of their literals.
//!    Together that becomes the shape's plan.
//! 3. A plan is run on the value itself: for a detector whose pattern treats
//!    all digits alike, the spans found on the shape are its spans on the
//!    value and only the validator runs; any other detector runs its own
//!    regex on the value. Either way the result is what running every
//!    detector's regex and validator on the value gives (tested against
//!    that, `find_many_equals_every_detector_run_alone`).
//!
//! The union is a superset filter. Shapes are joined by `\n\xFF\n`: the
//! patterns are compiled multi-line, so `^`/`$` match at the newlines as at a
//! value's edges, and no pattern can match the invalid UTF-8 byte `\xFF`, so
//! no match crosses from one shape into the next. The earliest match end
//! after a shape's start therefore lies in that shape (or its newline) when
//! the shape holds any match, and no value with a match of any single
//! detector is ever skipped. The per-detector gates (`min_digits`,
//! `prefilter` literals) are part of each detector's contract and are
//! applied on every path.

use super::Detector;
use super::phrases::OwnedPhrases;
use super::relax::{filter_superset, relax, shape_into};
use aho_corasick::AhoCorasick;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::cell::RefCell;
use std::collections::HashMap;
use thread_local::ThreadLocal;

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

/// Per-call buffers reused across calls.
#[derive(Debug, Default)]
pub struct Scratch {
    haystack: Vec<u8>,
    starts: Vec<usize>,
    shapes: Vec<u8>,
    shape_starts: Vec<usize>,
    /// Memo slot of each value of the current call.
    slots: Vec<u32>,
    /// Slots to fill in this call, with the value whose shape they key.
    missing: Vec<(u32, usize)>,
    candidates: Vec<usize>,
    matches: Vec<Match>,
    /// One per overlapping group (sized to its pattern count).
    patterns: Vec<PatternSet>,
    /// Detectors the groups say might match in the current shape.
    hits: Vec<usize>,
    /// Per detector: the current shape holds one of its literals, or it
    /// has none to hold (see [`LiteralGate`]).
    open: Vec<bool>,
}

#[derive(Debug)]
pub(super) struct Engine {
    /// Every detector's digit-blind, loosened pattern (see `filter_superset`):
    /// finds which shapes hold any possible match.
    union_first: Option<MetaRegex>,
    /// Small overlapping unions that together say which detectors might
    /// match one shape.
    groups: Vec<Group>,
    /// Per detector: its pattern and prefilter treat all ten digits alike,
    /// so its matches on a shape are its matches on the value.
    digit_blind: Vec<bool>,
    /// Detectors kept out of the unions (see [`Route`]), in pack order.
    alone: Vec<usize>,
    /// Per detector: the fewest bytes its pattern can match. A shorter
    /// value cannot hold a match (hashes, keys and tokens need 30 or more).
    min_len: Vec<usize>,
    /// Per detector asked alone and not digit-blind: its relaxed pattern
    /// (see `relax`), compiled by itself, to test a shape with.
    relaxed: Vec<Option<MetaRegex>>,
    /// Which detectors' prefilter literals a shape holds.
    gate: LiteralGate,
    memo: ThreadLocal<RefCell<Memo>>,
}

/// How a detector is asked whether it might match a new shape.
///
/// In one automaton, patterns multiply each other's states: every start of
/// a run that a pattern counts (`[A-Za-z0-9/+]{38}`) is a thread the lazy
/// DFA tracks, and each combination of counts across patterns is a state of
/// its own. On distinct tokens, hashes and free text the unions met a new
/// state on nearly every value, rebuilt them after every cache clear, and
/// fell back to the PikeVM when clears came too often (measured on tokens:
/// 0.6 MB/s, 80% of the time in determinization and the PikeVM). Two kinds
/// of detectors are therefore asked alone, each by its own small automaton:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Through the unions (most detectors: fixed shapes of digits).
    Union,
    /// It has prefilter literals: an automaton of literals says in one pass
    /// which of these can match at all (see [`LiteralGate`]).
    Literal,
    /// Its pattern counts a long run of a wide class (see `counts_wide_run`).
    Wide,
}

/// The detectors' `prefilter` literals in one automaton, so a new shape
/// learns in one pass which literal-gated detectors can match it at all.
///
/// A prefilter is part of a detector's contract (a value without one of its
/// literals is never its match, see `run_detector`), so skipping a gated
/// detector whose literals are absent loses nothing. Literals holding a
/// digit cannot be seen on a shape (its digits are all `0`): their
/// detectors are not gated here, and their own check runs on the value.
#[derive(Debug)]
struct LiteralGate {
    ac: Option<AhoCorasick>,
    /// Detector indices of each literal, in pattern order.
    owners: Vec<Vec<usize>>,
    /// Per detector: it is skipped unless one of its literals is found.
    gated: Vec<bool>,
}

impl LiteralGate {
    fn new(detectors: &[Detector]) -> Result<LiteralGate, String> {
        let mut literals = OwnedPhrases::default();
        let mut gated = vec![false; detectors.len()];
        for (i, d) in detectors.iter().enumerate() {
            let prefilter = &d.spec.prefilter;
            if prefilter.is_empty()
                || prefilter
                    .iter()
                    .any(|l| l.is_empty() || l.bytes().any(|b| b.is_ascii_digit()))
            {
                continue;
            }
            gated[i] = true;
            for l in prefilter {
                literals.add(l.to_ascii_lowercase(), i);
            }
        }
        let ac = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    // A few hundred literals at most: a full DFA is small,
                    // and the fastest to walk on every new shape.
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&literals.phrases)
                    .map_err(|e| format!("cannot compile the prefilter literals: {e}"))?,
            )
        };
        let owners = literals.owners;
        Ok(LiteralGate { ac, owners, gated })
    }

    /// Sets `open[i]` for every detector `i` that `shape` does not rule out
    /// by its literals.
    fn open(&self, shape: &[u8], open: &mut Vec<bool>) {
        open.clear();
        open.extend(self.gated.iter().map(|g| !g));
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(shape) {
                for &d in &self.owners[m.pattern().as_usize()] {
                    open[d] = true;
                }
            }
        }
    }
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
    /// The fewest bytes any member can match.
    min_len: usize,
}

/// Patterns per overlapping group (see [`Group`]).
const GROUP_SIZE: usize = 16;

/// Between two shapes in the union's haystack (see the module comment).
const SEPARATOR: &[u8] = b"\n\xFF\n";

/// Shapes longer than this are not remembered (free text rarely repeats,
/// and the memo stays bounded: about 12 MB per thread at most).
const MEMO_MAX_LEN: usize = 128;
/// The memo is emptied when it holds this many shapes.
const MEMO_ENTRIES: usize = 64 * 1024;

/// What to do with a value of one shape.
#[derive(Debug, Default)]
enum Plan {
    /// Not computed yet (a slot filled later in the same call).
    #[default]
    Pending,
    /// The shape holds no digit, so it is the value: its final matches.
    Matches(Box<[Match]>),
    /// Steps in detector order; empty when no detector can match.
    Steps(Box<[Step]>),
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// A digit-blind detector's match, found on the shape; only its
    /// validator runs on the value.
    Span {
        detector: u32,
        start: u32,
        end: u32,
        whole_value: bool,
    },
    /// The detector might match: run its own regex on the value.
    Exact(u32),
}

/// Shapes seen by one thread, and their plans.
#[derive(Debug, Default)]
struct Memo {
    slots: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    plans: Vec<Plan>,
    /// Hashes of shapes met once and not remembered (a bit each, see
    /// `plan_values`); allocated on first use, as `find_many` takes the memo
    /// out with `take` on every call.
    seen: Vec<u64>,
    seen_count: usize,
}

/// Bits of the filter of shapes met once (128 KiB: stays in cache).
const SEEN_BITS: usize = 1 << 20;
/// The filter is emptied after this many shapes, so it stays sparse.
const SEEN_RESET: usize = SEEN_BITS / 8;

impl Memo {
    /// Whether `shape` (probably) was met before; marks it met.
    fn seen_before(&mut self, shape: &[u8]) -> bool {
        use std::hash::BuildHasher;
        if self.seen.is_empty() {
            self.seen = vec![0; SEEN_BITS / 64];
        }
        let bit = self.slots.hasher().hash_one(shape) as usize % SEEN_BITS;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if self.seen[word] & mask != 0 {
            return true;
        }
        if self.seen_count >= SEEN_RESET {
            self.seen.fill(0);
            self.seen_count = 0;
        }
        self.seen[word] |= mask;
        self.seen_count += 1;
        false
    }

    fn push(&mut self, plan: Plan) -> u32 {
        self.plans.push(plan);
        (self.plans.len() - 1) as u32
    }
}

impl Engine {
    pub(super) fn new(detectors: &[Detector]) -> Result<Engine, String> {
        let gate = LiteralGate::new(detectors)?;
        let mut digit_blind = Vec::with_capacity(detectors.len());
        let mut routes = Vec::with_capacity(detectors.len());
        let mut relaxed_alone = Vec::with_capacity(detectors.len());
        let mut relaxed: Vec<Hir> = Vec::with_capacity(detectors.len());
        let mut min_len = Vec::with_capacity(detectors.len());
        for (i, d) in detectors.iter().enumerate() {
            let parse = |multi_line: bool| {
                regex_syntax::ParserBuilder::new()
                    .case_insensitive(d.spec.case_insensitive)
                    .multi_line(multi_line)
                    .build()
                    .parse(&d.spec.pattern)
                    .map_err(|e| format!("detector '{}': {e}", d.spec.id))
            };
            let hir = parse(true)?;
            min_len.push(hir.properties().minimum_len().unwrap_or(0));
            let (hir, changed) = relax(&hir);
            let prefilter_has_digit = d
                .spec
                .prefilter
                .iter()
                .any(|l| l.bytes().any(|b| b.is_ascii_digit()));
            let blind = !changed && !prefilter_has_digit;
            digit_blind.push(blind);
            let route = if gate.gated[i] {
                Route::Literal
            } else if counts_wide_run(&hir) {
                Route::Wide
            } else {
                Route::Union
            };
            routes.push(route);
            relaxed_alone.push(if route == Route::Union || blind {
                None
            } else {
                // Alone, a shape is one haystack: compiled as the
                // detector's own regex is (not multi-line).
                let (alone, _) = relax(&parse(false)?);
                Some(
                    MetaRegex::builder()
                        .configure(MetaRegex::config().nfa_size_limit(Some(1 << 24)))
                        .build_from_hir(&alone)
                        .map_err(|e| format!("detector '{}': {e}", d.spec.id))?,
                )
            });
            relaxed.push(filter_superset(&hir));
        }
        let memo = ThreadLocal::new();
        let alone: Vec<usize> = (0..detectors.len())
            .filter(|&i| routes[i] != Route::Union)
            .collect();
        let united: Vec<usize> = (0..detectors.len())
            .filter(|&i| routes[i] == Route::Union)
            .collect();
        if united.is_empty() {
            return Ok(Engine {
                union_first: None,
                groups: Vec::new(),
                digit_blind,
                alone,
                min_len,
                relaxed: relaxed_alone,
                gate,
                memo,
            });
        }
        let build = |kind: MatchKind, cache: usize, hirs: &[&Hir]| {
            MetaRegex::builder()
                .configure(
                    MetaRegex::config()
                        .match_kind(kind)
                        .nfa_size_limit(Some(256 << 20))
                        .hybrid_cache_capacity(cache),
                )
                .build_many_from_hir(hirs)
                .map_err(|e| format!("cannot compile the detector union: {e}"))
        };
        let all: Vec<&Hir> = united.iter().map(|&i| &relaxed[i]).collect();
        // Detectors of similar digit needs share a group, so a value with
        // few digits skips the digit-hungry groups whole.
        let mut order = united.clone();
        order.sort_by_key(|&i| (detectors[i].spec.min_digits, i));
        let mut groups = Vec::new();
        for members in order.chunks(GROUP_SIZE) {
            let members = members.to_vec();
            let group_patterns: Vec<&Hir> = members.iter().map(|&i| &relaxed[i]).collect();
            groups.push(Group {
                regex: build(MatchKind::All, 8 << 20, &group_patterns)?,
                min_digits: members
                    .iter()
                    .map(|&i| detectors[i].spec.min_digits)
                    .min()
                    .unwrap_or(0),
                min_len: members.iter().map(|&i| min_len[i]).min().unwrap_or(0),
                members,
            });
        }
        Ok(Engine {
            union_first: Some(build(MatchKind::LeftmostFirst, 32 << 20, &all)?),
            groups,
            digit_blind,
            alone,
            min_len,
            relaxed: relaxed_alone,
            gate,
            memo,
        })
    }

    /// Empties this thread's shape memo (benchmarks: repeated passes over
    /// the same rows would otherwise measure memo hits only).
    pub(super) fn forget_shapes(&self) {
        if let Some(cell) = self.memo.get() {
            cell.take();
        }
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
        if detectors.is_empty() {
            return;
        }
        // Taken out for the call, so a callback that searches again on this
        // thread finds an empty memo instead of a borrowed one.
        let cell = self.memo.get_or_default();
        let mut memo = cell.take();
        if memo.plans.len() >= MEMO_ENTRIES {
            memo = Memo::default();
        }
        self.plan_values(detectors, values, scratch, &mut memo);
        let slots = std::mem::take(&mut scratch.slots);
        for (i, &slot) in slots.iter().enumerate() {
            let value = values[i];
            match &memo.plans[slot as usize] {
                Plan::Matches(m) if !m.is_empty() => each(i, m),
                Plan::Steps(steps) if !steps.is_empty() => {
                    run_steps(detectors, steps, value, &mut scratch.matches);
                    if !scratch.matches.is_empty() {
                        each(i, &scratch.matches);
                    }
                }
                _ => {}
            }
        }
        scratch.slots = slots;
        // Plans of unkeyed shapes (long, or met once) go with the call.
        memo.plans.truncate(memo.slots.len());
        cell.replace(memo);
    }

    /// Fills `scratch.slots` with a memo slot per value, computing the plans
    /// of shapes not seen before.
    fn plan_values(
        &self,
        detectors: &[Detector],
        values: &[&str],
        scratch: &mut Scratch,
        memo: &mut Memo,
    ) {
        scratch.shapes.clear();
        scratch.shape_starts.clear();
        scratch.slots.clear();
        scratch.missing.clear();
        // Values whose shape gets a plan for this call only.
        let mut unkeyed = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let start = scratch.shapes.len();
            shape_into(v, &mut scratch.shapes);
            scratch.shape_starts.push(start);
            let shape = &scratch.shapes[start..];
            if shape.len() > MEMO_MAX_LEN {
                unkeyed.push(i);
                scratch.slots.push(u32::MAX);
                continue;
            }
            let slot = match memo.slots.get(shape).copied() {
                Some(slot) => slot,
                // Met for the first time: not remembered yet (see the
                // module comment).
                None if !memo.seen_before(shape) => {
                    unkeyed.push(i);
                    u32::MAX
                }
                None => {
                    let slot = memo.push(Plan::Pending);
                    memo.slots.insert(shape.into(), slot);
                    scratch.missing.push((slot, i));
                    slot
                }
            };
            scratch.slots.push(slot);
        }
        scratch.shape_starts.push(scratch.shapes.len());
        // Unkeyed shapes get plans past the keyed ones (dropped after the call).
        for i in unkeyed {
            let slot = memo.push(Plan::Pending);
            scratch.slots[i] = slot;
            scratch.missing.push((slot, i));
        }
        if scratch.missing.is_empty() {
            return;
        }
        let missing = std::mem::take(&mut scratch.missing);
        self.candidates(
            missing.iter().map(|&(_, i)| {
                &scratch.shapes[scratch.shape_starts[i]..scratch.shape_starts[i + 1]]
            }),
            missing.len(),
            &mut scratch.haystack,
            &mut scratch.starts,
            &mut scratch.candidates,
        );
        let candidates = std::mem::take(&mut scratch.candidates);
        let mut next = candidates.iter().peekable();
        for (k, &(slot, i)) in missing.iter().enumerate() {
            let is_candidate = next.peek().is_some_and(|&&c| c == k);
            if is_candidate {
                next.next();
            }
            // The shapes' buffer is lent out while `plan_shape` uses the
            // rest of `scratch`; a shape is valid UTF-8 by construction (see
            // `shape_into`), so the fallback never runs.
            let shapes = std::mem::take(&mut scratch.shapes);
            let (start, end) = (scratch.shape_starts[i], scratch.shape_starts[i + 1]);
            let shape = std::str::from_utf8(&shapes[start..end]).unwrap_or_default();
            memo.plans[slot as usize] = self.plan_shape(detectors, shape, is_candidate, scratch);
            scratch.shapes = shapes;
        }
        scratch.candidates = candidates;
        scratch.missing = missing;
    }

    /// Indices (into `shapes`) of the shapes a union match touches, in order.
    fn candidates<'a>(
        &self,
        shapes: impl Iterator<Item = &'a [u8]>,
        count: usize,
        haystack: &mut Vec<u8>,
        starts: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        let Some(first) = &self.union_first else {
            return;
        };
        if count == 1 {
            // One shape: the overlapping groups decide without the union.
            out.push(0);
            return;
        }
        haystack.clear();
        starts.clear();
        for s in shapes {
            starts.push(haystack.len());
            haystack.extend_from_slice(s);
            haystack.extend_from_slice(SEPARATOR);
        }
        // Once a shape is a candidate the rest of it need not be searched:
        // resume at the next one. An end at `pos` itself can only be an empty
        // match, which makes nothing a candidate.
        let hay = haystack.as_slice();
        let mut pos = 0;
        while pos < hay.len() {
            let input = Input::new(hay).range(pos..).earliest(true);
            let Some(end) = first.search_half(&input).map(|m| m.offset()) else {
                break;
            };
            if end <= pos {
                pos += 1;
                continue;
            }
            let shape = value_at(starts, end - 1);
            out.push(shape);
            pos = starts.get(shape + 1).copied().unwrap_or(hay.len());
        }
    }

    /// The plan for values of `shape`: which detectors might match, and for
    /// the digit-blind ones, where.
    /// `united`: the union found a possible match of its members in it.
    fn plan_shape(
        &self,
        detectors: &[Detector],
        shape: &str,
        united: bool,
        scratch: &mut Scratch,
    ) -> Plan {
        scratch.hits.clear();
        if shape.is_empty() {
            return Plan::Steps(Box::new([]));
        }
        if scratch.patterns.len() != self.groups.len() {
            scratch.patterns = self
                .groups
                .iter()
                .map(|g| PatternSet::new(g.regex.pattern_len()))
                .collect();
        }
        let digits = count_digits(shape.as_bytes());
        let input = Input::new(shape);
        for (group, set) in self.groups.iter().zip(scratch.patterns.iter_mut()) {
            if !united || digits < group.min_digits || shape.len() < group.min_len {
                continue;
            }
            set.clear();
            group.regex.which_overlapping_matches(&input, set);
            scratch
                .hits
                .extend(set.iter().map(|pid| group.members[pid.as_usize()]));
        }
        self.gate.open(shape.as_bytes(), &mut scratch.open);
        for &i in &self.alone {
            if digits < detectors[i].spec.min_digits
                || shape.len() < self.min_len[i]
                || !scratch.open[i]
            {
                continue;
            }
            // Digit-blind ones find their spans below; the others are
            // tested on the shape, as the groups test theirs.
            let might = match &self.relaxed[i] {
                Some(re) => re.is_match(Input::new(shape).earliest(true)),
                None => true,
            };
            if might {
                scratch.hits.push(i);
            }
        }
        // Detector order, as one union over the pack reported them.
        scratch.hits.sort_unstable();
        let trimmed = trimmed_bounds(shape);
        let mut steps = Vec::new();
        for &i in &scratch.hits {
            if !self.digit_blind[i] {
                steps.push(Step::Exact(i as u32));
                continue;
            }
            scratch.matches.clear();
            run_detector(
                &detectors[i],
                i,
                shape,
                digits,
                trimmed,
                &mut scratch.matches,
            );
            steps.extend(scratch.matches.iter().map(|m| Step::Span {
                detector: i as u32,
                start: m.start as u32,
                end: m.end as u32,
                whole_value: m.whole_value,
            }));
        }
        if digits == 0 {
            // The shape is the value: its matches are final.
            run_steps(detectors, &steps, shape, &mut scratch.matches);
            return Plan::Matches(scratch.matches.as_slice().into());
        }
        Plan::Steps(steps.into())
    }

    /// Validated matches of one detector only, honouring its own gates.
    pub(super) fn find_one(
        &self,
        detectors: &[Detector],
        detector: usize,
        value: &str,
    ) -> Vec<Match> {
        let mut out = Vec::new();
        let digits = count_digits(value.as_bytes());
        run_detector(
            &detectors[detector],
            detector,
            value,
            digits,
            trimmed_bounds(value),
            &mut out,
        );
        out.retain(|m| m.validated);
        out
    }

    /// Every detector's own regex and validator on `value`, overlaps
    /// resolved: what [`Engine::find_many`] must return, by definition.
    #[cfg(test)]
    pub(super) fn find_by_every_detector(&self, detectors: &[Detector], value: &str) -> Vec<Match> {
        let mut out = Vec::new();
        let digits = count_digits(value.as_bytes());
        let trimmed = trimmed_bounds(value);
        for (i, d) in detectors.iter().enumerate() {
            run_detector(d, i, value, digits, trimmed, &mut out);
        }
        resolve_overlaps(detectors, &mut out);
        out
    }
}

/// Whether `hir` counts a long run of a wide class (`[A-Za-z0-9/+]{38}`,
/// `[0-9a-f]{32}`): such a pattern multiplies the states of any union it
/// joins (see [`Route`]).
fn counts_wide_run(hir: &Hir) -> bool {
    /// Runs shorter than this are cheap to count.
    const LONG_RUN: u32 = 12;
    /// Classes smaller than this (the ten digits, a few letters) rarely
    /// hold long runs in text.
    const WIDE_CLASS: u32 = 16;
    let class_size = |h: &Hir| match h.kind() {
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
            .sum(),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
            .sum(),
        _ => 0,
    };
    match hir.kind() {
        HirKind::Repetition(rep) => {
            (rep.min >= LONG_RUN && class_size(&rep.sub) >= WIDE_CLASS) || counts_wide_run(&rep.sub)
        }
        HirKind::Capture(cap) => counts_wide_run(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(counts_wide_run),
        _ => false,
    }
}

/// Runs a plan's steps on `value` into `out` (cleared first).
fn run_steps(detectors: &[Detector], steps: &[Step], value: &str, out: &mut Vec<Match>) {
    out.clear();
    let mut exact_inputs = None;
    for step in steps {
        match *step {
            Step::Span {
                detector,
                start,
                end,
                whole_value,
            } => {
                let (detector, start, end) = (detector as usize, start as usize, end as usize);
                let validated = detectors[detector]
                    .validator
                    .is_none_or(|v| value.get(start..end).is_some_and(|s| (v.check)(s)));
                out.push(Match {
                    detector,
                    start,
                    end,
                    validated,
                    whole_value,
                });
            }
            Step::Exact(detector) => {
                let (digits, trimmed) = *exact_inputs
                    .get_or_insert_with(|| (count_digits(value.as_bytes()), trimmed_bounds(value)));
                let detector = detector as usize;
                run_detector(&detectors[detector], detector, value, digits, trimmed, out);
            }
        }
    }
    resolve_overlaps(detectors, out);
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
    fn a_shape_is_seen_before_only_after_it_was_met() {
        let mut memo = Memo::default();
        assert!(memo.seen.is_empty(), "a default memo allocates nothing");
        assert!(!memo.seen_before(b"000-00-0000"));
        assert!(memo.seen_before(b"000-00-0000"));
        assert!(!memo.seen_before(b"A00 0AA"));
        // The filter empties itself once it has marked SEEN_RESET shapes:
        // without that, twice as many marks would set more bits than that.
        for i in 0..2 * SEEN_RESET {
            memo.seen_before(format!("x{i}").as_bytes());
        }
        let bits: u32 = memo.seen.iter().map(|w| w.count_ones()).sum();
        assert_eq!(bits as usize, memo.seen_count);
        assert!(memo.seen_count < SEEN_RESET, "{}", memo.seen_count);
    }

    #[test]
    fn value_at_maps_offsets_to_values() {
        let starts = [0, 4, 9];
        assert_eq!(value_at(&starts, 0), 0);
        assert_eq!(value_at(&starts, 3), 0);
        assert_eq!(value_at(&starts, 4), 1);
        assert_eq!(value_at(&starts, 100), 2);
    }
}
