//! Telephone numbers, validated with `phonenumber` (libphonenumber metadata).
//!
//! `phone_international`: `+`-prefixed numbers, parsed with no default region.
//! `phone_national`: formatted national numbers (separators required), tried
//! against a few default regions: US/CA for NANP-shaped numbers, GB/DE/FR
//! for trunk-prefix (`0...`) numbers. The US fictional range 555-0100..0199
//! is rejected.
//!
//! Validity is libphonenumber's (the number matches its region's general
//! pattern and one number-type pattern), evaluated directly on the crate's
//! metadata patterns compiled once per region: `phonenumber::parse` and its
//! cached regexes cost up to ~100 µs per number, far too slow for a scanner.

use phonenumber::metadata::DATABASE;
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

const SEPARATORS: &[char] = &[' ', '.', '-', '(', ')', '/'];

fn digit_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// Separators are single, parentheses balanced and not nested.
fn shape_ok(s: &str) -> bool {
    let mut depth = 0i32;
    let mut prev_sep = false;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > 1 {
                    return false;
                }
            }
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
        let sep = matches!(c, ' ' | '.' | '-' | '/');
        if sep && prev_sep {
            return false;
        }
        prev_sep = sep;
    }
    depth == 0
}

/// The non-empty groups of `s` between date separators, at most `N` (the
/// rest are dropped; `None` past `N`), without allocating: these checks run
/// on every phone-shaped value.
fn groups<const N: usize>(s: &str) -> Option<([&str; N], usize)> {
    let mut out = [""; N];
    let mut n = 0;
    for p in s.split(['-', '.', '/', ' ']).filter(|p| !p.is_empty()) {
        *out.get_mut(n)? = p;
        n += 1;
    }
    Some((out, n))
}

/// Looks like a date (`2023-01-15`, `15.01.2023`, `01/02/2023`).
fn date_like(s: &str) -> bool {
    let Some((parts, 3)) = groups::<3>(s) else {
        return false;
    };
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    matches!(
        parts.map(str::len),
        [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4] | [1..=2, 1..=2, 2]
    )
}

/// A `YYYY-MM-DD` or `DD.MM.YYYY` date anywhere in a longer run of groups
/// (`2024-01-01 22` is the start of a timestamp, not a phone number).
fn contains_date(s: &str) -> bool {
    // A phone number has at most 15 digits, so at most 15 groups; a value
    // with more is not one anyway (and is not called a date here).
    let Some((parts, n)) = groups::<16>(s) else {
        return false;
    };
    let year = |p: &str| p.len() == 4 && (p.starts_with("19") || p.starts_with("20"));
    let day_or_month = |p: &str| {
        (1..=2).contains(&p.len()) && p.parse::<u8>().is_ok_and(|n| (1..=31).contains(&n))
    };
    parts[..n].windows(3).any(|w| {
        (year(w[0]) && day_or_month(w[1]) && day_or_month(w[2]))
            || (day_or_month(w[0]) && day_or_month(w[1]) && year(w[2]))
    })
}

