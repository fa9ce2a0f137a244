//! Verhoeff dihedral-group checksum, used by the Indian Aadhaar number.
//!
//! The tables are the published ones (Verhoeff 1969; the same in
//! python-stdnum's `stdnum.verhoeff`). Rows 4 and 7 of `P` were once
//! mistyped here, which rejected about half of all valid Aadhaar numbers:
//! the tests below take their expected values from python-stdnum, and
//! `scripts/stdnum_diff.sh` compares `in_aadhaar` with `stdnum.in_.aadhaar`.

use super::digits;
use super::luhn::all_same;

const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff check over digits (last one is the check digit).
pub fn verhoeff_ok(ds: &[u8]) -> bool {
    if ds.is_empty() {
        return false;
    }
    let mut c: u8 = 0;
    for (i, &d) in ds.iter().rev().enumerate() {
        let Some(p) = P.get(i % 8).and_then(|row| row.get(usize::from(d))) else {
            return false;
        };
        let Some(&next) = D
            .get(usize::from(c))
            .and_then(|row| row.get(usize::from(*p)))
        else {
            return false;
        };
        c = next;
    }
    c == 0
}

/// Aadhaar: 12 digits, first digit 2-9, not a palindrome (UIDAI never
/// issues one; python-stdnum rejects them too), Verhoeff-valid.
pub fn in_aadhaar(s: &str) -> bool {
    let ds = digits(s);
    ds.len() == 12
        && matches!(ds.first(), Some(2..=9))
        && !all_same(&ds)
        && !ds.iter().eq(ds.iter().rev())
        && verhoeff_ok(&ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verhoeff() {
        assert!(verhoeff_ok(&digits("2363")));
        assert!(!verhoeff_ok(&digits("2364")));
        assert!(!verhoeff_ok(&[]));
    }

    #[test]
    fn aadhaar() {
        assert!(in_aadhaar("2345 6789 0124"));
        assert!(!in_aadhaar("2345 6789 0123"));
        assert!(!in_aadhaar("1345 6789 0124"));
        assert!(!in_aadhaar("2345 6789 012"));
        assert!(!in_aadhaar(""));
        assert!(!in_aadhaar("२३४५"));
    }

    /// Valid per python-stdnum 2.2 (`stdnum.in_.aadhaar.is_valid`), check
    /// digits from `stdnum.verhoeff.calc_check_digit`. Every one of these
    /// was rejected while rows 4 and 7 of `P` were wrong.
    #[test]
    fn aadhaar_valid_per_stdnum() {
        for v in [
            "339099603089",
            "857975432313",
            "687574911868",
            "452760189555",
            "797971147105",
            "697465075295",
            "370342366710",
            "476842684653",
            "489078666619",
            "480385280842",
            // and some the old table accepted as well
            "726018159082",
            "501661318603",
            "832122330794",
        ] {
            assert!(in_aadhaar(v), "{v} is valid per python-stdnum");
        }
    }

    /// Invalid per python-stdnum: the check digit of each valid number
    /// above replaced by the next one, and a Verhoeff-valid palindrome.
    #[test]
    fn aadhaar_invalid_per_stdnum() {
        for v in [
            "339099603080",
            "857975432314",
            "480385280843",
            "726018159083",
            "608377773806",
        ] {
            assert!(!in_aadhaar(v), "{v} is invalid per python-stdnum");
        }
    }
}
