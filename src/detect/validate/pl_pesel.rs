//! Polish PESEL: 11 digits YYMMDDZZZXQ, weights 1-3-7-9, and a real birth
//! date (the month carries the century: +80 1800s, +0 1900s, +20 2000s,
//! +40 2100s, +60 2200s).

use super::digits;
use super::valid_date;

pub fn pl_pesel(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || ds.iter().all(|&d| d == 0) {
        return false;
    }
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = ds.iter().zip(W).map(|(&d, w)| u32::from(d) * w).sum();
    let check = (10 - sum % 10) % 10;
    if ds.get(10).map(|&d| u32::from(d)) != Some(check) {
        return false;
    }
    let n = |i: usize| -> u32 {
        ds.get(i..i + 2)
            .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
            .unwrap_or(0)
    };
    let (yy, mm, dd) = (n(0), n(2), n(4));
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return false,
    };
    valid_date(century + yy as i32, month, dd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesel() {
        assert!(pl_pesel("44051401359"));
        assert!(pl_pesel("02270803624"));
        assert!(!pl_pesel("44051401358"));
        assert!(!pl_pesel("44133001350")); // month 13
        assert!(!pl_pesel("00000000000"));
        assert!(!pl_pesel("4405140135"));
        assert!(!pl_pesel(""));
        assert!(!pl_pesel("ąę"));
    }
}
