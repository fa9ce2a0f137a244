//! Norwegian national identity number (fødselsnummer, and D-numbers with
//! day + 40): DDMMYY + individual number + two mod-11 check digits.

use super::digits;
use super::luhn::all_same;
use super::valid_date;

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
    // Century from the individual number is ambiguous; any of them will do.
    [1900, 2000, 1800]
        .iter()
        .any(|c| valid_date(c + yy as i32, mm, dd))
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
}
