//! Norwegian national identity number (fødselsnummer, and D-numbers with
//! day + 40): DDMMYY + individual number + two mod-11 check digits.

use super::digits;
use super::luhn::all_same;
use super::num_at;
use super::personal::TODAY;

fn mod11(ds: &[u8], w: &[u32]) -> Option<u8> {
    let sum: u32 = ds.iter().zip(w).map(|(&d, &w)| u32::from(d) * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

pub fn no_fodselsnummer(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || all_same(&ds) {
        return false;
    }
    const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let (Some(k1), Some(k2)) = (mod11(&ds, &W1), mod11(&ds, &W2)) else {
        return false;
    };
    if ds.get(9) != Some(&k1) || ds.get(10) != Some(&k2) {
        return false;
    }
    let n = |i: usize| -> u32 {
        ds.get(i..i + 2)
            .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
            .unwrap_or(0)
    };
    let (mut dd, mut mm, yy) = (n(0), n(2), n(4));
    if dd > 40 {
        dd -= 40; // D-number
    }
    if mm > 40 {
        mm -= 40; // H-number
    }
    let Some(year) = century(num_at(&ds, 6, 3), yy).map(|c| c + yy as i32) else {
        return false;
    };
    // A birth date after today belongs to nobody yet (python-stdnum rejects
    // these too): a valid-looking number from a generator, not a person.
    chrono::NaiveDate::from_ymd_opt(year, mm, dd).is_some_and(|dob| dob <= *TODAY)
}

/// The birth century from the individual number (the Skatteetaten ranges,
/// as python-stdnum's `no.fodselsnummer.get_birth_date` applies them), or
/// None when the pair falls in no range.
fn century(individual: u32, yy: u32) -> Option<i32> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if yy >= 54 => Some(1800),
        500..=999 if yy < 40 => Some(2000),
        900..=999 => Some(1900),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnr() {
        assert!(no_fodselsnummer("01010750160"));
        assert!(no_fodselsnummer("010107 50160"));
        assert!(no_fodselsnummer("150385 12363"));
        assert!(!no_fodselsnummer("15138512301")); // month 13
        assert!(!no_fodselsnummer("01010750161"));
        assert!(!no_fodselsnummer("11111111111"));
        assert!(!no_fodselsnummer("0101075016"));
        assert!(!no_fodselsnummer(""));
        assert!(!no_fodselsnummer("ø"));
    }

    /// Expected values from python-stdnum 2.2 (`stdnum.no.fodselsnummer`).
    #[test]
    fn birth_date_from_the_individual_number() {
        // 1 Jan 2039 (individual 500-999 with yy < 40 means 20yy): not born yet.
        assert!(!no_fodselsnummer("01013950187"));
        // individual 500-749 with yy 40-53: no century
        assert!(!no_fodselsnummer("01014550050"));
        // individual 900-999 with yy >= 40 means 19yy
        assert!(no_fodselsnummer("01014590001"));
    }
}
