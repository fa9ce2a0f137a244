//! Belgian national register number (rijksregisternummer / numéro de
//! registre national): YYMMDD + 3-digit sequence + 2-digit check =
//! 97 - (first nine mod 97), with a leading 2 for births from 2000.
//! Months may carry +20/+40 (BIS numbers); day or month 00 means unknown.

use super::digits;
use super::mod97::mod97_digits;
use super::personal::TODAY;
use super::valid_date;
use chrono::Datelike;

pub fn be_national_number(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 {
        return false;
    }
    let (body, check) = ds.split_at(9);
    let check = check.iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
    if body.iter().all(|&d| d == 0) {
        return false;
    }
    let c1900 = 97 - mod97_digits(body);
    let mut with2 = vec![2u8];
    with2.extend_from_slice(body);
    let c2000 = 97 - mod97_digits(&with2);
    let century: i32 = if check == c1900 {
        1900
    } else if check == c2000 {
        2000
    } else {
        return false;
    };
    let n = |i: usize| -> u32 {
        body.get(i..i + 2)
            .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
            .unwrap_or(0)
    };
    let (yy, mut mm, dd) = (n(0), n(2), n(4));
    // A 2000s check on a year still to come: nobody's number yet
    // (python-stdnum only tries the 2000s up to the current year).
    if century == 2000 && 2000 + yy as i32 > TODAY.year() {
        return false;
    }
    // Sequence 000 and 999 are never issued.
    if matches!(body.get(6..9), Some([0, 0, 0] | [9, 9, 9])) {
        return false;
    }
    if mm > 40 {
        mm -= 40;
    } else if mm > 20 {
        mm -= 20;
    }
    if mm == 0 || dd == 0 {
        return mm <= 12 && dd <= 31;
    }
    valid_date(century + yy as i32, mm, dd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nrn() {
        assert!(be_national_number("85.07.30-033.28"));
        assert!(be_national_number("85073003328"));
        assert!(be_national_number("17.03.12-123.21"));
        assert!(!be_national_number("85.07.30-033.29"));
        assert!(!be_national_number("85.13.30-033.70"));
        assert!(!be_national_number("00000000097"));
        assert!(!be_national_number(""));
        assert!(!be_national_number("é"));
        // The 2000s check digits, born 2032 (python-stdnum 2.2: invalid).
        assert!(!be_national_number("32100226558"));
    }
}