/// `ddd-dd-dddd`: the US social security number layout, which no numbering
/// plan tried here writes a phone number in (`012-34-5678` is an SSN-shaped
/// id, not a German number).
fn ssn_layout(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b.iter().enumerate().all(|(i, c)| {
            if i == 3 || i == 6 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The NANP fictional range 555-0100 ..= 555-0199 (any area code).
fn us_fictional(national: &str) -> bool {
    national.len() == 10 && national.get(3..8).is_some_and(|x| x.starts_with("55501"))
}

/// One region's validity patterns, compiled once with the `regex` crate.
/// (`phonenumber`'s own `CachedRegex` takes a process-wide mutex and an LRU
/// lookup keyed by the pattern text on every match, and recompiles when its
/// 100-entry cache thrashes: far too slow for a scanner.)
struct RegionRx {
    /// The general national-number pattern, anchored.
    general: Regex,
    /// The union of the number-type patterns (fixed line, mobile, toll free,
    /// ...), anchored.
    types: Regex,
    /// Possible lengths of a national significant number.
    lengths: Vec<u16>,
    national_prefix: Option<String>,
}

fn build_region(id: &str) -> Option<RegionRx> {
    let meta = DATABASE.by_id(id)?;
    let d = meta.descriptors();
    // The metadata patterns are written with insignificant whitespace.
    let compile = |src: String| RegexBuilder::new(&src).ignore_whitespace(true).build().ok();
    let general = compile(format!(
        "(?-u)^(?:{})$",
        d.general().national_number().as_str()
    ))?;
    let types: Vec<String> = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .map(|t| format!("(?:{})", t.national_number().as_str()))
    .collect();
    if types.is_empty() {
        return None;
    }
    let types = compile(format!("(?-u)^(?:{})$", types.join("|")))?;
    Some(RegionRx {
        general,
        types,
        lengths: d.general().possible_length().to_vec(),
        national_prefix: meta.national_prefix().map(str::to_owned),
    })
}

/// Region id -> lazily compiled patterns (compiled on first use only).
static REGIONS: LazyLock<HashMap<String, OnceLock<Option<RegionRx>>>> = LazyLock::new(|| {
    DATABASE
        .iter()
        .map(|m| (m.id().to_owned(), OnceLock::new()))
        .collect()
});

/// Calling code -> its region ids (`Database::region` builds a `Vec` per call).
static CODES: LazyLock<HashMap<u16, Vec<&'static str>>> = LazyLock::new(|| {
    DATABASE
        .iter()
        .filter_map(|m| {
            let code = m.country_code();
            Some((code, DATABASE.region(&code)?))
        })
        .collect()
});

/// Builds the metadata tables and the regions tried first, so that the
/// first phone-shaped value does not pay for them (most of a second of CPU
/// on a small machine). Meant for a spare thread while sources connect.
pub fn prewarm() {
    LazyLock::force(&CODES);
    for id in ["US", "CA", "GB", "DE", "FR"] {
        region(id);
    }
}

fn region(id: &str) -> Option<&'static RegionRx> {
    REGIONS.get(id)?.get_or_init(|| build_region(id)).as_ref()
}

/// libphonenumber's validity: the national significant number matches the
/// region's general pattern and one of its number-type patterns.
fn valid_in(rx: &RegionRx, national: &str) -> bool {
    let len = u16::try_from(national.len()).unwrap_or(u16::MAX);
    (rx.lengths.is_empty() || rx.lengths.contains(&len))
        && rx.general.is_match(national)
        && rx.types.is_match(national)
}

/// Valid in a region, with or without its national (trunk) prefix.
fn valid_national(id: &str, digits: &str) -> bool {
    let Some(rx) = region(id) else {
        return false;
    };
    if valid_in(rx, digits) {
        return true;
    }
    match rx.national_prefix.as_deref() {
        Some(p) if !p.is_empty() => digits
            .strip_prefix(p)
            .is_some_and(|rest| valid_in(rx, rest)),
        _ => false,
    }
}

/// Valid for any region sharing the calling code; the main regions of
/// the NANP are tried first.
fn valid_for_code(code: u16, national: &str) -> bool {
    if code == 1 && us_fictional(national) {
        return false;
    }
    if code == 1 && ["US", "CA"].iter().any(|id| valid_national(id, national)) {
        return true;
    }
    CODES
        .get(&code)
        .is_some_and(|ids| ids.iter().any(|id| valid_national(id, national)))
}

/// The ASCII digits of `s` as text, on the stack.
fn ascii_digits(s: &str) -> super::Chars {
    s.bytes().filter(u8::is_ascii_digit).collect()
}

/// Candidates: the match, then with up to two trailing space-separated
/// groups dropped (free text such as "+44 20 7946 0958 12 items" overshoots).
fn candidates(s: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(s), |cur| match cur.rfind(' ') {
        Some(i) if i > 0 => Some(cur.get(..i).unwrap_or("").trim_end()),
        _ => None,
    })
    .take(3)
}

