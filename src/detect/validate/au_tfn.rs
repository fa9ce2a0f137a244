//! Australian tax file number: 9 digits (weights 1,4,3,7,5,8,6,9,10) or the
//! older 8-digit form (weights 10,7,8,4,6,3,5,1); weighted sum mod 11 is 0.

use super::digits;
use super::luhn::all_same;

pub fn au_tfn(s: &str) -> bool {
    let ds = digits(s);
    let w: &[u32] = match ds.len() {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return false,
    };
    if all_same(&ds) {
        return false;
    }
    let sum: u32 = ds.iter().zip(w).map(|(&d, &w)| u32::from(d) * w).sum();
    sum.is_multiple_of(11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfn() {
        assert!(au_tfn("123 456 782"));
        assert!(au_tfn("876 543 210"));
        assert!(!au_tfn("123 456 781"));
        assert!(!au_tfn("000 000 000"));
        assert!(!au_tfn("1234567"));
        assert!(!au_tfn(""));
        assert!(!au_tfn("é"));
    }
}
