//! Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter):
//! the letter is `TRWAGMYFPDXBNJZSQVHLCKE[number mod 23]`.

const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn compact(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'.'))
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

fn letter_ok(number: u32, letter: u8) -> bool {
    LETTERS.get((number % 23) as usize) == Some(&letter)
}

fn parse_digits(ds: &[u8]) -> Option<u32> {
    ds.iter().try_fold(0u32, |a, &b| {
        b.is_ascii_digit().then(|| a * 10 + u32::from(b - b'0'))
    })
}

pub fn es_dni(s: &str) -> bool {
    let c = compact(s);
    let [body @ .., letter] = c.as_slice() else {
        return false;
    };
    if body.len() != 8 {
        return false;
    }
    match parse_digits(body) {
        Some(0) | None => false,
        Some(n) => letter_ok(n, *letter),
    }
}

pub fn es_nie(s: &str) -> bool {
    let c = compact(s);
    let [first, body @ .., letter] = c.as_slice() else {
        return false;
    };
    if body.len() != 7 {
        return false;
    }
    let lead = match first {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => return false,
    };
    match parse_digits(body) {
        Some(n) => letter_ok(lead * 10_000_000 + n, *letter),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dni() {
        assert!(es_dni("12345678Z"));
        assert!(es_dni("12345678-Z"));
        assert!(es_dni("12345678z"));
        assert!(!es_dni("12345678A"));
        assert!(!es_dni("1234567Z"));
        assert!(!es_dni("00000000T"));
        assert!(!es_dni(""));
        assert!(!es_dni("Z"));
        assert!(!es_dni("1234567ñZ"));
    }

    #[test]
    fn nie() {
        assert!(es_nie("X1234567L"));
        assert!(es_nie("Y-1234567-X"));
        assert!(!es_nie("X1234567A"));
        assert!(!es_nie("W1234567L"));
        assert!(!es_nie(""));
        assert!(!es_nie("XL"));
    }
}