fn international_ok(c: &str) -> bool {
    let n = digit_count(c);
    if !(8..=15).contains(&n) || !shape_ok(c) || date_like(c.trim_start_matches('+')) {
        return false;
    }
    let ds = ascii_digits(c);
    let Ok(ds) = std::str::from_utf8(&ds) else {
        return false;
    };
    // Calling codes are prefix-free: the first 1-3 digit prefix that is a
    // known code is the code.
    for len in 1..=3 {
        let (Some(cc), Some(national)) = (ds.get(..len), ds.get(len..)) else {
            return false;
        };
        let Ok(code) = cc.parse::<u16>() else {
            return false;
        };
        if CODES.contains_key(&code) {
            return valid_for_code(code, national);
        }
    }
    false
}

pub fn phone_international(s: &str) -> bool {
    let t = s.trim();
    if !t.starts_with('+') || !t.is_ascii() {
        return false;
    }
    candidates(t).any(international_ok)
}

pub fn phone_national(s: &str) -> bool {
    let t = s.trim();
    if !t.is_ascii() || t.starts_with('+') {
        return false;
    }
    // Formatting is required: a bare run of digits is not a phone number.
    if !t.contains(SEPARATORS) {
        return false;
    }
    // No trailing-group trimming here: the pattern deliberately swallows
    // neighbouring digit groups so that a fragment of a longer number (a card,
    // an account number) is rejected as a whole.
    // Only 9-12 digit numbers are tried below: reject the rest (timestamps,
    // amounts) before the costlier shape and date checks.
    let n = digit_count(t);
    if !(9..=12).contains(&n) || !shape_ok(t) || date_like(t) || contains_date(t) {
        return false;
    }
    if ssn_layout(t) {
        return false;
    }
    let trunk = t.trim_start_matches('(').starts_with('0');
    let ds = ascii_digits(t);
    let Ok(ds) = std::str::from_utf8(&ds) else {
        return false;
    };
    if trunk && (9..=12).contains(&n) {
        ["GB", "DE", "FR"].iter().any(|id| valid_national(id, ds))
    } else if !trunk && n == 10 {
        valid_for_code(1, ds)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international() {
        assert!(phone_international("+44 20 7946 0958"));
        assert!(phone_international("+1 415-839-2741"));
        assert!(phone_international("+49 30 901820"));
        assert!(phone_international("+33 1 42 68 53 00"));
        assert!(phone_international("+44 20 7946 0958 12"));
        assert!(!phone_international("+1 202-555-0143"));
        assert!(!phone_international("+999 1234 5678"));
        assert!(!phone_international("+12"));
        assert!(!phone_international("4420 7946 0958"));
        assert!(!phone_international(""));
        assert!(!phone_international("+"));
        assert!(!phone_international("+४४ २०"));
    }

    /// SSN-shaped strings starting with 0 were labelled PHONE (issue 23).
    #[test]
    fn ssn_layout_is_not_a_phone() {
        // 078-05-1120 (a famous never-valid SSN) was labelled PHONE before.
        for v in [
            "078-05-1120",
            "012-34-5678",
            "030-12-3456",
            "089-12-3456",
            "012-34-5679",
        ] {
            assert!(!phone_national(v), "{v}");
        }
        assert!(ssn_layout("123-45-6789"));
        assert!(!ssn_layout("030 12 3456"));
        assert!(!ssn_layout("030-123-456"));
    }

    #[test]
    fn national() {
        assert!(phone_national("(415) 839-2741"));
        assert!(phone_national("415-839-2741"));
        assert!(phone_national("020 7946 0958"));
        assert!(phone_national("030 901820"));
        assert!(phone_national("01 42 68 53 00"));
        assert!(!phone_national("4158392741"));
        assert!(!phone_national("202-555-0143"));
        assert!(!phone_national("2023-01-15"));
        assert!(!phone_national("15.01.2023"));
        assert!(!phone_national("123-45-6789"));
        assert!(!phone_national(""));
        assert!(!phone_national("-"));
        assert!(!phone_national("(((("));
        assert!(!phone_national("4526 0181 5908 3012"));
        assert!(!phone_national("0913-9090"));
    }
}
