//! South African identity number: YYMMDD + 4-digit sequence (gender) +
//! citizenship (0/1/2) + a legacy digit (8/9) + Luhn check digit.

use super::digits;
use super::luhn::luhn_ok;
use super::valid_date;

pub fn za_id(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 13 || !luhn_ok(&ds) {
        return false;
    }
    if !matches!(ds.get(10), Some(0..=2)) || !matches!(ds.get(11), Some(8 | 9)) {
        return false;
    }
    let n = |i: usize| -> u32 {
        ds.get(i..i + 2)
            .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
            .unwrap_or(0)
    };
    let (yy, mm, dd) = (n(0), n(2), n(4));
    [1900, 2000]
        .iter()
        .any(|c| valid_date(c + yy as i32, mm, dd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(za_id("8001015009087"));
        assert!(za_id("800101 5009 087"));
        assert!(!za_id("8001015009088"));
        assert!(!za_id("8013015009082"));
        assert!(!za_id("8001015009384"));
        assert!(!za_id(""));
        assert!(!za_id("é"));
    }
}
