//! German tax identification number (Steuerliche Identifikationsnummer):
//! 11 digits, ISO 7064 MOD 11,10 check digit and the digit-repetition rule.

use super::digits;

/// ISO 7064 MOD 11,10 check digit over digits.
pub fn iso7064_mod11_10(ds: &[u8]) -> u8 {
    let mut product: u32 = 10;
    for &d in ds {
        let mut sum = (u32::from(d) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = (11 - product) % 10;
    check as u8
}

/// Of the first ten digits exactly one appears twice or three times and every
/// other at most once; a triple may not be three adjacent equal digits.
fn repetition_ok(first10: &[u8]) -> bool {
    let mut counts = [0u8; 10];
    for &d in first10 {
        if let Some(c) = counts.get_mut(usize::from(d)) {
            *c += 1;
        } else {
            return false;
        }
    }
    let multi: Vec<(usize, u8)> = counts
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, c)| c > 1)
        .collect();
    let [(digit, count)] = multi.as_slice() else {
        return false;
    };
    match count {
        2 => true,
        3 => !first10
            .windows(3)
            .any(|w| w.iter().all(|&d| usize::from(d) == *digit)),
        _ => false,
    }
}

pub fn de_tax_id(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || ds.first() == Some(&0) {
        return false;
    }
    let (first10, check) = ds.split_at(10);
    repetition_ok(first10) && check.first() == Some(&iso7064_mod11_10(first10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(de_tax_id("86095742719"));
        assert!(de_tax_id("86 095 742 719"));
        assert!(de_tax_id("47036892816"));
    }

    #[test]
    fn invalid() {
        assert!(!de_tax_id("86095742718"));
        assert!(!de_tax_id("06095742719"));
        assert!(!de_tax_id("12345678903")); // no repeated digit
        assert!(!de_tax_id("11111111116"));
        assert!(!de_tax_id(""));
        assert!(!de_tax_id("ü"));
    }
}
