//! Payment card numbers (PAN): Luhn plus the issuer prefix and length table
//! of the major brands.

use super::digits;
use super::luhn::{all_same, luhn_ok};

/// The integer value of the first `n` digits (or fewer, if shorter).
fn prefix(ds: &[u8], n: usize) -> u32 {
    ds.iter()
        .take(n)
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
}

/// The card brand the IIN range and length point to, if any.
pub fn brand(ds: &[u8]) -> Option<&'static str> {
    let len = ds.len();
    let p1 = prefix(ds, 1);
    let p2 = prefix(ds, 2);
    let p3 = prefix(ds, 3);
    let p4 = prefix(ds, 4);
    let p6 = prefix(ds, 6);
    if p2 == 34 || p2 == 37 {
        return (len == 15).then_some("amex");
    }
    if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        return (len == 16).then_some("mastercard");
    }
    if (2200..=2204).contains(&p4) {
        return (16..=19).contains(&len).then_some("mir");
    }
    if p1 == 4 {
        return matches!(len, 13 | 16 | 19).then_some("visa");
    }
    if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6) {
        return (16..=19).contains(&len).then_some("discover");
    }
    if (3528..=3589).contains(&p4) {
        return (16..=19).contains(&len).then_some("jcb");
    }
    if (300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095 {
        return (14..=19).contains(&len).then_some("diners");
    }
    if p2 == 62 || p2 == 81 {
        return (16..=19).contains(&len).then_some("unionpay");
    }
    if matches!(p4, 5018 | 5020 | 5038 | 5893 | 6304 | 6759 | 6761..=6763) {
        return (13..=19).contains(&len).then_some("maestro");
    }
    if p2 == 60 || p2 == 82 || p3 == 508 || p3 == 353 || p3 == 356 {
        return (len == 16).then_some("rupay");
    }
    None
}

/// A Luhn-valid number of 13..=19 digits whose prefix and length belong to a
/// known card brand. All-same-digit numbers are rejected.
pub fn payment_card(s: &str) -> bool {
    let ds = digits(s);
    (13..=19).contains(&ds.len()) && !all_same(&ds) && brand(&ds).is_some() && luhn_ok(&ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_brands() {
        for (n, b) in [
            ("4111 1111 1111 1111", "visa"),
            ("4012888888881881", "visa"),
            ("5555-5555-5555-4444", "mastercard"),
            ("2223003122003222", "mastercard"),
            ("378282246310005", "amex"),
            ("6011111111111117", "discover"),
            ("3530111333300000", "jcb"),
            ("36227206271667", "diners"),
            ("6200000000000005", "unionpay"),
        ] {
            assert!(payment_card(n), "{n}");
            assert_eq!(brand(&digits(n)), Some(b), "{n}");
        }
    }

    #[test]
    fn invalid() {
        assert!(!payment_card("4111 1111 1111 1112"));
        assert!(!payment_card("1234567812345670")); // luhn ok, no brand
        assert!(!payment_card("37828224631000")); // amex with 14 digits
        assert!(!payment_card(""));
        assert!(!payment_card("ＡＢＣ"));
        assert!(!payment_card("4"));
        assert!(!payment_card("0000000000000000"));
    }
}
