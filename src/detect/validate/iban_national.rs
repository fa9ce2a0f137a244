//! National check digits inside an IBAN's BBAN, for the countries whose
//! account numbers carry their own check (the same checks as python-stdnum's
//! `be.iban`, `es.iban`, `me.iban` and `no.iban`). An IBAN whose mod-97
//! passes but whose national check fails was made up by changing the IBAN
//! check digits alone: no bank issued it.

use super::{digits, weighted_sum};

/// Whether the national check of `compact` (an upper-case IBAN without
/// separators, length already checked) passes; true for a country that has
/// none here.
pub fn national_ok(compact: &str) -> bool {
    let (Some(cc), Some(bban)) = (compact.get(..2), compact.get(4..)) else {
        return false;
    };
    let check = match cc {
        "BE" => be,
        "ES" => es,
        "ME" => me,
        "NO" => no,
        _ => return true,
    };
    bban.bytes().all(|b| b.is_ascii_digit()) && check(&digits(bban))
}

/// The number formed by `ds`, modulo 97.
fn mod97(ds: &[u8]) -> u32 {
    ds.iter().fold(0, |a, &d| (a * 10 + u32::from(d)) % 97)
}

/// Belgium: 12 digits; the last two are the first ten mod 97 (97 for 0).
fn be(ds: &[u8]) -> bool {
    let [body @ .., c1, c2] = ds else {
        return false;
    };
    let want = match mod97(body) {
        0 => 97,
        r => r,
    };
    ds.len() == 12 && u32::from(*c1) * 10 + u32::from(*c2) == want
}

/// Montenegro: the 18-digit BBAN is 1 mod 97.
fn me(ds: &[u8]) -> bool {
    ds.len() == 18 && mod97(ds) == 1
}

/// Norway (kontonummer): 11 digits, the last the weighted sum of the first
/// ten mod 11 (a sum of 10 has no check digit, so never issued).
fn no(ds: &[u8]) -> bool {
    let [body @ .., check] = ds else {
        return false;
    };
    ds.len() == 11 && weighted_sum(body, &[6, 7, 8, 9, 4, 5, 6, 7, 8, 9]) % 11 == u32::from(*check)
}

/// Spain (CCC): bank 4, branch 4, two check digits, account 10. The first
/// check covers `00` + bank + branch, the second the account; each is the
/// digits weighted by 2^i mod 11, then 11 - s (0 for 0, 1 for 1).
fn es(ds: &[u8]) -> bool {
    const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let calc = |part: &[u8]| match weighted_sum(part, &W) % 11 {
        s @ (0 | 1) => s,
        s => 11 - s,
    };
    let (Some(head), Some(checks), Some(account)) = (ds.get(..8), ds.get(8..10), ds.get(10..))
    else {
        return false;
    };
    let mut padded = [0u8; 10];
    padded[2..].copy_from_slice(head);
    ds.len() == 20 && calc(&padded) == u32::from(checks[0]) && calc(account) == u32::from(checks[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from python-stdnum 2.2: each `valid` IBAN passes
    /// `stdnum.iban.is_valid`; each `invalid` one passes
    /// `stdnum.iban.is_valid(v, check_country=False)` (mod 97 is right) but
    /// fails the national check.
    #[test]
    fn national_checks_per_stdnum() {
        for v in VALID {
            assert!(national_ok(v), "{v} is valid per python-stdnum");
        }
        for v in INVALID {
            assert!(
                !national_ok(v),
                "{v} fails its national check per python-stdnum"
            );
        }
        assert!(national_ok("GB82WEST12345698765432"));
        assert!(!national_ok("BE"));
        assert!(!national_ok("NO93860111179X7"));
    }

    const VALID: &[&str] = &[
        "BE12383462756692",
        "BE12398926419092",
        "ES5455650656950011104856",
        "ES7025314446291045645263",
        "ME25395558242726034457",
        "ME25997886222832516465",
        "NO4525158890588",
        "NO0380925171917",
    ];
    const INVALID: &[&str] = &[
        "BE60945807302157",
        "BE15368193036426",
        "ES4550208569791581324680",
        "ES8525304213811925850587",
        "ME33129685925451428141",
        "ME76335328019511007873",
        "NO8993580446089",
        "NO6961953203599",
    ];
}
