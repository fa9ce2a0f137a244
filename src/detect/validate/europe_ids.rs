//! European (and Turkish and Israeli) personal and tax identifiers: Danish
//! CPR, Austrian social security number, Irish PPSN, Portuguese NIF, Greek
//! AMKA, Czech/Slovak birth number, Romanian CNP, Turkish TC Kimlik, Israeli
//! Teudat Zehut, Estonian isikukood, Bulgarian EGN, Croatian OIB, Icelandic
//! kennitala, UK unique taxpayer reference and UK driving licence number.
//! Algorithms from the issuers' published rules, cross-checked against
//! python-stdnum where it has the identifier.

use super::de_tax_id::iso7064_mod11_10;
use super::luhn::{all_same, luhn_ok};
use super::personal::TODAY;
use super::{alnum_upper, digits, num_at, valid_date, weighted_sum};

/// Whether DDMMYY at `ds[i..]` is a real date in the 1900s or 2000s.
fn ddmmyy_ok(ds: &[u8], i: usize) -> bool {
    let (d, m, y) = (
        num_at(ds, i, 2),
        num_at(ds, i + 2, 2),
        num_at(ds, i + 4, 2) as i32,
    );
    valid_date(1900 + y, m, d) || valid_date(2000 + y, m, d)
}

/// Danish CPR number: DDMMYY-SSSS with a real birth date (the mod-11 rule
/// was dropped in 2007, so this is structural). The century comes from the
/// seventh digit (CPR office rules, as python-stdnum's `dk.cpr` applies
/// them), and a birth date after today is nobody's yet.
pub fn dk_cpr(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 || all_same(&ds[6..]) {
        return false;
    }
    let (d, m, yy) = (num_at(&ds, 0, 2), num_at(&ds, 2, 2), num_at(&ds, 4, 2));
    let century = match ds[6] {
        5..=8 if yy >= 58 => 1800,
        0..=3 => 1900,
        4 | 9 if yy >= 37 => 1900,
        _ => 2000,
    };
    chrono::NaiveDate::from_ymd_opt(century + yy as i32, m, d).is_some_and(|dob| dob <= *TODAY)
}

/// Austrian social security number (Versicherungsnummer): 10 digits, the
/// first not 0; the fourth is a check digit (weights 3,7,9,0,5,8,4,2,1,6 mod 11).
pub fn at_svnr(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 || ds[0] == 0 {
        return false;
    }
    let c = weighted_sum(&ds, &[3, 7, 9, 0, 5, 8, 4, 2, 1, 6]) % 11;
    c < 10 && u32::from(ds[3]) == c
}

/// Irish PPS number: seven digits, a check letter (mod 23 over weights 8..2,
/// plus 9 x the second letter when it is A, B or H), optional second letter.
pub fn ie_ppsn(s: &str) -> bool {
    const ALPHABET: &[u8] = b"WABCDEFGHIJKLMNOPQRSTUV";
    let b = alnum_upper(s);
    if !(8..=9).contains(&b.len()) || !b[..7].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let ds: Vec<u8> = b[..7].iter().map(|c| c - b'0').collect();
    let mut sum = weighted_sum(&ds, &[8, 7, 6, 5, 4, 3, 2]);
    if let Some(&second) = b.get(8) {
        if !b"ABHWTX".contains(&second) {
            return false;
        }
        if matches!(second, b'A' | b'B' | b'H') {
            // 2013 format: the second letter counts (A=1, B=2, H=8).
            sum += 9 * ALPHABET.iter().position(|&x| x == second).unwrap_or(0) as u32;
        }
    }
    ALPHABET[(sum % 23) as usize] == b[7]
}

/// Portuguese NIF: 9 digits, first not 0 (1-3 people, 45 non-residents,
/// 5-9 entities); weights 9..2 and check = (11 - sum mod 11) mod 11 mod 10.
pub fn pt_nif(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 9 || ds[0] == 0 || all_same(&ds) {
        return false;
    }
    let sum = weighted_sum(&ds, &[9, 8, 7, 6, 5, 4, 3, 2]);
    u32::from(ds[8]) == (11 - sum % 11) % 11 % 10
}

/// Greek AMKA: DDMMYY birth date, four digits and a Luhn check digit.
pub fn gr_amka(s: &str) -> bool {
    let ds = digits(s);
    ds.len() == 11 && ddmmyy_ok(&ds, 0) && luhn_ok(&ds)
}

