//! Asia-Pacific national and tax identifiers: New Zealand IRD, Singapore
//! NRIC/FIN, Hong Kong identity card, Japanese My Number, Korean resident
//! registration number, Taiwanese national id, Thai citizen id and the
//! Australian business number. Algorithms from the issuers' published rules
//! (cross-checked against python-stdnum where it has the identifier).

use super::luhn::all_same;
use super::{alnum_upper, digits, num_at, valid_date, weighted_sum};

/// New Zealand IRD number: 8 or 9 digits, 10,000,000 < n < 150,000,000,
/// mod-11 check digit with the secondary weights when the primary gives 10.
pub fn nz_ird(s: &str) -> bool {
    let ds = digits(s);
    if !(8..=9).contains(&ds.len()) {
        return false;
    }
    let n = ds.iter().fold(0u64, |a, &d| a * 10 + u64::from(d));
    if !(10_000_001..150_000_000).contains(&n) {
        return false;
    }
    let (body, check) = ds.split_at(ds.len() - 1);
    // Left-padded to 8 digits, on the stack (runs on every 9-digit id).
    let mut padded = [0u8; 8];
    padded[8 - body.len()..].copy_from_slice(body);
    let calc = |w: &[u32]| (11 - weighted_sum(&padded, w) % 11) % 11;
    let mut c = calc(&[3, 2, 7, 6, 5, 4, 3, 2]);
    if c == 10 {
        c = calc(&[7, 4, 3, 2, 5, 2, 7, 6]);
    }
    c < 10 && u32::from(check[0]) == c
}

