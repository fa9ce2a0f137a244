//! French social security number (NIR, numéro de sécurité sociale):
//! 13 characters + 2-digit key = 97 - (number mod 97); Corsica departments
//! 2A and 2B count as 19 and 18 in the computation.

use super::mod97::mod97_digits;

pub fn fr_nir(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'.' | b'-'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() != 15 {
        return false;
    }
    // Department (positions 6-7) may be 2A/2B; everything else is a digit.
    let mut ds: Vec<u8> = Vec::with_capacity(15);
    for (i, &b) in compact.iter().enumerate() {
        match b {
            b'0'..=b'9' => ds.push(b - b'0'),
            b'A' | b'B' if i == 6 && compact.get(5) == Some(&b'2') => {
                // 2A -> 19, 2B -> 18: replace the pair.
                ds.pop();
                ds.push(1);
                ds.push(if b == b'A' { 9 } else { 8 });
            }
            _ => return false,
        }
    }
    let (Some(&sex), Some(m1), Some(m2)) = (ds.first(), ds.get(3), ds.get(4)) else {
        return false;
    };
    // Sex 1/2; 3/4 and 7/8 for provisional and foreign-born registrations.
    if !matches!(sex, 1 | 2 | 3 | 4 | 7 | 8) {
        return false;
    }
    let month = m1 * 10 + m2;
    if !matches!(month, 1..=12 | 20..=42 | 50..=99) {
        return false;
    }
    let (body, key) = ds.split_at(13);
    let key_val = key.iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
    // Order number 000 and commune 000 are never issued.
    if body.get(10..13) == Some(&[0, 0, 0]) {
        return false;
    }
    key_val == 97 - mod97_digits(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(fr_nir("2 84 12 76 451 089 93"));
        assert!(fr_nir("284127645108993"));
        assert!(fr_nir("1 85 05 2A 004 017 65"));
    }

    #[test]
    fn invalid() {
        assert!(!fr_nir("2 84 12 76 451 089 94"));
        assert!(!fr_nir("5 84 12 76 451 089 93"));
        assert!(!fr_nir("2 84 15 76 451 089 93"));
        assert!(!fr_nir("2 84 12 76 451 089"));
        assert!(!fr_nir(""));
        assert!(!fr_nir("2A"));
        assert!(!fr_nir("ééééééééééééééé"));
    }
}
