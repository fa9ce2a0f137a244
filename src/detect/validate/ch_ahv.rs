//! Swiss social security number (AHV/AVS, since 2008): 13 digits starting
//! with the country prefix 756, EAN-13 check digit.

use super::digits;

pub fn ch_ahv(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 13 || ds.get(..3) != Some(&[7, 5, 6]) {
        return false;
    }
    let sum: u32 = ds
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ds.get(12).map(|&d| u32::from(d)) == Some((10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ahv() {
        assert!(ch_ahv("756.9217.0769.85"));
        assert!(ch_ahv("7569217076985"));
        assert!(!ch_ahv("756.9217.0769.86"));
        assert!(!ch_ahv("757.9217.0769.85"));
        assert!(!ch_ahv("756.9217.0769"));
        assert!(!ch_ahv(""));
        assert!(!ch_ahv("ü"));
    }
}
