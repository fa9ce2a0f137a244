//! Swedish personal identity number (personnummer) and coordination number
//! (samordningsnummer, day + 60): YYMMDD-NNNC or YYYYMMDD-NNNC, separator
//! '-' (or '+' for people aged 100 or more), Luhn over the 10-digit form and
//! a real date.

use super::luhn::luhn_ok;
use super::valid_date;

pub fn se_personnummer(s: &str) -> bool {
    let t = s.trim();
    if !t.is_ascii() {
        return false;
    }
    let plus = t.contains('+');
    let ds: Vec<u8> = t
        .bytes()
        .filter(|b| !matches!(b, b'-' | b'+' | b' '))
        .map(|b| b.wrapping_sub(b'0'))
        .collect();
    if ds.iter().any(|&d| d > 9) {
        return false;
    }
    let (century, ten): (Option<u32>, &[u8]) = match ds.len() {
        12 => {
            let c = ds
                .get(..2)
                .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)));
            (c, ds.get(2..).unwrap_or(&[]))
        }
        10 => (None, ds.as_slice()),
        _ => return false,
    };
    if ten.len() != 10 || !luhn_ok(ten) {
        return false;
    }
    let n = |i: usize| -> u32 {
        ten.get(i..i + 2)
            .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
            .unwrap_or(0)
    };
    let (yy, mm, mut dd) = (n(0), n(2), n(4));
    if dd > 60 {
        dd -= 60; // samordningsnummer
    }
    // Serial 000 is never issued.
    if ten.get(6..9) == Some(&[0, 0, 0]) {
        return false;
    }
    match century {
        Some(c @ 18..=20) => valid_date((c * 100 + yy) as i32, mm, dd),
        Some(_) => false,
        None => {
            let centuries: &[u32] = if plus { &[1800, 1900] } else { &[1900, 2000] };
            centuries
                .iter()
                .any(|c| valid_date((c + yy) as i32, mm, dd))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(se_personnummer("811218-9876"));
        assert!(se_personnummer("19811218-9876"));
        assert!(se_personnummer("198112189876"));
        assert!(se_personnummer("8112189876"));
        assert!(se_personnummer("811218+9876"));
        assert!(se_personnummer("811278-9873")); // coordination number
    }

    #[test]
    fn invalid() {
        assert!(!se_personnummer("811218-9875"));
        assert!(!se_personnummer("811318-9875"));
        assert!(!se_personnummer("17811218-9876"));
        assert!(!se_personnummer("811218-987"));
        assert!(!se_personnummer(""));
        assert!(!se_personnummer("--"));
        assert!(!se_personnummer("81121８-9876"));
    }
}
