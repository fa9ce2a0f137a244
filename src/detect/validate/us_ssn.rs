//! US social security number: area/group/serial rules (SSA), plus the
//! well-known advertising and example numbers.

use super::{Chars, digits};

/// Numbers that appear in advertising and documentation, never issued to a
/// person in a way that should count.
const KNOWN_FAKE: &[&str] = &["078051120", "219099999", "123456789", "111111111"];

fn split(s: &str) -> Option<(u16, u8, u16, Chars)> {
    let ds = digits(s);
    if ds.len() != 9 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        ds.get(r)
            .map(|x| x.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
    };
    let area = u16::try_from(n(0..3)?).ok()?;
    let group = u8::try_from(n(3..5)?).ok()?;
    let serial = u16::try_from(n(5..9)?).ok()?;
    Some((area, group, serial, ds))
}

fn is_known_fake(ds: &[u8]) -> bool {
    KNOWN_FAKE
        .iter()
        .any(|fake| fake.bytes().map(|b| b - b'0').eq(ds.iter().copied()))
}

/// SSN: area not 000, 666 or 900-999; group not 00; serial not 0000; not a
/// known advertising/example number.
pub fn us_ssn(s: &str) -> bool {
    let Some((area, group, serial, ds)) = split(s) else {
        return false;
    };
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 && !is_known_fake(&ds)
}

/// ITIN: 9XX-GG-SSSS with group 50-65, 70-88, 90-92 or 94-99.
pub fn us_itin(s: &str) -> bool {
    let Some((area, group, _serial, _)) = split(s) else {
        return false;
    };
    (900..=999).contains(&area) && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

/// EIN: 9 digits whose first two are an IRS campus prefix.
pub fn us_ein(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 9 {
        return false;
    }
    let (Some(&a), Some(&b)) = (ds.first(), ds.get(1)) else {
        return false;
    };
    let p = a * 10 + b;
    let rest_zero = ds.iter().skip(2).all(|&d| d == 0);
    !rest_zero
        && matches!(
            p,
            1..=6 | 10..=16 | 20..=27 | 30..=48 | 50..=68 | 71..=77 | 80..=88 | 90..=95 | 98 | 99
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssn() {
        assert!(us_ssn("536-22-8726"));
        assert!(us_ssn("536228726"));
        assert!(!us_ssn("000-12-3456"));
        assert!(!us_ssn("666-12-3456"));
        assert!(!us_ssn("912-12-3456"));
        assert!(!us_ssn("536-00-8726"));
        assert!(!us_ssn("536-22-0000"));
        assert!(!us_ssn("078-05-1120"));
        assert!(!us_ssn("219-09-9999"));
        assert!(!us_ssn("536-22-872"));
        assert!(!us_ssn(""));
        assert!(!us_ssn("ß∂ƒ"));
    }

    #[test]
    fn itin() {
        assert!(us_itin("912-70-1234"));
        assert!(us_itin("999 94 1234"));
        assert!(!us_itin("912-93-1234"));
        assert!(!us_itin("812-70-1234"));
        assert!(!us_itin("912-70-123"));
        assert!(!us_itin(""));
    }

    #[test]
    fn ein() {
        assert!(us_ein("12-3456789"));
        assert!(us_ein("95-1234567"));
        assert!(!us_ein("07-1234567"));
        assert!(!us_ein("00-1234567"));
        assert!(!us_ein("12-0000000"));
        assert!(!us_ein("12-345678"));
        assert!(!us_ein("€"));
    }
}
