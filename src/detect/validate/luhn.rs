//! Luhn (mod 10) family: the generic check, and the identifiers built on it
//! (IMEI, Canadian SIN, US NPI). Payment cards are in `payment_card.rs`.

use super::digits;

/// Luhn check over a digit sequence (values 0..=9); the last digit is the
/// check digit. Empty input is not valid.
pub fn luhn_ok(ds: &[u8]) -> bool {
    if ds.is_empty() {
        return false;
    }
    let mut sum: u32 = 0;
    for (i, &d) in ds.iter().rev().enumerate() {
        if d > 9 {
            return false;
        }
        let mut v = u32::from(d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// True when every digit is the same (`0000000000`, `1111111111`).
pub fn all_same(ds: &[u8]) -> bool {
    ds.first().is_some_and(|f| ds.iter().all(|d| d == f))
}

/// Generic Luhn over the digits of the match (at least 2 digits, not all the same).
pub fn luhn(s: &str) -> bool {
    let ds = digits(s);
    ds.len() >= 2 && !all_same(&ds) && luhn_ok(&ds)
}

/// GSMA reporting body identifiers: the first two digits of a type
/// allocation code (35 and 86 cover most handsets in use).
const IMEI_RBI: &[u8] = &[
    1, 10, 30, 33, 35, 44, 45, 49, 50, 51, 52, 53, 54, 86, 91, 98, 99,
];

/// IMEI: exactly 15 digits, Luhn-valid, not all the same digit, and the
/// reporting body identifier (first two digits) is an allocated one.
pub fn imei(s: &str) -> bool {
    let ds = digits(s);
    let rbi = ds.iter().take(2).fold(0u8, |a, &d| a * 10 + d);
    ds.len() == 15 && !all_same(&ds) && IMEI_RBI.contains(&rbi) && luhn_ok(&ds)
}

/// Canadian social insurance number: 9 digits, Luhn-valid; first digit is a
/// province/type code and never 0 or 8 (8 is a business number).
pub fn ca_sin(s: &str) -> bool {
    let ds = digits(s);
    ds.len() == 9 && !matches!(ds.first(), Some(0) | Some(8)) && !all_same(&ds) && luhn_ok(&ds)
}

/// US National Provider Identifier: 10 digits starting 1 or 2, Luhn-valid
/// once prefixed with the card issuer prefix `80840`.
pub fn us_npi(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 10 || !matches!(ds.first(), Some(1) | Some(2)) {
        return false;
    }
    let mut full = vec![8, 0, 8, 4, 0];
    full.extend_from_slice(&ds);
    luhn_ok(&full)
}

/// SIM card serial (ICCID, ITU-T E.118): 19 or 20 digits starting with the
/// telecom industry prefix 89, Luhn-valid.
pub fn iccid(s: &str) -> bool {
    let ds = digits(s);
    (19..=20).contains(&ds.len()) && ds[..2] == [8, 9] && luhn_ok(&ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_generic() {
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
        assert!(!luhn(""));
        assert!(!luhn("0000000000"));
        assert!(!luhn("ÿ€漢字"));
    }

    #[test]
    fn imei_check() {
        assert!(imei("490154203237518"));
        assert!(imei("49-015420-323751-8"));
        assert!(!imei("490154203237519"));
        assert!(!imei("49015420323751"));
        assert!(!imei("000000000000000"));
        assert!(!imei("378282246310005")); // an Amex test PAN, not an IMEI
        assert!(!imei(""));
        assert!(!imei("abc"));
    }

    #[test]
    fn sin_check() {
        assert!(ca_sin("130 692 544"));
        assert!(ca_sin("527-814-362"));
        assert!(!ca_sin("130 692 545"));
        assert!(!ca_sin("046 454 286")); // documentation example, leading 0
        assert!(!ca_sin("846 454 286"));
        assert!(!ca_sin("000 000 000"));
        assert!(!ca_sin("é"));
    }

    #[test]
    fn iccid_check() {
        assert!(iccid("8944500102198304826"));
        assert!(!iccid("8944500102198304827"));
        assert!(!iccid("7944500102198304826"));
        assert!(!iccid(""));
    }

    #[test]
    fn npi_check() {
        assert!(us_npi("1234567893"));
        assert!(!us_npi("1234567890"));
        assert!(!us_npi("3234567893"));
        assert!(!us_npi(""));
        assert!(!us_npi("１２３"));
    }
}
