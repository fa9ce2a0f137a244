//! UK NHS number: 10 digits, modulus 11 with weights 10..2.

use super::digits;
use super::luhn::all_same;

pub fn uk_nhs(s: &str) -> bool {
    // `+` then digits is an international phone number, valid or not.
    if s.trim_start().starts_with('+') {
        return false;
    }
    let ds = digits(s);
    if ds.len() != 10 || all_same(&ds) {
        return false;
    }
    let sum: u32 = ds
        .iter()
        .take(9)
        .zip((2..=10u32).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    ds.get(9).map(|&d| u32::from(d)) == Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs() {
        assert!(uk_nhs("943 476 5919"));
        assert!(uk_nhs("9434765919"));
        assert!(!uk_nhs("943 476 5918"));
        assert!(!uk_nhs("0000000000"));
        assert!(!uk_nhs("94347659"));
        assert!(!uk_nhs(""));
        assert!(!uk_nhs("¹²³"));
        assert!(!uk_nhs("+9434765919"));
        assert!(!uk_nhs("+943 476 5919"));
    }
}
