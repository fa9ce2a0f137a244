//! Digit-blind patterns and value shapes.
//!
//! Most values of a table column share a few *shapes*: `100000017` and
//! `100000011` differ only in their digits, `2024-05-24T14:23:25Z` and every
//! other timestamp of the column too. The engine finds out which detectors
//! might match a shape once, and remembers it (see `engine`). That needs two
//! things from this module:
//!
//! - [`shape_into`]: a value with every ASCII digit replaced by `0`;
//! - [`relax`]: a pattern's syntax tree with every digit position widened to
//!   "any digit" (a class holding some digits gets all ten; a literal digit
//!   becomes `[0-9]`). A relaxed pattern matches the shape of every value the
//!   original matches, at the same offsets, so relaxed automata over shapes
//!   are a superset filter for the exact patterns over values.
//!
//! A pattern that relaxation leaves unchanged treats all ten digits alike,
//! so it matches a value and its shape at exactly the same spans: the engine
//! then keeps those spans per shape and only the validator runs per value.

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

/// Appends the shape of `value` (ASCII digits replaced by `0`) to `out`.
/// Only ASCII bytes change, so the shape is valid UTF-8 of the same length.
/// Bytes, not a `String`: a copy, then a byte map in place, both loops the
/// compiler vectorises (`extend` from a mapped iterator is not: it writes
/// byte by byte through the length guard, measured ~10 instructions a byte).
pub(super) fn shape_into(value: &str, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(value.as_bytes());
    // An unconditional store (a select): a conditional one is not vectorised.
    for b in &mut out[start..] {
        *b = if b.is_ascii_digit() { b'0' } else { *b };
    }
}

/// The digit-blind version of `hir`, and whether it differs from `hir`.
pub(super) fn relax(hir: &Hir) -> (Hir, bool) {
    let mut changed = false;
    let relaxed = walk(hir, &mut changed);
    (relaxed, changed)
}

fn walk(hir: &Hir, changed: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
        HirKind::Literal(lit) => {
            if !lit.0.iter().any(u8::is_ascii_digit) {
                return hir.clone();
            }
            *changed = true;
            // ASCII bytes never occur inside a multi-byte UTF-8 sequence, so
            // splitting at digit bytes keeps every other piece valid.
            let mut parts = Vec::new();
            let mut run = Vec::new();
            for &b in lit.0.iter() {
                if b.is_ascii_digit() {
                    if !run.is_empty() {
                        parts.push(Hir::literal(std::mem::take(&mut run)));
                    }
                    parts.push(Hir::class(Class::Unicode(all_digits())));
                } else {
                    run.push(b);
                }
            }
            if !run.is_empty() {
                parts.push(Hir::literal(run));
            }
            Hir::concat(parts)
        }
        HirKind::Class(Class::Unicode(class)) => {
            let digits = all_digits();
            let mut common = class.clone();
            common.intersect(&digits);
            if common.ranges().is_empty() || common == digits {
                return hir.clone();
            }
            *changed = true;
            let mut wider = class.clone();
            wider.union(&digits);
            Hir::class(Class::Unicode(wider))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let digits = ClassBytes::new([ClassBytesRange::new(b'0', b'9')]);
            let mut common = class.clone();
            common.intersect(&digits);
            if common.ranges().is_empty() || common == digits {
                return hir.clone();
            }
            *changed = true;
            let mut wider = class.clone();
            wider.union(&digits);
            Hir::class(Class::Bytes(wider))
        }
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(walk(&rep.sub, changed)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(walk(&cap.sub, changed)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|h| walk(h, changed)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(|h| walk(h, changed)).collect())
        }
    }
}

/// A looser version of `hir` for the union filters: every counted range
/// `{m,n}` becomes `{m,}`. A union of many patterns with ranges such as
/// `{0,63}` has a lazy DFA with very many states (each count is a state), and
/// building them dominated the union's cost on new data; the looser union
/// finds every shape the exact one does, plus a few it rules out later.
pub(super) fn filter_superset(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => hir.clone(),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(filter_superset(&rep.sub)),
            max: rep.max.filter(|&max| max == rep.min),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(filter_superset(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(filter_superset).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(filter_superset).collect()),
    }
}

fn all_digits() -> ClassUnicode {
    ClassUnicode::new([ClassUnicodeRange::new('0', '9')])
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;

    fn relaxed(pattern: &str) -> (Regex, bool) {
        let hir = regex_syntax::parse(pattern).expect("test pattern parses");
        let (hir, changed) = relax(&hir);
        (
            Regex::builder()
                .build_from_hir(&hir)
                .expect("relaxed compiles"),
            changed,
        )
    }

    fn shape(value: &str) -> String {
        let mut s = Vec::new();
        shape_into(value, &mut s);
        String::from_utf8(s).expect("a shape is UTF-8")
    }

    #[test]
    fn shapes_replace_ascii_digits_only() {
        assert_eq!(shape("DE89 3704-0044 é٣"), "DE00 0000-0000 é٣");
        assert_eq!(shape(""), "");
        let long = "12345678901234567890123456789012345";
        assert_eq!(
            shape(&format!("a{long}b7")),
            format!("a{}b0", "0".repeat(long.len()))
        );
    }

    #[test]
    fn digit_blind_patterns_are_left_alone() {
        for p in [
            r"\d{3}-\d{2}",
            r"[0-9A-F]{8}",
            r"[^0-9]+@\w+",
            r"(?i)iban \d+",
            r"\bfoo\b",
        ] {
            assert!(!relaxed(p).1, "{p} should be unchanged");
        }
    }

    #[test]
    fn filter_supersets_loosen_ranges_only() {
        let superset = |p: &str| {
            let hir = regex_syntax::parse(p).expect("test pattern parses");
            Regex::builder()
                .build_from_hir(&filter_superset(&hir))
                .expect("superset compiles")
        };
        let whole = |re: &Regex, v: &str| re.find(v).is_some_and(|m| m.range() == (0..v.len()));
        let re = superset(r"^x[a-z]{2,3}(?:-\d{4}){1,2}$");
        for v in ["xab-1234", "xabc-1234-5678", "xabcdef-1234-5678-9012"] {
            assert!(whole(&re, v), "{v}");
        }
        // Lower bounds and exact counts stay.
        for v in ["xa-1234", "xab-123", "xab"] {
            assert!(!whole(&re, v), "{v}");
        }
    }

    #[test]
    fn relaxed_patterns_match_the_shapes_of_what_the_original_matches() {
        let cases = [
            (r"4\d{3}", "4111", "0000"),
            (r"[2-9]\d{2}-555", "212-555", "000-000"),
            (r"(?:5[1-5]|2[2-7])\d{2}", "5312", "0000"),
            (r"AB(?:1|7)x", "AB7x", "AB0x"),
        ];
        for (pattern, value, shape_of_value) in cases {
            assert_eq!(shape(value), shape_of_value);
            let exact = Regex::new(pattern).expect("test pattern compiles");
            let (re, changed) = relaxed(pattern);
            assert!(changed, "{pattern} should change");
            let m = exact.find(value).expect("the original matches");
            let r = re
                .find(shape_of_value)
                .expect("the relaxed one matches the shape");
            assert_eq!((m.start(), m.end()), (r.start(), r.end()), "{pattern}");
            // A relaxed pattern is wider, not looser elsewhere.
            assert!(re.find("AAAA-x").is_none(), "{pattern}");
        }
    }
}
