//! Passport machine-readable zone (ICAO 9303 TD3), line 2: document number,
//! birth date, expiry date, optional data and composite check digits, each
//! computed with weights 7-3-1.

fn value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The 7-3-1 check digit of a field.
pub fn check_digit(field: &[u8]) -> Option<u32> {
    const W: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, &b) in field.iter().enumerate() {
        sum += value(b)? * W[i % 3];
    }
    Some(sum % 10)
}

fn field_ok(line: &[u8], range: std::ops::Range<usize>, check_at: usize) -> bool {
    let (Some(field), Some(&c)) = (line.get(range), line.get(check_at)) else {
        return false;
    };
    let Some(expected) = check_digit(field) else {
        return false;
    };
    // An all-filler optional field may carry '<' as its check digit.
    if c == b'<' {
        return field.iter().all(|&b| b == b'<');
    }
    value(c) == Some(expected) && c.is_ascii_digit()
}

/// TD3 line 2 (44 characters).
pub fn mrz_td3(s: &str) -> bool {
    let line = s.trim().as_bytes();
    if line.len() != 44 {
        return false;
    }
    // Document number must hold something other than fillers.
    if line.get(0..9).is_none_or(|f| f.iter().all(|&b| b == b'<')) {
        return false;
    }
    if !matches!(line.get(20), Some(b'M' | b'F' | b'X' | b'<')) {
        return false;
    }
    if !(field_ok(line, 0..9, 9)
        && field_ok(line, 13..19, 19)
        && field_ok(line, 21..27, 27)
        && field_ok(line, 28..42, 42))
    {
        return false;
    }
    let mut composite: Vec<u8> = Vec::with_capacity(39);
    for r in [0..10, 13..20, 21..43] {
        match line.get(r) {
            Some(part) => composite.extend_from_slice(part),
            None => return false,
        }
    }
    let Some(expected) = check_digit(&composite) else {
        return false;
    };
    line.get(43).and_then(|&b| value(b)) == Some(expected)
        && line.get(43).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECIMEN: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn valid() {
        assert!(mrz_td3(SPECIMEN));
    }

    #[test]
    fn invalid() {
        assert!(!mrz_td3("L898902C36UTO7408122F1204159ZE184226B<<<<<11"));
        assert!(!mrz_td3("L898902C37UTO7408122F1204159ZE184226B<<<<<10"));
        assert!(!mrz_td3("L898902C36UTO7408122F1204159ZE184226B<<<<<1"));
        assert!(!mrz_td3(""));
        assert!(!mrz_td3("ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ"));
        assert!(!mrz_td3("<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"));
    }
}
