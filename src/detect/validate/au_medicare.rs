//! Australian Medicare card number: 10 digits (optionally 11 with the
//! individual reference number); first digit 2-6, digit 9 is the weighted
//! (1,3,7,9,1,3,7,9) sum mod 10 of the first eight; digit 10 (issue number)
//! is not 0.

use super::digits;

pub fn au_medicare(s: &str) -> bool {
    // `+` then digits is an international phone number, valid or not.
    if s.trim_start().starts_with('+') {
        return false;
    }
    let ds = digits(s);
    if !(ds.len() == 10 || ds.len() == 11) || !matches!(ds.first(), Some(2..=6)) {
        return false;
    }
    const W: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let sum: u32 = ds.iter().zip(W).map(|(&d, w)| u32::from(d) * w).sum();
    ds.get(8).map(|&d| u32::from(d)) == Some(sum % 10) && ds.get(9) != Some(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medicare() {
        assert!(au_medicare("2123 45670 1"));
        assert!(au_medicare("2123456701"));
        assert!(!au_medicare("2123 45671 1"));
        assert!(!au_medicare("7123 45670 1"));
        assert!(!au_medicare("2123 45670 0"));
        assert!(!au_medicare(""));
        assert!(!au_medicare("ö"));
        assert!(!au_medicare("+2123456701"));
        assert!(!au_medicare(" +2123 45670 1"));
    }
}
