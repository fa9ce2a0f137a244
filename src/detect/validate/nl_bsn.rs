//! Dutch citizen service number (BSN, burgerservicenummer): 9 digits (8 with
//! the leading zero dropped) passing the "11-test" (weights 9..2 and -1).

use super::digits;

pub fn nl_bsn(s: &str) -> bool {
    let mut ds = digits(s);
    if ds.len() == 8 {
        ds.insert(0, 0);
    }
    if ds.len() != 9 || ds.iter().all(|&d| d == 0) {
        return false;
    }
    let mut sum: i32 = 0;
    for (i, &d) in ds.iter().enumerate() {
        let w = if i == 8 { -1 } else { 9 - i as i32 };
        sum += w * i32::from(d);
    }
    sum % 11 == 0 && sum != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsn() {
        assert!(nl_bsn("111222333"));
        assert!(nl_bsn("123456782"));
        assert!(nl_bsn("1112.22.333"));
        assert!(!nl_bsn("111222334"));
        assert!(!nl_bsn("000000000"));
        assert!(!nl_bsn("1234567"));
        assert!(!nl_bsn(""));
        assert!(!nl_bsn("ŝ"));
    }
}
