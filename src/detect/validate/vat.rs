//! EU (and UK) VAT identification numbers, one check per country. Each gets
//! the whole match, country prefix included. Algorithms from the national
//! rules as documented by the VIES service and python-stdnum.

use super::de_tax_id::iso7064_mod11_10;
use super::luhn::{all_same, luhn_ok};
use super::mod97::{mod97_alnum, mod97_digits};
use super::{alnum_upper, num_at, weighted_sum};

/// The characters after the two-letter country prefix `cc`, upper-cased and
/// without separators; `None` if the prefix is not there.
fn body(s: &str, cc: &[u8; 2]) -> Option<Vec<u8>> {
    let b = alnum_upper(s);
    (b.len() > 2 && b[..2] == cc[..]).then(|| b[2..].to_vec())
}

/// The digit values of `b` if it is all ASCII digits of length `n`.
fn digits_of(b: &[u8], n: usize) -> Option<Vec<u8>> {
    (b.len() == n && b.iter().all(u8::is_ascii_digit)).then(|| b.iter().map(|c| c - b'0').collect())
}

/// DE: 9 digits, first not 0, ISO 7064 MOD 11,10.
pub fn vat_de(s: &str) -> bool {
    let Some(ds) = body(s, b"DE").and_then(|b| digits_of(&b, 9)) else {
        return false;
    };
    ds[0] != 0 && iso7064_mod11_10(&ds[..8]) == ds[8]
}

/// FR: numeric key + SIREN (9 digits, Luhn unless it starts 000); key =
/// (SIREN x 100 + 12) mod 97.
pub fn vat_fr(s: &str) -> bool {
    let Some(ds) = body(s, b"FR").and_then(|b| digits_of(&b, 11)) else {
        return false;
    };
    let siren = &ds[2..];
    let mut keyed = siren.to_vec();
    keyed.extend_from_slice(&[1, 2]);
    // SIRENs starting 000 (entities outside the SIRENE register, e.g. in
    // Monaco) carry no Luhn check.
    !all_same(siren)
        && (siren[..3] == [0, 0, 0] || luhn_ok(siren))
        && num_at(&ds, 0, 2) == mod97_digits(&keyed)
}

/// IT: 11 digits (partita IVA), Luhn, office code 001-100, 120, 121, 888, 999.
pub fn vat_it(s: &str) -> bool {
    let Some(ds) = body(s, b"IT").and_then(|b| digits_of(&b, 11)) else {
        return false;
    };
    let office = num_at(&ds, 7, 3);
    ds[..7].iter().any(|&d| d != 0)
        && ((1..=100).contains(&office) || matches!(office, 120 | 121 | 888 | 999))
        && luhn_ok(&ds)
}

/// ES: a DNI, NIE or CIF (company letter, 7 digits, control digit or letter).
pub fn vat_es(s: &str) -> bool {
    let Some(b) = body(s, b"ES") else {
        return false;
    };
    if b.len() != 9 {
        return false;
    }
    let text = std::str::from_utf8(&b).unwrap_or("");
    if super::es_dni::es_dni(text) || super::es_dni::es_nie(text) {
        return true;
    }
    let Some(ds) = digits_of(&b[1..8], 7) else {
        return false;
    };
    if matches!(b[0], b'K' | b'L' | b'M') {
        // People without a DNI/NIE: the DNI letter of the seven digits.
        let n = ds.iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
        return b"TRWAGMYFPDXBNJZSQVHLCKE"[(n % 23) as usize] == b[8];
    }
    if !b"ABCDEFGHJNPQRSUVW".contains(&b[0]) {
        return false;
    }
    // Luhn check digit over the seven digits.
    let mut with_check = ds.clone();
    with_check.push(0);
    let c = (0..10u8).find(|&c| {
        with_check[7] = c;
        luhn_ok(&with_check)
    });
    let Some(c) = c else {
        return false;
    };
    b[8] == b'0' + c || b[8] == b"JABCDEFGHI"[c as usize]
}

/// NL: 9 digits, B, 2 digits; the BSN 11-test over the 9, or (since 2020)
/// ISO 7064 MOD 97-10 over the whole number with its NL prefix.
pub fn vat_nl(s: &str) -> bool {
    let Some(b) = body(s, b"NL") else {
        return false;
    };
    if b.len() != 12 || b[9] != b'B' {
        return false;
    }
    let (Some(ds), Some(_)) = (digits_of(&b[..9], 9), digits_of(&b[10..], 2)) else {
        return false;
    };
    if all_same(&ds) || num_at(&b[10..].iter().map(|c| c - b'0').collect::<Vec<_>>(), 0, 2) == 0 {
        return false;
    }
    let eleven = weighted_sum(&ds, &[9, 8, 7, 6, 5, 4, 3, 2]) as i32 - i32::from(ds[8]);
    let text = format!("NL{}", std::str::from_utf8(&b).unwrap_or(""));
    (eleven > 0 && eleven % 11 == 0) || mod97_alnum(&text) == Some(1)
}

