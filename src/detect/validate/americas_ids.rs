//! Identifiers from the Americas: Mexican CURP and RFC, Argentine CUIT,
//! Chilean RUT, Colombian NIT, and the US DEA registration and Medicare
//! beneficiary identifier. Algorithms from the issuers' published rules,
//! cross-checked against python-stdnum where it has the identifier.

use super::luhn::all_same;
use super::{alnum_upper, digits, num_at, valid_date, weighted_sum};

/// Character values of the CURP and RFC check alphabets.
const MX_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ";

fn mx_value(c: u8) -> Option<u32> {
    MX_ALPHABET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// Whether `YYMMDD` at `b[i..i + 6]` is a real date in the 1900s or 2000s.
fn yymmdd_ok(b: &[u8], i: usize) -> bool {
    let Some(p) = b.get(i..i + 6) else {
        return false;
    };
    if !p.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let ds: Vec<u8> = p.iter().map(|c| c - b'0').collect();
    let (y, m, d) = (
        num_at(&ds, 0, 2) as i32,
        num_at(&ds, 2, 2),
        num_at(&ds, 4, 2),
    );
    valid_date(1900 + y, m, d) || valid_date(2000 + y, m, d)
}

const CURP_STATES: &[&[u8]] = &[
    b"AS", b"BC", b"BS", b"CC", b"CL", b"CM", b"CS", b"CH", b"DF", b"DG", b"GT", b"GR", b"HG",
    b"JC", b"MC", b"MN", b"MS", b"NT", b"NL", b"OC", b"PL", b"QT", b"QR", b"SP", b"SL", b"SR",
    b"TC", b"TS", b"TL", b"VZ", b"YN", b"ZS", b"NE",
];

/// Mexican CURP: 18 characters: four name letters, birth date, sex (H/M/X),
/// state code, three consonant letters, a century character (digit: 1900s,
/// letter: 2000s) and the check digit (values 0-9, A-N, &, O-Z weighted
/// 18..2; (10 - sum mod 10) mod 10).
pub fn mx_curp(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 18
        || !b[..4].iter().all(u8::is_ascii_uppercase)
        || !b[4..10].iter().all(u8::is_ascii_digit)
        || !b[10..16].iter().all(u8::is_ascii_uppercase)
        || !b[17].is_ascii_digit()
        || !matches!(b[10], b'H' | b'M' | b'X')
        || !CURP_STATES.contains(&&b[11..13])
    {
        return false;
    }
    let ds: Vec<u8> = b[4..10].iter().map(|c| c - b'0').collect();
    let century = if b[16].is_ascii_digit() { 1900 } else { 2000 };
    if !valid_date(
        century + num_at(&ds, 0, 2) as i32,
        num_at(&ds, 2, 2),
        num_at(&ds, 4, 2),
    ) {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in b[..17].iter().enumerate() {
        let Some(v) = mx_value(c) else {
            return false;
        };
        sum += v * (18 - i as u32);
    }
    b[17] == b'0' + ((10 - sum % 10) % 10) as u8
}

/// Mexican RFC (tax id): four letters (persons) or three (companies), the
/// registration date YYMMDD, a two-character homoclave and a check character
/// (the CURP alphabet with blank and Ñ, weights 13..2, (11 - sum) mod 11, 10 = A).
pub fn mx_rfc(s: &str) -> bool {
    // `Ñ` (names such as Muñoz, Peña) stands as `#` here: one byte, valued
    // after the blank as in the SAT alphabet.
    let b: Vec<u8> = s
        .chars()
        .filter_map(|c| match c {
            'Ñ' | 'ñ' => Some(b'#'),
            c if c.is_ascii_alphanumeric() || c == '&' => u8::try_from(c.to_ascii_uppercase()).ok(),
            _ => None,
        })
        .collect();
    let letters = match b.len() {
        13 => 4,
        12 => 3,
        _ => return false,
    };
    if !b[..letters]
        .iter()
        .all(|c| c.is_ascii_uppercase() || matches!(c, b'&' | b'#'))
        || !yymmdd_ok(&b, letters)
    {
        return false;
    }
    // Homoclave: first character 1-9 or A-V, second 1-9 or A-Z (SAT rules).
    let (h1, h2) = (b[b.len() - 3], b[b.len() - 2]);
    if !(matches!(h1, b'1'..=b'9' | b'A'..=b'V') && matches!(h2, b'1'..=b'9' | b'A'..=b'Z')) {
        return false;
    }
    let mut padded = vec![b' '; 13 - b.len()];
    padded.extend_from_slice(&b[..b.len() - 1]);
    let mut sum = 0u32;
    for (i, &c) in padded.iter().enumerate() {
        let v = if c == b' ' {
            37
        } else if c == b'#' {
            38 // Ñ
        } else if let Some(v) = mx_value(c) {
            v
        } else {
            return false;
        };
        sum += v * (13 - i as u32);
    }
    let check = (11 - sum % 11) % 11;
    let want = if check == 10 {
        b'A'
    } else {
        b'0' + check as u8
    };
    b[b.len() - 1] == want
}

/// Argentine CUIT/CUIL: 11 digits, type prefix (20, 23, 24, 27, 30, 33, 34),
/// weights 5-4-3-2-7-6-5-4-3-2, check 11 - sum mod 11 (11 gives 0, 10 gives 9).
pub fn ar_cuit(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || !matches!(num_at(&ds, 0, 2), 20 | 23 | 24 | 27 | 30 | 33 | 34) {
        return false;
    }
    let r = weighted_sum(&ds, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    let check = match 11 - r {
        11 => 0,
        10 => 9,
        c => c,
    };
    u32::from(ds[10]) == check
}

/// Chilean RUT/RUN: 7-8 digit body and a check character 0-9 or K
/// (weights 2..7 from the right, 11 - sum mod 11; 11 = 0, 10 = K).
pub fn cl_rut(s: &str) -> bool {
    let b = alnum_upper(s);
    if !(8..=9).contains(&b.len()) || !b[..b.len() - 1].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let body: Vec<u8> = b[..b.len() - 1].iter().map(|c| c - b'0').collect();
    if body[0] == 0 || all_same(&body) {
        return false;
    }
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * (2 + (i as u32 % 6)))
        .sum();
    let want = match 11 - sum % 11 {
        11 => b'0',
        10 => b'K',
        c => b'0' + c as u8,
    };
    b[b.len() - 1] == want
}

/// Colombian NIT: 9-10 digit body and a check digit (prime weights
/// 3, 7, 13, .. 71 from the right; check "01987654321"[sum mod 11]).
pub fn co_nit(s: &str) -> bool {
    let ds = digits(s);
    if !(9..=11).contains(&ds.len()) || all_same(&ds) {
        return false;
    }
    const W: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    let (body, check) = ds.split_at(ds.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .zip(W)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    b"01987654321"[(sum % 11) as usize] == b'0' + check[0]
}

/// US DEA registration number: registrant-type letter, a letter (or 9), six
/// digits and a check digit = last digit of (d1+d3+d5) + 2(d2+d4+d6).
pub fn us_dea(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 9
        || !b"ABCDEFGHJKLMPRSTUX".contains(&b[0])
        || !(b[1].is_ascii_uppercase() || b[1] == b'9')
        || !b[2..].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let d: Vec<u32> = b[2..].iter().map(|c| u32::from(c - b'0')).collect();
    if d[..6].iter().all(|&x| x == 0) {
        return false;
    }
    let sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5]);
    sum % 10 == d[6]
}

/// US Medicare beneficiary identifier (MBI): 11 characters,
/// C A AN N A AN N A A N N, where C is 1-9 and letters exclude S, L, O, I, B, Z.
pub fn us_mbi(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 11 {
        return false;
    }
    let alpha = |c: u8| c.is_ascii_uppercase() && !b"SLOIBZ".contains(&c);
    let num = |c: u8| c.is_ascii_digit();
    (b'1'..=b'9').contains(&b[0])
        && alpha(b[1])
        && (alpha(b[2]) || num(b[2]))
        && num(b[3])
        && alpha(b[4])
        && (alpha(b[5]) || num(b[5]))
        && num(b[6])
        && alpha(b[7])
        && alpha(b[8])
        && num(b[9])
        && num(b[10])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFCs with `Ñ` and `&` (issue 23, formats found in the wild): check
    /// characters from python-stdnum 2.2 (`mx.rfc.calc_check_digit`); each
    /// valid one with its last character changed is invalid there too.
    #[test]
    fn rfc_with_enye_and_ampersand() {
        for v in [
            "MUÑO800101AB3",
            "PEÑA921130K44",
            "AÑ&850101AB8",
            "CAÑ850215J77",
            "muño800101ab3",
        ] {
            assert!(mx_rfc(v), "{v}");
        }
        for v in [
            "MUÑO800101AB0",
            "PEÑA921130K40",
            "AÑ&850101AB0",
            "CAÑ850215J70",
        ] {
            assert!(!mx_rfc(v), "{v}");
        }
    }

    #[test]
    fn americas() {
        assert!(mx_curp("BOXW310820HNERXN09"));
        assert!(!mx_curp("BOXW310820HNERXN08"));
        assert!(!mx_curp("COIA981206HNECU5Y3"));
        assert!(mx_rfc("GODE561231GR8"));
        assert!(!mx_rfc("GODE561231GR9"));
        assert!(!mx_rfc("DAKA320128WTA"));
        assert!(ar_cuit("20-26756539-3"));
        assert!(!ar_cuit("20-26756539-4"));
        assert!(cl_rut("12.531.909-2"));
        assert!(!cl_rut("12.531.909-3"));
        assert!(co_nit("900.373.913-4"));
        assert!(!co_nit("900.373.913-5"));
        assert!(us_dea("AB1234563"));
        assert!(!us_dea("AB1234564"));
        assert!(us_mbi("1EG4-TE5-MK73"));
        assert!(!us_mbi("1EG4-TS5-MK73"));
        for f in [mx_curp, mx_rfc, ar_cuit, cl_rut, co_nit, us_dea, us_mbi] {
            assert!(!f(""));
            assert!(!f("ü漢字"));
        }
    }
}
