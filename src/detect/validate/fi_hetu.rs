//! Finnish personal identity code (henkilötunnus): DDMMYY, century sign,
//! individual number NNN, check character = table[DDMMYYNNN mod 31].

use super::valid_date;

const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

pub fn fi_hetu(s: &str) -> bool {
    let t: Vec<u8> = s.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    let [date @ .., sign, n1, n2, n3, check] = t.as_slice() else {
        return false;
    };
    if date.len() != 6 {
        return false;
    }
    let century: i32 = match sign {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let mut n: u32 = 0;
    for &b in date.iter().chain([n1, n2, n3]) {
        if !b.is_ascii_digit() {
            return false;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    let dd = n / 10_000_000;
    let mm = n / 100_000 % 100;
    let yy = n / 1_000 % 100;
    let individual = n % 1_000;
    // 000-001 are never issued; 900-999 are temporary codes given by
    // e.g. hospitals before a real one exists (python-stdnum rejects them
    // unless asked to allow temporaries): not a person's lasting identity.
    if !(2..900).contains(&individual) {
        return false;
    }
    valid_date(century + yy as i32, mm, dd) && CHECK.get((n % 31) as usize) == Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hetu() {
        assert!(fi_hetu("131052-308T"));
        assert!(fi_hetu("131052A308T"));
        assert!(fi_hetu("131052Y308T"));
        assert!(!fi_hetu("131052-308U"));
        assert!(!fi_hetu("311352-308T"));
        assert!(!fi_hetu("131052G308T"));
        assert!(!fi_hetu("131052-308"));
        assert!(!fi_hetu(""));
        assert!(!fi_hetu("äääääää-ääää"));
    }

    /// Temporary codes (individual number 900-999): check characters from
    /// python-stdnum 2.2, which rejects them (`fi.hetu.is_valid`) and
    /// accepts them with `allow_temporary=True`.
    #[test]
    fn temporary_codes_rejected() {
        assert!(!fi_hetu("131052-900W"));
        assert!(!fi_hetu("010190-999W"));
        assert!(fi_hetu("131052-899V"));
    }
}
