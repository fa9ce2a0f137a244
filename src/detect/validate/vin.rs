//! Vehicle identification number (ISO 3779, North American check digit):
//! 17 characters without I, O, Q; position 9 is a mod-11 check digit.

fn translit(b: u8) -> Option<u32> {
    Some(match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

pub fn vin(s: &str) -> bool {
    let t: Vec<u8> = s.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    if t.len() != 17 {
        return false;
    }
    // A VIN always has letters in it (manufacturer code), and digits.
    let letters = t.iter().filter(|b| b.is_ascii_uppercase()).count();
    if !(2..=14).contains(&letters) {
        return false;
    }
    // Model year (position 10) is never U, Z or 0.
    if matches!(t.get(9), Some(b'U' | b'Z' | b'0')) {
        return false;
    }
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0u32;
    for (&b, w) in t.iter().zip(W) {
        let Some(v) = translit(b) else {
            return false;
        };
        sum += v * w;
    }
    let expected = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    t.get(8) == Some(&expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vins() {
        assert!(vin("1M8GDM9AXKP042788"));
        assert!(vin("1HGCM82633A004352"));
        assert!(!vin("1HGCM82643A004352"));
        assert!(!vin("1HGCM82633A00435"));
        assert!(!vin("1HGCM8263IA004352"));
        assert!(!vin("12345678901234567"));
        assert!(!vin(""));
        assert!(!vin("ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ"));
    }
}
