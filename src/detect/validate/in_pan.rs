//! Indian permanent account number (PAN): five letters, four digits, one
//! letter. The fourth letter is the holder type; the four digits are a
//! serial that starts at 0001, so `0000` is never issued (the same rules as
//! python-stdnum's `in_.pan`). PAN has no check digit: this is structure.

/// Holder-type codes allowed in the fourth position (person, company,
/// HUF, firm, association, trust, body of individuals, local authority,
/// artificial juridical person, government, and `K`, as python-stdnum lists).
const HOLDER_TYPES: &[u8] = b"ABCFGHJKLPT";

pub fn in_pan(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let [a @ .., last] = b else {
        return false;
    };
    let ([l0, l1, l2, holder, l4], serial) = match a {
        [l0, l1, l2, h, l4, rest @ ..] => ([*l0, *l1, *l2, *h, *l4], rest),
        _ => return false,
    };
    serial.len() == 4
        && [l0, l1, l2, holder, l4, *last]
            .iter()
            .all(u8::is_ascii_uppercase)
        && HOLDER_TYPES.contains(&holder)
        && serial.iter().all(u8::is_ascii_digit)
        && serial != b"0000"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from python-stdnum 2.2 (`stdnum.in_.pan.is_valid`).
    #[test]
    fn pan() {
        assert!(in_pan("AFZPK7190K"));
        assert!(in_pan("BNZAA2318J"));
        assert!(in_pan("AFZKK7190K"));
        assert!(!in_pan("AFZPK0000K"));
        assert!(!in_pan("ABCDE1234F"));
        assert!(!in_pan("AFZPK719K"));
        // stdnum upper-cases first; ferret takes a PAN as written, in capitals
        assert!(!in_pan("afzpk7190k"));
        assert!(!in_pan(""));
        assert!(!in_pan("ÄFZPK7190K"));
    }
}
