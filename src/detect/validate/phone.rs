//! Telephone numbers, validated with `phonenumber` (libphonenumber metadata).
//!
//! `phone_international`: `+`-prefixed numbers, parsed with no default region.
//! `phone_national`: formatted national numbers (separators required), tried
//! against a few default regions: US/CA for NANP-shaped numbers, GB/DE/FR
//! for trunk-prefix (`0...`) numbers. The US fictional range 555-0100..0199
//! is rejected.

use phonenumber::country::Id;

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

/// Looks like a date (`2023-01-15`, `15.01.2023`, `01/02/2023`).
fn date_like(s: &str) -> bool {
    let parts: Vec<&str> = s
        .split(|c: char| matches!(c, '-' | '.' | '/' | ' '))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    matches!(
        lens.as_slice(),
        [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4] | [1..=2, 1..=2, 2]
    )
}

/// The NANP fictional range 555-0100 ..= 555-0199 (any area code).
fn us_fictional(national: u64) -> bool {
    let line = national % 10_000_000; // exchange + subscriber
    (5_550_100..=5_550_199).contains(&line)
}

fn parse_valid(region: Option<Id>, s: &str) -> Option<phonenumber::PhoneNumber> {
    // libphonenumber is mature, but never let a parser bug take a scan down.
    let owned = s.to_owned();
    let parsed = std::panic::catch_unwind(move || phonenumber::parse(region, owned).ok())
        .ok()
        .flatten()?;
    let valid = std::panic::catch_unwind(|| phonenumber::is_valid(&parsed)).unwrap_or(false);
    if !valid {
        return None;
    }
    if parsed.code().value() == 1 && us_fictional(parsed.national().value()) {
        return None;
    }
    Some(parsed)
}

/// Candidates: the match, then with trailing space-separated groups dropped
/// (free text such as "+44 20 7946 0958 12 items" overshoots).
fn candidates(s: &str) -> Vec<&str> {
    let mut out = vec![s];
    let mut cur = s;
    for _ in 0..2 {
        match cur.rfind(' ') {
            Some(i) if i > 0 => {
                cur = cur.get(..i).unwrap_or("").trim_end();
                out.push(cur);
            }
            _ => break,
        }
    }
    out
}

pub fn phone_international(s: &str) -> bool {
    let t = s.trim();
    if !t.starts_with('+') || !t.is_ascii() {
        return false;
    }
    candidates(t).into_iter().any(|c| {
        (8..=15).contains(&digit_count(c))
            && shape_ok(c)
            && !date_like(c.trim_start_matches('+'))
            && parse_valid(None, c).is_some()
    })
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
    let n = digit_count(t);
    if !shape_ok(t) || date_like(t) {
        return false;
    }
    let trunk = t.trim_start_matches('(').starts_with('0');
    let regions: &[Id] = if trunk && (9..=12).contains(&n) {
        &[Id::GB, Id::DE, Id::FR]
    } else if !trunk && n == 10 {
        &[Id::US, Id::CA]
    } else {
        &[]
    };
    regions.iter().any(|&r| parse_valid(Some(r), t).is_some())
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