/// Czech and Slovak birth number (rodné číslo), 10-digit form: YYMMDD with
/// +50 (women) or +20 on the month, and the whole number divisible by 11
/// (or the first nine mod 11 = 10 with a final 0).
pub fn cz_birth_number(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 {
        return false;
    }
    let yy = num_at(&ds, 0, 2) as i32;
    let year = if yy < 54 { 2000 + yy } else { 1900 + yy };
    let month = num_at(&ds, 2, 2) % 50 % 20;
    if !valid_date(year, month, num_at(&ds, 4, 2)) {
        return false;
    }
    let first9 = ds[..9].iter().fold(0u64, |a, &d| a * 10 + u64::from(d));
    u64::from(ds[9]) == first9 % 11 % 10
}

/// Romanian CNP: sex/century digit, YYMMDD, county code (01-48, 51, 52, 70,
/// 80-83), serial
/// and check digit (weights 2,7,9,1,4,6,3,5,8,2,7,9 mod 11; 10 gives 1).
pub fn ro_cnp(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 13 || ds[0] == 0 {
        return false;
    }
    let yy = num_at(&ds, 1, 2) as i32;
    let (m, d) = (num_at(&ds, 3, 2), num_at(&ds, 5, 2));
    let date_ok = match ds[0] {
        1 | 2 => valid_date(1900 + yy, m, d),
        3 | 4 => valid_date(1800 + yy, m, d),
        5 | 6 => valid_date(2000 + yy, m, d),
        _ => valid_date(1900 + yy, m, d) || valid_date(2000 + yy, m, d),
    };
    let county = num_at(&ds, 7, 2);
    if !date_ok || !matches!(county, 1..=48 | 51 | 52 | 70 | 80..=83) {
        return false;
    }
    let c = weighted_sum(&ds, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
    u32::from(ds[12]) == if c == 10 { 1 } else { c }
}

/// Turkish identity number (TC Kimlik No): 11 digits, first not 0; digit 10
/// = (7 x odd-position sum - even-position sum) mod 10, digit 11 = sum of the
/// first ten mod 10.
pub fn tr_tckn(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || ds[0] == 0 {
        return false;
    }
    let d: Vec<i32> = ds.iter().map(|&x| i32::from(x)).collect();
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let c10 = (odd * 7 - even).rem_euclid(10);
    let c11 = d[..10].iter().sum::<i32>() % 10;
    d[9] == c10 && d[10] == c11
}

/// Israeli identity number (Teudat Zehut): up to 9 digits (left-padded),
/// Luhn check digit.
pub fn il_id(s: &str) -> bool {
    let ds = digits(s);
    if !(8..=9).contains(&ds.len()) || all_same(&ds) {
        return false;
    }
    luhn_ok(&ds)
}

/// Estonian personal code (isikukood): century/sex digit 1-8, YYMMDD, serial
/// and a two-stage mod-11 check digit (weights 1..9,1 then 3..9,1,2,3).
pub fn ee_isikukood(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || !(1..=8).contains(&ds[0]) {
        return false;
    }
    let century = 1800 + 100 * ((i32::from(ds[0]) - 1) / 2);
    if !valid_date(
        century + num_at(&ds, 1, 2) as i32,
        num_at(&ds, 3, 2),
        num_at(&ds, 5, 2),
    ) {
        return false;
    }
    let mut c = weighted_sum(&ds, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) % 11;
    if c == 10 {
        c = weighted_sum(&ds, &[3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) % 11;
    }
    u32::from(ds[10]) == c % 10
}

/// Bulgarian EGN: YYMMDD (+20 on the month before 1900, +40 from 2000),
/// serial and check digit (weights 2,4,8,5,10,9,7,3,6 mod 11 mod 10).
pub fn bg_egn(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 {
        return false;
    }
    let (mut year, mut month) = (1900 + num_at(&ds, 0, 2) as i32, num_at(&ds, 2, 2));
    if month > 40 {
        year += 100;
        month -= 40;
    } else if month > 20 {
        year -= 100;
        month -= 20;
    }
    valid_date(year, month, num_at(&ds, 4, 2))
        && u32::from(ds[9]) == weighted_sum(&ds, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10
}

/// Croatian OIB: 11 digits, ISO 7064 MOD 11,10 check digit.
pub fn hr_oib(s: &str) -> bool {
    let ds = digits(s);
    ds.len() == 11 && !all_same(&ds) && iso7064_mod11_10(&ds[..10]) == ds[10]
}

/// Icelandic kennitala (individuals): DDMMYY, two digits, check digit
/// (weights 3,2,7,6,5,4,3,2,1 sum divisible by 11), century digit 9 or 0.
pub fn is_kennitala(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 || !matches!(ds[9], 9 | 0) {
        return false;
    }
    let year = if ds[9] == 9 { 1900 } else { 2000 } + num_at(&ds, 4, 2) as i32;
    valid_date(year, num_at(&ds, 2, 2), num_at(&ds, 0, 2))
        && weighted_sum(&ds, &[3, 2, 7, 6, 5, 4, 3, 2, 1]).is_multiple_of(11)
}

/// UK unique taxpayer reference: 10 digits (an optional trailing K), the
/// first is a check digit over the other nine (weights 6,7,8,9,10,5,4,3,2).
pub fn uk_utr(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 || all_same(&ds) {
        return false;
    }
    let sum = weighted_sum(&ds[1..], &[6, 7, 8, 9, 10, 5, 4, 3, 2]);
    b"21987654321"[(sum % 11) as usize] == b'0' + ds[0]
}

/// UK (DVLA) driving licence number: five surname characters (padded with
/// 9s, letters first), decade digit, birth month (+50 for women), day, year
/// digit, two initials (9-padded), a digit and two check characters.
pub fn uk_driving_licence(s: &str) -> bool {
    let b = alnum_upper(s);
    if b.len() != 16 {
        return false;
    }
    let surname = &b[..5];
    let letters = surname
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if letters == 0 || !surname[letters..].iter().all(|&c| c == b'9') {
        return false;
    }
    if !b[5..11].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let ds: Vec<u8> = b[5..11].iter().map(|c| c - b'0').collect();
    let month = num_at(&ds, 1, 2);
    let month = if month > 50 { month - 50 } else { month };
    // Leap-safe: the decade digit alone does not fix the century.
    if !valid_date(2000, month, num_at(&ds, 3, 2)) {
        return false;
    }
    let initials = &b[11..13];
    initials[0].is_ascii_uppercase()
        && (initials[1].is_ascii_uppercase() || initials[1] == b'9')
        && b[13].is_ascii_digit()
        && b[14..].iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn europe() {
        assert!(dk_cpr("211062-5629"));
        assert!(!dk_cpr("511062-5629"));
        // python-stdnum 2.2 (`dk.cpr`): seventh digit 6 with year 50 is 2050,
        // not born yet; seventh digit 4 with year 50 is 1950.
        assert!(!dk_cpr("280550-6606"));
        assert!(!dk_cpr("301230-9908"));
        assert!(dk_cpr("280550-4606"));
        assert!(at_svnr("1237 010180"));
        assert!(!at_svnr("2237 010180"));
        assert!(ie_ppsn("6433435F"));
        assert!(ie_ppsn("6433435OA"));
        assert!(ie_ppsn("1234567TW"));
        assert!(!ie_ppsn("6433435E"));
        assert!(pt_nif("501 964 843"));
        assert!(!pt_nif("501 964 842"));
        assert!(pt_nif("459786210"));
        assert!(gr_amka("01013099997"));
        assert!(!gr_amka("01013099999"));
        assert!(cz_birth_number("710319/2745"));
        assert!(!cz_birth_number("710319/2746"));
        assert!(ro_cnp("1630615123457"));
        assert!(!ro_cnp("1630615123458"));
        assert!(tr_tckn("17291716060"));
        assert!(!tr_tckn("17291716050"));
        assert!(il_id("039337423"));
        assert!(il_id("23183145-4"));
        assert!(!il_id("039337424"));
        assert!(ee_isikukood("36805280109"));
        assert!(!ee_isikukood("36805280108"));
        assert!(bg_egn("7523169263"));
        assert!(!bg_egn("7523169264"));
        assert!(hr_oib("33392005961"));
        assert!(!hr_oib("33392005962"));
        assert!(is_kennitala("120174-3399"));
        assert!(!is_kennitala("120174-3398"));
        assert!(uk_utr("1955839661"));
        assert!(!uk_utr("2955839661"));
        assert!(uk_driving_licence("MORGA753116SM9IJ"));
        assert!(!uk_driving_licence("MORGA713116SM9IJ"));
        for f in [
            dk_cpr,
            at_svnr,
            ie_ppsn,
            pt_nif,
            gr_amka,
            cz_birth_number,
            ro_cnp,
            tr_tckn,
            il_id,
            ee_isikukood,
            bg_egn,
            hr_oib,
            is_kennitala,
            uk_utr,
            uk_driving_licence,
        ] {
            assert!(!f(""));
            assert!(!f("ü漢字"));
        }
    }
}
