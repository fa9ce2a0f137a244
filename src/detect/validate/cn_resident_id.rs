//! Chinese resident identity card number (18 characters): region code,
//! birth date YYYYMMDD, sequence, ISO 7064 MOD 11-2 check character (0-9/X).

use super::valid_date;

pub fn cn_resident_id(s: &str) -> bool {
    let t: Vec<u8> = s.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    if t.len() != 18 {
        return false;
    }
    let (body, check) = t.split_at(17);
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = body.iter().map(|&b| u32::from(b - b'0')).collect();
    // Region: a province-level code.
    let province = d.iter().take(2).fold(0u32, |a, &x| a * 10 + x);
    if !matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        d.get(r)
            .map(|p| p.iter().fold(0u32, |a, &x| a * 10 + x))
            .unwrap_or(0)
    };
    let (y, m, day) = (num(6..10), num(10..12), num(12..14));
    if !(1900..=2099).contains(&y) || !valid_date(y as i32, m, day) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = d.iter().zip(W).map(|(&x, w)| x * w).sum();
    let expected = b"10X98765432".get((sum % 11) as usize);
    check.first() == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(cn_resident_id("11010519491231002X"));
        assert!(cn_resident_id("11010519491231002x"));
        assert!(!cn_resident_id("110105194912310021"));
        assert!(!cn_resident_id("110105194913310021"));
        assert!(!cn_resident_id("99010519491231002X"));
        assert!(!cn_resident_id("11010519491231002"));
        assert!(!cn_resident_id(""));
        assert!(!cn_resident_id("中华人民共和国"));
    }
}
