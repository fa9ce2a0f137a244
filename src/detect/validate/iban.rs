//! IBAN: ISO 13616 structure, per-country length, MOD 97-10 check.

use super::iban_national::national_ok;
use super::mod97::mod97_alnum;

/// IBAN length per country (SWIFT IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// The registered IBAN length for a country code.
pub fn country_length(cc: &str) -> Option<usize> {
    LENGTHS.iter().find(|(c, _)| *c == cc).map(|&(_, l)| l)
}

fn check_compact(compact: &str) -> bool {
    let Some(cc) = compact.get(..2) else {
        return false;
    };
    if country_length(cc) != Some(compact.len()) {
        return false;
    }
    let (Some(head), Some(tail)) = (compact.get(..4), compact.get(4..)) else {
        return false;
    };
    // Check digits 00, 01 and 99 are never issued.
    if matches!(compact.get(2..4), Some("00" | "01" | "99")) {
        return false;
    }
    let mut rearranged = String::with_capacity(compact.len());
    rearranged.push_str(tail);
    rearranged.push_str(head);
    mod97_alnum(&rearranged) == Some(1) && national_ok(compact)
}

/// A valid IBAN, with or without separators (space, dash or dot). If the match ran on into
/// a following space-separated group (free text), the registered length is
/// cut at a group boundary and the rest ignored.
pub fn iban(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let upper = s.to_ascii_uppercase();
    // Separators as python-stdnum's `iban.compact` strips them.
    let compact: String = upper
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    if check_compact(&compact) {
        return true;
    }
    // Overlong free-text match: take the registered length if it ends where a
    // separator ends a group in the original text.
    let Some(want) = compact.get(..2).and_then(country_length) else {
        return false;
    };
    if compact.len() <= want {
        return false;
    }
    let mut seen = 0usize;
    for (i, c) in upper.char_indices() {
        if c.is_ascii_alphanumeric() {
            seen += 1;
            if seen == want {
                let next = upper.get(i + 1..).and_then(|r| r.chars().next());
                return next == Some(' ') && compact.get(..want).is_some_and(check_compact);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(iban("GB82WEST12345698765432"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(iban("DE89 3704 0044 0532 0130 00"));
        assert!(iban("FR1420041010050500013M02606"));
        assert!(iban("NO9386011117947"));
        assert!(iban("DE89 3704 0044 0532 0130 00 ABCD"));
    }

    #[test]
    fn invalid() {
        assert!(!iban("GB82WEST12345698765431"));
        assert!(!iban("GB82WEST1234569876543"));
        assert!(!iban("XX82WEST12345698765432"));
        assert!(!iban("DE8937040044053201300"));
        assert!(!iban(""));
        assert!(!iban("G"));
        assert!(!iban("GB82WEST1234569876543€"));
        assert!(!iban("ÄÖ"));
    }

    /// Mod 97 right, national check wrong (python-stdnum 2.2:
    /// `iban.is_valid(v, check_country=False)` true, `iban.is_valid(v)`
    /// false), as written in the wild.
    #[test]
    fn national_check_applies() {
        assert!(!iban("BE60 9458 0730 2157"));
        assert!(!iban("ME33 1296 8592 5451 4281 41"));
        assert!(!iban("NO89 9358 0446 089"));
        assert!(!iban("ES45 5020 8569 7915 8132 4680"));
        assert!(iban("BE12 3834 6275 6692"));
        assert!(iban("NO45 2515 8890 588"));
        assert!(iban("BE68.5390.0754.7034"));
    }
}
