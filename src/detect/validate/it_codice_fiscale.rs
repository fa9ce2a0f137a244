//! Italian fiscal code (codice fiscale) for persons: 16 characters, the last
//! a check letter over odd/even position tables. Digits at positions 7, 8,
//! 10, 11, 13, 14 and 15 may be replaced by the omocodia letters `LMNPQRSTUV`.

const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const MONTHS: &[u8] = b"ABCDEHLMPRST";
const OMOCODIA: &[u8] = b"LMNPQRSTUV";
/// 0-based positions that hold digits (or their omocodia letters).
const DIGIT_POS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// The digit value of an omocodia position: a digit or its letter.
fn omo_digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        return Some(u32::from(b - b'0'));
    }
    OMOCODIA.iter().position(|&l| l == b).map(|p| p as u32)
}

/// Value of a character in the table: digits and letters share rows.
fn index(b: u8) -> Option<usize> {
    match b {
        b'0'..=b'9' => Some(usize::from(b - b'0')),
        b'A'..=b'Z' => Some(usize::from(b - b'A')),
        _ => None,
    }
}

pub fn it_codice_fiscale(s: &str) -> bool {
    let c: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if c.len() != 16 {
        return false;
    }
    // Structure: letters at 0-5, 8, 11, 15; digit-or-omocodia at DIGIT_POS.
    for (i, &b) in c.iter().enumerate() {
        let ok = if DIGIT_POS.contains(&i) {
            omo_digit(b).is_some()
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            return false;
        }
    }
    let (Some(&month), Some(&d1), Some(&d2)) = (c.get(8), c.get(9), c.get(10)) else {
        return false;
    };
    if !MONTHS.contains(&month) {
        return false;
    }
    let (Some(d1), Some(d2)) = (omo_digit(d1), omo_digit(d2)) else {
        return false;
    };
    let day = d1 * 10 + d2;
    if !matches!(day, 1..=31 | 41..=71) {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in c.iter().take(15).enumerate() {
        let Some(v) = index(b) else {
            return false;
        };
        // Positions are 1-based in the specification: odd = index 0, 2, ...
        sum += if i % 2 == 0 {
            match ODD.get(v) {
                Some(&x) => x,
                None => return false,
            }
        } else {
            v as u32
        };
    }
    c.get(15).copied() == Some(b'A' + (sum % 26) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(it_codice_fiscale("RSSMRA85T10A562S"));
        assert!(it_codice_fiscale("rssmra85t10a562s"));
        // Omocodia variant of the same code (last digit 2 -> N).
        assert!(it_codice_fiscale("RSSMRA85T10A56NH"));
    }

    #[test]
    fn invalid() {
        assert!(!it_codice_fiscale("RSSMRA85T10A562T"));
        assert!(!it_codice_fiscale("RSSMRA85Z10A562S"));
        assert!(!it_codice_fiscale("RSSMRA85T99A562S"));
        assert!(!it_codice_fiscale("RSSMRA85T10A562"));
        assert!(!it_codice_fiscale(""));
        assert!(!it_codice_fiscale("ÀSSMRA85T10A562S"));
        assert!(!it_codice_fiscale("1234567890123456"));
    }
}