/// BE: 10 digits starting 0 or 1; 97 - (first 8 mod 97) = last 2.
pub fn vat_be(s: &str) -> bool {
    let Some(ds) = body(s, b"BE").and_then(|b| digits_of(&b, 10)) else {
        return false;
    };
    ds[0] <= 1 && !all_same(&ds[..8]) && 97 - mod97_digits(&ds[..8]) == num_at(&ds, 8, 2)
}

/// AT: U + 8 digits; check = (6 - Luhn sum of digits 1-7) mod 10.
pub fn vat_at(s: &str) -> bool {
    let Some(b) = body(s, b"AT") else {
        return false;
    };
    let Some(ds) = b
        .split_first()
        .filter(|(u, _)| **u == b'U')
        .and_then(|(_, r)| digits_of(r, 8))
    else {
        return false;
    };
    // Luhn sum of the seven digits as a complete number (last one undoubled).
    let sum: u32 = ds[..7]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 1 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    !all_same(&ds[..7]) && u32::from(ds[7]) == (6 + 10 - sum % 10) % 10
}

/// PL: 10 digits (NIP), weights 6,5,7,2,3,4,5,6,7 mod 11 = last digit.
pub fn vat_pl(s: &str) -> bool {
    let Some(ds) = body(s, b"PL").and_then(|b| digits_of(&b, 10)) else {
        return false;
    };
    let c = weighted_sum(&ds, &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
    !all_same(&ds) && c < 10 && u32::from(ds[9]) == c
}

/// PT: 9 digits, the Portuguese NIF check.
pub fn vat_pt(s: &str) -> bool {
    body(s, b"PT").is_some_and(|b| {
        b.len() == 9 && super::europe_ids::pt_nif(std::str::from_utf8(&b).unwrap_or(""))
    })
}

/// GB: 9 digits (or 12 with a branch); weights 8..2,10,1 mod 97 = 0
/// (or 42 / 55 for the 100+ series).
pub fn vat_gb(s: &str) -> bool {
    let Some(b) = body(s, b"GB") else {
        return false;
    };
    if !(b.len() == 9 || b.len() == 12) {
        return false;
    }
    let Some(ds) = digits_of(&b, b.len()) else {
        return false;
    };
    if all_same(&ds[..9]) {
        return false;
    }
    let r = weighted_sum(&ds, &[8, 7, 6, 5, 4, 3, 2, 10, 1]) % 97;
    r == 0 || (num_at(&ds, 0, 3) >= 100 && (r == 42 || r == 55))
}

/// DK: 8 digits (CVR), first not 0, weights 2,7,6,5,4,3,2,1 mod 11 = 0.
pub fn vat_dk(s: &str) -> bool {
    let Some(ds) = body(s, b"DK").and_then(|b| digits_of(&b, 8)) else {
        return false;
    };
    ds[0] != 0 && weighted_sum(&ds, &[2, 7, 6, 5, 4, 3, 2, 1]).is_multiple_of(11)
}

/// FI: 8 digits, weights 7,9,10,5,8,4,2,1 mod 11 = 0.
pub fn vat_fi(s: &str) -> bool {
    let Some(ds) = body(s, b"FI").and_then(|b| digits_of(&b, 8)) else {
        return false;
    };
    !all_same(&ds) && weighted_sum(&ds, &[7, 9, 10, 5, 8, 4, 2, 1]).is_multiple_of(11)
}

/// SE: 10-digit organisation or personal number (Luhn) followed by 01.
pub fn vat_se(s: &str) -> bool {
    let Some(ds) = body(s, b"SE").and_then(|b| digits_of(&b, 12)) else {
        return false;
    };
    ds[10..] == [0, 1] && !all_same(&ds[..10]) && luhn_ok(&ds[..10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat() {
        type Case = (fn(&str) -> bool, &'static str, &'static str);
        let ok: &[Case] = &[
            (vat_de, "DE136695976", "DE136695977"),
            (vat_fr, "FR40303265045", "FR41303265045"),
            (vat_fr, "FR34000588086", "FR35000588086"),
            (vat_it, "IT00743110157", "IT00743110158"),
            (vat_es, "ESA13585625", "ESA13585626"),
            (vat_es, "ES54362315K", "ES54362315Z"),
            (vat_es, "ESL9183194F", "ESL9183194G"),
            (vat_nl, "NL004495445B01", "NL004495446B01"),
            (vat_be, "BE0403019261", "BE0403019262"),
            (vat_at, "ATU13585627", "ATU13585626"),
            (vat_pl, "PL8567346215", "PL8567346216"),
            (vat_pt, "PT501964843", "PT501964842"),
            (vat_gb, "GB980780684", "GB802311781"),
            (vat_dk, "DK13585628", "DK13585627"),
            (vat_fi, "FI20774740", "FI20774741"),
            (vat_se, "SE123456789701", "SE123456789801"),
        ];
        for (f, good, bad) in ok {
            assert!(f(good), "{good}");
            assert!(!f(bad), "{bad}");
            assert!(!f(""));
            assert!(!f("DEü漢字"));
        }
    }
}