/// Singapore NRIC / FIN: prefix S, T, F or G, seven digits, check letter
/// (weights 2-7-6-5-4-3-2, +4 for the T and G series, mod 11).
pub fn sg_nric(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 9 || !b[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let ds: Vec<u8> = b[1..8].iter().map(|c| c - b'0').collect();
    let mut sum = weighted_sum(&ds, &[2, 7, 6, 5, 4, 3, 2]);
    if matches!(b[0], b'T' | b'G') {
        sum += 4;
    }
    let table: &[u8] = match b[0] {
        b'S' | b'T' => b"JZIHGFEDCBA",
        b'F' | b'G' => b"XWUTRQPNMLK",
        _ => return false,
    };
    table[(sum % 11) as usize] == b[8]
}

/// Hong Kong identity card: one or two letters, six digits and a check
/// character (0-9 or A), weights 9..2 with a blank first letter worth 36.
pub fn hk_id(s: &str) -> bool {
    // The first alphanumeric must be a letter: reject the common case (an
    // all-digit id) before collecting.
    if !s
        .bytes()
        .find(u8::is_ascii_alphanumeric)
        .is_some_and(|b| b.is_ascii_alphabetic())
    {
        return false;
    }
    let b = alnum_upper(s);
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || b.len() != letters + 7 {
        return false;
    }
    let body = &b[letters..letters + 6];
    if !body.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Always 8 values (a space, or two letters, then six digits), on the
    // stack: every customer id of the shape `C0000000` comes here.
    let mut vals = [0u32; 8];
    let mut n = 0;
    let mut push = |v: u32| {
        vals[n] = v;
        n += 1;
    };
    if letters == 1 {
        push(36);
    }
    b[..letters]
        .iter()
        .for_each(|c| push(u32::from(c - b'A') + 10));
    body.iter().for_each(|c| push(u32::from(c - b'0')));
    let sum: u32 = vals[..n]
        .iter()
        .zip((2..=9).rev())
        .map(|(v, w)| v * w)
        .sum();
    let check = (11 - sum % 11) % 11;
    let want = if check == 10 {
        b'A'
    } else {
        b'0' + check as u8
    };
    b[letters + 6] == want
}

/// Japanese individual number (My Number): 12 digits, weights 6..2,7..2
/// over the first 11, check = 11 - sum mod 11 (0 when that is 10 or 11).
pub fn jp_my_number(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 12 || all_same(&ds) {
        return false;
    }
    let r = weighted_sum(&ds, &[6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    u32::from(ds[11]) == check
}

/// Korean resident registration number: YYMMDD-SBBBBNC, the S digit gives
/// century and sex, a real birth date, place code at most 96, and the check
/// digit (weights 2-9,2-5; (11 - sum mod 11) mod 10).
pub fn kr_rrn(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 13 {
        return false;
    }
    let century = match ds[6] {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => 1800,
    };
    if !valid_date(
        century + num_at(&ds, 0, 2) as i32,
        num_at(&ds, 2, 2),
        num_at(&ds, 4, 2),
    ) || num_at(&ds, 7, 2) > 96
    {
        return false;
    }
    let sum = weighted_sum(&ds, &[2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]);
    u32::from(ds[12]) == (11 - sum % 11) % 10
}

/// Value of a Taiwanese id's region letter (A=10 .. Z=33, I, O, W, X, Y, Z out of order).
fn tw_letter(c: u8) -> Option<u32> {
    const ORDER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVXYWZIO";
    ORDER.iter().position(|&x| x == c).map(|p| p as u32 + 10)
}

/// Taiwan national identification number: region letter, sex digit 1/2 (8/9
/// for resident certificates), eight digits; weights 1,9,8..1,1 mod 10.
pub fn tw_id(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 10
        || !b[1..].iter().all(u8::is_ascii_digit)
        || !matches!(b[1], b'1' | b'2' | b'8' | b'9')
    {
        return false;
    }
    let Some(v) = tw_letter(b[0]) else {
        return false;
    };
    let ds: Vec<u8> = b[1..].iter().map(|c| c - b'0').collect();
    let sum = v / 10 + (v % 10) * 9 + weighted_sum(&ds, &[8, 7, 6, 5, 4, 3, 2, 1, 1]);
    sum.is_multiple_of(10)
}

/// Thai citizen identification number: 13 digits, first not 0 or 9, weights
/// 13..2 and check = (11 - sum mod 11) mod 10.
pub fn th_id(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 13 || matches!(ds[0], 0 | 9) {
        return false;
    }
    let sum = weighted_sum(&ds, &[13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    u32::from(ds[12]) == (11 - sum % 11) % 10
}

/// Australian business number: 11 digits; subtract 1 from the first digit,
/// weights 10,1,3,5,..19, the sum divisible by 89.
pub fn au_abn(s: &str) -> bool {
    let mut ds = digits(s);
    if ds.len() != 11 || ds[0] == 0 || all_same(&ds) {
        return false;
    }
    ds[0] -= 1;
    weighted_sum(&ds, &[10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]).is_multiple_of(89)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apac() {
        assert!(nz_ird("49-091-850"));
        assert!(nz_ird("136410132"));
        assert!(!nz_ird("136410133"));
        assert!(!nz_ird("9125568"));
        assert!(sg_nric("S1234567D"));
        assert!(!sg_nric("S1234567A"));
        assert!(hk_id("A123456(3)"));
        assert!(!hk_id("A123456(4)"));
        assert!(jp_my_number("1234 5678 9018"));
        assert!(!jp_my_number("1234 5678 9017"));
        assert!(kr_rrn("971013-9019902"));
        assert!(!kr_rrn("971013-9019903"));
        assert!(tw_id("A123456789"));
        assert!(!tw_id("A123456788"));
        assert!(th_id("3100600445635"));
        assert!(!th_id("3100600445636"));
        assert!(au_abn("51 824 753 556"));
        assert!(!au_abn("51 824 753 557"));
        for f in [
            nz_ird,
            sg_nric,
            hk_id,
            jp_my_number,
            kr_rrn,
            tw_id,
            th_id,
            au_abn,
        ] {
            assert!(!f(""));
            assert!(!f("ü漢字"));
        }
    }
}
